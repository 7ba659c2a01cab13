//! `cargo xtask fetch-schemas` against a real Glance: the six schemas are
//! written, a second fetch changes no byte, and they are the schemas the
//! project generates from (as JSON values).
//!
//! Needs `CLOUD_IMAGES_GLANCE_URL` (start a server with
//! `cargo xtask glance start`).

#[path = "../../xtask/src/cargo.rs"]
#[allow(dead_code)]
mod clean_cargo;

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

const URL_ENV: &str = "CLOUD_IMAGES_GLANCE_URL";
const SCHEMAS: [&str; 6] = ["image", "images", "member", "members", "task", "tasks"];
/// The identity Glance trusts without Keystone (its `headerauth` pipeline).
const IDENTITY: [&str; 4] = [
    "X-Identity-Status: Confirmed",
    "X-Project-Id: 6f1c4e5a9b2d4c7e8f0a1b2c3d4e5f60",
    "X-User-Id: 0a1b2c3d4e5f46a7b8c9d0e1f2a3b4c5",
    "X-Roles: member,reader",
];

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate sits in the workspace")
        .to_path_buf()
}

fn fetch(url: &str, out: &Path) -> String {
    // The user's environment, not this test's: cargo's variables for the
    // tests crate would make the inner cargo rebuild ring and everything
    // above it, in the workspace's own target.
    let mut command = clean_cargo::cargo();
    command
        .current_dir(workspace_root())
        .args(["xtask", "fetch-schemas", "--url", url, "--out"])
        .arg(out);
    for header in IDENTITY {
        command.args(["--header", header]);
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
    let Ok(url) = std::env::var(URL_ENV) else {
        if std::env::var_os("CI").is_some() {
            panic!(
                "{URL_ENV} is not set: CI must start Glance (`cargo xtask glance start`) and export it"
            );
        }
        eprintln!(
            "skipped: set {URL_ENV} to a Glance endpoint; start one with `cargo xtask glance start`"
        );
        return;
    };
    let out = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("fetch-schemas-{}", std::process::id()));
    let _ = fs::remove_dir_all(&out);

    let first_run = fetch(&url, &out);
    let first = read_all(&out);
    assert_eq!(
        first_run
            .lines()
            .filter(|l| l.starts_with("wrote "))
            .count(),
        6,
        "{first_run}"
    );

    let second_run = fetch(&url, &out);
    assert_eq!(read_all(&out), first, "a second fetch changed bytes");
    assert_eq!(
        second_run
            .lines()
            .filter(|l| l.starts_with("unchanged "))
            .count(),
        6,
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
