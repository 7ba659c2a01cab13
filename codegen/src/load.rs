//! Reading schema files: text in, a JSON object out, or an error that says
//! where the text is broken.

use schemars::Schema;
use serde_json::Value;

use crate::error::Error;

/// One schema file as given to the generator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaSource {
    /// How errors name the file, such as `schemas/image.json`.
    pub file: String,
    pub text: String,
    /// The folder the service serves the schema under, such as `metadefs`
    /// for `/v2/schemas/metadefs/namespace`; `None` at the top.
    pub folder: Option<String>,
}

impl SchemaSource {
    pub fn new(file: impl Into<String>, text: impl Into<String>) -> Self {
        SchemaSource {
            file: file.into(),
            text: text.into(),
            folder: None,
        }
    }

    /// The same file, served under `folder`: its resource and type names
    /// take the folder's singular as a prefix (`metadefs` gives
    /// `metadef_namespace` and `MetadefNamespace`), because Glance's
    /// metadef schemas call themselves plain `namespace`, `object`,
    /// `property` and `tag`, which would say nothing at the crate root.
    pub fn in_folder(mut self, folder: impl Into<String>) -> Self {
        self.folder = Some(folder.into());
        self
    }

    /// The prefix of the resource names of this file: the folder's
    /// singular, such as `metadef`.
    pub fn prefix(&self) -> Option<String> {
        self.folder.as_deref().map(crate::names::singular)
    }
}

/// A schema's `name` as the generator knows it: `prefix_name` for a schema
/// served in a folder, its own name otherwise.
pub fn qualified(prefix: Option<&str>, name: &str) -> String {
    match prefix {
        Some(prefix) => format!("{prefix}_{name}"),
        None => name.to_owned(),
    }
}

/// Parses one file. A schema must be a JSON object: `true` and `false` are
/// valid JSON Schemas but describe no document the service sends.
pub fn load(source: &SchemaSource) -> Result<Schema, Error> {
    let value: Value = serde_json::from_str(&source.text).map_err(|e| {
        Error::new(
            &source.file,
            "",
            format!(
                "invalid JSON at line {} column {}: {e}",
                e.line(),
                e.column()
            ),
        )
    })?;
    if !value.is_object() {
        return Err(Error::new(
            &source.file,
            "",
            format!(
                "the schema must be a JSON object, found {}",
                json_kind(&value)
            ),
        ));
    }
    Schema::try_from(value).map_err(|e| Error::new(&source.file, "", e.to_string()))
}

/// The JSON type of a value, as a schema would name it.
pub fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
