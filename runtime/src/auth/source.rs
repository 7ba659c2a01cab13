//! [`SessionTokens`]: a [`Session`] as the [`TokenSource`] both clients ask
//! for each request's token. It is the only driver of a session the
//! clients have: the blocking and the async client send the session's
//! login requests through their own send path and hand the answers back.

use std::fmt;
use std::sync::{Mutex, MutexGuard};
use std::time::SystemTime;

use http::HeaderValue;

use super::session::{Authorized, Pending, Session, Step};
use crate::credentials::{TokenSource, TokenStep};
use crate::error::Error;

/// Gives the token of a [`Session`], logging in when it has none or it is
/// about to expire, and again after a 401.
///
/// Between [`TokenSource::token`] asking for a login and
/// [`TokenSource::login_response`], the client holds its login lock, so at
/// most one login request is pending at a time.
pub struct SessionTokens {
    session: Session,
    pending: Mutex<Option<Pending>>,
    /// The token last handed out, to tell the session which one a 401
    /// refused.
    current: Mutex<Option<Authorized>>,
}

impl SessionTokens {
    /// The token source of `session`, for either client's
    /// `ClientBuilder::token_source`.
    pub fn new(session: Session) -> SessionTokens {
        SessionTokens {
            session,
            pending: Mutex::new(None),
            current: Mutex::new(None),
        }
    }

    /// The session: its token, and how many times it logged in.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The service's root URL found on the last login (catalog and version
    /// discovery), or `None` before the first.
    pub fn service_root(&self) -> Option<String> {
        lock(&self.current)
            .as_ref()
            .map(|authorized| authorized.service_root().to_owned())
    }
}

impl fmt::Debug for SessionTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionTokens")
            .field("session", &self.session)
            .finish_non_exhaustive()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every update is a single assignment, so a poisoned value is whole.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl TokenSource for SessionTokens {
    fn token(&self) -> Result<TokenStep, Error> {
        match self.session.poll(SystemTime::now())? {
            Step::Ready(authorized) => {
                let mut token =
                    HeaderValue::from_str(authorized.token().expose()).map_err(|_| {
                        Error::InvalidRequest("the token is not a valid header value".to_owned())
                    })?;
                token.set_sensitive(true);
                *lock(&self.current) = Some(authorized);
                Ok(TokenStep::Token(token))
            }
            Step::Send(login) => {
                let (request, pending) = login.into_parts();
                *lock(&self.pending) = Some(pending);
                Ok(TokenStep::Login(Box::new(request)))
            }
        }
    }

    fn login_response(&self, response: http::Response<Vec<u8>>) -> Result<(), Error> {
        let pending = lock(&self.pending).take().ok_or_else(|| {
            Error::InvalidRequest("a login response came without a login request".to_owned())
        })?;
        self.session.accept(pending, response, SystemTime::now())
    }

    fn rejected(&self, token: &HeaderValue) -> bool {
        let current = lock(&self.current);
        if let Some(authorized) = current
            .as_ref()
            .filter(|authorized| authorized.token().expose().as_bytes() == token.as_bytes())
        {
            self.session.unauthorized(authorized);
        }
        // A newer token than the refused one may already be there; either
        // way the next request's token is worth one more try.
        true
    }

    fn login_failed(&self, error: Error) -> Error {
        match (lock(&self.pending).take(), error) {
            (Some(pending), Error::Transport(error)) => pending.unreachable(error),
            (_, error) => error,
        }
    }
}
