//! The overlay: facts about Glance that its schemas do not state.
//!
//! The data lives in `codegen/overlay.json`, each entry with the reason and
//! the recorded exchange that proves it. Like k8s-openapi's fixups, an entry
//! that no longer applies (the property is gone, or the schema now says the
//! same thing itself) is an error, so that the overlay shrinks as upstream
//! improves instead of silently rotting.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::error::{Error, child_pointer};
use crate::model::{CreateRules, IntegerRules, KeyRules, PatchRules, Property, Shape};

/// The overlay file's name in error messages.
pub const OVERLAY_FILE: &str = "codegen/overlay.json";

/// The built-in overlay for Glance 33.
pub const GLANCE_OVERLAY: &str = include_str!("../overlay.json");

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overlay {
    pub resources: BTreeMap<String, ResourceOverlay>,
    /// The `compute` entry: names and facts for Nova's image schemas.
    pub compute: crate::lower::compute::ComputeOverlay,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResourceOverlay {
    pub patch: bool,
    pub properties: BTreeMap<String, PropertyOverlay>,
    pub reserved_keys: Vec<String>,
    pub reserved_prefixes: Vec<String>,
    pub max_key_length: Option<u64>,
    /// Properties the schema lets clients write but the create request
    /// refuses (`create.exclude`).
    pub create_excluded: Vec<String>,
    /// `create` is present: clients create the resource, so it gets a create
    /// body even when it is not patched.
    pub create: bool,
    /// `update` is `"put"`: the service replaces the whole document on
    /// `PUT`.
    pub put_update: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PropertyOverlay {
    pub immutable: bool,
    pub minimum: Option<i64>,
    pub maximum: Option<i64>,
    pub list_patch: Option<ListPatch>,
    pub replace_non_empty: bool,
    /// The string is an RFC 3339 timestamp.
    pub timestamp: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListPatch {
    Whole,
    Indexed,
}

impl Overlay {
    /// The overlay that ships with the generator.
    pub fn glance() -> Result<Self, Error> {
        Self::parse(GLANCE_OVERLAY)
    }

    /// An overlay with no entries, for schemas that are not Glance's.
    pub fn empty() -> Self {
        Overlay::default()
    }

    pub fn parse(text: &str) -> Result<Self, Error> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| Error::new(OVERLAY_FILE, "", format!("invalid JSON: {e}")))?;
        let root = as_object(&value, "")?;
        let mut overlay = Overlay::default();
        for (name, entry) in root {
            if name == "$comment" {
                continue;
            }
            let pointer = child_pointer("", name);
            if name == "compute" {
                overlay.compute = crate::lower::compute::ComputeOverlay::parse(entry, &pointer)?;
                continue;
            }
            overlay
                .resources
                .insert(name.clone(), parse_resource(entry, &pointer)?);
        }
        Ok(overlay)
    }
}

fn parse_resource(value: &Value, pointer: &str) -> Result<ResourceOverlay, Error> {
    let mut resource = ResourceOverlay::default();
    for (key, entry) in as_object(value, pointer)? {
        let at = child_pointer(pointer, key);
        match key.as_str() {
            "patch" => {
                documented(entry, &at)?;
                resource.patch = true;
            }
            "properties" => {
                for (name, property) in as_object(entry, &at)? {
                    let at = child_pointer(&at, name);
                    resource
                        .properties
                        .insert(name.clone(), parse_property(property, &at)?);
                }
            }
            "reserved_keys" => {
                let fields = documented(entry, &at)?;
                resource.reserved_keys = strings(fields.get("exact"), &at)?;
                resource.reserved_prefixes = strings(fields.get("prefixes"), &at)?;
            }
            "max_key_length" => {
                let fields = documented(entry, &at)?;
                resource.max_key_length = fields.get("value").and_then(Value::as_u64);
                if resource.max_key_length.is_none() {
                    return Err(Error::new(
                        OVERLAY_FILE,
                        &at,
                        "`value` must be a whole number",
                    ));
                }
            }
            "create" => {
                let fields = documented(entry, &at)?;
                if let Some(other) = fields
                    .keys()
                    .find(|k| !matches!(k.as_str(), "exclude" | "why" | "evidence"))
                {
                    return Err(unknown_key(other, &at));
                }
                resource.create_excluded =
                    strings(fields.get("exclude"), &child_pointer(&at, "exclude"))?;
                resource.create = true;
            }
            "update" => {
                let fields = documented(entry, &at)?;
                if let Some(other) = fields
                    .keys()
                    .find(|k| !matches!(k.as_str(), "method" | "why" | "evidence"))
                {
                    return Err(unknown_key(other, &at));
                }
                if fields.get("method").and_then(Value::as_str) != Some("put") {
                    return Err(Error::new(
                        OVERLAY_FILE,
                        &child_pointer(&at, "method"),
                        "`method` must be \"put\": the only update the overlay describes is a PUT of the whole document",
                    ));
                }
                resource.put_update = true;
            }
            other => return Err(unknown_key(other, &at)),
        }
    }
    Ok(resource)
}

fn parse_property(value: &Value, pointer: &str) -> Result<PropertyOverlay, Error> {
    let fields = documented(value, pointer)?;
    let mut property = PropertyOverlay::default();
    for (key, entry) in fields {
        let at = child_pointer(pointer, key);
        match key.as_str() {
            "why" | "evidence" => {}
            "immutable" => property.immutable = entry.as_bool() == Some(true),
            "minimum" => property.minimum = Some(integer(entry, &at)?),
            "replace_non_empty" => property.replace_non_empty = entry.as_bool() == Some(true),
            "timestamp" => property.timestamp = entry.as_bool() == Some(true),
            "maximum" => property.maximum = Some(integer(entry, &at)?),
            "list_patch" => {
                property.list_patch = Some(match entry.as_str() {
                    Some("whole") => ListPatch::Whole,
                    Some("indexed") => ListPatch::Indexed,
                    _ => {
                        return Err(Error::new(
                            OVERLAY_FILE,
                            &at,
                            "`list_patch` must be \"whole\" or \"indexed\"",
                        ));
                    }
                })
            }
            other => return Err(unknown_key(other, &at)),
        }
    }
    Ok(property)
}

/// Every overlay entry must say why it exists and what proves it.
pub(crate) fn documented<'a>(
    value: &'a Value,
    pointer: &str,
) -> Result<&'a Map<String, Value>, Error> {
    let fields = as_object(value, pointer)?;
    let has_text = |key: &str| fields.get(key).is_some_and(|v| !v.is_null());
    if !has_text("why") || !has_text("evidence") {
        return Err(Error::new(
            OVERLAY_FILE,
            pointer,
            "every overlay entry needs `why` and `evidence`, so that a reader can check it",
        ));
    }
    Ok(fields)
}

pub(crate) fn as_object<'a>(
    value: &'a Value,
    pointer: &str,
) -> Result<&'a Map<String, Value>, Error> {
    value
        .as_object()
        .ok_or_else(|| Error::new(OVERLAY_FILE, pointer, "expected a JSON object"))
}

pub(crate) fn strings(value: Option<&Value>, pointer: &str) -> Result<Vec<String>, Error> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    value
        .as_array()
        .and_then(|items| {
            items
                .iter()
                .map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .ok_or_else(|| Error::new(OVERLAY_FILE, pointer, "expected an array of strings"))
}

fn integer(value: &Value, pointer: &str) -> Result<i64, Error> {
    value
        .as_i64()
        .ok_or_else(|| Error::new(OVERLAY_FILE, pointer, "expected an integer"))
}

pub(crate) fn unknown_key(key: &str, pointer: &str) -> Error {
    Error::new(
        OVERLAY_FILE,
        pointer,
        format!("unknown overlay key `{key}`"),
    )
}

/// What the overlay says of one resource, once applied to its schema.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Applied {
    pub patch: Option<PatchRules>,
    pub create: Option<CreateRules>,
}

impl ResourceOverlay {
    /// Applies the property entries to a lowered resource, failing when an
    /// entry names a property the schema lacks or restates what the schema
    /// already says.
    pub fn apply(
        &self,
        resource_name: &str,
        properties: &mut BTreeMap<String, Property>,
    ) -> Result<Applied, Error> {
        let keys = KeyRules {
            reserved_keys: self.reserved_keys.clone(),
            reserved_prefixes: self.reserved_prefixes.clone(),
            max_key_length: self.max_key_length,
        };
        let mut rules = PatchRules {
            keys: keys.clone(),
            ..PatchRules::default()
        };
        let mut rules_non_empty = Vec::new();
        for (name, entry) in &self.properties {
            let at = child_pointer(
                &child_pointer(&child_pointer("", resource_name), "properties"),
                name,
            );
            let stale = |reason: String| Error::new(OVERLAY_FILE, &at, reason);
            let property = properties.get_mut(name).ok_or_else(|| {
                stale(format!(
                    "the `{resource_name}` schema has no property `{name}`: delete this entry if the service dropped it"
                ))
            })?;
            if entry.immutable {
                if property.read_only {
                    return Err(stale(format!(
                        "the schema now marks `{name}` readOnly itself: delete `immutable` from this entry"
                    )));
                }
                rules.immutable.push(name.clone());
            }
            if entry.minimum.is_some() || entry.maximum.is_some() {
                let Shape::Integer(IntegerRules {
                    minimum, maximum, ..
                }) = &mut property.shape
                else {
                    return Err(stale(format!(
                        "`{name}` is not an integer, so a range does not apply"
                    )));
                };
                if minimum.is_some() || maximum.is_some() {
                    return Err(stale(format!(
                        "the schema now gives `{name}` a range itself: delete `minimum`/`maximum` from this entry"
                    )));
                }
                *minimum = entry.minimum;
                *maximum = entry.maximum;
            }
            if entry.timestamp {
                let Shape::String(rules) = &mut property.shape else {
                    return Err(stale(format!(
                        "`{name}` is not a string, so `timestamp` does not apply"
                    )));
                };
                rules.timestamp = true;
            }
            if entry.replace_non_empty {
                let Shape::Array(_, rules) = &property.shape else {
                    return Err(stale(format!(
                        "`{name}` is not an array, so `replace_non_empty` does not apply"
                    )));
                };
                if rules.min_items.is_some_and(|min| min > 0) {
                    return Err(stale(format!(
                        "the schema now gives `{name}` a minItems itself: delete `replace_non_empty` from this entry"
                    )));
                }
                rules_non_empty.push(name.clone());
            }
            if let Some(list) = entry.list_patch {
                if !matches!(property.shape, Shape::Array(..)) {
                    return Err(stale(format!(
                        "`{name}` is not an array, so `list_patch` does not apply"
                    )));
                }
                match list {
                    ListPatch::Whole => rules.whole_list.push(name.clone()),
                    ListPatch::Indexed => rules.indexed_list.push(name.clone()),
                }
            }
        }
        rules.replace_non_empty = rules_non_empty;
        let create = CreateRules {
            excluded: self.create_exclusions(resource_name, properties)?,
            keys,
            put_update: self.put_update,
        };
        Ok(Applied {
            patch: self.patch.then_some(rules),
            create: (self.patch || self.create || self.put_update).then_some(create),
        })
    }

    /// The `create.exclude` names, each checked to be a property the schema
    /// would otherwise let a client send.
    fn create_exclusions(
        &self,
        resource_name: &str,
        properties: &BTreeMap<String, Property>,
    ) -> Result<Vec<String>, Error> {
        let at = child_pointer(
            &child_pointer(&child_pointer("", resource_name), "create"),
            "exclude",
        );
        for name in &self.create_excluded {
            match properties.get(name) {
                None => {
                    return Err(Error::new(
                        OVERLAY_FILE,
                        &at,
                        format!(
                            "the `{resource_name}` schema has no property `{name}`: delete it from `create.exclude`"
                        ),
                    ));
                }
                Some(property) if property.read_only => {
                    return Err(Error::new(
                        OVERLAY_FILE,
                        &at,
                        format!(
                            "the schema now marks `{name}` readOnly itself: delete it from `create.exclude`"
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
        Ok(self.create_excluded.clone())
    }
}
