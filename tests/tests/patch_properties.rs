//! Properties of `ImagePatchBuilder` and `ImagePatch::diff` over random
//! builder calls on every real image document (`fixtures/samples/image-*`),
//! with each patch applied as RFC 6902 by `json_patch`. Which calls are drawn
//! for which document is explained in `patch_properties/intents.rs`.

#[path = "patch_properties/documents.rs"]
mod documents;
#[path = "patch_properties/intents.rs"]
mod intents;

use std::collections::BTreeSet;
use std::fmt::Debug;

use cloud_images::{Image, ImagePatch, ImageStatus, PatchMediaType, PatchOp};
use documents::{READ_ONLY, apply, normalized};
use intents::Intent;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Value, json};

const CASES_PER_SAMPLE: u32 = 256;

/// Runs `property` on `CASES_PER_SAMPLE` random values for every sample,
/// naming the sample and the smallest failing value on failure.
fn for_every_sample<S: Strategy>(
    strategy: S,
    property: impl Fn(&str, &Value, S::Value) -> Result<(), TestCaseError>,
) where
    S::Value: Debug,
{
    let samples = documents::samples();
    assert_eq!(samples.len(), 10, "every recorded image is used");
    for (name, sample) in &samples {
        let config = Config {
            cases: CASES_PER_SAMPLE,
            failure_persistence: None,
            ..Config::default()
        };
        let mut runner = TestRunner::new(config);
        if let Err(error) = runner.run(&strategy, |value| property(name, sample, value)) {
            panic!("{name}: {error}");
        }
    }
}

fn image(document: &Value) -> Result<Image, TestCaseError> {
    serde_json::from_value(document.clone())
        .map_err(|e| TestCaseError::fail(format!("not an Image: {e}")))
}

/// The patch for `intents`, built call by call, and the document it must
/// produce: each call is chosen for, and applied to, the document as the
/// calls before it left it.
fn generate(
    document: &Value,
    intents: &[Intent],
    declared: &BTreeSet<String>,
) -> Result<(ImagePatch, Value), TestCaseError> {
    let mut builder = ImagePatch::builder();
    let mut current = document.clone();
    for intent in intents {
        let single = intents::call(ImagePatch::builder(), intent, &current, declared)
            .build()
            .map_err(|e| TestCaseError::fail(format!("{intent:?} was refused: {e}")))?;
        builder = intents::call(builder, intent, &current, declared);
        current = apply(&current, &single)
            .map_err(|e| TestCaseError::fail(format!("{intent:?} does not apply: {e}")))?;
    }
    let patch = builder
        .build()
        .map_err(|e| TestCaseError::fail(format!("valid calls were refused together: {e}")))?;
    Ok((patch, current))
}

#[test]
fn random_valid_patches_keep_every_sample_valid_against_the_schema() {
    let declared = documents::declared_properties();
    let validator = documents::validator();
    for (name, sample) in documents::samples() {
        let errors: Vec<String> = validator
            .iter_errors(&sample)
            .map(|e| e.to_string())
            .collect();
        assert!(
            errors.is_empty(),
            "{name} is not valid to begin with: {errors:?}"
        );
    }
    for_every_sample(intents::intents(), |_, sample, intents| {
        let (patch, expected) = generate(sample, &intents, &declared)?;
        let patched = apply(sample, &patch)
            .map_err(|e| TestCaseError::fail(format!("the whole patch does not apply: {e}")))?;
        prop_assert_eq!(
            &patched,
            &expected,
            "the whole patch differs from its calls one by one"
        );
        if !validator.is_valid(&patched) {
            let errors: Vec<String> = validator
                .iter_errors(&patched)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .collect();
            return Err(TestCaseError::fail(format!(
                "patched image breaks the schema: {errors:?}"
            )));
        }
        Ok(())
    });
}

/// The schema check above is not vacuous: it refuses, on every sample, the
/// values the builder refuses.
#[test]
fn the_schema_check_refuses_what_glance_refuses() {
    let validator = documents::validator();
    let refused = [
        ("name", json!("n".repeat(256))),
        ("disk_format", json!("qcow3")),
        ("visibility", json!("everyone")),
        ("kernel_id", json!("abc")),
        ("tags", json!(["t".repeat(256)])),
        ("protected", json!("true")),
        ("min_ram", json!(1.5)),
        ("hw_disk_bus", json!(4)),
        ("nullprop", Value::Null),
    ];
    for (name, sample) in documents::samples() {
        for (key, value) in &refused {
            let mut document = sample.clone();
            document[*key] = value.clone();
            assert!(
                !validator.is_valid(&document),
                "{name}: {key} = {value} passes the schema"
            );
        }
    }
}

#[test]
fn diff_reproduces_any_valid_patch() {
    let declared = documents::declared_properties();
    for_every_sample(intents::intents(), |_, sample, intents| {
        let (_, patched) = generate(sample, &intents, &declared)?;
        let (old, new) = (image(sample)?, image(&patched)?);
        let diff = ImagePatch::diff(&old, &new)
            .map_err(|e| TestCaseError::fail(format!("diff refused: {e}")))?;
        let replayed = apply(sample, &diff)
            .map_err(|e| TestCaseError::fail(format!("diff does not apply: {e}")))?;
        prop_assert_eq!(normalized(replayed), normalized(patched));
        prop_assert!(
            ImagePatch::diff(&old, &old)
                .map_err(|e| TestCaseError::fail(e.to_string()))?
                .is_empty()
        );
        prop_assert!(
            ImagePatch::diff(&new, &new)
                .map_err(|e| TestCaseError::fail(e.to_string()))?
                .is_empty()
        );
        Ok(())
    });
}

/// A change the service makes on its own: a read-only property dropped or
/// given another value.
#[derive(Debug, Clone)]
enum ServiceChange {
    Drop,
    Set(Value),
}

fn service_change() -> impl Strategy<Value = ServiceChange> {
    prop_oneof![
        Just(ServiceChange::Drop),
        "\\PC{0,20}".prop_map(|s| ServiceChange::Set(Value::String(s))),
        any::<u32>().prop_map(|n| ServiceChange::Set(json!(n))),
        Just(ServiceChange::Set(Value::Null)),
    ]
}

/// `value` made into something the read-only property `key` can hold, so
/// that the document still decodes as an `Image`.
fn read_only_value(key: &str, value: &Value) -> Value {
    let text = || {
        value
            .as_str()
            .map_or_else(|| value.to_string(), str::to_owned)
    };
    match key {
        "status" => {
            let known = ImageStatus::KNOWN_VALUES;
            json!(known[value.as_u64().unwrap_or(0) as usize % known.len()])
        }
        "size" | "virtual_size" if value.is_string() => json!(text().len()),
        "size" | "virtual_size" => value.clone(),
        "checksum" | "os_hash_algo" | "os_hash_value" if value.is_null() => Value::Null,
        _ => json!(text()),
    }
}

fn with_service_changes(mut document: Value, changes: &[(Index, ServiceChange)]) -> Value {
    if let Some(object) = document.as_object_mut() {
        for (at, change) in changes {
            let key = *at.get(&READ_ONLY);
            match change {
                ServiceChange::Drop => object.remove(key),
                ServiceChange::Set(value) => {
                    object.insert(key.to_owned(), read_only_value(key, value))
                }
            };
        }
    }
    document
}

#[test]
fn diff_never_touches_read_only_properties_or_single_tags() {
    let declared = documents::declared_properties();
    let strategy = (
        intents::intents(),
        proptest::collection::vec((any::<Index>(), service_change()), 1..8),
    );
    for_every_sample(strategy, |_, sample, (intents, changes)| {
        let (_, patched) = generate(sample, &intents, &declared)?;
        let changed = with_service_changes(patched.clone(), &changes);
        let diff = ImagePatch::diff(&image(sample)?, &image(&changed)?)
            .map_err(|e| TestCaseError::fail(format!("diff refused: {e}")))?;
        for operation in diff.operations() {
            prop_assert!(
                !READ_ONLY.contains(&operation.key()),
                "diff changes read-only {}",
                operation.path()
            );
            prop_assert!(
                !operation.path().starts_with("/tags/"),
                "diff changes one tag: {}",
                operation.path()
            );
        }
        // What the service changed is left to it; everything else is reproduced.
        let replayed = apply(sample, &diff)
            .map_err(|e| TestCaseError::fail(format!("diff does not apply: {e}")))?;
        prop_assert_eq!(normalized(replayed), normalized(patched));
        Ok(())
    });
}

#[test]
fn diff_is_already_rebased_on_the_document_it_starts_from() {
    let declared = documents::declared_properties();
    // Also from copies that lack some schema properties, as a caller's own
    // `Image` may: base properties are still replaced, never added.
    let strategy = (
        intents::intents(),
        proptest::collection::vec(any::<Index>(), 0..6),
    );
    for_every_sample(strategy, |_, sample, (intents, dropped)| {
        let (_, patched) = generate(sample, &intents, &declared)?;
        let mut partial = sample.clone();
        let names: Vec<&String> = declared.iter().collect();
        for at in &dropped {
            partial
                .as_object_mut()
                .map(|o| o.remove(at.get(&names).as_str()));
        }
        for old in [sample, &partial] {
            let old = image(old)?;
            let diff = ImagePatch::diff(&old, &image(&patched)?)
                .map_err(|e| TestCaseError::fail(format!("diff refused: {e}")))?;
            prop_assert_eq!(diff.clone().rebase(&old), diff);
        }
        Ok(())
    });
}

/// The v2.0 form of one v2.1 operation object: `{"<op>": path, "value"?}`.
fn as_v2_0(operation: &Value) -> Value {
    let mut object = serde_json::Map::new();
    if let (Some(op), Some(path)) = (operation["op"].as_str(), operation.get("path")) {
        object.insert(op.to_owned(), path.clone());
    }
    if let Some(value) = operation.get("value") {
        object.insert("value".to_owned(), value.clone());
    }
    Value::Object(object)
}

fn check_bodies(patch: &ImagePatch) -> Result<(), TestCaseError> {
    let v2_1 = serde_json::to_value(patch).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let via_json_patch = serde_json::to_value(json_patch::Patch::from(patch))
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(
        &via_json_patch,
        &v2_1,
        "json_patch::Patch renders other operations"
    );
    prop_assert_eq!(&patch.to_body(PatchMediaType::V2_1), &v2_1);
    let operations = v2_1.as_array().cloned().unwrap_or_default();
    prop_assert_eq!(operations.len(), patch.len());
    for (object, operation) in operations.iter().zip(patch.operations()) {
        let path = operation.path();
        prop_assert_eq!(object["path"].as_str(), Some(path.as_str()));
        prop_assert_eq!(
            object.get("value").is_some(),
            operation.op() != PatchOp::Remove
        );
    }
    let v2_0: Vec<Value> = operations.iter().map(as_v2_0).collect();
    prop_assert_eq!(patch.to_body(PatchMediaType::V2_0), Value::Array(v2_0));
    Ok(())
}

#[test]
fn every_body_form_says_the_same_thing() {
    let declared = documents::declared_properties();
    for_every_sample(intents::intents(), |_, sample, intents| {
        let (patch, patched) = generate(sample, &intents, &declared)?;
        check_bodies(&patch)?;
        let diff = ImagePatch::diff(&image(sample)?, &image(&patched)?)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        check_bodies(&diff)
    });
}

#[test]
fn rebase_rewrites_only_what_would_conflict() {
    let current = image(&json!({"name": "a", "os_distro": "x", "hw_disk_bus": "virtio"})).unwrap();
    let patch = ImagePatch::builder()
        .replace_name(Some("b"))
        .add_os_distro("u")
        .replace_os_version("v")
        .add_property("hw_disk_bus", "scsi")
        .replace_property("new", "n")
        .remove_property("hw_disk_bus")
        .build()
        .unwrap();
    let ops: Vec<(PatchOp, &str)> = patch
        .operations()
        .iter()
        .map(|o| (o.op(), o.key()))
        .collect();
    let rebased = patch.clone().rebase(&current);
    let rebased_ops: Vec<(PatchOp, &str)> = rebased
        .operations()
        .iter()
        .map(|o| (o.op(), o.key()))
        .collect();
    assert_eq!(
        rebased_ops,
        [
            (PatchOp::Replace, "name"),
            (PatchOp::Replace, "os_distro"),
            (PatchOp::Add, "os_version"),
            (PatchOp::Replace, "hw_disk_bus"),
            (PatchOp::Add, "new"),
            (PatchOp::Remove, "hw_disk_bus"),
        ],
        "from {ops:?}"
    );
    // A copy that lacks base properties still gets `replace` for them: the
    // service has them, and `add` on them is a 409 under v2.0 (c-04).
    let base = ImagePatch::builder()
        .replace_name(None)
        .replace_tags(["a"])
        .replace_min_ram(1)
        .replace_visibility(cloud_images::ImageVisibility::Shared)
        .build()
        .unwrap();
    assert_eq!(base.clone().rebase(&Image::default()), base);
}
