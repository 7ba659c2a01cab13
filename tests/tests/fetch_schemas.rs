//! `cargo xtask fetch-schemas` against the lab's Glance: the sixteen schemas
//! (six at the top, ten under `metadefs/`) are written, a second fetch changes no byte, and they are the schemas the
//! project generates from (as JSON values).
//!
//! Needs the test lab (`cargo xtask lab start`); it logs in as alice, once
//! with a token on the command line and once through `--cloud lab-alpha`
//! and the lab's `clouds.yaml`, as a user with a real cloud would.

#[path = "../../xtask/src/cargo.rs"]
#[allow(dead_code)]
mod clean_cargo;

use std::fs;
use std::path::{Path, PathBuf};

use cloud_images_tests::{Lab, OWNER};
use serde_json::Value;

/// Each schema's path under the output folder, without `.json`.
const SCHEMAS: [&str; 16] = [
    "image",
    "images",
    "member",
    "members",
    "task",
    "tasks",
    "metadefs/namespace",
    "metadefs/namespaces",
    "metadefs/object",
    "metadefs/objects",
    "metadefs/property",
    "metadefs/properties",
    "metadefs/resource_type",
    "metadefs/resource_types",
    "metadefs/tag",
    "metadefs/tags",
];

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate sits in the workspace")
        .to_path_buf()
}

fn fetch(url: &str, token: &str, out: &Path) -> String {
    fetch_with(&["--url", url, "--token", token], &[], out)
}

/// Runs `cargo xtask fetch-schemas ARGS --out OUT` with `env` added.
fn fetch_with(args: &[&str], env: &[(&str, &Path)], out: &Path) -> String {
    // The user's environment, not this test's: cargo's variables for the
    // tests crate would make the inner cargo rebuild ring and everything
    // above it, in the workspace's own target.
    let mut command = clean_cargo::cargo();
    command
        .current_dir(workspace_root())
        .args(["xtask", "fetch-schemas"])
        .args(args)
        .arg("--out")
        .arg(out);
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().expect("cargo runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "fetch-schemas failed ({}):\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

fn read_all(dir: &Path) -> Vec<(String, Vec<u8>)> {
    SCHEMAS
        .iter()
        .map(|name| {
            let path = dir.join(format!("{name}.json"));
            let bytes = fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            ((*name).to_owned(), bytes)
        })
        .collect()
}

#[test]
fn fetched_schemas_are_stable_and_match_the_checked_in_ones() {
    let Some(lab) = Lab::find("fetched_schemas_are_stable_and_match_the_checked_in_ones") else {
        return;
    };
    let (url, token) = (lab.glance_url(), lab.token(OWNER));
    let out = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("fetch-schemas-{}", std::process::id()));
    let _ = fs::remove_dir_all(&out);

    let first_run = fetch(&url, &token, &out);
    let first = read_all(&out);
    assert_eq!(
        first_run
            .lines()
            .filter(|l| l.starts_with("wrote "))
            .count(),
        SCHEMAS.len(),
        "{first_run}"
    );

    let second_run = fetch(&url, &token, &out);
    assert_eq!(read_all(&out), first, "a second fetch changed bytes");
    assert_eq!(
        second_run
            .lines()
            .filter(|l| l.starts_with("unchanged "))
            .count(),
        SCHEMAS.len(),
        "{second_run}"
    );

    let checked_in = workspace_root().join("schemas");
    for (name, bytes) in &first {
        let fetched: Value =
            serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let path = checked_in.join(format!("{name}.json"));
        let expected: Value =
            serde_json::from_str(&fs::read_to_string(&path).expect("checked-in schema"))
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(
            fetched,
            expected,
            "{name}.json differs from {}",
            path.display()
        );
    }
    let _ = fs::remove_dir_all(&out);
}

#[test]
fn fetch_schemas_logs_in_from_clouds_yaml() {
    let Some(lab) = Lab::find("fetch_schemas_logs_in_from_clouds_yaml") else {
        return;
    };
    let clouds = lab.dir.join("clouds.yaml");
    let out = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("fetch-schemas-cloud-{}", std::process::id()));
    let _ = fs::remove_dir_all(&out);

    let run = fetch_with(
        &["--cloud", "lab-alpha"],
        &[("OS_CLIENT_CONFIG_FILE", &clouds)],
        &out,
    );
    assert_eq!(
        run.lines().filter(|l| l.starts_with("wrote ")).count(),
        SCHEMAS.len(),
        "{run}"
    );
    let checked_in = workspace_root().join("schemas");
    for (name, bytes) in read_all(&out) {
        let fetched: Value =
            serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let expected: Value = serde_json::from_slice(
            &fs::read(checked_in.join(format!("{name}.json"))).expect("checked-in schema"),
        )
        .expect("checked-in JSON");
        assert_eq!(fetched, expected, "{name}.json through --cloud");
    }
    let _ = fs::remove_dir_all(&out);
}
