//! The blocking client against a scripted HTTP server on loopback that
//! answers with recorded Glance responses. This checks what the client puts
//! on the wire and how it reads answers; it is not a test of Glance.
#![cfg(feature = "blocking")]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use cloud_images_runtime::blocking::Client;
use cloud_images_runtime::{Error, ImageListQuery, RetryPolicy, TransferOptions};

/// One request as the server read it.
#[derive(Debug)]
struct Seen {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
        }
    }

    /// The response recorded under `tag`.
    fn recorded(tag: &str) -> Reply {
        let exchange = common::exchange(tag);
        Reply {
            status: exchange.status(),
            headers: exchange
                .response
                .headers
                .iter()
                .filter(|(name, _)| !name.eq_ignore_ascii_case("content-length"))
                .cloned()
                .collect(),
            body: exchange.response.body().to_vec(),
        }
    }
}

/// Serves `replies` in order, one connection each, and hands back the
/// requests it read.
fn serve(replies: Vec<Reply>) -> (String, JoinHandle<Vec<Seen>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let handle = thread::spawn(move || {
        let mut seen = Vec::new();
        for reply in replies {
            let (stream, _) = listener.accept().unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            seen.push(answer(stream, &reply));
        }
        seen
    });
    (base, handle)
}

fn answer(stream: TcpStream, reply: &Reply) -> Seen {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let mut parts = line.trim_end().splitn(3, ' ');
    let method = parts.next().unwrap().to_owned();
    let target = parts.next().unwrap().to_owned();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':').unwrap();
        headers.push((name.to_owned(), value.trim().to_owned()));
    }
    let mut seen = Seen {
        method,
        target,
        headers,
        body: Vec::new(),
    };
    let length: usize = seen
        .header("content-length")
        .map_or(0, |value| value.parse().unwrap());
    seen.body.resize(length, 0);
    reader.read_exact(&mut seen.body).unwrap();

    let mut stream = reader.into_inner();
    let mut head = format!(
        "HTTP/1.1 {} Whatever\r\nContent-Length: {}\r\nConnection: close\r\n",
        reply.status,
        reply.body.len()
    );
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&reply.body).unwrap();
    seen
}

fn client(base: &str) -> Client {
    Client::builder(base)
        .token("tok")
        .header("X-Identity-Status", "Confirmed")
        .header("X-Project-Id", "tenantA")
        .header("X-User-Id", "user-tenantA")
        .header("X-Roles", "member,reader")
        // One scripted reply per request: nothing is retried here.
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

/// A download without the image read that verification needs, which the
/// scripted server does not answer.
fn download_unverified(client: &Client, id: &str) -> Result<Option<Vec<u8>>, Error> {
    let mut data = Vec::new();
    let done = client.download_image_to(id, &mut data, &TransferOptions::new().verify(false))?;
    Ok(done.map(|_| data))
}

#[test]
fn d_58_a_404_is_a_typed_error_not_a_ureq_error() {
    let (base, server) = serve(vec![Reply::recorded("d-58")]);
    let error = client(&base)
        .get_image("00000000-0000-0000-0000-000000000000")
        .unwrap_err();
    match &error {
        Error::NotFound(api) => {
            assert_eq!(
                api.message,
                "No image found with ID 00000000-0000-0000-0000-000000000000"
            );
            assert_eq!(
                api.request_id.as_deref(),
                Some("req-eba78977-35f7-40a1-9a12-15bd95036e5a")
            );
        }
        other => panic!("{other:?}"),
    }
    let seen = server.join().unwrap();
    let request = &seen[0];
    assert_eq!(request.method, "GET");
    assert_eq!(
        request.target,
        "/v2/images/00000000-0000-0000-0000-000000000000"
    );
    assert_eq!(request.header("accept"), Some("application/json"));
    assert_eq!(request.header("x-auth-token"), Some("tok"));
    assert_eq!(request.header("x-project-id"), Some("tenantA"));
    assert_eq!(request.header("x-roles"), Some("member,reader"));
    assert_eq!(
        request.header("content-length"),
        None,
        "a GET carries no body"
    );
}

#[test]
fn a_500_is_a_server_error() {
    let (base, server) = serve(vec![Reply::recorded("h-11")]);
    let error = client(&base)
        .upload_image("cc0d4974-1e74-4b81-83c2-d8ec03ff7ed7", vec![7; 10])
        .unwrap_err();
    assert!(matches!(error, Error::ServerError(_)), "{error:?}");
    server.join().unwrap();
}

#[test]
fn g_06_to_g_17_the_pager_follows_next_links_to_the_end() {
    let tags: Vec<String> = (6..=17).map(|n| format!("g-{n:02}")).collect();
    let (base, server) = serve(tags.iter().map(|tag| Reply::recorded(tag)).collect());
    let client = client(&format!("{base}/image"));
    let query = ImageListQuery {
        limit: Some(2),
        ..ImageListQuery::new()
    };
    let names: Vec<Option<String>> = client
        .images(&query)
        .map(|image| image.unwrap().name.flatten())
        .collect();
    assert_eq!(names.len(), 23);
    assert_eq!(names[0].as_deref(), Some("page-e"));
    let seen = server.join().unwrap();
    let targets: Vec<&str> = seen.iter().map(|request| request.target.as_str()).collect();
    let expected: Vec<String> = tags
        .iter()
        .map(|tag| format!("/image{}", common::exchange(tag).target()))
        .collect();
    assert_eq!(targets, expected);
}

#[test]
fn the_last_page_may_be_empty() {
    let full = r#"{"images": [{"id": "a"}, {"id": "b"}], "next": "/v2/images?limit=2&marker=b"}"#;
    let empty = r#"{"images": [], "first": "/v2/images?limit=2"}"#;
    let (base, server) = serve(vec![
        Reply::new(200, "application/json", full),
        Reply::new(200, "application/json", empty),
    ]);
    let client = client(&base);
    let query = ImageListQuery {
        limit: Some(2),
        ..ImageListQuery::new()
    };
    let pages: Vec<usize> = client
        .image_pages(&query)
        .map(|page| page.unwrap().images.unwrap().len())
        .collect();
    assert_eq!(pages, [2, 0]);
    server.join().unwrap();
}

#[test]
fn a_next_link_to_the_same_page_ends_with_an_error() {
    let page = r#"{"images": [{"id": "a"}], "next": "/v2/images?limit=1"}"#;
    let (base, server) = serve(vec![Reply::new(200, "application/json", page)]);
    let client = client(&base);
    let query = ImageListQuery {
        limit: Some(1),
        ..ImageListQuery::new()
    };
    let results: Vec<_> = client.images(&query).collect();
    assert_eq!(results.len(), 2);
    assert!(results[0].is_ok());
    assert!(matches!(&results[1], Err(Error::Decode { path, .. }) if path == "next"));
    server.join().unwrap();
}

#[test]
fn f_05_download_200_f_11_refusal_and_204_without_data() {
    let data: Vec<u8> = (0..=255u8).cycle().take(300_000).collect();
    let (base, server) = serve(vec![
        Reply::new(200, "application/octet-stream", data.clone()),
        Reply::recorded("f-11"),
        Reply::new(204, "text/html; charset=UTF-8", ""),
    ]);
    let client = client(&base);
    assert_eq!(
        download_unverified(&client, "a554f23d-0eb5-434f-82bf-646b9bb888c3").unwrap(),
        Some(data)
    );
    let error = download_unverified(&client, "a554f23d-0eb5-434f-82bf-646b9bb888c3").unwrap_err();
    assert_eq!(
        error.message(),
        Some("The requested image has been deactivated. Image data download is forbidden.")
    );
    assert!(matches!(error, Error::Forbidden(_)));
    assert_eq!(download_unverified(&client, "x").unwrap(), None);
    let seen = server.join().unwrap();
    assert_eq!(
        seen[0].target,
        "/v2/images/a554f23d-0eb5-434f-82bf-646b9bb888c3/file"
    );
    assert_eq!(
        seen[0].header("accept"),
        Some("application/octet-stream, application/json")
    );
}

#[test]
fn f_03_upload_from_memory_and_from_a_reader() {
    let data: Vec<u8> = (0..196_616u32).map(|n| (n % 251) as u8).collect();
    let (base, server) = serve(vec![Reply::recorded("f-03"), Reply::recorded("f-03")]);
    let client = client(&base);
    client
        .upload_image("a554f23d-0eb5-434f-82bf-646b9bb888c3", data.clone())
        .unwrap();
    let mut reader = std::io::Cursor::new(data.clone());
    let uploaded = client
        .upload_image_from(
            "a554f23d-0eb5-434f-82bf-646b9bb888c3",
            &mut reader,
            Some(data.len() as u64),
            &TransferOptions::new().verify(false),
        )
        .unwrap();
    assert_eq!(uploaded.bytes, data.len() as u64);
    assert!(!uploaded.verification.is_verified());
    for request in server.join().unwrap() {
        assert_eq!(request.method, "PUT");
        assert_eq!(
            request.target,
            "/v2/images/a554f23d-0eb5-434f-82bf-646b9bb888c3/file"
        );
        assert_eq!(
            request.header("content-type"),
            Some("application/octet-stream")
        );
        assert_eq!(request.header("content-length"), Some("196616"));
        assert_eq!(request.header("transfer-encoding"), None);
        assert_eq!(request.body, data);
    }
}

#[test]
fn f_09_deactivate_is_an_empty_post() {
    let (base, server) = serve(vec![Reply::recorded("f-09")]);
    client(&base)
        .deactivate_image("a554f23d-0eb5-434f-82bf-646b9bb888c3")
        .unwrap();
    let seen = server.join().unwrap();
    assert_eq!(seen[0].method, "POST");
    assert_eq!(
        seen[0].target,
        "/v2/images/a554f23d-0eb5-434f-82bf-646b9bb888c3/actions/deactivate"
    );
    assert_eq!(seen[0].header("content-length"), Some("0"));
    assert_eq!(seen[0].header("content-type"), None);
}

#[test]
fn e_04_add_member_body_on_the_wire() {
    let (base, server) = serve(vec![Reply::recorded("e-04")]);
    let member = client(&base)
        .add_member("e271a900-0064-4475-b550-fc3c44896d1e", "tenantB")
        .unwrap();
    assert_eq!(member.member_id.as_deref(), Some("tenantB"));
    let seen = server.join().unwrap();
    assert_eq!(seen[0].header("content-type"), Some("application/json"));
    assert_eq!(seen[0].body, br#"{"member":"tenantB"}"#);
}

#[test]
fn an_unreachable_server_is_a_transport_error() {
    // A port that was free a moment ago and has no listener now.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let error = client(&format!("http://127.0.0.1:{port}"))
        .get_image("x")
        .unwrap_err();
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
}

#[test]
fn a_server_that_never_answers_hits_the_read_timeout() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let holder = thread::spawn(move || {
        // Accept and hold the connection without answering.
        let (stream, _) = listener.accept().unwrap();
        thread::sleep(Duration::from_secs(1));
        drop(stream);
    });
    let client = Client::builder(base)
        .read_timeout(Some(Duration::from_millis(300)))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client.get_image("x").unwrap_err();
    let elapsed = started.elapsed();
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    assert!(elapsed < Duration::from_secs(2), "took {elapsed:?}");
    holder.join().unwrap();
}

/// A token source that hands out `old`, asks for a login once `old` is
/// refused, and hands out what the login answered.
#[derive(Debug, Default)]
struct Relogin {
    token: std::sync::Mutex<Option<String>>,
    login_url: String,
}

impl cloud_images_runtime::TokenSource for Relogin {
    fn token(&self) -> Result<cloud_images_runtime::TokenStep, Error> {
        use cloud_images_runtime::TokenStep;
        match self.token.lock().unwrap().as_deref() {
            Some(token) => Ok(TokenStep::Token(token.parse().unwrap())),
            None => Ok(TokenStep::Login(Box::new(
                http::Request::post(&self.login_url)
                    .body(b"{}".to_vec())
                    .unwrap(),
            ))),
        }
    }

    fn login_response(&self, response: http::Response<Vec<u8>>) -> Result<(), Error> {
        *self.token.lock().unwrap() = Some(String::from_utf8(response.body().clone()).unwrap());
        Ok(())
    }

    fn rejected(&self, _: &http::HeaderValue) -> bool {
        self.token.lock().unwrap().take().is_some()
    }
}

#[test]
fn a_401_logs_in_once_more_and_resends_once() {
    let image = r#"{"id": "a", "name": "x"}"#;
    let (base, server) = serve(vec![
        Reply::new(401, "text/plain", "401 Unauthorized\n\nexpired"),
        Reply::new(201, "text/plain", "fresh"),
        Reply::new(200, "application/json", image),
        Reply::new(401, "text/plain", "401 Unauthorized\n\nrevoked"),
        Reply::new(201, "text/plain", "fresher"),
        Reply::new(401, "text/plain", "401 Unauthorized\n\nstill revoked"),
    ]);
    let source = std::sync::Arc::new(Relogin {
        token: std::sync::Mutex::new(Some("old".to_owned())),
        login_url: format!("{base}/login"),
    });
    let client = Client::builder(&base)
        .token_source(source)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    assert_eq!(client.get_image("a").unwrap().id.as_deref(), Some("a"));
    // Refused again after the new login: the 401 is the answer, no third try.
    assert!(matches!(client.get_image("a"), Err(Error::Unauthorized(_))));
    let seen = server.join().unwrap();
    let line = |s: &Seen| {
        format!(
            "{} {} {}",
            s.method,
            s.target,
            s.header("x-auth-token").unwrap_or("-")
        )
    };
    let lines: Vec<String> = seen.iter().map(line).collect();
    assert_eq!(
        lines,
        [
            "GET /v2/images/a old",
            "POST /login -",
            "GET /v2/images/a fresh",
            "GET /v2/images/a fresh",
            "POST /login -",
            "GET /v2/images/a fresher",
        ]
    );
}
