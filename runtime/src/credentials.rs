//! Where each request's `X-Auth-Token` comes from.
//!
//! The clients ask a [`TokenSource`] for the token when they send each
//! request, not when they are built, so a token that expires or is revoked
//! can be replaced while the client is in use, and one source (one token)
//! can be shared by every task of an async program. A source may also ask
//! the client to send a login request first: the login itself stays
//! sans-IO, in the source.
//!
//! After a 401, the client tells the source which token was refused; when
//! the source says a new login may help, and the request's body can be
//! sent again (every body but a stream), the client logs in once more and
//! resends the request once.
//!
//! A client holds a lock of its own from a login's [`TokenSource::token`]
//! to its [`TokenSource::login_response`], so that threads or tasks that
//! find no token at the same moment log in once between them: the others
//! wait, then ask again and get the new token.

use std::fmt;

use http::HeaderValue;

use crate::error::Error;

/// What the client must do before it can send a request.
#[derive(Debug)]
pub enum TokenStep {
    /// Send this token.
    Token(HeaderValue),
    /// Send no token.
    Anonymous,
    /// Send this login request first, and hand its response to
    /// [`TokenSource::login_response`]; then ask again.
    Login(Box<http::Request<Vec<u8>>>),
}

/// Gives the token for each request. Implementations use interior
/// mutability, as one source is shared by clones of a client and by tasks.
pub trait TokenSource: Send + Sync + fmt::Debug {
    /// The token to send now, or the login to send first.
    fn token(&self) -> Result<TokenStep, Error>;

    /// Takes in the response to the login request [`TokenSource::token`]
    /// asked for.
    fn login_response(&self, response: http::Response<Vec<u8>>) -> Result<(), Error>;

    /// Glance answered 401 to a request sent with `token`. Returns whether
    /// logging in again may help; if so, the next [`TokenSource::token`]
    /// asks for that login.
    fn rejected(&self, token: &HeaderValue) -> bool;

    /// The login request [`TokenSource::token`] asked for could not be
    /// sent (`error`): the source may say which service did not answer.
    fn login_failed(&self, error: Error) -> Error {
        error
    }
}

/// A fixed token: what [`crate::Api::with_token`] and the builders' `token`
/// set. A 401 is final.
pub struct StaticToken(HeaderValue);

impl StaticToken {
    /// A source that always gives `token`.
    pub fn new(token: &str) -> Result<StaticToken, Error> {
        let mut value = HeaderValue::from_str(token).map_err(|_| {
            Error::InvalidRequest("the token is not a valid header value".to_owned())
        })?;
        value.set_sensitive(true);
        Ok(StaticToken(value))
    }
}

impl fmt::Debug for StaticToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StaticToken(<redacted>)")
    }
}

impl TokenSource for StaticToken {
    fn token(&self) -> Result<TokenStep, Error> {
        Ok(TokenStep::Token(self.0.clone()))
    }

    fn login_response(&self, _: http::Response<Vec<u8>>) -> Result<(), Error> {
        Ok(())
    }

    fn rejected(&self, _: &HeaderValue) -> bool {
        false
    }
}

/// The most login requests one request may cause: a source that keeps
/// asking for logins would otherwise loop. A first login to Keystone takes
/// three: its version document, the token, and the service's version
/// document.
pub(crate) const MAX_LOGINS: u32 = 3;
