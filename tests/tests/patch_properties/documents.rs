//! The real image documents, the schema Glance serves for them, and the
//! JSON-level operations the properties are stated with.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use cloud_images::ImagePatch;
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// Every recorded single-image response, by file name.
pub fn samples() -> Vec<(String, Value)> {
    let mut paths: Vec<PathBuf> = fs::read_dir(root().join("fixtures/samples"))
        .expect("samples folder")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| {
            path.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("image-"))
        })
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
            let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, value)
        })
        .collect()
}

fn image_schema() -> Value {
    let text =
        fs::read_to_string(root().join("../schemas/image.json")).expect("schemas/image.json");
    serde_json::from_str(&text).expect("the image schema is JSON")
}

/// The image schema as Glance validates with it. It carries no `$schema`;
/// Glance uses draft 4 (jsonschema's Draft4Validator).
pub fn validator() -> jsonschema::Validator {
    jsonschema::draft4::new(&image_schema()).expect("the image schema compiles as draft 4")
}

/// The names the schema declares, which are not free-form keys.
pub fn declared_properties() -> BTreeSet<String> {
    image_schema()["properties"]
        .as_object()
        .expect("properties")
        .keys()
        .cloned()
        .collect()
}

/// Properties the service sets and every PATCH operation on which it
/// refuses (`readOnly` in the schema, plus `id`).
pub const READ_ONLY: [&str; 14] = [
    "checksum",
    "created_at",
    "direct_url",
    "file",
    "id",
    "os_hash_algo",
    "os_hash_value",
    "schema",
    "self",
    "size",
    "status",
    "stores",
    "updated_at",
    "virtual_size",
];

pub fn apply(document: &Value, patch: &ImagePatch) -> Result<Value, String> {
    let mut document = document.clone();
    json_patch::patch(&mut document, &json_patch::Patch::from(patch)).map_err(|e| e.to_string())?;
    Ok(document)
}

/// A document as Glance means it: tags are a set, so neither their order
/// nor duplicates count.
pub fn normalized(mut image: Value) -> Value {
    if let Some(Value::Array(tags)) = image.get_mut("tags") {
        let set: BTreeSet<String> = tags
            .iter()
            .filter_map(|t| t.as_str().map(str::to_owned))
            .collect();
        *tags = set.into_iter().map(Value::String).collect();
    }
    image
}
