//! What both clients are configured with, and the one builder for either.

use std::fmt;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::api::Api;
use crate::auth::SessionTokens;
use crate::credentials::{StaticToken, TokenSource};
use crate::error::Error;
use crate::integrity::HashAlgorithm;
use crate::login::LoginSettings;
use crate::retry::RetryPolicy;
use crate::wait::PollBackoff;

/// Configures a client: `blocking::ClientBuilder` and
/// `asynchronous::ClientBuilder` are this, for their client.
pub struct ClientBuilder<C> {
    pub(crate) base_url: String,
    pub(crate) tokens: Option<Result<Arc<dyn TokenSource>, Error>>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) read_timeout: Option<Duration>,
    pub(crate) write_timeout: Option<Duration>,
    pub(crate) retry: RetryPolicy,
    pub(crate) poll: PollBackoff,
    pub(crate) upload_hash: HashAlgorithm,
    /// How to log in, and the TLS settings of a cloud (`login.rs`).
    pub(crate) login: LoginSettings,
    client: PhantomData<fn() -> C>,
}

impl<C> fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Header values may be credentials: only their names are shown.
        let names: Vec<&str> = self.headers.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("tokens", &self.tokens.as_ref().map(|tokens| tokens.is_ok()))
            .field("headers", &names)
            .field("connect_timeout", &self.connect_timeout)
            .field("read_timeout", &self.read_timeout)
            .field("write_timeout", &self.write_timeout)
            .field("retry", &self.retry)
            .field("upload_hash", &self.upload_hash)
            .field("login", &self.login)
            .finish()
    }
}

// By hand: `C` need not be `Clone`, and a refused token's error is kept as
// its message.
impl<C> Clone for ClientBuilder<C> {
    fn clone(&self) -> Self {
        ClientBuilder {
            base_url: self.base_url.clone(),
            tokens: self.tokens.as_ref().map(|tokens| match tokens {
                Ok(source) => Ok(source.clone()),
                Err(Error::InvalidRequest(message)) => Err(Error::InvalidRequest(message.clone())),
                Err(error) => Err(Error::InvalidRequest(error.to_string())),
            }),
            headers: self.headers.clone(),
            connect_timeout: self.connect_timeout,
            read_timeout: self.read_timeout,
            write_timeout: self.write_timeout,
            retry: self.retry.clone(),
            poll: self.poll.clone(),
            upload_hash: self.upload_hash,
            login: self.login.clone(),
            client: PhantomData,
        }
    }
}

impl<C> ClientBuilder<C> {
    pub(crate) fn new(base_url: String) -> Self {
        ClientBuilder {
            base_url,
            tokens: None,
            headers: Vec::new(),
            connect_timeout: Some(Duration::from_secs(10)),
            read_timeout: Some(Duration::from_secs(60)),
            write_timeout: Some(Duration::from_secs(60)),
            retry: RetryPolicy::default(),
            poll: PollBackoff::default(),
            upload_hash: HashAlgorithm::Sha512,
            login: LoginSettings::default(),
            client: PhantomData,
        }
    }

    /// Authenticates with a fixed `X-Auth-Token`.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        let source =
            StaticToken::new(&token.into()).map(|source| Arc::new(source) as Arc<dyn TokenSource>);
        self.tokens = Some(source);
        self
    }

    /// Takes each request's `X-Auth-Token` from `source` when the request
    /// is sent; see [`TokenSource`]. Clones of the client, and tasks using
    /// them, share the source and so its token.
    pub fn token_source(mut self, source: Arc<dyn TokenSource>) -> Self {
        self.tokens = Some(Ok(source));
        self
    }

    /// Sends a header with every request, such as Glance's identity headers
    /// (`X-Identity-Status`, `X-Project-Id`, `X-User-Id`, `X-Roles`) when it
    /// runs without Keystone.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// How long connecting (DNS, TCP, TLS) may take. Default 10 s; `None` waits forever.
    pub fn connect_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long each read from the connection may wait. It restarts with every
    /// read, so a long download is not cut off. Default 60 s.
    pub fn read_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// How long each write to the connection may wait. Default 60 s.
    pub fn write_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.write_timeout = timeout;
        self
    }

    /// How requests that are safe to repeat are retried
    /// ([`RetryPolicy::default`]: 3 retries); [`RetryPolicy::none`] turns
    /// retrying off.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// How often `wait_for_image` and `wait_for_task` poll.
    pub fn poll_backoff(mut self, backoff: PollBackoff) -> Self {
        self.poll = backoff;
        self
    }

    /// The algorithm uploads are hashed with, to compare with
    /// `os_hash_value` afterwards: the deployment's `hashing_algorithm`
    /// (sha512 unless changed, which is the default here too).
    pub fn upload_hash(mut self, algorithm: HashAlgorithm) -> Self {
        self.upload_hash = algorithm;
        self
    }

    /// The request builder and the rest of the settings both clients share.
    /// A builder that logs in starts at the identity URL; the client moves
    /// to the service's root on its first login ([`Shared::api_at`]).
    pub(crate) fn into_shared(mut self) -> Result<(Api, Shared), Error> {
        let session = self.start_session();
        let api = api_at(&self.base_url, &self.headers)?;
        let tokens = self.tokens.transpose()?;
        Ok((
            api,
            Shared {
                tokens,
                session,
                headers: Arc::new(self.headers),
                login_serial: Arc::default(),
                #[cfg(feature = "async")]
                login_serial_async: Arc::default(),
                retry: self.retry,
                poll: self.poll,
                upload_hash: self.upload_hash,
            },
        ))
    }
}

fn api_at(base_url: &str, headers: &[(String, String)]) -> Result<Api, Error> {
    let mut api = Api::new(base_url)?;
    for (name, value) in headers {
        api = api.with_header(name, value)?;
    }
    Ok(api)
}

/// Settings the clients consult for every request.
#[derive(Clone)]
pub(crate) struct Shared {
    pub tokens: Option<Arc<dyn TokenSource>>,
    /// The session behind `tokens`, for a client that logs in itself.
    pub session: Option<Arc<SessionTokens>>,
    /// The builder's extra headers, for the request builder at the
    /// service's root.
    pub headers: Arc<Vec<(String, String)>>,
    /// Held from a login's first request to its last, so that threads that
    /// find no token at once log in once (see [`TokenSource`]).
    pub login_serial: Arc<Mutex<()>>,
    /// The same for tasks: an async lock, as a login is awaited under it.
    #[cfg(feature = "async")]
    pub login_serial_async: Arc<tokio::sync::Mutex<()>>,
    pub retry: RetryPolicy,
    pub poll: PollBackoff,
    pub upload_hash: HashAlgorithm,
}

impl Shared {
    /// The Compute API's request builder for a client at `base_url`, with
    /// the builder's headers; the token comes from the client's source.
    pub fn compute_api(&self, base_url: &str) -> Result<crate::compute::Api, Error> {
        let mut api = crate::compute::Api::new(base_url)?;
        for (name, value) in self.headers.iter() {
            api = api.with_header(name, value)?;
        }
        Ok(api)
    }

    /// The request builder at the root the session found, once logged in.
    pub fn api_at_service_root(&self) -> Result<Option<Api>, Error> {
        let Some(root) = self
            .session
            .as_ref()
            .and_then(|session| session.service_root())
        else {
            return Ok(None);
        };
        api_at(&root, &self.headers).map(Some)
    }
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shared")
            .field("tokens", &self.tokens)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}
