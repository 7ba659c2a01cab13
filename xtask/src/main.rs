//! Project commands, run through the `cargo xtask` alias in `.cargo/config.toml`.
//!
//! Each command lives in its own module with its `USAGE` and its `run`;
//! this file only dispatches, and answers `--help` for all of them.

mod bench;
mod cargo;
mod diff_schemas;
#[cfg(feature = "http")]
mod fetch_schemas;
mod lab;
mod regenerate;
mod test;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command> [--help]

commands:
  regenerate [--check] [--schemas DIR] [--out DIR]
                      rewrite the generated crate from the schemas
  test [--no-lab]     every check CI runs: fresh generated code, formatting,
                      the whole test suite against the lab, clippy, docs
  lab start|stop [--purge]|status
                      the test lab on 127.0.0.1: Keystone 30, Glance 33 and
                      nova-api 34, all on real tokens
  bench [--only PARTS]
                      time decoding, encoding, patching, the generator, the
                      generated crate's compile time, whole operations and
                      image data transfers against their baselines; writes
                      BENCHMARKS.md
  diff-schemas <old-dir> <new-dir> [--format text|json] [--fail-on breaking]
                      report what a schema change means for users of the crate
  fetch-schemas --url URL [--token T] [--header 'Name: value']... [--out DIR]
                      download the schemas a Glance serves (images, metadefs) (default: schemas/)

`cargo xtask <command> --help` says more about each.
";

type Run = fn(&[String]) -> Result<(), String>;

/// Every command: its name, its help text and what runs it.
const COMMANDS: &[(&str, &str, Run)] = &[
    ("regenerate", regenerate::USAGE, regenerate::run),
    ("test", test::USAGE, test::run),
    ("lab", lab::USAGE, lab::run),
    ("bench", bench::USAGE, bench::run),
    ("diff-schemas", diff_schemas::USAGE, diff_schemas::run),
    #[cfg(feature = "http")]
    ("fetch-schemas", fetch_schemas::USAGE, fetch_schemas::run),
    #[cfg(not(feature = "http"))]
    ("fetch-schemas", FETCH_WITHOUT_HTTP, |_| {
        Err(FETCH_WITHOUT_HTTP.to_owned())
    }),
];

#[cfg(not(feature = "http"))]
const FETCH_WITHOUT_HTTP: &str = "fetch-schemas needs xtask's `http` feature (on by default)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(name) = args.first().map(String::as_str) else {
        print!("{USAGE}");
        return ExitCode::SUCCESS;
    };
    if matches!(name, "help" | "--help" | "-h") {
        print!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let Some((_, usage, run)) = COMMANDS.iter().find(|(known, _, _)| *known == name) else {
        eprintln!("error: unknown command `{name}`\n\n{USAGE}");
        return ExitCode::FAILURE;
    };
    let rest = &args[1..];
    if rest.iter().any(|arg| arg == "--help" || arg == "-h") {
        println!("{usage}");
        return ExitCode::SUCCESS;
    }
    match run(rest) {
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
