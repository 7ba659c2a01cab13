//! End to end: creating images with the typed `ImageCreate`, reading them
//! back, and the tag API.

mod e2e;

use cloud_images::{ImageContainerFormat, ImageDiskFormat, ImageStatus, ImageVisibility};
use cloud_images_runtime::{Error, ImageCreate};
use cloud_images_tests::OWNER;
use e2e::Session;
use e2e::rng::Rng;

#[test]
fn created_image_reads_back_with_every_field() {
    let Some(session) = Session::start("created_image_reads_back_with_every_field") else {
        return;
    };
    let glance = session.client(OWNER);
    let mut rng = Rng::new(Rng::seed_from_env());
    let name = session.unique("every-field");
    let (kernel, ramdisk, instance) = (rng.uuid(), rng.uuid(), rng.uuid());
    let request = ImageCreate {
        name: Some(name.clone()),
        visibility: Some(ImageVisibility::Private),
        protected: Some(false),
        os_hidden: Some(true),
        container_format: Some(ImageContainerFormat::Bare),
        disk_format: Some(ImageDiskFormat::Qcow2),
        min_ram: Some(512),
        min_disk: Some(3),
        tags: Some(vec!["b".into(), "a".into(), "b".into(), "ü-tag".into()]),
        kernel_id: Some(kernel.clone()),
        ramdisk_id: Some(ramdisk.clone()),
        instance_uuid: Some(instance.clone()),
        architecture: Some("x86_64".into()),
        os_distro: Some("ubuntu".into()),
        os_version: Some("24.04".into()),
        description: Some("made by e2e_create".into()),
        ..ImageCreate::default()
    }
    .with_property("hw_disk_bus", "virtio")
    .with_property("vendor/arch", "slash")
    .with_property("tilde~key", "tilde")
    .with_property("ключ", "значение");

    let created = glance.create_image(&request).expect("create");
    let id = created.id.clone().expect("Glance assigns an id");
    assert_eq!(created.name, Some(Some(name.clone())));
    assert_eq!(created.visibility, Some(ImageVisibility::Private));
    assert_eq!(created.protected, Some(false));
    assert_eq!(created.os_hidden, Some(true));
    assert_eq!(
        created.container_format,
        Some(Some(ImageContainerFormat::Bare))
    );
    assert_eq!(created.disk_format, Some(Some(ImageDiskFormat::Qcow2)));
    assert_eq!(created.min_ram, Some(512));
    assert_eq!(created.min_disk, Some(3));
    let mut tags = created.tags.clone().expect("tags");
    tags.sort();
    assert_eq!(
        tags,
        ["a", "b", "ü-tag"],
        "duplicate tags are dropped (a-14)"
    );
    assert_eq!(created.kernel_id, Some(Some(kernel)));
    assert_eq!(created.ramdisk_id, Some(Some(ramdisk)));
    assert_eq!(created.instance_uuid, Some(instance));
    assert_eq!(created.architecture.as_deref(), Some("x86_64"));
    assert_eq!(created.os_distro.as_deref(), Some("ubuntu"));
    assert_eq!(created.os_version.as_deref(), Some("24.04"));
    assert_eq!(created.description.as_deref(), Some("made by e2e_create"));
    assert_eq!(created.property("hw_disk_bus"), Some("virtio"));
    assert_eq!(created.property("vendor/arch"), Some("slash"));
    assert_eq!(created.property("tilde~key"), Some("tilde"));
    assert_eq!(created.property("ключ"), Some("значение"));
    // What Glance sets itself.
    assert_eq!(created.status, Some(ImageStatus::Queued));
    assert_eq!(created.owner, Some(Some(session.project_id(OWNER))));
    assert_eq!(created.size, Some(None));
    assert_eq!(created.checksum, Some(None));
    assert_eq!(
        created.self_.as_deref(),
        Some(format!("/v2/images/{id}").as_str())
    );
    assert_eq!(
        created.file.as_deref(),
        Some(format!("/v2/images/{id}/file").as_str())
    );
    assert_eq!(created.schema.as_deref(), Some("/v2/schemas/image"));
    assert!(
        created
            .created_at
            .as_deref()
            .is_some_and(|at| at.ends_with('Z') && at.len() == 20),
        "timestamps look like 2026-11-28T10:30:48Z: {:?}",
        created.created_at
    );

    let (json, fetched) = glance.get_image_json(&id).expect("get");
    let created_json = serde_json::to_value(&created).expect("serializes");
    // Tags are a set: Glance may send them in another order each time.
    e2e::json::assert_same(&json, &created_json, "GET returns what POST returned");
    assert_eq!(
        serde_json::to_value(&fetched).expect("serializes"),
        json,
        "the decoded image serializes back to the JSON Glance sent"
    );

    glance.delete_image(&id).expect("delete");
    assert!(matches!(glance.get_image(&id), Err(Error::NotFound(_))));
}

#[test]
fn create_defaults_client_ids_and_refusals() {
    let Some(session) = Session::start("create_defaults_client_ids_and_refusals") else {
        return;
    };
    let glance = session.client(OWNER);
    let mut rng = Rng::new(Rng::seed_from_env());

    // `{}` creates an image; Glance 33 defaults to `shared` (a-03).
    let bare = glance.create_image(&ImageCreate::new()).expect("create {}");
    assert_eq!(bare.visibility, Some(ImageVisibility::Shared));
    assert_eq!(bare.name, Some(None));
    assert_eq!(bare.disk_format, Some(None));
    assert_eq!(bare.tags, Some(vec![]));

    // A client-chosen id is kept; a second create with it is a conflict (a-04, a-05).
    let chosen = rng.uuid();
    let request = ImageCreate {
        id: Some(chosen.clone()),
        name: Some(session.unique("chosen-id")),
        ..ImageCreate::default()
    };
    let image = glance.create_image(&request).expect("create with an id");
    assert_eq!(image.id.as_deref(), Some(chosen.as_str()));
    match glance.create_image(&request) {
        Err(Error::Conflict(error)) => {
            assert_eq!(error.message, format!("Image ID {chosen} already exists!"))
        }
        other => panic!("a duplicate id: {other:?}"),
    }

    // Refused before sending: a read-only key and a bad UUID are named together.
    let refused = ImageCreate {
        kernel_id: Some("abc".into()),
        ..ImageCreate::default()
    }
    .with_property("status", "active");
    match glance.create_image(&refused) {
        Err(Error::InvalidBody(error)) => {
            let properties: Vec<&str> = error
                .violations()
                .iter()
                .map(|violation| violation.property.as_str())
                .collect();
            assert_eq!(properties, ["kernel_id", "status"], "{error}");
        }
        other => panic!("an invalid create: {other:?}"),
    }

    // Public needs the admin role (a-11).
    let public = ImageCreate {
        visibility: Some(ImageVisibility::Public),
        ..ImageCreate::default()
    };
    match glance.create_image(&public) {
        Err(Error::Forbidden(error)) => assert_eq!(
            error.message,
            "You are not authorized to complete publicize_image action."
        ),
        other => panic!("public as a member: {other:?}"),
    }

    for id in [bare.id, image.id].into_iter().flatten() {
        glance.delete_image(&id).expect("delete");
    }
}

#[test]
fn tag_api_adds_and_deletes_single_tags() {
    let Some(session) = Session::start("tag_api_adds_and_deletes_single_tags") else {
        return;
    };
    let glance = session.client(OWNER);
    let image = glance
        .create_image(&ImageCreate {
            name: Some(session.unique("tags")),
            tags: Some(vec!["kept".into()]),
            ..ImageCreate::default()
        })
        .expect("create");
    let id = image.id.expect("id");
    // Tags with characters that must be percent-encoded in the path, and a
    // dot segment, which must not be removed on the way.
    let odd = "a tag?#%;\\";
    for tag in [odd, ".."] {
        glance.add_tag(&id, tag).expect("PUT tag");
    }
    glance
        .add_tag(&id, odd)
        .expect("PUT the same tag again is idempotent");
    let mut tags = glance.get_image(&id).expect("get").tags.expect("tags");
    tags.sort();
    assert_eq!(tags, ["..", odd, "kept"]);
    for tag in [odd, ".."] {
        glance.delete_tag(&id, tag).expect("DELETE tag");
    }
    assert_eq!(
        glance.get_image(&id).expect("get").tags,
        Some(vec!["kept".to_owned()])
    );
    assert!(
        matches!(glance.delete_tag(&id, odd), Err(Error::NotFound(_))),
        "deleting a tag the image lacks"
    );
    // Glance decodes the path before routing and reads it as Latin-1: the
    // runtime refuses what would be lost (404) or stored garbled.
    for tag in ["a/b", "ü", ""] {
        assert!(
            matches!(glance.add_tag(&id, tag), Err(Error::InvalidRequest(_))),
            "{tag:?}"
        );
    }
    glance.delete_image(&id).expect("delete");
}
