//! The overlay's `create` entry: which writable properties the create body
//! leaves out. A stale entry (a property the schema lacks, or one it now
//! marks readOnly itself) is an error, like every other overlay entry.

use std::fs;
use std::path::Path;

use cloud_images_codegen::{Overlay, SchemaSource, lower_all};
use serde_json::{Value, json};

fn image_schema() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas/image.json");
    let text =
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).expect("the image schema is JSON")
}

fn lower(
    schema: &Value,
    overlay: &Value,
) -> Result<cloud_images_codegen::model::Api, cloud_images_codegen::Error> {
    let overlay = Overlay::parse(&overlay.to_string())?;
    lower_all(
        &[SchemaSource::new("schemas/image.json", schema.to_string())],
        &overlay,
    )
}

/// The Glance overlay with its `create` entry replaced.
fn overlay_with_create(create: Value) -> Value {
    let mut overlay: Value = serde_json::from_str(cloud_images_codegen::overlay::GLANCE_OVERLAY)
        .expect("the overlay is JSON");
    overlay["image"]["create"] = create;
    overlay
}

#[test]
fn the_glance_overlay_excludes_locations_from_create() {
    let api = lower(
        &image_schema(),
        &serde_json::from_str(cloud_images_codegen::overlay::GLANCE_OVERLAY).unwrap(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let rules = api.resources["image"]
        .patch
        .as_ref()
        .expect("the image is patchable");
    assert_eq!(rules.create_excluded, ["locations"]);
    let properties = &api.resources["image"].object.properties;
    assert!(
        !rules.creatable(&properties["locations"]),
        "a-34: locations are refused on create"
    );
    assert!(
        rules.creatable(&properties["id"]),
        "a-04: a client may choose the id"
    );
    assert!(
        !rules.creatable(&properties["status"]),
        "a-17: status is read-only"
    );
}

#[test]
fn an_excluded_property_the_schema_lacks_is_an_error() {
    let overlay =
        overlay_with_create(json!({"exclude": ["nowhere"], "why": "w", "evidence": ["a-34"]}));
    let error = lower(&image_schema(), &overlay)
        .expect_err("a stale entry")
        .to_string();
    assert!(
        error.contains("/image/create/exclude") && error.contains("no property `nowhere`"),
        "{error}"
    );
}

#[test]
fn an_excluded_property_the_schema_marks_read_only_is_an_error() {
    let mut schema = image_schema();
    schema["properties"]["locations"]["readOnly"] = json!(true);
    let error = lower(
        &schema,
        &overlay_with_create(json!({"exclude": ["locations"], "why": "w", "evidence": ["a-34"]})),
    )
    .expect_err("a redundant entry")
    .to_string();
    assert!(
        error.contains("marks `locations` readOnly itself"),
        "{error}"
    );
}

#[test]
fn a_create_entry_needs_why_and_evidence_and_known_keys() {
    let error = Overlay::parse(&overlay_with_create(json!({"exclude": ["locations"]})).to_string())
        .expect_err("no why or evidence")
        .to_string();
    assert!(error.contains("`why` and `evidence`"), "{error}");
    let error = Overlay::parse(
        &overlay_with_create(
            json!({"exclude": ["locations"], "include": [], "why": "w", "evidence": ["e"]}),
        )
        .to_string(),
    )
    .expect_err("an unknown key")
    .to_string();
    assert!(error.contains("unknown overlay key `include`"), "{error}");
    let error = Overlay::parse(
        &overlay_with_create(json!({"exclude": "locations", "why": "w", "evidence": ["e"]}))
            .to_string(),
    )
    .expect_err("not a list")
    .to_string();
    assert!(error.contains("expected an array of strings"), "{error}");
}
