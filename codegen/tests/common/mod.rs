//! Helpers shared by the generator's integration tests.

// Each test binary uses only part of this module.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use cloud_images_codegen::{DEFAULT_COMMAND, Options, Overlay, SchemaSource};

/// The workspace root, where `schemas/` and `generated/` live.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the codegen crate sits inside the workspace")
        .to_path_buf()
}

/// The `*.json` files of a directory, sorted by name.
pub fn json_files(dir: &Path) -> Vec<PathBuf> {
    let entries =
        fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    let mut paths: Vec<PathBuf> = entries
        .map(|entry| entry.expect("a readable directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    paths.sort();
    paths
}

/// A schema file, named for error messages and headers by its path
/// relative to the workspace root, as `cargo xtask regenerate` names it.
pub fn source(path: &Path) -> SchemaSource {
    let text =
        fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let relative = path
        .strip_prefix(workspace_root())
        .unwrap_or_else(|_| panic!("{} is outside the workspace", path.display()));
    SchemaSource::new(relative.to_string_lossy().replace('\\', "/"), text)
}

/// The six schemas Glance serves, named `schemas/<name>.json`.
/// The schema files of a folder under the workspace, named as
/// `cargo xtask regenerate` names them.
pub fn folder_sources(folder: &str) -> Vec<SchemaSource> {
    json_files(&workspace_root().join(folder))
        .iter()
        .map(|path| source(path))
        .collect()
}

/// Glance's schemas as `cargo xtask regenerate` reads them: the six of
/// `schemas/`, then the ten of `schemas/metadefs/`, served in that folder.
pub fn real_sources() -> Vec<SchemaSource> {
    let mut sources: Vec<SchemaSource> = json_files(&workspace_root().join("schemas"))
        .iter()
        .map(|path| source(path))
        .collect();
    assert_eq!(
        sources.len(),
        6,
        "schemas/ should hold Glance's six schemas"
    );
    let metadefs: Vec<SchemaSource> = json_files(&workspace_root().join("schemas/metadefs"))
        .iter()
        .map(|path| source(path).in_folder("metadefs"))
        .collect();
    assert_eq!(
        metadefs.len(),
        10,
        "schemas/metadefs/ should hold Glance's ten metadef schemas"
    );
    sources.extend(metadefs);
    sources
}

/// Nova's image schemas, `schemas/compute/*.json`.
#[allow(dead_code, reason = "not every test crate reads Nova's schemas")]
pub fn compute_sources() -> Vec<SchemaSource> {
    json_files(&workspace_root().join("schemas/compute"))
        .iter()
        .map(|path| source(path))
        .collect()
}

/// Settings for schemas that are not Glance's: no overlay.
pub fn plain_options() -> Options {
    Options {
        command: DEFAULT_COMMAND.into(),
        overlay: Overlay::empty(),
        crate_name: "fixture".into(),
    }
}

/// Every generated file must be Rust that parses: the formatter prints what
/// it is given, so nothing else would notice a doc comment that breaks out.
pub fn assert_all_parse(files: &BTreeMap<String, String>, origin: &str) {
    for (path, text) in files {
        if let Err(e) = syn::parse_file(text) {
            panic!("{path} generated from {origin} does not parse as Rust: {e}\n{text}");
        }
    }
}
