//! The JSON Schema that schemars derives from each generated root type
//! (feature `schemars`) says what the service's schema in `schemas/` says:
//! the same property names, JSON types, nullability, required keys, known
//! enum values, `readOnly`/`writeOnly`, string and integer constraints,
//! `additionalProperties` and descriptions. Every recorded sample is valid
//! against it.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use cloud_images::{Image, ImageList, Member, MemberList, Task, TaskList};
use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{Map, Value, json};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate sits inside the workspace")
        .to_path_buf()
}

fn json_file(path: &Path) -> Value {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn service_schema(resource: &str) -> Value {
    json_file(&root().join("schemas").join(format!("{resource}.json")))
}

fn derived<T: JsonSchema>() -> Value {
    serde_json::to_value(SchemaGenerator::default().into_root_schema_for::<T>())
        .expect("a schema is JSON")
}

/// Each root type with the schema file it is generated from.
fn roots() -> [(&'static str, Value); 6] {
    [
        ("image", derived::<Image>()),
        ("images", derived::<ImageList>()),
        ("member", derived::<Member>()),
        ("members", derived::<MemberList>()),
        ("task", derived::<Task>()),
        ("tasks", derived::<TaskList>()),
    ]
}

/// What one schema says about a value, with the spellings normalised:
/// `type` as a set, `null` in an `enum` or in an `anyOf` branch as a type,
/// `$ref`s resolved (keywords beside a `$ref` win over the definition's).
#[derive(Debug, Default)]
struct Node {
    /// `None` when the schema accepts any value.
    types: Option<BTreeSet<String>>,
    values: Option<Vec<Value>>,
    read_only: bool,
    write_only: bool,
    min_length: Option<u64>,
    max_length: Option<u64>,
    pattern: Option<String>,
    minimum: Option<i64>,
    maximum: Option<i64>,
    description: Option<String>,
    items: Option<Value>,
    properties: Option<Map<String, Value>>,
    required: BTreeSet<String>,
    /// `None` for absent or `true`.
    additional: Option<Value>,
    /// Glance's `name` on an inline copy of another resource's schema.
    name: Option<String>,
}

fn normalise(schema: &Value, document: &Value) -> Node {
    let Some(object) = schema.as_object() else {
        // `true` (or `{}`) accepts anything; `false` is never emitted.
        assert_eq!(schema, &Value::Bool(true), "unexpected schema {schema}");
        return Node::default();
    };
    let mut node = match object.get("$ref").and_then(Value::as_str) {
        Some(target) => {
            let pointer = target
                .strip_prefix('#')
                .unwrap_or_else(|| panic!("non-local $ref {target}"));
            let definition = document
                .pointer(pointer)
                .unwrap_or_else(|| panic!("$ref {target} points at nothing"));
            normalise(definition, document)
        }
        None => Node::default(),
    };
    if let Some(branches) = object.get("anyOf").and_then(Value::as_array) {
        let mut nullable = false;
        let mut others: Vec<Node> = Vec::new();
        for branch in branches {
            let branch = normalise(branch, document);
            if branch
                .types
                .as_ref()
                .is_some_and(|t| t.len() == 1 && t.contains("null"))
            {
                nullable = true;
            } else {
                others.push(branch);
            }
        }
        assert_eq!(
            others.len(),
            1,
            "anyOf with other than one non-null branch: {schema}"
        );
        node = others.remove(0);
        // A branch that accepts anything already accepts `null`.
        if let (true, Some(types)) = (nullable, node.types.as_mut()) {
            types.insert("null".to_owned());
        }
    }
    match object.get("type") {
        Some(Value::String(one)) => node.types = Some(BTreeSet::from([one.clone()])),
        Some(Value::Array(many)) => {
            node.types = Some(
                many.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect(),
            );
        }
        // Glance's root schemas and inline copies leave out `type: object`;
        // the generator reads `properties` as saying it.
        None if object.contains_key("properties") => {
            node.types = Some(BTreeSet::from(["object".to_owned()]))
        }
        _ => {}
    }
    if let Some(values) = object.get("enum").and_then(Value::as_array) {
        if values.contains(&Value::Null) {
            node.types
                .get_or_insert_with(BTreeSet::new)
                .insert("null".to_owned());
        }
        node.values = Some(values.iter().filter(|v| !v.is_null()).cloned().collect());
    }
    let flag = |key: &str| object.get(key).and_then(Value::as_bool);
    node.read_only = flag("readOnly").unwrap_or(node.read_only);
    node.write_only = flag("writeOnly").unwrap_or(node.write_only);
    let unsigned = |key: &str| object.get(key).and_then(Value::as_u64);
    node.min_length = unsigned("minLength").or(node.min_length);
    node.max_length = unsigned("maxLength").or(node.max_length);
    let signed = |key: &str| object.get(key).and_then(Value::as_i64);
    node.minimum = signed("minimum").or(node.minimum);
    node.maximum = signed("maximum").or(node.maximum);
    let text = |key: &str| object.get(key).and_then(Value::as_str).map(str::to_owned);
    node.pattern = text("pattern").or(node.pattern);
    node.description = text("description").or(node.description);
    node.name = text("name").or(node.name);
    if let Some(items) = object.get("items") {
        node.items = Some(items.clone());
    }
    if let Some(properties) = object.get("properties").and_then(Value::as_object) {
        node.properties = Some(properties.clone());
    }
    if let Some(required) = object.get("required").and_then(Value::as_array) {
        node.required = required
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
    }
    match object.get("additionalProperties") {
        None | Some(Value::Bool(true)) => {}
        Some(other) => node.additional = Some(other.clone()),
    }
    node
}

/// Compares what a service schema and the derived schema say, collecting
/// every difference as text.
struct Comparison<'a> {
    /// The derived root schema, for its `$defs`.
    derived_root: &'a Value,
    /// `codegen/overlay.json`: bounds Glance enforces that its schemas leave
    /// out, which the generated types carry.
    overlay: &'a Value,
    differences: Vec<String>,
}

impl Comparison<'_> {
    fn differ(
        &mut self,
        at: &str,
        what: &str,
        service: impl std::fmt::Debug,
        derived: impl std::fmt::Debug,
    ) {
        self.differences.push(format!(
            "{at}: {what}: the service says {service:?}, the derived schema {derived:?}"
        ));
    }

    /// `overlay` is the overlay's entry for this property, if any.
    fn compare(
        &mut self,
        at: &str,
        service: &Value,
        service_root: &Value,
        derived: &Value,
        overlay: Option<&Value>,
    ) {
        let wanted = normalise(service, service_root);
        let got = normalise(derived, self.derived_root);
        match wanted.name.clone() {
            // Glance repeats a whole schema inline (`images` items are named
            // `image`) and the generator uses that resource's own type, so
            // the copy is compared as that resource's schema, once every
            // property of the copy is found declared the same way there.
            Some(name) if !at.is_empty() => {
                let full_root = service_schema(&name);
                let full = normalise(&full_root, &full_root);
                let declared = full.properties.clone().unwrap_or_default();
                for (key, value) in wanted.properties.iter().flatten() {
                    if declared.get(key) != Some(value) {
                        self.differ(
                            at,
                            &format!("inline copy of `{key}`"),
                            value,
                            declared.get(key),
                        );
                    }
                }
                self.compare_nodes(at, full, &full_root, got, overlay);
            }
            _ => self.compare_nodes(at, wanted, service_root, got, overlay),
        }
    }

    fn compare_nodes(
        &mut self,
        at: &str,
        wanted: Node,
        service_root: &Value,
        got: Node,
        overlay: Option<&Value>,
    ) {
        if wanted.types != got.types {
            self.differ(at, "JSON types", &wanted.types, &got.types);
        }
        if wanted.values != got.values {
            self.differ(at, "enum values", &wanted.values, &got.values);
        }
        if wanted.read_only != got.read_only {
            self.differ(at, "readOnly", wanted.read_only, got.read_only);
        }
        if wanted.write_only != got.write_only {
            self.differ(at, "writeOnly", wanted.write_only, got.write_only);
        }
        let lengths = |n: &Node| (n.min_length, n.max_length);
        if lengths(&wanted) != lengths(&got) {
            self.differ(at, "minLength, maxLength", lengths(&wanted), lengths(&got));
        }
        if wanted.pattern != got.pattern {
            self.differ(at, "pattern", &wanted.pattern, &got.pattern);
        }
        let from_overlay = |key: &str| {
            overlay
                .and_then(|entry| entry.get(key))
                .and_then(Value::as_i64)
        };
        let bounds = (
            wanted.minimum.or_else(|| from_overlay("minimum")),
            wanted.maximum.or_else(|| from_overlay("maximum")),
        );
        if bounds != (got.minimum, got.maximum) {
            self.differ(at, "minimum, maximum", bounds, (got.minimum, got.maximum));
        }
        if let Some(description) = &wanted.description {
            // Doc comments wrap bare URLs in `<...>` for rustdoc, then go on
            // with facts for Rust users.
            let got_text = got
                .description
                .as_deref()
                .unwrap_or("")
                .replace("<http", "http")
                .replace('>', "");
            if !got_text.starts_with(description.as_str()) {
                self.differ(at, "description", description, &got.description);
            }
        }
        match (&wanted.items, &got.items) {
            (Some(service), Some(derived)) => {
                self.compare(&format!("{at}[]"), service, service_root, derived, None)
            }
            (None, None) => {}
            (service, derived) => self.differ(at, "items", service, derived),
        }
        let wanted_properties = wanted.properties.unwrap_or_default();
        let got_properties = got.properties.unwrap_or_default();
        let wanted_keys: BTreeSet<&String> = wanted_properties.keys().collect();
        let got_keys: BTreeSet<&String> = got_properties.keys().collect();
        if wanted_keys != got_keys {
            self.differ(at, "property names", &wanted_keys, &got_keys);
        }
        let overlay_properties = wanted
            .name
            .as_deref()
            .and_then(|name| self.overlay.get(name)?.get("properties").cloned());
        for (key, service) in &wanted_properties {
            if let Some(derived) = got_properties.get(key) {
                let entry = overlay_properties.as_ref().and_then(|p| p.get(key));
                self.compare(
                    &format!("{at}/{key}"),
                    service,
                    service_root,
                    derived,
                    entry,
                );
            }
        }
        if wanted.required != got.required {
            self.differ(at, "required", &wanted.required, &got.required);
        }
        match (&wanted.additional, &got.additional) {
            (None, None) => {}
            (Some(Value::Bool(false)), Some(Value::Bool(false))) => {}
            (Some(service @ Value::Object(_)), Some(derived @ Value::Object(_))) => {
                self.compare(
                    &format!("{at}/additionalProperties"),
                    service,
                    service_root,
                    derived,
                    None,
                );
            }
            (service, derived) => self.differ(at, "additionalProperties", service, derived),
        }
    }
}

fn differences(resource: &str, derived: &Value) -> Vec<String> {
    let service = service_schema(resource);
    let overlay = json_file(&root().join("codegen/overlay.json"));
    let mut comparison = Comparison {
        derived_root: derived,
        overlay: &overlay,
        differences: Vec::new(),
    };
    comparison.compare("", &service, &service, derived, None);
    comparison
        .differences
        .into_iter()
        .map(|d| format!("{resource}.json{d}"))
        .collect()
}

#[test]
fn derived_schemas_say_what_the_service_schemas_say() {
    let mut all = Vec::new();
    for (resource, derived) in roots() {
        all.extend(differences(resource, &derived));
    }
    assert!(
        all.is_empty(),
        "the derived schemas differ:\n{}",
        all.join("\n")
    );
}

/// A mutation of the derived schema that a faithful comparison must notice.
fn broken(
    mut derived: Value,
    pointer: &str,
    change: impl FnOnce(&mut Map<String, Value>),
) -> Value {
    let object = derived
        .pointer_mut(pointer)
        .and_then(Value::as_object_mut)
        .unwrap_or_else(|| panic!("no object at {pointer} in the derived schema"));
    change(object);
    derived
}

#[test]
fn the_comparison_notices_each_kind_of_difference() {
    let image = derived::<Image>();
    let property = |name: &str| format!("/properties/{name}");
    let cases: Vec<(&str, Value)> = vec![
        (
            "minLength, maxLength",
            broken(image.clone(), &property("name"), |o| {
                drop(o.remove("maxLength"))
            }),
        ),
        (
            "pattern",
            broken(image.clone(), &property("id"), |o| {
                drop(o.remove("pattern"))
            }),
        ),
        (
            "readOnly",
            broken(image.clone(), &property("status"), |o| {
                drop(o.remove("readOnly"))
            }),
        ),
        (
            "JSON types",
            broken(image.clone(), &property("name"), |o| {
                drop(o.insert("type".into(), json!("string")))
            }),
        ),
        (
            "JSON types",
            broken(image.clone(), &property("min_ram"), |o| {
                drop(o.insert("type".into(), json!("number")))
            }),
        ),
        (
            "enum values",
            broken(image.clone(), "/$defs/ImageStatus", |o| {
                drop(o.insert("enum".into(), json!(["queued"])))
            }),
        ),
        (
            "property names",
            broken(image.clone(), "/properties", |o| {
                drop(o.remove("os_hidden"))
            }),
        ),
        (
            "required",
            broken(image.clone(), "/$defs/ImageLocation", |o| {
                drop(o.remove("required"))
            }),
        ),
        (
            "minLength, maxLength",
            broken(image.clone(), "/properties/tags/items", |o| {
                drop(o.remove("maxLength"))
            }),
        ),
        (
            "minimum, maximum",
            broken(image.clone(), &property("min_disk"), |o| {
                drop(o.remove("minimum"))
            }),
        ),
        (
            "description",
            broken(image.clone(), &property("owner"), |o| {
                drop(o.remove("description"))
            }),
        ),
        (
            "additionalProperties",
            broken(image.clone(), "", |o| {
                drop(o.remove("additionalProperties"))
            }),
        ),
        (
            "writeOnly",
            broken(
                image,
                "/$defs/ImageLocation/properties/validation_data",
                |o| drop(o.remove("writeOnly")),
            ),
        ),
    ];
    for (what, schema) in cases {
        let found = differences("image", &schema);
        assert!(
            found.iter().any(|d| d.contains(&format!(": {what}: "))),
            "breaking {what} went unnoticed: {found:?}"
        );
    }
}

/// The root type each sample is a document of, by file name.
fn resource_of(sample: &str) -> &'static str {
    [
        ("images-list", "images"),
        ("image-", "image"),
        ("members-list", "members"),
        ("member-", "member"),
    ]
    .into_iter()
    .find(|(prefix, _)| sample.starts_with(prefix))
    .map(|(_, resource)| resource)
    .unwrap_or_else(|| panic!("{sample}: no type is known for this sample"))
}

fn validator(resource: &str) -> jsonschema::Validator {
    let (_, schema) = roots()
        .into_iter()
        .find(|(r, _)| *r == resource)
        .expect("a root type");
    jsonschema::validator_for(&schema)
        .unwrap_or_else(|e| panic!("the derived {resource} schema is invalid: {e}"))
}

#[test]
fn every_sample_is_valid_against_the_derived_schema() {
    let mut names: Vec<PathBuf> = fs::read_dir(root().join("tests/fixtures/samples"))
        .expect("the samples")
        .map(|entry| entry.expect("an entry").path())
        .collect();
    names.sort();
    for path in &names {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("a UTF-8 name");
        let document = json_file(path);
        let errors: Vec<String> = validator(resource_of(name))
            .iter_errors(&document)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{name}:\n{}", errors.join("\n"));
    }
    assert_eq!(names.len(), 16, "every recorded sample is validated");
}

#[test]
fn the_derived_schema_keeps_the_services_limits() {
    let image = validator("image");
    let sample = json_file(&root().join("tests/fixtures/samples/image-active-qcow2.json"));
    assert!(image.is_valid(&sample));
    let with = |pointer: &str, value: Value| {
        let mut document = sample.clone();
        *document
            .pointer_mut(pointer)
            .unwrap_or_else(|| panic!("no {pointer}")) = value;
        document
    };
    // The Rust types accept enum values a newer service sends; the schema
    // still lists only the known ones, as the service's schema does.
    assert!(!image.is_valid(&with("/status", json!("archived"))));
    assert!(!image.is_valid(&with("/name", json!("n".repeat(256)))));
    assert!(image.is_valid(&with("/name", json!("n".repeat(255)))));
    assert!(!image.is_valid(&with("/id", json!("not-a-uuid"))));
    assert!(!image.is_valid(&with("/min_ram", json!(-1))));
    assert!(image.is_valid(&with("/name", Value::Null)));
    assert!(!image.is_valid(&with("/protected", Value::Null)));
    assert!(!image.is_valid(&with("/tags", json!(["t".repeat(256)]))));
}
