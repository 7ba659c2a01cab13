//! The overlay's `compute` entry: what Nova's image schemas leave out.
//!
//! Nova's schemas are dumped from Python dicts, so they carry no names and
//! no descriptions. The entry gives each file its Rust type (or the reason
//! it has none), renames the nested types whose position alone would give
//! two different types one name, and adds the facts a user needs that the
//! schemas do not state, each with its evidence. Like the Glance entries,
//! one that no longer applies is an error.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::error::{Error, child_pointer};
use crate::overlay::{OVERLAY_FILE, as_object, documented, strings, unknown_key};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ComputeOverlay {
    /// By file stem (`images._image_response`).
    pub files: BTreeMap<String, FileEntry>,
    /// Type names by file stem and JSON pointer inside that file.
    pub type_names: BTreeMap<String, BTreeMap<String, String>>,
    /// Facts added to property docs, by Rust type name and JSON key.
    pub facts: BTreeMap<String, BTreeMap<String, String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FileEntry {
    /// The file's root becomes this type, documented with `doc`.
    Type { name: String, doc: String },
    /// The file is read and checked, but emits no type, for this reason.
    Skip(String),
}

impl ComputeOverlay {
    pub fn parse(value: &Value, pointer: &str) -> Result<Self, Error> {
        let mut overlay = ComputeOverlay::default();
        for (key, entry) in as_object(value, pointer)? {
            let at = child_pointer(pointer, key);
            match key.as_str() {
                "$comment" => {}
                "files" => {
                    for (stem, file) in as_object(entry, &at)? {
                        let at = child_pointer(&at, stem);
                        overlay.files.insert(stem.clone(), parse_file(file, &at)?);
                    }
                }
                "type_names" => {
                    for (stem, names) in as_object(entry, &at)? {
                        let at = child_pointer(&at, stem);
                        let mut by_pointer = BTreeMap::new();
                        for (pointer, name) in documented(names, &at)? {
                            if matches!(pointer.as_str(), "why" | "evidence") {
                                continue;
                            }
                            let name = name.as_str().ok_or_else(|| {
                                Error::new(
                                    OVERLAY_FILE,
                                    &child_pointer(&at, pointer),
                                    "expected a type name",
                                )
                            })?;
                            by_pointer.insert(pointer.clone(), name.to_owned());
                        }
                        overlay.type_names.insert(stem.clone(), by_pointer);
                    }
                }
                "facts" => {
                    for (type_name, properties) in as_object(entry, &at)? {
                        let at = child_pointer(&at, type_name);
                        let mut by_key = BTreeMap::new();
                        for (json_name, fact) in as_object(properties, &at)? {
                            let at = child_pointer(&at, json_name);
                            let fields = documented(fact, &at)?;
                            if let Some(other) = fields
                                .keys()
                                .find(|k| !matches!(k.as_str(), "doc" | "why" | "evidence"))
                            {
                                return Err(unknown_key(other, &at));
                            }
                            strings(fields.get("evidence"), &child_pointer(&at, "evidence"))?;
                            let doc = text(fields.get("doc"), &child_pointer(&at, "doc"))?;
                            by_key.insert(json_name.clone(), doc);
                        }
                        overlay.facts.insert(type_name.clone(), by_key);
                    }
                }
                other => return Err(unknown_key(other, &at)),
            }
        }
        Ok(overlay)
    }
}

fn parse_file(value: &Value, pointer: &str) -> Result<FileEntry, Error> {
    let fields = as_object(value, pointer)?;
    if let Some(other) = fields
        .keys()
        .find(|k| !matches!(k.as_str(), "type" | "doc" | "skip"))
    {
        return Err(unknown_key(other, pointer));
    }
    match (fields.get("type"), fields.get("skip")) {
        (Some(name), None) => Ok(FileEntry::Type {
            name: text(Some(name), &child_pointer(pointer, "type"))?,
            doc: text(fields.get("doc"), &child_pointer(pointer, "doc"))?,
        }),
        (None, Some(reason)) => Ok(FileEntry::Skip(text(
            Some(reason),
            &child_pointer(pointer, "skip"),
        )?)),
        _ => Err(Error::new(
            OVERLAY_FILE,
            pointer,
            "a file entry has either `type` (with `doc`) or `skip` (with the reason)",
        )),
    }
}

fn text(value: Option<&Value>, pointer: &str) -> Result<String, Error> {
    value
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .map(str::to_owned)
        .ok_or_else(|| Error::new(OVERLAY_FILE, pointer, "expected a non-empty string"))
}
