//! reqwest's errors as this crate's typed ones.

use http::{Method, Uri};

use crate::error::Error;
use crate::transport::{TransportError, TransportErrorKind, io_kind_in};

/// The error for a failed exchange; `in_body` when the response head had
/// arrived and its body was being read.
pub(super) fn error(error: &reqwest::Error, method: &Method, uri: &Uri, in_body: bool) -> Error {
    let io = io_kind_in(error);
    // reqwest wraps hyper's and rustls' errors without naming them in its
    // API; their text is the only sign of DNS and TLS failures.
    let text = chain_text(error);
    let chain = text.to_ascii_lowercase();
    let kind = if error.is_timeout() {
        if error.is_connect() {
            TransportErrorKind::Connect
        } else {
            TransportErrorKind::Timeout
        }
    } else if error.is_connect() {
        match io {
            Some(std::io::ErrorKind::ConnectionRefused) => TransportErrorKind::ConnectRefused,
            _ if chain.contains("dns error") || chain.contains("failed to lookup") => {
                TransportErrorKind::Dns
            }
            _ if chain.contains("tls") || chain.contains("certificate") => TransportErrorKind::Tls,
            _ => TransportErrorKind::Connect,
        }
    } else if in_body || error.is_body() || error.is_decode() {
        TransportErrorKind::ResetMidBody
    } else {
        match io.map(TransportErrorKind::from_io) {
            Some(kind) if kind != TransportErrorKind::Other => kind,
            // hyper: "connection closed before message completed" and the like.
            _ => TransportErrorKind::Reset,
        }
    };
    let kind = match kind {
        TransportErrorKind::Reset if in_body => TransportErrorKind::ResetMidBody,
        kind => kind,
    };
    Error::Transport(TransportError::new(
        kind,
        method,
        uri,
        Some(Box::new(Chain(text))),
    ))
}

fn chain_text(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut current = error.source();
    while let Some(source) = current {
        text.push_str(": ");
        text.push_str(&source.to_string());
        current = source.source();
    }
    text
}

/// reqwest's error chain as text: `reqwest::Error` is not `Clone`, and the
/// typed kind above is what callers match on.
#[derive(Debug)]
struct Chain(String);

impl std::fmt::Display for Chain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Chain {}
