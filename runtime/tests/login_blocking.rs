//! The blocking client logging in against a loopback server that answers
//! with Keystone's, Glance's and Rackspace's shapes: discovery, login, the
//! token on every request, one re-authentication per 401, renewal before
//! expiry, one login shared by threads, and errors that hold no secret.
#![cfg(feature = "blocking")]

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use cloud_images_runtime::auth::{AuthError, Credentials};
use cloud_images_runtime::blocking::{Client, ClientBuilder};
use cloud_images_runtime::config::{CloudConfig, Sources};
use cloud_images_runtime::{Error, ImageCreate, ImageListQuery};

const PASSWORD: &str = "pw-secret-4711";
const API_KEY: &str = "rax-key-0815";

/// One request as the server read it.
#[derive(Debug, Clone)]
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

    fn line(&self) -> String {
        format!("{} {}", self.method, self.target)
    }
}

/// What the fake cloud knows.
#[derive(Default)]
struct Cloud {
    base: String,
    issued: u32,
    valid: BTreeSet<String>,
    /// Seconds of token lifetime, and how long ago tokens claim to be issued.
    lifetime: u64,
    issued_ago: u64,
    /// Glance refuses every token.
    glance_refuses: bool,
    seen: Vec<Seen>,
}

type Shared = Arc<Mutex<Cloud>>;

fn iso(time: SystemTime) -> String {
    let seconds = time
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    // Civil date from days since 1970 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.000000Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

fn reply(stream: &mut TcpStream, status: u16, headers: &[(&str, String)], body: &str) {
    let mut head = format!(
        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body.as_bytes());
}

fn json() -> (&'static str, String) {
    ("Content-Type", "application/json".to_owned())
}

fn read_request(stream: &TcpStream) -> Option<Seen> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next()?.to_owned(), parts.next()?.to_owned());
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let length = headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
        .map_or(0, |(_, value)| value.parse().unwrap_or(0));
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Seen {
        method,
        target,
        headers,
        body,
    })
}

fn handle(cloud: &Shared, mut stream: TcpStream) {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let Some(seen) = read_request(&stream) else {
        return;
    };
    let mut state = cloud.lock().unwrap();
    state.seen.push(seen.clone());
    let base = state.base.clone();
    let path = seen.target.split('?').next().unwrap_or("").to_owned();
    let body: serde_json::Value = serde_json::from_slice(&seen.body).unwrap_or_default();
    match (seen.method.as_str(), path.as_str()) {
        ("GET", "/identity/") => {
            let doc = format!(
                r#"{{"versions": {{"values": [{{"id": "v3.14", "status": "stable", "links": [{{"rel": "self", "href": "{base}/identity/v3/"}}]}}]}}}}"#
            );
            reply(
                &mut stream,
                300,
                &[json(), ("Location", format!("{base}/identity/v3/"))],
                &doc,
            );
        }
        ("POST", "/identity/v3/auth/tokens") => {
            let password = &body["auth"]["identity"]["password"]["user"]["password"];
            if password != PASSWORD {
                let refusal = r#"{"error":{"code":401,"message":"The request you have made requires authentication.","title":"Unauthorized"}}"#;
                reply(&mut stream, 401, &[json()], refusal);
                return;
            }
            state.issued += 1;
            let token = format!("gAAAAA-token-{}", state.issued);
            state.valid.insert(token.clone());
            let issued = SystemTime::now() - Duration::from_secs(state.issued_ago);
            let expires = issued + Duration::from_secs(state.lifetime);
            let doc = format!(
                r#"{{"token": {{"methods": ["password"], "expires_at": "{}", "issued_at": "{}", "project": {{"id": "p-alpha"}}, "user": {{"id": "u-alice"}}, "catalog": [{{"type": "identity", "name": "keystone", "endpoints": [{{"interface": "public", "region_id": "R1", "region": "R1", "url": "{base}/identity/v3"}}]}}, {{"type": "image", "name": "glance", "endpoints": [{{"interface": "public", "region_id": "R1", "region": "R1", "url": "{base}/image"}}, {{"interface": "public", "region_id": "R2", "region": "R2", "url": "{base}/image-two"}}]}}]}}}}"#,
                iso(expires),
                iso(issued)
            );
            reply(
                &mut stream,
                201,
                &[json(), ("X-Subject-Token", token)],
                &doc,
            );
        }
        ("POST", "/rax/v2.0/tokens") => {
            if body["auth"]["RAX-KSKEY:apiKeyCredentials"]["apiKey"] != API_KEY {
                reply(
                    &mut stream,
                    401,
                    &[json()],
                    r#"{"unauthorized": {"code": 401, "message": "Username or api key is invalid."}}"#,
                );
                return;
            }
            state.issued += 1;
            let token = format!("rax-token-{}", state.issued);
            state.valid.insert(token.clone());
            let expires = iso(SystemTime::now() + Duration::from_secs(86_400));
            let doc = format!(
                r#"{{"access": {{"token": {{"id": "{token}", "expires": "{expires}", "tenant": {{"id": "1100111"}}}}, "user": {{"id": "1", "RAX-AUTH:defaultRegion": "IAD"}}, "serviceCatalog": [{{"name": "cloudImages", "type": "image", "endpoints": [{{"region": "IAD", "tenantId": "1100111", "publicURL": "{base}/image/v2"}}]}}]}}}}"#
            );
            reply(&mut stream, 200, &[json()], &doc);
        }
        // Glance's href names no proxy prefix: the catalog's path is kept.
        ("GET", "/image/" | "/image-two/") => {
            let doc = format!(
                r#"{{"versions": [{{"id": "v2.18", "status": "CURRENT", "links": [{{"rel": "self", "href": "{base}/v2/"}}]}}]}}"#
            );
            reply(&mut stream, 300, &[json()], &doc);
        }
        (method, path) if path.starts_with("/image/v2/") || path.starts_with("/image-two/v2/") => {
            let token = seen.header("x-auth-token").unwrap_or("");
            if state.glance_refuses || !state.valid.contains(token) {
                reply(
                    &mut stream,
                    401,
                    &[json(), ("WWW-Authenticate", "Keystone uri=\"x\"".into())],
                    r#"{"message": "This server could not verify that you are authorized to access the document you requested.<br /><br />\n\n\n", "code": "401 Unauthorized", "title": "Unauthorized"}"#,
                );
            } else if method == "POST" {
                reply(
                    &mut stream,
                    201,
                    &[json()],
                    r#"{"id": "i-1", "name": "made", "status": "queued"}"#,
                );
            } else {
                reply(
                    &mut stream,
                    200,
                    &[json()],
                    r#"{"images": [], "first": "/v2/images"}"#,
                );
            }
        }
        _ => reply(
            &mut stream,
            404,
            &[json()],
            r#"{"message": "no such path"}"#,
        ),
    }
}

/// Starts the fake cloud on loopback; it serves until the test ends.
fn start() -> Shared {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let cloud = Arc::new(Mutex::new(Cloud {
        base: format!("http://{}", listener.local_addr().unwrap()),
        lifetime: 3600,
        ..Cloud::default()
    }));
    let server = Arc::clone(&cloud);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let server = Arc::clone(&server);
            std::thread::spawn(move || handle(&server, stream));
        }
    });
    cloud
}

fn base(cloud: &Shared) -> String {
    cloud.lock().unwrap().base.clone()
}

/// The request lines seen since the last call.
fn take(cloud: &Shared) -> Vec<String> {
    let seen = std::mem::take(&mut cloud.lock().unwrap().seen);
    seen.iter().map(|seen| seen.line()).collect()
}

fn sources(cloud: &Shared, extra: &str) -> Sources {
    let clouds = format!(
        "clouds:\n  fake:\n    auth:\n      auth_url: {}/identity\n      username: alice\n      password: {PASSWORD}\n      project_name: alpha\n      user_domain_name: Default\n      project_domain_name: Default\n{extra}",
        base(cloud)
    );
    Sources::in_memory(
        [("OS_CLIENT_CONFIG_FILE", "/fake/clouds.yaml")],
        [(PathBuf::from("/fake/clouds.yaml"), clouds)],
    )
}

fn list(client: &Client) -> Result<(), Error> {
    client.list_images(&ImageListQuery::default()).map(|_| ())
}

#[test]
fn from_cloud_discovers_logs_in_and_sends_the_token() {
    let cloud = start();
    let client = Client::from_cloud_in("fake", &sources(&cloud, "    region_name: R1\n")).unwrap();
    assert_eq!(client.api().base_url(), format!("{}/image", base(&cloud)));
    list(&client).unwrap();
    assert_eq!(
        take(&cloud),
        [
            "GET /identity/",
            "POST /identity/v3/auth/tokens",
            "GET /image/",
            "GET /image/v2/images"
        ]
    );
    let seen = cloud.lock().unwrap().valid.clone();
    assert_eq!(seen.len(), 1);
    list(&client).unwrap();
    assert_eq!(take(&cloud), ["GET /image/v2/images"]);
    assert_eq!(client.session().unwrap().logins(), 1);

    let two = Client::from_cloud_in("fake", &sources(&cloud, "    region_name: R2\n")).unwrap();
    assert_eq!(two.api().base_url(), format!("{}/image-two", base(&cloud)));
}

#[test]
fn a_401_logs_in_once_more_and_resends_once() {
    let cloud = start();
    let client = Client::from_cloud_in("fake", &sources(&cloud, "")).unwrap();
    take(&cloud);
    // The token is revoked behind the client's back.
    cloud.lock().unwrap().valid.clear();
    let image = client
        .create_image(&ImageCreate {
            name: Some("made".into()),
            ..ImageCreate::default()
        })
        .unwrap();
    assert_eq!(image.id.as_deref(), Some("i-1"));
    let seen = std::mem::take(&mut cloud.lock().unwrap().seen);
    let lines: Vec<_> = seen.iter().map(Seen::line).collect();
    assert_eq!(
        lines,
        [
            "POST /image/v2/images",
            "POST /identity/v3/auth/tokens",
            "POST /image/v2/images"
        ]
    );
    assert_eq!(seen[0].body, seen[2].body, "the same body is sent again");
    assert_ne!(
        seen[0].header("x-auth-token"),
        seen[2].header("x-auth-token")
    );
    assert_eq!(client.session().unwrap().reauthentications(), 1);

    // A service that refuses every token: exactly one more login, then the
    // 401 reaches the caller.
    cloud.lock().unwrap().glance_refuses = true;
    let error = list(&client).unwrap_err();
    assert!(
        matches!(&error, Error::Unauthorized(refusal) if refusal.message.starts_with("This server could not verify")),
        "{error:?}"
    );
    assert_eq!(
        take(&cloud),
        [
            "GET /image/v2/images",
            "POST /identity/v3/auth/tokens",
            "GET /image/v2/images"
        ]
    );
    assert_eq!(client.session().unwrap().reauthentications(), 2);
}

#[test]
fn a_token_about_to_expire_is_renewed_before_sending() {
    let cloud = start();
    // Tokens that expire in 60 s, out of an hour: inside the renewal margin.
    {
        let mut state = cloud.lock().unwrap();
        state.lifetime = 3600;
        state.issued_ago = 3540;
    }
    let client = Client::from_cloud_in("fake", &sources(&cloud, "")).unwrap();
    take(&cloud);
    list(&client).unwrap();
    assert_eq!(
        take(&cloud),
        ["POST /identity/v3/auth/tokens", "GET /image/v2/images"]
    );
    assert_eq!(client.session().unwrap().reauthentications(), 1);
}

#[test]
fn threads_sharing_a_client_wait_for_one_login() {
    let cloud = start();
    let client = Arc::new(Client::from_cloud_in("fake", &sources(&cloud, "")).unwrap());
    cloud.lock().unwrap().valid.clear();
    take(&cloud);
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let client = Arc::clone(&client);
            std::thread::spawn(move || list(&client).unwrap())
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let logins = take(&cloud)
        .iter()
        .filter(|line| line.starts_with("POST /identity"))
        .count();
    assert_eq!(logins, 1, "one login for all threads");
    assert_eq!(client.session().unwrap().logins(), 2);
}

#[test]
fn rackspace_api_key_login() {
    let cloud = start();
    let credentials = Credentials::RackspaceApiKey {
        username: "demo".into(),
        api_key: API_KEY.into(),
    };
    let client = Client::login(format!("{}/rax/v2.0/", base(&cloud)), credentials)
        .build()
        .unwrap();
    assert_eq!(client.api().base_url(), format!("{}/image", base(&cloud)));
    list(&client).unwrap();
    let seen = std::mem::take(&mut cloud.lock().unwrap().seen);
    assert_eq!(
        seen.iter().map(Seen::line).collect::<Vec<_>>(),
        ["POST /rax/v2.0/tokens", "GET /image/v2/images"]
    );
    let body: serde_json::Value = serde_json::from_slice(&seen[0].body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"auth": {"RAX-KSKEY:apiKeyCredentials": {"username": "demo", "apiKey": API_KEY}}})
    );
    assert_eq!(seen[1].header("x-auth-token"), Some("rax-token-1"));

    let wrong = Credentials::RackspaceApiKey {
        username: "demo".into(),
        api_key: "wrong-key-1234".into(),
    };
    let error = Client::login(format!("{}/rax/v2.0", base(&cloud)), wrong)
        .build()
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "login: the identity service refused the login: 401 Unauthorized: Username or api key is invalid."
    );
    assert!(!format!("{error:?}").contains("wrong-key-1234"));
}

#[test]
fn endpoint_override_skips_the_catalog_and_discovery() {
    let cloud = start();
    let extra = format!("    image_endpoint_override: {}/image/v2\n", base(&cloud));
    let client = Client::from_cloud_in("fake", &sources(&cloud, &extra)).unwrap();
    list(&client).unwrap();
    assert_eq!(
        take(&cloud),
        [
            "GET /identity/",
            "POST /identity/v3/auth/tokens",
            "GET /image/v2/images"
        ]
    );
}

#[test]
fn login_failures_are_typed() {
    let cloud = start();
    let clouds = format!(
        "clouds:\n  wrong:\n    auth: {{auth_url: \"{}/identity/v3\", username: alice, password: not-the-password, project_name: alpha, user_domain_name: Default, project_domain_name: Default}}\n  unknown-region:\n    region_name: R9\n    auth: {{auth_url: \"{0}/identity/v3\", username: alice, password: {PASSWORD}, project_name: alpha, user_domain_name: Default, project_domain_name: Default}}\n  nowhere:\n    auth: {{auth_url: \"http://{}/v3\", user_id: u, password: {PASSWORD}}}\n",
        base(&cloud),
        closed_port()
    );
    let sources = Sources::in_memory(
        [("OS_CLIENT_CONFIG_FILE", "/c.yaml")],
        [(PathBuf::from("/c.yaml"), clouds)],
    );
    let mut printed = String::new();
    let error = Client::from_cloud_in("wrong", &sources).unwrap_err();
    assert!(
        matches!(&error, Error::Auth(AuthError::Refused(refusal)) if refusal.status == 401),
        "{error:?}"
    );
    printed += &format!("{error} {error:?}");
    let error = Client::from_cloud_in("unknown-region", &sources).unwrap_err();
    let Error::Auth(AuthError::EndpointNotFound(missing)) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(missing.regions.iter().collect::<Vec<_>>(), ["R1", "R2"]);
    printed += &format!("{error} {error:?}");
    let error = Client::from_cloud_in("nowhere", &sources).unwrap_err();
    let Error::Auth(AuthError::Unreachable { url, .. }) = &error else {
        panic!("{error:?}")
    };
    assert!(url.ends_with("/v3"), "{url}");
    printed += &format!("{error} {error:?}");
    let error = Client::from_cloud_in("absent", &sources).unwrap_err();
    assert_eq!(
        error.to_string(),
        "configuration: cloud `absent` is not in /c.yaml; it has `nowhere`, `unknown-region`, `wrong`"
    );
    for secret in [PASSWORD, "not-the-password"] {
        assert!(!printed.contains(secret), "{secret} in {printed}");
    }
}

/// A loopback port nothing listens on.
fn closed_port() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().to_string()
}

#[test]
fn debug_output_never_shows_a_secret() {
    let cloud = start();
    let config = CloudConfig::load("fake", &sources(&cloud, "")).unwrap();
    let builder = ClientBuilder::from_config(&config);
    let client = builder.clone().build().unwrap();
    let token = client.session().unwrap().token().unwrap();
    let bare = Client::builder(base(&cloud)).token("bare-token-5150");
    let printed = format!(
        "{config:?} {builder:?} {client:?} {:?} {token:?} {bare:?} {:?}",
        client.session(),
        bare.clone().build().unwrap()
    );
    for secret in [PASSWORD, token.secret().expose(), "bare-token-5150"] {
        assert!(!printed.contains(secret), "{secret} in {printed}");
    }
    assert!(printed.contains("<redacted>"));
}

#[test]
fn bad_tls_settings_are_refused_before_connecting() {
    let cloud = start();
    let error = Client::builder(base(&cloud))
        .cacert("/no/such/ca.pem")
        .build()
        .unwrap_err();
    assert!(matches!(&error, Error::Config(_)), "{error:?}");
    assert!(error.to_string().contains("/no/such/ca.pem"), "{error}");
    let not_pem = std::env::temp_dir().join(format!("not-pem-{}.pem", std::process::id()));
    std::fs::write(&not_pem, "hello").unwrap();
    let error = Client::builder(base(&cloud))
        .cacert(&not_pem)
        .build()
        .unwrap_err();
    assert!(
        error.to_string().contains("holds no PEM certificate"),
        "{error}"
    );
    std::fs::remove_file(&not_pem).unwrap();
    // verify: false and an api_timeout build fine.
    let client = Client::builder(format!("{}/image", base(&cloud)))
        .verify(false)
        .api_timeout(Some(Duration::from_secs(5)))
        .build()
        .unwrap();
    assert!(matches!(list(&client), Err(Error::Unauthorized(_))));
}
