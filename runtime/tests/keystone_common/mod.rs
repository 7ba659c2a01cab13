//! Reads the recorded exchanges in `tests/fixtures/keystone/` (one per
//! file: `>>> request`, `<<< response`, then an optional pretty-printed
//! copy of a JSON body that was not on the wire).
#![allow(dead_code)]

use std::path::Path;

pub struct Message {
    pub start_line: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Message {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

pub struct Exchange {
    pub request: Message,
    pub response: Message,
}

impl Exchange {
    pub fn status(&self) -> u16 {
        self.response
            .start_line
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap()
    }

    /// The response as `http` models it.
    pub fn http_response(&self) -> http::Response<Vec<u8>> {
        let mut builder = http::Response::builder().status(self.status());
        for (name, value) in &self.response.headers {
            builder = builder.header(name, value);
        }
        builder.body(self.response.body.clone()).unwrap()
    }
}

/// The exchange in the file whose name starts with `number` (such as `03`).
pub fn exchange(number: &str) -> Exchange {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keystone");
    let path = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| {
            path.file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| name.starts_with(&format!("{number}-")))
        })
        .unwrap_or_else(|| panic!("no transcript {number}"));
    let text = std::fs::read_to_string(&path).unwrap();
    let (_, rest) = text.split_once("\n>>> request\n").expect(">>> request");
    let (request, response) = rest.split_once("\n<<< response\n").expect("<<< response");
    Exchange {
        request: message(request),
        response: message(response),
    }
}

/// A start line, headers, a blank line and a body of `Content-Length`
/// bytes (none without it).
fn message(text: &str) -> Message {
    let (head, body) = text.split_once("\n\n").unwrap_or((text, ""));
    let mut lines = head.lines();
    let start_line = lines.next().unwrap().to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(": "))
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect();
    let length = headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
        .map_or(0, |(_, value)| value.parse::<usize>().unwrap());
    Message {
        start_line,
        headers,
        body: body.as_bytes()[..length].to_vec(),
    }
}
