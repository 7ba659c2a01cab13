//! One Rust type for one shape, however many schemas repeat it.
//!
//! Glance's metadef schemas each carry their own copy of the same
//! definitions: a namespace and an object both describe a property
//! definition with the same keys, docs and rules, and every property's
//! `type` and `items` repeat the same enum and struct. Lowered file by
//! file, each copy becomes a type of its own, which would make users
//! convert between identical structs and make the crate carry the same
//! code several times. Named types whose whole structure (fields, docs,
//! rules, and the structure of every type they hold) is the same are
//! emitted once: one keeps its definition and the others become aliases
//! of it.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::model::{Additional, Api, NamedType, Object, Resource, Shape};

/// Named types that are emitted as aliases, by resource name and type name,
/// each with the type it stands for (exported at the crate root).
#[derive(Debug, Default)]
pub struct Sharing {
    aliases: BTreeMap<(String, String), String>,
}

/// Nested named types are followed at most this deep when describing a
/// structure; the model has no recursive types, so this only bounds work.
const MAX_DEPTH: usize = 16;

impl Sharing {
    /// Finds the repeated types of `api`. Of each group of types with one
    /// structure, one keeps its definition:
    /// - one of a resource with a patch builder or a create body, if any
    ///   is, since only such modules emit the `validate` methods that
    ///   checking a value before it is sent needs;
    /// - then the one with the shortest name, the least tied to where the
    ///   schemas happen to nest it (`MetadefPropertyType` rather than
    ///   `MetadefNamespacePropertyValueType`);
    /// - then the first in alphabetical order, so that the choice does not
    ///   depend on the order of the input files.
    pub fn of(api: &Api) -> Self {
        let mut groups: BTreeMap<String, Vec<(&str, &str, bool)>> = BTreeMap::new();
        for resource in api.resources.values() {
            let validates = super::checks_values(resource);
            for name in resource.types.keys() {
                if let Some(structure) = structure_of(resource, name, 0) {
                    groups.entry(structure).or_default().push((
                        resource.name.as_str(),
                        name.as_str(),
                        validates,
                    ));
                }
            }
        }
        let mut aliases = BTreeMap::new();
        for members in groups.values() {
            let Some(&(_, canonical, _)) = members
                .iter()
                .min_by_key(|(_, name, validates)| (!validates, name.len(), *name))
            else {
                continue;
            };
            for &(resource, name, _) in members {
                if name != canonical {
                    aliases.insert((resource.to_owned(), name.to_owned()), canonical.to_owned());
                }
            }
        }
        Sharing { aliases }
    }

    /// The type that `name`, a named type of `resource`, is an alias of.
    pub fn alias_of(&self, resource: &Resource, name: &str) -> Option<&str> {
        self.aliases
            .get(&(resource.name.clone(), name.to_owned()))
            .map(String::as_str)
    }
}

/// A text that two named types share exactly when they would be emitted
/// alike but for their names: everything the emitters read, with each
/// nested type's name replaced by its own structure. Where a property was
/// declared does not count (it only shows in error messages).
fn structure_of(resource: &Resource, name: &str, depth: usize) -> Option<String> {
    if depth > MAX_DEPTH {
        return None;
    }
    let mut text = String::new();
    match resource.types.get(name)? {
        NamedType::Enum(enumeration) => {
            let _ = write!(
                text,
                "enum {:?} {:?} {:?}",
                enumeration.doc, enumeration.variants, enumeration.catch_all
            );
        }
        NamedType::Object(object) => write_object(resource, object, depth, &mut text)?,
    }
    Some(text)
}

fn write_object(
    resource: &Resource,
    object: &Object,
    depth: usize,
    text: &mut String,
) -> Option<()> {
    let _ = write!(text, "struct {:?} {{", object.doc);
    for property in object.properties.values() {
        let _ = write!(
            text,
            "{:?} {:?} {:?} {} {} {} {} {} ",
            property.json_name,
            property.rust_name,
            property.doc,
            property.nullable,
            property.required,
            property.read_only,
            property.write_only,
            property.is_base,
        );
        write_shape(resource, &property.shape, depth, text)?;
        text.push(';');
    }
    text.push_str("} ");
    match &object.additional {
        Additional::Typed(shape) => {
            text.push_str("typed ");
            write_shape(resource, shape, depth, text)?;
        }
        other => {
            let _ = write!(text, "{other:?}");
        }
    }
    Some(())
}

fn write_shape(resource: &Resource, shape: &Shape, depth: usize, text: &mut String) -> Option<()> {
    match shape {
        Shape::Object(name) | Shape::Enum(name) => {
            let nested = structure_of(resource, name, depth + 1)?;
            let _ = write!(text, "({nested})");
        }
        Shape::Array(items, rules) => {
            let _ = write!(text, "array {rules:?} of ");
            write_shape(resource, items, depth, text)?;
        }
        Shape::Map(values, rules) => {
            let _ = write!(text, "map {rules:?} of ");
            write_shape(resource, values, depth, text)?;
        }
        other => {
            let _ = write!(text, "{other:?}");
        }
    }
    Some(())
}
