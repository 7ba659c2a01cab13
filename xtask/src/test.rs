//! `cargo xtask test`: the one command that runs every check, as CI does.
//!
//! It checks that the generated code is fresh and the hand-written code
//! formatted, starts the test lab (Keystone, Glance and nova-api) the
//! end-to-end tests need, builds and runs the whole test suite, runs clippy
//! and rustdoc with warnings denied, and stops the lab again whatever
//! happened. Each step says what it does and how long it took, and a
//! summary of the times ends the run.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::cargo::cargo;
use crate::lab::{self, Lab, Running};
use crate::{project_root, regenerate};

pub const USAGE: &str = "\
usage: cargo xtask test [--no-lab]

Runs every check CI runs, in this order, timing each step:
  regenerate --check    the generated crate matches the schemas
  fmt --check           hand-written code is formatted (all but the generated crates)
  lab start             installs the test lab into target/lab/ (once) and starts it:
                        Keystone 30, Glance 33 and nova-api 34 on real tokens
  build tests           cargo test --workspace --all-features --no-fail-fast --no-run
  run tests             the same, four tests at a time in each test
                        binary (RUST_TEST_THREADS overrides it), with
                        CLOUD_IMAGES_LAB_DIR and the URLs set
  clippy                cargo clippy --workspace --all-targets --all-features -- -D warnings
  doc                   cargo doc --workspace --all-features --no-deps, warnings denied
  lab stop

--no-lab  runs without the lab: the end-to-end tests skip outside CI
          and fail in CI (`CI` set).";

/// Tests run at once in each test binary. Measured on two cores with
/// the lab on the same machine: see `xtask/lab/README.md`.
const TEST_THREADS: usize = 4;

pub fn run(args: &[String]) -> Result<(), String> {
    let with_lab = match args {
        [] => true,
        [flag] if flag == "--no-lab" => false,
        _ => return Err(USAGE.to_owned()),
    };
    let mut steps = Steps::default();
    let result = run_steps(&mut steps, with_lab);
    steps.print_summary();
    result
}

fn run_steps(steps: &mut Steps, with_lab: bool) -> Result<(), String> {
    steps.run("regenerate --check", || {
        regenerate::run(&["--check".to_owned()])
    })?;
    steps.run("fmt --check", check_formatting)?;
    if !with_lab {
        return cargo_checks(steps, None);
    }
    let lab = Lab::new(&project_root());
    let mut running = None;
    let started = steps.run("lab start", || {
        running = Some(lab::start(&lab)?);
        Ok(())
    });
    let result = started.and_then(|()| cargo_checks(steps, running.as_ref()));
    let stopped = steps.run("lab stop", || lab::stop(&lab));
    result.and(stopped)
}

fn cargo_checks(steps: &mut Steps, lab: Option<&Running>) -> Result<(), String> {
    let root = project_root();
    // `--no-fail-fast`: one failing test binary does not hide the others.
    let test = ["test", "--workspace", "--all-features", "--no-fail-fast"];
    steps.run("build tests", || {
        run_cargo(&root, &[&test[..], &["--no-run"]].concat(), None)
    })?;
    steps.run("run tests", || run_cargo(&root, &test, lab))?;
    steps.run("clippy", || {
        run_cargo(
            &root,
            &[
                "clippy",
                "--workspace",
                "--all-targets",
                "--all-features",
                "--",
                "-D",
                "warnings",
            ],
            None,
        )
    })?;
    steps.run("doc", || {
        let mut command = cargo();
        command
            .args(["doc", "--workspace", "--all-features", "--no-deps"])
            .current_dir(&root)
            .env("RUSTDOCFLAGS", "-D warnings");
        status(command, "cargo doc --workspace --all-features --no-deps")
    })
}

/// `cargo fmt --check` over every package except the generated ones,
/// which prettyplease formats: the `cloud-images` crate (guarded by
/// `regenerate --check`) and the fixture crate (guarded by the codegen
/// `fixtures` test).
fn check_formatting() -> Result<(), String> {
    let root = project_root();
    let generated = [
        root.join("generated").join("Cargo.toml"),
        root.join("codegen")
            .join("fixture-crate")
            .join("Cargo.toml"),
    ];
    let packages = workspace_packages(&root)?
        .into_iter()
        .filter(|(_, manifest)| !generated.iter().any(|g| Path::new(manifest) == g))
        .map(|(name, _)| name);
    let mut args = vec!["fmt".to_owned(), "--check".to_owned()];
    for name in packages {
        args.push("-p".to_owned());
        args.push(name);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run_cargo(&root, &args, None).map_err(|e| format!("{e}; run `cargo fmt` to fix the formatting"))
}

/// The name and manifest path of every workspace member.
fn workspace_packages(root: &Path) -> Result<Vec<(String, String)>, String> {
    let output = cargo()
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .current_dir(root)
        .output()
        .map_err(|e| format!("could not run cargo metadata: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("cargo metadata printed no JSON: {e}"))?;
    let packages = metadata["packages"]
        .as_array()
        .ok_or("cargo metadata lists no packages")?
        .iter()
        .filter_map(|package| {
            Some((
                package["name"].as_str()?.to_owned(),
                package["manifest_path"].as_str()?.to_owned(),
            ))
        })
        .collect();
    Ok(packages)
}

fn run_cargo(root: &Path, args: &[&str], lab: Option<&Running>) -> Result<(), String> {
    let mut command = cargo();
    command.args(args).current_dir(root);
    if let Some(lab) = lab {
        command
            .env("CLOUD_IMAGES_LAB_DIR", &lab.dir)
            .env("CLOUD_IMAGES_KEYSTONE_URL", &lab.keystone_url)
            .env("CLOUD_IMAGES_GLANCE_URL", &lab.glance_url)
            .env("CLOUD_IMAGES_NOVA_URL", &lab.nova_url)
            .env("CLOUD_IMAGES_GLANCE_STORE_DIR", &lab.glance_store_dir);
        // The end-to-end tests spend most of their time waiting for the
        // lab's servers, so more tests at once than cores pays off; the lab
        // takes concurrent writes since Glance's database is PostgreSQL.
        if std::env::var_os("RUST_TEST_THREADS").is_none() {
            command.env("RUST_TEST_THREADS", TEST_THREADS.to_string());
        }
    }
    status(command, &format!("cargo {}", args.join(" ")))
}

fn status(mut command: std::process::Command, shown: &str) -> Result<(), String> {
    println!("    $ {shown}");
    let status = command
        .status()
        .map_err(|e| format!("could not run `{shown}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{shown}` failed ({status})"))
    }
}

/// The steps run so far, with their times.
#[derive(Default)]
struct Steps {
    done: Vec<(&'static str, Duration, bool)>,
    started: Option<Instant>,
}

impl Steps {
    fn run(
        &mut self,
        name: &'static str,
        step: impl FnOnce() -> Result<(), String>,
    ) -> Result<(), String> {
        let started = Instant::now();
        self.started.get_or_insert(started);
        println!("==> {name}");
        let result = step();
        let took = started.elapsed();
        let outcome = if result.is_ok() { "done" } else { "FAILED" };
        println!("==> {name}: {outcome} in {}", seconds(took));
        self.done.push((name, took, result.is_ok()));
        result
    }

    fn print_summary(&self) {
        let Some(started) = self.started else {
            return;
        };
        println!("\nstep times:");
        for (name, took, ok) in &self.done {
            let mark = if *ok { "" } else { "  (failed)" };
            println!("  {name:<20} {:>8}{mark}", seconds(*took));
        }
        println!("  {:<20} {:>8}", "total", seconds(started.elapsed()));
    }
}

fn seconds(duration: Duration) -> String {
    format!("{:.1} s", duration.as_secs_f64())
}
