//! `$ref` to local definitions, and the inline copies of whole schemas that
//! Glance repeats (the `images` list holds items named `image`).

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::error::{Error, child_pointer};
use crate::load::json_kind;
use crate::model::Shape;

use super::{Hint, Lowered, Lowerer, Roots};

impl Lowerer<'_> {
    /// `$ref` to a local definition. The target is lowered once and named
    /// after its definition; cycles are refused because a recursive type
    /// would need indirection the model does not have.
    pub(super) fn lower_ref(
        &mut self,
        schema: &Map<String, Value>,
        target: &Value,
        pointer: &str,
    ) -> Result<Lowered, Error> {
        let at = child_pointer(pointer, "$ref");
        let target = target.as_str().ok_or_else(|| {
            self.error(
                &at,
                format!("`$ref` must be a string, found {}", json_kind(target)),
            )
        })?;
        let allowed_beside = [
            "$ref",
            "description",
            "readOnly",
            "writeOnly",
            "is_base",
            "title",
            "$comment",
        ];
        if let Some(extra) = schema
            .keys()
            .find(|k| !allowed_beside.contains(&k.as_str()))
        {
            return Err(self.error(
                &child_pointer(pointer, extra),
                format!("`{extra}` beside `$ref` is not supported: move it into the referenced definition"),
            ));
        }
        let (container, name) = target
            .strip_prefix("#/definitions/")
            .map(|n| ("definitions", n))
            .or_else(|| target.strip_prefix("#/$defs/").map(|n| ("$defs", n)))
            .ok_or_else(|| {
                self.error(&at, format!("`{target}` is not supported: only local references such as `#/definitions/name` are"))
            })?;
        let name = name.replace("~1", "/").replace("~0", "~");
        let def_pointer = child_pointer(&child_pointer("", container), &name);
        if let Some(done) = self.resolved_refs.get(&def_pointer) {
            return Ok(done.clone());
        }
        if self.ref_stack.contains(&def_pointer) {
            let mut chain = self.ref_stack.clone();
            chain.push(def_pointer.clone());
            return Err(self.error(
                &at,
                format!(
                    "`$ref` cycle {}: recursive types are not supported",
                    chain.join(" -> ")
                ),
            ));
        }
        let definition = self
            .root
            .get(container)
            .and_then(Value::as_object)
            .and_then(|defs| defs.get(&name))
            .ok_or_else(|| {
                self.error(
                    &at,
                    format!("`{target}` points at no definition in this file"),
                )
            })?;
        // A definition is named after itself; in a folder's schemas, which
        // all repeat the same definitions, after its file's root type too,
        // so that two files never define one Rust name.
        let owner = match self.roots.by_name.get(self.resource) {
            Some(root) if root.prefix.is_some() => root.rust_name.clone(),
            _ => String::new(),
        };
        let hint = Hint {
            owner,
            word: name.clone(),
        };
        self.ref_stack.push(def_pointer.clone());
        let lowered = self.lower_node(definition, &def_pointer, &hint);
        self.ref_stack.pop();
        let lowered = lowered?;
        self.resolved_refs.insert(def_pointer, lowered.clone());
        Ok(lowered)
    }

    /// Glance repeats whole schemas inline: the `images` list holds items
    /// named `image`. When such a copy says nothing the root schema does not,
    /// it is the root's type; anything else would be a second, different
    /// type behind the same name, which is refused.
    pub(super) fn inline_resource(
        &self,
        name: &str,
        schema: &Map<String, Value>,
        pointer: &str,
    ) -> Result<Option<Shape>, Error> {
        let name = &self.roots.qualify(self.resource, name);
        if name == self.resource && pointer.is_empty() {
            return Ok(None);
        }
        let Some(root) = self.roots.by_name.get(name) else {
            return Ok(None);
        };
        let Some(root_schema) = root.schema.as_object() else {
            return Ok(None);
        };
        if copies_reach(self.roots, name, self.resource) {
            return Err(self.error(
                pointer,
                format!(
                    "this inline copy of `{name}` makes `{}` contain itself: recursive types are not supported",
                    self.resource
                ),
            ));
        }
        let empty = Map::new();
        let root_props = root_schema
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let inline_props = schema
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        for (key, value) in inline_props {
            if root_props.get(key) != Some(value) {
                return Err(self.error(
                    &child_pointer(&child_pointer(pointer, "properties"), key),
                    format!(
                        "this inline copy of `{name}` declares `{key}` differently from {}; make them agree",
                        root.file
                    ),
                ));
            }
        }
        if requires_fewer(schema.get("required"), root_schema.get("required")) {
            // Glance's metadef `properties` list holds each `property` under
            // its name, so the copy there does not require `name`: its
            // documents lack a key the root's require, and decoding them as
            // the root's type would fail. The copy is a type of its own.
            return Ok(None);
        }
        for key in ["additionalProperties", "required", "type"] {
            if schema.get(key) != root_schema.get(key) {
                return Err(self.error(
                    &child_pointer(pointer, key),
                    format!(
                        "this inline copy of `{name}` differs from {} in `{key}`; make them agree",
                        root.file
                    ),
                ));
            }
        }
        Ok(Some(Shape::Resource(name.to_owned())))
    }
}
/// Whether a copy's `required` is a strict subset of its root's.
fn requires_fewer(copy: Option<&Value>, root: Option<&Value>) -> bool {
    let names = |value: Option<&Value>| -> Option<BTreeSet<String>> {
        value
            .map_or(Some(&Vec::new()), Value::as_array)?
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect()
    };
    match (names(copy), names(root)) {
        (Some(copy), Some(root)) => copy.len() < root.len() && copy.is_subset(&root),
        _ => false,
    }
}

/// Whether resource `from`, or any resource it copies inline, copies `target`
/// inline (`from == target` counts): Rust would need indirection to hold
/// such a cycle, which the model does not have.
pub(super) fn copies_reach(roots: &Roots<'_>, from: &str, target: &str) -> bool {
    let mut seen = BTreeSet::new();
    let mut pending = vec![from.to_owned()];
    while let Some(name) = pending.pop() {
        if name == target {
            return true;
        }
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some(root) = roots.by_name.get(&name) {
            let mut found = BTreeSet::new();
            inline_copies(roots, &name, root.schema.as_value(), true, &mut found);
            pending.extend(found);
        }
    }
    false
}

/// The resources a schema copies inline, at any depth, without looking inside
/// the copies (each copy matches its root, which is visited on its own).
fn inline_copies(
    roots: &Roots<'_>,
    from: &str,
    value: &Value,
    is_root: bool,
    found: &mut BTreeSet<String>,
) {
    let Some(schema) = value.as_object() else {
        return;
    };
    if let Some(name) = schema.get("name").and_then(Value::as_str) {
        let name = roots.qualify(from, name);
        if !is_root && roots.by_name.contains_key(&name) {
            found.insert(name);
            return;
        }
    }
    let maps = ["properties", "definitions", "$defs"]
        .into_iter()
        .filter_map(|key| schema.get(key)?.as_object());
    let children = maps.flat_map(|map| map.values()).chain(
        ["items", "additionalProperties"]
            .into_iter()
            .filter_map(|key| schema.get(key)),
    );
    for child in children {
        inline_copies(roots, from, child, false, found);
    }
}
