//! Never a panic: the generator is fed arbitrary JSON and mutated copies of
//! the real schemas, and must either refuse the input with an error that
//! names a file and a reason, or produce Rust that parses.
//!
//! The number of cases comes from `CLOUD_IMAGES_FUZZ_CASES` (shared between
//! the two tests; 2,000 by default so CI stays fast). The long run:
//!
//! ```sh
//! CLOUD_IMAGES_FUZZ_CASES=100000 cargo test --release -p cloud-images-codegen --test fuzz -- --nocapture
//! ```

use std::collections::BTreeMap;
use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use cloud_images_codegen::{Options, SchemaSource, generate};
use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use quote::ToTokens;
use serde_json::{Map, Value, json};

const CASES_ENV: &str = "CLOUD_IMAGES_FUZZ_CASES";
const DEFAULT_CASES: u32 = 2_000;

/// Keys the lowering looks at, so that random objects often reach it.
const KEYWORDS: &[&str] = &[
    "type",
    "enum",
    "properties",
    "items",
    "additionalProperties",
    "required",
    "readOnly",
    "is_base",
    "$ref",
    "definitions",
    "pattern",
    "maxLength",
    "name",
    "description",
    "minLength",
    "minimum",
    "maximum",
    "minItems",
    "maxItems",
    "uniqueItems",
    "writeOnly",
    "title",
    "$defs",
    "links",
    "default",
    "format",
    "$schema",
    "$comment",
];

/// Text meant to break out of comments, literals and identifiers, or to
/// collide with names the generated code uses.
const HOSTILE: &[&str] = &[
    "*/",
    "/*",
    "\"",
    "\\",
    "#[",
    "```",
    "~~~",
    "    ",
    "\n",
    "\r",
    "\t",
    "\0",
    "} fn evil() {",
    "\");",
    "r#\"",
    "\u{202e}",
    "\u{2066}",
    "\u{2069}",
    "\u{200f}",
    "\u{feff}",
    "\u{2028}",
    "self",
    "Self",
    "super",
    "crate",
    "type",
    "fn",
    "r#type",
    "_",
    "",
    "0",
    "9lives",
    "größe",
    "日本",
    "additional_properties",
    "Unknown",
    "lib",
    "support",
    "image",
    "images",
    "member",
    "task",
    "Image",
    "ImagePatch",
    "PatchError",
    "#/definitions/",
    "~0",
    "~1",
    "a/b",
    "https://example.com/x",
    "^(a|b)$",
    "(?=x)",
    "[",
    "\\p{L}+",
];

const TYPES: &[&str] = &[
    "null", "string", "integer", "number", "boolean", "array", "object", "float", "any",
];

fn cases_total() -> u32 {
    match std::env::var(CASES_ENV) {
        Ok(text) => text
            .trim()
            .parse()
            .unwrap_or_else(|e| panic!("{CASES_ENV}={text:?} is not a number of cases: {e}")),
        Err(_) => DEFAULT_CASES,
    }
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        // A failure is printed with its (shrunk) input; nothing is written
        // next to the sources.
        failure_persistence: None,
        max_shrink_iters: 2_000,
        ..Config::default()
    })
}

fn text() -> BoxedStrategy<String> {
    prop_oneof![
        3 => select(HOSTILE).prop_map(str::to_owned),
        2 => select(TYPES).prop_map(str::to_owned),
        2 => select(KEYWORDS).prop_map(str::to_owned),
        3 => "(?s).{0,12}",
        2 => (select(HOSTILE), "[a-zA-Z0-9_ ]{0,6}", select(HOSTILE)).prop_map(|(a, b, c)| format!("{a}{b}{c}")),
        1 => "#/(definitions|\\$defs)/[a-z~0-9/]{0,6}",
    ]
    .boxed()
}

/// A resource or property name: mostly one that can become an identifier,
/// often with hostile text around it.
fn name() -> BoxedStrategy<String> {
    prop_oneof![
        3 => "[a-z][a-z0-9_.:-]{0,10}",
        2 => ("[a-zA-Z][a-zA-Z0-9]{0,4}", text()).prop_map(|(word, text)| format!("{word}{text}")),
        1 => text(),
    ]
    .boxed()
}

fn key() -> BoxedStrategy<String> {
    prop_oneof![4 => select(KEYWORDS).prop_map(str::to_owned), 2 => text()].boxed()
}

fn leaf() -> BoxedStrategy<Value> {
    prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => (-3i64..300).prop_map(Value::from),
        1 => any::<i64>().prop_map(Value::from),
        1 => any::<u64>().prop_map(Value::from),
        1 => (-1.0e6f64..1.0e6).prop_map(Value::from),
        3 => text().prop_map(Value::String),
        1 => (select(TYPES), select(TYPES)).prop_map(|(a, b)| Value::from(vec![a, b])),
    ]
    .boxed()
}

/// Any JSON value, with object keys drawn mostly from schema keywords.
fn json() -> BoxedStrategy<Value> {
    leaf()
        .prop_recursive(5, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::vec((key(), inner), 0..6)
                    .prop_map(|entries| Value::Object(entries.into_iter().collect())),
            ]
        })
        .boxed()
}

/// A root that looks like a schema (a name and properties) often enough
/// to get past the first checks, or any value at all.
fn root() -> BoxedStrategy<Value> {
    let schema_like = (
        name(),
        prop::collection::vec((name(), property_schema()), 0..6),
        prop::collection::vec((key(), json()), 0..3),
    )
        .prop_map(|(name, properties, extra)| {
            let mut root = Map::new();
            root.insert("name".to_owned(), Value::String(name));
            root.insert(
                "properties".to_owned(),
                Value::Object(properties.into_iter().collect()),
            );
            for (key, value) in extra {
                root.entry(key).or_insert(value);
            }
            Value::Object(root)
        });
    prop_oneof![1 => json(), 6 => schema_like].boxed()
}

/// Counts of what the generator answered, and the commonest reasons for
/// refusing, so that a run shows which paths it reached.
#[derive(Default)]
struct Outcomes {
    ok: AtomicUsize,
    err: AtomicUsize,
    reasons: Mutex<BTreeMap<String, usize>>,
}

impl Outcomes {
    fn refused(&self, reason: &str) {
        self.err.fetch_add(1, Ordering::Relaxed);
        // Quoted names differ from case to case; the rest is the kind.
        let kind: String = reason
            .split('`')
            .step_by(2)
            .collect::<Vec<_>>()
            .join("_")
            .chars()
            .take(60)
            .collect();
        if let Ok(mut reasons) = self.reasons.lock() {
            *reasons.entry(kind).or_default() += 1;
        }
    }

    fn report(&self, name: &str, cases: u32, started: Instant) {
        println!(
            "{name}: {cases} cases in {:.1?}: {} Ok, {} Err (no panic)",
            started.elapsed(),
            self.ok.load(Ordering::Relaxed),
            self.err.load(Ordering::Relaxed)
        );
        if let Ok(reasons) = self.reasons.lock() {
            let mut common: Vec<(&String, &usize)> = reasons.iter().collect();
            common.sort_by(|a, b| b.1.cmp(a.1));
            for (kind, count) in common.into_iter().take(8) {
                println!("  {count:>6} x {kind}");
            }
        }
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "a panic without a message".to_owned())
}

/// The property itself: no panic; an error says where and why; generated
/// files parse.
fn check(
    sources: &[SchemaSource],
    options: &Options,
    outcomes: &Outcomes,
) -> Result<(), TestCaseError> {
    let shown = || {
        sources
            .iter()
            .map(|s| format!("--- {}\n{}", s.file, s.text))
            .collect::<Vec<_>>()
            .join("\n")
    };
    match catch_unwind(AssertUnwindSafe(|| generate(sources, options))) {
        Err(panic) => Err(TestCaseError::fail(format!(
            "generate panicked: {}\n{}",
            panic_message(panic.as_ref()),
            shown()
        ))),
        Ok(Err(error)) => {
            outcomes.refused(&error.reason);
            let pointer_ok = error.pointer.is_empty() || error.pointer.starts_with('/');
            if error.file.is_empty() || error.reason.trim().is_empty() || !pointer_ok {
                return Err(TestCaseError::fail(format!(
                    "an error without file, reason or pointer: {error:?}\n{}",
                    shown()
                )));
            }
            Ok(())
        }
        Ok(Ok(files)) => {
            outcomes.ok.fetch_add(1, Ordering::Relaxed);
            if !files.contains_key("src/lib.rs") {
                return Err(TestCaseError::fail(format!(
                    "no src/lib.rs among {:?}",
                    files.keys()
                )));
            }
            for (path, text) in files.iter().filter(|(path, _)| path.ends_with(".rs")) {
                let file = syn::parse_file(text).map_err(|e| {
                    TestCaseError::fail(format!(
                        "{path} does not parse: {e}\n{text}\nfrom:\n{}",
                        shown()
                    ))
                })?;
                let twice = duplicate_definitions(&file);
                if !twice.is_empty() {
                    return Err(TestCaseError::fail(format!(
                        "{path} defines {twice:?} twice\n{text}\nfrom:\n{}",
                        shown()
                    )));
                }
            }
            Ok(())
        }
    }
}

/// Names defined twice in one namespace of a file, which rustc refuses
/// although the file parses: module-level types, module-level values, and
/// the associated items of each type's inherent impls.
fn duplicate_definitions(file: &syn::File) -> Vec<String> {
    fn use_names(tree: &syn::UseTree, out: &mut Vec<String>) {
        match tree {
            syn::UseTree::Path(p) => use_names(&p.tree, out),
            syn::UseTree::Name(n) => out.push(n.ident.to_string()),
            syn::UseTree::Rename(r) => out.push(r.rename.to_string()),
            syn::UseTree::Glob(_) => {}
            syn::UseTree::Group(g) => g.items.iter().for_each(|t| use_names(t, out)),
        }
    }
    let mut types = Vec::new();
    let mut values = Vec::new();
    let mut associated = Vec::new();
    for item in &file.items {
        match item {
            syn::Item::Struct(i) => types.push(i.ident.to_string()),
            syn::Item::Enum(i) => types.push(i.ident.to_string()),
            syn::Item::Trait(i) => types.push(i.ident.to_string()),
            syn::Item::Type(i) => types.push(i.ident.to_string()),
            syn::Item::Mod(i) => types.push(i.ident.to_string()),
            syn::Item::Use(i) => use_names(&i.tree, &mut types),
            syn::Item::Fn(i) => values.push(i.sig.ident.to_string()),
            syn::Item::Static(i) => values.push(i.ident.to_string()),
            syn::Item::Const(i) => values.push(i.ident.to_string()),
            syn::Item::Impl(i) if i.trait_.is_none() => {
                let self_type = i.self_ty.to_token_stream().to_string();
                for member in &i.items {
                    let name = match member {
                        syn::ImplItem::Fn(f) => f.sig.ident.to_string(),
                        syn::ImplItem::Const(c) => c.ident.to_string(),
                        _ => continue,
                    };
                    associated.push(format!("{self_type}::{name}"));
                }
            }
            _ => {}
        }
    }
    let mut twice = Vec::new();
    for mut names in [types, values, associated] {
        names.sort();
        twice.extend(
            names
                .windows(2)
                .filter(|w| w[0] == w[1])
                .map(|w| w[0].clone()),
        );
    }
    twice
}

/// A file's text: usually the value, sometimes cut short so that it is not
/// JSON at all.
fn file_text(value: &Value, cut: u8, at: &Index) -> String {
    let text = value.to_string();
    if cut == 0 && !text.is_empty() {
        let mut end = at.index(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        return text[..end].to_owned();
    }
    text
}

#[test]
fn arbitrary_json_never_panics() {
    let cases = cases_total() / 2;
    let options = Options::glance().expect("the built-in overlay loads");
    let outcomes = Outcomes::default();
    let started = Instant::now();
    let files = prop::collection::vec((root(), 0u8..12, any::<Index>()), 1..=3);
    let result = runner(cases).run(&files, |files| {
        let sources: Vec<SchemaSource> = files
            .iter()
            .enumerate()
            .map(|(n, (value, cut, at))| {
                SchemaSource::new(format!("fuzz/{n}.json"), file_text(value, *cut, at))
            })
            .collect();
        check(&sources, &options, &outcomes)
    });
    outcomes.report("arbitrary JSON", cases, started);
    if let Err(failure) = result {
        panic!("{failure}");
    }
}

// ----- Mutations of the real schemas -----

#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Key(String),
    Index(usize),
}

type NodePath = Vec<Seg>;

/// Every node's path, root first.
fn nodes(value: &Value) -> Vec<NodePath> {
    fn walk(value: &Value, path: &mut NodePath, out: &mut Vec<NodePath>) {
        out.push(path.clone());
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    path.push(Seg::Key(key.clone()));
                    walk(child, path, out);
                    path.pop();
                }
            }
            Value::Array(items) => {
                for (index, child) in items.iter().enumerate() {
                    path.push(Seg::Index(index));
                    walk(child, path, out);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, &mut Vec::new(), &mut out);
    out
}

fn get<'a>(value: &'a Value, path: &[Seg]) -> Option<&'a Value> {
    path.iter().try_fold(value, |node, seg| match seg {
        Seg::Key(key) => node.get(key),
        Seg::Index(index) => node.get(index),
    })
}

fn get_mut<'a>(value: &'a mut Value, path: &[Seg]) -> Option<&'a mut Value> {
    path.iter().try_fold(value, |node, seg| match seg {
        Seg::Key(key) => node.get_mut(key),
        Seg::Index(index) => node.get_mut(index),
    })
}

fn objects(value: &Value) -> Vec<NodePath> {
    nodes(value)
        .into_iter()
        .filter(|p| get(value, p).is_some_and(Value::is_object))
        .collect()
}

/// Every `(object path, key)` pair.
fn entries(value: &Value) -> Vec<(NodePath, String)> {
    objects(value)
        .into_iter()
        .flat_map(|path| {
            let keys: Vec<String> = get(value, &path)
                .and_then(Value::as_object)
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default();
            keys.into_iter().map(move |key| (path.clone(), key))
        })
        .collect()
}

#[derive(Debug, Clone)]
enum Definition {
    None,
    Random(Value),
    CopyOf(Index),
}

#[derive(Debug, Clone)]
enum Op {
    Delete,
    Replace(Value),
    Rename(String),
    /// The key appears twice in the text; the second value wins.
    Duplicate(Value),
    ChangeType(Value),
    InsertRef(String, Definition),
    Inject(String),
    /// Changes that keep a schema valid more often than not, so that the
    /// emitters and the formatter see the hostile text too.
    AppendToDescription(String),
    AppendToPropertyName(String),
    AppendToEnumValue(String),
    DropProperty,
    AddProperty(String, Value),
}

#[derive(Debug, Clone)]
struct Mutation {
    file: Index,
    node: Index,
    op: Op,
}

fn op() -> BoxedStrategy<Op> {
    let type_value = prop_oneof![
        select(TYPES).prop_map(Value::from),
        prop::collection::vec(select(TYPES), 0..4).prop_map(Value::from),
        json(),
    ];
    let definition = prop_oneof![
        Just(Definition::None),
        json().prop_map(Definition::Random),
        any::<Index>().prop_map(Definition::CopyOf),
    ];
    let ref_name = prop_oneof!["[a-z_]{1,8}", text()];
    prop_oneof![
        2 => Just(Op::Delete),
        2 => json().prop_map(Op::Replace),
        1 => text().prop_map(Op::Rename),
        1 => json().prop_map(Op::Duplicate),
        2 => type_value.prop_map(Op::ChangeType),
        2 => (ref_name, definition).prop_map(|(name, def)| Op::InsertRef(name, def)),
        2 => text().prop_map(Op::Inject),
        3 => text().prop_map(Op::AppendToDescription),
        2 => text().prop_map(Op::AppendToPropertyName),
        2 => text().prop_map(Op::AppendToEnumValue),
        1 => Just(Op::DropProperty),
        3 => (text(), property_schema()).prop_map(|(name, schema)| Op::AddProperty(name, schema)),
    ]
    .boxed()
}

/// A property schema that is often valid.
fn property_schema() -> BoxedStrategy<Value> {
    prop_oneof![
        (select(TYPES), text()).prop_map(|(t, d)| json!({"type": t, "description": d})),
        select(TYPES).prop_map(|t| json!({"type": [t, "null"]})),
        prop::collection::vec(text(), 1..4)
            .prop_map(|values| json!({"type": "string", "enum": values})),
        (text(), 0u64..300)
            .prop_map(|(p, n)| json!({"type": "string", "pattern": p, "maxLength": n})),
        (text(), any::<bool>())
            .prop_map(|(d, b)| json!({"type": "string", "description": d, "is_base": b})),
        prop::collection::vec((text(), select(TYPES)), 0..3).prop_map(|props| {
            let props: Map<String, Value> = props
                .into_iter()
                .map(|(k, t)| (k, json!({"type": t})))
                .collect();
            json!({"type": "object", "properties": props})
        }),
        json(),
    ]
    .boxed()
}

/// Paths whose last step is `key`.
fn ending_in(value: &Value, key: &str) -> Vec<NodePath> {
    nodes(value)
        .into_iter()
        .filter(|p| matches!(p.last(), Some(Seg::Key(k)) if k == key))
        .collect()
}

fn append_to_string(value: &mut Value, path: &[Seg], text: &str) {
    if let Some(Value::String(old)) = get_mut(value, path) {
        old.push_str(text);
    }
}

/// The element an `Index` picks, or `None` from an empty list (a node
/// replaced by a scalar has no objects left to pick).
fn pick<'a, T>(all: &'a [T], at: &Index) -> Option<&'a T> {
    (!all.is_empty()).then(|| at.get(all))
}

/// Object entries whose object is a `properties` map.
fn property_entries(value: &Value) -> Vec<(NodePath, String)> {
    entries(value)
        .into_iter()
        .filter(|(p, _)| matches!(p.last(), Some(Seg::Key(k)) if k == "properties"))
        .collect()
}

/// Applies one change to a schema; duplicated keys are returned to be
/// written into the text, which a `Value` cannot hold.
fn apply(
    value: &mut Value,
    node: &Index,
    op: &Op,
    duplicates: &mut Vec<(NodePath, String, Value)>,
) {
    match op {
        Op::Delete => {
            let Some(path) = pick(&nodes(value), node).cloned() else {
                return;
            };
            if let Some((last, parent)) = path.split_last() {
                match (get_mut(value, parent), last) {
                    (Some(Value::Object(map)), Seg::Key(key)) => {
                        map.remove(key);
                    }
                    (Some(Value::Array(items)), Seg::Index(index)) => {
                        items.remove(*index);
                    }
                    _ => {}
                }
            }
        }
        Op::Replace(new) => {
            let Some(path) = pick(&nodes(value), node).cloned() else {
                return;
            };
            if let Some(slot) = get_mut(value, &path) {
                *slot = new.clone();
            }
        }
        Op::Rename(to) => {
            let Some((path, key)) = pick(&entries(value), node).cloned() else {
                return;
            };
            rename(value, &path, &key, to.clone());
        }
        Op::Duplicate(second) => {
            if let Some((path, key)) = pick(&entries(value), node).cloned() {
                duplicates.push((path, key, second.clone()));
            }
        }
        Op::ChangeType(to) => {
            let Some(path) = pick(&objects(value), node).cloned() else {
                return;
            };
            if let Some(Value::Object(map)) = get_mut(value, &path) {
                map.insert("type".to_owned(), to.clone());
            }
        }
        Op::InsertRef(name, definition) => {
            let definition = match definition {
                Definition::None => None,
                Definition::Random(random) => Some(random.clone()),
                Definition::CopyOf(source) => pick(&nodes(value), source)
                    .and_then(|path| get(value, path))
                    .cloned(),
            };
            if let Some(path) = pick(&objects(value), node).cloned() {
                if let Some(Value::Object(map)) = get_mut(value, &path) {
                    map.insert(
                        "$ref".to_owned(),
                        Value::String(format!("#/definitions/{name}")),
                    );
                }
            }
            if let (Some(definition), Value::Object(root)) = (definition, &mut *value) {
                let definitions = root
                    .entry("definitions")
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(definitions) = definitions {
                    definitions.insert(name.clone(), definition);
                }
            }
        }
        Op::Inject(text) => {
            // Into a string value, or onto a key.
            let strings: Vec<NodePath> = nodes(value)
                .into_iter()
                .filter(|p| get(value, p).is_some_and(Value::is_string))
                .collect();
            let keys = entries(value);
            let total = strings.len() + keys.len();
            if total == 0 {
                return;
            }
            let at = node.index(total);
            match strings.get(at) {
                Some(path) => append_to_string(value, path, text),
                None => {
                    let (path, key) = &keys[at - strings.len()];
                    rename(value, path, key, format!("{key}{text}"));
                }
            }
        }
        Op::AppendToDescription(text) => {
            if let Some(path) = pick(&ending_in(value, "description"), node).cloned() {
                append_to_string(value, &path, text);
            }
        }
        Op::AppendToEnumValue(text) => {
            let all: Vec<NodePath> = nodes(value)
                .into_iter()
                .filter(|p| p.len() >= 2 && matches!(&p[p.len() - 2], Seg::Key(k) if k == "enum"))
                .collect();
            if let Some(path) = pick(&all, node) {
                append_to_string(value, path, text);
            }
        }
        Op::AppendToPropertyName(text) => {
            if let Some((path, key)) = pick(&property_entries(value), node).cloned() {
                rename(value, &path, &key, format!("{key}{text}"));
            }
        }
        Op::DropProperty => {
            if let Some((path, key)) = pick(&property_entries(value), node).cloned() {
                if let Some(Value::Object(map)) = get_mut(value, &path) {
                    map.remove(&key);
                }
            }
        }
        Op::AddProperty(name, schema) => {
            let Some(path) = pick(&ending_in(value, "properties"), node).cloned() else {
                return;
            };
            if let Some(Value::Object(map)) = get_mut(value, &path) {
                map.insert(name.clone(), schema.clone());
            }
        }
    }
}

fn rename(value: &mut Value, path: &[Seg], key: &str, to: String) {
    if let Some(Value::Object(map)) = get_mut(value, path) {
        if let Some(moved) = map.remove(key) {
            map.insert(to, moved);
        }
    }
}

/// The list schemas repeat their item schema inline (`images` holds
/// `image`s), and a cloud serves the two consistently: after a mutation,
/// the inline copy is made to agree with the item schema again, leaving out
/// the properties the real list schema leaves out.
struct InlineCopy {
    list: usize,
    item: usize,
    path: NodePath,
    left_out: Vec<String>,
}

fn inline_copies(schemas: &[(String, Value)]) -> Vec<InlineCopy> {
    let position = |name: &str| {
        schemas
            .iter()
            .position(|(file, _)| file == &format!("schemas/{name}.json"))
    };
    [
        ("images", "image"),
        ("members", "member"),
        ("tasks", "task"),
    ]
    .into_iter()
    .filter_map(|(list, item)| {
        let (list, item) = (position(list)?, position(item)?);
        let path: NodePath = [
            "properties",
            schemas[list]
                .0
                .trim_start_matches("schemas/")
                .trim_end_matches(".json"),
            "items",
        ]
        .into_iter()
        .map(|k| Seg::Key(k.to_owned()))
        .collect();
        let inline_props = get(&schemas[list].1, &path)?
            .get("properties")?
            .as_object()?;
        let item_props = schemas[item].1.get("properties")?.as_object()?;
        let left_out = item_props
            .keys()
            .filter(|k| !inline_props.contains_key(*k))
            .cloned()
            .collect();
        Some(InlineCopy {
            list,
            item,
            path,
            left_out,
        })
    })
    .collect()
}

fn sync_inline_copies(values: &mut [Value], copies: &[InlineCopy]) {
    for copy in copies {
        let item = values[copy.item].clone();
        let Some(Value::Object(inline)) = get_mut(&mut values[copy.list], &copy.path) else {
            continue;
        };
        for key in ["properties", "additionalProperties", "required", "type"] {
            match item.get(key) {
                Some(v) => {
                    inline.insert(key.to_owned(), v.clone());
                }
                None => {
                    inline.remove(key);
                }
            }
        }
        if let Some(Value::Object(props)) = inline.get_mut("properties") {
            for key in &copy.left_out {
                props.remove(key);
            }
        }
    }
}

/// JSON text with the duplicated keys written after the originals.
fn write(
    value: &Value,
    path: &mut NodePath,
    duplicates: &[(NodePath, String, Value)],
    out: &mut String,
) {
    match value {
        Value::Object(map) => {
            out.push('{');
            let extra: Vec<(&String, &Value)> = duplicates
                .iter()
                .filter(|(at, _, _)| at == path)
                .map(|(_, k, v)| (k, v))
                .collect();
            let mut first = true;
            for (key, child) in map.iter() {
                if !first {
                    out.push(',');
                }
                first = false;
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                path.push(Seg::Key(key.clone()));
                write(child, path, duplicates, out);
                path.pop();
            }
            for (key, child) in extra {
                if !first {
                    out.push(',');
                }
                first = false;
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                out.push_str(&child.to_string());
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (index, child) in items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                path.push(Seg::Index(index));
                write(child, path, duplicates, out);
                path.pop();
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

fn real_schemas() -> Vec<(String, Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas");
    let mut paths: Vec<_> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("a readable directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    paths.sort();
    assert_eq!(paths.len(), 6, "schemas/ should hold Glance's six schemas");
    paths
        .iter()
        .map(|path| {
            let text = fs::read_to_string(path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            let name = format!(
                "schemas/{}",
                path.file_name().unwrap_or_default().to_string_lossy()
            );
            (
                name,
                serde_json::from_str(&text).expect("the real schemas are JSON"),
            )
        })
        .collect()
}

#[test]
fn mutated_real_schemas_never_panic() {
    let cases = cases_total() - cases_total() / 2;
    let options = Options::glance().expect("the built-in overlay loads");
    let schemas = real_schemas();
    let outcomes = Outcomes::default();
    let started = Instant::now();
    let copies = inline_copies(&schemas);
    assert_eq!(
        copies.len(),
        3,
        "the list schemas should each hold an inline copy of their item"
    );
    let mutation = (any::<Index>(), any::<Index>(), op()).prop_map(|(file, node, op)| Mutation {
        file,
        node,
        op,
    });
    let case = (
        prop::collection::vec(mutation, 1..=4),
        prop::bool::weighted(0.75),
    );
    let result = runner(cases).run(&case, |(mutations, sync)| {
        let mut values: Vec<Value> = schemas.iter().map(|(_, v)| v.clone()).collect();
        let mut duplicates: Vec<Vec<(NodePath, String, Value)>> = vec![Vec::new(); values.len()];
        for m in &mutations {
            let file = m.file.index(values.len());
            apply(&mut values[file], &m.node, &m.op, &mut duplicates[file]);
        }
        if sync {
            sync_inline_copies(&mut values, &copies);
        }
        let sources: Vec<SchemaSource> = schemas
            .iter()
            .zip(&values)
            .zip(&duplicates)
            .map(|(((name, _), value), duplicates)| {
                let mut text = String::new();
                write(value, &mut Vec::new(), duplicates, &mut text);
                SchemaSource::new(name.clone(), text)
            })
            .collect();
        check(&sources, &options, &outcomes)
    });
    outcomes.report("mutated real schemas", cases, started);
    if let Err(failure) = result {
        panic!("{failure}");
    }
    // The mutations must also leave valid schemas often enough for the
    // success path (emit and format) to be exercised, not only the errors.
    if cases >= 200 {
        let ok = outcomes.ok.load(Ordering::Relaxed);
        assert!(
            ok * 20 >= cases as usize,
            "only {ok} of {cases} mutated sets generated; the mutations are too destructive"
        );
    }
}
