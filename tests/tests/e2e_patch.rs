//! End to end: every operation the `ImagePatch` builder offers, on every
//! mutable image property, in both patch media types, against a real
//! Glance. Each patch's result must equal the previous server document with
//! the same patch applied locally by `json_patch`.
//!
//! The properties covered are checked against the schema: a mutable
//! property (not `readOnly`, not `id`) without a case fails the test.

mod e2e;

use std::collections::{BTreeMap, BTreeSet};

use cloud_images::{
    Image, ImageContainerFormat, ImageDiskFormat, ImageLocation, ImagePatch, ImagePatchBuilder,
    ImageVisibility, ListPosition, PATCH_MEDIA_TYPE_V2_0, PatchMediaType, PatchOp, Rule, Violation,
};
use cloud_images_runtime::{Error, ImageCreate};
use cloud_images_tests::{ADMIN, OWNER};
use e2e::check::send_and_compare;
use e2e::json::{Mutable, assert_same, comparable, mutable_properties};
use e2e::rng::Rng;
use e2e::{Glance, Session};
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Owner,
    /// `visibility=public` and changing `owner` need the admin role (b-32, b-34, d-65).
    Admin,
}

/// The label coverage is kept under for keys the schema does not declare.
const FREE_FORM: &str = "<free-form>";

/// What a case exercised: property, operation, and the kind of value
/// (`value`, `null`, `empty` list, or none for `remove`).
type Covered = (String, &'static str, &'static str);

fn builder() -> ImagePatchBuilder {
    ImagePatch::builder()
}

/// Every case, in an order in which each applies to the image the previous
/// ones left: custom properties are added while absent, so that `add` is
/// really sent under v2.0 too.
fn cases(session: &Session, rng: &mut Rng) -> Vec<(Who, ImagePatchBuilder)> {
    use Who::{Admin, Owner};
    let other_project = session.fresh_project("other-owner");
    let owner_project = session.project_id(OWNER);
    let mut cases = vec![
        (
            Owner,
            builder().replace_name(Some(&session.unique("renamed"))),
        ),
        (Owner, builder().replace_name(None)),
        (Owner, builder().replace_name(Some("ünïcode name ✓"))),
        (
            Owner,
            builder().replace_visibility(ImageVisibility::Community),
        ),
        (
            Owner,
            builder().replace_visibility(ImageVisibility::Private),
        ),
        (Admin, builder().replace_visibility(ImageVisibility::Public)),
        (Owner, builder().replace_visibility(ImageVisibility::Shared)),
        (Owner, builder().replace_protected(true)),
        (Owner, builder().replace_protected(false)),
        (Owner, builder().replace_os_hidden(true)),
        (Owner, builder().replace_os_hidden(false)),
        (Admin, builder().replace_owner(Some(&other_project))),
        (Admin, builder().replace_owner(None)),
        (Admin, builder().replace_owner(Some(&owner_project))),
        (
            Owner,
            builder().replace_container_format(Some(ImageContainerFormat::Ovf)),
        ),
        (Owner, builder().replace_container_format(None)),
        (
            Owner,
            builder().replace_container_format(Some(ImageContainerFormat::Bare)),
        ),
        (
            Owner,
            builder().replace_disk_format(Some(ImageDiskFormat::Qcow2)),
        ),
        (Owner, builder().replace_disk_format(None)),
        (
            Owner,
            builder().replace_disk_format(Some(ImageDiskFormat::Raw)),
        ),
        (Owner, builder().replace_min_ram(512)),
        (Owner, builder().replace_min_ram(2_147_483_647)),
        (Owner, builder().replace_min_ram(0)),
        (Owner, builder().replace_min_disk(40)),
        (Owner, builder().replace_min_disk(0)),
        (Owner, builder().replace_tags(["b", "a", "ü-tag", "b"])),
        (Owner, builder().replace_tags(Vec::<String>::new())),
        (Owner, builder().replace_tags(["only"])),
    ];
    // Custom string properties: add while absent, add again (an upsert
    // under v2.1, rebased to replace under v2.0), replace, remove.
    type Strings = (
        fn(ImagePatchBuilder, String) -> ImagePatchBuilder,
        fn(ImagePatchBuilder, String) -> ImagePatchBuilder,
        fn(ImagePatchBuilder) -> ImagePatchBuilder,
    );
    let strings: [Strings; 5] = [
        (
            |b, v| b.add_instance_uuid(v),
            |b, v| b.replace_instance_uuid(v),
            |b| b.remove_instance_uuid(),
        ),
        (
            |b, v| b.add_architecture(v),
            |b, v| b.replace_architecture(v),
            |b| b.remove_architecture(),
        ),
        (
            |b, v| b.add_os_distro(v),
            |b, v| b.replace_os_distro(v),
            |b| b.remove_os_distro(),
        ),
        (
            |b, v| b.add_os_version(v),
            |b, v| b.replace_os_version(v),
            |b| b.remove_os_version(),
        ),
        (
            |b, v| b.add_description(v),
            |b, v| b.replace_description(v),
            |b| b.remove_description(),
        ),
    ];
    for (add, replace, remove) in strings {
        cases.push((Owner, add(builder(), "first".into())));
        cases.push((Owner, add(builder(), "upserted ü".into())));
        cases.push((Owner, replace(builder(), "replaced".into())));
        cases.push((Owner, remove(builder())));
    }
    // Custom properties whose schema type includes null (b-12).
    type Nullable = (
        fn(ImagePatchBuilder, Option<&str>) -> ImagePatchBuilder,
        fn(ImagePatchBuilder, Option<&str>) -> ImagePatchBuilder,
        fn(ImagePatchBuilder) -> ImagePatchBuilder,
    );
    let nullables: [Nullable; 2] = [
        (
            |b, v| b.add_kernel_id(v),
            |b, v| b.replace_kernel_id(v),
            |b| b.remove_kernel_id(),
        ),
        (
            |b, v| b.add_ramdisk_id(v),
            |b, v| b.replace_ramdisk_id(v),
            |b| b.remove_ramdisk_id(),
        ),
    ];
    for (add, replace, remove) in nullables {
        let uuids = [rng.uuid(), rng.uuid(), rng.uuid(), rng.uuid()];
        cases.push((Owner, add(builder(), Some(&uuids[0]))));
        cases.push((Owner, add(builder(), Some(&uuids[1]))));
        cases.push((Owner, replace(builder(), Some(&uuids[2]))));
        cases.push((Owner, replace(builder(), None)));
        cases.push((Owner, remove(builder())));
        cases.push((Owner, add(builder(), None)));
        cases.push((Owner, replace(builder(), Some(&uuids[3]))));
        cases.push((Owner, remove(builder())));
    }
    // Free-form keys, including the characters JSON Pointer escapes (b-01).
    for key in [
        "vendor/arch",
        "tilde~key",
        "a~1b/~0c",
        "ключ-ü",
        "in ner space",
    ] {
        cases.push((Owner, builder().add_property(key, "added")));
        cases.push((Owner, builder().add_property(key, "upserted")));
        cases.push((Owner, builder().replace_property(key, "replaced ✓")));
        cases.push((Owner, builder().remove_property(key)));
    }
    // Several operations in one patch, applied together.
    cases.push((
        Owner,
        builder()
            .replace_name(Some("multi"))
            .add_property("multi/1", "one")
            .add_os_distro("multi-distro")
            .replace_tags(["m1", "m2"])
            .replace_min_disk(7),
    ));
    cases.push((
        Owner,
        builder()
            .remove_property("multi/1")
            .remove_os_distro()
            .replace_tags(Vec::<String>::new()),
    ));
    cases
}

fn who<'a>(owner: &'a Glance, admin: &'a Glance, who: Who) -> &'a Glance {
    match who {
        Who::Owner => owner,
        Who::Admin => admin,
    }
}

/// Records what `patch` exercises: its operations by property, and the
/// free-form keys it uses.
fn record(
    covered: &mut BTreeSet<Covered>,
    keys: &mut BTreeSet<String>,
    mutable: &BTreeMap<String, Mutable>,
    patch: &ImagePatch,
) {
    for operation in patch.operations() {
        let property = if mutable.contains_key(operation.key()) {
            operation.key().to_owned()
        } else {
            keys.insert(operation.key().to_owned());
            FREE_FORM.to_owned()
        };
        let op = operation.op().as_str();
        let kind = match operation.value() {
            None => "none",
            Some(Value::Null) => "null",
            Some(Value::Array(items)) if items.is_empty() => "empty",
            Some(_) => "value",
        };
        covered.insert((property, op, kind));
    }
}

/// What the schema and overlay say must be covered, except `locations`,
/// which Glance refuses (see [`locations_are_refused`]).
fn expected_coverage() -> BTreeSet<Covered> {
    let mut expected = BTreeSet::new();
    for (name, rules) in mutable_properties() {
        if rules.list_patch.as_deref() == Some("indexed") {
            continue;
        }
        let ops: &[&'static str] = if rules.custom {
            &["add", "replace"]
        } else {
            &["replace"]
        };
        for op in ops {
            expected.insert((name.clone(), *op, "value"));
            if rules.nullable {
                expected.insert((name.clone(), *op, "null"));
            }
            if rules.list_patch.as_deref() == Some("whole") {
                expected.insert((name.clone(), *op, "empty"));
            }
        }
        if rules.custom {
            expected.insert((name, "remove", "none"));
        }
    }
    for (op, kind) in [("add", "value"), ("replace", "value"), ("remove", "none")] {
        expected.insert((FREE_FORM.to_owned(), op, kind));
    }
    expected
}

/// Glance hides locations unless `show_multiple_locations` is on, which the
/// test server (like Glance's default) leaves off; every location operation
/// is then refused with 403 and the image does not change (d-15, d-39,
/// d-40, i-13).
fn locations_are_refused(glance: &Glance, id: &str, current: &Value, media_type: PatchMediaType) {
    let location = ImageLocation {
        url: "file:///nowhere/e2e".into(),
        ..ImageLocation::default()
    };
    let refused = [
        (
            builder().add_location(ListPosition::End, location.clone()),
            "It's not allowed to add locations if locations are invisible.",
        ),
        (
            builder().replace_locations(vec![location]),
            "It's not allowed to update locations if locations are invisible.",
        ),
        (
            builder().remove_location(0),
            "You are not authorized to complete delete_image_location action.",
        ),
    ];
    // Glance answers an empty list with 403 "Cannot set locations to empty
    // list." (d-15); the builder refuses it before sending (the overlay's
    // `replace_non_empty`).
    let empty = builder()
        .replace_locations(vec![])
        .build()
        .expect_err("an empty list");
    assert_eq!(
        empty.violations(),
        [Violation {
            property: "locations".into(),
            rule: Rule::TooFewItems { min: 1, length: 0 },
        }]
    );
    let raw = match media_type {
        PatchMediaType::V2_1 => json!([{"op": "replace", "path": "/locations", "value": []}]),
        PatchMediaType::V2_0 => json!([{"replace": "/locations", "value": []}]),
    };
    let operation = glance
        .api()
        .update_image(id, raw, media_type.as_str())
        .expect("a patch operation");
    match glance.execute(operation) {
        Err(Error::Forbidden(error)) => assert!(
            error
                .message
                .ends_with("Cannot set locations to empty list."),
            "{media_type:?}: {}",
            error.message
        ),
        other => panic!("{media_type:?} empty locations: expected 403, got {other:?}"),
    }
    let mut ops = BTreeSet::new();
    for (patch, message) in refused {
        let patch = patch.build().expect("a valid location patch");
        ops.insert(patch.operations()[0].op().as_str());
        match glance.patch_image(id, &patch, media_type) {
            Err(Error::Forbidden(error)) => assert!(
                error.message.ends_with(message),
                "{media_type:?} {patch:?}: {}",
                error.message
            ),
            other => panic!("{media_type:?} {patch:?}: expected 403, got {other:?}"),
        }
    }
    let expected: BTreeSet<&str> = [PatchOp::Add, PatchOp::Replace, PatchOp::Remove]
        .map(PatchOp::as_str)
        .into();
    assert_eq!(ops, expected, "every location operation is tried");
    let (after, _) = glance.get_image_json(id).expect("get");
    assert_same(&after, current, "refused location patches change nothing");
}

/// Under v2.0 `add` on an existing key is a conflict (c-03, c-04), both for
/// a raw body and for a builder patch sent without `rebase`.
fn v2_0_add_on_existing_key_conflicts(glance: &Glance, id: &str, current: &Image) {
    let key = "conflict-probe";
    let patch = builder()
        .add_property(key, "present")
        .build()
        .expect("valid");
    let current_json = serde_json::to_value(current).expect("serializes");
    let present = send_and_compare(
        glance,
        id,
        &current_json,
        &patch,
        PatchMediaType::V2_0,
        "v2.0 add of a new key",
    );
    for body in [
        json!([{"add": "/name", "value": "clash"}]),
        json!([{"add": format!("/{key}"), "value": "clash"}]),
    ] {
        match glance.update_image(id, body.clone(), PATCH_MEDIA_TYPE_V2_0) {
            Err(Error::Conflict(_)) => {}
            other => panic!("raw v2.0 {body}: expected 409, got {other:?}"),
        }
    }
    match glance.patch_image(id, &patch, PatchMediaType::V2_0) {
        Err(Error::Conflict(_)) => {}
        other => panic!("v2.0 builder add without rebase: expected 409, got {other:?}"),
    }
    let remove = builder().remove_property(key).build().expect("valid");
    let after = send_and_compare(
        glance,
        id,
        &present,
        &remove,
        PatchMediaType::V2_0,
        "v2.0 remove after the conflicts",
    );
    assert_same(&after, &current_json, "the conflicts changed nothing");
}

fn every_operation(test: &'static str, media_type: PatchMediaType) {
    let Some(session) = Session::start(test) else {
        return;
    };
    let seed = Rng::seed_from_env();
    let mut rng = Rng::new(seed);
    let owner = session.client(OWNER);
    let admin = session.client(ADMIN);
    let created = owner
        .create_image(&ImageCreate {
            name: Some(session.unique("every-op")),
            disk_format: Some(ImageDiskFormat::Raw),
            container_format: Some(ImageContainerFormat::Bare),
            ..ImageCreate::default()
        })
        .expect("create");
    let id = created.id.expect("id");
    let (mut current, mut current_image) = owner.get_image_json(&id).expect("get");

    let mutable = mutable_properties();
    let mut covered = BTreeSet::new();
    let mut free_form_keys = BTreeSet::new();
    for (index, (who_sends, case)) in cases(&session, &mut rng).into_iter().enumerate() {
        let mut patch = case
            .build()
            .unwrap_or_else(|error| panic!("case {index}: {error}"));
        if media_type == PatchMediaType::V2_0 {
            patch = patch.rebase(&current_image);
        }
        record(&mut covered, &mut free_form_keys, &mutable, &patch);
        let context = format!(
            "{media_type:?} case {index} (seed {seed}): {}",
            patch.to_body(media_type)
        );
        let glance = who(&owner, &admin, who_sends);
        current = send_and_compare(glance, &id, &current, &patch, media_type, &context);
        current_image = serde_json::from_value(current.clone()).expect("decodes");
    }

    // The indexed lists are the ones `locations_are_refused` covers.
    let indexed: Vec<&String> = mutable
        .iter()
        .filter(|(_, rules)| rules.list_patch.as_deref() == Some("indexed"))
        .map(|(name, _)| name)
        .collect();
    assert_eq!(indexed, ["locations"]);
    let missing: Vec<_> = expected_coverage().difference(&covered).cloned().collect();
    assert!(
        missing.is_empty(),
        "{media_type:?}: operations never sent: {missing:?}"
    );
    for needed in ['/', '~'] {
        assert!(
            free_form_keys.iter().any(|key| key.contains(needed)),
            "a free-form key with `{needed}`"
        );
    }
    assert!(
        free_form_keys.iter().any(|key| !key.is_ascii()),
        "a non-ASCII key"
    );

    locations_are_refused(&owner, &id, &current, media_type);
    if media_type == PatchMediaType::V2_0 {
        v2_0_add_on_existing_key_conflicts(&owner, &id, &current_image);
    }

    let (fetched, _) = owner.get_image_json(&id).expect("get");
    assert_eq!(
        comparable(&fetched),
        comparable(&current),
        "GET returns what the last PATCH returned"
    );
    owner.delete_image(&id).expect("delete");
}

#[test]
fn every_builder_operation_v2_1() {
    every_operation("every_builder_operation_v2_1", PatchMediaType::V2_1);
}

#[test]
fn every_builder_operation_v2_0() {
    every_operation("every_builder_operation_v2_0", PatchMediaType::V2_0);
}
