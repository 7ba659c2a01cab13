//! The bad-schema corpus: every file under `tests/bad/` must be rejected with
//! an error naming the exact file and JSON pointer, with a reason that says
//! what is wrong, and without a panic.
//!
//! Each case is `<name>.json` (or a directory `<name>/` of several files
//! given together) beside `<name>.expected`, which holds three lines:
//!
//! ```text
//! file: codegen/tests/bad/<name>.json
//! pointer: /properties/size/type
//! reason contains: unknown type `int`
//! ```
//!
//! An empty pointer means the whole document. Cases too large to check in
//! are built by the test and run through the same checks.

mod common;

use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::time::{Duration, Instant};

use cloud_images_codegen::{SchemaSource, generate};

use common::{json_files, plain_options, source, workspace_root};

/// The deepest nesting the generator accepts (`MAX_DEPTH` in lower.rs).
const MAX_DEPTH: usize = 32;

struct Expected {
    file: String,
    pointer: String,
    reason: String,
}

struct Case {
    name: String,
    sources: Vec<SchemaSource>,
    expected: Expected,
}

fn parse_expected(path: &Path) -> Expected {
    let text =
        fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let field = |key: &str| -> String {
        let prefix = format!("{key}:");
        let line = text
            .lines()
            .find_map(|line| line.strip_prefix(&prefix))
            .unwrap_or_else(|| panic!("{} has no `{key}:` line", path.display()));
        line.strip_prefix(' ').unwrap_or(line).to_owned()
    };
    Expected {
        file: field("file"),
        pointer: field("pointer"),
        reason: field("reason contains"),
    }
}

/// The checked-in cases, sorted by name.
fn checked_in_cases() -> Vec<Case> {
    let dir = workspace_root().join("codegen/tests/bad");
    let mut entries: Vec<_> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("a readable directory entry").path())
        .collect();
    entries.sort();
    let mut cases = Vec::new();
    for path in &entries {
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("a UTF-8 file name")
            .to_owned();
        let sources = if path.is_dir() {
            json_files(path).iter().map(|file| source(file)).collect()
        } else if path.extension().is_some_and(|ext| ext == "json") {
            vec![source(path)]
        } else {
            let input = dir.join(format!("{name}.json"));
            assert!(
                path.extension().is_some_and(|ext| ext == "expected")
                    && (input.is_file() || dir.join(&name).is_dir()),
                "{} is not a case input, nor the expectation of one",
                path.display()
            );
            continue;
        };
        assert!(
            name.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "case names are kebab-case: {name}"
        );
        let expected = dir.join(format!("{name}.expected"));
        assert!(
            expected.is_file(),
            "{} has no {}",
            path.display(),
            expected.display()
        );
        cases.push(Case {
            name,
            sources,
            expected: parse_expected(&expected),
        });
    }
    cases
}

/// A property nested `levels` objects deep, ending in a string.
fn nested_objects(levels: usize) -> String {
    let mut schema = r#"{"type": "string"}"#.to_owned();
    for _ in 1..levels {
        schema = format!(r#"{{"type": "object", "properties": {{"level": {schema}}}}}"#);
    }
    format!(r#"{{"name": "deep", "properties": {{"level": {schema}}}}}"#)
}

/// Cases built here rather than checked in, because they are large.
fn built_cases() -> Vec<Case> {
    let too_deep = "codegen/tests/bad/(built)/too-deep.json";
    let deep_json = "codegen/tests/bad/(built)/json-too-deep.json";
    vec![
        Case {
            name: "too-deep".into(),
            sources: vec![SchemaSource::new(too_deep, nested_objects(MAX_DEPTH + 1))],
            expected: Expected {
                file: too_deep.into(),
                pointer: "/properties/level".repeat(MAX_DEPTH + 1),
                reason: format!("schemas nested deeper than {MAX_DEPTH} levels are not supported"),
            },
        },
        Case {
            name: "json-too-deep".into(),
            sources: vec![SchemaSource::new(
                deep_json,
                format!(
                    r#"{{"name": "deep", "properties": {{"x": {{"default": {}{}}}}}}}"#,
                    "[".repeat(10_000),
                    "]".repeat(10_000)
                ),
            )],
            expected: Expected {
                file: deep_json.into(),
                pointer: String::new(),
                reason: "recursion limit exceeded".into(),
            },
        },
    ]
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "a non-string panic".to_owned())
}

/// What is wrong with the outcome of one case, if anything.
fn check(case: &Case) -> Option<String> {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        generate(&case.sources, &plain_options())
    }));
    let error = match outcome {
        Err(payload) => return Some(format!("panicked: {}", panic_message(payload.as_ref()))),
        Ok(Ok(files)) => {
            return Some(format!(
                "generated {} files, but should have failed at {} `{}`",
                files.len(),
                case.expected.file,
                case.expected.pointer
            ));
        }
        Ok(Err(error)) => error,
    };
    let expected = &case.expected;
    let mut problems = Vec::new();
    if error.file != expected.file {
        problems.push(format!(
            "file `{}`, expected `{}`",
            error.file, expected.file
        ));
    }
    if error.pointer != expected.pointer {
        problems.push(format!(
            "pointer `{}`, expected `{}`",
            error.pointer, expected.pointer
        ));
    }
    if !error.reason.contains(&expected.reason) {
        problems.push(format!("reason does not contain `{}`", expected.reason));
    }
    if !error
        .to_string()
        .starts_with(&format!("{}: at ", error.file))
    {
        problems.push(format!("message does not start with the file: {error}"));
    }
    (!problems.is_empty()).then(|| format!("{}\n      got: {error}", problems.join("; ")))
}

#[test]
fn every_bad_schema_is_rejected_where_it_is_wrong() {
    let checked_in = checked_in_cases();
    assert!(
        checked_in.len() >= 35,
        "the corpus shrank to {} cases",
        checked_in.len()
    );
    let failures: Vec<String> = checked_in
        .iter()
        .chain(&built_cases())
        .filter_map(|case| check(case).map(|problem| format!("  {}: {problem}", case.name)))
        .collect();
    assert!(
        failures.is_empty(),
        "{} bad schemas were not rejected as expected:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn nesting_at_the_limit_generates() {
    let source = SchemaSource::new("deep.json", nested_objects(MAX_DEPTH));
    let files = generate(&[source], &plain_options())
        .unwrap_or_else(|e| panic!("{MAX_DEPTH} levels must generate: {e}"));
    let deepest = format!("Deep{}", "Level".repeat(MAX_DEPTH - 1));
    let module = files.get("src/deep.rs").expect("the resource module");
    assert!(
        module.contains(&format!("pub struct {deepest} {{")),
        "no struct {deepest} in:\n{module}"
    );
}

/// A schema far larger than Glance's either generates quickly or fails clearly.
#[test]
fn huge_schema_generates() {
    const COUNT: usize = 5_000;
    let properties: Vec<String> = (0..COUNT)
        .map(|i| format!(r#""prop_{i:04}": {{"type": ["null", "string"], "description": "Property {i}", "maxLength": 255}}"#))
        .collect();
    let text = format!(
        r#"{{"name": "huge", "properties": {{{}}}}}"#,
        properties.join(", ")
    );
    let started = Instant::now();
    let files = generate(&[SchemaSource::new("huge.json", text)], &plain_options())
        .unwrap_or_else(|e| panic!("{COUNT} properties must generate: {e}"));
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_secs(5),
        "{COUNT} properties took {elapsed:?}"
    );
    let module = files.get("src/huge.rs").expect("the resource module");
    let file = syn::parse_file(module).expect("the output parses");
    let fields = file
        .items
        .iter()
        .find_map(|item| match item {
            syn::Item::Struct(s) if s.ident == "Huge" => Some(s.fields.len()),
            _ => None,
        })
        .expect("struct Huge");
    // Every declared property, plus the field that keeps undeclared keys.
    assert_eq!(fields, COUNT + 1);
}

/// With the Glance overlay the image gets a patch builder, whose free-form
/// methods are `add_property`, `replace_property` and `remove_property`: a
/// declared property named `property` would collide with them.
#[test]
fn a_property_named_property_is_refused_on_a_patchable_resource() {
    let file = "codegen/tests/patchable/property-named-property.json";
    let text = std::fs::read_to_string(workspace_root().join(file)).expect("fixture");
    let options = cloud_images_codegen::Options::glance().expect("the built-in overlay parses");
    let error = generate(&[SchemaSource::new(file, text)], &options).expect_err("must be refused");
    assert_eq!(error.file, file);
    assert_eq!(error.pointer, "/properties/property");
    assert!(error.reason.contains("add_property"), "{error}");
}

/// A file name is outside input too: a line break in it must not end the
/// `@generated` header comment and turn the rest into code.
#[test]
fn a_file_name_cannot_inject_code_through_the_header() {
    let name = "evil.json\npub fn injected() {}\n//";
    let text = r#"{"name": "thing", "properties": {"a": {"type": "string"}}}"#;
    let files = generate(&[SchemaSource::new(name, text)], &plain_options()).expect("generates");
    for (path, contents) in &files {
        let parsed = syn::parse_file(contents).unwrap_or_else(|e| panic!("{path}: {e}"));
        let injected = parsed
            .items
            .iter()
            .any(|item| matches!(item, syn::Item::Fn(f) if f.sig.ident == "injected"));
        assert!(
            !injected,
            "{path} holds code from the file name:\n{contents}"
        );
        assert_eq!(
            contents
                .lines()
                .next()
                .map(|l| l.starts_with("// @generated")),
            Some(true)
        );
        assert!(
            !contents.lines().any(|l| l.trim() == "pub fn injected() {}"),
            "{path}"
        );
    }
}
