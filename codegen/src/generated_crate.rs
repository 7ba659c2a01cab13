//! What every generated crate holds besides the schemas' own types, listed
//! once: the support modules copied from `codegen/support/`, the items of
//! theirs that emitted code names, the names exported at the crate root,
//! the names the crate keeps for itself, and its dependencies.
//!
//! The support code is a crate of its own (`cloud-images-support`), where it
//! is compiled, linted and unit-tested; the generator copies its source
//! files into each crate it writes, so that a crate generated with `--out`
//! stands alone. Tests below fail when an item named here is missing from
//! the support source, when emitted code names a support item without going
//! through this module, and when a manifest's dependencies drift from
//! [`DEPENDENCIES`].

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote};

use crate::names;

/// A support module, copied verbatim into the generated crate.
#[derive(Debug, Clone, Copy)]
pub struct Template {
    /// The module name, which is also the file `src/<module>.rs`.
    pub module: &'static str,
    /// The file's source, as compiled in `cloud-images-support`.
    pub source: &'static str,
    /// Whether only crates with a patchable resource need it.
    pub patch_only: bool,
}

/// Decoding and encoding glue every generated type uses.
pub const SUPPORT: Template = Template {
    module: "support",
    source: include_str!("../support/src/support.rs"),
    patch_only: false,
};

/// The JSON Patch builders' and the create bodies' runtime.
pub const PATCH: Template = Template {
    module: "patch",
    source: include_str!("../support/src/patch.rs"),
    patch_only: true,
};

/// The map that keeps the keys a schema does not declare.
pub const PROPERTIES: Template = Template {
    module: "properties",
    source: include_str!("../support/src/properties.rs"),
    patch_only: false,
};

pub const TEMPLATES: [Template; 3] = [SUPPORT, PROPERTIES, PATCH];

/// The names the properties module exports at the crate root.
pub const PROPERTIES_EXPORTS: &[&str] = &["Properties", "PropertyValue"];

/// Module names a resource may not take: the crate root and the templates.
pub fn is_reserved_module(module: &str) -> bool {
    module == "lib" || TEMPLATES.iter().any(|t| t.module == module)
}

/// The names the patch module exports at the crate root, in the order
/// `lib.rs` lists them.
pub const PATCH_EXPORTS: &[&str] = &[
    "escape_token",
    "ListPosition",
    "PatchError",
    "PatchMediaType",
    "PatchOp",
    "PatchOperation",
    "Rule",
    "ValidationError",
    "Violation",
    "PATCH_MEDIA_TYPE_V2_0",
    "PATCH_MEDIA_TYPE_V2_1",
];

/// An item of a support module that emitted code names. Exported items are
/// named at the crate root (`crate::PatchOp`), the others through their
/// module (`crate::patch::Recorder`). It interpolates into `quote!` as that
/// path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Item {
    pub module: &'static str,
    pub name: &'static str,
}

impl Item {
    const fn new(module: &'static str, name: &'static str) -> Self {
        Item { module, name }
    }

    pub fn is_exported(&self) -> bool {
        (self.module == PATCH.module && PATCH_EXPORTS.contains(&self.name))
            || (self.module == PROPERTIES.module && PROPERTIES_EXPORTS.contains(&self.name))
    }

    /// The path as text, for attributes that take one as a string
    /// (`serialize_with = "..."`).
    pub fn path_string(&self) -> String {
        if self.is_exported() {
            format!("crate::{}", self.name)
        } else {
            format!("crate::{}::{}", self.module, self.name)
        }
    }
}

impl ToTokens for Item {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let name = format_ident!("{}", self.name);
        if self.is_exported() {
            tokens.extend(quote!(crate::#name));
        } else {
            let module = format_ident!("{}", self.module);
            tokens.extend(quote!(crate::#module::#name));
        }
    }
}

/// The support items emitted code names, each as a constant to interpolate.
pub mod items {
    use super::Item;

    pub const NULLABLE_SERDE: Item = Item::new("support", "nullable");
    pub const NULLABLE_SCHEMA: Item = Item::new("support", "Nullable");
    pub const KEY: Item = Item::new("support", "Key");
    pub const ENTRIES: Item = Item::new("support", "Entries");
    pub const REQUIRED: Item = Item::new("support", "required");
    pub const DESERIALIZE_OBJECT: Item = Item::new("support", "deserialize_object");
    pub const FROM_MAP: Item = Item::new("support", "FromMap");
    pub const PROPERTIES: Item = Item::new("properties", "Properties");
    pub const STRING_ENUM: Item = Item::new("support", "string_enum");

    pub const LIST_POSITION: Item = Item::new("patch", "ListPosition");
    pub const PATCH_MEDIA_TYPE: Item = Item::new("patch", "PatchMediaType");
    pub const PATCH_OP: Item = Item::new("patch", "PatchOp");
    pub const PATCH_OPERATION: Item = Item::new("patch", "PatchOperation");
    pub const RULE: Item = Item::new("patch", "Rule");
    pub const VALIDATION_ERROR: Item = Item::new("patch", "ValidationError");
    pub const BODY: Item = Item::new("patch", "Body");
    pub const BODY_VALUE: Item = Item::new("patch", "body_value");
    pub const REBASE: Item = Item::new("patch", "rebase");
    pub const RECORDER: Item = Item::new("patch", "Recorder");
    pub const PATTERN: Item = Item::new("patch", "Pattern");
    pub const FREE_FORM: Item = Item::new("patch", "FreeForm");
    pub const FREE_FORM_VALUES: Item = Item::new("patch", "FreeFormValues");
    pub const CHANGE: Item = Item::new("patch", "change");
    pub const CHANGE_KIND: Item = Item::new("patch", "Change");
    pub const SAME_SET: Item = Item::new("patch", "same_set");
    pub const LIST_CHANGE: Item = Item::new("patch", "list_change");
    pub const LIST_CHANGE_KIND: Item = Item::new("patch", "ListChange");
    pub const FREE_FORM_CHANGES: Item = Item::new("patch", "free_form_changes");
    pub const FREE_FORM_CHANGE: Item = Item::new("patch", "FreeFormChange");
    pub const OPERATION_VALUE: Item = Item::new("patch", "OperationValue");

    /// Every item above, for the test that finds each in its template.
    pub const ALL: &[Item] = &[
        NULLABLE_SERDE,
        NULLABLE_SCHEMA,
        KEY,
        ENTRIES,
        REQUIRED,
        DESERIALIZE_OBJECT,
        FROM_MAP,
        PROPERTIES,
        STRING_ENUM,
        LIST_POSITION,
        PATCH_MEDIA_TYPE,
        PATCH_OP,
        PATCH_OPERATION,
        RULE,
        VALIDATION_ERROR,
        BODY,
        BODY_VALUE,
        REBASE,
        RECORDER,
        PATTERN,
        FREE_FORM,
        FREE_FORM_VALUES,
        CHANGE,
        CHANGE_KIND,
        SAME_SET,
        LIST_CHANGE,
        LIST_CHANGE_KIND,
        FREE_FORM_CHANGES,
        FREE_FORM_CHANGE,
        OPERATION_VALUE,
    ];
}

/// The types emitted for a patchable resource whose root type is `root`,
/// after the root type itself: its patch, its builder and its create body.
pub fn patch_types(root: &str) -> [String; 3] {
    [
        format!("{root}Patch"),
        format!("{root}PatchBuilder"),
        format!("{root}Create"),
    ]
}

/// Type names no schema type may take, given the resources' root type names:
/// the types emitted for each resource, the patch module's exports and the
/// prelude, which generated code names unqualified.
pub fn reserved_type_names<'a>(roots: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    roots
        .into_iter()
        .flat_map(patch_types)
        .chain(PATCH_EXPORTS.iter().map(|name| (*name).to_owned()))
        .chain(PROPERTIES_EXPORTS.iter().map(|name| (*name).to_owned()))
        .chain(names::PRELUDE.iter().map(|name| (*name).to_owned()))
        .collect()
}

/// Method names the generated types keep for themselves, which no reader
/// may take: the free-form accessors, the nested validator, and trait
/// methods an inherent method would shadow.
pub const RESERVED_METHODS: &[&str] = &[
    "property",
    "set_property",
    "remove_property",
    "properties",
    "validate",
    "serialize",
    "deserialize",
    "clone",
    "eq",
    "ne",
    "fmt",
    "default",
    "from_map",
];

/// The stem of the builder's free-form methods (`add_property`,
/// `replace_property`, `remove_property`), which no declared property of a
/// patchable resource may take.
pub const FREE_FORM_METHOD_STEM: &str = "property";

/// A dependency of every generated crate.
#[derive(Debug, Clone, Copy)]
pub struct Dependency {
    /// The name as `Cargo.toml` spells it.
    pub name: &'static str,
    /// The manifest value for a crate generated outside the workspace.
    pub standalone: &'static str,
    /// Enabled only by the feature of the same name.
    pub optional: bool,
}

/// The generated crate's dependencies. `generated/Cargo.toml` and
/// `codegen/support/Cargo.toml` name the same ones through the workspace;
/// a test compares the three.
pub const DEPENDENCIES: &[Dependency] = &[
    Dependency {
        name: "serde",
        standalone: r#"{ version = "1", features = ["derive"] }"#,
        optional: false,
    },
    Dependency {
        name: "serde_json",
        standalone: r#""1""#,
        optional: false,
    },
    Dependency {
        name: "regex",
        standalone: r#""1""#,
        optional: false,
    },
    Dependency {
        name: "json-patch",
        standalone: r#"{ version = "5", default-features = false }"#,
        optional: false,
    },
    Dependency {
        name: "schemars",
        standalone: r#"{ version = "1", optional = true }"#,
        optional: true,
    },
    Dependency {
        name: "jiff",
        standalone: r#"{ version = "1", default-features = false, features = ["std"], optional = true }"#,
        optional: true,
    },
];

/// A manifest for a crate generated outside the workspace, so that it
/// builds on its own.
pub fn standalone_manifest(package: &str) -> String {
    let mut manifest = format!(
        "[package]\nname = \"{package}\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[features]\n"
    );
    for dependency in DEPENDENCIES.iter().filter(|d| d.optional) {
        manifest.push_str(&format!("{0} = [\"dep:{0}\"]\n", dependency.name));
    }
    manifest.push_str("\n[dependencies]\n");
    for dependency in DEPENDENCIES {
        manifest.push_str(&format!(
            "{} = {}\n",
            dependency.name, dependency.standalone
        ));
    }
    manifest.push_str("\n# Generated outside the cloud-images workspace.\n[workspace]\n");
    manifest
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    use super::{DEPENDENCIES, PATCH_EXPORTS, PROPERTIES_EXPORTS, TEMPLATES, items};

    /// The names a file declares at its top level and, one level down, in
    /// its inline modules (`nullable::serialize` is found as `nullable`).
    fn declared(source: &str) -> BTreeSet<(String, bool)> {
        let file = syn::parse_file(source).expect("a support template parses");
        file.items
            .iter()
            .filter_map(|item| {
                let public = |vis: &syn::Visibility| !matches!(vis, syn::Visibility::Inherited);
                match item {
                    syn::Item::Struct(i) => Some((i.ident.to_string(), public(&i.vis))),
                    syn::Item::Enum(i) => Some((i.ident.to_string(), public(&i.vis))),
                    syn::Item::Fn(i) => Some((i.sig.ident.to_string(), public(&i.vis))),
                    syn::Item::Trait(i) => Some((i.ident.to_string(), public(&i.vis))),
                    syn::Item::Const(i) => Some((i.ident.to_string(), public(&i.vis))),
                    syn::Item::Mod(i) => Some((i.ident.to_string(), public(&i.vis))),
                    syn::Item::Type(i) => Some((i.ident.to_string(), public(&i.vis))),
                    // A `macro_rules!` is visible to other modules through a
                    // `pub(crate) use` of it, found below.
                    syn::Item::Macro(i) => i.ident.as_ref().map(|name| (name.to_string(), false)),
                    syn::Item::Use(syn::ItemUse {
                        vis,
                        tree: syn::UseTree::Name(name),
                        ..
                    }) => Some((name.ident.to_string(), public(vis))),
                    _ => None,
                }
            })
            .collect()
    }

    #[test]
    fn every_named_item_is_declared_in_its_template() {
        for item in items::ALL {
            let template = TEMPLATES
                .iter()
                .find(|t| t.module == item.module)
                .unwrap_or_else(|| panic!("no template is the module `{}`", item.module));
            let found = declared(template.source);
            assert!(
                found.iter().any(|(name, _)| name == item.name),
                "`{}` names {}, which {}.rs does not declare",
                item.path_string(),
                item.name,
                item.module
            );
            assert!(
                found
                    .iter()
                    .any(|(name, public)| name == item.name && *public),
                "{} must be visible to the generated modules",
                item.path_string()
            );
        }
    }

    #[test]
    fn every_export_is_public_in_its_template() {
        for (template, exports) in [
            (super::PATCH, PATCH_EXPORTS),
            (super::PROPERTIES, PROPERTIES_EXPORTS),
        ] {
            let found = declared(template.source);
            for export in exports {
                assert!(
                    found.iter().any(|(name, public)| name == export && *public),
                    "`{export}` is exported but {}.rs does not declare it `pub`",
                    template.module
                );
            }
        }
    }

    /// The support crate re-exports what the generated crate does, so that
    /// its tests see the same surface.
    #[test]
    fn the_support_crate_exports_the_same_names() {
        let lib = include_str!("../support/src/lib.rs");
        let file = syn::parse_file(lib).expect("the support crate's lib.rs parses");
        let mut exported = BTreeSet::new();
        for item in &file.items {
            if let syn::Item::Use(item) = item {
                if let syn::UseTree::Path(path) = &item.tree {
                    if let syn::UseTree::Group(group) = &*path.tree {
                        for tree in &group.items {
                            if let syn::UseTree::Name(name) = tree {
                                exported.insert(name.ident.to_string());
                            }
                        }
                    }
                }
            }
        }
        let expected: BTreeSet<String> = PATCH_EXPORTS
            .iter()
            .chain(PROPERTIES_EXPORTS)
            .map(|s| (*s).to_owned())
            .collect();
        assert_eq!(exported, expected);
    }

    /// Emitted code reaches the support modules only through [`items`].
    #[test]
    fn emitters_name_support_items_only_through_this_module() {
        let emit = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/emit");
        let mut offenders = Vec::new();
        let mut stack = vec![emit];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("src/emit is readable") {
                let path = entry.expect("a directory entry").path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).expect("an emitter is readable");
                for (number, line) in text.lines().enumerate() {
                    let code = line.split("//").next().unwrap_or("");
                    if TEMPLATES
                        .iter()
                        .any(|t| code.contains(&format!("crate::{}::", t.module)))
                        || PATCH_EXPORTS
                            .iter()
                            .chain(PROPERTIES_EXPORTS)
                            .any(|e| code.contains(&format!("crate::{e}")))
                    {
                        offenders.push(format!(
                            "{}:{}: {}",
                            path.display(),
                            number + 1,
                            line.trim()
                        ));
                    }
                }
            }
        }
        assert!(
            offenders.is_empty(),
            "name these through generated_crate::items:\n{}",
            offenders.join("\n")
        );
    }

    /// The `[dependencies]` and `[features]` entries of a manifest, by name.
    fn section(manifest: &str, header: &str) -> BTreeSet<String> {
        manifest
            .lines()
            .skip_while(|line| line.trim() != header)
            .skip(1)
            .take_while(|line| !line.trim_start().starts_with('['))
            .filter(|line| !line.trim().is_empty() && !line.trim_start().starts_with('#'))
            .filter_map(|line| {
                line.split(['=', '.'])
                    .next()
                    .map(|name| name.trim().to_owned())
            })
            .collect()
    }

    #[test]
    fn manifests_list_the_same_dependencies() {
        let expected: BTreeSet<String> = DEPENDENCIES.iter().map(|d| d.name.to_owned()).collect();
        let features: BTreeSet<String> = DEPENDENCIES
            .iter()
            .filter(|d| d.optional)
            .map(|d| d.name.to_owned())
            .collect();
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let standalone = super::standalone_manifest("check");
        for (name, text) in [
            (
                "generated/Cargo.toml",
                std::fs::read_to_string(root.join("../generated/Cargo.toml")).expect("readable"),
            ),
            (
                "codegen/support/Cargo.toml",
                std::fs::read_to_string(root.join("support/Cargo.toml")).expect("readable"),
            ),
            (
                "codegen/fixture-crate/Cargo.toml",
                std::fs::read_to_string(root.join("fixture-crate/Cargo.toml")).expect("readable"),
            ),
            ("the standalone manifest", standalone),
        ] {
            assert_eq!(
                section(&text, "[dependencies]"),
                expected,
                "dependencies of {name}"
            );
            assert_eq!(section(&text, "[features]"), features, "features of {name}");
        }
    }
}
