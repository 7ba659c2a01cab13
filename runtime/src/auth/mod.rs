//! Logging in, sans-IO: the identity requests as `http` types, the decoders
//! of their answers, the service catalog, version discovery, and
//! [`Session`], the state machine that strings them together and keeps the
//! token fresh.
//!
//! - Keystone v3 ([`keystone`]): password (user by name and domain, or by
//!   id; project, domain or no scope), application credential (by id, or by
//!   name and user), and token rescoping.
//! - Rackspace Cloud Identity v2.0 ([`rackspace`]): API key.
//! - [`Catalog::endpoint`]: a service by type, region and interface.
//! - [`discovery`]: from an unversioned URL to the version's root.

mod catalog;
mod credentials;
pub mod discovery;
pub mod keystone;
pub mod rackspace;
mod session;
mod source;
mod time;

use std::fmt;
use std::time::SystemTime;

use http::{HeaderMap, Method, StatusCode};
use serde::Serialize;

pub use catalog::{Catalog, Endpoint, EndpointNotFound, Service};
pub use credentials::{
    ApplicationCredentialRef, Credentials, DomainRef, ProjectRef, SUPPORTED_AUTH_TYPES, Scope,
    UserRef,
};
pub use session::{Authorized, LoginRequest, Pending, Session, SessionConfig, Step};
pub use source::SessionTokens;

use crate::error::{ApiError, Error};
use crate::operation::{Decoder, Operation};
use crate::secret::Secret;

/// A token and what came with it. `Debug` redacts the token.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    value: Secret,
    /// When the token stops working; `None` when the service did not say.
    pub expires_at: Option<SystemTime>,
    /// When the identity service made the token (Keystone's `issued_at`);
    /// `None` for Rackspace, whose answer does not say, and whenever the
    /// field is absent. With `expires_at` it gives the token's lifetime,
    /// which sets how early the session renews it.
    pub issued_at: Option<SystemTime>,
    /// The id of the project (Rackspace: tenant) the token is scoped to;
    /// `None` for an unscoped or domain-scoped token.
    pub project_id: Option<String>,
    /// The id of the user the token belongs to; `None` when the answer does
    /// not carry it.
    pub user_id: Option<String>,
    /// Rackspace's `RAX-AUTH:defaultRegion`, used when no region is set.
    /// `None` for Keystone, which has no such field, and for a Rackspace
    /// user without one.
    pub default_region: Option<String>,
    /// The services the token may use; empty for an unscoped token.
    pub catalog: Catalog,
}

impl Token {
    /// The token, to send as `X-Auth-Token`.
    pub fn secret(&self) -> &Secret {
        &self.value
    }
}

/// The login request for `credentials`: Keystone v3 at `identity_url` (the
/// versioned root), or Rackspace's `POST {auth_url}/tokens`.
pub fn token_request(
    identity_url: &str,
    credentials: &Credentials,
) -> Result<Operation<Token>, Error> {
    match credentials {
        Credentials::RackspaceApiKey { username, api_key } => {
            rackspace::token_request(identity_url, username, api_key)
        }
        keystone_credentials => keystone::token_request(identity_url, keystone_credentials),
    }
}

/// Why a login failed. No variant ever holds a password, secret, API key
/// or token.
#[derive(Debug)]
#[non_exhaustive]
pub enum AuthError {
    /// The identity service refused: a wrong password, an unknown user or
    /// project, a wrong application-credential secret, a project where the
    /// user has no role. Keystone answers all of these with the same 401,
    /// "The request you have made requires authentication.", on purpose.
    Refused(ApiError),
    /// The identity service did not answer (connection refused, timeout,
    /// TLS failure).
    Unreachable {
        /// The URL the request went to: the identity service's (versioned
        /// or not) or, during version discovery, the service's.
        url: String,
        /// What the HTTP client reported, as the driver handed it to
        /// [`Pending::unreachable`].
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
    /// The answer was a success but cannot be used, such as a token
    /// response without `X-Subject-Token`. The string says what is wrong.
    InvalidResponse(String),
    /// Version discovery found no version this crate speaks.
    NoSuitableVersion {
        /// The unversioned URL whose version list was read.
        url: String,
        /// The major version wanted, such as `v2` (Glance) or `v3`
        /// (Keystone).
        wanted: String,
        /// Every version the list offered, as `id (status)`, such as
        /// `v1.0 (DEPRECATED)`; empty when it offered none.
        offered: Vec<String>,
    },
    /// The catalog has no endpoint for the service, region and interface.
    EndpointNotFound(Box<EndpointNotFound>),
}

impl AuthError {
    pub(crate) fn refused(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Error {
        let api_error = Error::from_response(status, headers, body)
            .api_error()
            .cloned()
            .unwrap_or_else(|| ApiError {
                status,
                message: status.to_string(),
                request_id: None,
            });
        Error::Auth(AuthError::Refused(api_error))
    }

    pub(crate) fn invalid(reason: &str) -> Error {
        Error::Auth(AuthError::InvalidResponse(reason.to_owned()))
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthError::Refused(error) => {
                write!(f, "the identity service refused the login: {error}")
            }
            AuthError::Unreachable { url, source } => write!(f, "cannot reach {url}: {source}"),
            AuthError::InvalidResponse(reason) => write!(f, "unusable login response: {reason}"),
            AuthError::NoSuitableVersion {
                url,
                wanted,
                offered,
            } => write!(
                f,
                "{url} offers no {wanted} API; it offers {}",
                if offered.is_empty() {
                    "none".to_owned()
                } else {
                    offered.join(", ")
                }
            ),
            AuthError::EndpointNotFound(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for AuthError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            AuthError::Unreachable { source, .. } => Some(source.as_ref()),
            AuthError::EndpointNotFound(error) => Some(error.as_ref()),
            _ => None,
        }
    }
}

/// A JSON `POST` or `GET` to an absolute URL.
fn json_request<T>(
    method: Method,
    url: &str,
    body: &impl Serialize,
    decoder: Decoder<T>,
) -> Result<Operation<T>, Error> {
    let bytes = serde_json::to_vec(body).map_err(|error| {
        Error::InvalidRequest(format!("login body cannot be written as JSON: {error}"))
    })?;
    let request = http::Request::builder()
        .method(method)
        .uri(url)
        .header(http::header::CONTENT_TYPE, "application/json")
        .header(http::header::ACCEPT, "application/json")
        .body(bytes)
        .map_err(|error| Error::InvalidRequest(format!("identity URL `{url}`: {error}")))?;
    let template = request.uri().path().to_owned();
    Ok(Operation::new(request, decoder, template))
}

fn parse_time(field: &str, text: Option<&str>) -> Result<Option<SystemTime>, Error> {
    text.map(|text| {
        time::parse(text).ok_or_else(|| Error::Decode {
            path: field.to_owned(),
            message: format!("`{text}` is not an ISO 8601 time"),
        })
    })
    .transpose()
}
