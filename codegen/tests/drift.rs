//! Schema drift reports. Each case under `tests/drift/<case>/` holds an
//! `old/` and a `new/` set of schema files showing one kind of change; its
//! text report is an insta snapshot (`snapshots/drift__<case>.snap`).
//!
//! `cinder-encryption-properties` is the real example: `old/` is the
//! project's `schemas/` as Glance 33 serves them, `new/` adds the two
//! `cinder_encryption_key_*` custom properties of upstream Glance's
//! `etc/schema-image.json` to `image.json` and to the inline copy in
//! `images.json`.

use std::fs;
use std::path::{Path, PathBuf};

use cloud_images_codegen::drift::{self, Class, DriftReport};
use cloud_images_codegen::model::Api;
use cloud_images_codegen::{Overlay, SchemaSource, lower_all};

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/drift")
}

/// The `*.json` files of one side, named `<side>/<file>` in errors.
fn sources(case: &str, side: &str) -> Vec<SchemaSource> {
    let dir = cases_dir().join(case).join(side);
    let mut paths: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "{} holds no schema files", dir.display());
    paths
        .iter()
        .map(|path| {
            let name = path.file_name().expect("file name").to_string_lossy();
            let text =
                fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            SchemaSource::new(format!("{side}/{name}"), text)
        })
        .collect()
}

fn lower(case: &str, side: &str, overlay: &Overlay) -> Api {
    lower_all(&sources(case, side), overlay).unwrap_or_else(|e| panic!("{case}: {e}"))
}

fn report(case: &str) -> DriftReport {
    let overlay = Overlay::glance().expect("the built-in overlay parses");
    drift::diff(&lower(case, "old", &overlay), &lower(case, "new", &overlay))
}

macro_rules! cases {
    ($($name:ident),* $(,)?) => {
        /// Every case directory, by name; each has a test below.
        const CASES: &[&str] = &[$(stringify!($name)),*];

        $(
            #[test]
            fn $name() {
                let case = stringify!($name).replace('_', "-");
                insta::assert_snapshot!(stringify!($name), report(&case).to_text());
            }
        )*
    };
}

cases!(
    resource_added,
    resource_removed,
    property_added,
    required_property_added,
    property_removed,
    enum_values_added,
    enum_values_removed,
    type_changed,
    nullability_changed,
    read_only_flip,
    is_base_flip,
    constraints_tightened,
    constraints_loosened,
    pattern_changed,
    descriptions_changed,
    additional_properties_changed,
    nova_dialect,
    no_drift,
    cinder_encryption_properties,
);

#[test]
fn every_case_directory_has_a_test() {
    let mut dirs: Vec<String> = fs::read_dir(cases_dir())
        .expect("tests/drift")
        .map(|entry| {
            entry
                .expect("directory entry")
                .file_name()
                .to_string_lossy()
                .replace('-', "_")
        })
        .collect();
    dirs.sort();
    let mut named: Vec<String> = CASES.iter().map(|c| (*c).to_owned()).collect();
    named.sort();
    assert_eq!(
        dirs, named,
        "add the case to `cases!` (or remove the directory)"
    );
}

#[test]
fn cinder_encryption_properties_json() {
    let json = report("cinder-encryption-properties").to_json();
    let text = serde_json::to_string_pretty(&json).expect("a JSON value prints");
    insta::assert_snapshot!("cinder_encryption_properties_json", text);
}

/// The same schemas with and without the Glance overlay: the overlay's
/// patch support and integer ranges are drift too.
#[test]
fn overlay_changes_are_drift() {
    let case = "cinder-encryption-properties";
    let old = lower(case, "old", &Overlay::empty());
    let new = lower(
        case,
        "old",
        &Overlay::glance().expect("the built-in overlay parses"),
    );
    insta::assert_snapshot!(
        "overlay_changes_are_drift",
        drift::diff(&old, &new).to_text()
    );
}

/// Which cases must fail `--fail-on breaking`: written down separately from
/// the snapshots so that accepting a snapshot cannot change the rule.
#[test]
fn breaking_cases_are_the_expected_ones() {
    let additive_only = [
        "resource-added",
        "property-added",
        "constraints-loosened",
        "descriptions-changed",
        "no-drift",
        "cinder-encryption-properties",
    ];
    for case in CASES.iter().map(|c| c.replace('_', "-")) {
        let report = report(&case);
        let expected = !additive_only.contains(&case.as_str());
        assert_eq!(
            report.has_breaking(),
            expected,
            "{case}:\n{}",
            report.to_text()
        );
    }
}

/// A side compared with itself has no drift, whatever it contains.
#[test]
fn each_side_compared_with_itself_is_empty() {
    let overlay = Overlay::glance().expect("the built-in overlay parses");
    for case in CASES.iter().map(|c| c.replace('_', "-")) {
        for side in ["old", "new"] {
            let api = lower(&case, side, &overlay);
            let report = drift::diff(&api, &api);
            assert!(
                report.items.is_empty(),
                "{case}/{side}:\n{}",
                report.to_text()
            );
        }
    }
}

/// Items come grouped by resource, breaking before additive before docs,
/// and the counts in the JSON summary agree with the items.
#[test]
fn items_are_grouped_and_counted() {
    for case in CASES.iter().map(|c| c.replace('_', "-")) {
        let report = report(&case);
        let keys: Vec<(&str, Class)> = report
            .items
            .iter()
            .map(|i| (i.resource.as_str(), i.class))
            .collect();
        assert!(keys.is_sorted(), "{case}: items out of order: {keys:?}");
        let json = report.to_json();
        for class in [Class::Breaking, Class::Additive, Class::Docs] {
            let listed = json["items"]
                .as_array()
                .expect("items")
                .iter()
                .filter(|item| item["class"] == class.as_str())
                .count();
            assert_eq!(
                json["summary"][class.as_str()],
                listed,
                "{case}: {}",
                class.as_str()
            );
        }
    }
}
