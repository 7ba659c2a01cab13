//! `cloud-images-codegen`: typed Rust bindings from the JSON Schemas that
//! OpenStack Glance serves under `/v2/schemas/`, and from Nova's schemas of
//! the Compute API's image calls (the `compute` module).
//!
//! The pipeline has three steps, each in its own module:
//! 1. [`load`] parses each file, and [`lower`] turns the schemas (in Glance's
//!    dialect) into the typed [`model`], applying the [`overlay`] of facts
//!    the schemas leave out;
//! 2. `emit` turns the model into tokens with `quote`;
//! 3. `format` prints them with `prettyplease`, in-process.
//!
//! Any input that cannot be modelled faithfully is rejected with an
//! [`Error`] naming the file, the JSON pointer and the reason; the generator
//! does not panic.

pub mod drift;
mod emit;
pub mod error;
mod format;
pub mod generated_crate;
pub mod keywords;
pub mod load;
pub mod lower;
pub mod model;
pub mod names;
pub mod overlay;

use std::collections::{BTreeMap, BTreeSet};

pub use error::Error;
pub use load::SchemaSource;
pub use overlay::Overlay;

use model::{Api, Resource};

/// The command named in the header of every generated file.
pub const DEFAULT_COMMAND: &str = "cargo xtask regenerate";

/// How to generate.
#[derive(Debug, Clone)]
pub struct Options {
    /// Named in each file's `@generated` header as the way to regenerate it.
    pub command: String,
    pub overlay: Overlay,
    /// The generated crate's name as Rust code spells it, for the examples
    /// in its docs, which rustdoc compiles as code outside the crate.
    pub crate_name: String,
}

/// The name of the checked-in generated crate.
pub const DEFAULT_CRATE_NAME: &str = "cloud_images";

impl Options {
    /// The project's own settings: the built-in Glance overlay.
    pub fn glance() -> Result<Self, Error> {
        Ok(Options {
            command: DEFAULT_COMMAND.to_owned(),
            overlay: Overlay::glance()?,
            crate_name: DEFAULT_CRATE_NAME.to_owned(),
        })
    }
}

/// Generates the crate's source files, by path relative to the crate root
/// (`src/lib.rs`, `src/image.rs`, ...).
pub fn generate(
    sources: &[SchemaSource],
    options: &Options,
) -> Result<BTreeMap<String, String>, Error> {
    generate_with_compute(sources, &[], options)
}

/// Like [`generate`], plus the `compute` module from Nova's image schemas
/// (`schemas/compute/`) when `compute` is not empty.
pub fn generate_with_compute(
    sources: &[SchemaSource],
    compute: &[SchemaSource],
    options: &Options,
) -> Result<BTreeMap<String, String>, Error> {
    let api = lower_with_compute(sources, compute, &options.overlay)?;
    emit::emit(&api, &options.command, &options.crate_name)
}

/// [`lower_all`], plus the `compute` module when `compute` is not empty.
pub fn lower_with_compute(
    sources: &[SchemaSource],
    compute: &[SchemaSource],
    overlay: &Overlay,
) -> Result<Api, Error> {
    let mut api = lower_all(sources, overlay)?;
    if !compute.is_empty() {
        api.compute = Some(lower::compute::lower_compute(compute, &overlay.compute)?);
    }
    Ok(api)
}

/// Loads and lowers a set of schema files into the model.
pub fn lower_all(sources: &[SchemaSource], overlay: &Overlay) -> Result<Api, Error> {
    let mut loaded = Vec::new();
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for source in sources {
        let schema = load::load(source)?;
        let prefix = source.prefix();
        if prefix
            .as_deref()
            .is_some_and(|p| names::field_name(p).as_deref() != Some(p))
        {
            return Err(Error::new(
                &source.file,
                "",
                format!(
                    "the folder `{}` cannot prefix Rust names: name it in lowercase ASCII letters, digits and `_`",
                    source.folder.as_deref().unwrap_or_default()
                ),
            ));
        }
        let own = lower::resource_name(&source.file, &schema)?;
        let name = load::qualified(prefix.as_deref(), &own);
        if let Some(first) = names.insert(name.clone(), source.file.clone()) {
            return Err(Error::new(
                &source.file,
                "/name",
                format!("{first} already describes a resource named `{name}`"),
            ));
        }
        loaded.push((source, name, schema, prefix));
    }
    // Sorting by resource name keeps the output independent of the order
    // the files were given in.
    loaded.sort_by(|a, b| a.1.cmp(&b.1));

    let known: BTreeSet<String> = names.keys().cloned().collect();
    let roots = lower::Roots {
        by_name: loaded
            .iter()
            .map(|(source, name, schema, prefix)| {
                let rust_name = lower::root_type_name(name, schema, &known, prefix.as_deref());
                (
                    name.clone(),
                    lower::RootInfo {
                        file: &source.file,
                        schema,
                        rust_name,
                        prefix: prefix.as_deref(),
                        folder: source.folder.as_deref(),
                    },
                )
            })
            .collect(),
    };

    let mut resources = BTreeMap::new();
    let mut modules: BTreeMap<String, String> = BTreeMap::new();
    let mut type_owners: BTreeMap<String, String> = BTreeMap::new();
    for (source, name, schema, _) in &loaded {
        let module = names::field_name(name).unwrap_or_default();
        if generated_crate::is_reserved_module(&module) || names::needs_raw(&module) {
            return Err(Error::new(
                &source.file,
                "/name",
                format!(
                    "the resource name `{name}` would be the module `{module}`, which the crate needs for itself"
                ),
            ));
        }
        if let Some(other) = modules.insert(module.clone(), name.clone()) {
            return Err(Error::new(
                &source.file,
                "/name",
                format!("resources `{other}` and `{name}` would both be the module `{module}`"),
            ));
        }
        let rust_name = roots
            .by_name
            .get(name)
            .map(|r| r.rust_name.clone())
            .unwrap_or_default();
        let lowerer = lower::Lowerer::new(&source.file, schema, name, &roots)?;
        let mut lowered = lowerer.lower_root(&rust_name)?;
        for type_name in std::iter::once(&rust_name).chain(lowered.types.keys()) {
            if let Some(other) = type_owners.insert(type_name.clone(), source.file.clone()) {
                return Err(Error::new(
                    &source.file,
                    "",
                    format!("this file and {other} would both define the Rust type `{type_name}`"),
                ));
            }
        }
        let applied = match overlay.resources.get(name) {
            Some(entry) => entry.apply(name, &mut lowered.object.properties)?,
            None => overlay::Applied::default(),
        };
        if applied.patch.is_some() {
            check_builder_names(&source.file, &lowered.object)?;
        }
        resources.insert(
            name.clone(),
            Resource {
                name: name.clone(),
                file: source.file.clone(),
                module,
                object: lowered.object,
                types: lowered.types,
                patch: applied.patch,
                create: applied.create,
            },
        );
    }
    Ok(Api {
        resources,
        compute: None,
    })
}

/// The patch builder's free-form methods are `add_property`,
/// `replace_property` and `remove_property`; a declared property whose Rust
/// name is `property` would get methods with the same names.
fn check_builder_names(file: &str, object: &model::Object) -> Result<(), Error> {
    match object
        .properties
        .values()
        .find(|p| p.rust_name == generated_crate::FREE_FORM_METHOD_STEM)
    {
        Some(clash) => Err(Error::new(
            file,
            &clash.pointer,
            format!(
                "`{}` would get the patch methods `add_property`, `replace_property` and \
                 `remove_property`, which the builder uses for free-form properties; rename it",
                clash.json_name
            ),
        )),
        None => Ok(()),
    }
}
