//! Error responses recorded from Glance 33, decoded into typed errors.

mod common;

use cloud_images_runtime::{Api, ApiError, Error};
use http::{HeaderMap, StatusCode};

fn decode(tag: &str) -> Error {
    let exchange = common::exchange(tag);
    let response = exchange.http_response();
    Error::from_response(response.status(), response.headers(), response.body())
}

fn api_error(error: &Error) -> &ApiError {
    error
        .api_error()
        .unwrap_or_else(|| panic!("not a service error: {error:?}"))
}

/// The variant each status must produce.
fn variant_matches(status: u16, error: &Error) -> bool {
    match status {
        400 => matches!(error, Error::BadRequest(_)),
        401 => matches!(error, Error::Unauthorized(_)),
        403 => matches!(error, Error::Forbidden(_)),
        404 => matches!(error, Error::NotFound(_)),
        405 => matches!(error, Error::MethodNotAllowed(_)),
        409 => matches!(error, Error::Conflict(_)),
        413 => matches!(error, Error::PayloadTooLarge(_)),
        415 => matches!(error, Error::UnsupportedMediaType { .. }),
        500..=599 => matches!(error, Error::ServerError(_)),
        _ => matches!(error, Error::Other(_)),
    }
}

#[test]
fn every_recorded_error_decodes_to_its_variant_with_a_clean_message() {
    let mut checked = 0;
    for exchange in common::all()
        .into_iter()
        .filter(|exchange| exchange.status() >= 400)
    {
        let tag = &exchange.tag;
        let response = exchange.http_response();
        let error = Error::from_response(response.status(), response.headers(), response.body());
        assert!(
            variant_matches(exchange.status(), &error),
            "{tag}: {error:?}"
        );
        let api = api_error(&error);
        assert_eq!(api.status.as_u16(), exchange.status(), "{tag}");
        assert_eq!(
            api.request_id.as_deref(),
            exchange.response.header("x-openstack-request-id"),
            "{tag}"
        );
        let message = &api.message;
        assert!(!message.is_empty(), "{tag}");
        assert!(!message.contains("<br"), "{tag}: {message}");
        assert!(
            !message.contains('\n') && !message.contains("  "),
            "{tag}: {message:?}"
        );
        let status_line = format!(
            "{} {}",
            exchange.status(),
            response.status().canonical_reason().unwrap()
        );
        assert!(!message.starts_with(&status_line), "{tag}: {message}");
        if exchange.response.header("content-type") == Some("application/json") {
            // The JSON form: Glance's `message` without `<br />` and with
            // whitespace collapsed.
            let raw = exchange.response.json()["message"]
                .as_str()
                .unwrap()
                .to_owned();
            let expected = raw
                .replace("<br />", " ")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            assert_eq!(message, &expected, "{tag}");
        }
        checked += 1;
    }
    // a, d, e, f, g and h hold 100 refusals between them; all must be seen.
    assert!(checked >= 100, "only {checked} error exchanges found");
}

#[test]
fn d_31_unsupported_media_type_keeps_accept_patch() {
    match decode("d-31") {
        Error::UnsupportedMediaType {
            error,
            accept_patch,
        } => {
            assert_eq!(
                accept_patch.as_deref(),
                Some(
                    "application/openstack-images-v2.0-json-patch, application/openstack-images-v2.1-json-patch"
                )
            );
            assert_eq!(
                error.message,
                "The request media type application/json is not supported by this server. Image PATCH expects \
                 Content-Type one of: application/openstack-images-v2.0-json-patch, \
                 application/openstack-images-v2.1-json-patch"
            );
            assert_eq!(
                error.request_id.as_deref(),
                Some("req-4cac2fdf-0e0f-4679-aa77-335d9e29300e")
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn f_02_unsupported_media_type_of_an_upload_has_no_accept_patch() {
    match decode("f-02") {
        Error::UnsupportedMediaType {
            error,
            accept_patch,
        } => {
            assert_eq!(accept_patch, None);
            assert_eq!(
                error.message,
                "The request media type application/json is not supported by this server. Invalid content type \
                 application/json"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn error_display_names_status_message_and_accepted_media_types() {
    let text = decode("d-31").to_string();
    assert!(
        text.starts_with("415 Unsupported Media Type: The request media type"),
        "{text}"
    );
    assert!(text.ends_with("(Accept-Patch: application/openstack-images-v2.0-json-patch, application/openstack-images-v2.1-json-patch)"), "{text}");
    assert_eq!(
        decode("d-58").to_string(),
        "404 Not Found: No image found with ID 00000000-0000-0000-0000-000000000000"
    );
}

#[test]
fn d_63_and_d_64_plain_text_bodies_lose_the_status_line() {
    for tag in ["d-63", "d-64"] {
        let error = decode(tag);
        assert!(matches!(error, Error::Forbidden(_)), "{tag}");
        assert_eq!(
            error.message(),
            Some("Attribute 'id' is read-only."),
            "{tag}"
        );
    }
}

#[test]
fn f_11_plain_text_download_refusal() {
    let error = decode("f-11");
    assert!(matches!(error, Error::Forbidden(_)));
    assert_eq!(
        error.message(),
        Some("The requested image has been deactivated. Image data download is forbidden.")
    );
}

#[test]
fn html_bodies_lose_head_heading_tags_and_entities() {
    // The body webob writes when the request's Accept prefers text/html
    // (for example `*/*`): its HTML template around the same explanation as
    // d-63, HTML-escaped. Not in the transcripts, which never asked for HTML.
    let body = "<html>\n <head>\n  <title>403 Forbidden</title>\n </head>\n <body>\n  <h1>403 Forbidden</h1>\n  \
                Attribute &#x27;id&#x27; is read-only.<br /><br />\n\n\n\n </body>\n</html>";
    let mut headers = HeaderMap::new();
    headers.insert("content-type", "text/html; charset=UTF-8".parse().unwrap());
    let error = Error::from_response(StatusCode::FORBIDDEN, &headers, body.as_bytes());
    assert!(matches!(error, Error::Forbidden(_)));
    assert_eq!(error.message(), Some("Attribute 'id' is read-only."));

    // Without a content type the document is still recognised as HTML.
    let body = "<!DOCTYPE html><html><head><title>500 Internal Server Error</title></head><body>\
                <h1>500 Internal Server Error</h1>a &amp;&lt;b&gt; failed</body></html>";
    let error = Error::from_response(
        StatusCode::INTERNAL_SERVER_ERROR,
        &HeaderMap::new(),
        body.as_bytes(),
    );
    assert!(matches!(error, Error::ServerError(_)));
    assert_eq!(error.message(), Some("a &<b> failed"));
}

#[test]
fn json_message_keeps_angle_brackets_that_are_not_markup() {
    let body = br#"{"message": "Invalid value '<none>' for parameter 'x'<br /><br />\n", "code": "400 Bad Request", "title": "Bad Request"}"#;
    let error = Error::from_response(StatusCode::BAD_REQUEST, &HeaderMap::new(), body);
    assert_eq!(
        error.message(),
        Some("Invalid value '<none>' for parameter 'x'")
    );
}

#[test]
fn h_19_empty_body_gives_the_reason_phrase() {
    let error = decode("h-19");
    assert!(matches!(error, Error::MethodNotAllowed(_)));
    assert_eq!(error.message(), Some("Method Not Allowed"));
}

#[test]
fn recorded_refusals_of_each_kind() {
    let cases = [
        ("g-22", "Old and new sorting syntax cannot be combined"),
        (
            "d-62",
            "This server could not verify that you are authorized to access the document you requested. Either you \
             supplied the wrong credentials (e.g., bad password), or your browser does not understand how to supply \
             the credentials required.",
        ),
        ("d-66", "The method PUT is not allowed for this resource."),
        (
            "e-05",
            "Member tenantB is duplicated for image e271a900-0064-4475-b550-fc3c44896d1e",
        ),
        (
            "e-19",
            "Incorrect request: Status must be \"pending\", \"accepted\" or \"rejected\".",
        ),
        (
            "h-11",
            "The server has either erred or is incapable of performing the requested operation.",
        ),
        (
            "a-40",
            "Invalid value '-1' for parameter 'min_ram': Cannot be a negative value",
        ),
    ];
    for (tag, message) in cases {
        assert_eq!(decode(tag).message(), Some(message), "{tag}");
    }
}

#[test]
fn j_03_over_quota_is_payload_too_large() {
    // j-03 (replace /tags with 129 tags), copied from j_quotas.txt.
    let body = br#"{
  "message": "The limit has been exceeded on the number of allowed image tags. Attempted: 129, Maximum: 128<br /><br />\n\n\n",
  "code": "413 Request Entity Too Large",
  "title": "Request Entity Too Large"
}"#;
    let mut headers = HeaderMap::new();
    headers.insert("content-type", "application/json".parse().unwrap());
    let error = Error::from_response(StatusCode::PAYLOAD_TOO_LARGE, &headers, body);
    assert!(matches!(error, Error::PayloadTooLarge(_)));
    assert_eq!(
        error.message(),
        Some(
            "The limit has been exceeded on the number of allowed image tags. Attempted: 129, Maximum: 128"
        )
    );
}

#[test]
fn statuses_without_their_own_variant_are_other() {
    // h-15: GET /v2 answers 302; a decoder never treats it as success.
    let exchange = common::exchange("h-15");
    assert_eq!(exchange.status(), 302);
    let api = Api::new("http://127.0.0.1:9292").unwrap();
    let error = api
        .get_schema("image")
        .unwrap()
        .decode(exchange.http_response())
        .unwrap_err();
    assert!(
        matches!(&error, Error::Other(e) if e.status == StatusCode::FOUND),
        "{error:?}"
    );
    let error = Error::from_response(
        StatusCode::IM_A_TEAPOT,
        &HeaderMap::new(),
        b"short and stout",
    );
    assert!(matches!(&error, Error::Other(e) if e.message == "short and stout"));
}

#[test]
fn operation_decoders_return_the_typed_error() {
    let api = Api::new("http://127.0.0.1:9292").unwrap();
    let d58 = common::exchange("d-58").http_response();
    let error = api.get_image("x").unwrap().decode(d58.clone()).unwrap_err();
    assert!(matches!(error, Error::NotFound(_)));
    let error = api
        .delete_image("x")
        .unwrap()
        .decode(d58.clone())
        .unwrap_err();
    assert!(matches!(error, Error::NotFound(_)));
    let error = api.download_image("x").unwrap().decode(d58).unwrap_err();
    assert!(matches!(error, Error::NotFound(_)));
}

/// A base URL with a wrong prefix reaches Glance's version negotiation,
/// which answers 300 with its version document (the body Glance 33 sent to
/// `GET /`, `tests/fixtures/versions/glance-root-300.json`). That is a typed
/// error naming the v2 URL the document points to, not the 2 KB document.
#[test]
fn a_version_document_says_the_base_url_is_not_a_v2_root() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/versions/glance-root-300.json");
    let body = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let error = Error::from_response(StatusCode::MULTIPLE_CHOICES, &HeaderMap::new(), &body);
    let Error::NotV2Root(choices) = &error else {
        panic!("expected NotV2Root, got {error:?}");
    };
    assert_eq!(choices.versions.len(), 19);
    assert_eq!(choices.v2_url(), Some("http://127.0.0.1:19595/v2/"));
    assert_eq!(error.status(), Some(StatusCode::MULTIPLE_CHOICES));
    assert_eq!(
        error.to_string(),
        "the base URL is not the root of a Glance v2 API: the service answered 300 Multiple Choices \
         with its version document; its v2 API is at http://127.0.0.1:19595/v2/ \
         (use http://127.0.0.1:19595 as the base URL)"
    );

    // Keystone's form nests the list; it has no v2, and the message says so.
    let keystone = br#"{"versions": {"values": [{"id": "v3.14", "status": "stable",
        "links": [{"rel": "self", "href": "http://127.0.0.1:15000/v3/"}]}]}}"#;
    let error = Error::from_response(StatusCode::MULTIPLE_CHOICES, &HeaderMap::new(), keystone);
    assert!(
        error
            .to_string()
            .ends_with("which lists no v2 API: v3.14 (stable) at http://127.0.0.1:15000/v3/"),
        "{error}"
    );

    // A 300 without a version document stays an ordinary refusal.
    let error = Error::from_response(StatusCode::MULTIPLE_CHOICES, &HeaderMap::new(), b"choose");
    assert!(
        matches!(&error, Error::Other(api) if api.status == 300),
        "{error:?}"
    );
}
