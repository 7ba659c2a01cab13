//! The one error type of the generator: every rejection names the file, the
//! JSON pointer of the offending place, and a reason a user can act on.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// The schema file, as the caller named it (for example `schemas/image.json`).
    pub file: String,
    /// RFC 6901 pointer into that file; empty for the whole document.
    pub pointer: String,
    /// What is wrong, and what to do about it.
    pub reason: String,
}

impl Error {
    pub fn new(file: &str, pointer: &str, reason: impl Into<String>) -> Self {
        Error {
            file: file.to_owned(),
            pointer: pointer.to_owned(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pointer = if self.pointer.is_empty() {
            "(root)"
        } else {
            &self.pointer
        };
        write!(f, "{}: at {}: {}", self.file, pointer, self.reason)
    }
}

impl std::error::Error for Error {}

/// Appends one reference token to a JSON pointer, escaping it as RFC 6901 asks.
pub fn child_pointer(pointer: &str, token: &str) -> String {
    let escaped = token.replace('~', "~0").replace('/', "~1");
    format!("{pointer}/{escaped}")
}
