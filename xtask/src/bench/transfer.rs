//! Image data through both clients against the real Glance on loopback:
//! upload then download of a 1 GiB image, with and without verification,
//! beside `curl` moving the same bytes to and from the same Glance in the
//! same run; the peak memory of each client process; and the bulk tagging
//! job of `runtime/examples/bulk_tag.rs`, concurrent against sequential.
//!
//! Each transfer runs `runtime/examples/transfer.rs` as its own process,
//! so that its peak RSS (`VmHWM`) is that of one client moving one image.

use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::glance;

const SIZE: u64 = 1 << 30;
const RSS_TARGET_KIB: u64 = 64 * 1024;
const CURL_RATIO_TARGET: f64 = 0.9;
const BULK_IMAGES: &str = "500";
const BULK_CONCURRENCY: &str = "16";
/// The identity Glance trusts for the bench (no Keystone on the test server).
const IDENTITY: [&str; 4] = [
    "X-Identity-Status: Confirmed",
    "X-Project-Id: bench",
    "X-User-Id: bench",
    "X-Roles: member,reader",
];

/// One timed transfer.
struct Run {
    label: String,
    seconds: f64,
    bytes: u64,
    peak_rss_kib: Option<u64>,
    verified: Option<bool>,
}

impl Run {
    fn mib_per_s(&self) -> f64 {
        self.bytes as f64 / (1024.0 * 1024.0) / self.seconds
    }
}

/// Runs the transfer benchmarks and returns their section of BENCHMARKS.md.
pub fn run(root: &Path) -> Result<String, String> {
    let endpoint_file = root.join("target/glance/endpoint");
    let already_running = glance::run(&["status".to_owned()]).is_ok();
    if !already_running {
        glance::run(&["start".to_owned()])?;
    }
    let result = measure(root, &endpoint_file);
    if !already_running {
        let _ = glance::run(&["stop".to_owned()]);
    }
    result
}

fn measure(root: &Path, endpoint_file: &Path) -> Result<String, String> {
    let url = fs::read_to_string(endpoint_file)
        .map_err(|e| format!("no Glance endpoint file: {e}"))?
        .trim()
        .to_owned();
    let load_before = load_average();
    println!("==> building the transfer and bulk examples (release)");
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
        .args([
            "build",
            "--release",
            "-p",
            "cloud-images-runtime",
            "--all-features",
        ])
        .args(["--example", "transfer", "--example", "bulk_tag"])
        .current_dir(root)
        .status()
        .map_err(|e| format!("could not run cargo: {e}"))?;
    if !status.success() {
        return Err("building the bench examples failed".to_owned());
    }
    let examples = root.join("target/release/examples");
    let transfer = examples.join("transfer");
    let file = data_file(root)?;
    let file_arg = file.to_string_lossy().into_owned();

    let mut uploads = Vec::new();
    let mut downloads = Vec::new();
    let mut images = Vec::new();

    println!("==> curl upload and download, 1 GiB");
    let curl_id = create(&transfer, &url)?;
    images.push(curl_id.clone());
    uploads.push(curl_upload(&url, &curl_id, &file)?);
    downloads.push(curl_download(&url, &curl_id)?);

    for client in ["blocking", "async"] {
        for verify in ["verify", "noverify"] {
            println!("==> {client} client, {verify}, upload and download, 1 GiB");
            let id = create(&transfer, &url)?;
            images.push(id.clone());
            let label = format!(
                "{client}, {}",
                if verify == "verify" {
                    "verified"
                } else {
                    "not verified"
                }
            );
            uploads.push(client_run(
                &transfer,
                &label,
                &["upload", client, verify, &url, &id, &file_arg],
            )?);
            downloads.push(client_run(
                &transfer,
                &label,
                &["download", client, verify, &url, &id],
            )?);
        }
    }
    for id in &images {
        let _ = Command::new(&transfer).args(["delete", &url, id]).status();
    }

    println!(
        "==> bulk job: tag {BULK_IMAGES} images, sequential then {BULK_CONCURRENCY} at a time"
    );
    let bulk = Command::new(examples.join("bulk_tag"))
        .args([BULK_IMAGES, BULK_CONCURRENCY])
        .env("CLOUD_IMAGES_GLANCE_URL", &url)
        .output()
        .map_err(|e| format!("could not run bulk_tag: {e}"))?;
    let bulk_text = String::from_utf8_lossy(&bulk.stdout).into_owned();
    if !bulk.status.success() {
        return Err(format!(
            "bulk_tag failed: {}",
            String::from_utf8_lossy(&bulk.stderr)
        ));
    }
    let sequential = field(&bulk_text, "sequential_s").ok_or("bulk_tag printed no sequential_s")?;
    let concurrent = field(&bulk_text, "concurrent_s").ok_or("bulk_tag printed no concurrent_s")?;

    let load_after = load_average();
    Ok(render(
        &uploads,
        &downloads,
        sequential,
        concurrent,
        &load_before,
        &load_after,
    ))
}

/// 1 GiB of bytes no disk format inspector mistakes for a format, written
/// once and reused.
fn data_file(root: &Path) -> Result<PathBuf, String> {
    let dir = root.join("target/bench-data");
    fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let path = dir.join("transfer-1gib.img");
    if fs::metadata(&path).is_ok_and(|m| m.len() == SIZE) {
        return Ok(path);
    }
    let mut file = std::io::BufWriter::new(
        fs::File::create(&path).map_err(|e| format!("cannot create {}: {e}", path.display()))?,
    );
    let block: Vec<u8> = (0..1024 * 1024u32).map(|n| (n % 251) as u8).collect();
    for _ in 0..SIZE / block.len() as u64 {
        file.write_all(&block)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    file.flush().map_err(|e| e.to_string())?;
    Ok(path)
}

fn create(transfer: &Path, url: &str) -> Result<String, String> {
    let out = Command::new(transfer)
        .args(["create", url])
        .output()
        .map_err(|e| format!("could not run the transfer example: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "creating an image failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn client_run(transfer: &Path, label: &str, args: &[&str]) -> Result<Run, String> {
    let out = Command::new(transfer)
        .args(args)
        .output()
        .map_err(|e| format!("could not run the transfer example: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "{label} {}: {}{}",
            args[0],
            text,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(Run {
        label: label.to_owned(),
        seconds: field(&text, "seconds").ok_or_else(|| format!("no seconds in `{text}`"))?,
        bytes: field(&text, "bytes").ok_or_else(|| format!("no bytes in `{text}`"))? as u64,
        peak_rss_kib: field(&text, "peak_rss_kib").map(|kib| kib as u64),
        verified: text
            .contains("verified=true")
            .then_some(true)
            .or(Some(false)),
    })
}

fn curl(args: &[&str]) -> Result<String, String> {
    let mut command = Command::new("curl");
    command.args(["-sS", "--fail"]);
    for header in IDENTITY {
        command.args(["-H", header]);
    }
    let out = command
        .args(args)
        .output()
        .map_err(|e| format!("could not run curl: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "curl failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn curl_upload(url: &str, id: &str, file: &Path) -> Result<Run, String> {
    let target = format!("{url}/v2/images/{id}/file");
    let file = file.to_string_lossy();
    let text = curl(&[
        "-X",
        "PUT",
        "-H",
        "Content-Type: application/octet-stream",
        "-T",
        &file,
        "-o",
        "/dev/null",
        "-w",
        "%{time_total} %{size_upload}",
        &target,
    ])?;
    curl_run(&text)
}

fn curl_download(url: &str, id: &str) -> Result<Run, String> {
    let target = format!("{url}/v2/images/{id}/file");
    let text = curl(&[
        "-o",
        "/dev/null",
        "-w",
        "%{time_total} %{size_download}",
        &target,
    ])?;
    curl_run(&text)
}

fn curl_run(text: &str) -> Result<Run, String> {
    let mut fields = text.split_whitespace();
    let seconds = fields
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("curl printed `{text}`"))?;
    let bytes = fields
        .next()
        .and_then(|s| s.parse::<f64>().ok())
        .ok_or_else(|| format!("curl printed `{text}`"))?;
    Ok(Run {
        label: "curl".to_owned(),
        seconds,
        bytes: bytes as u64,
        peak_rss_kib: None,
        verified: None,
    })
}

/// `name=value` from a `RESULT` line.
fn field(text: &str, name: &str) -> Option<f64> {
    let line = text
        .lines()
        .rev()
        .find(|line| line.starts_with("RESULT "))?;
    line.split_whitespace()
        .find_map(|pair| pair.strip_prefix(&format!("{name}=")))?
        .parse()
        .ok()
}

fn load_average() -> String {
    fs::read_to_string("/proc/loadavg")
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|_| "unknown".to_owned())
}

fn render(
    uploads: &[Run],
    downloads: &[Run],
    sequential: f64,
    concurrent: f64,
    before: &str,
    after: &str,
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## Image data transfer\n");
    let _ = writeln!(
        out,
        "A 1 GiB image uploaded, then downloaded, through each client against the real Glance on \
         loopback, beside `curl` moving the same file to and from the same Glance in the same run. \
         Each client run is its own process; *peak RSS* is its `VmHWM` (target ≤ 64 MiB). \
         *÷ curl* is the client's throughput over curl's (target ≥ 0.9). Every upload, curl's \
         included, starts about a second late: uWSGI sends no `100 Continue`, and all three wait for \
         an early refusal before sending the body. Glance hashes and writes every byte itself, so it \
         bounds all the rows. Load average (1, 5, 15 min) before: {before}; after: {after} — \
         the 2 cores are shared with other work, so rows differ by noise too.\n"
    );
    for (what, runs) in [("upload", uploads), ("download", downloads)] {
        let curl = runs
            .iter()
            .find(|run| run.label == "curl")
            .map(Run::mib_per_s);
        let _ = writeln!(out, "### {what}\n");
        let _ = writeln!(
            out,
            "| client | MiB/s | ÷ curl | target | peak RSS | target | verified |"
        );
        let _ = writeln!(out, "|---|---|---|---|---|---|---|");
        for run in runs {
            let ratio = curl
                .filter(|_| run.label != "curl")
                .map(|curl| run.mib_per_s() / curl);
            let ratio_cell = ratio.map_or("—".to_owned(), |r| format!("{r:.2}"));
            let ratio_met = ratio.map_or("—", |r| {
                if r >= CURL_RATIO_TARGET {
                    "met"
                } else {
                    "**missed**"
                }
            });
            let rss = run.peak_rss_kib.map_or("—".to_owned(), |kib| {
                format!("{:.1} MiB", kib as f64 / 1024.0)
            });
            let rss_met = run.peak_rss_kib.map_or("—", |kib| {
                if kib <= RSS_TARGET_KIB {
                    "met"
                } else {
                    "**missed**"
                }
            });
            let verified = match run.verified {
                Some(true) => "yes",
                Some(false) => "no",
                None => "—",
            };
            let _ = writeln!(
                out,
                "| {} | {:.0} | {ratio_cell} | {ratio_met} | {rss} | {rss_met} | {verified} |",
                run.label,
                run.mib_per_s()
            );
        }
        let _ = writeln!(out);
        // The cost of verification, per client.
        for client in ["blocking", "async"] {
            let with = runs
                .iter()
                .find(|run| run.label == format!("{client}, verified"));
            let without = runs
                .iter()
                .find(|run| run.label == format!("{client}, not verified"));
            if let (Some(with), Some(without)) = (with, without) {
                let _ = writeln!(
                    out,
                    "- Verification, {client} {what}: {:.0} MiB/s hashing (md5 + sha512) against {:.0} MiB/s without, {:.2}× the throughput.",
                    with.mib_per_s(),
                    without.mib_per_s(),
                    with.mib_per_s() / without.mib_per_s()
                );
            }
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "### Bulk job\n");
    let _ = writeln!(
        out,
        "`runtime/examples/bulk_tag.rs` with the async client: tag {BULK_IMAGES} images one at a time, \
         then {BULK_CONCURRENCY} at a time.\n"
    );
    let _ = writeln!(out, "| run | seconds | images/s |");
    let _ = writeln!(out, "|---|---|---|");
    let images: f64 = BULK_IMAGES.parse().unwrap_or(1.0);
    let _ = writeln!(
        out,
        "| sequential | {sequential:.2} | {:.0} |",
        images / sequential
    );
    let _ = writeln!(
        out,
        "| {BULK_CONCURRENCY} at a time | {concurrent:.2} | {:.0} |",
        images / concurrent
    );
    let _ = writeln!(
        out,
        "\nConcurrent ÷ sequential speed: {:.2}×. The test Glance runs one uWSGI worker with one \
         thread (two workers on one sqlite file answer concurrent writes with \"database is locked\"), \
         so it serves one request at a time and concurrency can only overlap the client's side.\n",
        sequential / concurrent
    );
    out
}
