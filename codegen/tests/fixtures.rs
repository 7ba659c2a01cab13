//! One small schema per construct under `tests/fixtures/`, each with its own
//! snapshot named after the file. Adding a fixture needs no code.

mod common;

use std::collections::BTreeMap;
use std::fmt::Write;

use cloud_images_codegen::generate;

use common::{assert_all_parse, json_files, plain_options, source, workspace_root};

/// The generated files worth reading for one fixture: the support template
/// does not depend on the schema, so it is left out.
fn snapshot_text(files: &BTreeMap<String, String>) -> String {
    let mut text = String::new();
    for (path, contents) in files.iter().filter(|(path, _)| *path != "src/support.rs") {
        let _ = writeln!(text, "// ===== {path} =====");
        text.push_str(contents);
        text.push('\n');
    }
    text
}

#[test]
fn every_fixture_matches_its_snapshot() {
    let dir = workspace_root().join("codegen/tests/fixtures");
    let paths = json_files(&dir);
    assert!(
        paths.len() >= 12,
        "expected the fixture corpus in {}",
        dir.display()
    );
    for path in paths {
        let source = source(&path);
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("a UTF-8 file name")
            .to_owned();
        assert!(
            stem.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "fixture names are kebab-case: {stem}"
        );
        let files = generate(std::slice::from_ref(&source), &plain_options())
            .unwrap_or_else(|e| panic!("fixture {} must generate: {e}", source.file));
        assert_all_parse(&files, &source.file);
        insta::with_settings!({ input_file => &path, omit_expression => true }, {
            insta::assert_snapshot!(stem, snapshot_text(&files));
        });
    }
}

/// The command that rewrites the fixture crate, named in its headers.
const BLESS: &str = "CLOUD_IMAGES_BLESS=1 cargo test -p cloud-images-codegen --test fixtures";

/// Every fixture, generated together into `codegen/fixture-crate`, a member
/// of the workspace: the output for each construct is compiled, linted and
/// tested by the same cargo invocation that builds everything else, sharing
/// its target directory, rather than only parsed. The crate's overlay makes
/// one fixture patchable, so that builders, `diff` and create bodies of a
/// schema other than Glance's are compiled too.
#[test]
fn fixture_crate_is_up_to_date() {
    let root = workspace_root();
    let crate_dir = root.join("codegen/fixture-crate");
    let sources: Vec<_> = json_files(&root.join("codegen/tests/fixtures"))
        .iter()
        .map(|path| source(path))
        .collect();
    let overlay_text = std::fs::read_to_string(crate_dir.join("overlay.json"))
        .expect("the fixture crate's overlay");
    let options = cloud_images_codegen::Options {
        command: BLESS.to_owned(),
        overlay: cloud_images_codegen::Overlay::parse(&overlay_text)
            .unwrap_or_else(|e| panic!("{e}")),
        crate_name: "cloud_images_fixtures".to_owned(),
    };
    let files = generate(&sources, &options)
        .unwrap_or_else(|e| panic!("the fixtures must generate together: {e}"));
    let bless = std::env::var_os("CLOUD_IMAGES_BLESS").is_some();
    let mut stale = Vec::new();
    for (path, text) in &files {
        let on_disk = crate_dir.join(path);
        if std::fs::read_to_string(&on_disk).is_ok_and(|old| old == *text) {
            continue;
        }
        stale.push(path.clone());
        if bless {
            std::fs::create_dir_all(on_disk.parent().expect("src/")).expect("creating src/");
            std::fs::write(&on_disk, text)
                .unwrap_or_else(|e| panic!("writing {}: {e}", on_disk.display()));
        }
    }
    for entry in std::fs::read_dir(crate_dir.join("src")).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        let relative = format!(
            "src/{}",
            path.file_name().expect("a file name").to_string_lossy()
        );
        let generated =
            std::fs::read_to_string(&path).is_ok_and(|text| text.starts_with("// @generated"));
        if generated && !files.contains_key(&relative) {
            stale.push(format!("{relative} (no longer generated)"));
            if bless {
                std::fs::remove_file(&path).expect("removing an orphan");
            }
        }
    }
    assert!(
        bless || stale.is_empty(),
        "codegen/fixture-crate is stale ({}); run `{BLESS}`",
        stale.join(", ")
    );
}
