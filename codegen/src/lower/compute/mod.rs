//! Nova's image schemas (`schemas/compute/`), lowered into one module.
//!
//! Nova's files differ from Glance's in three ways that matter here:
//! - they have no `name`: each file's type name comes from the overlay's
//!   `compute.files`, keyed by the file stem (`images._image_response`);
//! - they repeat one another: the detail page's items and the show
//!   response's `image` are copies of `_image_response`, and the metadata
//!   responses are one schema under five names. A schema equal to a named
//!   file's is that file's type, and identical types of one name are one;
//! - they all describe one API, so their types share the `compute` module
//!   and nested types are named after their position alone (`status` is
//!   `Status`), renamed in `compute.type_names` where two positions would
//!   otherwise give different types one name.

pub mod overlay;

use std::collections::BTreeMap;

use serde_json::Value;

use crate::error::Error;
use crate::load::{self, SchemaSource};
use crate::model::{NamedType, Object, Resource, Shape};
use crate::names;

use super::{Hint, Lowerer, Roots};

pub use overlay::{ComputeOverlay, FileEntry};

/// The module the types are emitted into.
pub const MODULE: &str = "compute";

/// The root type every other compute type hangs off in the model.
const MAIN_TYPE: &str = "Image";

/// How a [`Lowerer`] names nested types.
#[derive(Debug, Clone, Default)]
pub struct Naming {
    /// Name nested types after their position only, not their owner.
    pub bare: bool,
    /// Names by JSON pointer in the file being lowered.
    pub overrides: BTreeMap<String, String>,
    /// Schemas that already have a type: a node equal to one is that type.
    pub named: Vec<(Value, String)>,
}

impl Naming {
    pub(super) fn name_at(&self, pointer: &str, hint: &Hint) -> Option<String> {
        if let Some(name) = self.overrides.get(pointer) {
            return Some(name.clone());
        }
        if self.bare {
            return names::type_name(&hint.word);
        }
        None
    }
}

impl Lowerer<'_> {
    /// A node equal to a schema that has a type of its own is that type.
    pub(super) fn same_as_named(&self, value: &Value, pointer: &str) -> Option<Shape> {
        if pointer.is_empty() {
            return None;
        }
        self.naming
            .named
            .iter()
            .find(|(schema, _)| schema == value)
            .map(|(_, name)| Shape::Object(name.clone()))
    }
}

/// The file stem that keys a file in the overlay: `images.show_response`
/// for `schemas/compute/images.show_response.json`.
pub fn file_stem(file: &str) -> &str {
    let name = file.rsplit(['/', '\\']).next().unwrap_or(file);
    name.strip_suffix(".json").unwrap_or(name)
}

/// Lowers every compute schema file into the `compute` module: one
/// [`Resource`] whose root is `Image` and whose `types` hold the rest.
pub fn lower_compute(
    sources: &[SchemaSource],
    overlay: &ComputeOverlay,
) -> Result<Resource, Error> {
    let mut loaded = Vec::new();
    for source in sources {
        let schema = load::load(source)?;
        let stem = file_stem(&source.file).to_owned();
        let entry = overlay.files.get(&stem).ok_or_else(|| {
            Error::new(
                &source.file,
                "",
                format!(
                    "the overlay's `compute.files` has no entry `{stem}`: give the file a type name and doc, \
                     or say why it emits none (`skip`)"
                ),
            )
        })?;
        loaded.push((source, stem, schema, entry));
    }
    loaded.sort_by(|a, b| a.1.cmp(&b.1));
    for stem in overlay.files.keys() {
        if !loaded.iter().any(|(_, s, _, _)| s == stem) {
            return Err(Error::new(
                crate::overlay::OVERLAY_FILE,
                &format!("/compute/files/{stem}"),
                format!(
                    "no schema file `{stem}.json` was given: delete this entry if Nova dropped the schema"
                ),
            ));
        }
    }

    let mut named: Vec<(Value, String)> = Vec::new();
    for (source, _, schema, entry) in &loaded {
        if let FileEntry::Type { name, .. } = entry {
            let value = schema.as_value().clone();
            if let Some((_, other)) = named.iter().find(|(v, n)| *v == value && n != name) {
                return Err(Error::new(
                    &source.file,
                    "",
                    format!(
                        "this schema is the same as the one named `{other}`; give both files the same type name"
                    ),
                ));
            }
            named.push((value, name.clone()));
        }
    }

    let roots = Roots {
        by_name: BTreeMap::new(),
    };
    let mut types: BTreeMap<String, (NamedType, String)> = BTreeMap::new();
    for (source, stem, schema, entry) in &loaded {
        let naming = Naming {
            bare: true,
            overrides: overlay.type_names.get(stem).cloned().unwrap_or_default(),
            named: named.clone(),
        };
        let lowerer = Lowerer::new(&source.file, schema, stem, &roots)?.with_naming(naming);
        match entry {
            FileEntry::Type { name, doc } => {
                let lowered = lowerer.lower_root(name)?;
                let mut object = lowered.object;
                object.doc = Some(doc.clone());
                add_type(
                    &mut types,
                    name.clone(),
                    NamedType::Object(object),
                    &source.file,
                )?;
                for (type_name, ty) in lowered.types {
                    add_type(&mut types, type_name, ty, &source.file)?;
                }
            }
            FileEntry::Skip(_) => lowerer.check_only()?,
        }
    }
    for (stem, by_pointer) in &overlay.type_names {
        for (pointer, name) in by_pointer {
            if !types.contains_key(name) {
                return Err(Error::new(
                    crate::overlay::OVERLAY_FILE,
                    &format!("/compute/type_names/{stem}"),
                    format!(
                        "`{pointer}` names no type `{name}` in `{stem}`: delete the entry if the schema changed"
                    ),
                ));
            }
        }
    }
    let mut types: BTreeMap<String, NamedType> =
        types.into_iter().map(|(n, (t, _))| (n, t)).collect();
    apply_facts(&mut types, overlay)?;
    let object = match types.remove(MAIN_TYPE) {
        Some(NamedType::Object(object)) => object,
        _ => {
            return Err(Error::new(
                crate::overlay::OVERLAY_FILE,
                "/compute/files",
                format!("no file is named `{MAIN_TYPE}`, the image the compute module is about"),
            ));
        }
    };
    Ok(Resource {
        name: MODULE.to_owned(),
        file: sources
            .first()
            .map(|s| {
                format!(
                    "{}/*.json",
                    s.file.rsplit_once('/').map_or(".", |(dir, _)| dir)
                )
            })
            .unwrap_or_default(),
        module: MODULE.to_owned(),
        object,
        types,
        patch: None,
        create: None,
    })
}

/// Adds a type; two files may define one name only with the same content.
fn add_type(
    types: &mut BTreeMap<String, (NamedType, String)>,
    name: String,
    ty: NamedType,
    file: &str,
) -> Result<(), Error> {
    if let Some((existing, first)) = types.get(&name) {
        if same_type(existing, &ty) {
            return Ok(());
        }
        let pointer = match &ty {
            NamedType::Object(o) => o
                .properties
                .values()
                .next()
                .map(|p| p.pointer.clone())
                .unwrap_or_default(),
            NamedType::Enum(_) => String::new(),
        };
        return Err(Error::new(
            file,
            &pointer,
            format!(
                "this file and {first} would both define the Rust type `{name}`, differently; \
                 name one in the overlay's `compute.type_names`"
            ),
        ));
    }
    types.insert(name, (ty, file.to_owned()));
    Ok(())
}

/// Equal apart from where each property was declared.
fn same_type(a: &NamedType, b: &NamedType) -> bool {
    match (a, b) {
        (NamedType::Object(a), NamedType::Object(b)) => strip_pointers(a) == strip_pointers(b),
        (NamedType::Enum(a), NamedType::Enum(b)) => a == b,
        _ => false,
    }
}

fn strip_pointers(object: &Object) -> Object {
    let mut object = object.clone();
    for property in object.properties.values_mut() {
        property.pointer.clear();
    }
    object
}

fn apply_facts(
    types: &mut BTreeMap<String, NamedType>,
    overlay: &ComputeOverlay,
) -> Result<(), Error> {
    for (type_name, facts) in &overlay.facts {
        let at = format!("/compute/facts/{type_name}");
        let Some(NamedType::Object(object)) = types.get_mut(type_name) else {
            return Err(Error::new(
                crate::overlay::OVERLAY_FILE,
                &at,
                format!("the compute schemas define no struct `{type_name}`: delete this entry"),
            ));
        };
        for (json_name, fact) in facts {
            let property = object.properties.get_mut(json_name).ok_or_else(|| {
                Error::new(
                    crate::overlay::OVERLAY_FILE,
                    &format!("{at}/{json_name}"),
                    format!("`{type_name}` has no property `{json_name}`: delete this entry if Nova dropped it"),
                )
            })?;
            property.doc = Some(match property.doc.take() {
                Some(doc) => format!("{doc}\n\n{fact}"),
                None => fact.clone(),
            });
        }
    }
    Ok(())
}

impl Lowerer<'_> {
    /// Reads a file that emits no type, so that what it says is still
    /// checked (and an unsupported construct in it is still an error).
    fn check_only(mut self) -> Result<(), Error> {
        let root = self.root;
        let value = Value::Object(root.clone());
        let hint = Hint {
            owner: String::new(),
            word: "checked".to_owned(),
        };
        self.lower_node(&value, "", &hint).map(|_| ())
    }
}
