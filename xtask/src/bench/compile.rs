//! How long the generated crate takes to compile, alone, beside gtema's
//! `openstack-types-image`: each crate's dependencies are built first and
//! left alone, then `cargo clean -p <crate>` and a timed rebuild, a few
//! times, in `target/bench-build` so that the developer's own target
//! directory is never cleaned.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use super::Measurements;
use crate::cargo::cargo;

/// The crates timed, each with the prefix of its measurements and how many
/// timed rebuilds give its median: ours, and gtema's image types, whose
/// rebuild takes minutes on 2 cores and is timed once.
const PACKAGES: &[(&str, &str, usize)] = &[
    ("cloud-images", "compile", 3),
    ("openstack-types-image", "compile.gtema", 1),
];

pub fn run(root: &Path, measurements: &mut Measurements) -> Result<(), String> {
    let target = root.join("target/bench-build");
    for (package, prefix, repeats) in PACKAGES {
        // Ours builds in the workspace. gtema's crate is only a dev-dependency
        // there, and `cargo build -p` of a dev-dependency makes cargo panic,
        // so it builds as the one dependency of a crate of its own.
        let root = &if *package == PACKAGES[0].0 {
            root.to_path_buf()
        } else {
            probe_crate(root, &target, package)?
        };
        for (profile, flags) in [("debug", &[][..]), ("release", &["--release"][..])] {
            build(root, &target, package, flags)?;
            // A build with nothing to do is cargo's own start-up and fingerprint
            // checks, which every timed rebuild below includes.
            let noop = build(root, &target, package, flags)?;
            let mut times = Vec::with_capacity(*repeats);
            for _ in 0..*repeats {
                cargo_in(root, &target, "clean", package, flags)?;
                times.push(build(root, &target, package, flags)?);
            }
            times.sort();
            let median = times[repeats / 2];
            println!(
                "    {package} {profile}: {:.2} s (cargo alone: {:.2} s)",
                median.as_secs_f64(),
                noop.as_secs_f64()
            );
            measurements
                .times
                .insert(format!("{prefix}.{profile}"), nanos(median));
            measurements
                .times
                .insert(format!("{prefix}.noop.{profile}"), nanos(noop));
        }
    }
    measurements
        .notes
        .insert("compile.repeats".to_owned(), PACKAGES[0].2.to_string());
    measurements.notes.insert(
        "compile.gtema.repeats".to_owned(),
        PACKAGES[1].2.to_string(),
    );
    let (files, lines) = generated_lines(&root.join("generated/src"))?;
    measurements
        .notes
        .insert("generated.files".to_owned(), files.to_string());
    measurements
        .notes
        .insert("generated.lines".to_owned(), lines.to_string());
    if let Some(source) = registry_source("openstack-types-image-0.22.8") {
        let (files, lines) = rust_lines(&source)?;
        measurements
            .notes
            .insert("gtema.files".to_owned(), files.to_string());
        measurements
            .notes
            .insert("gtema.lines".to_owned(), lines.to_string());
    }
    Ok(())
}

/// An empty crate in `target` that depends on `package` at the version the
/// workspace's lock file holds (the version the benches compare with).
fn probe_crate(root: &Path, target: &Path, package: &str) -> Result<std::path::PathBuf, String> {
    let dir = target.join(format!("probe-{package}"));
    let write = |path: std::path::PathBuf, text: &str| {
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    std::fs::create_dir_all(dir.join("src"))
        .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    write(
        dir.join("Cargo.toml"),
        &format!(
            "[package]\nname = \"compile-probe\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\n{package} = \"=0.22.8\"\n\n[workspace]\n"
        ),
    )?;
    write(dir.join("src/lib.rs"), "")?;
    let lock = std::fs::read_to_string(root.join("Cargo.lock"))
        .map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    write(dir.join("Cargo.lock"), &lock)?;
    Ok(dir)
}

fn nanos(duration: Duration) -> f64 {
    duration.as_nanos() as f64
}

fn build(root: &Path, target: &Path, package: &str, flags: &[&str]) -> Result<Duration, String> {
    let start = Instant::now();
    cargo_in(root, target, "build", package, flags)?;
    Ok(start.elapsed())
}

fn cargo_in(
    root: &Path,
    target: &Path,
    subcommand: &str,
    package: &str,
    flags: &[&str],
) -> Result<(), String> {
    let mut command: Command = cargo();
    command
        .args([subcommand, "--quiet", "-p", package])
        .args(flags)
        .current_dir(root)
        .env("CARGO_TARGET_DIR", target);
    let status = command
        .status()
        .map_err(|e| format!("could not run cargo {subcommand}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "`cargo {subcommand} -p {package} {}` failed ({status})",
            flags.join(" ")
        ))
    }
}

/// Where cargo unpacked a crate from crates.io (`name-version`).
fn registry_source(crate_dir: &str) -> Option<std::path::PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cargo")))?;
    let registries = std::fs::read_dir(home.join("registry/src")).ok()?;
    registries
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.path().join(crate_dir).join("src"))
        .find(|path| path.is_dir())
}

/// The number of `*.rs` files under `dir`, at any depth, and their lines.
fn rust_lines(dir: &Path) -> Result<(usize, usize), String> {
    let (mut files, mut lines) = generated_lines(dir)?;
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for path in entries.filter_map(|entry| entry.ok().map(|entry| entry.path())) {
        if path.is_dir() {
            let (more_files, more_lines) = rust_lines(&path)?;
            files += more_files;
            lines += more_lines;
        }
    }
    Ok((files, lines))
}

/// The number of `*.rs` files in `dir` and their lines.
fn generated_lines(dir: &Path) -> Result<(usize, usize), String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut files = 0;
    let mut lines = 0;
    for path in entries.filter_map(|entry| entry.ok().map(|entry| entry.path())) {
        if path.extension().is_some_and(|ext| ext == "rs") {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            files += 1;
            lines += text.lines().count();
        }
    }
    Ok((files, lines))
}
