//! End to end: every kind of `Error` the runtime returns, each produced by a
//! real call to a real Glance, with the typed variant and Glance's message
//! cleaned of its `<br />` markup.

mod e2e;

use std::collections::BTreeSet;

use cloud_images::{
    Image, ImagePatch, PATCH_MEDIA_TYPE_V2_0, PATCH_MEDIA_TYPE_V2_1, PatchMediaType, Rule,
    Violation,
};
use cloud_images_runtime::{ApiError, Error, ImageCreate, ImageListQuery, TransportErrorKind};
use cloud_images_tests::OWNER;
use e2e::rng::Rng;
use e2e::{Glance, Session};
use http::{Method, StatusCode, Uri};
use serde_json::json;

/// Glance's refusal, cleaned: no markup, no line breaks, no status line,
/// and the request id Glance sent.
#[track_caller]
fn assert_clean(error: &ApiError, status: u16) {
    assert_eq!(error.status, status, "{error}");
    for markup in ["<br", "\n", "\r", "  "] {
        assert!(
            !error.message.contains(markup),
            "the message still holds {markup:?}: {:?}",
            error.message
        );
    }
    assert_eq!(error.message.trim(), error.message, "trimmed");
    // Glance refuses a missing identity before it assigns a request id.
    if status != 401 {
        assert!(
            error
                .request_id
                .as_deref()
                .is_some_and(|id| id.starts_with("req-")),
            "x-openstack-request-id: {:?}",
            error.request_id
        );
    }
}

fn create(session: &Session, glance: &Glance, label: &str) -> String {
    glance
        .create_image(&ImageCreate {
            name: Some(session.unique(label)),
            ..ImageCreate::default()
        })
        .expect("create")
        .id
        .expect("id")
}

#[test]
fn glance_refusals_arrive_typed_and_clean() {
    let Some(session) = Session::start("glance_refusals_arrive_typed_and_clean") else {
        return;
    };
    let glance = session.client(OWNER);
    let mut rng = Rng::new(Rng::seed_from_env());
    let id = create(&session, &glance, "errors");

    // 403: a read-only property, sent raw since the builder cannot express it (d-02).
    let body = json!([{"op": "replace", "path": "/status", "value": "active"}]);
    match glance.update_image(&id, body, PATCH_MEDIA_TYPE_V2_1) {
        Err(Error::Forbidden(error)) => {
            assert_clean(&error, 403);
            assert_eq!(error.message, "Attribute 'status' is read-only.");
        }
        other => panic!("replace /status: {other:?}"),
    }

    // 409: replacing a custom property the image lacks (b-07).
    let missing = session.unique("missing");
    let patch = ImagePatch::builder()
        .replace_property(&missing, "x")
        .build()
        .expect("valid");
    match glance.patch_image(&id, &patch, PatchMediaType::V2_1) {
        Err(Error::Conflict(error)) => {
            assert_clean(&error, 409);
            assert_eq!(
                error.message,
                format!(
                    "There was a conflict when trying to complete your request. \
                     Property {missing} does not exist."
                )
            );
        }
        other => panic!("replace of a missing property: {other:?}"),
    }

    // 415: RFC 6902's own media type is not one Glance takes (d-32).
    let valid = json!([{"op": "replace", "path": "/min_ram", "value": 1}]);
    match glance.update_image(&id, valid, "application/json-patch+json") {
        Err(Error::UnsupportedMediaType {
            error,
            accept_patch,
        }) => {
            assert_clean(&error, 415);
            assert!(
                error.message.starts_with(
                    "The request media type application/json-patch+json is not supported by this server."
                ),
                "{}",
                error.message
            );
            let accepted: BTreeSet<&str> = accept_patch
                .as_deref()
                .expect("an Accept-Patch header")
                .split(',')
                .map(str::trim)
                .collect();
            assert_eq!(
                accepted,
                BTreeSet::from([PATCH_MEDIA_TYPE_V2_0, PATCH_MEDIA_TYPE_V2_1])
            );
        }
        other => panic!("json-patch+json: {other:?}"),
    }

    // 400: a value of the wrong type, sent raw (d-41).
    let body = json!([{"op": "replace", "path": "/min_ram", "value": "abc"}]);
    match glance.update_image(&id, body, PATCH_MEDIA_TYPE_V2_1) {
        Err(Error::BadRequest(error)) => {
            assert_clean(&error, 400);
            assert!(
                error.message.starts_with(
                    "Provided object does not match schema 'image': 'abc' is not of type 'integer'"
                ),
                "{}",
                error.message
            );
        }
        other => panic!("min_ram \"abc\": {other:?}"),
    }

    // 413: one tag over the quota of 128; 128 itself is fine (j-02, j-03).
    let tags: Vec<String> = (0..129).map(|n| format!("tag-{n:03}")).collect();
    let at_quota = ImagePatch::builder()
        .replace_tags(&tags[..128])
        .build()
        .expect("valid");
    let image = glance
        .patch_image(&id, &at_quota, PatchMediaType::V2_1)
        .expect("128 tags");
    assert_eq!(image.tags.map(|tags| tags.len()), Some(128));
    let over = ImagePatch::builder()
        .replace_tags(&tags)
        .build()
        .expect("valid");
    match glance.patch_image(&id, &over, PatchMediaType::V2_1) {
        Err(Error::PayloadTooLarge(error)) => {
            assert_clean(&error, 413);
            assert_eq!(
                error.message,
                "The limit has been exceeded on the number of allowed image tags. \
                 Attempted: 129, Maximum: 128"
            );
        }
        other => panic!("129 tags: {other:?}"),
    }

    // 404: an image nobody has (a-02's counterpart, f-37).
    let unknown = rng.uuid();
    match glance.get_image(&unknown) {
        Err(Error::NotFound(error)) => {
            assert_clean(&error, 404);
            assert_eq!(error.message, format!("No image found with ID {unknown}"));
        }
        other => panic!("unknown image: {other:?}"),
    }

    // 401: no token at all (d-62).
    match session.anonymous().get_image(&id) {
        Err(Error::Unauthorized(error)) => {
            assert_clean(&error, 401);
            assert!(
                error.message.starts_with(
                    "This server could not verify that you are authorized to access the document you requested."
                ),
                "{}",
                error.message
            );
        }
        other => panic!("no token: {other:?}"),
    }

    // 403: deleting a protected image; it is still there afterwards.
    let protect = ImagePatch::builder()
        .replace_protected(true)
        .build()
        .expect("valid");
    glance
        .patch_image(&id, &protect, PatchMediaType::V2_1)
        .expect("protect");
    match glance.delete_image(&id) {
        Err(Error::Forbidden(error)) => {
            assert_clean(&error, 403);
            assert_eq!(
                error.message,
                format!("Image {id} is protected and cannot be deleted.")
            );
        }
        other => panic!("delete protected: {other:?}"),
    }
    assert!(glance.get_image(&id).is_ok(), "a protected image survives");
    let unprotect = ImagePatch::builder()
        .replace_protected(false)
        .build()
        .expect("valid");
    glance
        .patch_image(&id, &unprotect, PatchMediaType::V2_1)
        .expect("unprotect");
    glance.delete_image(&id).expect("delete");
}

/// 405: the runtime has no method Glance refuses, so an operation's request
/// is changed by hand, through `Operation::request_mut`, and sent with
/// `Client::execute`.
#[test]
fn methods_glance_does_not_allow_are_405() {
    let Some(session) = Session::start("methods_glance_does_not_allow_are_405") else {
        return;
    };
    let glance = session.client(OWNER);
    let id = create(&session, &glance, "method");
    // PUT on an image (d-66).
    let mut put = glance.api().get_image(&id).expect("operation");
    *put.request_mut().method_mut() = Method::PUT;
    match glance.execute(put) {
        Err(Error::MethodNotAllowed(error)) => {
            assert_clean(&error, 405);
            assert_eq!(
                error.message,
                "The method PUT is not allowed for this resource."
            );
        }
        other => panic!("PUT /v2/images/{{id}}: {other:?}"),
    }
    // HEAD gets 405 with no body: the message is the reason phrase (h-19).
    let mut head = glance.api().get_image(&id).expect("operation");
    *head.request_mut().method_mut() = Method::HEAD;
    match glance.execute(head) {
        Err(Error::MethodNotAllowed(error)) => {
            assert_eq!(error.status, StatusCode::METHOD_NOT_ALLOWED);
            assert_eq!(error.message, "Method Not Allowed");
        }
        other => panic!("HEAD /v2/images/{{id}}: {other:?}"),
    }
    glance.delete_image(&id).expect("delete");
}

/// The variants that do not come from a 4xx: a server error, an
/// unexpected status, a body that does not fit, a refused connection and a
/// request refused before sending.
#[test]
fn other_error_kinds_through_real_calls() {
    let Some(session) = Session::start("other_error_kinds_through_real_calls") else {
        return;
    };
    let glance = session.client(OWNER);

    // 500: Glance fails on a JSON array as the create body (a-42).
    let mut create = glance
        .api()
        .create_image(&ImageCreate::new())
        .expect("operation");
    *create.request_mut().body_mut() = b"[]".to_vec();
    match glance.execute(create) {
        Err(Error::ServerError(error)) => {
            assert_clean(&error, 500);
            assert_eq!(
                error.message,
                "The server has either erred or is incapable of performing the requested operation."
            );
        }
        other => panic!("create with []: {other:?}"),
    }

    // A base URL that is not a v2 root: Glance's version negotiation
    // answers 300 with its version document (h-14 records the same document
    // at `/versions`), a typed error pointing at the real v2 root.
    let root: Uri = format!("{}/", session.url()).parse().expect("a URI");
    let mut operation = glance.api().get_image("x").expect("operation");
    *operation.request_mut().uri_mut() = root;
    match glance.execute(operation) {
        Err(Error::NotV2Root(choices)) => {
            assert_eq!(
                choices.v2_url(),
                Some(format!("{}/v2/", session.url()).as_str())
            )
        }
        other => panic!("GET /: {other:?}"),
    }

    // A status that is neither success nor a refusal Glance documents is
    // `Other`: `/v2` redirects to `/v2/` (h-15), which the client must not
    // follow with the caller's headers.
    let uri: Uri = format!("{}/v2", session.url()).parse().expect("a URI");
    let mut operation = glance.api().get_image("x").expect("operation");
    *operation.request_mut().uri_mut() = uri;
    match glance.execute(operation) {
        Err(Error::Other(error)) => assert_eq!(error.status, StatusCode::FOUND, "/v2: {error}"),
        other => panic!("GET /v2: {other:?}"),
    }

    // A success whose body does not fit the type names the JSON path:
    // `/v2/info/stores` lists `stores` as an array, an image has a string.
    let stores: Uri = format!("{}/v2/info/stores", session.url())
        .parse()
        .expect("a URI");
    let mut as_image = glance.api().get_image("x").expect("operation");
    *as_image.request_mut().uri_mut() = stores;
    match glance.execute::<Image>(as_image) {
        Err(Error::Decode { path, message }) => {
            assert_eq!(path, "stores", "{message}");
        }
        other => panic!("stores decoded as an image: {other:?}"),
    }

    // Nothing listens on port 1.
    let nowhere = cloud_images_runtime::blocking::Client::new("http://127.0.0.1:1")
        .expect("a valid base URL");
    match nowhere.list_images(&ImageListQuery::new()) {
        Err(Error::Transport(error)) => {
            assert_eq!(error.kind(), TransportErrorKind::ConnectRefused, "{error}");
            assert!(!error.may_have_reached_server(), "{error}");
            assert!(
                error.url().starts_with("http://127.0.0.1:1/v2/images"),
                "{error}"
            );
        }
        other => panic!("a closed port: {other:?}"),
    }

    // Refused before sending: a property filter named like a parameter.
    let query = ImageListQuery::new().property("limit", "2");
    assert!(matches!(
        glance.list_images(&query),
        Err(Error::InvalidRequest(_))
    ));
}

/// Glance refuses characters beyond U+FFFF (4 bytes in UTF-8) in every
/// string of an image, a limit its schema does not state.
#[test]
fn four_byte_characters_are_refused() {
    let Some(session) = Session::start("four_byte_characters_are_refused") else {
        return;
    };
    let glance = session.client(OWNER);
    let id = create(&session, &glance, "four-byte");
    let cases = [
        (
            json!([{"op": "replace", "path": "/name", "value": "crab 🦀"}]),
            "Name can't contain 4 byte unicode characters.",
        ),
        (
            json!([{"op": "replace", "path": "/tags", "value": ["🦀"]}]),
            "Param values can't contain 4 byte unicode.",
        ),
        (
            json!([{"op": "add", "path": "/description", "value": "🦀"}]),
            "Description can't contain 4 byte unicode characters.",
        ),
        (
            json!([{"op": "add", "path": "/crab", "value": "🦀"}]),
            "Crab can't contain 4 byte unicode characters.",
        ),
        (
            json!([{"op": "add", "path": "/🦀", "value": "v"}]),
            "Property names can't contain 4 byte unicode.",
        ),
    ];
    for (body, message) in cases {
        match glance.update_image(&id, body.clone(), PATCH_MEDIA_TYPE_V2_1) {
            Err(Error::BadRequest(error)) => {
                assert_clean(&error, 400);
                assert_eq!(error.message, message, "{body}");
            }
            other => panic!("{body}: {other:?}"),
        }
    }
    // The builder and the create body refuse them before sending.
    let crab = '🦀';
    let refused = ImagePatch::builder()
        .replace_name(Some("crab 🦀"))
        .replace_tags(["🦀"])
        .add_description("🦀")
        .add_property("crab", "🦀")
        .add_property("🦀", "v")
        .build()
        .expect_err("4-byte characters");
    let properties: Vec<&str> = refused
        .violations()
        .iter()
        .inspect(|violation| {
            assert_eq!(violation.rule, Rule::FourByteCharacter { character: crab });
        })
        .map(|violation| violation.property.as_str())
        .collect();
    assert_eq!(properties, ["name", "tags", "description", "crab", "🦀"]);
    let create = ImageCreate {
        name: Some("crab 🦀".into()),
        ..ImageCreate::default()
    };
    match glance.create_image(&create) {
        Err(Error::InvalidBody(error)) => assert_eq!(
            error.violations(),
            [Violation {
                property: "name".into(),
                rule: Rule::FourByteCharacter { character: crab },
            }],
        ),
        other => panic!("a create with a 4-byte name: {other:?}"),
    }
    let image = glance.get_image(&id).expect("get");
    assert_eq!(
        image.tags,
        Some(vec![]),
        "none of the refused patches applied"
    );
    glance.delete_image(&id).expect("delete");
}
