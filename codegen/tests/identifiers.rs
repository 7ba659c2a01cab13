//! Schema names that are keywords, start with a digit or hold non-ASCII
//! letters still become valid identifiers, and the JSON key survives in a
//! serde rename so that the wire format is unchanged.

mod common;

use std::collections::BTreeMap;

use cloud_images_codegen::{SchemaSource, generate, lower_all};
use syn::{Fields, Item};

use common::plain_options;

const SCHEMA: &str = r#"{
  "name": "names",
  "properties": {
    "self": {"type": "string"},
    "crate": {"type": "string"},
    "super": {"type": "string"},
    "type": {"type": "string"},
    "file": {"type": "string"},
    "9lives": {"type": "string"},
    "größe": {"type": "string"},
    "hw.cpu.cores": {"type": "integer"},
    "os-distro": {"type": "string"},
    "com.rackspace__1__build_core": {"type": "string"},
    "owner": {"type": "object", "properties": {"Self": {"type": "string"}}},
    "kind": {"type": "string", "enum": ["self", "crate", "super", "type", "2fa", "über-fast"]}
  }
}"#;

/// A resource whose own name is a keyword: its module and type need escaping too.
const KEYWORD_RESOURCE: &str = r#"{"name": "crate", "properties": {"id": {"type": "string"}}}"#;

fn sources() -> Vec<SchemaSource> {
    vec![
        SchemaSource::new("names.json", SCHEMA),
        SchemaSource::new("crate.json", KEYWORD_RESOURCE),
    ]
}

fn parsed(files: &BTreeMap<String, String>, path: &str) -> syn::File {
    let text = files
        .get(path)
        .unwrap_or_else(|| panic!("{path} is not generated"));
    syn::parse_file(text).unwrap_or_else(|e| panic!("{path} does not parse: {e}\n{text}"))
}

/// The JSON key serde uses for a field: its `rename`, or else the identifier
/// without any `r#`, as serde derives it.
fn json_key(field: &syn::Field) -> String {
    let mut rename = None;
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                rename = Some(meta.value()?.parse::<syn::LitStr>()?.value());
            } else if let Ok(value) = meta.value() {
                value.parse::<syn::LitStr>()?;
            }
            Ok(())
        })
        .expect("a well-formed serde attribute");
    }
    let ident = field.ident.as_ref().expect("a named field").to_string();
    rename.unwrap_or_else(|| ident.trim_start_matches("r#").to_owned())
}

/// JSON key -> Rust identifier, for every declared field of a struct.
fn struct_fields(file: &syn::File, name: &str) -> BTreeMap<String, String> {
    let item = file
        .items
        .iter()
        .find_map(|item| match item {
            Item::Struct(s) if s.ident == name => Some(s),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no struct {name}"));
    let Fields::Named(fields) = &item.fields else {
        panic!("{name} has no named fields");
    };
    fields
        .named
        .iter()
        .filter(|f| {
            f.ident
                .as_ref()
                .is_some_and(|i| i != "additional_properties")
        })
        .map(|f| {
            (
                json_key(f),
                f.ident
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
            )
        })
        .collect()
}

fn enum_variants(file: &syn::File, name: &str) -> Vec<String> {
    file.items
        .iter()
        .find_map(|item| match item {
            Item::Enum(e) if e.ident == name => {
                Some(e.variants.iter().map(|v| v.ident.to_string()).collect())
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("no enum {name}"))
}

#[test]
fn keywords_digits_and_non_ascii_become_identifiers() {
    let files =
        generate(&sources(), &plain_options()).unwrap_or_else(|e| panic!("must generate: {e}"));
    let module = parsed(&files, "src/names.rs");

    let expected: BTreeMap<String, String> = [
        ("self", "self_"),
        ("crate", "crate_"),
        ("super", "super_"),
        ("type", "r#type"),
        ("file", "file"),
        ("9lives", "field_9lives"),
        ("größe", "gr_e"),
        ("hw.cpu.cores", "hw_cpu_cores"),
        ("os-distro", "os_distro"),
        ("com.rackspace__1__build_core", "com_rackspace_1_build_core"),
        ("owner", "owner"),
        ("kind", "kind"),
    ]
    .into_iter()
    .map(|(json, rust)| (json.to_owned(), rust.to_owned()))
    .collect();
    assert_eq!(struct_fields(&module, "Names"), expected);

    let owner = struct_fields(&module, "NamesOwner");
    assert_eq!(owner.get("Self").map(String::as_str), Some("self_"));

    assert_eq!(
        enum_variants(&module, "NamesKind"),
        [
            "Self_", "Crate", "Super", "Type", "V2fa", "BerFast", "Unknown"
        ]
    );
}

#[test]
fn the_model_keeps_names_without_raw_prefixes() {
    let api = lower_all(&sources(), &plain_options().overlay)
        .unwrap_or_else(|e| panic!("must lower: {e}"));
    let names = &api.resources["names"];
    assert_eq!(names.object.properties["type"].rust_name, "type");
    assert_eq!(names.object.properties["self"].rust_name, "self_");
    assert_eq!(names.module, "names");
    let keyword = &api.resources["crate"];
    assert_eq!(keyword.module, "crate_");
    assert_eq!(keyword.object.rust_name, "Crate");
}

#[test]
fn a_keyword_resource_gets_an_escaped_module() {
    let files =
        generate(&sources(), &plain_options()).unwrap_or_else(|e| panic!("must generate: {e}"));
    assert!(
        files.contains_key("src/crate_.rs"),
        "no src/crate_.rs in {:?}",
        files.keys()
    );
    let lib = parsed(&files, "src/lib.rs");
    let modules: Vec<String> = lib
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Mod(m) => Some(m.ident.to_string()),
            _ => None,
        })
        .collect();
    assert!(
        modules.contains(&"crate_".to_owned()),
        "modules: {modules:?}"
    );
    let module = parsed(&files, "src/crate_.rs");
    assert_eq!(
        struct_fields(&module, "Crate")
            .get("id")
            .map(String::as_str),
        Some("id")
    );
}
