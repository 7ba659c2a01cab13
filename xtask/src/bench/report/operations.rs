//! Item 9: whole operations of each client against the same lab, from
//! `bench::operations`, judged per workload for each of cloud-images'
//! clients against the best peer.

use std::fmt::Write as _;

use super::format::time;
use crate::bench::Measurements;
use crate::bench::operations::{
    CLIENTS, CLOUD, Client, LISTED_IMAGES, OPENSTACK_SDK, TRANSFER_BYTES, WORKLOADS,
};

fn describe(m: &Measurements, workload: &str) -> String {
    match workload {
        "noop" => "start the process and read clouds.yaml, no request".to_owned(),
        "list" => format!(
            "list {} images in pages of 200",
            m.note("ops.listed")
                .map_or_else(|| LISTED_IMAGES.to_string(), str::to_owned)
        ),
        "patch" => "200 PATCH updates, each changing 3 properties".to_owned(),
        "transfer" => format!(
            "create, upload {} MiB, download, delete",
            TRANSFER_BYTES >> 20
        ),
        other => other.to_owned(),
    }
}

/// The three figures, each where less is better.
#[derive(Clone, Copy)]
enum Figure {
    Cpu,
    Rss,
    Wall,
}

impl Figure {
    const ALL: [Figure; 3] = [Figure::Cpu, Figure::Rss, Figure::Wall];

    fn name(self) -> &'static str {
        match self {
            Figure::Cpu => "CPU",
            Figure::Rss => "RSS",
            Figure::Wall => "wall",
        }
    }

    /// The figure of `client` on `workload`: nanoseconds, or KiB for RSS.
    fn of(self, m: &Measurements, workload: &str, client: &Client) -> Option<f64> {
        let key = format!("{workload}.{}", client.key);
        match self {
            Figure::Cpu => m.time(&format!("ops.cpu.{key}")),
            Figure::Wall => m.time(&format!("ops.wall.{key}")),
            Figure::Rss => m.note(&format!("ops.rss.{key}"))?.parse().ok(),
        }
    }

    fn show(self, value: Option<f64>) -> String {
        match self {
            Figure::Rss => mib(value),
            Figure::Cpu | Figure::Wall => time(value),
        }
    }

    /// The best peer's figure and who it is; peers that failed the
    /// workload have no figure to beat.
    fn best_peer(self, m: &Measurements, workload: &str) -> Option<(f64, &'static Client)> {
        CLIENTS
            .iter()
            .filter(|client| !client.ours)
            .filter_map(|client| Some((self.of(m, workload, client)?, client)))
            .min_by(|a, b| a.0.total_cmp(&b.0))
    }

    /// Whether `client` is at most the best peer's figure; `None` when
    /// either is missing.
    fn met(self, m: &Measurements, workload: &str, client: &Client) -> Option<bool> {
        let ours = self.of(m, workload, client)?;
        let (best, _) = self.best_peer(m, workload)?;
        Some(ours <= best)
    }
}

fn mib(kib: Option<f64>) -> String {
    kib.map_or("—".to_owned(), |kib| format!("{:.1} MiB", kib / 1024.0))
}

fn measured(m: &Measurements) -> bool {
    m.note("ops.error").is_none() && m.times.keys().any(|key| key.starts_with("ops."))
}

fn failure<'a>(m: &'a Measurements, workload: &str, client: &Client) -> Option<&'a str> {
    m.note(&format!("ops.failed.{workload}.{}", client.key))
}

pub fn table(out: &mut String, m: &Measurements) {
    let _ = writeln!(out, "\n## Whole operations against one real Glance\n");
    if let Some(reason) = m.note("ops.error") {
        let _ = writeln!(out, "Not measured: {reason}.");
        return;
    }
    if !measured(m) {
        let _ = writeln!(out, "Not measured in this run.");
        return;
    }
    let _ = writeln!(
        out,
        "Each client runs each workload as a process of its own, logged in with a Keystone token from the \
         lab's `clouds.yaml`; wall time and CPU time (user + sys) are the process's, from `wait4`, and peak \
         RSS is the `VmHWM` the process reports at its end, each the median of {} runs. Targets for each of cloud-images' clients, per workload: least CPU and \
         least memory of all clients, and wall time at most the fastest peer's.\n",
        m.note("ops.rounds").unwrap_or("?")
    );
    let _ = writeln!(
        out,
        "| # | workload | client | wall | client CPU | peak RSS | target |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|");
    for workload in WORKLOADS {
        for client in CLIENTS.iter().filter(|c| c.workloads.contains(workload)) {
            let what = describe(m, workload);
            if let Some(error) = failure(m, workload, client) {
                let _ = writeln!(
                    out,
                    "| 9 | {what} | {} | failed: {} | — | — | |",
                    client.label,
                    error.replace('|', "\\|")
                );
                continue;
            }
            let verdict = if client.ours && *workload != "noop" {
                verdict(m, workload, client)
            } else {
                String::new()
            };
            let figures: Vec<String> = [Figure::Wall, Figure::Cpu, Figure::Rss]
                .into_iter()
                .map(|figure| figure.show(figure.of(m, workload, client)))
                .collect();
            let _ = writeln!(
                out,
                "| 9 | {what} | {} | {} | {verdict} |",
                client.label,
                figures.join(" | ")
            );
        }
    }
}

fn verdict(m: &Measurements, workload: &str, client: &Client) -> String {
    Figure::ALL
        .into_iter()
        .map(|figure| match figure.met(m, workload, client) {
            Some(true) => format!("{} met", figure.name()),
            Some(false) => format!("{} **missed**", figure.name()),
            None => format!("{} —", figure.name()),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn findings(m: &Measurements) -> Vec<String> {
    if !measured(m) {
        return vec!["**9. Whole operations: not measured.**".to_owned()];
    }
    let mut out = Vec::new();
    for workload in WORKLOADS.iter().filter(|w| **w != "noop") {
        let ours: Vec<&Client> = CLIENTS
            .iter()
            .filter(|client| client.ours && Figure::Cpu.of(m, workload, client).is_some())
            .collect();
        if ours.is_empty() {
            continue;
        }
        let verdicts: Vec<String> = ours
            .iter()
            .map(|client| format!("{}: {}", client.label, verdict(m, workload, client)))
            .collect();
        let mut text = format!("**9. {}. {}.**", describe(m, workload), verdicts.join("; "));
        for figure in Figure::ALL {
            let Some((best, peer)) = figure.best_peer(m, workload) else {
                continue;
            };
            let values: Vec<String> = ours
                .iter()
                .map(|client| {
                    format!(
                        "{} {}",
                        client.label,
                        figure.show(figure.of(m, workload, client))
                    )
                })
                .collect();
            let _ = write!(
                text,
                " {}: {} against the best peer's {} ({}).",
                figure.name(),
                values.join(" and "),
                figure.show(Some(best)),
                peer.label
            );
        }
        out.push(text);
    }
    out
}

pub fn inputs(out: &mut String, m: &Measurements) {
    let _ = writeln!(
        out,
        "- 9: the lab of `cargo xtask lab start`: Glance 33.0.0 at {} (uWSGI, one process with two threads, \
         PostgreSQL, file store, keystonemiddleware checking every token with Keystone, its token cache off) and \
         Keystone 30.0.0 at {}, the same for every client. Every client logs in as user `bench` of project \
         `bench`, the cloud `{CLOUD}` of `target/bench-data/clouds-bench.yaml` (`OS_CLIENT_CONFIG_FILE`): the \
         lab's `clouds.yaml` with that cloud's region set to `RegionTwo`, whose catalog names the same Glance as \
         `localhost`: gtema's SDK rebuilds Glance's relative `next` links from the endpoint URL's domain name, \
         which an address such as `127.0.0.1` lacks, and so fails after a listing's first page. It logs \
         in with a password, once per process: the login and the catalog are part of every row but `noop`. cloud-images: \
         `Client::from_cloud` of the blocking client and of the async client (feature `async`, on a \
         current-thread tokio runtime), `runtime/examples/bench_workload.rs` built in release. Python: {} in \
         `target/bench-venv`, `xtask/bench/workload.py`; openstacksdk through `openstack.connect(cloud=...)`, \
         python-glanceclient with the keystoneauth session openstacksdk's configuration loader makes. \
         {OPENSTACK_SDK} (gtema's, image API only, async, current-thread runtime): \
         `xtask/bench/openstack-sdk-workload`, a project of its own with its own Cargo.lock, built in release \
         into `target/bench-build`.",
        m.note("ops.url").unwrap_or("?"),
        m.note("ops.keystone").unwrap_or("?"),
        m.note("ops.python").unwrap_or("?"),
    );
    let _ = writeln!(
        out,
        "- 9: the project owns exactly {LISTED_IMAGES} listing images, made once per lab (leftovers of an \
         interrupted run are deleted first); each listing checks that it counted every visible image. \
         Updates: cloud-images sends one PATCH built with `ImagePatch::builder`; python-glanceclient's \
         `images.update` first GETs the image and computes the patch with `jsonpatch`; openstacksdk's \
         `update_image` sends the patch from its resource's changes; gtema's SDK sends a `json_patch::Patch` \
         the caller builds and returns the image as `serde_json::Value` (it leaves the response type to the \
         caller; listings too). Every update reads the value back. Transfers upload \
         `target/bench-data/upload-64MiB.bin` from disk and count the downloaded bytes without keeping them. \
         cloud-images verifies both directions (the default: md5 and sha512 of what it sends and receives, \
         compared with the image record); python-glanceclient checks the download's md5; \
         openstacksdk's `create_image(filename=...)` hashes the file (md5 and sha256) before uploading and does \
         not check the download; gtema's SDK checks neither. So each of cloud-images' clients also runs the \
         transfer with verification off (`TransferOptions::verify(false)`, rows *not verified*), the work gtema's \
         SDK does: the same requests, no hashing. The `noop` row is each client's start-up and reading of \
         `clouds.yaml` (no request), which every other row includes."
    );
    let _ = writeln!(
        out,
        "- 9: gtema's SDK reads `OS_CLIENT_CONFIG_PATH`, not `OS_CLIENT_CONFIG_FILE`, so its workload hands it \
         the file as a user-given configuration (what its `osc --os-client-config-file` does); its on-disk \
         token cache is turned off so that it logs in once per process like the others. Its upload streams \
         the file without a length (chunked transfer encoding), as python-glanceclient's does."
    );
    let _ = writeln!(
        out,
        "- 9: peak RSS is not `wait4`'s `ru_maxrss`: Linux keeps the larger of the spawning process's peak and \
         the child's across exec, so every child of xtask showed at least xtask's own size (10.4 MiB; the 6.4 MiB \
         of every cloud-images row in earlier reports was that floor, not the client). Each workload prints its \
         own `VmHWM` from `/proc/self/status` as its last act instead."
    );
    let sdk = CLIENTS.iter().find(|client| client.key == "openstack_sdk");
    if let Some(error) = sdk.and_then(|client| failure(m, "list", client))
        && error.contains("must have domain set")
    {
        let _ = writeln!(
            out,
            "- 9: gtema's SDK cannot page this listing: it rebuilds Glance's relative `next` link from the \
             endpoint URL's domain name, and the catalog named Glance by address (`http://127.0.0.1:...`), \
             which has none (`url::Url::domain` is `None`), so it fails after the first page. The bench's \
             cloud uses the lab's `RegionTwo`, which names Glance `localhost`, so that it does not hit this."
        );
    }
    let glanceclient = CLIENTS.iter().find(|client| client.key == "glanceclient");
    if let Some(error) = glanceclient.and_then(|client| failure(m, "transfer", client)) {
        let _ = writeln!(
            out,
            "- 9: python-glanceclient's upload failed against the lab: {error}. It sends the file with chunked \
             transfer encoding (it reads the file object in 1 MiB chunks)."
        );
    } else if glanceclient
        .and_then(|client| Figure::Cpu.of(m, "transfer", client))
        .is_some()
    {
        let _ = writeln!(
            out,
            "- 9: python-glanceclient's upload is chunked (no `Content-Length`, the file read in 1 MiB chunks). \
             The lab's uWSGI takes it: it reads chunked bodies (`http-chunked-input`) and allows chunks up to \
             64 MiB (`chunked-input-limit`); with uWSGI's default limit of 1 MiB per chunk, framing included, \
             Glance answers the same upload with 500 (`unable to receive chunked part`)."
        );
    }
    for client in CLIENTS.iter().filter(|client| !client.ours) {
        let failures: Vec<String> = WORKLOADS
            .iter()
            .filter_map(|workload| Some(format!("{workload}: {}", failure(m, workload, client)?)))
            .collect();
        if failures.len() == WORKLOADS.len() {
            let _ = writeln!(
                out,
                "- 9: {} has no figures in this run ({}).",
                client.label,
                failures.join("; ")
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measurements(figures: &[(&str, &str, f64, f64, u64)]) -> Measurements {
        let mut m = Measurements::default();
        for (workload, client, wall, cpu, rss) in figures {
            let key = format!("{workload}.{client}");
            m.times.insert(format!("ops.wall.{key}"), *wall);
            m.times.insert(format!("ops.cpu.{key}"), *cpu);
            m.notes.insert(format!("ops.rss.{key}"), rss.to_string());
        }
        m
    }

    fn client(key: &str) -> &'static Client {
        CLIENTS.iter().find(|client| client.key == key).unwrap()
    }

    #[test]
    fn each_of_ours_is_judged_against_the_best_peer_per_figure() {
        let mut m = measurements(&[
            ("list", "cloud-images", 2e9, 10e6, 6_000),
            ("list", "cloud-images-async", 1e9, 30e6, 9_000),
            ("list", "glanceclient", 1.5e9, 500e6, 50_000),
            ("list", "openstack_sdk", 3e9, 20e6, 8_000),
        ]);
        m.notes.insert(
            "ops.failed.list.openstacksdk".to_owned(),
            "exited with status 1".to_owned(),
        );
        assert_eq!(
            verdict(&m, "list", client("cloud-images")),
            "CPU met, RSS met, wall **missed**"
        );
        assert_eq!(
            verdict(&m, "list", client("cloud-images-async")),
            "CPU **missed**, RSS **missed**, wall met"
        );
        let (best, peer) = Figure::Cpu.best_peer(&m, "list").unwrap();
        assert_eq!((best, peer.key), (20e6, "openstack_sdk"));
    }

    #[test]
    fn no_peer_figure_gives_no_verdict_and_failures_are_reported() {
        let mut m = measurements(&[("transfer", "cloud-images", 1e9, 80e6, 6_000)]);
        for peer in ["glanceclient", "openstacksdk", "openstack_sdk"] {
            m.notes.insert(
                format!("ops.failed.transfer.{peer}"),
                "HTTPInternalServerError: 500".to_owned(),
            );
        }
        assert_eq!(
            verdict(&m, "transfer", client("cloud-images")),
            "CPU —, RSS —, wall —"
        );
        let mut text = String::new();
        table(&mut text, &m);
        assert!(
            text.contains("| python-glanceclient | failed: HTTPInternalServerError: 500 |"),
            "{text}"
        );
        let mut inputs_text = String::new();
        inputs(&mut inputs_text, &m);
        assert!(
            inputs_text.contains("python-glanceclient's upload failed against the lab"),
            "{inputs_text}"
        );
    }
}
