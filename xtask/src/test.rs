//! `cargo xtask test`: the one command that runs every check, as CI does.
//!
//! It checks that the generated code is fresh, starts the test lab
//! (Keystone, Glance and nova-api) the end-to-end tests need, runs the whole
//! test suite and clippy, and stops the lab again whatever happened.

use std::path::Path;
use std::process::Command;

use crate::lab::{self, Lab, Running};
use crate::{project_root, regenerate};

pub fn run(args: &[String]) -> Result<(), String> {
    let with_lab = match args {
        [] => true,
        [flag] if flag == "--no-lab" => false,
        _ => return Err("usage: cargo xtask test [--no-lab]".to_owned()),
    };
    println!("==> cargo xtask regenerate --check");
    regenerate::run(&["--check".to_owned()])?;

    if !with_lab {
        return run_cargo_checks(None);
    }
    println!("==> cargo xtask lab start");
    let lab = Lab::new(&project_root());
    let result = lab::start(&lab).and_then(|running| run_cargo_checks(Some(&running)));
    println!("==> cargo xtask lab stop");
    let stopped = lab::stop(&lab);
    result.and(stopped)
}

fn run_cargo_checks(lab: Option<&Running>) -> Result<(), String> {
    let root = project_root();
    cargo(&root, &["test", "--workspace", "--all-features"], lab)?;
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

fn cargo(root: &Path, args: &[&str], lab: Option<&Running>) -> Result<(), String> {
    println!("==> cargo {}", args.join(" "));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(cargo);
    command.args(args).current_dir(root);
    if let Some(lab) = lab {
        command
            .env("CLOUD_IMAGES_LAB_DIR", &lab.dir)
            .env("CLOUD_IMAGES_KEYSTONE_URL", &lab.keystone_url)
            .env("CLOUD_IMAGES_GLANCE_URL", &lab.glance_url)
            .env("CLOUD_IMAGES_NOVA_URL", &lab.nova_url)
            .env("CLOUD_IMAGES_GLANCE_STORE_DIR", &lab.glance_store_dir);
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
