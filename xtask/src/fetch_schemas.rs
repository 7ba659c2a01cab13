//! `cargo xtask fetch-schemas --url <glance endpoint> [--token T]
//! [--header 'Name: value']... [--out DIR]`
//!
//! Downloads the six schemas Glance serves under `/v2/schemas/` and writes
//! them to `schemas/` (or `--out`).
//!
//! **The files are the served bytes, verbatim.** Glance builds each schema
//! from Python dicts, which keep insertion order, filled from its code and
//! from `schema-image.json` in file order, and serialises them with
//! `json.dumps` without sorting; no set is involved anywhere on that path
//! (glance 33.0.0: `glance/schema.py`, `glance/api/v2/{images,
//! image_members,tasks,schemas}.py`). So one server version with one
//! configuration always sends the same bytes, and re-fetching changes no
//! byte. Keeping them verbatim means `schemas/` stays exactly what the
//! service says, comparable with `cmp` against any capture; normalising
//! would rewrite every checked-in file for no gain, since the generator does
//! not depend on key order. That premise is checked on every run rather than
//! trusted: each schema is fetched twice, and differing bytes are an error
//! instead of a noisy diff.
//!
//! Plain `http://` only, through the small HTTP/1.1 client below: the
//! server this is meant for is Glance on loopback, and xtask needs no TLS
//! stack for that.

use std::fs;
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::time::Duration;

use cloud_images_codegen::SchemaSource;

use crate::project_root;

const USAGE: &str = "usage: cargo xtask fetch-schemas --url <glance endpoint> [--token T] [--header 'Name: value']... [--out DIR]";

/// The schemas Glance serves under `/v2/schemas/`, each named as its file.
pub const SCHEMAS: [&str; 6] = ["image", "images", "member", "members", "task", "tasks"];

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const IO_TIMEOUT: Duration = Duration::from_secs(30);
/// Far above any schema (the largest is under 6 KiB); a bound on memory.
const MAX_RESPONSE: u64 = 8 * 1024 * 1024;
const EXCERPT: usize = 400;

struct Args {
    url: String,
    headers: Vec<(String, String)>,
    out: PathBuf,
}

fn parse_args(args: &[String]) -> Result<Args, String> {
    let mut url = None;
    let mut headers = Vec::new();
    let mut out = project_root().join("schemas");
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let mut value = || {
            rest.next()
                .ok_or_else(|| format!("`{arg}` needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "--url" => url = Some(value()?.clone()),
            "--token" => headers.push(("X-Auth-Token".to_owned(), value()?.clone())),
            "--header" => headers.push(parse_header(value()?)?),
            "--out" => out = PathBuf::from(value()?),
            other => {
                return Err(format!(
                    "fetch-schemas: unknown argument `{other}`\n{USAGE}"
                ));
            }
        }
    }
    let url = url.ok_or_else(|| format!("fetch-schemas needs `--url`\n{USAGE}"))?;
    Ok(Args { url, headers, out })
}

fn parse_header(text: &str) -> Result<(String, String), String> {
    let (name, value) = text
        .split_once(':')
        .ok_or_else(|| format!("`--header {text}`: expected `Name: value`"))?;
    let (name, value) = (name.trim(), value.trim());
    let token_char = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if name.is_empty() || !name.chars().all(token_char) {
        return Err(format!(
            "`--header {text}`: `{name}` is not a valid header name"
        ));
    }
    if value.contains(['\r', '\n']) {
        return Err(format!(
            "`--header {name}`: the value may not contain line breaks"
        ));
    }
    Ok((name.to_owned(), value.to_owned()))
}

pub fn run(args: &[String]) -> Result<(), String> {
    let args = parse_args(args)?;
    let endpoint = Endpoint::parse(&args.url)?;
    // Everything is fetched and checked before anything is written, so a
    // failure leaves the directory as it was.
    let mut fetched = Vec::new();
    for name in SCHEMAS {
        let body = fetch_schema(&endpoint, name, &args.headers)?;
        let again = fetch_schema(&endpoint, name, &args.headers)?;
        if again != body {
            return Err(format!(
                "{}: two fetches returned different bytes; this command keeps the served bytes \
                 verbatim and relies on them being stable (see xtask/src/fetch_schemas.rs)",
                endpoint.url(name)
            ));
        }
        fetched.push((name, body));
    }
    fs::create_dir_all(&args.out)
        .map_err(|e| format!("cannot create {}: {e}", args.out.display()))?;
    for (name, body) in fetched {
        let path = args.out.join(format!("{name}.json"));
        if fs::read(&path).is_ok_and(|old| old == body.as_bytes()) {
            println!("unchanged {}", path.display());
        } else {
            write_replacing(&path, body.as_bytes())?;
            println!("wrote {}", path.display());
        }
    }
    Ok(())
}

/// GETs one schema and checks that it is one: a JSON object with a `name`
/// equal to the one asked for and an object of `properties`.
fn fetch_schema(
    endpoint: &Endpoint,
    name: &str,
    headers: &[(String, String)],
) -> Result<String, String> {
    let url = endpoint.url(name);
    let response = endpoint
        .get(&endpoint.path(name), headers)
        .map_err(|e| format!("GET {url}: {e}"))?;
    if response.status != 200 {
        return Err(format!(
            "GET {url} answered {} {}: {}",
            response.status,
            response.reason,
            excerpt(&String::from_utf8_lossy(&response.body))
        ));
    }
    let body = String::from_utf8(response.body)
        .map_err(|_| format!("GET {url}: the body is not UTF-8"))?;
    let not_a_schema = |why: String| format!("GET {url}: not a schema ({why}): {}", excerpt(&body));
    let schema = cloud_images_codegen::load::load(&SchemaSource::new(url.clone(), body.clone()))
        .map_err(|e| not_a_schema(e.reason))?;
    match schema.get("name").and_then(|n| n.as_str()) {
        Some(served) if served == name => {}
        Some(other) => {
            return Err(not_a_schema(format!(
                "its `name` is `{other}`, expected `{name}`"
            )));
        }
        None => return Err(not_a_schema("no string `name`".to_owned())),
    }
    if !schema.get("properties").is_some_and(|p| p.is_object()) {
        return Err(not_a_schema("no `properties` object".to_owned()));
    }
    Ok(body)
}

fn excerpt(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(EXCERPT) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None if text.is_empty() => "(empty body)".to_owned(),
        None => text.to_owned(),
    }
}

/// Writes through a temporary file and a rename, so that a reader never
/// sees half a file, and checked-in files marked read-only are replaced too.
fn write_replacing(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let temp = path.with_file_name(format!(".{file_name}.fetching"));
    fs::write(&temp, bytes).map_err(|e| format!("cannot write {}: {e}", temp.display()))?;
    fs::rename(&temp, path).map_err(|e| {
        let _ = fs::remove_file(&temp);
        format!("cannot replace {}: {e}", path.display())
    })
}

/// An `http://host[:port][/prefix]` endpoint.
#[derive(Debug)]
struct Endpoint {
    host: String,
    port: u16,
    /// Host and port as given, for the `Host` header and messages.
    authority: String,
    /// Path before `/v2`, without a trailing slash.
    prefix: String,
}

impl Endpoint {
    fn parse(url: &str) -> Result<Endpoint, String> {
        let Some(rest) = url.strip_prefix("http://") else {
            return Err(if url.starts_with("https://") {
                format!(
                    "`{url}`: https is not supported; this command speaks plain HTTP to a Glance on loopback"
                )
            } else {
                format!("`{url}`: expected an URL such as http://127.0.0.1:9292")
            });
        };
        let (authority, path) = rest.split_at(rest.find(['/', '?', '#']).unwrap_or(rest.len()));
        if path.contains(['?', '#']) {
            return Err(format!("`{url}`: a query or fragment has no meaning here"));
        }
        if authority.contains('@') {
            return Err(format!(
                "`{url}`: credentials in the URL are not supported; use --token or --header"
            ));
        }
        let (host, port) = split_host_port(authority)
            .ok_or_else(|| format!("`{url}`: cannot read host and port"))?;
        // Both the service root and its `/v2` root are accepted.
        let prefix = path.trim_end_matches('/');
        let prefix = prefix.strip_suffix("/v2").unwrap_or(prefix).to_owned();
        Ok(Endpoint {
            host,
            port,
            authority: authority.to_owned(),
            prefix,
        })
    }

    fn path(&self, schema: &str) -> String {
        format!("{}/v2/schemas/{schema}", self.prefix)
    }

    fn url(&self, schema: &str) -> String {
        format!("http://{}{}", self.authority, self.path(schema))
    }

    fn get(&self, path: &str, headers: &[(String, String)]) -> Result<Response, String> {
        let addresses: Vec<_> = (self.host.as_str(), self.port)
            .to_socket_addrs()
            .map_err(|e| format!("cannot resolve {}: {e}", self.host))?
            .collect();
        let mut last_error = format!("{} resolves to no address", self.host);
        let mut stream = None;
        for address in addresses {
            match TcpStream::connect_timeout(&address, CONNECT_TIMEOUT) {
                Ok(s) => {
                    stream = Some(s);
                    break;
                }
                Err(e) => last_error = format!("cannot connect to {address}: {e}"),
            }
        }
        let mut stream = stream.ok_or(last_error)?;
        let io = |e: std::io::Error| format!("connection to {} failed: {e}", self.authority);
        stream.set_read_timeout(Some(IO_TIMEOUT)).map_err(io)?;
        stream.set_write_timeout(Some(IO_TIMEOUT)).map_err(io)?;

        let mut request = format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nAccept: application/json\r\nUser-Agent: cloud-images-xtask\r\nConnection: close\r\n",
            self.authority
        );
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("\r\n");
        stream.write_all(request.as_bytes()).map_err(io)?;

        let mut raw = Vec::new();
        stream
            .take(MAX_RESPONSE + 1)
            .read_to_end(&mut raw)
            .map_err(io)?;
        if raw.len() as u64 > MAX_RESPONSE {
            return Err(format!("the response is larger than {MAX_RESPONSE} bytes"));
        }
        Response::parse(&raw)
    }
}

fn split_host_port(authority: &str) -> Option<(String, u16)> {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        (host, after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let port = match port {
        Some(port) => port.parse().ok()?,
        None => 80,
    };
    (!host.is_empty()).then(|| (host.to_owned(), port))
}

#[derive(Debug)]
struct Response {
    status: u16,
    reason: String,
    body: Vec<u8>,
}

impl Response {
    /// A whole HTTP/1.1 response, read until the server closed the connection.
    fn parse(raw: &[u8]) -> Result<Response, String> {
        let end = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .ok_or("the server closed the connection before a complete response")?;
        let head = std::str::from_utf8(&raw[..end]).map_err(|_| "the response head is not text")?;
        let rest = &raw[end + 4..];
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap_or_default();
        let mut parts = status_line.splitn(3, ' ');
        let (version, code) = (
            parts.next().unwrap_or_default(),
            parts.next().unwrap_or_default(),
        );
        let status = code
            .parse::<u16>()
            .ok()
            .filter(|_| version.starts_with("HTTP/1."))
            .ok_or_else(|| format!("not an HTTP/1.x response: `{}`", excerpt(status_line)))?;
        let reason = parts.next().unwrap_or_default().to_owned();

        let header = |wanted: &str| {
            lines
                .clone()
                .filter_map(|line| line.split_once(':'))
                .find(|(name, _)| name.trim().eq_ignore_ascii_case(wanted))
                .map(|(_, value)| value.trim().to_owned())
        };
        let chunked =
            header("transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
        let body = if chunked {
            dechunk(rest)?
        } else if let Some(length) = header("content-length") {
            let length: usize = length
                .parse()
                .map_err(|_| format!("bad Content-Length `{length}`"))?;
            rest.get(..length)
                .ok_or_else(|| format!("the body ended after {} of {length} bytes", rest.len()))?
                .to_vec()
        } else {
            rest.to_vec()
        };
        Ok(Response {
            status,
            reason,
            body,
        })
    }
}

/// Decodes a `Transfer-Encoding: chunked` body (RFC 9112 section 7.1).
fn dechunk(mut rest: &[u8]) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    loop {
        let line_end = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("a chunked body ended without its last chunk")?;
        let line =
            std::str::from_utf8(&rest[..line_end]).map_err(|_| "a chunk size is not text")?;
        let size_text = line.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| format!("bad chunk size `{size_text}`"))?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Ok(body);
        }
        let chunk = rest
            .get(..size)
            .ok_or("a chunk is shorter than its size says")?;
        body.extend_from_slice(chunk);
        rest = rest
            .get(size..)
            .and_then(|r| r.strip_prefix(b"\r\n"))
            .ok_or("a chunk does not end with CRLF")?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_accept_the_service_root_and_its_v2_root() {
        let root = Endpoint::parse("http://127.0.0.1:19292").unwrap();
        let v2 = Endpoint::parse("http://127.0.0.1:19292/v2/").unwrap();
        assert_eq!((root.host.as_str(), root.port), ("127.0.0.1", 19292));
        assert_eq!(root.path("image"), "/v2/schemas/image");
        assert_eq!(v2.path("image"), "/v2/schemas/image");
        let v6 = Endpoint::parse("http://[::1]:9292/glance").unwrap();
        assert_eq!((v6.host.as_str(), v6.port), ("::1", 9292));
        assert_eq!(v6.url("tasks"), "http://[::1]:9292/glance/v2/schemas/tasks");
        assert!(
            Endpoint::parse("https://glance.example")
                .unwrap_err()
                .contains("https is not supported")
        );
        assert!(Endpoint::parse("http://user:pw@host").is_err());
    }

    #[test]
    fn responses_are_read_by_length_chunks_or_until_close() {
        let by_length =
            Response::parse(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n{}{}extra").unwrap();
        assert_eq!(
            (by_length.status, by_length.body.as_slice()),
            (200, &b"{}{}"[..])
        );
        let chunked = Response::parse(b"HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\n\r\n").unwrap();
        assert_eq!(
            (
                chunked.status,
                chunked.reason.as_str(),
                chunked.body.as_slice()
            ),
            (404, "Not Found", &b"abcde"[..])
        );
        let until_close = Response::parse(b"HTTP/1.0 200 OK\r\n\r\nbody").unwrap();
        assert_eq!(until_close.body, b"body");
        assert!(Response::parse(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nshort").is_err());
        assert!(
            Response::parse(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab")
                .is_err()
        );
        assert!(Response::parse(b"SSH-2.0-OpenSSH\r\n\r\n").is_err());
    }

    #[test]
    fn headers_must_be_one_name_and_one_line() {
        assert_eq!(
            parse_header("X-Roles: member,reader").unwrap(),
            ("X-Roles".to_owned(), "member,reader".to_owned())
        );
        assert!(parse_header("no colon").is_err());
        assert!(parse_header("Bad Name: x").is_err());
        assert!(parse_header("X-A: one\r\nX-B: two").is_err());
    }
}
