//! The lab's two virtualenvs, installed from PyPI with pinned requirements:
//! `target/lab/venv` (Keystone + Glance + uWSGI) and `target/lab/nova-venv`
//! (nova + uWSGI). Separate venvs keep each tested pin set exactly as it was
//! tested (they disagree on a few shared packages). Both install at once.

use std::fs;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use super::run::{all_at_once, combined, logged, tail};
use super::{Clock, Lab};

/// One venv and the pins it is built from.
struct Venv {
    label: &'static str,
    dir: PathBuf,
    requirements: PathBuf,
    log: PathBuf,
}

impl Venv {
    /// A copy of the requirements the venv was built from, written last.
    fn stamp(&self) -> PathBuf {
        self.dir.join("cloud-images-requirements.txt")
    }

    fn wanted(&self) -> Result<String, String> {
        fs::read_to_string(&self.requirements)
            .map_err(|e| format!("cannot read {}: {e}", self.requirements.display()))
    }

    fn is_current(&self) -> Result<bool, String> {
        let built_from = fs::read_to_string(self.stamp()).ok();
        Ok(built_from == Some(self.wanted()?) && self.dir.join("bin/uwsgi").exists())
    }

    fn install(&self) -> Result<(), String> {
        let wanted = self.wanted()?;
        // From scratch: a venv of other pins, or an interrupted install, must
        // not leak packages into this one.
        if self.dir.exists() {
            fs::remove_dir_all(&self.dir)
                .map_err(|e| format!("cannot remove the old {}: {e}", self.dir.display()))?;
        }
        fs::write(&self.log, "")
            .map_err(|e| format!("cannot write {}: {e}", self.log.display()))?;
        let venv = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&self.dir)
            .output()
            .map_err(|e| format!("cannot run python3: {e}"))?;
        if !venv.status.success() {
            return Err(format!(
                "`python3 -m venv` failed (on Debian: `apt-get install python3-venv`):\n{}",
                tail(&combined(&venv), 20)
            ));
        }
        let pip = self.dir.join("bin/pip");
        let upgrade = [
            "install",
            "--no-input",
            "--upgrade",
            "pip",
            "setuptools",
            "wheel",
        ];
        logged("pip", Command::new(&pip).args(upgrade), &self.log)
            .map_err(|e| self.pip_failed(&e))?;
        logged(
            "pip",
            Command::new(&pip)
                .args(["install", "--no-input", "-r"])
                .arg(&self.requirements),
            &self.log,
        )
        .map_err(|e| self.pip_failed(&e))?;
        fs::write(self.stamp(), wanted)
            .map_err(|e| format!("cannot write {}: {e}", self.stamp().display()))
    }

    fn pip_failed(&self, error: &str) -> String {
        let log = fs::read_to_string(&self.log).unwrap_or_default();
        // A uWSGI that does not compile needs another fix than the network.
        let hint = if log.contains("Python.h") || log.contains("Failed building wheel for uWSGI") {
            "uWSGI did not compile: install gcc and the Python headers \
             (on Debian: `apt-get install gcc python3-dev`)"
        } else if log.contains("No space left on device") {
            "the disk is full"
        } else {
            "is PyPI reachable?"
        };
        format!(
            "could not install the {} pins ({hint}); the whole pip output is in {}:\n{error}",
            self.label,
            self.log.display()
        )
    }
}

/// Installs what is missing or stale, both venvs in parallel.
pub fn ensure_venvs(lab: &Lab, clock: &Clock) -> Result<(), String> {
    let venvs = [
        Venv {
            label: "Keystone 30.0.0 + Glance 33.0.0",
            dir: lab.path("venv"),
            requirements: lab.carried.join("requirements-keystone.txt"),
            log: lab.logs().join("pip-keystone.log"),
        },
        Venv {
            label: "nova 34.0.0",
            dir: lab.path("nova-venv"),
            requirements: lab.carried.join("requirements-nova.txt"),
            log: lab.logs().join("pip-nova.log"),
        },
    ];
    let mut stale = Vec::new();
    for venv in &venvs {
        if venv.is_current()? {
            clock.say(&format!("reusing {} ({})", lab.show(&venv.dir), venv.label));
        } else {
            stale.push(venv);
        }
    }
    if stale.is_empty() {
        return Ok(());
    }
    check_python()?;
    for venv in &stale {
        clock.say(&format!(
            "installing {} into {} (pip output: {})",
            venv.label,
            lab.show(&venv.dir),
            lab.show(&venv.log)
        ));
    }
    all_at_once(stale.iter().map(|venv| {
        move || {
            let begun = Instant::now();
            venv.install()?;
            clock.say(&format!(
                "installed {} in {:.0} s",
                venv.label,
                begun.elapsed().as_secs_f64()
            ));
            Ok(())
        }
    }))
}

/// Fails early, with the fix, when Python cannot make a venv.
fn check_python() -> Result<(), String> {
    let out = Command::new("python3")
        .args([
            "-c",
            "import sys, venv, ensurepip; print(sys.version.split()[0])",
        ])
        .output()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                "python3 was not found on PATH; the lab needs Python 3.11 with its venv module \
                 and headers (on Debian: `apt-get install python3 python3-venv python3-dev gcc`)"
                    .to_owned()
            } else {
                format!("cannot run python3: {e}")
            }
        })?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "python3 has no working venv module (on Debian: `apt-get install python3-venv`):\n{}",
            tail(&combined(&out), 5)
        ))
    }
}
