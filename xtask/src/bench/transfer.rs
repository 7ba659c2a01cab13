//! Image data through both clients against the lab's Glance on loopback
//! (real Keystone tokens, as a user has them): upload then download of a
//! 1 GiB image, with and without verification, beside `curl` moving the
//! same bytes to and from the same Glance with a token of the same user in
//! the same run; the peak memory of each client process; and the bulk
//! tagging job of `runtime/examples/bulk_tag.rs`, concurrent against
//! sequential.
//!
//! Each transfer runs `runtime/examples/transfer.rs` as its own process,
//! so that its peak RSS (`VmHWM`) is that of one client moving one image.
//! The clients log in from the lab's `clouds.yaml` as alice of project
//! alpha (cloud `lab-alpha`); curl gets a token for her from Keystone.

use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::lab;

const SIZE: u64 = 1 << 30;
const RSS_TARGET_KIB: u64 = 64 * 1024;
const CURL_RATIO_TARGET: f64 = 0.9;
const BULK_IMAGES: &str = "500";
const BULK_CONCURRENCY: &str = "16";
/// The cloud of the lab's `clouds.yaml` the clients log in as.
const CLOUD: &str = "lab-alpha";

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

/// The lab as the bench uses it: Glance's URL, and what the clients and
/// curl need to log in.
struct Target {
    glance_url: String,
    clouds_yaml: PathBuf,
    /// A file holding curl's `X-Auth-Token` header line, so that the token
    /// never appears on a command line.
    curl_header: PathBuf,
}

impl Target {
    /// `transfer` or `bulk_tag`, logging in as [`CLOUD`].
    fn example(&self, program: &Path) -> Command {
        let mut command = Command::new(program);
        command
            .env("OS_CLIENT_CONFIG_FILE", &self.clouds_yaml)
            .env("OS_CLOUD", CLOUD);
        command
    }
}

/// Runs the transfer benchmarks against the lab (started for the run and
/// stopped again when it was not running) and returns their section of
/// BENCHMARKS.md.
pub fn run(root: &Path) -> Result<String, String> {
    let already_running = lab::run(&["status".to_owned()]).is_ok();
    let running = lab::start(&lab::Lab::new(root))?;
    let result = measure(root, &running);
    if !already_running {
        let _ = lab::run(&["stop".to_owned()]);
    }
    result
}

fn measure(root: &Path, running: &lab::Running) -> Result<String, String> {
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
    let target = Target {
        glance_url: running.glance_url.clone(),
        clouds_yaml: running.dir.join("clouds.yaml"),
        curl_header: root.join("target/bench-data/curl-token-header"),
    };
    write_curl_header(&running.dir, &target.curl_header)?;
    let result = transfers(&target, &transfer, &file, &file_arg);
    let _ = fs::remove_file(&target.curl_header);
    let (uploads, downloads) = result?;

    println!(
        "==> bulk job: tag {BULK_IMAGES} images, sequential then {BULK_CONCURRENCY} at a time"
    );
    let bulk = bulk_job(&target, &examples.join("bulk_tag"));
    if let Err(reason) = &bulk {
        eprintln!("warning: bulk job not measured: {reason}");
    }

    let load_after = load_average();
    Ok(render(
        &uploads,
        &downloads,
        bulk,
        &load_before,
        &load_after,
    ))
}

/// The bulk example's sequential and concurrent times, in seconds.
fn bulk_job(target: &Target, bulk_tag: &Path) -> Result<(f64, f64), String> {
    let bulk = target
        .example(bulk_tag)
        .args([BULK_IMAGES, BULK_CONCURRENCY])
        .output()
        .map_err(|e| format!("could not run bulk_tag: {e}"))?;
    let text = String::from_utf8_lossy(&bulk.stdout).into_owned();
    if !bulk.status.success() {
        return Err(format!(
            "bulk_tag failed: {}",
            String::from_utf8_lossy(&bulk.stderr).trim()
        ));
    }
    let sequential = field(&text, "sequential_s").ok_or("bulk_tag printed no sequential_s")?;
    let concurrent = field(&text, "concurrent_s").ok_or("bulk_tag printed no concurrent_s")?;
    println!("    sequential {sequential:.2} s, concurrent {concurrent:.2} s");
    Ok((sequential, concurrent))
}

/// curl, then each client verified and not, each uploading then
/// downloading its own image; the images are deleted again.
fn transfers(
    target: &Target,
    transfer: &Path,
    file: &Path,
    file_arg: &str,
) -> Result<(Vec<Run>, Vec<Run>), String> {
    let mut uploads = Vec::new();
    let mut downloads = Vec::new();
    let mut images = Vec::new();
    let result = (|| {
        println!("==> curl upload and download, 1 GiB");
        let curl_id = create(target, transfer)?;
        images.push(curl_id.clone());
        uploads.push(curl_upload(target, &curl_id, file)?);
        downloads.push(curl_download(target, &curl_id)?);
        downloads.push(curl_hashed_download(target, &curl_id)?);

        for client in ["blocking", "async"] {
            for verify in ["verify", "noverify"] {
                println!("==> {client} client, {verify}, upload and download, 1 GiB");
                let id = create(target, transfer)?;
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
                    target,
                    transfer,
                    &label,
                    &["upload", client, verify, &id, file_arg],
                )?);
                downloads.push(client_run(
                    target,
                    transfer,
                    &label,
                    &["download", client, verify, &id],
                )?);
            }
        }
        Ok::<_, String>(())
    })();
    for id in &images {
        let _ = target.example(transfer).args(["delete", id]).status();
    }
    result.map(|()| (uploads, downloads))
}

/// Logs alice in to the lab's Keystone as curl would be given a token, and
/// writes the header line curl sends it with.
fn write_curl_header(lab_dir: &Path, path: &Path) -> Result<(), String> {
    let env = fs::read_to_string(lab_dir.join("lab.env"))
        .map_err(|e| format!("no lab.env in {}: {e}", lab_dir.display()))?;
    let value = |key: &str| {
        env.lines()
            .find_map(|line| line.strip_prefix(key)?.strip_prefix('='))
            .map(str::to_owned)
            .ok_or_else(|| format!("lab.env has no {key}"))
    };
    let body = serde_json::json!({"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": "alice", "domain": {"name": "Default"}, "password": value("ALICE_PW")?
        }}},
        "scope": {"project": {"name": "alpha", "domain": {"name": "Default"}}}
    }});
    let out = Command::new("curl")
        .args(["-sS", "--fail", "-o", "/dev/null", "-D", "-"])
        .args([
            "-H",
            "Content-Type: application/json",
            "--data-binary",
            "@-",
        ])
        .arg(format!("{}/auth/tokens", value("OS_AUTH_URL")?))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            child
                .stdin
                .take()
                .expect("stdin is piped")
                .write_all(body.to_string().as_bytes())?;
            child.wait_with_output()
        })
        .map_err(|e| format!("could not run curl: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "curl could not log in: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let headers = String::from_utf8_lossy(&out.stdout);
    let token = headers
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("x-subject-token")
                .then(|| value.trim().to_owned())
        })
        .ok_or("Keystone answered without X-Subject-Token")?;
    fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    fs::write(path, format!("X-Auth-Token: {token}\n"))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
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

fn create(target: &Target, transfer: &Path) -> Result<String, String> {
    let out = target
        .example(transfer)
        .arg("create")
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

fn client_run(target: &Target, transfer: &Path, label: &str, args: &[&str]) -> Result<Run, String> {
    let out = target
        .example(transfer)
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
    println!("    {}", text.trim());
    Ok(Run {
        label: label.to_owned(),
        seconds: field(&text, "seconds").ok_or_else(|| format!("no seconds in `{text}`"))?,
        bytes: field(&text, "bytes").ok_or_else(|| format!("no bytes in `{text}`"))? as u64,
        peak_rss_kib: field(&text, "peak_rss_kib").map(|kib| kib as u64),
        verified: Some(text.contains("verified=true")),
    })
}

fn curl(target: &Target, args: &[&str]) -> Result<String, String> {
    let header = format!("@{}", target.curl_header.display());
    let out = Command::new("curl")
        .args(["-sS", "--fail", "-H", &header])
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

fn curl_upload(target: &Target, id: &str, file: &Path) -> Result<Run, String> {
    let url = format!("{}/v2/images/{id}/file", target.glance_url);
    let file = file.to_string_lossy();
    let text = curl(
        target,
        &[
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
            &url,
        ],
    )?;
    curl_run(&text)
}

fn curl_download(target: &Target, id: &str) -> Result<Run, String> {
    let url = format!("{}/v2/images/{id}/file", target.glance_url);
    let text = curl(
        target,
        &[
            "-o",
            "/dev/null",
            "-w",
            "%{time_total} %{size_download}",
            &url,
        ],
    )?;
    curl_run(&text)
}

/// What verifying costs without this crate: curl's download piped into
/// coreutils' `md5sum` and `sha512sum`, each in its own process.
fn curl_hashed_download(target: &Target, id: &str) -> Result<Run, String> {
    const LABEL: &str = "curl piped into md5sum + sha512sum";
    let started = std::time::Instant::now();
    let out = Command::new("bash")
        .args([
            "-c",
            "set -o pipefail; curl -sS --fail -H \"@$HEADER\" \"$URL\" \
             | tee >(md5sum >/dev/null) | sha512sum >/dev/null",
        ])
        .env("HEADER", &target.curl_header)
        .env("URL", format!("{}/v2/images/{id}/file", target.glance_url))
        .output()
        .map_err(|e| format!("could not run bash: {e}"))?;
    let seconds = started.elapsed().as_secs_f64();
    if !out.status.success() {
        return Err(format!(
            "{LABEL} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    println!("    {LABEL}: {seconds:.3} s");
    Ok(Run {
        label: LABEL.to_owned(),
        seconds,
        bytes: SIZE,
        peak_rss_kib: None,
        verified: None,
    })
}

fn curl_run(text: &str) -> Result<Run, String> {
    println!("    curl: {} (seconds, bytes)", text.trim());
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
    bulk: Result<(f64, f64), String>,
    before: &str,
    after: &str,
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## Image data transfer\n");
    let _ = writeln!(
        out,
        "A 1 GiB image uploaded, then downloaded, through each client against the lab's Glance on \
         loopback (Keystone tokens checked on every request), beside `curl` moving the same file to \
         and from the same Glance, with a token of the same user, in the same run. \
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
            // The target is the clients'; curl's hashed row is a comparison.
            let ratio_met = ratio
                .filter(|_| !run.label.starts_with("curl"))
                .map_or("—", |r| {
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
            let hashed_curl = runs.iter().find(|run| run.label.starts_with("curl piped"));
            if let (Some(with), Some(hashed_curl)) = (with, hashed_curl) {
                let _ = writeln!(
                    out,
                    "- Verified, {client} {what} against curl piped into md5sum and sha512sum: {:.2}×.",
                    with.mib_per_s() / hashed_curl.mib_per_s()
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
    let (sequential, concurrent) = match bulk {
        Ok(times) => times,
        Err(reason) => {
            let _ = writeln!(out, "Not measured: {reason}\n");
            return out;
        }
    };
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
        "\nConcurrent ÷ sequential speed: {:.2}×. The lab's Glance is one uWSGI process with two \
         threads, its database in PostgreSQL (see xtask/lab/README.md), and every request also waits for \
         Keystone to validate its token.\n",
        sequential / concurrent
    );
    out
}
