//! Crates generated from schemas other than the checked-in ones compile,
//! pass clippy with `-D warnings` and get no doctest from schema text.
//!
//! Each schema set is turned into a standalone crate by the real command,
//! `cargo xtask regenerate --schemas DIR --out DIR`, and built with cargo:
//! the Glance without `schema-image.json` and the Rackspace-like cloud from
//! `codegen/tests/clouds/`, and the hostile set from `codegen/tests/hostile/`
//! whose text tries to break out of comments, literals and docs.
//!
//! The crates share one target directory, `target/generated-crates/target`,
//! so only the generated code itself is rebuilt on later runs.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate sits inside the workspace")
        .to_path_buf()
}

fn shared_target_dir() -> PathBuf {
    workspace_root().join("target/generated-crates/target")
}

/// Runs cargo and returns what it printed, or fails the test with it.
fn cargo(args: &[&str], dir: &Path) -> String {
    let started = Instant::now();
    let output = Command::new(env!("CARGO"))
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", shared_target_dir())
        // Lints come from the command line only, never from the outer build.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .unwrap_or_else(|e| panic!("cannot run cargo: {e}"));
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "`cargo {}` in {} failed ({}):\n{printed}",
        args.join(" "),
        dir.display(),
        output.status
    );
    eprintln!(
        "cargo {} in {}: {:.1?}",
        args.join(" "),
        dir.display(),
        started.elapsed()
    );
    printed
}

/// Writes the crate for `schemas` into `out` with `cargo xtask regenerate`.
fn regenerate(schemas: &str, out: &Path) {
    let root = workspace_root();
    // xtask keeps an existing manifest as hand-written; a fresh one is
    // what a user of `--out` gets.
    let manifest = out.join("Cargo.toml");
    if manifest.exists() {
        fs::remove_file(&manifest)
            .unwrap_or_else(|e| panic!("cannot remove {}: {e}", manifest.display()));
    }
    let out_arg = out.to_string_lossy();
    cargo(
        &[
            "run",
            "--quiet",
            "-p",
            "xtask",
            "--",
            "regenerate",
            "--schemas",
            schemas,
            "--out",
            &out_arg,
        ],
        &root,
    );
    // Pin the dependencies to the workspace's versions, which are already
    // downloaded and built, instead of resolving them afresh.
    let lock = out.join("Cargo.lock");
    if !lock.exists() {
        fs::copy(root.join("Cargo.lock"), &lock)
            .unwrap_or_else(|e| panic!("cannot seed {}: {e}", lock.display()));
    }
}

/// `cargo check`, clippy with every feature and `-D warnings`, and the
/// doctest list: text from a schema must never become a doctest, which
/// `cargo test` would compile and run.
fn build(out: &Path) {
    cargo(&["check", "--quiet"], out);
    cargo(
        &[
            "clippy",
            "--quiet",
            "--all-targets",
            "--all-features",
            "--",
            "-D",
            "warnings",
        ],
        out,
    );
    let listed = cargo(&["test", "--quiet", "--doc", "--", "--list"], out);
    let from_schemas: Vec<&str> = listed
        .lines()
        .filter(|line| line.ends_with(": test") || line.ends_with(": compile"))
        .filter(|line| !line.starts_with("src/support.rs") && !line.starts_with("src/patch.rs"))
        .collect();
    assert!(
        from_schemas.is_empty(),
        "doc text generated from schemas became doctests:\n{}",
        from_schemas.join("\n")
    );
}

fn generate_and_build(schemas: &str, out: &Path) {
    let started = Instant::now();
    regenerate(schemas, out);
    for module in ["lib", "image"] {
        let path = out.join("src").join(format!("{module}.rs"));
        assert!(
            path.exists(),
            "{} was not generated from {schemas}",
            path.display()
        );
    }
    build(out);
    eprintln!(
        "{schemas}: generated and built in {:.1?}",
        started.elapsed()
    );
}

#[test]
fn glance_without_schema_image_compiles() {
    let out = workspace_root().join("target/generated-crates/glance-without-schema-image");
    generate_and_build("codegen/tests/clouds/glance-without-schema-image", &out);
}

/// A test placed inside the generated Rackspace-like crate: its custom
/// properties, whose names are not identifiers, travel under their JSON
/// keys in both directions, and patch paths use the keys too.
const RACKSPACE_WIRE_TEST: &str = r##"
use rackspace_like::{Image, ImageAutoDiskConfig, ImagePatch, PatchMediaType};
use serde_json::json;

#[test]
fn rackspace_keys_round_trip() {
    let sent = json!({
        "id": "6c1d6a4f-0f5e-4d0b-9b3a-0c7f7a1e2d3c",
        "com.rackspace__1__build_core": "1",
        "com.rackspace__1__visible_core": null,
        "org.openstack__1__os_distro": "org.debian",
        "auto_disk_config": "disabled",
        "vm_mode": "hvm",
        "disk_format": "vhd",
        "com.rackspace__1__source": "import",
        "os_glance_import_task": "kept"
    });
    let image: Image = serde_json::from_value(sent.clone()).expect("decodes");
    assert_eq!(image.com_rackspace_1_build_core, Some(Some("1".to_owned())));
    assert_eq!(image.com_rackspace_1_visible_core, Some(None));
    assert_eq!(image.org_openstack_1_os_distro.as_deref(), Some("org.debian"));
    assert_eq!(image.auto_disk_config, Some(ImageAutoDiskConfig::Disabled));
    assert!(image.com_rackspace_1_source.as_ref().is_some_and(|s| s.is_known()));
    assert_eq!(image.additional_properties.len(), 1, "only the undeclared key is left over");
    assert_eq!(serde_json::to_value(&image).expect("encodes"), sent);

    let patch = ImagePatch::builder()
        .add_com_rackspace_1_build_core(Some("1"))
        .replace_org_openstack_1_os_distro("com.example")
        .remove_com_rackspace_1_options()
        .build()
        .expect("a valid patch");
    assert_eq!(
        patch.to_body(PatchMediaType::V2_1),
        json!([
            {"op": "add", "path": "/com.rackspace__1__build_core", "value": "1"},
            {"op": "replace", "path": "/org.openstack__1__os_distro", "value": "com.example"},
            {"op": "remove", "path": "/com.rackspace__1__options"}
        ])
    );
    let refused = ImagePatch::builder().replace_org_openstack_1_os_distro("not reverse dns").build();
    assert!(refused.is_err(), "the schema's pattern is checked");
}
"##;

#[test]
fn rackspace_like_cloud_compiles_and_keeps_its_keys() {
    let out = workspace_root().join("target/generated-crates/rackspace-like");
    generate_and_build("codegen/tests/clouds/rackspace-like", &out);
    let test = out.join("tests/wire_names.rs");
    fs::create_dir_all(out.join("tests"))
        .unwrap_or_else(|e| panic!("cannot create {}/tests: {e}", out.display()));
    fs::write(&test, RACKSPACE_WIRE_TEST)
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", test.display()));
    let printed = cargo(&["test", "--quiet", "--test", "wire_names"], &out);
    assert!(
        printed.contains("1 passed"),
        "the wire test did not run:\n{printed}"
    );
}

/// The hostile set's text ends up in docs, string literals and names; the
/// crate must still be exactly the generated items (checked in
/// `codegen/tests/hostile.rs`) and compile.
#[test]
fn hostile_schemas_compile() {
    let out = workspace_root().join("target/hostile-crate");
    generate_and_build("codegen/tests/hostile", &out);
}
