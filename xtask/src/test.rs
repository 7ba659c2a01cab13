//! `cargo xtask test`: the one command that runs every check, as CI does.
//!
//! It checks that the generated code is fresh, starts the real Glance the
//! end-to-end tests need, runs the whole test suite and clippy, and stops
//! Glance again whatever happened.

use std::path::Path;
use std::process::Command;

use crate::{glance, project_root, regenerate};

pub fn run(args: &[String]) -> Result<(), String> {
    let with_glance = match args {
        [] => true,
        [flag] if flag == "--no-glance" => false,
        _ => return Err("usage: cargo xtask test [--no-glance]".to_owned()),
    };
    println!("==> cargo xtask regenerate --check");
    regenerate::run(&["--check".to_owned()])?;

    if !with_glance {
        return run_cargo_checks(None);
    }
    println!("==> cargo xtask glance start");
    glance::run(&["start".to_owned()])?;
    let endpoint = std::fs::read_to_string(project_root().join("target/glance/endpoint"))
        .map_err(|e| format!("Glance started but left no endpoint file: {e}"))?;
    let result = run_cargo_checks(Some(endpoint.trim()));
    println!("==> cargo xtask glance stop");
    let stopped = glance::run(&["stop".to_owned()]);
    result.and(stopped)
}

fn run_cargo_checks(glance_url: Option<&str>) -> Result<(), String> {
    let root = project_root();
    cargo(
        &root,
        &["test", "--workspace", "--all-features"],
        glance_url,
    )?;
    cargo(
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
}

fn cargo(root: &Path, args: &[&str], glance_url: Option<&str>) -> Result<(), String> {
    println!("==> cargo {}", args.join(" "));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(cargo);
    command.args(args).current_dir(root);
    if let Some(url) = glance_url {
        command.env("CLOUD_IMAGES_GLANCE_URL", url);
    }
    let status = command
        .status()
        .map_err(|e| format!("could not run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`cargo {}` failed ({status})", args.join(" ")))
    }
}
