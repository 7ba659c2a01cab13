//! Reads the recorded exchanges in the workspace's one copy of them,
//! `tests/fixtures/transcripts/` (next to the `runtime/` folder).
//!
//! A transcript section looks like:
//!
//! ```text
//! ### [a-01] create private image ...   (as A)
//! --- request ---
//! POST /v2/images HTTP/1.1
//! Header: value
//!
//! {"name": ...}
//! --- response (52.9 ms) ---
//! HTTP/1.1 201 Created
//! Header: value
//!
//! {...}
//!
//! ==========
//! ```
#![allow(dead_code)]

use std::path::Path;

pub struct Recorded {
    pub start_line: String,
    pub headers: Vec<(String, String)>,
    /// `None` for the `<N bytes of ... data>` placeholders; empty for `<empty>`.
    pub body: Option<Vec<u8>>,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    pub fn body(&self) -> &[u8] {
        self.body
            .as_deref()
            .expect("body recorded as a placeholder")
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(self.body()).expect("recorded body is JSON")
    }
}

pub struct Exchange {
    pub tag: String,
    pub request: Recorded,
    pub response: Recorded,
}

impl Exchange {
    pub fn method(&self) -> &str {
        self.request.start_line.split(' ').next().unwrap()
    }

    /// The request target, such as `/v2/images?limit=2`.
    pub fn target(&self) -> &str {
        self.request.start_line.split(' ').nth(1).unwrap()
    }

    pub fn status(&self) -> u16 {
        self.response
            .start_line
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap()
    }

    /// The response as the `http` crate models it.
    pub fn http_response(&self) -> http::Response<Vec<u8>> {
        let mut builder = http::Response::builder().status(self.status());
        for (name, value) in &self.response.headers {
            builder = builder.header(name, value);
        }
        builder.body(self.response.body().to_vec()).unwrap()
    }
}

const FILES: &[&str] = &[
    "a_create",
    "d_errors",
    "e_members",
    "f_upload",
    "g_list",
    "h_extras",
];

fn read(file: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/transcripts")
        .join(format!("{file}.txt"));
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// Every recorded exchange, in recording order.
pub fn all() -> Vec<Exchange> {
    FILES.iter().flat_map(|file| parse(&read(file))).collect()
}

/// The exchange recorded under `tag`, such as `a-01`.
pub fn exchange(tag: &str) -> Exchange {
    let file = FILES
        .iter()
        .find(|file| file.starts_with(&tag[..1]))
        .unwrap_or_else(|| panic!("no transcript for {tag}"));
    parse(&read(file))
        .into_iter()
        .find(|exchange| exchange.tag == tag)
        .unwrap_or_else(|| panic!("{tag} is not in {file}.txt"))
}

const SEPARATOR: &str =
    "\n==============================================================================\n";

fn parse(text: &str) -> Vec<Exchange> {
    text.split(SEPARATOR).filter_map(parse_section).collect()
}

fn parse_section(section: &str) -> Option<Exchange> {
    let rest = section.strip_prefix("### [")?;
    let (tag, rest) = rest.split_once(']')?;
    let (_, rest) = rest.split_once("\n--- request ---\n")?;
    let (request, response) = rest.split_once("\n--- response")?;
    let (_, response) = response.split_once(" ---\n")?;
    // A section ends with the body and one blank line before the separator.
    let response = response
        .strip_suffix("\n\n")
        .or_else(|| response.strip_suffix('\n'))
        .unwrap_or(response);
    let exchange = Exchange {
        tag: tag.to_owned(),
        request: parse_message(request),
        response: parse_message(response),
    };
    // The recorder pretty-printed JSON response bodies, so only the others
    // keep the length the server announced.
    let response_is_json = exchange
        .response
        .header("content-type")
        .is_some_and(|value| value.starts_with("application/json"));
    let verbatim = if response_is_json {
        vec![&exchange.request]
    } else {
        vec![&exchange.request, &exchange.response]
    };
    for message in verbatim {
        if let (Some(length), Some(body)) = (message.header("content-length"), &message.body) {
            assert_eq!(
                length.parse::<usize>().unwrap(),
                body.len(),
                "{tag}: transcript parsed wrongly"
            );
        }
    }
    Some(exchange)
}

fn parse_message(text: &str) -> Recorded {
    let (head, body) = text.split_once("\n\n").unwrap_or((text, ""));
    let mut lines = head.lines();
    let start_line = lines.next().unwrap_or_default().to_owned();
    let headers = lines
        .filter_map(|line| line.split_once(": "))
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect();
    let body = if body == "<empty>" {
        Some(Vec::new())
    } else if body.starts_with('<') && body.ends_with(" data>") && body.contains(" bytes of ") {
        None
    } else {
        Some(body.as_bytes().to_vec())
    };
    Recorded {
        start_line,
        headers,
        body,
    }
}
