//! The generator, in-process: the six schemas Glance serves into the
//! crate's source text, then each schema file on its own.
//!
//! Timed from the schema texts already in memory to formatted Rust source,
//! including parsing the overlay, as `cargo xtask regenerate` does it minus
//! the file system and cargo.
//!
//! `cargo bench -p cloud-images-codegen --bench generate` runs divan;
//! `cargo xtask bench` runs the same function for its report.

#[path = "../../xtask/bench/harness.rs"]
mod harness;

#[global_allocator]
static ALLOCATOR: harness::CountingAllocator = harness::CountingAllocator;

use std::collections::BTreeMap;
use std::path::Path;

use cloud_images_codegen::{Options, SchemaSource};
use divan::{Bencher, black_box};

/// Every `*.json` file of the project's `schemas/`, in name order, named as
/// `cargo xtask regenerate` names them.
fn schemas() -> Vec<SchemaSource> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|path| {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default();
            let text = std::fs::read_to_string(path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            SchemaSource::new(format!("schemas/{name}"), text)
        })
        .collect()
}

fn generate(sources: &[SchemaSource]) -> BTreeMap<String, String> {
    let options = Options::glance().expect("the built-in overlay parses");
    cloud_images_codegen::generate(sources, &options)
        .unwrap_or_else(|e| panic!("the project's schemas generate: {e}"))
}

/// The schema's file stem, as the report names it.
fn stem(source: &SchemaSource) -> &str {
    source
        .file
        .trim_start_matches("schemas/")
        .trim_end_matches(".json")
}

#[divan::bench]
fn all_schemas(bencher: Bencher) {
    let sources = schemas();
    bencher.bench(|| generate(black_box(&sources)));
}

fn schema_names() -> Vec<String> {
    schemas()
        .iter()
        .map(|source| stem(source).to_owned())
        .collect()
}

#[divan::bench(args = schema_names())]
fn one_schema(bencher: Bencher, name: &str) {
    let sources: Vec<SchemaSource> = schemas().into_iter().filter(|s| stem(s) == name).collect();
    bencher.bench(|| generate(black_box(&sources)));
}

fn report() {
    let sources = schemas();
    let files = generate(&sources);
    harness::note("generate.schemas", sources.len());
    harness::note("generate.files", files.len());
    harness::bench("generate.all", || generate(black_box(&sources)));
    for source in &sources {
        let one = std::slice::from_ref(source);
        harness::bench(&format!("generate.one.{}", stem(source)), || {
            generate(black_box(one))
        });
    }
}

fn main() {
    if harness::report_requested() {
        report();
    } else {
        divan::main();
    }
}
