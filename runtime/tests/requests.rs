//! The requests this crate builds, compared with the ones recorded against
//! Glance 33 (transcript tag in each test name): method, request target,
//! headers and body.

mod common;

use cloud_images::{
    ImageContainerFormat, ImageDiskFormat, ImageStatus, ImageVisibility, MemberStatus,
};
use cloud_images_runtime::{
    Api, Error, ImageCreate, ImageImport, ImageListQuery, ImportMethod, Match, MemberStatusFilter,
    Operation, Sort, SortDir, SortKey, TimeFilter, TimeOp, VisibilityFilter,
};
use common::Exchange;

/// Headers the HTTP stack sets, not the request builder.
const TRANSPORT_HEADERS: &[&str] = &["host", "accept-encoding", "content-length"];
const IDENTITY_HEADERS: &[&str] = &[
    "x-identity-status",
    "x-project-id",
    "x-user-id",
    "x-roles",
    "x-tenant-id",
];

/// An `Api` for the recording server, sending the identity headers the
/// recorded request sent.
fn api_as(exchange: &Exchange) -> Api {
    let mut api = Api::new("http://127.0.0.1:9292").unwrap();
    for (name, value) in &exchange.request.headers {
        if IDENTITY_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
            api = api.with_header(name, value).unwrap();
        }
    }
    api
}

/// Asserts that `operation` is the request recorded under `tag`: same method,
/// target, headers (apart from those the HTTP stack adds) and body. JSON
/// bodies are compared as JSON, since Python and serde space them differently.
fn assert_recorded<T>(tag: &str, build: impl FnOnce(&Api) -> Result<Operation<T>, Error>) {
    let exchange = common::exchange(tag);
    let operation = build(&api_as(&exchange)).unwrap();
    let request = operation.request();
    assert_eq!(
        request.method().as_str(),
        exchange.method(),
        "{tag}: method"
    );
    let target = request.uri().path_and_query().unwrap().as_str();
    assert_eq!(target, exchange.target(), "{tag}: request target");
    assert_eq!(
        request.uri().authority().unwrap().as_str(),
        "127.0.0.1:9292",
        "{tag}"
    );

    let mut sent: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), value.to_str().unwrap().to_owned()))
        .collect();
    let mut recorded: Vec<(String, String)> = exchange
        .request
        .headers
        .iter()
        .filter(|(name, _)| !TRANSPORT_HEADERS.contains(&name.to_ascii_lowercase().as_str()))
        .map(|(name, value)| (name.to_ascii_lowercase(), value.clone()))
        .collect();
    sent.sort();
    recorded.sort();
    assert_eq!(sent, recorded, "{tag}: headers");

    match &exchange.request.body {
        Some(body) if body.is_empty() => {
            assert!(request.body().is_empty(), "{tag}: body should be empty")
        }
        Some(body) => {
            let recorded: serde_json::Value = serde_json::from_slice(body).unwrap();
            let sent: serde_json::Value = serde_json::from_slice(request.body()).unwrap();
            assert_eq!(sent, recorded, "{tag}: body");
        }
        None => {
            let length: usize = exchange
                .request
                .header("content-length")
                .unwrap()
                .parse()
                .unwrap();
            assert_eq!(request.body().len(), length, "{tag}: data length");
        }
    }
}

const IMAGE: &str = "e271a900-0064-4475-b550-fc3c44896d1e";
const ACTIVE: &str = "a554f23d-0eb5-434f-82bf-646b9bb888c3";

#[test]
fn a_01_create_with_tags_min_ram_and_custom_property() {
    assert_recorded("a-01", |api| {
        api.create_image(&ImageCreate {
            name: Some("lab-ubuntu".into()),
            container_format: Some(ImageContainerFormat::Bare),
            disk_format: Some(ImageDiskFormat::Qcow2),
            tags: Some(vec!["lab".into(), "ubuntu".into()]),
            min_ram: Some(512),
            visibility: Some(ImageVisibility::Private),
            os_distro: Some("ubuntu".into()),
            ..ImageCreate::default()
        })
    });
}

#[test]
fn a_03_create_with_empty_body() {
    assert_recorded("a-03", |api| api.create_image(&ImageCreate::default()));
}

#[test]
fn a_04_create_with_client_chosen_id() {
    assert_recorded("a-04", |api| {
        api.create_image(&ImageCreate {
            id: Some("11111111-2222-3333-4444-555555555555".into()),
            name: Some("fixed-id".into()),
            ..ImageCreate::default()
        })
    });
}

#[test]
fn f_01_create_with_free_form_property() {
    assert_recorded("f-01", |api| {
        api.create_image(
            &ImageCreate {
                name: Some("cirros-like".into()),
                disk_format: Some(ImageDiskFormat::Qcow2),
                container_format: Some(ImageContainerFormat::Bare),
                visibility: Some(ImageVisibility::Private),
                os_distro: Some("cirros".into()),
                architecture: Some("x86_64".into()),
                tags: Some(vec!["upload".into()]),
                ..ImageCreate::default()
            }
            .with_property("hw_disk_bus", "virtio"),
        )
    });
}

#[test]
fn a_02_get_image() {
    assert_recorded("a-02", |api| api.get_image(IMAGE));
}

#[test]
fn d_58_patch_with_v2_1_media_type() {
    assert_recorded("d-58", |api| {
        api.update_image(
            "00000000-0000-0000-0000-000000000000",
            serde_json::json!([{"op": "replace", "path": "/name", "value": "x"}]),
            "application/openstack-images-v2.1-json-patch",
        )
    });
}

#[test]
fn d_58_typed_patch_is_the_same_request() {
    let patch = cloud_images::ImagePatch::builder()
        .replace_name(Some("x"))
        .build()
        .unwrap();
    assert_recorded("d-58", |api| {
        api.patch_image(
            "00000000-0000-0000-0000-000000000000",
            &patch,
            cloud_images::PatchMediaType::V2_1,
        )
    });
}

#[test]
fn c_v2_0_typed_patch_uses_the_older_form() {
    // The v2.0 media type writes `{"replace": "/name", "value": "x"}` (c-01..c-12).
    let api = Api::new("http://127.0.0.1:9292").unwrap();
    let patch = cloud_images::ImagePatch::builder()
        .replace_name(Some("x"))
        .build()
        .unwrap();
    let operation = api
        .patch_image(IMAGE, &patch, cloud_images::PatchMediaType::V2_0)
        .unwrap();
    let request = operation.request();
    assert_eq!(request.method(), "PATCH");
    assert_eq!(
        request.headers()["content-type"],
        "application/openstack-images-v2.0-json-patch"
    );
    let body: serde_json::Value = serde_json::from_slice(request.body()).unwrap();
    assert_eq!(
        body,
        serde_json::json!([{"replace": "/name", "value": "x"}])
    );
}

#[test]
fn d_31_patch_with_a_refused_media_type_is_still_sent_as_asked() {
    assert_recorded("d-31", |api| {
        api.update_image(
            IMAGE,
            serde_json::json!([{"op": "replace", "path": "/name", "value": "x"}]),
            "application/json",
        )
    });
}

#[test]
fn f_36_delete_image() {
    assert_recorded("f-36", |api| {
        api.delete_image("f54edc87-3cc5-4fba-b419-fa84fbafe7c3")
    });
}

#[test]
fn f_09_deactivate_and_f_12_reactivate() {
    assert_recorded("f-09", |api| api.deactivate_image(ACTIVE));
    assert_recorded("f-12", |api| api.reactivate_image(ACTIVE));
}

#[test]
fn f_03_upload_data() {
    assert_recorded("f-03", |api| api.upload_image(ACTIVE, vec![0x51; 196_616]));
}

#[test]
fn f_23_stage_data() {
    assert_recorded("f-23", |api| {
        api.stage_image("51b54bf1-6b74-412c-b30c-7845d0fafc8c", vec![0; 1_048_576])
    });
}

#[test]
fn f_26_import_glance_direct() {
    assert_recorded("f-26", |api| {
        api.import_image(
            "51b54bf1-6b74-412c-b30c-7845d0fafc8c",
            &ImageImport::new(ImportMethod::GlanceDirect),
        )
    });
}

#[test]
fn f_28_list_image_tasks() {
    assert_recorded("f-28", |api| {
        api.list_image_tasks("51b54bf1-6b74-412c-b30c-7845d0fafc8c")
    });
}

#[test]
fn f_05_download_asks_for_data_or_a_json_error() {
    // f-05 was recorded without `Accept`, which makes Glance answer errors in
    // plain text (f-11). This crate asks for JSON errors instead; everything
    // else matches the recording.
    let exchange = common::exchange("f-05");
    let operation = api_as(&exchange).download_image(ACTIVE).unwrap();
    let request = operation.request();
    assert_eq!(exchange.request.header("accept"), None);
    assert_eq!(request.method().as_str(), exchange.method());
    assert_eq!(
        request.uri().path_and_query().unwrap().as_str(),
        exchange.target()
    );
    assert_eq!(
        request.headers()["accept"],
        "application/octet-stream, application/json"
    );
    assert_eq!(request.headers().get("content-type"), None);
    assert!(request.body().is_empty());
}

#[test]
fn e_04_add_member() {
    assert_recorded("e-04", |api| api.add_member(IMAGE, "tenantB"));
}

#[test]
fn e_11_list_members() {
    assert_recorded("e-11", |api| api.list_members(IMAGE));
}

#[test]
fn e_15_get_member() {
    assert_recorded("e-15", |api| api.get_member(IMAGE, "tenantB"));
}

#[test]
fn e_21_accept_membership() {
    assert_recorded("e-21", |api| {
        api.update_member(IMAGE, "tenantB", MemberStatus::Accepted)
    });
}

#[test]
fn e_25_reject_and_e_26_back_to_pending() {
    assert_recorded("e-25", |api| {
        api.update_member(IMAGE, "tenantB", MemberStatus::Rejected)
    });
    assert_recorded("e-26", |api| {
        api.update_member(IMAGE, "tenantB", MemberStatus::Pending)
    });
}

#[test]
fn e_19_unknown_member_status_is_refused_before_sending() {
    // Glance answers e-19 (`{"status": "maybe"}`) with 400.
    let api = Api::new("http://127.0.0.1:9292").unwrap();
    let error = api
        .update_member(IMAGE, "tenantB", MemberStatus::Unknown("maybe".into()))
        .unwrap_err();
    assert!(
        matches!(&error, Error::InvalidRequest(reason) if reason.contains("maybe")),
        "{error}"
    );
}

#[test]
fn e_34_delete_member() {
    assert_recorded("e-34", |api| api.delete_member(IMAGE, "tenantB"));
}

#[test]
fn h_17_get_schema() {
    assert_recorded("h-17", |api| api.get_schema("image"));
}

/// Every list request of g_list.txt (and e-13, h-05), built from a typed query.
#[test]
fn g_list_queries_match_the_recorded_request_targets() {
    let query = ImageListQuery::default;
    let cases: Vec<(&str, ImageListQuery)> = vec![
        (
            "g-06",
            ImageListQuery {
                limit: Some(2),
                ..query()
            },
        ),
        (
            "g-07",
            ImageListQuery {
                limit: Some(2),
                marker: Some("d789e7cb-f1e2-4336-879e-90f446a47d83".into()),
                ..query()
            },
        ),
        ("g-18", query()),
        (
            "g-19",
            ImageListQuery {
                sort: Some(Sort::KeyDir(vec![(SortKey::Name, SortDir::Asc)])),
                ..query()
            },
        ),
        (
            "g-20",
            ImageListQuery {
                sort: Some(Sort::KeyDir(vec![
                    (SortKey::Name, SortDir::Asc),
                    (SortKey::CreatedAt, SortDir::Desc),
                ])),
                ..query()
            },
        ),
        (
            "g-21",
            ImageListQuery {
                sort: Some(Sort::Combined(vec![
                    (SortKey::Name, Some(SortDir::Asc)),
                    (SortKey::CreatedAt, Some(SortDir::Desc)),
                ])),
                ..query()
            },
        ),
        (
            "g-23",
            ImageListQuery {
                name: Some(Match::eq("page-c")),
                ..query()
            },
        ),
        (
            "g-24",
            ImageListQuery {
                name: Some(Match::any_of(["page-a", "page-b"])),
                ..query()
            },
        ),
        (
            "g-25",
            ImageListQuery {
                status: Some(Match::Eq(ImageStatus::Active)),
                ..query()
            },
        ),
        (
            "g-26",
            ImageListQuery {
                status: Some(Match::Eq(ImageStatus::Queued)),
                limit: Some(3),
                ..query()
            },
        ),
        (
            "g-27",
            ImageListQuery {
                visibility: Some(ImageVisibility::Private.into()),
                ..query()
            },
        ),
        (
            "g-28",
            ImageListQuery {
                visibility: Some(ImageVisibility::Shared.into()),
                ..query()
            },
        ),
        (
            "g-29",
            ImageListQuery {
                visibility: Some(ImageVisibility::Community.into()),
                ..query()
            },
        ),
        (
            "g-30",
            ImageListQuery {
                visibility: Some(ImageVisibility::Public.into()),
                ..query()
            },
        ),
        (
            "g-31",
            ImageListQuery {
                visibility: Some(VisibilityFilter::All),
                ..query()
            },
        ),
        ("g-32", query().tag("x")),
        ("g-33", query().tag("x").tag("y")),
        (
            "g-34",
            ImageListQuery {
                member_status: Some(MemberStatusFilter::All),
                visibility: Some(ImageVisibility::Shared.into()),
                ..query()
            },
        ),
        (
            "e-13",
            ImageListQuery {
                member_status: Some(MemberStatus::Pending.into()),
                visibility: Some(ImageVisibility::Shared.into()),
                ..query()
            },
        ),
        (
            "g-35",
            ImageListQuery {
                owner: Some("tenantA".into()),
                limit: Some(3),
                ..query()
            },
        ),
        (
            "g-36",
            ImageListQuery {
                size_min: Some(100_000),
                ..query()
            },
        ),
        (
            "g-37",
            ImageListQuery {
                size_max: Some(300_000),
                ..query()
            },
        ),
        (
            "g-38",
            ImageListQuery {
                size_min: Some(100_000),
                size_max: Some(300_000),
                ..query()
            },
        ),
        (
            "g-39",
            ImageListQuery {
                os_hidden: Some(true),
                ..query()
            },
        ),
        (
            "g-40",
            ImageListQuery {
                protected: Some(true),
                ..query()
            },
        ),
        (
            "g-41",
            ImageListQuery {
                disk_format: Some(Match::Eq(ImageDiskFormat::Qcow2)),
                ..query()
            },
        ),
        (
            "g-42",
            ImageListQuery {
                container_format: Some(Match::Eq(ImageContainerFormat::Bare)),
                limit: Some(2),
                ..query()
            },
        ),
        ("g-43", query().property("os_distro", "cirros")),
        ("g-44", query().property("hw_disk_bus", "virtio")),
        (
            "g-45",
            ImageListQuery {
                created_at: Some(TimeFilter::new(TimeOp::Gte, "2000-01-01T00:00:00Z")),
                limit: Some(2),
                ..query()
            },
        ),
        (
            "g-46",
            ImageListQuery {
                updated_at: Some(TimeFilter::new(TimeOp::Lt, "2000-01-01T00:00:00Z")),
                ..query()
            },
        ),
        (
            "g-47",
            ImageListQuery {
                id: Some(Match::any_of(["11111111-2222-3333-4444-555555555555"])),
                ..query()
            },
        ),
        (
            "g-50",
            ImageListQuery {
                limit: Some(100_000),
                ..query()
            },
        ),
        (
            "g-51",
            ImageListQuery {
                marker: Some("00000000-0000-0000-0000-000000000000".into()),
                ..query()
            },
        ),
        (
            "g-57",
            ImageListQuery {
                status: Some(Match::Eq(ImageStatus::from("bogus"))),
                ..query()
            },
        ),
        ("g-59", query().property("unknownparam", "1")),
        (
            "g-60",
            ImageListQuery {
                visibility: Some(VisibilityFilter::All),
                limit: Some(3),
                ..query()
            },
        ),
        (
            "h-05",
            ImageListQuery {
                limit: Some(1),
                ..query()
            },
        ),
        (
            "h-10",
            ImageListQuery {
                name: Some(Match::eq("mismatch")),
                ..query()
            },
        ),
    ];
    for (tag, list_query) in cases {
        assert_recorded(tag, |api| api.list_images(&list_query));
    }
}
