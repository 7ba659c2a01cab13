//! ureq's errors as this crate's typed ones.

use http::{Method, Uri};
use ureq::Timeout;

use crate::body::length_error_in;
use crate::error::Error;
use crate::transport::{TransportError, TransportErrorKind, io_kind_in};

/// The error for a failed exchange; `in_body` when the response head had
/// arrived and its body was being read.
pub(super) fn error(error: ureq::Error, method: &Method, uri: &Uri, in_body: bool) -> Error {
    let length = match &error {
        ureq::Error::Io(io) => length_error_in(io),
        other => length_error_in(other),
    };
    if let Some(length) = length {
        return Error::BodyLength(length);
    }
    let kind = match &error {
        ureq::Error::HostNotFound | ureq::Error::Timeout(Timeout::Resolve) => {
            TransportErrorKind::Dns
        }
        ureq::Error::Timeout(Timeout::Connect) => TransportErrorKind::Connect,
        ureq::Error::Timeout(_) | ureq::Error::BodyStalled => TransportErrorKind::Timeout,
        ureq::Error::Tls(_)
        | ureq::Error::Rustls(_)
        | ureq::Error::Pem(_)
        | ureq::Error::TlsRequired => TransportErrorKind::Tls,
        ureq::Error::Protocol(_) | ureq::Error::LargeResponseHeader(..) => {
            TransportErrorKind::Protocol
        }
        ureq::Error::ConnectionFailed => TransportErrorKind::Connect,
        ureq::Error::Io(io) => TransportErrorKind::from_io(io.kind()),
        other => match io_kind_in(other) {
            Some(kind) => TransportErrorKind::from_io(kind),
            None => TransportErrorKind::Other,
        },
    };
    let kind = match kind {
        TransportErrorKind::Reset if in_body => TransportErrorKind::ResetMidBody,
        kind => kind,
    };
    Error::Transport(TransportError::new(
        kind,
        method,
        uri,
        Some(Box::new(error)),
    ))
}
