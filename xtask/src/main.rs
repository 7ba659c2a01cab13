//! Project commands, run through the `cargo xtask` alias in `.cargo/config.toml`.
//!
//! Each command lives in its own module; this file only dispatches.

mod bench;
mod diff_schemas;
mod fetch_schemas;
mod glance;
mod regenerate;
mod test;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  regenerate [--check] [--schemas DIR] [--out DIR]
                      rewrite the generated crate from the schemas
  test [--no-glance]  every check CI runs: fresh generated code, the whole
                      test suite against a real Glance, and clippy
  glance start|stop|status
                      run a real Glance 33.0.0 on 127.0.0.1 for the tests
  bench [transfer]    time decoding, encoding, patching, the generator and the
                      generated crate's compile time against their baselines,
                      and image data through both clients against a real Glance
                      beside curl; writes BENCHMARKS.md (`transfer`: only the
                      image data section)
  diff-schemas <old-dir> <new-dir> [--format text|json] [--fail-on breaking]
                      report what a schema change means for users of the crate
  fetch-schemas --url URL [--token T] [--header 'Name: value']... [--out DIR]
                      download the six schemas a Glance serves (default: schemas/)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("regenerate") => regenerate::run(&args[1..]),
        Some("glance") => glance::run(&args[1..]),
        Some("test") => test::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("diff-schemas") => diff_schemas::run(&args[1..]),
        Some("fetch-schemas") => fetch_schemas::run(&args[1..]),
        Some("help" | "--help" | "-h") | None => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root, found from this crate's manifest so that the commands
/// work from any directory.
pub fn project_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}
