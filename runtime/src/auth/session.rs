//! [`Session`]: logging in and keeping a token fresh, as a state machine
//! that does no I/O, so that a blocking and an async client drive the same
//! logic.
//!
//! A driver asks [`Session::poll`] what to do before each service request,
//! passing the current time. The answer is either [`Step::Ready`], with the
//! token and the service's root URL, or [`Step::Send`], a request (identity
//! version discovery, the token request, the service's version discovery)
//! whose response goes back through [`Session::accept`]; then it polls
//! again. When the service answers 401, the driver calls
//! [`Session::unauthorized`] and polls again: the next poll logs in anew.
//!
//! ```no_run
//! # use cloud_images_runtime::auth::{Session, Step};
//! # use cloud_images_runtime::Error;
//! # fn send(request: http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, std::io::Error> { unimplemented!() }
//! fn authorized(session: &Session) -> Result<cloud_images_runtime::auth::Authorized, Error> {
//!     loop {
//!         match session.poll(std::time::SystemTime::now())? {
//!             Step::Ready(authorized) => return Ok(authorized),
//!             Step::Send(login) => {
//!                 let (request, pending) = login.into_parts();
//!                 match send(request) {
//!                     Ok(response) => session.accept(pending, response, std::time::SystemTime::now())?,
//!                     Err(error) => return Err(pending.unreachable(error)),
//!                 }
//!             }
//!         }
//!     }
//! }
//! ```
//!
//! A `Session` is a handle: clones share one token store, and it is `Send`
//! and `Sync`. Two threads that find no token at the same moment would
//! both be told to log in; a driver that wants one login for all of them
//! serialises its `Send` steps with a lock of its own (a `std` mutex in a
//! blocking client, an async mutex in an async one) and polls again once it
//! holds the lock.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use http::header::HeaderValue;
use http::{Request, Response};

use super::discovery::{Versions, is_versioned, versions_request};
use super::{AuthError, Credentials, Token, token_request};
use crate::config::{CloudConfig, Interface};
use crate::error::Error;
use crate::operation::Decoder;
use crate::secret::Secret;

/// A token is renewed this long before its `expires_at` (keystoneauth's
/// margin), or after half its lifetime when it lives less than twice this.
const RENEW_BEFORE: Duration = Duration::from_secs(120);

/// Where to log in, with what, and which service to find.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionConfig {
    /// The identity service, versioned (`.../v3`, Rackspace `.../v2.0`) or not.
    pub auth_url: String,
    /// Who logs in, and how.
    pub credentials: Credentials,
    /// The catalog type of the service, such as `image` or `compute`.
    pub service_type: String,
    /// The major API version wanted from the service, such as 2 for `image`.
    pub api_version: u32,
    /// The region whose endpoint to use. `None` uses the token's default
    /// region (Rackspace's `RAX-AUTH:defaultRegion`) when it has one, else
    /// the first matching endpoint in catalog order.
    pub region_name: Option<String>,
    /// Which of the service's catalog endpoints to use.
    pub interface: Interface,
    /// The service's URL, used instead of the catalog; `None` to look the
    /// service up in the catalog. Versioned or not, like a catalog URL.
    pub endpoint_override: Option<String>,
}

impl SessionConfig {
    /// The image service (v2) of `cloud`.
    pub fn image(cloud: &CloudConfig) -> SessionConfig {
        SessionConfig::service(cloud, "image", 2)
    }

    /// Major version `api_version` of the service of type `service_type`
    /// (such as `compute`, 2) of `cloud`, honouring its
    /// `<service type>_endpoint_override`.
    pub fn service(cloud: &CloudConfig, service_type: &str, api_version: u32) -> SessionConfig {
        SessionConfig {
            auth_url: cloud.auth_url.clone(),
            credentials: cloud.credentials.clone(),
            service_type: service_type.to_owned(),
            api_version,
            region_name: cloud.region_name.clone(),
            interface: cloud.interface,
            endpoint_override: cloud.endpoint_override(service_type).map(str::to_owned),
        }
    }
}

/// What to do next.
// A `Step` lives only between `poll` and the driver's `match`, so the
// size of a request is not worth a box.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Step {
    /// Send the service request with this token.
    Ready(Authorized),
    /// Send this request first and hand its response to [`Session::accept`].
    Send(LoginRequest),
}

/// A token, ready to use, and the service's root URL (such as
/// `http://glance:9292/v2`). `Debug` redacts the token.
#[derive(Debug, Clone)]
pub struct Authorized {
    token: Secret,
    service_root: String,
    generation: u64,
}

impl Authorized {
    /// The token, for a driver that sets the header itself; see
    /// [`Authorized::authorize`].
    pub fn token(&self) -> &Secret {
        &self.token
    }

    /// The root of the service's API version, without a trailing `/`, such
    /// as `http://glance:9292/v2`: request paths go after it.
    pub fn service_root(&self) -> &str {
        &self.service_root
    }

    /// Sets `X-Auth-Token` on `request`, marked sensitive so that `http`'s
    /// own `Debug` hides it too.
    pub fn authorize<B>(&self, request: &mut Request<B>) -> Result<(), Error> {
        let mut value = HeaderValue::from_str(self.token.expose()).map_err(|_| {
            Error::InvalidRequest("the token is not a valid header value".to_owned())
        })?;
        value.set_sensitive(true);
        request.headers_mut().insert("x-auth-token", value);
        Ok(())
    }
}

/// A request the session needs sent. `Debug` shows only the method and URL:
/// the body of a token request holds the credentials.
pub struct LoginRequest {
    request: Request<Vec<u8>>,
    pending: Pending,
}

impl LoginRequest {
    /// The request to send, to look at before [`LoginRequest::into_parts`].
    pub fn request(&self) -> &Request<Vec<u8>> {
        &self.request
    }

    /// The request to send, and what to hand back with its response.
    pub fn into_parts(self) -> (Request<Vec<u8>>, Pending) {
        (self.request, self.pending)
    }
}

impl fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "LoginRequest({} {})",
            self.request.method(),
            self.request.uri()
        )
    }
}

/// What the session waits for: the answer to one [`LoginRequest`].
#[derive(Debug)]
pub struct Pending {
    url: String,
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    IdentityVersions(Decoder<Versions>),
    Token(Decoder<Token>),
    ServiceVersions(Decoder<Versions>),
}

impl Pending {
    /// The error for a request that got no answer at all.
    pub fn unreachable(
        self,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Error {
        Error::Auth(AuthError::Unreachable {
            url: self.url,
            source: source.into(),
        })
    }
}

#[derive(Default)]
struct State {
    /// The versioned identity URL, once known.
    identity_url: Option<String>,
    token: Option<Token>,
    /// Bumped with every new token, so that a 401 for an old token does
    /// not throw away a newer one.
    generation: u64,
    /// The service's versioned root, found once and kept.
    service_root: Option<String>,
    /// A token just obtained is used at least once even when it is already
    /// inside the renewal margin (a short-lived token, or clocks that
    /// disagree): renewing it at once would log in forever.
    unused_new_token: bool,
}

struct Shared {
    config: SessionConfig,
    state: Mutex<State>,
    logins: AtomicU64,
}

/// The shared token store and login state machine; see the module docs.
#[derive(Clone)]
pub struct Session {
    shared: Arc<Shared>,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("config", &self.shared.config)
            .field("logins", &self.logins())
            .finish_non_exhaustive()
    }
}

impl Session {
    /// A session with no token yet: the first [`Session::poll`] starts the
    /// login.
    pub fn new(config: SessionConfig) -> Session {
        Session {
            shared: Arc::new(Shared {
                config,
                state: Mutex::new(State::default()),
                logins: AtomicU64::new(0),
            }),
        }
    }

    /// What the session was made with.
    pub fn config(&self) -> &SessionConfig {
        &self.shared.config
    }

    /// How many tokens this session obtained.
    pub fn logins(&self) -> u64 {
        self.shared.logins.load(Ordering::SeqCst)
    }

    /// How many times it logged in again after the first time, because the
    /// token was about to expire or a service refused it.
    pub fn reauthentications(&self) -> u64 {
        self.logins().saturating_sub(1)
    }

    /// The current token, if any (expired or not).
    pub fn token(&self) -> Option<Token> {
        self.state().token.clone()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere while holding the lock leaves a consistent
        // state: every update is a single assignment.
        self.shared
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// What to do at `now`.
    pub fn poll(&self, now: SystemTime) -> Result<Step, Error> {
        let config = &self.shared.config;
        let mut state = self.state();
        let usable = state.unused_new_token;
        let Some(token) = state
            .token
            .as_ref()
            .filter(|token| usable || fresh(token, now))
        else {
            return self.login_step(&mut state);
        };
        let token_secret = token.secret().clone();
        let service_root = match &state.service_root {
            Some(root) => root.clone(),
            None => {
                let url = match &config.endpoint_override {
                    Some(url) => url.clone(),
                    None => {
                        let region = config
                            .region_name
                            .as_deref()
                            .or(token.default_region.as_deref());
                        token
                            .catalog
                            .endpoint(&config.service_type, region, config.interface)
                            .map_err(|error| Error::Auth(AuthError::EndpointNotFound(error)))?
                            .url
                            .clone()
                    }
                };
                if !is_versioned(&url) {
                    let operation = versions_request(&url)?;
                    let (request, decoder) = operation.into_parts();
                    return Ok(Step::Send(LoginRequest {
                        request,
                        pending: Pending {
                            url,
                            kind: Kind::ServiceVersions(decoder),
                        },
                    }));
                }
                let root = url.trim_end_matches('/').to_owned();
                state.service_root = Some(root.clone());
                root
            }
        };
        state.unused_new_token = false;
        Ok(Step::Ready(Authorized {
            token: token_secret,
            service_root,
            generation: state.generation,
        }))
    }

    fn login_step(&self, state: &mut State) -> Result<Step, Error> {
        let config = &self.shared.config;
        let keystone = !matches!(config.credentials, Credentials::RackspaceApiKey { .. });
        let identity_url = match &state.identity_url {
            Some(url) => url.clone(),
            None if !keystone || is_versioned(&config.auth_url) => config.auth_url.clone(),
            None => {
                let (request, decoder) = versions_request(&config.auth_url)?.into_parts();
                return Ok(Step::Send(LoginRequest {
                    request,
                    pending: Pending {
                        url: config.auth_url.clone(),
                        kind: Kind::IdentityVersions(decoder),
                    },
                }));
            }
        };
        let (request, decoder) = token_request(&identity_url, &config.credentials)?.into_parts();
        Ok(Step::Send(LoginRequest {
            request,
            pending: Pending {
                url: identity_url,
                kind: Kind::Token(decoder),
            },
        }))
    }

    /// Takes the response to the request `pending` came with.
    pub fn accept<B: AsRef<[u8]>>(
        &self,
        pending: Pending,
        response: Response<B>,
        _now: SystemTime,
    ) -> Result<(), Error> {
        match pending.kind {
            Kind::IdentityVersions(decoder) => {
                let root = decoder.decode(response)?.root(&pending.url, 3)?;
                self.state().identity_url = Some(root);
            }
            Kind::Token(decoder) => {
                let token = decoder.decode(response)?;
                let mut state = self.state();
                state.token = Some(token);
                state.unused_new_token = true;
                state.generation += 1;
                self.shared.logins.fetch_add(1, Ordering::SeqCst);
            }
            Kind::ServiceVersions(decoder) => {
                let root = decoder
                    .decode(response)?
                    .root(&pending.url, self.shared.config.api_version)?;
                self.state().service_root = Some(root);
            }
        }
        Ok(())
    }

    /// The service refused `authorized`'s token (401): forget it, unless a
    /// newer one has come since, so that the next poll logs in again.
    pub fn unauthorized(&self, authorized: &Authorized) {
        let mut state = self.state();
        if state.generation == authorized.generation {
            state.token = None;
        }
    }
}

/// Whether `token` is still good at `now`, with the renewal margin.
fn fresh(token: &Token, now: SystemTime) -> bool {
    let Some(expires_at) = token.expires_at else {
        return true;
    };
    let lifetime = token
        .issued_at
        .and_then(|issued| expires_at.duration_since(issued).ok());
    let margin = match lifetime {
        Some(lifetime) if lifetime < RENEW_BEFORE * 2 => lifetime / 2,
        _ => RENEW_BEFORE,
    };
    expires_at
        .checked_sub(margin)
        .is_some_and(|renew_at| now < renew_at)
}
