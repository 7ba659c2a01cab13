//! End to end: `/v2/info/import`, `/v2/info/stores` (and its admin-only
//! detail) and `/v2/info/usage` against the lab's Glance, whose
//! configuration (`xtask/lab/etc/glance/glance-api.conf`) says what they
//! must answer.

mod e2e;

use cloud_images_runtime::{Error, ImportMethodName, StoreType};
use cloud_images_tests::{ADMIN, OWNER};
use e2e::Session;

#[test]
fn import_methods_are_glance_33s_defaults() {
    let Some(session) = Session::start("import_methods_are_glance_33s_defaults") else {
        return;
    };
    let info = session
        .client(OWNER)
        .client()
        .get_import_info()
        .expect("import info");
    assert_eq!(
        info.import_methods.value,
        [
            ImportMethodName::GlanceDirect,
            ImportMethodName::WebDownload,
            ImportMethodName::CopyImage
        ]
    );
    assert!(info.additional_properties.is_empty(), "{info:?}");
}

#[test]
fn stores_are_the_labs_two_file_stores() {
    let Some(session) = Session::start("stores_are_the_labs_two_file_stores") else {
        return;
    };
    let lab = session.lab();
    let stores = session
        .client(OWNER)
        .client()
        .list_stores()
        .expect("stores");
    let ids: Vec<&str> = stores
        .stores
        .iter()
        .map(|store| store.id.as_str())
        .collect();
    assert_eq!(ids.join(","), lab.get("GLANCE_STORES"));
    let default = stores.default_store().expect("a default store");
    assert_eq!(default.id, lab.get("GLANCE_DEFAULT_STORE"));
    assert_eq!(
        stores
            .stores
            .iter()
            .filter(|store| store.is_default())
            .count(),
        1
    );
    assert!(stores.stores.iter().all(|store| !store.is_read_only()));
    assert!(stores.stores.iter().all(|store| store.store_type.is_none()));

    let detail = session
        .client(ADMIN)
        .client()
        .list_stores_detail()
        .expect("store detail as admin");
    for store in &detail.stores {
        assert_eq!(store.store_type, Some(StoreType::File), "{store:?}");
        let data_dir = store
            .properties
            .as_ref()
            .and_then(|properties| properties.get_str("data_dir"))
            .expect("a file store's data_dir");
        assert_eq!(
            data_dir,
            lab.get(&format!("GLANCE_STORE_DIR_{}", store.id.to_uppercase()))
        );
        assert_eq!(store.weight, Some(0));
    }

    match session.client(OWNER).client().list_stores_detail() {
        Err(Error::Forbidden(error)) => assert_eq!(
            error.message,
            "You are not authorized to complete stores_info_detail action."
        ),
        other => panic!("store detail as a member: {other:?}"),
    }
}

/// The lab runs without `use_keystone_limits`, so Glance has no quota to
/// report and answers `{"usage": {}}` for every project.
#[test]
fn usage_is_empty_without_keystone_limits() {
    let Some(session) = Session::start("usage_is_empty_without_keystone_limits") else {
        return;
    };
    for identity in [OWNER, ADMIN] {
        let usage = session
            .client(identity)
            .client()
            .get_usage()
            .expect("usage");
        assert!(usage.usage.is_empty(), "{usage:?}");
        assert!(usage.additional_properties.is_empty(), "{usage:?}");
    }
}

/// `POST /v2/images` answers with the same facts in two headers, but its
/// store list also names Glance's reserved stores, which no import may
/// target: `/v2/info/stores` is the list to choose from.
#[test]
fn create_headers_name_methods_and_every_store() {
    let Some(session) = Session::start("create_headers_name_methods_and_every_store") else {
        return;
    };
    let owner = session.client(OWNER);
    let create = owner
        .api()
        .create_image(&cloud_images_runtime::ImageCreate {
            name: Some(session.unique("headers")),
            ..Default::default()
        })
        .expect("operation");
    let response = owner.client().send(create.into_request()).expect("create");
    assert_eq!(response.status(), 201);
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_else(|| panic!("no {name}"))
            .to_owned()
    };
    assert_eq!(
        header("openstack-image-import-methods"),
        "glance-direct,web-download,copy-image"
    );
    assert_eq!(
        header("openstack-image-store-ids"),
        format!(
            "{},os_glance_staging_store,os_glance_tasks_store",
            session.lab().get("GLANCE_STORES")
        )
    );
    let image: cloud_images::Image = serde_json::from_slice(response.body()).expect("image");
    owner
        .delete_image(image.id.as_deref().expect("id"))
        .expect("delete");
}
