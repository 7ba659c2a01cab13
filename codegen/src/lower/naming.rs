//! Naming resources and their root types, and the names the generated code
//! keeps for itself.

use std::collections::BTreeSet;

use schemars::Schema;
use serde_json::Value;

use crate::error::Error;
use crate::load::json_kind;
use crate::names;

use super::Roots;

/// The resource name of a root schema: Glance says `name`, standard JSON
/// Schema says `title`.
pub fn resource_name(file: &str, schema: &Schema) -> Result<String, Error> {
    let root = schema.as_object().map(|o| (o.get("name"), o.get("title")));
    let name = match root {
        Some((Some(name), _)) => name,
        Some((None, Some(title))) => title,
        _ => {
            return Err(Error::new(
                file,
                "",
                "the schema has neither `name` nor `title`; add one so the generated type can be named",
            ));
        }
    };
    let pointer = if root.is_some_and(|(n, _)| n.is_some()) {
        "/name"
    } else {
        "/title"
    };
    let name = name.as_str().ok_or_else(|| {
        Error::new(
            file,
            pointer,
            format!("must be a string, found {}", json_kind(name)),
        )
    })?;
    if names::type_name(name).is_none() {
        return Err(Error::new(
            file,
            pointer,
            format!("`{name}` has no ASCII letter or digit to name a Rust type after"),
        ));
    }
    Ok(name.to_owned())
}

/// The Rust name of a root type. A schema whose property is an array of
/// another resource is that resource's list: `images` becomes `ImageList`.
/// So is one whose property maps names to another resource: Glance's
/// metadef `properties` holds each `property` by its name.
/// `name` is qualified (`metadef_namespaces`); the items name themselves
/// as the service does (`namespace`), and are qualified with the same
/// `prefix` to be found.
pub fn root_type_name(
    name: &str,
    schema: &Schema,
    known: &BTreeSet<String>,
    prefix: Option<&str>,
) -> String {
    let item_name = schema
        .as_object()
        .and_then(|o| o.get("properties"))
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|props| props.values())
        .filter_map(|p| {
            p.get("items")
                .or_else(|| p.get("additionalProperties"))?
                .get("name")?
                .as_str()
        })
        .map(|item| crate::load::qualified(prefix, item))
        .find(|item| known.contains(item) && item != name);
    let base = names::type_name(item_name.as_deref().unwrap_or(name)).unwrap_or_default();
    match item_name {
        Some(_) => format!("{base}List"),
        None => base,
    }
}

/// Type names the generated code uses besides the schemas' own types.
pub(super) fn generated_type_names(roots: &Roots<'_>) -> BTreeSet<String> {
    crate::generated_crate::reserved_type_names(
        roots.by_name.values().map(|r| r.rust_name.as_str()),
    )
}
