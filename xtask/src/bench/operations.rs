//! Whole operations against the Keystone-backed lab (`cargo xtask lab`), by
//! each client in a process of its own: cloud-images' blocking and async
//! clients (`runtime/examples/bench_workload.rs`), python-glanceclient and
//! openstacksdk (`xtask/bench/workload.py`, pinned in `target/bench-venv`),
//! and gtema's `openstack_sdk` (`xtask/bench/openstack-sdk-workload`). Each
//! logs in with a real Keystone token from the lab's `clouds.yaml`, as its
//! users do. The operating system tells each process's wall time and CPU
//! time (user + sys) through `wait4`; each program reports its own peak
//! resident memory (Linux's `VmHWM`) on a `PEAK_RSS_KIB` line, because
//! `wait4`'s `ru_maxrss` never reports less than the resident size of the
//! process that spawned the child (xtask's, about 10 MiB).
//!
//! Glance and Keystone answer every client alike, so the client's CPU time
//! is the fair figure; the wall time includes the servers' share.

mod clients;
mod rusage;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use super::Measurements;
use crate::lab::{self, Lab};
use clients::Programs;
pub use clients::{CLIENTS, Client, OPENSTACK_SDK, PYTHON_CLIENTS};
use rusage::Usage;

/// Workloads, in the report's order; `noop` is the start-up every other
/// workload includes.
pub const WORKLOADS: &[&str] = &["noop", "list", "patch", "transfer"];

/// Images the bench project owns for the listing, and the size of the
/// transferred file.
pub const LISTED_IMAGES: usize = 2_000;
pub const TRANSFER_BYTES: u64 = 64 << 20;

/// Each workload runs this many times per client, the clients taking turns;
/// the report gives the median of each figure. `CLOUD_IMAGES_BENCH_ROUNDS`
/// overrides it, for a quick look on a busy machine.
const ROUNDS: usize = 3;
const ROUNDS_ENV: &str = "CLOUD_IMAGES_BENCH_ROUNDS";

fn rounds() -> Result<usize, String> {
    match std::env::var(ROUNDS_ENV) {
        Err(_) => Ok(ROUNDS),
        Ok(text) => match text.trim().parse() {
            Ok(rounds) if rounds > 0 => Ok(rounds),
            _ => Err(format!(
                "{ROUNDS_ENV}=`{text}` is not a number of rounds (1 or more)"
            )),
        },
    }
}

/// The lab's cloud whose project holds the bench's images, so that the
/// projects the tests use never list 2,000 of them.
pub const CLOUD: &str = "lab-bench";

pub fn run(root: &Path, measurements: &mut Measurements) -> Result<(), String> {
    let rounds = rounds()?;
    let running = lab::start(&Lab::new(root))?;
    let lab_clouds = running.dir.join("clouds.yaml");
    check_cloud(&lab_clouds)?;
    let programs = Programs::get(root)?;
    let data = root.join("target/bench-data");
    std::fs::create_dir_all(&data).map_err(|e| format!("cannot create {}: {e}", data.display()))?;
    let clouds = data.join("clouds-bench.yaml");
    let text = std::fs::read_to_string(&lab_clouds)
        .map_err(|e| format!("cannot read {}: {e}", lab_clouds.display()))?;
    std::fs::write(&clouds, by_host_name(&text)?)
        .map_err(|e| format!("cannot write {}: {e}", clouds.display()))?;
    let file = transfer_file(&data)?;

    println!("    seeding {LISTED_IMAGES} images in the project of `{CLOUD}` (once per lab)");
    let seeded = output(logged_in(&clouds, programs.rust.as_os_str()).args([
        "blocking",
        "seed",
        CLOUD,
        &LISTED_IMAGES.to_string(),
    ]))?;
    println!("    {seeded}");
    // What a listing returns: the project's images and any public ones.
    let visible = seeded
        .split_whitespace()
        .next()
        .and_then(|count| count.parse::<usize>().ok())
        .ok_or_else(|| format!("the seed said `{seeded}`, not a count"))?;
    let image =
        output(logged_in(&clouds, programs.rust.as_os_str()).args(["blocking", "image", CLOUD]))?;

    let mut samples: Vec<(String, Usage, String)> = Vec::new();
    for round in 1..=rounds {
        println!("    round {round} of {rounds}");
        for workload in WORKLOADS {
            let argument = match *workload {
                "list" => Some(visible.to_string()),
                "patch" => Some(image.clone()),
                "transfer" => Some(file.display().to_string()),
                _ => None,
            };
            for client in CLIENTS.iter().filter(|c| c.workloads.contains(workload)) {
                let key = format!("{workload}.{}", client.key);
                if measurements.notes.contains_key(&failed(&key)) {
                    continue;
                }
                let measured = programs
                    .command(client, workload, CLOUD, argument.as_deref())
                    .and_then(|mut command| measure(login_env(&mut command, &clouds)));
                match measured {
                    Ok((usage, said)) => {
                        println!(
                            "    {workload:<9} {:<14} wall {:>8.3} s  cpu {:>8.3} s  rss {:>7} KiB  ({said})",
                            client.key,
                            usage.wall.as_secs_f64(),
                            usage.cpu.as_secs_f64(),
                            usage.max_rss_kib
                        );
                        samples.push((key, usage, said));
                    }
                    Err(error) => {
                        // One client failing one workload is a finding, not a
                        // reason to drop the others' figures.
                        println!("    {workload:<9} {:<14} FAILED: {error}", client.key);
                        measurements.notes.insert(failed(&key), error);
                    }
                }
            }
        }
    }
    record(measurements, samples);
    let notes = [
        (
            "ops.url",
            running.glance_url.replacen(ADDRESS, HOST_NAME, 1),
        ),
        ("ops.keystone", running.keystone_url),
        ("ops.listed", visible.to_string()),
        ("ops.python", PYTHON_CLIENTS.join(", ")),
        ("ops.rounds", rounds.to_string()),
    ];
    for (name, value) in notes {
        measurements.notes.insert(name.to_owned(), value);
    }
    println!("    the lab keeps running; `cargo xtask lab stop` stops it");
    Ok(())
}

fn failed(key: &str) -> String {
    format!("ops.failed.{key}")
}

/// Records the median of each figure over the rounds a client completed.
/// A client that failed any round has its failure recorded instead.
fn record(measurements: &mut Measurements, samples: Vec<(String, Usage, String)>) {
    let mut by_key: std::collections::BTreeMap<String, Vec<(Usage, String)>> = Default::default();
    for (key, usage, said) in samples {
        by_key.entry(key).or_default().push((usage, said));
    }
    for (key, runs) in by_key {
        if measurements.notes.contains_key(&failed(&key)) {
            continue;
        }
        let median = |figure: fn(&Usage) -> f64| {
            let mut values: Vec<f64> = runs.iter().map(|(usage, _)| figure(usage)).collect();
            values.sort_by(f64::total_cmp);
            values[values.len() / 2]
        };
        let times = [
            ("wall", median(|usage| usage.wall.as_nanos() as f64)),
            ("cpu", median(|usage| usage.cpu.as_nanos() as f64)),
        ];
        for (figure, value) in times {
            measurements
                .times
                .insert(format!("ops.{figure}.{key}"), value);
        }
        let rss = median(|usage| usage.max_rss_kib as f64);
        measurements
            .notes
            .insert(format!("ops.rss.{key}"), format!("{rss:.0}"));
        if let Some((_, said)) = runs.last() {
            measurements
                .notes
                .insert(format!("ops.said.{key}"), said.clone());
        }
    }
}

/// Fails with what to do when the lab's identity data predates the bench's
/// project (it is created when the lab bootstraps from fresh data).
fn check_cloud(clouds: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(clouds)
        .map_err(|e| format!("cannot read {}: {e}", clouds.display()))?;
    if text.lines().any(|line| line == format!("  {CLOUD}:")) {
        Ok(())
    } else {
        Err(format!(
            "{} has no cloud `{CLOUD}`: the lab's identity data is older than the bench project; \
             run `cargo xtask lab stop --purge` and start the bench again",
            clouds.display()
        ))
    }
}

/// How the lab's catalog names its servers in `RegionOne`, and in
/// `RegionTwo` (see `xtask/lab/README.md`).
const ADDRESS: &str = "127.0.0.1";
const HOST_NAME: &str = "localhost";

/// The lab's `clouds.yaml` with the bench's cloud in `RegionTwo`, whose
/// catalog names the same Glance as `localhost` rather than `127.0.0.1`.
///
/// gtema's SDK rebuilds Glance's relative `next` link (`/v2/images?marker=`)
/// from the endpoint URL's domain name, and an address has none
/// (`url::Url::domain` is `None`), so against `RegionOne` it fails after the
/// first page. Every client reads `region_name` from `clouds.yaml`, so all
/// of them still talk to the one Glance, by the same URL; the lab itself and
/// the other clouds stay as they are.
fn by_host_name(clouds: &str) -> Result<String, String> {
    let mut in_bench = false;
    let mut moved = false;
    let mut out = String::with_capacity(clouds.len());
    for line in clouds.lines() {
        // A cloud's name is the only line indented by exactly two spaces.
        if line.starts_with("  ") && !line.starts_with("   ") {
            in_bench = line == format!("  {CLOUD}:");
        }
        if in_bench && line == "    region_name: RegionOne" {
            out.push_str("    region_name: RegionTwo\n");
            moved = true;
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    if moved {
        Ok(out)
    } else {
        Err(format!(
            "the cloud `{CLOUD}` of the lab's clouds.yaml has no `region_name: RegionOne` to move"
        ))
    }
}

/// `program`, set up to log in from the lab's `clouds.yaml`.
fn logged_in(clouds: &Path, program: &std::ffi::OsStr) -> Command {
    let mut command = Command::new(program);
    login_env(&mut command, clouds);
    command
}

/// Points `command` at the lab's `clouds.yaml` (every client reads
/// `OS_CLIENT_CONFIG_FILE`, or is handed it) and removes the caller's other
/// `OS_*` variables, which would change what some clients log in with.
fn login_env<'a>(command: &'a mut Command, clouds: &Path) -> &'a mut Command {
    for (name, _) in std::env::vars_os() {
        if name.to_str().is_some_and(|name| name.starts_with("OS_")) {
            command.env_remove(&name);
        }
    }
    command.env("OS_CLIENT_CONFIG_FILE", clouds)
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

/// Runs `command` to the end and returns what its `OK` line said.
fn output(command: &mut Command) -> Result<String, String> {
    let out = command
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("could not run {command:?}: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "{command:?} failed ({}): {}",
            out.status,
            stdout.trim()
        ));
    }
    said(&stdout)
}

/// The text after `OK ` on the line a workload prints when it succeeds.
fn said(stdout: &str) -> Result<String, String> {
    stdout
        .lines()
        .find_map(|line| line.strip_prefix("OK "))
        .map(str::to_owned)
        .ok_or_else(|| format!("printed no OK line: {}", stdout.trim()))
}

/// Runs `command` as a child, and returns its usage and the `OK` line it printed.
fn measure(command: &mut Command) -> Result<(Usage, String), String> {
    let start = Instant::now();
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("could not start: {e}"))?;
    let mut stdout = String::new();
    if let Some(mut pipe) = child.stdout.take() {
        pipe.read_to_string(&mut stdout)
            .map_err(|e| format!("cannot read its output: {e}"))?;
    }
    let (status, usage) = rusage::wait(child.id())?;
    let wall = start.elapsed();
    if status != 0 {
        let last = stdout.lines().last().unwrap_or("").trim().to_owned();
        return Err(if last.is_empty() {
            format!("exited with status {status}")
        } else {
            last
        });
    }
    let max_rss_kib = peak_rss(&stdout)?;
    Ok((
        Usage {
            wall,
            max_rss_kib,
            ..usage
        },
        said(&stdout)?,
    ))
}

/// The peak resident memory a workload reported for itself, in KiB.
fn peak_rss(stdout: &str) -> Result<u64, String> {
    stdout
        .lines()
        .find_map(|line| line.strip_prefix("PEAK_RSS_KIB "))
        .and_then(|kib| kib.trim().parse().ok())
        .filter(|kib| *kib > 0)
        .ok_or_else(|| "reported no peak memory (PEAK_RSS_KIB, from /proc/self/status)".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ok_line_is_what_a_workload_said() {
        assert_eq!(
            said("noise\nOK 2000 images in 10 pages\n").unwrap(),
            "2000 images in 10 pages"
        );
        assert!(said("Traceback\nHTTPInternalServerError: 500\n").is_err());
    }

    #[test]
    fn the_peak_memory_is_what_the_workload_reported() {
        assert_eq!(peak_rss("OK 200 updates\nPEAK_RSS_KIB 5120\n"), Ok(5120));
        assert!(peak_rss("OK 200 updates\n").is_err());
        assert!(peak_rss("OK noop\nPEAK_RSS_KIB 0\n").is_err());
    }

    #[test]
    fn every_client_has_a_program() {
        let programs = Programs::for_tests();
        for client in CLIENTS {
            for workload in client.workloads {
                let command = programs
                    .command(client, workload, CLOUD, Some("the-argument"))
                    .unwrap();
                let args: Vec<_> = command.get_args().collect();
                let at = |wanted: &str| args.iter().position(|arg| *arg == wanted);
                let (Some(w), Some(c), Some(a)) = (at(workload), at(CLOUD), at("the-argument"))
                else {
                    panic!("{} {workload}: {command:?}", client.key);
                };
                assert!(w < c && c < a, "{} {workload}: {command:?}", client.key);
                assert_eq!(
                    at("noverify").is_some(),
                    client.key.ends_with("-noverify"),
                    "{command:?}"
                );
            }
        }
    }

    #[test]
    fn the_bench_cloud_alone_moves_to_the_region_named_by_host_name() {
        let lab = "clouds:\n  lab-alpha:\n    auth:\n      auth_url: \"http://127.0.0.1:1/v3\"\n    \
                   region_name: RegionOne\n  lab-bench:\n    auth:\n      username: bench\n    \
                   region_name: RegionOne\n    interface: public\n";
        let moved = by_host_name(lab).unwrap();
        assert_eq!(
            moved,
            lab.replacen(
                "bench\n    region_name: RegionOne",
                "bench\n    region_name: RegionTwo",
                1
            )
        );
        assert!(moved.contains("  lab-alpha:\n    auth:\n      auth_url: \"http://127.0.0.1:1/v3\"\n    region_name: RegionOne"));
        assert!(by_host_name("clouds:\n  lab-alpha:\n    region_name: RegionOne\n").is_err());
    }
}
