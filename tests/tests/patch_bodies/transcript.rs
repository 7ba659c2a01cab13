//! Reads the recorded Glance exchanges (copies of the shared transcripts in
//! `fixtures/transcripts/`), so that the tests compare against what was
//! really sent and answered rather than against bodies typed by hand.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use serde_json::Value;

/// One recorded HTTP call, as in a `### [tag] ...` section.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub tag: String,
    pub method: String,
    pub path: String,
    pub content_type: Option<String>,
    pub request_body: String,
    pub status: u16,
    pub response_body: String,
}

impl Exchange {
    pub fn request_json(&self) -> Value {
        serde_json::from_str(&self.request_body)
            .unwrap_or_else(|e| panic!("[{}] request body is not JSON: {e}", self.tag))
    }

    pub fn response_json(&self) -> Value {
        serde_json::from_str(&self.response_body)
            .unwrap_or_else(|e| panic!("[{}] response body is not JSON: {e}", self.tag))
    }

    /// The image id in `/v2/images/{id}...`, if the call names one.
    pub fn image_id(&self) -> Option<&str> {
        let rest = self.path.strip_prefix("/v2/images/")?;
        Some(rest.split(['/', '?']).next().unwrap_or(rest))
    }
}

/// Every exchange of the given transcript files, in the order they were recorded.
pub struct Transcripts {
    exchanges: Vec<Exchange>,
}

impl Transcripts {
    pub fn load(files: &[&str]) -> Self {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/transcripts");
        let exchanges = files
            .iter()
            .flat_map(|file| {
                let text =
                    fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
                parse(&text)
            })
            .collect();
        Transcripts { exchanges }
    }

    pub fn all(&self) -> &[Exchange] {
        &self.exchanges
    }

    pub fn get(&self, tag: &str) -> &Exchange {
        self.exchanges
            .iter()
            .find(|e| e.tag == tag)
            .unwrap_or_else(|| panic!("no exchange [{tag}] in the transcripts"))
    }

    /// The image as the service last returned it before `tag` was sent: the
    /// latest successful response describing the image that `tag` patches.
    pub fn image_before(&self, tag: &str) -> Value {
        let target = self.get(tag);
        let id = target
            .image_id()
            .unwrap_or_else(|| panic!("[{tag}] names no image"));
        let mut latest: BTreeMap<&str, Value> = BTreeMap::new();
        for exchange in &self.exchanges {
            if exchange.tag == tag {
                break;
            }
            if !(200..300).contains(&exchange.status) {
                continue;
            }
            let Ok(body) = serde_json::from_str::<Value>(&exchange.response_body) else {
                continue;
            };
            if body.get("id").and_then(Value::as_str) == Some(id) && body.get("status").is_some() {
                latest.insert(id, body);
            }
        }
        latest
            .remove(id)
            .unwrap_or_else(|| panic!("[{tag}] no earlier state of image {id}"))
    }
}

fn parse(text: &str) -> Vec<Exchange> {
    let mut sections = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in text.lines() {
        if line.starts_with("### [") {
            sections.extend(current.take());
            current = Some(vec![line]);
        } else if let Some(section) = current.as_mut() {
            section.push(line);
        }
    }
    sections.extend(current);
    sections.iter().map(|lines| parse_section(lines)).collect()
}

fn parse_section(lines: &[&str]) -> Exchange {
    let title = lines[0];
    let tag = title["### [".len()..title.find(']').expect("closing bracket")].to_owned();
    let request_at = position(lines, |l| l == "--- request ---", &tag, "request marker");
    let response_at = position(
        lines,
        |l| l.starts_with("--- response"),
        &tag,
        "response marker",
    );
    let (method, path) = {
        let mut parts = lines[request_at + 1].split(' ');
        (
            parts.next().unwrap_or("").to_owned(),
            parts.next().unwrap_or("").to_owned(),
        )
    };
    let (request_headers, request_body) = head_and_body(&lines[request_at + 2..response_at]);
    let content_type = request_headers
        .iter()
        .find_map(|h| h.strip_prefix("Content-Type: "))
        .map(str::to_owned);
    let status_line = lines[response_at + 1];
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("[{tag}] bad status line {status_line:?}"));
    let end = lines
        .iter()
        .rposition(|l| l.starts_with("====="))
        .filter(|&i| i > response_at)
        .unwrap_or(lines.len());
    let (_, response_body) = head_and_body(&lines[response_at + 2..end]);
    Exchange {
        tag,
        method,
        path,
        content_type,
        request_body,
        status,
        response_body,
    }
}

fn position(lines: &[&str], test: impl Fn(&str) -> bool, tag: &str, what: &str) -> usize {
    lines
        .iter()
        .position(|l| test(l))
        .unwrap_or_else(|| panic!("[{tag}] no {what}"))
}

/// Splits header lines from the body at the first blank line.
fn head_and_body<'a>(lines: &[&'a str]) -> (Vec<&'a str>, String) {
    match lines.iter().position(|l| l.is_empty()) {
        Some(blank) => (
            lines[..blank].to_vec(),
            lines[blank + 1..].join("\n").trim().to_owned(),
        ),
        None => (lines.to_vec(), String::new()),
    }
}
