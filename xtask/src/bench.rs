//! `cargo xtask bench`: every benchmark of the project in one run, written
//! to `BENCHMARKS.md` side by side with its baseline.
//!
//! The bench binaries (`generated/benches`, `codegen/benches`) time
//! themselves with `xtask/bench/harness.rs` and print stable `BENCH`/`NOTE`
//! lines; Python's `jsonpatch` is timed by `xtask/bench/make_patch.py` in a
//! venv; the compile time of the generated crate is measured with cargo in a
//! target directory of its own. [`report`] turns it all into the markdown.

mod compile;
mod machine;
mod operations;
mod python;
mod report;
mod transfer;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;

use crate::cargo::cargo;
use crate::project_root;

/// The bench binaries `cargo xtask bench` runs, as `cargo bench` arguments.
const BENCH_TARGETS: &[&str] = &[
    "-p",
    "cloud-images",
    "-p",
    "cloud-images-codegen",
    "--bench",
    "documents",
    "--bench",
    "patch",
    "--bench",
    "peers",
    "--bench",
    "generate",
];

/// The parts of a run, which `--only` picks from. Only a run of all of them
/// rewrites `BENCHMARKS.md`; a partial run writes its report to
/// `target/bench-data/BENCHMARKS.partial.md`.
const PARTS: &[&str] = &["micro", "python", "operations", "compile", "transfer"];

pub const USAGE: &str = "\
usage: cargo xtask bench [--only micro,python,operations,compile,transfer]

Times each part side by side with its baseline, in one run, and writes
BENCHMARKS.md (a run of some parts only writes
target/bench-data/BENCHMARKS.partial.md). Takes several minutes; run it on
a quiet machine.
    micro: the Rust bench binaries (decoding, encoding, patches, peers, generator)
    python: jsonpatch.make_patch (needs the documents `micro` writes)
    operations: whole operations of five clients against the lab (real tokens)
    compile: compile time of cloud-images and openstack-types-image
    transfer: a 1 GiB image up and down through both clients, beside curl
CLOUD_IMAGES_BENCH_ROUNDS=N runs each whole operation N times (default 3).";

/// The parts `args` asks for: all of them without `--only`.
fn parts(args: &[String]) -> Result<Vec<&'static str>, String> {
    match args {
        [] => Ok(PARTS.to_vec()),
        [flag, list] if flag == "--only" => {
            let mut chosen = Vec::new();
            for name in list
                .split(',')
                .map(str::trim)
                .filter(|name| !name.is_empty())
            {
                let part = PARTS
                    .iter()
                    .find(|part| **part == name)
                    .ok_or_else(|| format!("unknown part `{name}`\n{USAGE}"))?;
                chosen.push(*part);
            }
            if chosen.is_empty() {
                return Err(USAGE.to_owned());
            }
            Ok(chosen)
        }
        _ => Err(USAGE.to_owned()),
    }
}

/// Keep in step with `REPORT_ENV` and `OUT_DIR_ENV` in `xtask/bench/harness.rs`.
const REPORT_ENV: &str = "CLOUD_IMAGES_BENCH_REPORT";
const OUT_DIR_ENV: &str = "CLOUD_IMAGES_BENCH_OUT";

/// Everything measured, by the names the bench binaries print.
#[derive(Debug, Default)]
pub struct Measurements {
    /// Median nanoseconds per call.
    pub times: BTreeMap<String, f64>,
    /// Facts about the inputs and tools, such as sizes and versions.
    pub notes: BTreeMap<String, String>,
}

#[cfg(test)]
impl Measurements {
    /// Measurements taken in from `lines` of bench output, for the report tests.
    pub fn parsed(lines: &str) -> Measurements {
        let mut m = Measurements::default();
        m.absorb(lines).unwrap();
        m
    }
}

impl Measurements {
    /// Takes in the `BENCH` and `NOTE` lines of a bench's output; other
    /// lines are not ours and are skipped.
    pub fn absorb(&mut self, output: &str) -> Result<(), String> {
        for line in output.lines() {
            if let Some(rest) = line.strip_prefix("BENCH ") {
                let mut fields = rest.split_whitespace();
                let (Some(name), Some(median)) = (fields.next(), fields.next()) else {
                    return Err(format!("malformed bench line `{line}`"));
                };
                let median: f64 = median
                    .parse()
                    .map_err(|e| format!("malformed median in `{line}`: {e}"))?;
                self.times.insert(name.to_owned(), median);
            } else if let Some(rest) = line.strip_prefix("NOTE ") {
                let (name, value) = rest
                    .split_once(' ')
                    .ok_or_else(|| format!("malformed note line `{line}`"))?;
                self.notes.insert(name.to_owned(), value.trim().to_owned());
            }
        }
        Ok(())
    }

    pub fn time(&self, name: &str) -> Option<f64> {
        self.times.get(name).copied()
    }

    pub fn note(&self, name: &str) -> Option<&str> {
        self.notes.get(name).map(String::as_str)
    }
}

pub fn run(args: &[String]) -> Result<(), String> {
    let parts = parts(args)?;
    let started = std::time::Instant::now();
    let root = project_root();
    let machine = machine::Machine::detect(&root);
    let data_dir = root.join("target/bench-data");
    let mut measurements = Measurements::default();

    if parts.contains(&"micro") {
        println!("==> cargo bench {} (report mode)", BENCH_TARGETS.join(" "));
        let output = run_benches(&root, &data_dir)?;
        measurements.absorb(&output)?;
    }

    if parts.contains(&"python") {
        println!("==> Python jsonpatch.make_patch");
        match python::run(&root, &data_dir) {
            Ok(output) => measurements.absorb(&output)?,
            Err(reason) => {
                eprintln!("warning: Python baseline not measured: {reason}");
                measurements.notes.insert("python.error".to_owned(), reason);
            }
        }
    }

    if parts.contains(&"operations") {
        println!("==> whole operations against the lab's Glance");
        if let Err(reason) = operations::run(&root, &mut measurements) {
            eprintln!("warning: whole operations not measured: {reason}");
            measurements.notes.insert("ops.error".to_owned(), reason);
        }
    }

    if parts.contains(&"compile") {
        println!("==> compile time of the generated crate and of openstack-types-image");
        if let Err(reason) = compile::run(&root, &mut measurements) {
            eprintln!("warning: compile time not fully measured: {reason}");
            measurements
                .notes
                .insert("compile.error".to_owned(), reason);
        }
    }

    measurements.notes.insert(
        "run.seconds".to_owned(),
        format!("{:.0}", started.elapsed().as_secs_f64()),
    );
    let mut markdown = report::render(&measurements, &machine);
    if parts.contains(&"transfer") {
        println!("==> image data transfer against a real Glance, beside curl");
        match transfer::run(&root) {
            Ok(section) => {
                markdown = format!("{}\n\n{section}", markdown.trim_end());
            }
            Err(reason) => eprintln!("warning: transfers not measured: {reason}"),
        }
    }
    let path = if parts.len() == PARTS.len() {
        root.join("BENCHMARKS.md")
    } else {
        data_dir.join("BENCHMARKS.partial.md")
    };
    std::fs::create_dir_all(&data_dir)
        .map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
    std::fs::write(&path, &markdown)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!("{}", report::summary(&measurements));
    println!(
        "wrote {}",
        path.strip_prefix(&root).unwrap_or(&path).display()
    );
    Ok(())
}

/// Runs the bench binaries in report mode and returns what they printed.
fn run_benches(root: &Path, data_dir: &Path) -> Result<String, String> {
    let mut command = cargo();
    command
        .arg("bench")
        .args(BENCH_TARGETS)
        .current_dir(root)
        .env(REPORT_ENV, "1")
        .env(OUT_DIR_ENV, data_dir)
        .stderr(Stdio::inherit());
    let output = command
        .output()
        .map_err(|e| format!("could not run cargo bench: {e}"))?;
    if !output.status.success() {
        return Err(format!("cargo bench failed ({})", output.status));
    }
    String::from_utf8(output.stdout).map_err(|e| format!("cargo bench printed non-UTF-8: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absorbs_bench_and_note_lines_and_skips_others() {
        let mut m = Measurements::default();
        m.absorb("Running benches\nBENCH decode.typed.x 1234.5 64 101\nNOTE python.version 3.11.7\nnoise\n")
            .unwrap();
        assert_eq!(m.time("decode.typed.x"), Some(1234.5));
        assert_eq!(m.note("python.version"), Some("3.11.7"));
        assert_eq!(m.times.len(), 1);
        assert_eq!(m.notes.len(), 1);
    }

    #[test]
    fn only_picks_known_parts() {
        let args = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(parts(&[]).unwrap(), PARTS);
        assert_eq!(
            parts(&args(&["--only", "compile,micro"])).unwrap(),
            ["compile", "micro"]
        );
        assert!(
            parts(&args(&["--only", "fast"]))
                .unwrap_err()
                .contains("unknown part `fast`")
        );
        assert!(parts(&args(&["--only"])).is_err());
        assert!(parts(&args(&["--only", ","])).is_err());
    }

    #[test]
    fn rejects_a_bench_line_without_a_number() {
        let mut m = Measurements::default();
        let error = m.absorb("BENCH decode.typed.x fast\n").unwrap_err();
        assert!(error.contains("malformed median"), "{error}");
        assert!(m.absorb("BENCH lonely\n").is_err());
    }
}
