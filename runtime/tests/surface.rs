//! The discovery, info, cache and locations calls, offline: the requests
//! they build, and the bodies a real Glance 33 sent (recorded in
//! `tests/fixtures/surface/` and `tests/fixtures/versions/`) decoded and
//! encoded back without losing a byte of meaning.

use std::path::PathBuf;

use cloud_images_runtime::{
    Api, CacheClearTarget, Error, ImportMethodName, LocationAdd, LocationDigest, QuotaUsage,
    StoreType, VersionStatus,
};
use http::{Response, StatusCode};
use serde_json::{Value, json};

fn api() -> Api {
    Api::new("http://127.0.0.1:9292/image").unwrap()
}

fn fixture(path: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(path);
    std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn response(status: u16, body: &[u8]) -> Response<Vec<u8>> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(body.to_vec())
        .unwrap()
}

/// Encoding the decoded value gives back the same JSON as was sent.
fn assert_round_trip<T: serde::Serialize>(decoded: &T, sent: &[u8]) {
    let sent: Value = serde_json::from_slice(sent).unwrap();
    assert_eq!(serde_json::to_value(decoded).unwrap(), sent);
}

#[test]
fn requests_have_the_documented_method_path_and_headers() {
    let api = api();
    let cases = [
        (api.get_versions().unwrap().into_request(), "GET", "/image/"),
        (
            api.get_import_info().unwrap().into_request(),
            "GET",
            "/image/v2/info/import",
        ),
        (
            api.list_stores().unwrap().into_request(),
            "GET",
            "/image/v2/info/stores",
        ),
        (
            api.list_stores_detail().unwrap().into_request(),
            "GET",
            "/image/v2/info/stores/detail",
        ),
        (
            api.get_usage().unwrap().into_request(),
            "GET",
            "/image/v2/info/usage",
        ),
        (
            api.get_cache_state().unwrap().into_request(),
            "GET",
            "/image/v2/cache",
        ),
        (
            api.queue_image_for_cache("i 1").unwrap().into_request(),
            "PUT",
            "/image/v2/cache/i%201",
        ),
        (
            api.delete_cached_image("i1").unwrap().into_request(),
            "DELETE",
            "/image/v2/cache/i1",
        ),
        (
            api.delete_image_from_store("archive", "i1")
                .unwrap()
                .into_request(),
            "DELETE",
            "/image/v2/stores/archive/i1",
        ),
        (
            api.list_locations("i1").unwrap().into_request(),
            "GET",
            "/image/v2/images/i1/locations",
        ),
    ];
    for (request, method, path) in cases {
        assert_eq!(request.method(), method, "{path}");
        assert_eq!(request.uri().path(), path);
        assert!(request.body().is_empty(), "{path}");
    }
}

#[test]
fn path_templates_name_the_ids() {
    let api = api();
    assert_eq!(
        api.delete_image_from_store("fs", "abc")
            .unwrap()
            .path_template(),
        "/v2/stores/{store_id}/{image_id}"
    );
    assert_eq!(
        api.queue_image_for_cache("abc").unwrap().path_template(),
        "/v2/cache/{image_id}"
    );
    assert!(api.queue_image_for_cache("abc").unwrap().is_repeatable());
    let add = api
        .add_location("abc", &LocationAdd::new("rbd://x/y"))
        .unwrap();
    assert_eq!(add.path_template(), "/v2/images/{image_id}/locations");
    assert!(!add.is_repeatable(), "a POST is never sent twice");
}

#[test]
fn clear_cache_sends_its_target_in_a_header() {
    for (target, header) in [
        (CacheClearTarget::Both, None),
        (CacheClearTarget::Cache, Some("cache")),
        (CacheClearTarget::Queue, Some("queue")),
    ] {
        let request = api().clear_cache(target).unwrap().into_request();
        assert_eq!(request.method(), "DELETE");
        assert_eq!(request.uri().path(), "/image/v2/cache");
        assert_eq!(
            request
                .headers()
                .get("x-image-cache-clear-target")
                .map(|value| value.to_str().unwrap()),
            header
        );
    }
}

#[test]
fn upload_to_a_store_names_it_in_a_header() {
    let request = api()
        .upload_image_to_store("i1", "archive", b"data".to_vec())
        .unwrap()
        .into_request();
    assert_eq!(request.method(), "PUT");
    assert_eq!(request.uri().path(), "/image/v2/images/i1/file");
    assert_eq!(request.headers()["x-image-meta-store"], "archive");
    assert_eq!(
        request.headers()["content-type"],
        "application/octet-stream"
    );
    assert_eq!(request.body(), b"data");
    assert!(matches!(
        api().upload_image_to_store("i1", "bad\nstore", Vec::new()),
        Err(Error::InvalidRequest(_))
    ));
}

#[test]
fn add_location_body() {
    let plain = api()
        .add_location("i1", &LocationAdd::new("rbd://fsid/pool/i1/snap"))
        .unwrap();
    let body: Value = serde_json::from_slice(plain.request().body()).unwrap();
    assert_eq!(body, json!({"url": "rbd://fsid/pool/i1/snap"}));
    let checked = LocationAdd {
        validation_data: Some(LocationDigest {
            os_hash_algo: "sha256".into(),
            os_hash_value: "ab".repeat(32),
        }),
        ..LocationAdd::new("rbd://fsid/pool/i1/snap")
    };
    let operation = api().add_location("i1", &checked).unwrap();
    let body: Value = serde_json::from_slice(operation.request().body()).unwrap();
    assert_eq!(
        body["validation_data"],
        json!({"os_hash_algo": "sha256", "os_hash_value": "ab".repeat(32)})
    );
    // Glance answers 202 with an empty text/html body.
    let accepted = Response::builder()
        .status(202)
        .header("content-type", "text/html; charset=UTF-8")
        .body(Vec::new())
        .unwrap();
    operation.decode(accepted).unwrap();
}

#[test]
fn versions_are_decoded_from_the_300() {
    let body = fixture("versions/glance-root-300.json");
    let versions = api()
        .get_versions()
        .unwrap()
        .decode(response(300, &body))
        .unwrap();
    assert_eq!(versions.versions.len(), 19);
    let current = versions.current().unwrap();
    assert_eq!(current.id, "v2.18");
    assert_eq!(current.self_href(), Some("http://127.0.0.1:19595/v2/"));
    assert!(
        versions.versions[1..]
            .iter()
            .all(|version| version.status == VersionStatus::Supported)
    );
    assert_round_trip(&versions, &body);
    // `/versions` answers the same body with 200.
    api()
        .get_versions()
        .unwrap()
        .decode(response(200, &body))
        .unwrap();
}

#[test]
fn a_newer_version_document_is_kept_whole() {
    let body = br#"{"versions": [{"id": "v3.0", "status": "EXPERIMENTAL", "min_version": "3.0", "links": [{"rel": "self", "href": "/v3/", "type": "x"}]}, {"id": "v2.19", "status": "PREVIEW"}], "default": "v2"}"#;
    let versions = api()
        .get_versions()
        .unwrap()
        .decode(response(300, body))
        .unwrap();
    assert_eq!(versions.versions[0].status, VersionStatus::Experimental);
    assert_eq!(
        versions.versions[1].status,
        VersionStatus::Other("PREVIEW".into())
    );
    assert!(!versions.versions[1].status.is_known());
    assert_eq!(versions.versions[1].links, None, "absent stays absent");
    assert_eq!(
        versions.additional_properties.get_str("default"),
        Some("v2")
    );
    assert_round_trip(&versions, body);
}

#[test]
fn import_info() {
    let body = fixture("surface/info-import.json");
    let info = api()
        .get_import_info()
        .unwrap()
        .decode(response(200, &body))
        .unwrap();
    let methods = &info.import_methods;
    assert_eq!(
        methods.value,
        [
            ImportMethodName::GlanceDirect,
            ImportMethodName::WebDownload,
            ImportMethodName::CopyImage
        ]
    );
    assert!(methods.offers(&ImportMethodName::CopyImage));
    assert!(!methods.offers(&ImportMethodName::GlanceDownload));
    assert_eq!(methods.value_type.as_deref(), Some("array"));
    assert_round_trip(&info, &body);

    let newer = br#"{"import-methods": {"value": ["glance-direct", "s3-pull"], "min": 1}, "boundaries": {}}"#;
    let info = api()
        .get_import_info()
        .unwrap()
        .decode(response(200, newer))
        .unwrap();
    assert_eq!(
        info.import_methods.value[1],
        ImportMethodName::Other("s3-pull".into())
    );
    assert_round_trip(&info, newer);
}

#[test]
fn stores_and_their_string_flags() {
    let body = fixture("surface/info-stores.json");
    let stores = api()
        .list_stores()
        .unwrap()
        .decode(response(200, &body))
        .unwrap();
    let ids: Vec<&str> = stores
        .stores
        .iter()
        .map(|store| store.id.as_str())
        .collect();
    assert_eq!(ids, ["fs", "archive"]);
    assert_eq!(
        stores.default_store().map(|store| store.id.as_str()),
        Some("fs")
    );
    assert!(!stores.get("archive").unwrap().is_default());
    assert!(!stores.get("fs").unwrap().is_read_only());
    assert_eq!(
        stores.get("fs").unwrap().store_type,
        None,
        "the list has no type"
    );
    assert_round_trip(&stores, &body);
}

#[test]
fn store_details() {
    let body = fixture("surface/info-stores-detail.json");
    let stores = api()
        .list_stores_detail()
        .unwrap()
        .decode(response(200, &body))
        .unwrap();
    for store in &stores.stores {
        assert_eq!(store.store_type, Some(StoreType::File));
        assert_eq!(store.weight, Some(0));
        let properties = store.properties.as_ref().unwrap();
        assert!(properties.get_str("data_dir").unwrap().ends_with(&store.id));
        assert_eq!(
            properties.get("chunk_size").unwrap().to_value(),
            json!(65536)
        );
    }
    assert_round_trip(&stores, &body);

    // An http store is read-only; a swift store's container may be null;
    // a driver this crate does not know keeps its name.
    let other = br#"{"stores": [{"id": "web", "read-only": "true", "type": "http", "properties": {}, "weight": 0}, {"id": "objects", "default": true, "type": "swift", "properties": {"container": null}}, {"id": "tape", "type": "tape", "default": 1}]}"#;
    let stores = api()
        .list_stores_detail()
        .unwrap()
        .decode(response(200, other))
        .unwrap();
    assert!(stores.stores[0].is_read_only());
    assert!(
        stores.stores[1].is_default(),
        "a boolean flag is accepted too"
    );
    assert_eq!(
        stores.stores[2].store_type,
        Some(StoreType::Other("tape".into()))
    );
    assert!(
        !stores.stores[2].is_default(),
        "a flag of another type is kept, and not true"
    );
    assert_round_trip(&stores, other);
}

#[test]
fn usage_empty_and_filled() {
    let body = fixture("surface/info-usage.json");
    let usage = api()
        .get_usage()
        .unwrap()
        .decode(response(200, &body))
        .unwrap();
    assert!(
        usage.usage.is_empty(),
        "the lab runs without keystone limits"
    );
    assert_round_trip(&usage, &body);

    // The shape Glance 33's `get_usage` writes with `use_keystone_limits` on
    // (from its code; the lab does not run that way).
    let filled = br#"{"usage": {"image_size_total": {"usage": 1, "limit": 1000}, "image_stage_total": {"usage": 0, "limit": 1000}, "image_count_total": {"usage": 3, "limit": 100}, "image_count_uploading": {"usage": 0, "limit": -1}}}"#;
    let usage = api()
        .get_usage()
        .unwrap()
        .decode(response(200, filled))
        .unwrap();
    let count = &usage.usage[QuotaUsage::IMAGE_COUNT_TOTAL];
    assert_eq!((count.usage, count.limit), (3, 100));
    assert_eq!(usage.usage[QuotaUsage::IMAGE_COUNT_UPLOADING].limit, -1);
    assert_round_trip(&usage, filled);
}

#[test]
fn cache_state() {
    let body = fixture("surface/cache-state.json");
    let state = api()
        .get_cache_state()
        .unwrap()
        .decode(response(200, &body))
        .unwrap();
    assert_eq!(state.cached_images.len(), 2);
    assert!(state.queued_images.is_empty());
    let second = &state.cached_images[1];
    assert!(state.is_cached(&second.image_id));
    assert_eq!(second.size, Some(70000));
    assert_eq!(second.hits, Some(1));
    assert_eq!(second.checksum, Some(None), "null stays null");
    assert!(second.last_accessed.unwrap() > 1.7e9);
    assert_round_trip(&state, &body);

    let body = fixture("surface/cache-state-queued.json");
    let state = api()
        .get_cache_state()
        .unwrap()
        .decode(response(200, &body))
        .unwrap();
    assert!(state.cached_images.is_empty());
    assert_eq!(state.queued_images.len(), 2);
    assert!(state.is_queued("24ea4c0b-58d8-4acb-a2bc-796bcba90689"));
    assert!(!state.is_cached("24ea4c0b-58d8-4acb-a2bc-796bcba90689"));
    assert_round_trip(&state, &body);

    let newer = br#"{"cached_images": [{"image_id": "a", "node": "n1"}], "queued_images": ["b"], "nodes": 2}"#;
    let state = api()
        .get_cache_state()
        .unwrap()
        .decode(response(200, newer))
        .unwrap();
    assert!(state.is_queued("b"));
    assert_eq!(state.cached_images[0].checksum, None, "absent stays absent");
    assert_round_trip(&state, newer);
}

#[test]
fn image_locations() {
    let body = fixture("surface/image-locations.json");
    let locations = api()
        .list_locations("i1")
        .unwrap()
        .decode(response(200, &body))
        .unwrap();
    let stores: Vec<&Value> = locations
        .iter()
        .map(|location| &location.metadata["store"])
        .collect();
    assert_eq!(stores, [&json!("archive"), &json!("fs")]);
    assert!(
        locations
            .iter()
            .all(|location| location.url.starts_with("file:///"))
    );
    assert_round_trip(&locations, &body);
}

#[test]
fn refusals_are_typed() {
    let forbidden = Response::builder()
        .status(StatusCode::FORBIDDEN)
        .header("content-type", "text/html; charset=UTF-8")
        .body(b"<html>\n <head>\n  <title>403 Forbidden</title>\n </head>\n <body>\n  <h1>403 Forbidden</h1>\n  You are not authorized to complete cache_list action.<br /><br />\n\n\n\n </body>\n</html>".to_vec())
        .unwrap();
    match api().get_cache_state().unwrap().decode(forbidden) {
        Err(Error::Forbidden(error)) => {
            assert_eq!(
                error.message,
                "You are not authorized to complete cache_list action."
            )
        }
        other => panic!("expected Forbidden, got {other:?}"),
    }
}

/// A service's token sent beside the user's, as the locations API wants,
/// is a secret like the user's: kept out of `Debug`.
#[test]
fn a_service_token_is_sensitive() {
    let api = api()
        .with_token("user-secret")
        .unwrap()
        .with_header("X-Service-Token", "service-secret")
        .unwrap();
    let operation = api.list_locations("i1").unwrap();
    let headers = operation.request().headers();
    assert!(headers["x-service-token"].is_sensitive());
    let debug = format!("{operation:?}");
    assert!(
        !debug.contains("service-secret") && !debug.contains("user-secret"),
        "{debug}"
    );
}
