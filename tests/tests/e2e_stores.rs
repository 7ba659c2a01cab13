//! End to end: image data in chosen stores. The lab's Glance has two file
//! stores, `fs` (the default) and `archive`; each keeps an image's data as
//! a file named by the image id in its folder (`lab.env`), which these
//! tests look at directly.
//!
//! Glance 33 marks an import in progress on the image itself:
//! `os_glance_importing_to_stores` lists the stores still to do, and
//! `os_glance_failed_import` the stores that failed; both are left as empty
//! strings once an import has finished well.

mod e2e;

use cloud_images::ImageStatus;
use cloud_images_runtime::{Error, ImageImport, ImportMethod, TransferOptions};
use cloud_images_tests::{ADMIN, OWNER};
use e2e::Session;
use e2e::data::Generated;
use e2e::stores::{imported, raw_image, settled, store_file, stores_of};

fn both() -> Vec<String> {
    vec!["archive".to_owned(), "fs".to_owned()]
}

/// A finished import leaves both progress properties empty.
fn assert_import_finished_well(image: &cloud_images::Image) {
    assert_eq!(image.property("os_glance_importing_to_stores"), Some(""));
    assert_eq!(image.property("os_glance_failed_import"), Some(""));
}

/// `glance-direct` into both stores, then `DELETE /v2/stores/archive/{id}`.
#[test]
fn import_into_both_stores_then_delete_from_one() {
    let Some(session) = Session::start("import_into_both_stores_then_delete_from_one") else {
        return;
    };
    let lab = session.lab();
    let owner = session.client(OWNER);
    let admin = session.client(ADMIN);
    let data = Generated::bytes(48 * 1024);
    let import = ImageImport {
        stores: vec!["fs".into(), "archive".into()],
        all_stores_must_succeed: Some(true),
        ..ImageImport::new(ImportMethod::GlanceDirect)
    };
    let image = imported(&session, &owner, "two-stores", data.clone(), &import);
    let id = image.id.clone().expect("id");
    assert_eq!(image.status, Some(ImageStatus::Active));
    assert_eq!(stores_of(&image), both());
    assert_import_finished_well(&image);
    for store in ["fs", "archive"] {
        let file = store_file(lab, store, &id);
        assert_eq!(std::fs::read(&file).expect("store file"), data, "{store}");
    }

    // A member may not delete locations (policy `delete_image_location`).
    match owner.client().delete_image_from_store("archive", &id) {
        Err(Error::Forbidden(error)) => assert_eq!(
            error.message,
            "You are not authorized to complete delete_image_location action."
        ),
        other => panic!("delete from a store as a member: {other:?}"),
    }
    match admin.client().delete_image_from_store("nowhere", &id) {
        Err(Error::Conflict(error)) => assert_eq!(
            error.message,
            "The selected store nowhere is not available on this node."
        ),
        other => panic!("delete from an unknown store: {other:?}"),
    }

    admin
        .client()
        .delete_image_from_store("archive", &id)
        .expect("delete from archive as admin");
    let image = owner.get_image(&id).expect("get");
    assert_eq!(image.stores.as_deref(), Some("fs"));
    assert!(
        !store_file(lab, "archive", &id).exists(),
        "archive's file goes"
    );
    assert!(store_file(lab, "fs", &id).exists(), "fs's file stays");
    assert_eq!(owner.download_image(&id).expect("download"), Some(data));

    // The last store is refused: delete the image instead.
    match admin.client().delete_image_from_store("fs", &id) {
        Err(Error::Forbidden(error)) => assert_eq!(
            error.message,
            "Cannot delete image data from the only store containing it. Consider deleting the image instead."
        ),
        other => panic!("delete from the last store: {other:?}"),
    }
    owner.delete_image(&id).expect("delete");
    assert!(!store_file(lab, "fs", &id).exists());
}

/// `all_stores: true` imports into every store.
#[test]
fn import_into_all_stores() {
    let Some(session) = Session::start("import_into_all_stores") else {
        return;
    };
    let owner = session.client(OWNER);
    let import = ImageImport {
        all_stores: Some(true),
        all_stores_must_succeed: Some(false),
        ..ImageImport::new(ImportMethod::GlanceDirect)
    };
    let data = Generated::bytes(16 * 1024);
    let image = imported(&session, &owner, "all-stores", data, &import);
    let id = image.id.clone().expect("id");
    assert_eq!(image.status, Some(ImageStatus::Active));
    assert_eq!(stores_of(&image), both());
    assert_import_finished_well(&image);
    owner.delete_image(&id).expect("delete");
}

/// An upload straight into `archive` (`X-Image-Meta-Store`), then
/// `copy-image` into `fs`, which only an admin may start.
#[test]
fn upload_to_a_store_then_copy_to_another() {
    let Some(session) = Session::start("upload_to_a_store_then_copy_to_another") else {
        return;
    };
    let lab = session.lab();
    let owner = session.client(OWNER);
    let admin = session.client(ADMIN);
    let data = Generated::bytes(24 * 1024);
    let id = raw_image(&session, &owner, "archived");
    owner
        .client()
        .upload_image_to_store(&id, "archive", data.clone())
        .expect("upload into archive");
    let image = owner.get_image(&id).expect("get");
    assert_eq!(image.status, Some(ImageStatus::Active));
    assert_eq!(image.stores.as_deref(), Some("archive"));
    assert!(store_file(lab, "archive", &id).exists());
    assert!(!store_file(lab, "fs", &id).exists());

    let copy = ImageImport {
        stores: vec!["fs".into()],
        ..ImageImport::new(ImportMethod::CopyImage)
    };
    match owner.import_image(&id, &copy) {
        Err(Error::Forbidden(_)) => {}
        other => panic!("copy-image as a member: {other:?}"),
    }
    admin.import_image(&id, &copy).expect("copy-image as admin");
    let image = settled(&owner, &id);
    assert_eq!(stores_of(&image), both());
    assert_import_finished_well(&image);
    assert_eq!(
        std::fs::read(store_file(lab, "fs", &id)).expect("copied"),
        data
    );

    // Nothing left to copy to: a named store the image is in is 400, while
    // `all_stores` is accepted (202) and does nothing, starting no task.
    match admin.import_image(&id, &copy) {
        Err(Error::BadRequest(error)) => {
            assert_eq!(error.message, "Image is already present at store 'fs'")
        }
        other => panic!("copy-image into a store it is in: {other:?}"),
    }
    let tasks_before = owner.list_image_tasks(&id).expect("tasks").tasks;
    let everywhere = ImageImport {
        all_stores: Some(true),
        ..ImageImport::new(ImportMethod::CopyImage)
    };
    admin
        .import_image(&id, &everywhere)
        .expect("copy-image into all stores, where it is already");
    let image = owner.get_image(&id).expect("get");
    assert_eq!(image.property("os_glance_import_task"), None);
    assert_eq!(stores_of(&image), both());
    assert_eq!(
        owner.list_image_tasks(&id).expect("tasks").tasks,
        tasks_before
    );
    owner.delete_image(&id).expect("delete");
    assert!(!store_file(lab, "archive", &id).exists());
    assert!(!store_file(lab, "fs", &id).exists());
}

#[test]
fn an_unknown_store_is_refused() {
    let Some(session) = Session::start("an_unknown_store_is_refused") else {
        return;
    };
    let owner = session.client(OWNER);
    let id = raw_image(&session, &owner, "nowhere");
    match owner
        .client()
        .upload_image_to_store(&id, "nowhere", Generated::bytes(1024))
    {
        Err(Error::BadRequest(error)) => {
            assert_eq!(error.message, "Store for identifier nowhere not found")
        }
        other => panic!("upload into an unknown store: {other:?}"),
    }
    assert_eq!(
        owner.get_image(&id).expect("get").status,
        Some(ImageStatus::Queued)
    );
    owner.delete_image(&id).expect("delete");
}

/// Streamed uploads choose their store with `TransferOptions::store`, in
/// both clients, and stay verified.
#[test]
fn streamed_uploads_into_a_chosen_store() {
    let Some(session) = Session::start("streamed_uploads_into_a_chosen_store") else {
        return;
    };
    let lab = session.lab();
    let owner = session.client(OWNER);
    let options = TransferOptions::new().store("archive");
    let data = Generated::bytes(32 * 1024);

    let blocking = raw_image(&session, &owner, "streamed-blocking");
    let sent = owner
        .upload_image_from(
            &blocking,
            std::io::Cursor::new(data.clone()),
            Some(data.len() as u64),
            &options,
        )
        .expect("blocking upload into archive");
    assert!(sent.verification.is_verified());

    let runtime = tokio::runtime::Runtime::new().expect("tokio");
    let asynchronous = session.async_client(OWNER);
    let streamed = raw_image(&session, &owner, "streamed-async");
    let chunks = futures_util::stream::iter(
        data.chunks(8 * 1024)
            .map(|chunk| Ok::<_, std::io::Error>(bytes::Bytes::copy_from_slice(chunk)))
            .collect::<Vec<_>>(),
    );
    let sent = runtime
        .block_on(asynchronous.upload_image_stream(
            &streamed,
            chunks,
            Some(data.len() as u64),
            &options,
        ))
        .expect("async upload into archive");
    assert!(sent.verification.is_verified());

    for id in [&blocking, &streamed] {
        let image = owner.get_image(id).expect("get");
        assert_eq!(image.stores.as_deref(), Some("archive"), "{id}");
        assert_eq!(
            std::fs::read(store_file(lab, "archive", id)).expect("file"),
            data
        );
        assert!(!store_file(lab, "fs", id).exists());
    }

    // A store id that cannot be a header is refused before anything is sent.
    let bad = TransferOptions::new().store("arch\nive");
    match owner.upload_image_from(&blocking, std::io::Cursor::new(Vec::new()), Some(0), &bad) {
        Err(Error::InvalidRequest(reason)) => assert!(reason.contains("store id"), "{reason}"),
        other => panic!("a store id with a newline: {other:?}"),
    }
    for id in [blocking, streamed] {
        owner.delete_image(&id).expect("delete");
    }
}
