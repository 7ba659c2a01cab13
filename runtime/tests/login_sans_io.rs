//! The sans-IO login against recorded Keystone 30 / Glance 33 exchanges and
//! Rackspace's documented shapes: the requests built equal the recorded
//! ones, the answers decode into tokens and catalogs, every refusal is
//! typed, and the session walks discovery, login and renewal.

mod keystone_common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cloud_images_runtime::auth::{
    self, ApplicationCredentialRef, AuthError, Credentials, DomainRef, ProjectRef, Scope, Session,
    SessionConfig, Step, UserRef,
};
use cloud_images_runtime::config::Interface;
use cloud_images_runtime::{Error, Secret};
use keystone_common::exchange;

const AUTH_URL: &str = "http://127.0.0.1:15000/v3";

fn default_domain() -> DomainRef {
    DomainRef::Name("Default".into())
}

fn alice() -> UserRef {
    UserRef::Name {
        name: "alice".into(),
        domain: default_domain(),
    }
}

fn alpha() -> Scope {
    Scope::Project(ProjectRef::Name {
        name: "alpha".into(),
        domain: default_domain(),
    })
}

/// The recorded request body of `number`, as JSON.
fn recorded_body(number: &str) -> serde_json::Value {
    exchange(number).request.json()
}

#[test]
fn token_requests_equal_the_recorded_ones() {
    let body_04 = recorded_body("04");
    let user_04 = &body_04["auth"]["identity"]["password"]["user"];
    let body_06 = recorded_body("06");
    let body_10 = recorded_body("10");
    let cases = [
        (
            "03",
            Credentials::Password {
                user: alice(),
                password: "alice-lab-secret".into(),
                scope: alpha(),
            },
        ),
        (
            "04",
            Credentials::Password {
                user: UserRef::Id(user_04["id"].as_str().unwrap().into()),
                password: "bob-lab-secret".into(),
                scope: Scope::Project(ProjectRef::Id(
                    body_04["auth"]["scope"]["project"]["id"]
                        .as_str()
                        .unwrap()
                        .into(),
                )),
            },
        ),
        (
            "06",
            Credentials::ApplicationCredential {
                credential: ApplicationCredentialRef::Id(
                    body_06["auth"]["identity"]["application_credential"]["id"]
                        .as_str()
                        .unwrap()
                        .into(),
                ),
                secret: "appcred-lab-secret".into(),
            },
        ),
        (
            "07",
            Credentials::ApplicationCredential {
                credential: ApplicationCredentialRef::Name {
                    name: "alice-alpha-lab".into(),
                    user: alice(),
                },
                secret: "appcred-lab-secret".into(),
            },
        ),
        (
            "08",
            Credentials::Password {
                user: alice(),
                password: "alice-lab-secret".into(),
                scope: Scope::Default,
            },
        ),
        (
            "09",
            Credentials::Password {
                user: alice(),
                password: "alice-lab-secret".into(),
                scope: Scope::Unscoped,
            },
        ),
        (
            "10",
            Credentials::Token {
                token: body_10["auth"]["identity"]["token"]["id"]
                    .as_str()
                    .unwrap()
                    .into(),
                scope: alpha(),
            },
        ),
    ];
    for (number, credentials) in cases {
        let operation = auth::token_request(AUTH_URL, &credentials).unwrap();
        let request = operation.request();
        let recorded = exchange(number).request;
        assert_eq!(request.method(), "POST", "{number}");
        assert_eq!(
            request.uri(),
            "http://127.0.0.1:15000/v3/auth/tokens",
            "{number}"
        );
        assert_eq!(request.headers()["content-type"], "application/json");
        let body: serde_json::Value = serde_json::from_slice(request.body()).unwrap();
        assert_eq!(body, recorded.json(), "{number}");
        // Debug of the request to send never shows the secret as text.
        let secret = ["alice-lab-secret", "bob-lab-secret", "appcred-lab-secret"];
        let printed = format!("{credentials:?}");
        assert!(
            secret.iter().all(|secret| !printed.contains(secret)),
            "{printed}"
        );
    }
}

#[test]
fn token_answers_decode() {
    let recorded = exchange("03");
    let operation = auth::token_request(
        AUTH_URL,
        &Credentials::Password {
            user: alice(),
            password: "x".into(),
            scope: alpha(),
        },
    )
    .unwrap();
    let token = operation.decode(recorded.http_response()).unwrap();
    assert_eq!(
        token.secret().expose(),
        recorded.response.header("X-Subject-Token").unwrap()
    );
    let body = recorded.response.json();
    assert_eq!(
        token.project_id.as_deref(),
        body["token"]["project"]["id"].as_str()
    );
    assert_eq!(
        token.user_id.as_deref(),
        body["token"]["user"]["id"].as_str()
    );
    // "2026-12-02T01:59:02.000000Z", one hour after issued_at.
    let expires = token
        .expires_at
        .unwrap()
        .duration_since(UNIX_EPOCH)
        .unwrap();
    assert_eq!(expires, Duration::from_secs(1_796_176_742));
    assert_eq!(
        token
            .expires_at
            .unwrap()
            .duration_since(token.issued_at.unwrap())
            .unwrap(),
        Duration::from_secs(3600)
    );
    // The catalog: identity and image; image in two regions.
    let image = token
        .catalog
        .endpoint("image", Some("RegionTwo"), Interface::Public)
        .unwrap();
    assert_eq!(image.url, "http://localhost:19595");
    let image = token
        .catalog
        .endpoint("image", Some("RegionOne"), Interface::Internal)
        .unwrap();
    assert_eq!(image.url, "http://127.0.0.1:19595");
    let identity = token
        .catalog
        .endpoint("identity", None, Interface::Admin)
        .unwrap();
    assert_eq!(identity.url, "http://127.0.0.1:15000/v3");
    // Debug redacts the token.
    let printed = format!("{token:?}");
    assert!(!printed.contains(token.secret().expose()) && printed.contains("<redacted>"));

    // An application-credential token: expires_at capped by the credential.
    let token = operation.decode(exchange("56").http_response()).unwrap();
    assert!(
        token
            .expires_at
            .unwrap()
            .duration_since(token.issued_at.unwrap())
            .unwrap()
            < Duration::from_secs(60)
    );
    // An unscoped token has no project and no catalog.
    let token = operation.decode(exchange("09").http_response()).unwrap();
    assert_eq!(token.project_id, None);
    assert!(token.catalog.services.is_empty());
}

#[test]
fn missing_endpoints_list_what_the_catalog_offers() {
    let operation = auth::token_request(
        AUTH_URL,
        &Credentials::Token {
            token: "t".into(),
            scope: alpha(),
        },
    )
    .unwrap();
    let token = operation.decode(exchange("03").http_response()).unwrap();
    let missing = token
        .catalog
        .endpoint("image", Some("RegionNine"), Interface::Public)
        .unwrap_err();
    assert_eq!(
        missing.to_string(),
        "the service catalog has no `image` endpoint with interface `public` in region `RegionNine`; it offers service types `identity`, `image`, and for `image` regions `RegionOne`, `RegionTwo` and interfaces `public`, `internal`, `admin`"
    );
    let missing = token
        .catalog
        .endpoint("compute", None, Interface::Public)
        .unwrap_err();
    assert_eq!(
        missing.to_string(),
        "the service catalog has no `compute` endpoint with interface `public`; it offers service types `identity`, `image`"
    );
    let missing = token
        .catalog
        .endpoint("identity", Some("RegionTwo"), Interface::Public)
        .unwrap_err();
    assert_eq!(missing.regions.iter().collect::<Vec<_>>(), ["RegionOne"]);
}

#[test]
fn every_refusal_is_typed_with_keystones_message() {
    let operation = auth::token_request(
        AUTH_URL,
        &Credentials::Token {
            token: "t".into(),
            scope: alpha(),
        },
    )
    .unwrap();
    for number in ["14", "15", "16", "17", "18", "20", "61"] {
        let error = operation
            .decode(exchange(number).http_response())
            .unwrap_err();
        let Error::Auth(AuthError::Refused(refusal)) = &error else {
            panic!("{number}: {error:?}")
        };
        assert_eq!(refusal.status, 401, "{number}");
        assert_eq!(
            refusal.message, "The request you have made requires authentication.",
            "{number}"
        );
        assert!(
            refusal
                .request_id
                .as_deref()
                .is_some_and(|id| id.starts_with("req-")),
            "{number}"
        );
        assert_eq!(
            error.to_string(),
            "login: the identity service refused the login: 401 Unauthorized: The request you have made requires authentication."
        );
    }
    let error = operation
        .decode(exchange("13").http_response())
        .unwrap_err();
    assert!(
        error
            .to_string()
            .ends_with("Application credentials cannot request a scope."),
        "{error}"
    );
    let error = operation
        .decode(exchange("19").http_response())
        .unwrap_err();
    let Error::Auth(AuthError::Refused(refusal)) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(refusal.status, 400);
    assert!(
        refusal
            .message
            .starts_with("Expecting to find domain in project."),
        "{error}"
    );
}

#[test]
fn a_token_answer_without_the_header_is_refused() {
    let operation = auth::token_request(
        AUTH_URL,
        &Credentials::Token {
            token: "t".into(),
            scope: alpha(),
        },
    )
    .unwrap();
    let mut response = exchange("03").http_response();
    response.headers_mut().remove("x-subject-token");
    assert!(matches!(
        operation.decode(response),
        Err(Error::Auth(AuthError::InvalidResponse(_)))
    ));
}

#[test]
fn version_discovery() {
    let glance = exchange("21");
    assert_eq!(glance.status(), 300);
    for (catalog_url, root) in [
        ("http://127.0.0.1:19595", "http://127.0.0.1:19595/v2"),
        ("http://127.0.0.1:19595/", "http://127.0.0.1:19595/v2"),
        // The href names 127.0.0.1; the catalog's host is kept.
        ("http://localhost:19595", "http://localhost:19595/v2"),
        ("https://cloud.test/image", "https://cloud.test/image/v2"),
    ] {
        let operation = auth::discovery::versions_request(catalog_url).unwrap();
        assert_eq!(operation.request().method(), "GET");
        assert_eq!(
            operation.request().uri().to_string(),
            format!("{}/", catalog_url.trim_end_matches('/'))
        );
        let versions = operation.decode(glance.http_response()).unwrap();
        assert_eq!(versions.versions.len(), 19);
        assert_eq!(versions.root(catalog_url, 2).unwrap(), root);
    }
    // 200 from /versions reads the same.
    let operation = auth::discovery::versions_request("http://127.0.0.1:19595").unwrap();
    assert_eq!(
        operation
            .decode(exchange("22").http_response())
            .unwrap()
            .versions
            .len(),
        19
    );
    // Keystone's wrapped document.
    let versions = operation.decode(exchange("01").http_response()).unwrap();
    assert_eq!(
        versions.root("http://127.0.0.1:15000", 3).unwrap(),
        "http://127.0.0.1:15000/v3"
    );
    let error = versions.root("http://127.0.0.1:15000", 2).unwrap_err();
    assert_eq!(
        error.to_string(),
        "login: http://127.0.0.1:15000 offers no v2 API; it offers v3.14 (stable)"
    );
    for url in [
        "http://h:9292/v2",
        "http://h:9292/v2/",
        "https://h/image/v2",
        "https://identity.api.rackspacecloud.com/v2.0/",
    ] {
        assert!(auth::discovery::is_versioned(url), "{url}");
    }
    for url in [
        "http://h:9292",
        "http://h:9292/",
        "http://h/image",
        "http://v2",
        "http://h/apiv2",
    ] {
        assert!(!auth::discovery::is_versioned(url), "{url}");
    }
}

fn session(auth_url: &str) -> Session {
    Session::new(SessionConfig {
        auth_url: auth_url.into(),
        credentials: Credentials::Password {
            user: alice(),
            password: "alice-lab-secret".into(),
            scope: alpha(),
        },
        service_type: "image".into(),
        api_version: 2,
        region_name: Some("RegionTwo".into()),
        interface: Interface::Public,
        endpoint_override: None,
    })
}

/// Answers the session's next request with `number`'s response, checking
/// the request line.
fn answer(session: &Session, now: SystemTime, method: &str, uri: &str, number: &str) {
    let Step::Send(login) = session.poll(now).unwrap() else {
        panic!("expected a request for {uri}")
    };
    let (request, pending) = login.into_parts();
    assert_eq!(
        (
            request.method().as_str(),
            request.uri().to_string().as_str()
        ),
        (method, uri)
    );
    session
        .accept(pending, exchange(number).http_response(), now)
        .unwrap();
}

fn ready(session: &Session, now: SystemTime) -> auth::Authorized {
    match session.poll(now).unwrap() {
        Step::Ready(authorized) => authorized,
        Step::Send(login) => panic!("expected to be ready, asked to send {login:?}"),
    }
}

#[test]
fn session_discovers_logs_in_and_renews() {
    let issued = UNIX_EPOCH + Duration::from_secs(1_796_173_142); // 00:59:02Z
    let session = session("http://127.0.0.1:15000");
    answer(&session, issued, "GET", "http://127.0.0.1:15000/", "01");
    answer(
        &session,
        issued,
        "POST",
        "http://127.0.0.1:15000/v3/auth/tokens",
        "03",
    );
    answer(&session, issued, "GET", "http://localhost:19595/", "21");
    let authorized = ready(&session, issued);
    assert_eq!(authorized.service_root(), "http://localhost:19595/v2");
    assert_eq!(
        authorized.token().expose(),
        exchange("03").response.header("X-Subject-Token").unwrap()
    );
    let mut request = http::Request::new(Vec::<u8>::new());
    authorized.authorize(&mut request).unwrap();
    assert!(request.headers()["x-auth-token"].is_sensitive());
    assert_eq!(session.logins(), 1);

    // Ready without more requests until two minutes before expiry...
    ready(&session, issued + Duration::from_secs(3600 - 121));
    // ...then it logs in again (identity and image roots are kept).
    let late = issued + Duration::from_secs(3600 - 119);
    answer(
        &session,
        late,
        "POST",
        "http://127.0.0.1:15000/v3/auth/tokens",
        "03",
    );
    assert_eq!(session.reauthentications(), 1);
    // (The recording answers with the same expiry, so go back in time.)
    let current = ready(&session, issued);

    // A 401 for an older token keeps the current one; one for the current
    // token forgets it, and the next poll logs in.
    session.unauthorized(&authorized);
    assert!(matches!(session.poll(issued).unwrap(), Step::Ready(_)));
    session.unauthorized(&current);
    answer(
        &session,
        issued,
        "POST",
        "http://127.0.0.1:15000/v3/auth/tokens",
        "03",
    );
    let newest = ready(&session, issued);
    assert_eq!(session.reauthentications(), 2);
    // Debug never shows the password or the token.
    let printed = format!("{session:?} {newest:?}");
    assert!(
        !printed.contains("alice-lab-secret") && !printed.contains(newest.token().expose()),
        "{printed}"
    );
}

#[test]
fn session_reports_refusals_and_catalog_gaps() {
    let now = SystemTime::now();
    let session = session(AUTH_URL);
    let Step::Send(login) = session.poll(now).unwrap() else {
        panic!()
    };
    assert_eq!(
        format!("{login:?}"),
        "LoginRequest(POST http://127.0.0.1:15000/v3/auth/tokens)"
    );
    let (_, pending) = login.into_parts();
    let error = session
        .accept(pending, exchange("14").http_response(), now)
        .unwrap_err();
    assert!(matches!(error, Error::Auth(AuthError::Refused(_))));
    assert_eq!(session.logins(), 0);

    let Step::Send(login) = session.poll(now).unwrap() else {
        panic!()
    };
    let (_, pending) = login.into_parts();
    let error = pending.unreachable(std::io::Error::other("connection refused"));
    assert_eq!(
        error.to_string(),
        "login: cannot reach http://127.0.0.1:15000/v3: connection refused"
    );

    // An unscoped token has no catalog: the image service is missing.
    let Step::Send(login) = session.poll(now).unwrap() else {
        panic!()
    };
    let (_, pending) = login.into_parts();
    let mut response = exchange("09").http_response();
    response
        .headers_mut()
        .insert("x-subject-token", "t".parse().unwrap());
    session.accept(pending, response, now).unwrap();
    let error = session
        .poll(UNIX_EPOCH + Duration::from_secs(1_796_173_142))
        .unwrap_err();
    assert!(
        matches!(error, Error::Auth(AuthError::EndpointNotFound(_))),
        "{error:?}"
    );
}

fn rackspace_document() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/rackspace/access-apikey.json"
    ))
    .unwrap()
}

#[test]
fn rackspace_api_key_login() {
    let credentials = Credentials::RackspaceApiKey {
        username: "demoauthor".into(),
        api_key: Secret::new("a4bbc55a951242c48b03e88e32123456"),
    };
    let operation = auth::token_request(
        "https://identity.api.rackspacecloud.com/v2.0/",
        &credentials,
    )
    .unwrap();
    let request = operation.request();
    assert_eq!(
        request.uri(),
        "https://identity.api.rackspacecloud.com/v2.0/tokens"
    );
    assert_eq!(request.method(), "POST");
    assert_eq!(request.headers()["accept"], "application/json");
    let body: serde_json::Value = serde_json::from_slice(request.body()).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"auth": {"RAX-KSKEY:apiKeyCredentials": {"username": "demoauthor", "apiKey": "a4bbc55a951242c48b03e88e32123456"}}})
    );
    assert!(!format!("{credentials:?}").contains("a4bbc55a951242c48b03e88e32123456"));

    let response = http::Response::builder()
        .status(200)
        .body(rackspace_document())
        .unwrap();
    let token = operation.decode(response).unwrap();
    assert_eq!(token.secret().expose(), "ab48a9efdfedb23ty3494");
    assert_eq!(token.project_id.as_deref(), Some("1100111"));
    assert_eq!(token.default_region.as_deref(), Some("DFW"));
    let image = |region| {
        token
            .catalog
            .endpoint("image", region, Interface::Public)
            .map(|endpoint| endpoint.url.clone())
    };
    assert_eq!(
        image(Some("IAD")).unwrap(),
        "https://iad.images.api.rackspacecloud.com/v2"
    );
    assert_eq!(
        image(None).unwrap(),
        "https://iad.images.api.rackspacecloud.com/v2"
    );
    let files = token
        .catalog
        .endpoint("object-store", Some("DFW"), Interface::Internal)
        .unwrap();
    assert_eq!(
        files.url,
        "https://snet-storage101.dfw1.clouddrive.com/v1/MossoCloudFS_x"
    );
    let error = token
        .catalog
        .endpoint("image", Some("ORD"), Interface::Internal)
        .unwrap_err();
    assert_eq!(error.regions.iter().collect::<Vec<_>>(), ["DFW", "IAD"]);
    assert_eq!(
        error.interfaces.iter().collect::<Vec<_>>(),
        [&Interface::Public]
    );
    // Two compute services: the first with a matching endpoint is used.
    let compute = token
        .catalog
        .endpoint("compute", Some("DFW"), Interface::Public)
        .unwrap();
    assert_eq!(
        compute.url,
        "https://dfw.servers.api.rackspacecloud.com/v2/1100111"
    );

    let refusal = http::Response::builder()
        .status(401)
        .header("content-type", "application/json")
        .body(
            br#"{"unauthorized": {"code": 401, "message": "Username or api key is invalid."}}"#
                .to_vec(),
        )
        .unwrap();
    let error = operation.decode(refusal).unwrap_err();
    let Error::Auth(AuthError::Refused(refusal)) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(refusal.message, "Username or api key is invalid.");
}

#[test]
fn rackspace_session_uses_the_default_region_and_no_discovery() {
    let session = Session::new(SessionConfig {
        auth_url: "https://identity.api.rackspacecloud.com/v2.0/".into(),
        credentials: Credentials::RackspaceApiKey {
            username: "demoauthor".into(),
            api_key: "k".into(),
        },
        service_type: "image".into(),
        api_version: 2,
        region_name: None,
        interface: Interface::Public,
        endpoint_override: None,
    });
    let before_expiry = UNIX_EPOCH + Duration::from_secs(1_778_090_000); // 2026-05-06T17:53:20Z
    let Step::Send(login) = session.poll(before_expiry).unwrap() else {
        panic!()
    };
    let (request, pending) = login.into_parts();
    assert_eq!(
        request.uri(),
        "https://identity.api.rackspacecloud.com/v2.0/tokens"
    );
    let response = http::Response::builder()
        .status(200)
        .body(rackspace_document())
        .unwrap();
    session.accept(pending, response, before_expiry).unwrap();
    let authorized = ready(&session, before_expiry);
    assert_eq!(
        authorized.service_root(),
        "https://dfw.images.api.rackspacecloud.com/v2"
    );
}

#[test]
fn a_token_already_inside_the_renewal_margin_is_used_once_not_renewed_forever() {
    let session = session(AUTH_URL);
    // 56: issued 00:59:14, expires 00:59:38 (capped by its credential).
    let token = auth::token_request(
        AUTH_URL,
        &Credentials::Token {
            token: "t".into(),
            scope: alpha(),
        },
    )
    .unwrap()
    .decode(exchange("56").http_response())
    .unwrap();
    let expires = token.expires_at.unwrap();
    let now = expires - Duration::from_secs(2);
    answer(
        &session,
        now,
        "POST",
        "http://127.0.0.1:15000/v3/auth/tokens",
        "56",
    );
    // Its catalog has the image service in RegionTwo: discovery, then ready.
    answer(&session, now, "GET", "http://localhost:19595/", "21");
    ready(&session, now);
    // The next request renews it.
    assert!(matches!(session.poll(now).unwrap(), Step::Send(_)));
}

#[test]
fn domain_scope_and_ids_in_the_body() {
    let credentials = Credentials::Password {
        user: UserRef::Name {
            name: "alice".into(),
            domain: DomainRef::Id("default".into()),
        },
        password: "pw".into(),
        scope: Scope::Domain(DomainRef::Name("Default".into())),
    };
    let operation = auth::token_request("http://k:5000/v3/", &credentials).unwrap();
    assert_eq!(operation.request().uri(), "http://k:5000/v3/auth/tokens");
    let body: serde_json::Value = serde_json::from_slice(operation.request().body()).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"auth": {
            "identity": {"methods": ["password"], "password": {"user": {"name": "alice", "domain": {"id": "default"}, "password": "pw"}}},
            "scope": {"domain": {"name": "Default"}}
        }})
    );
    // Rackspace credentials are not a Keystone v3 method.
    let rackspace = Credentials::RackspaceApiKey {
        username: "u".into(),
        api_key: "k".into(),
    };
    assert!(matches!(
        auth::keystone::token_request("http://k/v3", &rackspace),
        Err(Error::InvalidRequest(_))
    ));
}
