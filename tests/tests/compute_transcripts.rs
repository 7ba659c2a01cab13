//! Every recorded exchange with a real nova-api 34 (`tests/fixtures/compute/`:
//! `nova/` from a lab without Keystone, `cloud-lab/` with real Keystone
//! tokens): the runtime rebuilds each request the way it was sent, and
//! decodes each response into the generated `cloud_images::compute` types
//! losslessly, or into the typed error Nova's body describes.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use cloud_images::compute::{
    ImageDetailPage, ImageIndexPage, ImageShow, Metadata, MetadataItem, MetadataUpdate, Status,
};
use cloud_images_runtime::Error;
use cloud_images_runtime::compute::{Api, ListQuery, Microversion};
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use serde_json::Value;

struct Exchange {
    file: String,
    method: String,
    path: String,
    query: Vec<(String, String)>,
    request_headers: HeaderMap,
    request_body: String,
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/compute")
}

/// The Nova exchanges (requests to `/v2.1/images...`), in file order.
fn exchanges() -> Vec<Exchange> {
    let mut all = Vec::new();
    for dir in ["nova", "cloud-lab"] {
        let mut paths: Vec<PathBuf> = fs::read_dir(fixtures().join(dir))
            .expect("the transcripts folder")
            .map(|e| e.expect("entry").path())
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().as_bytes()[0].is_ascii_digit())
            })
            .collect();
        paths.sort();
        for path in paths {
            let text = fs::read_to_string(&path).expect("a transcript");
            let file = format!("{dir}/{}", path.file_name().unwrap().to_string_lossy());
            if let Some(exchange) = parse(&file, &text) {
                all.push(exchange);
            }
        }
    }
    all
}

fn section<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    let start = text.find(&format!("=== {name} ===\n"))? + name.len() + 9;
    let rest = &text[start..];
    let end = rest.find("\n=== ").map_or(rest.len(), |i| i + 1);
    Some(&rest[..end])
}

fn head_and_body(section: &str) -> (Vec<&str>, String) {
    let (head, body) = section.split_once("\n\n").unwrap_or((section, ""));
    (
        head.lines().collect(),
        body.trim_end_matches('\n').to_owned(),
    )
}

fn headers(lines: &[&str]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for line in lines {
        if let Some((name, value)) = line.split_once(": ") {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).expect("header name"),
                HeaderValue::from_str(value).expect("header value"),
            );
        }
    }
    map
}

fn parse(file: &str, text: &str) -> Option<Exchange> {
    let (request_head, request_body) = head_and_body(section(text, "request")?);
    let mut first = request_head[0].split(' ');
    let method = first.next()?.to_owned();
    let target = first.next()?.to_owned();
    if !target.starts_with("/v2.1/images") {
        return None;
    }
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let (response_head, response_body) = head_and_body(section(text, "response")?);
    let status = response_head[0].split(' ').nth(1)?.parse::<u16>().ok()?;
    Some(Exchange {
        file: file.to_owned(),
        method,
        path: path.to_owned(),
        query: pairs(query),
        request_headers: headers(&request_head[1..]),
        request_body,
        status: StatusCode::from_u16(status).ok()?,
        headers: headers(&response_head[1..]),
        body: response_body.into_bytes(),
    })
}

fn decode_percent(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("ascii");
            out.push(u8::from_str_radix(hex, 16).expect("hex"));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("UTF-8")
}

fn pairs(query: &str) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode_percent(k), decode_percent(v))
        })
        .collect();
    pairs.sort();
    pairs
}

/// The typed query for a recorded query string; `None` for the requests
/// that were sent on purpose with values the typed query cannot express.
fn typed_query(query: &[(String, String)]) -> Option<ListQuery> {
    let mut typed = ListQuery::default();
    for (key, value) in query {
        match key.as_str() {
            "server" => typed.server = Some(value.clone()),
            "name" => typed.name = Some(value.clone()),
            "status" => typed.status = Some(Status::from(value.as_str())),
            "changes-since" => typed.changes_since = Some(value.clone()),
            "type" => typed.image_type = Some(value.clone()),
            "minDisk" => typed.min_disk = Some(value.parse().ok()?),
            "minRam" => typed.min_ram = Some(value.parse().ok()?),
            "marker" => typed.marker = Some(value.clone()),
            "limit" => typed.limit = Some(value.parse().ok()?),
            other => {
                let key = other.strip_prefix("property-")?;
                typed.properties.insert(key.to_owned(), value.clone());
            }
        }
    }
    Some(typed)
}

/// The microversion the recorded request asked for, parsed the way the
/// runtime parses it (`latest` is refused).
fn requested_version(exchange: &Exchange) -> Option<Result<Microversion, Error>> {
    let text = match exchange.request_headers.get("x-openstack-nova-api-version") {
        Some(v) => v.to_str().ok()?,
        None => exchange
            .request_headers
            .get("openstack-api-version")?
            .to_str()
            .ok()?
            .strip_prefix("compute ")?,
    };
    Some(text.parse())
}

/// The path after `/v2.1/images`, split: `[]`, `["detail"]`, `[id]`,
/// `[id, "metadata", key]`.
fn segments(path: &str) -> Vec<&str> {
    path.trim_start_matches("/v2.1/images")
        .split('/')
        .skip(1)
        .collect()
}

fn api() -> Api {
    Api::new("http://127.0.0.1:18774/v2.1").expect("base URL")
}

/// What the runtime builds for an exchange's request: method, path, sorted
/// query pairs and body. `Err` carries the runtime's refusal.
type Built = Result<(String, String, Vec<(String, String)>, Vec<u8>), Error>;

fn build(api: &Api, exchange: &Exchange) -> Option<Built> {
    let parts = |op: http::Request<Vec<u8>>| {
        let uri = op.uri().clone();
        (
            op.method().to_string(),
            uri.path().to_owned(),
            pairs(uri.query().unwrap_or("")),
            op.into_body(),
        )
    };
    let segments = segments(&exchange.path);
    let body: Option<Value> = serde_json::from_str(&exchange.request_body).ok();
    let built = match (exchange.method.as_str(), segments.as_slice()) {
        ("GET", []) => {
            let query = typed_query(&exchange.query)?;
            api.list_images(&query).map(|op| parts(op.into_request()))
        }
        ("GET", ["detail"]) => {
            let query = typed_query(&exchange.query)?;
            api.list_images_detail(&query)
                .map(|op| parts(op.into_request()))
        }
        ("GET", [id]) => api.get_image(id).map(|op| parts(op.into_request())),
        ("DELETE", [id]) => api.delete_image(id).map(|op| parts(op.into_request())),
        ("GET", [id, "metadata"]) => api.get_metadata(id).map(|op| parts(op.into_request())),
        ("POST", [id, "metadata"]) => {
            let update: MetadataUpdate = serde_json::from_value(body?).ok()?;
            api.merge_metadata(id, &update)
                .map(|op| parts(op.into_request()))
        }
        ("PUT", [id, "metadata"]) => {
            let update: MetadataUpdate = serde_json::from_value(body?).ok()?;
            api.replace_metadata(id, &update)
                .map(|op| parts(op.into_request()))
        }
        ("GET", [id, "metadata", key]) => api
            .get_metadata_item(id, key)
            .map(|op| parts(op.into_request())),
        ("DELETE", [id, "metadata", key]) => api
            .delete_metadata_item(id, key)
            .map(|op| parts(op.into_request())),
        ("PUT", [id, "metadata", key]) => {
            let body = body?;
            let meta = body.get("meta")?.as_object()?;
            // Nova refuses a body whose key differs from the URL's (62); the
            // runtime cannot send one, so that exchange is not rebuilt.
            let (body_key, value) = meta.iter().next()?;
            if meta.len() != 1 || body_key != key {
                return None;
            }
            api.set_metadata_item(id, key, value.as_str()?)
                .map(|op| parts(op.into_request()))
        }
        _ => panic!(
            "{}: no operation for {} {}",
            exchange.file, exchange.method, exchange.path
        ),
    };
    Some(built)
}

#[test]
fn every_recorded_request_is_rebuilt_exactly() {
    let mut rebuilt = 0;
    let mut refused = Vec::new();
    let mut not_expressible = Vec::new();
    for exchange in exchanges() {
        let api = match requested_version(&exchange) {
            Some(Ok(version)) => api().with_microversion(version).expect("version"),
            Some(Err(error)) => {
                refused.push((exchange.file.clone(), error));
                continue;
            }
            None => api(),
        };
        let Some(built) = build(&api, &exchange) else {
            not_expressible.push(exchange.file.clone());
            continue;
        };
        match built {
            Ok((method, path, query, body)) => {
                assert_eq!(method, exchange.method, "{}", exchange.file);
                assert_eq!(path, exchange.path, "{}", exchange.file);
                assert_eq!(query, exchange.query, "{}", exchange.file);
                let sent: Option<Value> = serde_json::from_str(&exchange.request_body).ok();
                let ours: Option<Value> = serde_json::from_slice(&body).ok();
                assert_eq!(ours, sent, "{}: body", exchange.file);
                rebuilt += 1;
            }
            Err(error) => refused.push((exchange.file.clone(), error)),
        }
    }
    // Requests recorded on purpose with what the runtime refuses before
    // sending, each for the reason Nova would have refused or misread it.
    let refused: BTreeMap<String, String> = refused
        .into_iter()
        .map(|(f, e)| (f, e.to_string()))
        .collect();
    let expected_refusals = [
        ("nova/35-detail-limit0.txt", "limit must be at least 1"),
        (
            "nova/48-detail-property-os_distro.txt",
            "would filter `property-os_distro` on `s_distro`",
        ),
        (
            "nova/67-metadata-get-2.39.txt",
            "serves `/images/{id}/metadata` only up to microversion 2.38, not at 2.39",
        ),
        (
            "nova/80-list-2.36.txt",
            "serves `/images` only up to microversion 2.35, not at 2.36",
        ),
        (
            "nova/81-detail-2.36.txt",
            "serves `/images` only up to microversion 2.35, not at 2.36",
        ),
        (
            "nova/82-show-2.36-openstack-api-version.txt",
            "serves `/images` only up to microversion 2.35, not at 2.36",
        ),
        ("nova/83-list-latest.txt", "`latest` is refused"),
    ];
    for (file, reason) in expected_refusals {
        let got = refused
            .get(file)
            .unwrap_or_else(|| panic!("{file} should be refused; refused: {refused:?}"));
        assert!(got.contains(reason), "{file}: {got}");
    }
    assert_eq!(refused.len(), expected_refusals.len(), "{refused:?}");
    // `limit=-1` is no u32; `foo=bar` is no filter; a mismatched body and
    // URL key cannot be built.
    assert_eq!(
        not_expressible,
        [
            "nova/34-detail-limit-bad.txt",
            "nova/37-list-filter-limit2.txt",
            "nova/62-metadata-key-put-mismatch.txt",
        ]
    );
    assert!(rebuilt >= 80, "only {rebuilt} requests rebuilt");
}

/// Decodes a success into `T` and back, and checks nothing was lost.
fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(exchange: &Exchange) -> T {
    let value: T = cloud_images_runtime::decode_json(&exchange.body)
        .unwrap_or_else(|e| panic!("{}: {e}", exchange.file));
    let original: Value = serde_json::from_slice(&exchange.body).expect("JSON");
    assert_eq!(
        serde_json::to_value(&value).expect("serializes"),
        original,
        "{}: round trip",
        exchange.file
    );
    value
}

#[test]
fn every_recorded_response_decodes_losslessly_or_as_its_error() {
    let mut decoded = 0;
    let mut errors = 0;
    for exchange in exchanges() {
        let response = || {
            let mut builder = http::Response::builder().status(exchange.status);
            for (name, value) in &exchange.headers {
                builder = builder.header(name, value);
            }
            builder.body(exchange.body.clone()).expect("response")
        };
        let segments = segments(&exchange.path);
        // Decoders do not depend on the request's arguments, so any id does.
        let raw = Api::new("http://127.0.0.1:18774/v2.1").expect("base");
        let result: Result<(), Error> = match (exchange.method.as_str(), segments.as_slice()) {
            ("GET", []) => raw
                .list_images(&ListQuery::default())
                .unwrap()
                .decode(response())
                .map(|_| {
                    round_trip::<ImageIndexPage>(&exchange);
                }),
            ("GET", ["detail"]) => raw
                .list_images_detail(&ListQuery::default())
                .unwrap()
                .decode(response())
                .map(|_| {
                    round_trip::<ImageDetailPage>(&exchange);
                }),
            ("GET", [_]) => raw.get_image("x").unwrap().decode(response()).map(|_| {
                round_trip::<ImageShow>(&exchange);
            }),
            ("DELETE", [_]) => raw.delete_image("x").unwrap().decode(response()),
            ("GET" | "POST" | "PUT", [_, "metadata"]) => {
                raw.get_metadata("x").unwrap().decode(response()).map(|_| {
                    round_trip::<Metadata>(&exchange);
                })
            }
            ("GET" | "PUT", [_, "metadata", _]) => raw
                .get_metadata_item("x", "k")
                .unwrap()
                .decode(response())
                .map(|_| {
                    round_trip::<MetadataItem>(&exchange);
                }),
            ("DELETE", [_, "metadata", _]) => raw
                .delete_metadata_item("x", "k")
                .unwrap()
                .decode(response()),
            _ => panic!("{}: unexpected route", exchange.file),
        };
        match result {
            Ok(()) => {
                assert!(exchange.status.is_success(), "{}", exchange.file);
                decoded += 1;
            }
            Err(error) => {
                assert!(!exchange.status.is_success(), "{}: {error}", exchange.file);
                check_error(&exchange, &error);
                errors += 1;
            }
        }
    }
    assert!(decoded >= 65, "{decoded} successes decoded");
    assert!(errors >= 20, "{errors} errors decoded");
}

/// The error matches the status, and its message is Nova's, unwrapped and
/// unescaped; a 404 served at 2.36 or later says the call is gone.
fn check_error(exchange: &Exchange, error: &Error) {
    let body: Value = serde_json::from_slice(&exchange.body).unwrap_or(Value::Null);
    let served = exchange
        .headers
        .get("x-openstack-nova-api-version")
        .and_then(|v| v.to_str().ok());
    let gone = exchange.status == 404
        && served
            .and_then(|v| v.parse::<Microversion>().ok())
            .is_some_and(|v| v > Microversion::IMAGES_LAST);
    if gone {
        assert!(
            matches!(error, Error::ComputeMicroversion { .. }),
            "{}: {error:?}",
            exchange.file
        );
        return;
    }
    let expected = body
        .as_object()
        .and_then(|o| o.values().next())
        .and_then(|inner| inner.get("message"))
        .and_then(Value::as_str)
        .map(|m| m.replace("&quot;", "\""));
    let message = error
        .message()
        .unwrap_or_else(|| panic!("{}: {error:?}", exchange.file));
    if let Some(expected) = expected {
        assert_eq!(message, expected.trim(), "{}", exchange.file);
    }
    assert!(!message.contains("&quot;"), "{}: {message}", exchange.file);
    let variant_ok = match exchange.status.as_u16() {
        400 => matches!(error, Error::BadRequest(_)),
        401 => matches!(error, Error::Unauthorized(_)),
        403 => matches!(error, Error::Forbidden(_)),
        404 => matches!(error, Error::NotFound(_)),
        500..=599 => matches!(error, Error::ServerError(_)),
        _ => false,
    };
    assert!(variant_ok, "{}: {error:?}", exchange.file);
}

#[test]
fn paging_follows_images_links_and_stops_after_the_empty_last_page() {
    let api = api();
    let by_file: BTreeMap<String, Exchange> = exchanges()
        .into_iter()
        .map(|e| (e.file.clone(), e))
        .collect();
    let pages = [
        "26-list-limit2",
        "27-list-limit2-page2",
        "28-list-limit2-page3",
        "29-list-limit2-page4",
        "30-list-limit2-page5",
    ];
    let mut next = Some(
        api.list_images(&ListQuery {
            limit: Some(2),
            ..ListQuery::default()
        })
        .expect("first page"),
    );
    let mut seen = 0;
    for name in pages {
        let exchange = &by_file[&format!("nova/{name}.txt")];
        let operation = next
            .take()
            .unwrap_or_else(|| panic!("{name}: no request for this page"));
        assert_eq!(operation.uri().path(), exchange.path, "{name}");
        assert_eq!(
            pairs(operation.uri().query().unwrap_or("")),
            exchange.query,
            "{name}"
        );
        let page = operation
            .decode(
                http::Response::builder()
                    .status(200)
                    .body(exchange.body.clone())
                    .unwrap(),
            )
            .expect("page");
        seen += page.images.len();
        next = api.next_page(&page).expect("next link");
    }
    assert!(
        next.is_none(),
        "the empty fifth page has no link, so paging stops"
    );
    assert_eq!(seen, 8);
}
