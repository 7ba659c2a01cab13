//! The Python baseline: `jsonpatch.make_patch`, which python-glanceclient
//! and openstacksdk use to compute image patches, timed in a venv of its own
//! under `target/bench-venv` so that the developer's Python is untouched.

use std::path::Path;
use std::process::Command;

/// Pinned so that runs on different days time the same code.
pub const JSONPATCH: &str = "jsonpatch==1.33";

/// Creates the venv when missing, installs the pinned `jsonpatch`, and runs
/// `xtask/bench/make_patch.py` on the two documents the `patch` bench wrote
/// to `data_dir`. Returns what the script printed.
pub fn run(root: &Path, data_dir: &Path) -> Result<String, String> {
    let venv = root.join("target/bench-venv");
    let python = venv.join("bin/python");
    if !python.exists() {
        let interpreter = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned());
        check(
            Command::new(&interpreter).arg("-m").arg("venv").arg(&venv),
            &format!("{interpreter} -m venv target/bench-venv"),
        )?;
    }
    check(
        Command::new(&python).args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            JSONPATCH,
        ]),
        &format!("pip install {JSONPATCH}"),
    )?;
    let old = data_dir.join("diff-old.json");
    let new = data_dir.join("diff-new.json");
    if !old.exists() || !new.exists() {
        return Err(format!(
            "the patch bench left no documents in {}",
            data_dir.display()
        ));
    }
    let output = Command::new(&python)
        .arg(root.join("xtask/bench/make_patch.py"))
        .arg(&old)
        .arg(&new)
        .output()
        .map_err(|e| format!("could not run make_patch.py: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "make_patch.py failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    String::from_utf8(output.stdout).map_err(|e| format!("make_patch.py printed non-UTF-8: {e}"))
}

fn check(command: &mut Command, what: &str) -> Result<(), String> {
    let status = command
        .status()
        .map_err(|e| format!("could not run `{what}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{what}` failed ({status})"))
    }
}
