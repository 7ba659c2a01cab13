//! Failures of the HTTP stack, named by kind so that callers can match on
//! them without downcasting, and with the one fact a retry decision needs:
//! whether the request may have reached the server.

use std::fmt;

/// What went wrong below HTTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The host name did not resolve.
    Dns,
    /// Nothing listens at the address (connection refused).
    ConnectRefused,
    /// Connecting failed some other way (unreachable network, connect timeout).
    Connect,
    /// The TLS handshake or a TLS record failed.
    Tls,
    /// A read or write waited longer than its timeout.
    Timeout,
    /// The connection was reset or closed before a response arrived.
    Reset,
    /// The connection was reset or closed while a response body was being read.
    ResetMidBody,
    /// The response was not valid HTTP.
    Protocol,
    /// Anything the HTTP stack reports that fits none of the above.
    Other,
}

impl TransportErrorKind {
    /// Whether a request that failed this way may have reached the server.
    /// Only failures while connecting prove that it did not.
    pub fn may_have_reached_server(self) -> bool {
        !matches!(
            self,
            TransportErrorKind::Dns
                | TransportErrorKind::ConnectRefused
                | TransportErrorKind::Connect
        )
    }

    /// Classifies an I/O error by its kind.
    pub fn from_io(kind: std::io::ErrorKind) -> TransportErrorKind {
        use std::io::ErrorKind as K;
        match kind {
            K::ConnectionRefused => TransportErrorKind::ConnectRefused,
            K::TimedOut | K::WouldBlock => TransportErrorKind::Timeout,
            K::ConnectionReset
            | K::ConnectionAborted
            | K::BrokenPipe
            | K::UnexpectedEof
            | K::NotConnected => TransportErrorKind::Reset,
            K::AddrNotAvailable | K::HostUnreachable | K::NetworkUnreachable => {
                TransportErrorKind::Connect
            }
            K::InvalidData => TransportErrorKind::Protocol,
            _ => TransportErrorKind::Other,
        }
    }
}

impl fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportErrorKind::Dns => "name resolution failed",
            TransportErrorKind::ConnectRefused => "connection refused",
            TransportErrorKind::Connect => "could not connect",
            TransportErrorKind::Tls => "TLS failed",
            TransportErrorKind::Timeout => "timed out",
            TransportErrorKind::Reset => "connection closed before a response",
            TransportErrorKind::ResetMidBody => {
                "connection closed in the middle of the response body"
            }
            TransportErrorKind::Protocol => "invalid HTTP response",
            TransportErrorKind::Other => "transport failed",
        })
    }
}

/// A failure of the HTTP stack for one request.
#[derive(Debug)]
pub struct TransportError {
    kind: TransportErrorKind,
    method: http::Method,
    url: String,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl TransportError {
    /// A failure of `method url` (the URL without its query, which may carry
    /// filters but never credentials).
    pub fn new(
        kind: TransportErrorKind,
        method: &http::Method,
        url: &http::Uri,
        source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> TransportError {
        TransportError {
            kind,
            method: method.clone(),
            url: url.to_string(),
            source,
        }
    }

    /// Which kind of failure this was.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// The request's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The request's method.
    pub fn method(&self) -> &http::Method {
        &self.method
    }

    /// Whether the server may have received (and acted on) the request. A
    /// `POST` that failed with `true` here may have created what it asked
    /// for: look before sending it again.
    pub fn may_have_reached_server(&self) -> bool {
        self.kind.may_have_reached_server()
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.method, self.url, self.kind)?;
        if let Some(source) = &self.source {
            write!(f, " ({source})")?;
        }
        if self.may_have_reached_server() {
            f.write_str("; the request may have reached the server")
        } else {
            f.write_str("; the request did not reach the server")
        }
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|source| source as &(dyn std::error::Error + 'static))
    }
}

/// Walks an error's sources for an I/O error, the most telling cause most
/// HTTP stacks wrap.
pub(crate) fn io_kind_in(error: &(dyn std::error::Error + 'static)) -> Option<std::io::ErrorKind> {
    let mut current = Some(error);
    while let Some(error) = current {
        if let Some(io) = error.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        current = error.source();
    }
    None
}
