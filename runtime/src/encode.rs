//! Percent-encoding of path segments and query strings.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Characters left as they are in a query key or value: RFC 3986 unreserved
/// characters, plus `:` and `,`, which Glance's filter syntax uses
/// (`gte:2026-11-28T00:00:00Z`, `in:a,b`) and which need no escaping in a
/// query. Everything else, notably `&`, `=`, `+`, `#`, `%` and spaces, is
/// escaped, so a value always reaches Glance as written.
const QUERY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b':')
    .remove(b',');

/// Characters left as they are in one path segment: unreserved characters
/// only, so an id containing `/`, `?` or `#` stays one segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

pub(crate) fn segment(value: &str) -> String {
    // `.` and `..` as they are would be dot segments, which servers remove
    // from the path before routing (a real Glance answers 404).
    if value == "." || value == ".." {
        return value.replace('.', "%2E");
    }
    utf8_percent_encode(value, SEGMENT).to_string()
}

/// An `application/x-www-form-urlencoded`-compatible query string, built in
/// the order parameters are pushed.
#[derive(Debug, Default)]
pub(crate) struct Query {
    text: String,
}

impl Query {
    pub fn push(&mut self, key: &str, value: &str) {
        if !self.text.is_empty() {
            self.text.push('&');
        }
        self.text.extend(utf8_percent_encode(key, QUERY));
        self.text.push('=');
        self.text.extend(utf8_percent_encode(value, QUERY));
    }

    pub fn push_opt(&mut self, key: &str, value: Option<impl AsRef<str>>) {
        if let Some(value) = value {
            self.push(key, value.as_ref());
        }
    }

    pub fn into_string(self) -> String {
        self.text
    }
}
