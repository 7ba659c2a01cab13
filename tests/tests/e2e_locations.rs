//! End to end: the locations API (`/v2/images/{id}/locations`) of Glance
//! 33 as the lab can serve it.
//!
//! - Listing is for services: the `admin` or `service` role. It works.
//! - Adding is accepted (202) only from a caller whose roles or whose
//!   `X-Service-Token` carry the `service` role; anyone else may only add
//!   URLs of an `http` store, which the lab does not have (403). What is
//!   accepted is then checked by a background task, which refuses every
//!   `file://` URL (Glance never takes a local file as an external
//!   location), so in the lab an added location never becomes one: the
//!   image stays `queued` with no location. The lab's import filter also
//!   refuses loopback URLs (400) before any task starts.

mod e2e;

use std::path::PathBuf;

use cloud_images::ImageStatus;
use cloud_images_runtime::blocking::Client;
use cloud_images_runtime::{Error, ImageImport, ImportMethod, LocationAdd};
use cloud_images_tests::{ADMIN, OWNER, SERVICE};
use e2e::Session;
use e2e::data::Generated;
use e2e::stores::{imported, raw_image, settled, store_file};

#[test]
fn locations_are_listed_for_admins_only() {
    let Some(session) = Session::start("locations_are_listed_for_admins_only") else {
        return;
    };
    let lab = session.lab();
    let owner = session.client(OWNER);
    let admin = session.client(ADMIN);
    let import = ImageImport {
        all_stores: Some(true),
        ..ImageImport::new(ImportMethod::GlanceDirect)
    };
    let image = imported(
        &session,
        &owner,
        "located",
        Generated::bytes(8 * 1024),
        &import,
    );
    assert_eq!(image.status, Some(ImageStatus::Active));
    let id = image.id.expect("id");

    let locations = admin.client().list_locations(&id).expect("locations");
    let mut found: Vec<(String, String)> = locations
        .iter()
        .map(|location| {
            let store = location.metadata["store"].as_str().expect("store id");
            (store.to_owned(), location.url.clone())
        })
        .collect();
    found.sort();
    let expected: Vec<(String, String)> = ["archive", "fs"]
        .iter()
        .map(|store| {
            let path = store_file(lab, store, &id);
            ((*store).to_owned(), format!("file://{}", path.display()))
        })
        .collect();
    assert_eq!(found, expected);

    match owner.client().list_locations(&id) {
        Err(Error::Forbidden(error)) => assert_eq!(
            error.message,
            "You are not authorized to complete fetch_image_location action."
        ),
        other => panic!("locations as a member: {other:?}"),
    }
    owner.delete_image(&id).expect("delete");
}

#[test]
fn adding_a_location_needs_a_service_token_and_a_remote_store() {
    let Some(session) =
        Session::start("adding_a_location_needs_a_service_token_and_a_remote_store")
    else {
        return;
    };
    let lab = session.lab();
    let owner = session.client(OWNER);
    let id = raw_image(&session, &owner, "location-added");
    // Data where a file store keeps it, but not put there by Glance.
    let file: PathBuf = store_file(lab, "archive", &format!("{id}-outside"));
    std::fs::write(&file, Generated::bytes(4 * 1024)).expect("write the data");
    let location = LocationAdd::new(format!("file://{}", file.display()));

    let refusal = "http store must be enabled to use location API by normal user.";
    for (who, client) in [
        ("member", owner.client()),
        ("admin", session.client(ADMIN).client()),
    ] {
        match client.add_location(&id, &location) {
            Err(Error::Forbidden(error)) => assert_eq!(error.message, refusal, "{who}"),
            other => panic!("add location as {who}: {other:?}"),
        }
    }

    // The member's token with a service's token beside it, as Nova sends.
    let service_token = session.token_of(SERVICE).expect("service token");
    let with_service: Client = session
        .blocking_builder(OWNER, session.url())
        .header("X-Service-Token", service_token)
        .build()
        .expect("client");
    let loopback = LocationAdd::new("http://127.0.0.1:8080/image.raw");
    match with_service.add_location(&id, &loopback) {
        Err(Error::BadRequest(error)) => assert_eq!(
            error.message,
            "URI for add location does not pass filtering: http://127.0.0.1:8080/image.raw"
        ),
        other => panic!("add a loopback location: {other:?}"),
    }
    with_service
        .add_location(&id, &location)
        .expect("accepted for checking");
    // The task refuses the file:// URL and lets the image go.
    let image = settled(&owner, &id);
    assert_eq!(image.status, Some(ImageStatus::Queued));
    assert_eq!(image.size, Some(None));
    let locations = session
        .client(ADMIN)
        .client()
        .list_locations(&id)
        .expect("locations");
    assert!(locations.is_empty(), "{locations:?}");
    // Listing stays refused with a service token beside a member's: the
    // policy looks at the caller's own roles.
    match with_service.list_locations(&id) {
        Err(Error::Forbidden(_)) => {}
        other => panic!("locations with a service token: {other:?}"),
    }

    std::fs::remove_file(&file).expect("remove the data");
    owner.delete_image(&id).expect("delete");
}
