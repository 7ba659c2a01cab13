//! The one error type of this crate: Glance's refusals by status code, bodies
//! that do not match the schema, requests refused before sending, and
//! failures of the HTTP stack.

use std::fmt;
use std::time::Duration;

use cloud_images::PatchError;
use http::{HeaderMap, StatusCode};

use crate::body::BodyLengthError;
use crate::integrity::IntegrityError;
use crate::message;
use crate::transport::TransportError;

/// What Glance said when it refused a request: the status, and its message
/// with the markup Glance wraps it in removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The response status.
    pub status: StatusCode,
    /// Glance's message, without `<br />`, HTML wrappers or the status line
    /// that plain-text and HTML error bodies start with. When the body had no
    /// message (for example the empty body of a 405 to `HEAD`), this is the
    /// status's reason phrase.
    pub message: String,
    /// The `x-openstack-request-id` response header, for matching server logs.
    pub request_id: Option<String>,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.status, self.message)
    }
}

/// Everything that can go wrong with an operation.
///
/// The first ten variants follow the status codes Glance answers with (see
/// `runtime/docs/glance-behaviour.md`, "Errors"); each carries the cleaned
/// message.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// 400: a bad value, operation, filter or sort parameter.
    BadRequest(ApiError),
    /// 401: no or invalid credentials.
    Unauthorized(ApiError),
    /// 403: read-only or reserved property, a policy refusal, a protected image.
    Forbidden(ApiError),
    /// 404: the image, member or task is unknown or not visible.
    NotFound(ApiError),
    /// 405: the resource does not support the method.
    MethodNotAllowed(ApiError),
    /// 409: a duplicate, a missing property, or a status transition refused.
    Conflict(ApiError),
    /// 413: over a quota (tags, properties, members, storage).
    PayloadTooLarge(ApiError),
    /// 415: the media type was refused. For `PATCH`, Glance lists the media
    /// types it accepts in the `Accept-Patch` header, kept here as sent.
    UnsupportedMediaType {
        /// The status and Glance's message.
        error: ApiError,
        /// The `Accept-Patch` header, such as
        /// `application/openstack-images-v2.0-json-patch, application/openstack-images-v2.1-json-patch`.
        accept_patch: Option<String>,
    },
    /// 5xx.
    ServerError(ApiError),
    /// Any other status that is not a success.
    Other(ApiError),
    /// The base URL is not the root of a Glance v2 API. Glance answers a
    /// path that does not start with a version it serves (a wrong prefix,
    /// a missing `/image`) with `300 Multiple Choices` and its version
    /// document, which lists where each API version lives. The message
    /// names the v2 URL the document points to, when it has one.
    NotV2Root(VersionChoices),
    /// A success response whose body does not match the schema. `path` names
    /// the JSON path of the offending value, such as `images[0].min_ram`
    /// (`.` for the document itself).
    Decode {
        /// Where in the body: a JSON path such as `images[0].min_ram`, or `.`.
        path: String,
        /// What did not match, in serde's words.
        message: String,
    },
    /// The request was refused before anything was sent: an invalid base URL
    /// or header, or a value Glance is known to refuse.
    InvalidRequest(String),
    /// A generated body (such as [`cloud_images::ImageCreate`]) breaks the
    /// schema or a rule Glance is known to enforce; nothing was sent. Each
    /// violation names the property and the rule.
    InvalidBody(PatchError),
    /// The HTTP stack failed: which way, for which URL, and whether the
    /// request may have reached the server.
    Transport(TransportError),
    /// A streamed request body did not have the length the call stated;
    /// the request was cut off, so the server stored nothing.
    BodyLength(BodyLengthError),
    /// The caller's reader or writer failed while image data streamed.
    Io(std::io::Error),
    /// Image data did not match the size or a digest in its image record.
    Integrity(IntegrityError),
    /// An image reached a status it will not leave, other than the one
    /// waited for (`killed`, `deleted`).
    UnwantedState {
        /// The image.
        id: String,
        /// The status waited for.
        wanted: String,
        /// The status reached.
        reached: String,
    },
    /// A task waited for ended in `failure`.
    TaskFailed {
        /// The task.
        id: String,
        /// Glance's message for the failure.
        message: String,
    },
    /// A wait for a status ran out of time.
    WaitTimeout {
        /// The image or task.
        id: String,
        /// The status waited for.
        wanted: String,
        /// The last status seen.
        last: String,
        /// How long was waited.
        waited: Duration,
    },
    /// The configuration (`clouds.yaml`, `OS_*` variables) cannot be used.
    Config(crate::config::ConfigError),
    /// Logging in failed: refused credentials, an identity service that
    /// does not answer, or a catalog without the service.
    Auth(crate::auth::AuthError),
    /// The Compute API no longer serves this call at the microversion asked
    /// for: Nova answers every image route with 404 from 2.36 on, and the
    /// image metadata routes from 2.39 on. Raised before sending when the
    /// client was asked for such a version, and for a 404 whose response
    /// says it was served at one.
    ComputeMicroversion {
        /// The call, such as `GET /images/detail`.
        operation: &'static str,
        /// The microversion asked for (or that Nova says it served).
        requested: String,
        /// The last microversion that serves the call.
        last: &'static str,
    },
}

impl Error {
    /// Builds the error for a response whose status is not a success.
    pub fn from_response(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Error {
        if status == StatusCode::MULTIPLE_CHOICES {
            if let Some(choices) = VersionChoices::parse(body) {
                return Error::NotV2Root(choices);
            }
        }
        let content_type = header_str(headers, http::header::CONTENT_TYPE);
        Error::from_message(status, headers, message::clean(status, content_type, body))
    }

    /// Builds the error for a Compute API (Nova) response: Nova nests the
    /// message one level down (`{"itemNotFound": {"code": 404, "message":
    /// "..."}}`), and messages it relays from Glance keep Glance's HTML
    /// escapes (`&quot;updated_at&quot;`), which are undone here.
    pub fn from_nova_response(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Error {
        let content_type = header_str(headers, http::header::CONTENT_TYPE);
        let cleaned = message::clean(status, content_type, body);
        Error::from_message(status, headers, message::decode_html_entities(&cleaned))
    }

    fn from_message(status: StatusCode, headers: &HeaderMap, message: String) -> Error {
        let error = ApiError {
            status,
            message,
            request_id: header_str(headers, "x-openstack-request-id").map(str::to_owned),
        };
        match status.as_u16() {
            400 => Error::BadRequest(error),
            401 => Error::Unauthorized(error),
            403 => Error::Forbidden(error),
            404 => Error::NotFound(error),
            405 => Error::MethodNotAllowed(error),
            409 => Error::Conflict(error),
            413 => Error::PayloadTooLarge(error),
            415 => Error::UnsupportedMediaType {
                error,
                accept_patch: header_str(headers, "accept-patch").map(str::to_owned),
            },
            500..=599 => Error::ServerError(error),
            _ => Error::Other(error),
        }
    }

    /// Glance's refusal, for the variants that carry one.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::BadRequest(error)
            | Error::Unauthorized(error)
            | Error::Forbidden(error)
            | Error::NotFound(error)
            | Error::MethodNotAllowed(error)
            | Error::Conflict(error)
            | Error::PayloadTooLarge(error)
            | Error::UnsupportedMediaType { error, .. }
            | Error::ServerError(error)
            | Error::Other(error) => Some(error),
            Error::NotV2Root(_)
            | Error::Decode { .. }
            | Error::InvalidRequest(_)
            | Error::InvalidBody(_)
            | Error::Transport(_)
            | Error::Config(_)
            | Error::Auth(_)
            | Error::ComputeMicroversion { .. }
            | Error::BodyLength(_)
            | Error::Io(_)
            | Error::Integrity(_)
            | Error::UnwantedState { .. }
            | Error::TaskFailed { .. }
            | Error::WaitTimeout { .. } => None,
        }
    }

    /// The response status, when the service answered with an error.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::NotV2Root(_) => Some(StatusCode::MULTIPLE_CHOICES),
            other => other.api_error().map(|error| error.status),
        }
    }

    /// Glance's cleaned message, when the service answered with an error.
    pub fn message(&self) -> Option<&str> {
        self.api_error().map(|error| error.message.as_str())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Decode { path, message } => {
                write!(
                    f,
                    "response does not match the schema at `{path}`: {message}"
                )
            }
            Error::InvalidRequest(reason) => write!(f, "request refused before sending: {reason}"),
            Error::InvalidBody(error) => {
                // `PatchError`'s own text says "invalid patch", which a
                // create body is not; its violations say what is wrong.
                f.write_str("request refused before sending: ")?;
                for (index, violation) in error.violations().iter().enumerate() {
                    if index > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{violation}")?;
                }
                Ok(())
            }
            Error::Transport(error) => write!(f, "transport error: {error}"),
            Error::BodyLength(error) => write!(f, "request body cut off: {error}"),
            Error::Io(error) => write!(f, "reading or writing image data failed: {error}"),
            Error::Integrity(error) => error.fmt(f),
            Error::UnwantedState {
                id,
                wanted,
                reached,
            } => {
                write!(
                    f,
                    "image {id} reached `{reached}` while waiting for `{wanted}`"
                )
            }
            Error::TaskFailed { id, message } => write!(f, "task {id} failed: {message}"),
            Error::WaitTimeout {
                id,
                wanted,
                last,
                waited,
            } => write!(
                f,
                "{id} did not reach `{wanted}` within {:.1} s (last seen `{last}`)",
                waited.as_secs_f64()
            ),
            Error::Config(error) => write!(f, "configuration: {error}"),
            Error::Auth(error) => write!(f, "login: {error}"),
            Error::ComputeMicroversion {
                operation,
                requested,
                last,
            } => write!(
                f,
                "the Compute API serves `{operation}` only up to microversion {last}, not at {requested}: \
                 ask for {last} or lower, or use the Image API"
            ),
            Error::NotV2Root(choices) => choices.fmt(f),
            Error::UnsupportedMediaType {
                error,
                accept_patch: Some(accepted),
            } => write!(f, "{error} (Accept-Patch: {accepted})"),
            other => match other.api_error() {
                Some(error) => error.fmt(f),
                None => f.write_str("unknown error"),
            },
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport(error) => Some(error),
            Error::BodyLength(error) => Some(error),
            Error::Io(error) => Some(error),
            Error::Integrity(error) => Some(error),
            Error::InvalidBody(error) => Some(error),
            Error::Config(error) => Some(error),
            Error::Auth(error) => Some(error),
            _ => None,
        }
    }
}

impl From<crate::config::ConfigError> for Error {
    fn from(error: crate::config::ConfigError) -> Error {
        Error::Config(error)
    }
}

/// The version document a Glance (or another OpenStack service) answers
/// with when the request's path is not under an API version it serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionChoices {
    /// Each version the document lists, in its order.
    pub versions: Vec<ApiVersion>,
}

/// One entry of a version document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiVersion {
    /// Such as `v2.18`.
    pub id: String,
    /// `CURRENT`, `SUPPORTED`, `DEPRECATED`, ...
    pub status: String,
    /// The `self` link: where this version's API lives, such as
    /// `http://glance.example:9292/v2/`.
    pub url: Option<String>,
}

impl VersionChoices {
    /// Reads Glance's form, `{"versions": [{"id", "status", "links"}]}`, and
    /// Keystone's, which nests the list in `{"versions": {"values": [...]}}`
    /// (so that pointing the base URL at Keystone says so too).
    fn parse(body: &[u8]) -> Option<VersionChoices> {
        let document: serde_json::Value = serde_json::from_slice(body).ok()?;
        let list = match &document["versions"] {
            serde_json::Value::Array(list) => list,
            serde_json::Value::Object(nested) => nested.get("values")?.as_array()?,
            _ => return None,
        };
        let versions: Vec<ApiVersion> = list
            .iter()
            .filter_map(|entry| {
                let url = entry["links"].as_array().and_then(|links| {
                    links
                        .iter()
                        .find(|link| link["rel"] == "self")
                        .and_then(|link| link["href"].as_str())
                        .map(str::to_owned)
                });
                Some(ApiVersion {
                    id: entry["id"].as_str()?.to_owned(),
                    status: entry["status"].as_str().unwrap_or_default().to_owned(),
                    url,
                })
            })
            .collect();
        (!versions.is_empty()).then_some(VersionChoices { versions })
    }

    /// Where the v2 API lives: the `self` link of the `CURRENT` v2 version,
    /// else of the first v2 version listed.
    pub fn v2_url(&self) -> Option<&str> {
        let mut v2 = self
            .versions
            .iter()
            .filter(|version| version.id == "v2" || version.id.starts_with("v2."))
            .filter(|version| version.url.is_some());
        let current = v2
            .clone()
            .find(|version| version.status.eq_ignore_ascii_case("CURRENT"));
        current
            .or_else(|| v2.next())
            .and_then(|version| version.url.as_deref())
    }
}

impl fmt::Display for VersionChoices {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "the base URL is not the root of a Glance v2 API: the service answered \
             300 Multiple Choices with its version document",
        )?;
        if let Some(url) = self.v2_url() {
            let base = url.trim_end_matches('/');
            let base = base.strip_suffix("/v2").unwrap_or(base);
            return write!(f, "; its v2 API is at {url} (use {base} as the base URL)");
        }
        f.write_str(", which lists no v2 API: ")?;
        for (index, version) in self.versions.iter().enumerate() {
            if index > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{} ({})", version.id, version.status)?;
            if let Some(url) = &version.url {
                write!(f, " at {url}")?;
            }
        }
        Ok(())
    }
}

/// A header's value, when it is present and visible ASCII.
pub(crate) fn header_str(
    headers: &HeaderMap,
    name: impl http::header::AsHeaderName,
) -> Option<&str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}
