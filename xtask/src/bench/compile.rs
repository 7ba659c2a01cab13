//! How long the generated crate takes to compile, alone: its dependencies
//! are built first and left alone, then `cargo clean -p cloud-images` and a
//! timed rebuild, a few times, in `target/bench-build` so that the
//! developer's own target directory is never cleaned.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use super::{Measurements, cargo};

const REPEATS: usize = 3;
const PACKAGE: &str = "cloud-images";

pub fn run(root: &Path, measurements: &mut Measurements) -> Result<(), String> {
    let target = root.join("target/bench-build");
    for (profile, flags) in [("debug", &[][..]), ("release", &["--release"][..])] {
        build(root, &target, flags)?;
        // A build with nothing to do is cargo's own start-up and fingerprint
        // checks, which every timed rebuild below includes.
        let noop = build(root, &target, flags)?;
        let mut times = Vec::with_capacity(REPEATS);
        for _ in 0..REPEATS {
            clean(root, &target, flags)?;
            times.push(build(root, &target, flags)?);
        }
        times.sort();
        let median = times[REPEATS / 2];
        println!(
            "    {profile}: {:.2} s (cargo alone: {:.2} s)",
            median.as_secs_f64(),
            noop.as_secs_f64()
        );
        measurements
            .times
            .insert(format!("compile.{profile}"), nanos(median));
        measurements
            .times
            .insert(format!("compile.noop.{profile}"), nanos(noop));
    }
    measurements
        .notes
        .insert("compile.repeats".to_owned(), REPEATS.to_string());
    let (files, lines) = generated_lines(&root.join("generated/src"))?;
    measurements
        .notes
        .insert("generated.files".to_owned(), files.to_string());
    measurements
        .notes
        .insert("generated.lines".to_owned(), lines.to_string());
    Ok(())
}

fn nanos(duration: Duration) -> f64 {
    duration.as_nanos() as f64
}

fn build(root: &Path, target: &Path, flags: &[&str]) -> Result<Duration, String> {
    let start = Instant::now();
    cargo_in(root, target, "build", flags)?;
    Ok(start.elapsed())
}

fn clean(root: &Path, target: &Path, flags: &[&str]) -> Result<(), String> {
    cargo_in(root, target, "clean", flags)
}

fn cargo_in(root: &Path, target: &Path, subcommand: &str, flags: &[&str]) -> Result<(), String> {
    let mut command: Command = cargo();
    command
        .args([subcommand, "--quiet", "-p", PACKAGE])
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
            "`cargo {subcommand} -p {PACKAGE} {}` failed ({status})",
            flags.join(" ")
        ))
    }
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
