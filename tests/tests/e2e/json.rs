//! Comparing images as JSON, applying patches locally, and reading which
//! image properties can change from the schema and the overlay.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use cloud_images::ImagePatch;
use serde_json::Value;

fn workspace_file(relative: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// `schemas/image.json`, the schema the project generates from.
pub fn image_schema() -> Value {
    workspace_file("schemas/image.json")
}

/// A copy of `image` that can be compared with another state of the same
/// image: without `updated_at`, which moves on every change, and with the
/// tags as a sorted set, since Glance keeps neither their order nor
/// duplicates (b-15, b-16).
pub fn comparable(image: &Value) -> Value {
    let mut image = image.clone();
    if let Some(object) = image.as_object_mut() {
        object.remove("updated_at");
        if let Some(Value::Array(tags)) = object.get_mut("tags") {
            let set: BTreeSet<String> = tags
                .iter()
                .map(|tag| tag.as_str().map_or_else(|| tag.to_string(), str::to_owned))
                .collect();
            *tags = set.into_iter().map(Value::String).collect();
        }
    }
    image
}

/// `document` after `patch`, applied with `json_patch` the way RFC 6902
/// says.
pub fn apply(document: &Value, patch: &ImagePatch) -> Result<Value, json_patch::PatchError> {
    let mut document = document.clone();
    json_patch::patch(&mut document, &json_patch::Patch::from(patch))?;
    Ok(document)
}

/// The keys whose values differ between two objects, for failure messages.
pub fn differences(left: &Value, right: &Value) -> Vec<String> {
    let empty = serde_json::Map::new();
    let left = left.as_object().unwrap_or(&empty);
    let right = right.as_object().unwrap_or(&empty);
    let keys: BTreeSet<&String> = left.keys().chain(right.keys()).collect();
    keys.into_iter()
        .filter(|key| left.get(*key) != right.get(*key))
        .map(|key| {
            format!(
                "{key}: {} vs {}",
                left.get(key)
                    .map_or("<absent>".to_owned(), Value::to_string),
                right
                    .get(key)
                    .map_or("<absent>".to_owned(), Value::to_string)
            )
        })
        .collect()
}

/// Asserts that Glance's image equals the expected document, up to
/// [`comparable`].
#[track_caller]
pub fn assert_same(server: &Value, expected: &Value, context: &str) {
    let (server, expected) = (comparable(server), comparable(expected));
    assert!(
        server == expected,
        "{context}: the server's image differs from the local result:\n  {}",
        differences(&server, &expected).join("\n  ")
    );
}

/// How the schema and the overlay say a property may change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mutable {
    /// `"is_base": false`: the property can be added and removed.
    pub custom: bool,
    /// Its type includes `null`.
    pub nullable: bool,
    /// An array, and how the overlay says it is patched (`whole` or `indexed`).
    pub list_patch: Option<String>,
}

/// Every image property a client may change: those the schema does not
/// mark `readOnly` and the overlay does not call `immutable` (`id`).
pub fn mutable_properties() -> BTreeMap<String, Mutable> {
    let schema = image_schema();
    let overlay = workspace_file("codegen/overlay.json");
    let facts = &overlay["image"]["properties"];
    let properties = schema["properties"]
        .as_object()
        .expect("the image schema has properties");
    properties
        .iter()
        .filter(|(name, property)| {
            property["readOnly"] != Value::Bool(true)
                && facts[name.as_str()]["immutable"] != Value::Bool(true)
        })
        .map(|(name, property)| {
            let types: Vec<&str> = match &property["type"] {
                Value::String(one) => vec![one.as_str()],
                Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            let list_patch = types.contains(&"array").then(|| {
                facts[name.as_str()]["list_patch"]
                    .as_str()
                    .unwrap_or("indexed")
                    .to_owned()
            });
            let rules = Mutable {
                custom: property["is_base"] == Value::Bool(false),
                nullable: types.contains(&"null"),
                list_patch,
            };
            (name.clone(), rules)
        })
        .collect()
}
