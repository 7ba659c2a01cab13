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
