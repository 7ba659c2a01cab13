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
mod python;
mod report;
mod transfer;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};

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
    "generate",
];

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

/// Marks the transfer section in BENCHMARKS.md, so that
/// `cargo xtask bench transfer` can rewrite it alone.
const TRANSFER_BEGIN: &str = "<!-- transfer: begin -->";
const TRANSFER_END: &str = "<!-- transfer: end -->";

pub fn run(args: &[String]) -> Result<(), String> {
    match args {
        [] => run_all(),
        [only] if only == "transfer" => run_transfer_only(),
        _ => Err("usage: cargo xtask bench [transfer]".to_owned()),
    }
}

fn transfer_section(root: &Path) -> Result<String, String> {
    let section = transfer::run(root)?;
    Ok(format!("{TRANSFER_BEGIN}\n{section}{TRANSFER_END}\n"))
}

/// Measures only the image data transfers and puts their section into
/// BENCHMARKS.md, keeping the rest as the last full run wrote it.
fn run_transfer_only() -> Result<(), String> {
    let root = project_root();
    let section = transfer_section(&root)?;
    let path = root.join("BENCHMARKS.md");
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    let updated = match (current.find(TRANSFER_BEGIN), current.find(TRANSFER_END)) {
        (Some(begin), Some(end)) if begin < end => format!(
            "{}{section}{}",
            &current[..begin],
            &current[end + TRANSFER_END.len()..].trim_start_matches('\n')
        ),
        _ => format!("{}\n{section}", current.trim_end()),
    };
    std::fs::write(&path, updated).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!("wrote the transfer section of BENCHMARKS.md");
    Ok(())
}

fn run_all() -> Result<(), String> {
    let started = std::time::Instant::now();
    let root = project_root();
    let machine = machine::Machine::detect(&root);
    let data_dir = root.join("target/bench-data");
    let mut measurements = Measurements::default();

    println!("==> cargo bench {} (report mode)", BENCH_TARGETS.join(" "));
    let output = run_benches(&root, &data_dir)?;
    measurements.absorb(&output)?;

    println!("==> Python jsonpatch.make_patch");
    match python::run(&root, &data_dir) {
        Ok(output) => measurements.absorb(&output)?,
        Err(reason) => {
            eprintln!("warning: Python baseline not measured: {reason}");
            measurements.notes.insert("python.error".to_owned(), reason);
        }
    }

    println!("==> compile time of the generated crate");
    compile::run(&root, &mut measurements)?;

    measurements.notes.insert(
        "run.seconds".to_owned(),
        format!("{:.0}", started.elapsed().as_secs_f64()),
    );
    println!("==> image data transfer against the real Glance");
    let transfer = transfer_section(&root)?;
    let markdown = format!(
        "{}\n{transfer}",
        report::render(&measurements, &machine).trim_end()
    );
    let path = root.join("BENCHMARKS.md");
    std::fs::write(&path, &markdown)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!("{}", report::summary(&measurements));
    println!("wrote BENCHMARKS.md");
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

/// The cargo that runs this command, so that the toolchain is the same.
fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
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
    fn rejects_a_bench_line_without_a_number() {
        let mut m = Measurements::default();
        let error = m.absorb("BENCH decode.typed.x fast\n").unwrap_err();
        assert!(error.contains("malformed median"), "{error}");
        assert!(m.absorb("BENCH lonely\n").is_err());
    }
}
