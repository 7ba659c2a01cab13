//! Paging, base URLs with a path prefix, request bodies checked before
//! sending, task bodies and path encoding.

mod common;

use cloud_images::{ImageContainerFormat, ImageDiskFormat, ImageList, ImageVisibility, TaskList};
use cloud_images_runtime::{Api, Error, ImageCreate, ImageImport, ImportMethod, Page, TaskCreate};
use serde_json::json;

fn page(tag: &str) -> ImageList {
    serde_json::from_value(common::exchange(tag).response.json()).unwrap()
}

#[test]
fn g_06_next_link_is_the_g_07_request() {
    let api = Api::new("http://127.0.0.1:9292").unwrap();
    let next = api.next_page(&page("g-06")).unwrap().unwrap();
    assert_eq!(next.request().method(), "GET");
    assert_eq!(
        next.uri().path_and_query().unwrap().as_str(),
        common::exchange("g-07").target()
    );
    assert_eq!(next.request().headers()["accept"], "application/json");
}

#[test]
fn next_link_keeps_the_base_path_prefix() {
    for base in [
        "http://cloud.example/image",
        "http://cloud.example/image/",
        "http://cloud.example/image/v2",
    ] {
        let api = Api::new(base).unwrap();
        let next = api.next_page(&page("g-06")).unwrap().unwrap();
        assert_eq!(
            next.uri(),
            "http://cloud.example/image/v2/images?limit=2&marker=d789e7cb-f1e2-4336-879e-90f446a47d83",
            "{base}"
        );
        assert_eq!(
            api.get_image("x").unwrap().uri(),
            "http://cloud.example/image/v2/images/x",
            "{base}"
        );
    }
}

#[test]
fn g_24_next_link_with_encoded_filters_is_kept_as_sent() {
    // Glance encodes `:` and `,` in its own links (g-24's `first`).
    let api = Api::new("https://cloud.example:8443/image").unwrap();
    let list = ImageList {
        next: Some("/v2/images?name=in%3Apage-a%2Cpage-b&limit=1&marker=x".into()),
        ..ImageList::default()
    };
    let next = api.next_page(&list).unwrap().unwrap();
    assert_eq!(
        next.uri(),
        "https://cloud.example:8443/image/v2/images?name=in%3Apage-a%2Cpage-b&limit=1&marker=x"
    );
}

#[test]
fn g_17_last_page_has_no_next_request() {
    let api = Api::new("http://127.0.0.1:9292").unwrap();
    assert!(api.next_page(&page("g-17")).unwrap().is_none());
    assert_eq!(page("g-17").into_items().len(), 1);
}

#[test]
fn a_next_link_that_is_not_a_path_is_a_decode_error() {
    let api = Api::new("http://127.0.0.1:9292").unwrap();
    let list = ImageList {
        next: Some("images?marker=x".into()),
        ..ImageList::default()
    };
    assert!(matches!(api.next_page(&list), Err(Error::Decode { path, .. }) if path == "next"));
}

#[test]
fn task_list_next_link_comes_from_undeclared_keys() {
    let api = Api::new("http://h/image").unwrap();
    let list: TaskList = serde_json::from_value(json!({
        "tasks": [],
        "first": "/v2/tasks?limit=1",
        "next": "/v2/tasks?limit=1&marker=639992ff-dc06-40b5-936f-6cdcf8e040a0",
        "schema": "/v2/schemas/tasks"
    }))
    .unwrap();
    let next = api.next_page(&list).unwrap().unwrap();
    assert_eq!(
        next.uri(),
        "http://h/image/v2/tasks?limit=1&marker=639992ff-dc06-40b5-936f-6cdcf8e040a0"
    );
    let last: TaskList = serde_json::from_value(common::exchange("f-28").response.json()).unwrap();
    assert!(api.next_page(&last).unwrap().is_none());
}

#[test]
fn ids_are_encoded_as_one_path_segment() {
    let api = Api::new("http://h").unwrap();
    assert_eq!(
        api.get_image("a/b?c#d").unwrap().uri(),
        "http://h/v2/images/a%2Fb%3Fc%23d"
    );
    assert_eq!(
        api.get_member("img", "tenant B/ü").unwrap().uri(),
        "http://h/v2/images/img/members/tenant%20B%2F%C3%BC"
    );
    assert_eq!(
        api.get_task("t 1").unwrap().uri(),
        "http://h/v2/tasks/t%201"
    );
}

#[test]
fn schema_names_keep_their_slashes() {
    let api = Api::new("http://h").unwrap();
    assert_eq!(
        api.get_schema("images").unwrap().uri(),
        "http://h/v2/schemas/images"
    );
    assert_eq!(
        api.get_schema("metadefs/namespace").unwrap().uri(),
        "http://h/v2/schemas/metadefs/namespace"
    );
    for bad in ["", "/image", "metadefs//x"] {
        assert!(
            matches!(api.get_schema(bad), Err(Error::InvalidRequest(_))),
            "{bad:?}"
        );
    }
}

#[test]
fn token_and_extra_headers_go_with_every_request() {
    let api = Api::new("http://h")
        .unwrap()
        .with_token("tok")
        .unwrap()
        .with_header("X-Roles", "member,reader")
        .unwrap()
        .with_header("X-Roles", "admin")
        .unwrap();
    let operation = api
        .update_image(
            "x",
            json!([]),
            "application/openstack-images-v2.0-json-patch",
        )
        .unwrap();
    let headers = operation.request().headers();
    assert_eq!(headers["x-auth-token"], "tok");
    assert!(headers["x-auth-token"].is_sensitive());
    assert_eq!(
        headers.get_all("x-roles").iter().collect::<Vec<_>>(),
        ["admin"]
    );
    assert_eq!(
        headers["content-type"],
        "application/openstack-images-v2.0-json-patch"
    );
    assert_eq!(operation.request().body(), b"[]");
    // An `Accept` among the extra headers does not override the operation's.
    let api = api.with_header("Accept", "text/plain").unwrap();
    assert_eq!(
        api.get_image("x").unwrap().request().headers()["accept"],
        "application/json"
    );
}

#[test]
fn invalid_header_names_and_values_are_refused() {
    let api = Api::new("http://h").unwrap();
    assert!(matches!(
        api.clone().with_header("bad name", "v"),
        Err(Error::InvalidRequest(_))
    ));
    assert!(matches!(
        api.clone().with_token("line\nbreak"),
        Err(Error::InvalidRequest(_))
    ));
    assert!(matches!(
        api.update_image("x", json!([]), "bad\r\ntype"),
        Err(Error::InvalidRequest(_))
    ));
}

#[test]
fn image_create_refuses_what_glance_refuses() {
    let api = Api::new("http://h").unwrap();
    let cases: Vec<(ImageCreate, &str)> = vec![
        // a-06
        (
            ImageCreate {
                id: Some("not-a-uuid".into()),
                ..ImageCreate::new()
            },
            "`id`",
        ),
        // a-10
        (
            ImageCreate {
                kernel_id: Some("abc".into()),
                ..ImageCreate::new()
            },
            "`kernel_id`",
        ),
        // a-15
        (
            ImageCreate {
                name: Some("n".repeat(256)),
                ..ImageCreate::new()
            },
            "`name`: 256 characters",
        ),
        // a-39: unknown enum values
        (
            ImageCreate {
                disk_format: Some(ImageDiskFormat::from("qcow3")),
                ..ImageCreate::new()
            },
            "`disk_format`: `qcow3`",
        ),
        (
            ImageCreate {
                container_format: Some(ImageContainerFormat::from("tarball")),
                ..ImageCreate::new()
            },
            "`container_format`",
        ),
        (
            ImageCreate {
                visibility: Some(ImageVisibility::from("everyone")),
                ..ImageCreate::new()
            },
            "`visibility`",
        ),
        // b-28: at most 2^31-1
        (
            ImageCreate {
                min_ram: Some(1 << 31),
                ..ImageCreate::new()
            },
            "`min_ram`: 2147483648 is out of range",
        ),
        // A negative min_disk (a-40) cannot be written: the field is a `u64`.
        (
            ImageCreate {
                min_disk: Some(u64::MAX),
                ..ImageCreate::new()
            },
            "`min_disk`: 18446744073709551615 is out of range",
        ),
        // Glance refuses 4-byte UTF-8 characters in every string.
        (
            ImageCreate {
                tags: Some(vec!["ok".into(), "🚀".into()]),
                ..ImageCreate::new()
            },
            "`tags`: contains `🚀`",
        ),
        (
            ImageCreate::new().with_property("hw_disk_bus", "🚀"),
            "`hw_disk_bus`: contains `🚀`",
        ),
        (
            ImageCreate {
                tags: Some(vec!["t".repeat(256)]),
                ..ImageCreate::new()
            },
            "`tags`",
        ),
        // a-17, a-30, a-33
        (
            ImageCreate::new().with_property("status", "active"),
            "`status`: the key is reserved",
        ),
        (
            ImageCreate::new().with_property("location", "x"),
            "`location`: the key is reserved",
        ),
        (
            ImageCreate::new().with_property("os_glance_foo", "x"),
            "`os_glance_foo`: the key is reserved",
        ),
        // a-34: the overlay's `create.exclude`
        (
            ImageCreate::new().with_property("locations", "[]"),
            "`locations`: the key is reserved",
        ),
        (
            ImageCreate::new().with_property("name", "x"),
            "`name`: the key is a schema property",
        ),
        // a-36
        (
            ImageCreate::new().with_property("k".repeat(256), "x"),
            "the key has 256 characters",
        ),
    ];
    for (image, expected) in cases {
        let error = api.create_image(&image).unwrap_err();
        assert!(
            matches!(&error, Error::InvalidBody(_)) && error.to_string().contains(expected),
            "expected `{expected}` in {error}"
        );
    }
    // Several problems are reported together.
    let image = ImageCreate {
        id: Some("x".into()),
        min_disk: Some(u64::from(u32::MAX)),
        ..ImageCreate::new()
    };
    let Err(Error::InvalidBody(error)) = api.create_image(&image) else {
        panic!("an invalid id and min_disk must be refused before sending");
    };
    let properties: Vec<&str> = error
        .violations()
        .iter()
        .map(|v| v.property.as_str())
        .collect();
    assert_eq!(properties, ["id", "min_disk"]);
}

#[test]
fn image_create_accepts_the_limits() {
    let api = Api::new("http://h").unwrap();
    let image = ImageCreate {
        id: Some("11111111-2222-3333-4444-55555555AAAA".into()),
        // a-16: 255 characters is fine
        name: Some("n".repeat(255)),
        min_ram: Some(2_147_483_647),
        min_disk: Some(0),
        // a-37: an empty key is accepted by Glance
        ..ImageCreate::new()
    }
    .with_property("", "empty-key")
    .with_property("k".repeat(255), "v");
    let operation = api.create_image(&image).unwrap();
    let body: serde_json::Value = serde_json::from_slice(operation.request().body()).unwrap();
    assert_eq!(body["min_ram"], 2_147_483_647);
    assert_eq!(body[""], "empty-key");
    assert!(
        body.get("description").is_none(),
        "unset fields are not sent"
    );
}

#[test]
fn import_task_body() {
    let api = Api::new("http://h").unwrap();
    let task = TaskCreate::Import {
        import_from: "http://127.0.0.1:8000/cirros.qcow2".into(),
        import_from_format: ImageDiskFormat::Qcow2,
        image_properties: ImageCreate {
            name: Some("imported".into()),
            disk_format: Some(ImageDiskFormat::Qcow2),
            container_format: Some(ImageContainerFormat::Bare),
            ..ImageCreate::new()
        },
    };
    let operation = api.create_task(&task).unwrap();
    assert_eq!(operation.request().method(), "POST");
    assert_eq!(operation.uri(), "http://h/v2/tasks");
    assert_eq!(
        operation.request().headers()["content-type"],
        "application/json"
    );
    let body: serde_json::Value = serde_json::from_slice(operation.request().body()).unwrap();
    assert_eq!(
        body,
        json!({
            "type": "import",
            "input": {
                "import_from": "http://127.0.0.1:8000/cirros.qcow2",
                "import_from_format": "qcow2",
                "image_properties": {"name": "imported", "disk_format": "qcow2", "container_format": "bare"}
            }
        })
    );
}

#[test]
fn export_and_custom_task_bodies() {
    let export = TaskCreate::Export {
        image_uuid: "e271a900-0064-4475-b550-fc3c44896d1e".into(),
        receiving_swift_container: "exports".into(),
    };
    assert_eq!(
        export.to_body().unwrap(),
        json!({"type": "export", "input": {
            "image_uuid": "e271a900-0064-4475-b550-fc3c44896d1e",
            "receiving_swift_container": "exports"
        }})
    );
    let mut input = serde_json::Map::new();
    input.insert("image_id".into(), json!("x"));
    let custom = TaskCreate::Custom {
        task_type: "api_image_import".into(),
        input,
    };
    assert_eq!(
        custom.to_body().unwrap(),
        json!({"type": "api_image_import", "input": {"image_id": "x"}})
    );
}

#[test]
fn import_task_with_invalid_properties_is_refused() {
    let task = TaskCreate::Import {
        import_from: "x".into(),
        import_from_format: ImageDiskFormat::from("qcow3"),
        image_properties: ImageCreate::new(),
    };
    assert!(matches!(task.to_body(), Err(Error::InvalidRequest(_))));
    let task = TaskCreate::Import {
        import_from: "x".into(),
        import_from_format: ImageDiskFormat::Raw,
        image_properties: ImageCreate::new().with_property("status", "active"),
    };
    assert!(matches!(task.to_body(), Err(Error::InvalidBody(_))));
}

#[test]
fn image_import_bodies() {
    let web = ImageImport {
        stores: vec!["fs".into()],
        all_stores_must_succeed: Some(false),
        ..ImageImport::new(ImportMethod::WebDownload {
            uri: "http://127.0.0.1:8000/cirros.qcow2".into(),
        })
    };
    assert_eq!(
        serde_json::to_value(&web).unwrap(),
        json!({
            "method": {"name": "web-download", "uri": "http://127.0.0.1:8000/cirros.qcow2"},
            "stores": ["fs"],
            "all_stores_must_succeed": false
        })
    );
    let copy = ImageImport {
        all_stores: Some(true),
        ..ImageImport::new(ImportMethod::CopyImage)
    };
    assert_eq!(
        serde_json::to_value(&copy).unwrap(),
        json!({"method": {"name": "copy-image"}, "all_stores": true})
    );
}

#[test]
fn operations_split_into_request_and_decoder() {
    let api = Api::new("http://127.0.0.1:9292").unwrap();
    let (request, decoder) = api
        .get_image("e271a900-0064-4475-b550-fc3c44896d1e")
        .unwrap()
        .into_parts();
    assert_eq!(
        request.uri(),
        "http://127.0.0.1:9292/v2/images/e271a900-0064-4475-b550-fc3c44896d1e"
    );
    let response = common::exchange("a-02").http_response();
    let (parts, body) = response.into_parts();
    let image = decoder
        .decode_parts(parts.status, &parts.headers, &body)
        .unwrap();
    assert_eq!(image.name, Some(Some("lab-ubuntu".into())));
}

#[test]
fn j_05_add_tag_and_j_06_delete_tag() {
    // j-05: `PUT /v2/images/11111111-2222-3333-4444-555555555555/tags/via-tag-api`,
    // no body and no Content-Type; j-06 the same path with DELETE. Both 204.
    let api = Api::new("http://127.0.0.1:9292").unwrap();
    let add = api
        .add_tag("11111111-2222-3333-4444-555555555555", "via-tag-api")
        .unwrap();
    assert_eq!(add.request().method(), "PUT");
    assert_eq!(
        add.uri().path_and_query().unwrap().as_str(),
        "/v2/images/11111111-2222-3333-4444-555555555555/tags/via-tag-api"
    );
    assert_eq!(add.request().headers().get("content-type"), None);
    assert!(add.request().body().is_empty());
    let delete = api
        .delete_tag("11111111-2222-3333-4444-555555555555", "via-tag-api")
        .unwrap();
    assert_eq!(delete.request().method(), "DELETE");
    assert_eq!(delete.uri(), add.uri());
    assert_eq!(
        api.add_tag("x", "a b?c#").unwrap().uri(),
        "http://127.0.0.1:9292/v2/images/x/tags/a%20b%3Fc%23"
    );
    assert_eq!(
        api.add_tag("x", "..").unwrap().uri(),
        "http://127.0.0.1:9292/v2/images/x/tags/%2E%2E"
    );
    // Glance decodes the path before routing: these cannot reach it intact.
    for tag in ["a/b", "ü", ""] {
        assert!(
            matches!(api.add_tag("x", tag), Err(Error::InvalidRequest(_))),
            "{tag:?}"
        );
        assert!(
            matches!(api.delete_tag("x", tag), Err(Error::InvalidRequest(_))),
            "{tag:?}"
        );
    }
}
