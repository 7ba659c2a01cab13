//! Turns a Glance error body into its plain message.
//!
//! Glance (through webob) answers an error in one of three forms, chosen by
//! the request's `Accept` header:
//! - JSON `{"message": "...", "code": "403 Forbidden", "title": "Forbidden"}`,
//!   where the message still holds `<br />` fragments;
//! - plain text starting with the status line, `403 Forbidden\n\nAttribute
//!   'id' is read-only.\n\n   `;
//! - HTML, `<html><head><title>403 Forbidden</title></head><body><h1>403
//!   Forbidden</h1>...</body></html>`, with the text HTML-escaped.

use http::StatusCode;

/// The message in `body`, with markup and the status line removed and
/// whitespace collapsed. Falls back to the reason phrase for an empty body.
pub(crate) fn clean(status: StatusCode, content_type: Option<&str>, body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let html = content_type.is_some_and(|value| value.to_ascii_lowercase().contains("html"))
        || looks_like_html_document(&text);
    let raw = json_message(&text).unwrap_or_else(|| text.into_owned());
    let mut message = collapse_whitespace(&strip_markup(&raw, html));
    if let Some(rest) = strip_status_line(&message, status) {
        message = rest;
    }
    if message.is_empty() {
        message = status
            .canonical_reason()
            .unwrap_or(status.as_str())
            .to_owned();
    }
    message
}

fn looks_like_html_document(text: &str) -> bool {
    let start = text.trim_start();
    let head: String = start
        .chars()
        .take(9)
        .collect::<String>()
        .to_ascii_lowercase();
    head.starts_with("<html") || head.starts_with("<!doctype")
}

/// The `message` of a JSON error body: Glance's flat form, or the form that
/// nests it one level down (`{"badRequest": {"message": ...}}`).
fn json_message(text: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(text.trim()).ok()?;
    let object = value.as_object()?;
    if let Some(message) = object.get("message").and_then(serde_json::Value::as_str) {
        return Some(message.to_owned());
    }
    let mut nested = object
        .values()
        .filter_map(|inner| inner.get("message")?.as_str());
    match (nested.next(), nested.next()) {
        (Some(message), None) => Some(message.to_owned()),
        _ => None,
    }
}

/// Elements whose text is not part of the message: the title and heading
/// repeat the status line.
const DROPPED_ELEMENTS: &[&str] = &["head", "title", "h1", "script", "style"];

/// Tags that are removed while their text is kept. A `<...>` that is not one
/// of these (such as a value quoted in a message) is left alone.
const KNOWN_TAGS: &[&str] = &[
    "html", "body", "br", "p", "div", "span", "pre", "hr", "b", "i", "em", "strong", "code", "a",
    "ul", "ol", "li", "h2", "h3", "h4", "h5", "h6",
];

fn strip_markup(text: &str, html: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let after = &rest[open..];
        if html && after.starts_with("<!") {
            // `<!DOCTYPE html>` or a comment.
            let end = if after.starts_with("<!--") {
                "-->"
            } else {
                ">"
            };
            rest = after.find(end).map_or("", |at| &after[at + end.len()..]);
            out.push(' ');
            continue;
        }
        let Some(tag) = parse_tag(after) else {
            out.push('<');
            rest = &after[1..];
            continue;
        };
        if !tag.closing && DROPPED_ELEMENTS.contains(&tag.name.as_str()) {
            rest = skip_element(&after[tag.length..], &tag.name);
        } else if DROPPED_ELEMENTS.contains(&tag.name.as_str())
            || KNOWN_TAGS.contains(&tag.name.as_str())
        {
            // Tags separate words; whitespace is collapsed afterwards.
            out.push(' ');
            rest = &after[tag.length..];
        } else {
            out.push('<');
            rest = &after[1..];
        }
    }
    out.push_str(rest);
    if html {
        decode_html_entities(&out)
    } else {
        out
    }
}

struct Tag {
    name: String,
    closing: bool,
    /// Bytes from `<` to `>` inclusive.
    length: usize,
}

/// Parses `<name ...>`, `</name>` or `<name/>` at the start of `text`.
fn parse_tag(text: &str) -> Option<Tag> {
    let end = text.find('>')?;
    let inner = &text[1..end];
    let (closing, inner) = match inner.strip_prefix('/') {
        Some(rest) => (true, rest),
        None => (false, inner),
    };
    let name: String = inner
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    let after_name = &inner[name.len()..];
    let well_formed =
        after_name.is_empty() || after_name.starts_with(|c: char| c.is_whitespace() || c == '/');
    if name.is_empty() || !well_formed {
        return None;
    }
    Some(Tag {
        name,
        closing,
        length: end + 1,
    })
}

/// The text after the closing tag of `name`, or nothing when it never closes.
fn skip_element<'a>(text: &'a str, name: &str) -> &'a str {
    let lower = text.to_ascii_lowercase();
    let closing = format!("</{name}");
    match lower.find(&closing) {
        Some(start) => match text[start..].find('>') {
            Some(end) => &text[start + end + 1..],
            None => "",
        },
        None => "",
    }
}

pub(crate) fn decode_html_entities(text: &str) -> String {
    const ENTITIES: &[(&str, &str)] = &[
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&quot;", "\""),
        ("&#34;", "\""),
        ("&#39;", "'"),
        ("&#x27;", "'"),
        ("&nbsp;", " "),
        // Last, so that `&amp;lt;` becomes `&lt;` and not `<`.
        ("&amp;", "&"),
    ];
    ENTITIES
        .iter()
        .fold(text.to_owned(), |acc, (entity, plain)| {
            acc.replace(entity, plain)
        })
}

fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Removes a leading `403 Forbidden`, which plain-text and HTML bodies repeat.
fn strip_status_line(message: &str, status: StatusCode) -> Option<String> {
    let reason = status.canonical_reason()?;
    let line = format!("{} {}", status.as_str(), reason);
    let rest = message.strip_prefix(&line)?;
    if rest.is_empty() || rest.starts_with(' ') {
        Some(rest.trim_start().to_owned())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_angle_brackets_are_kept() {
        let body = br#"{"message": "schema: '<x>' is not valid<br /><br />\n", "code": "400 Bad Request"}"#;
        assert_eq!(
            clean(StatusCode::BAD_REQUEST, Some("application/json"), body),
            "schema: '<x>' is not valid"
        );
    }

    #[test]
    fn unterminated_markup_never_panics() {
        for body in [
            "<",
            "<br",
            "</",
            "<h1>403",
            "<head><title>x",
            "a < b > c",
            "<é>",
            "<br/é",
        ] {
            let _ = clean(StatusCode::FORBIDDEN, Some("text/html"), body.as_bytes());
        }
        assert_eq!(
            clean(
                StatusCode::FORBIDDEN,
                Some("text/html"),
                b"<h1>403 Forbidden"
            ),
            "Forbidden"
        );
    }

    #[test]
    fn empty_body_falls_back_to_reason_phrase() {
        // HEAD gets 405 with an empty text/html body (recorded as h-19 in
        // tests/fixtures/transcripts/h_extras.txt).
        assert_eq!(
            clean(
                StatusCode::METHOD_NOT_ALLOWED,
                Some("text/html; charset=UTF-8"),
                b""
            ),
            "Method Not Allowed"
        );
    }

    #[test]
    fn invalid_utf8_is_replaced_not_refused() {
        let message = clean(StatusCode::BAD_REQUEST, None, b"bad \xff byte");
        assert_eq!(message, "bad \u{fffd} byte");
    }

    #[test]
    fn status_line_only_stripped_when_whole() {
        // "403 Forbiddenness" is not the status line followed by text.
        assert_eq!(
            clean(
                StatusCode::FORBIDDEN,
                Some("text/plain"),
                b"403 Forbiddenness"
            ),
            "403 Forbiddenness"
        );
    }
}
