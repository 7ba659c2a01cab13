//! Whole operations against one real Glance, by each client in a process of
//! its own: cloud-images' blocking client (`runtime/examples/bench_workload.rs`),
//! python-glanceclient and openstacksdk (`xtask/bench/workload.py`, pinned
//! in `target/bench-venv`). The operating system tells each process's wall
//! time, CPU time (user + sys) and peak resident memory (`wait4`'s rusage).
//!
//! Glance answers every client alike, so the client's CPU time is the fair
//! figure; the wall time includes Glance's share.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{Measurements, cargo};

/// The Python clients, pinned so that runs on different days time the same code.
pub const PYTHON_CLIENTS: &[&str] = &["python-glanceclient==4.13.0", "openstacksdk==4.22.0"];

/// Clients by the name the report uses.
pub const CLIENTS: &[&str] = &["cloud-images", "glanceclient", "openstacksdk"];

/// Workloads, in the report's order; `noop` is the start-up every other
/// workload includes.
pub const WORKLOADS: &[&str] = &["noop", "list", "patch", "transfer"];

/// Images in the listed project, and the size of the transferred file.
pub const LISTED_IMAGES: usize = 2_000;
pub const TRANSFER_BYTES: u64 = 64 << 20;

const LIST_PROJECT: &str = "cloud-images-bench-list";
const PATCH_PROJECT: &str = "cloud-images-bench-patch";
const TRANSFER_PROJECT: &str = "cloud-images-bench-transfer";

/// The Glance the workloads run against and how to reach it. Today the
/// header-identity Glance of `cargo xtask glance start` (identity in
/// `X-Project-Id` and friends, which each client sends); a Keystone-backed
/// lab would give a token here instead, and the clients would send it.
pub struct Target {
    pub url: String,
}

/// Starts (or finds) the header-identity Glance and returns its URL.
fn target() -> Result<Target, String> {
    crate::glance::run(&["start".to_owned()])?;
    Ok(Target {
        url: crate::glance::endpoint()?,
    })
}

/// What one process cost.
#[derive(Debug, Clone, Copy)]
pub struct Usage {
    pub wall: Duration,
    pub cpu: Duration,
    /// Peak resident set size, in KiB.
    pub max_rss_kib: u64,
}

pub fn run(root: &Path, measurements: &mut Measurements) -> Result<(), String> {
    let target = target()?;
    let python = super::python::venv(root, PYTHON_CLIENTS)?;
    let rust = build_rust_client(root)?;
    let data = root.join("target/bench-data");
    std::fs::create_dir_all(&data).map_err(|e| format!("cannot create {}: {e}", data.display()))?;
    let file = transfer_file(&data)?;
    let script = root.join("xtask/bench/workload.py");

    println!("    seeding {LISTED_IMAGES} images (once per Glance)");
    let seeded = output(Command::new(&rust).args([
        "seed",
        &target.url,
        LIST_PROJECT,
        &LISTED_IMAGES.to_string(),
    ]))?;
    println!("    {seeded}");
    let image = output(Command::new(&rust).args(["image", &target.url, PATCH_PROJECT]))?;
    let image = image.trim_start_matches("OK ").trim().to_owned();

    for workload in WORKLOADS {
        let (project, argument): (&str, Option<String>) = match *workload {
            "list" => (LIST_PROJECT, None),
            "patch" => (PATCH_PROJECT, Some(image.clone())),
            "transfer" => (TRANSFER_PROJECT, Some(file.display().to_string())),
            _ => (PATCH_PROJECT, None),
        };
        for client in CLIENTS {
            let mut command = if *client == "cloud-images" {
                Command::new(&rust)
            } else {
                let mut command = Command::new(&python);
                command.arg(&script).arg(client);
                command
            };
            command
                .args([workload, target.url.as_str(), project])
                .args(argument.iter());
            let key = format!("{workload}.{client}");
            let (usage, said) = match measure(&mut command) {
                Ok(measured) => measured,
                Err(error) => {
                    // One client failing one workload is a finding, not a
                    // reason to drop the others' figures.
                    println!("    {workload:<9} {client:<13} FAILED: {error}");
                    measurements
                        .notes
                        .insert(format!("ops.failed.{key}"), error);
                    continue;
                }
            };
            println!(
                "    {workload:<9} {client:<13} wall {:>8.3} s  cpu {:>8.3} s  rss {:>7} KiB  ({said})",
                usage.wall.as_secs_f64(),
                usage.cpu.as_secs_f64(),
                usage.max_rss_kib
            );
            measurements
                .times
                .insert(format!("ops.wall.{key}"), usage.wall.as_nanos() as f64);
            measurements
                .times
                .insert(format!("ops.cpu.{key}"), usage.cpu.as_nanos() as f64);
            measurements
                .notes
                .insert(format!("ops.rss.{key}"), usage.max_rss_kib.to_string());
            measurements.notes.insert(format!("ops.said.{key}"), said);
        }
    }
    measurements.notes.insert("ops.url".to_owned(), target.url);
    measurements
        .notes
        .insert("ops.python".to_owned(), PYTHON_CLIENTS.join(", "));
    Ok(())
}

/// Builds the Rust workload in release mode and returns its path.
fn build_rust_client(root: &Path) -> Result<PathBuf, String> {
    let status = cargo()
        .args([
            "build",
            "--quiet",
            "--release",
            "-p",
            "cloud-images-runtime",
        ])
        .args(["--features", "blocking", "--example", "bench_workload"])
        .current_dir(root)
        .status()
        .map_err(|e| format!("could not run cargo build: {e}"))?;
    if !status.success() {
        return Err(format!(
            "building the bench_workload example failed ({status})"
        ));
    }
    let target_dir =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    Ok(target_dir.join("release/examples/bench_workload"))
}

/// A file of [`TRANSFER_BYTES`] for every client to upload, written once.
fn transfer_file(dir: &Path) -> Result<PathBuf, String> {
    let path = dir.join("upload-64MiB.bin");
    if std::fs::metadata(&path).map(|m| m.len()).ok() != Some(TRANSFER_BYTES) {
        // Not all zeros, so that nothing on the way can shortcut it; written
        // a block at a time, so that this process stays small: a child's
        // peak RSS can include the parent's pages between fork and exec.
        let block: Vec<u8> = (0..1u32 << 20)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
            .collect();
        let mut file = std::fs::File::create(&path)
            .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        for _ in 0..TRANSFER_BYTES / block.len() as u64 {
            file.write_all(&block)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
    }
    Ok(path)
}

/// Runs `command` to the end and returns what it printed.
fn output(command: &mut Command) -> Result<String, String> {
    let out = command
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("could not run {command:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!("{command:?} failed ({})", out.status));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Runs `command` as a child, and returns its usage and the `OK` line it printed.
fn measure(command: &mut Command) -> Result<(Usage, String), String> {
    let start = Instant::now();
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("could not start: {e}"))?;
    let mut said = String::new();
    if let Some(mut stdout) = child.stdout.take() {
        stdout
            .read_to_string(&mut said)
            .map_err(|e| format!("cannot read its output: {e}"))?;
    }
    let (status, usage) = rusage::wait(child.id())?;
    let wall = start.elapsed();
    if status != 0 {
        let last = said.lines().last().unwrap_or("").trim().to_owned();
        return Err(format!(
            "exited with status {status}{}",
            if last.is_empty() {
                String::new()
            } else {
                format!(": {last}")
            }
        ));
    }
    let said = said
        .lines()
        .find_map(|line| line.strip_prefix("OK "))
        .ok_or_else(|| format!("printed no OK line: {said}"))?
        .to_owned();
    Ok((Usage { wall, ..usage }, said))
}

/// `wait4(2)`, which reports the resources a child used; the standard
/// library's `Child::wait` does not.
#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
mod rusage {
    use std::time::Duration;

    use super::Usage;

    #[repr(C)]
    struct Timeval {
        seconds: i64,
        microseconds: i64,
    }

    /// `struct rusage` as 64-bit Linux lays it out.
    #[repr(C)]
    struct Rusage {
        user: Timeval,
        system: Timeval,
        max_rss_kib: i64,
        /// The other counters, which the bench does not read.
        rest: [i64; 13],
    }

    unsafe extern "C" {
        fn wait4(pid: i32, status: *mut i32, options: i32, usage: *mut Rusage) -> i32;
    }

    fn duration(time: &Timeval) -> Duration {
        Duration::from_secs(time.seconds.max(0) as u64)
            + Duration::from_micros(time.microseconds.max(0) as u64)
    }

    /// Waits for the child `pid` and returns its raw wait status (0 when it
    /// exited with 0) and its usage; the wall time is left for the caller.
    pub fn wait(pid: u32) -> Result<(i32, Usage), String> {
        let pid = i32::try_from(pid).map_err(|_| format!("pid {pid} out of range"))?;
        let mut status = 0;
        let mut usage = Rusage {
            user: Timeval {
                seconds: 0,
                microseconds: 0,
            },
            system: Timeval {
                seconds: 0,
                microseconds: 0,
            },
            max_rss_kib: 0,
            rest: [0; 13],
        };
        // SAFETY: `status` and `usage` are writable and laid out as the
        // kernel expects; `pid` is a child of this process not yet waited for.
        let waited = unsafe { wait4(pid, &mut status, 0, &mut usage) };
        if waited != pid {
            return Err(format!("wait4 failed: {}", std::io::Error::last_os_error()));
        }
        Ok((
            status,
            Usage {
                wall: Duration::ZERO,
                cpu: duration(&usage.user) + duration(&usage.system),
                max_rss_kib: usage.max_rss_kib.max(0) as u64,
            },
        ))
    }
}

#[cfg(not(all(target_os = "linux", target_pointer_width = "64")))]
mod rusage {
    use super::Usage;

    pub fn wait(_: u32) -> Result<(i32, Usage), String> {
        Err("whole-operation benchmarks read rusage with wait4, on 64-bit Linux only".to_owned())
    }
}
