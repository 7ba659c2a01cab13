//! Schemas other clouds serve: a Glance without `schema-image.json`, and one
//! with Rackspace-style custom properties and format lists of its own
//! (`tests/clouds/`, derived by `tests/clouds/derive.py`). The built-in
//! overlay must apply to both, every file is snapshotted, and the names that
//! are not Rust identifiers must come out as sanitised fields that still
//! (de)serialize under their JSON keys.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::PathBuf;

mod common;

use cloud_images_codegen::{Options, generate};
use common::{folder_sources, workspace_root};
use serde_json::Value;

const SETS: [&str; 2] = ["glance-without-schema-image", "rackspace-like"];

fn set_dir(set: &str) -> PathBuf {
    workspace_root().join("codegen/tests/clouds").join(set)
}

fn generate_set(set: &str) -> BTreeMap<String, String> {
    let options = Options::glance().expect("the built-in overlay loads");
    let sources = folder_sources(&format!("codegen/tests/clouds/{set}"));
    assert_eq!(sources.len(), 6, "{set} should hold the six schemas");
    generate(&sources, &options)
        .unwrap_or_else(|e| panic!("{set} must generate with the built-in overlay: {e}"))
}

/// The image schema's properties, in file order.
fn image_properties(set: &str) -> serde_json::Map<String, Value> {
    let path = set_dir(set).join("image.json");
    let text =
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let schema: Value = serde_json::from_str(&text).expect("the image schema is JSON");
    schema["properties"]
        .as_object()
        .cloned()
        .expect("the image schema has properties")
}

fn parse(files: &BTreeMap<String, String>, path: &str) -> syn::File {
    let text = files
        .get(path)
        .unwrap_or_else(|| panic!("{path} is not generated"));
    syn::parse_file(text).unwrap_or_else(|e| panic!("{path} does not parse: {e}"))
}

/// A generated struct's fields: Rust name (without `r#`) to the JSON key
/// serde reads and writes it under.
fn wire_names(file: &syn::File, struct_name: &str) -> BTreeMap<String, String> {
    let fields = file
        .items
        .iter()
        .find_map(|item| match item {
            syn::Item::Struct(s) if s.ident == struct_name => Some(&s.fields),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no struct {struct_name}"));
    let mut names = BTreeMap::new();
    for field in fields {
        let ident = field.ident.as_ref().expect("named fields").to_string();
        let ident = ident.trim_start_matches("r#").to_owned();
        let mut wire = ident.clone();
        let mut flatten = false;
        for attr in field.attrs.iter().filter(|a| a.path().is_ident("serde")) {
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("rename") {
                    wire = meta.value()?.parse::<syn::LitStr>()?.value();
                } else if meta.path.is_ident("flatten") {
                    flatten = true;
                } else if meta.input.peek(syn::Token![=]) {
                    meta.value()?.parse::<syn::Expr>()?;
                }
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{struct_name}.{ident}: unreadable serde attribute: {e}"));
        }
        if !flatten {
            names.insert(ident, wire);
        }
    }
    names
}

/// The names of the methods of `impl <self_type>` blocks.
fn methods(file: &syn::File, self_type: &str) -> BTreeSet<String> {
    file.items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Impl(i) if i.trait_.is_none() => Some(i),
            _ => None,
        })
        .filter(|i| matches!(&*i.self_ty, syn::Type::Path(p) if p.path.is_ident(self_type)))
        .flat_map(|i| &i.items)
        .filter_map(|item| match item {
            syn::ImplItem::Fn(f) => Some(f.sig.ident.to_string()),
            _ => None,
        })
        .collect()
}

fn is_custom(schema: &Value) -> bool {
    schema.get("is_base") == Some(&Value::Bool(false))
}

#[test]
fn every_generated_file_matches_its_snapshot() {
    for set in SETS {
        let files = generate_set(set);
        for module in [
            "lib", "support", "patch", "image", "images", "member", "members", "task", "tasks",
        ] {
            let path = format!("src/{module}.rs");
            assert!(
                files.contains_key(&path),
                "{set}: {path} is not generated; got {:?}",
                files.keys()
            );
        }
        for (path, text) in &files {
            syn::parse_file(text).unwrap_or_else(|e| panic!("{set}: {path} does not parse: {e}"));
            insta::assert_snapshot!(format!("{set}__{}", path.trim_start_matches("src/")), text);
        }
    }
}

/// Every property of the schema is one field, serialized under its JSON
/// key, and no other field exists: names that are not identifiers are
/// sanitised, never dropped or merged.
#[test]
fn every_property_is_a_field_under_its_json_key() {
    for set in SETS {
        let files = generate_set(set);
        let fields = wire_names(&parse(&files, "src/image.rs"), "Image");
        let declared: BTreeSet<String> = image_properties(set).keys().cloned().collect();
        let on_the_wire: BTreeSet<String> = fields.values().cloned().collect();
        assert_eq!(
            on_the_wire, declared,
            "{set}: the fields of Image and the schema's properties differ"
        );
        for rust in fields.keys() {
            let valid = rust.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
                && rust
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            assert!(
                valid,
                "{set}: field `{rust}` is not a snake_case ASCII identifier"
            );
        }
    }
}

#[test]
fn rackspace_names_become_sanitised_fields_renamed_to_their_keys() {
    let files = generate_set("rackspace-like");
    let fields = wire_names(&parse(&files, "src/image.rs"), "Image");
    let expected = [
        ("com_rackspace_1_build_core", "com.rackspace__1__build_core"),
        ("com_rackspace_1_source", "com.rackspace__1__source"),
        ("com_rackspace_1_options", "com.rackspace__1__options"),
        (
            "com_rackspace_1_visible_core",
            "com.rackspace__1__visible_core",
        ),
        (
            "org_openstack_1_architecture",
            "org.openstack__1__architecture",
        ),
        ("org_openstack_1_os_distro", "org.openstack__1__os_distro"),
        ("vm_mode", "vm_mode"),
        ("auto_disk_config", "auto_disk_config"),
        ("os_type", "os_type"),
    ];
    for (rust, json) in expected {
        assert_eq!(
            fields.get(rust).map(String::as_str),
            Some(json),
            "field {rust}; fields: {fields:?}"
        );
    }
    // The inline copy in the list schema is the same type, not a second one.
    let list = parse(&files, "src/images.rs");
    assert!(
        !list
            .items
            .iter()
            .any(|i| matches!(i, syn::Item::Struct(s) if s.ident == "Image")),
        "images.rs redeclares Image instead of using crate::Image"
    );
}

/// Custom properties (`is_base: false`) can be added, replaced and removed;
/// base properties only replaced. Stock Glance's seven custom properties
/// are gone from the set without `schema-image.json`.
#[test]
fn custom_properties_get_add_replace_remove_and_base_ones_replace_only() {
    for set in SETS {
        let files = generate_set(set);
        let image = parse(&files, "src/image.rs");
        let fields = wire_names(&image, "Image");
        let builder = methods(&image, "ImagePatchBuilder");
        let properties = image_properties(set);
        let mut customs = 0;
        for (json, schema) in &properties {
            let read_only = schema.get("readOnly") == Some(&Value::Bool(true));
            if read_only || json == "id" {
                continue;
            }
            let rust = fields
                .iter()
                .find_map(|(rust, wire)| (wire == json).then_some(rust))
                .unwrap_or_else(|| panic!("{set}: no field for {json}"));
            let has = |prefix: &str| builder.contains(&format!("{prefix}{rust}"));
            assert!(
                has("replace_"),
                "{set}: no replace_{rust}; methods: {builder:?}"
            );
            if is_custom(schema) {
                customs += 1;
                assert!(
                    has("add_") && has("remove_"),
                    "{set}: custom {json} lacks add_/remove_; methods: {builder:?}"
                );
            } else if json != "locations" {
                // Only the overlay's indexed list takes add and remove at an index.
                assert!(
                    !has("add_") && !has("remove_"),
                    "{set}: base {json} must not be removable; methods: {builder:?}"
                );
            }
        }
        let expected_customs = if set == "rackspace-like" { 22 } else { 0 };
        assert_eq!(
            customs, expected_customs,
            "{set}: custom properties in the schema"
        );
        for stock in ["kernel_id", "os_distro", "description"] {
            assert!(
                !fields.contains_key(stock),
                "{set}: stock Glance's {stock} must not be a field"
            );
            assert!(
                !builder.contains(&format!("add_{stock}")),
                "{set}: add_{stock} must not exist"
            );
        }
        for free_form in ["add_property", "replace_property", "remove_property"] {
            assert!(builder.contains(free_form), "{set}: {free_form} missing");
        }
    }
}

/// Each cloud's create body follows its own schema: every property a client
/// may write (not readOnly, not excluded by the overlay's `create` entry) is
/// a field under its JSON key, so Rackspace's 22 custom properties can be
/// set on create and `id` can be chosen by the client (a-04).
#[test]
fn create_body_has_a_field_per_writable_property() {
    for set in SETS {
        let files = generate_set(set);
        let image = parse(&files, "src/image.rs");
        let fields = wire_names(&image, "ImageCreate");
        let properties = image_properties(set);
        let writable: BTreeSet<String> = properties
            .iter()
            .filter(|(json, schema)| {
                schema.get("readOnly") != Some(&Value::Bool(true)) && *json != "locations"
            })
            .map(|(json, _)| json.clone())
            .collect();
        let on_the_wire: BTreeSet<String> = fields.values().cloned().collect();
        assert_eq!(
            on_the_wire, writable,
            "{set}: the fields of ImageCreate and the writable properties differ"
        );
        assert!(
            on_the_wire.contains("id"),
            "{set}: a client may choose the id on create"
        );
        let customs = properties
            .iter()
            .filter(|(json, schema)| is_custom(schema) && on_the_wire.contains(*json))
            .count();
        let expected_customs = if set == "rackspace-like" { 22 } else { 0 };
        assert_eq!(
            customs, expected_customs,
            "{set}: custom properties in ImageCreate"
        );
        let create_methods = methods(&image, "ImageCreate");
        for method in ["new", "validate", "with_property", "set_property"] {
            assert!(
                create_methods.contains(method),
                "{set}: ImageCreate::{method} missing; got {create_methods:?}"
            );
        }
    }
}

/// Format lists are configuration: each cloud's enum has exactly its values.
#[test]
fn format_enums_follow_each_cloud() {
    for set in SETS {
        let files = generate_set(set);
        let image = parse(&files, "src/image.rs");
        let properties = image_properties(set);
        for (json, type_name) in [
            ("disk_format", "ImageDiskFormat"),
            ("container_format", "ImageContainerFormat"),
        ] {
            let listed: Vec<String> = properties[json]["enum"]
                .as_array()
                .expect("an enum")
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect();
            let known = known_values(&image, type_name);
            assert_eq!(known, listed, "{set}: {type_name}::KNOWN_VALUES");
        }
    }
}

fn known_values(file: &syn::File, type_name: &str) -> Vec<String> {
    let constant = file
        .items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Impl(i) if matches!(&*i.self_ty, syn::Type::Path(p) if p.path.is_ident(type_name)) => Some(i),
            _ => None,
        })
        .flat_map(|i| &i.items)
        .find_map(|item| match item {
            syn::ImplItem::Const(c) if c.ident == "KNOWN_VALUES" => Some(&c.expr),
            _ => None,
        })
        .unwrap_or_else(|| panic!("{type_name} has no KNOWN_VALUES"));
    let syn::Expr::Reference(reference) = constant else {
        panic!("{type_name}::KNOWN_VALUES is not a reference to an array");
    };
    let syn::Expr::Array(array) = &*reference.expr else {
        panic!("{type_name}::KNOWN_VALUES is not an array");
    };
    array
        .elems
        .iter()
        .map(|e| match e {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => s.value(),
            _ => panic!("{type_name}::KNOWN_VALUES holds something other than a string literal"),
        })
        .collect()
}
