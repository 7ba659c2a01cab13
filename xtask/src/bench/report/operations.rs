//! Item 9: whole operations of each client against the same Glance, from
//! `bench::operations`.

use std::fmt::Write as _;

use super::format::time;
use crate::bench::Measurements;
use crate::bench::operations::{CLIENTS, LISTED_IMAGES, TRANSFER_BYTES, WORKLOADS};

fn describe(workload: &str) -> String {
    match workload {
        "noop" => "start the process and build the client, no request".to_owned(),
        "list" => format!("list {LISTED_IMAGES} images in pages of 200"),
        "patch" => "200 PATCH updates, each changing 3 properties".to_owned(),
        "transfer" => format!(
            "create, upload {} MiB, download, delete",
            TRANSFER_BYTES >> 20
        ),
        other => other.to_owned(),
    }
}

fn rss_kib(m: &Measurements, workload: &str, client: &str) -> Option<f64> {
    m.note(&format!("ops.rss.{workload}.{client}"))?
        .parse()
        .ok()
}

fn mib(kib: Option<f64>) -> String {
    kib.map_or("—".to_owned(), |kib| format!("{:.1} MiB", kib / 1024.0))
}

/// Whether cloud-images' figure (`ours`) is at most every measured peer's,
/// for figures where less is better; `None` when ours is missing.
fn least(ours: Option<f64>, peers: &[Option<f64>]) -> Option<bool> {
    let ours = ours?;
    // A peer that failed the workload has no figure to beat.
    let best = peers
        .iter()
        .flatten()
        .copied()
        .fold(f64::INFINITY, f64::min);
    Some(ours <= best)
}

pub fn table(out: &mut String, m: &Measurements) {
    let _ = writeln!(out, "\n## Whole operations against one real Glance\n");
    if let Some(reason) = m.note("ops.error") {
        let _ = writeln!(out, "Not measured: {reason}.");
        return;
    }
    if !m.times.keys().any(|key| key.starts_with("ops.")) {
        let _ = writeln!(out, "Not measured in this run.");
        return;
    }
    let _ = writeln!(
        out,
        "Each client runs each workload as a process of its own; wall time, CPU time (user + sys) and peak RSS \
         are the process's, from `wait4`. Targets for cloud-images: least CPU and least memory of the three, \
         and wall time at most the fastest peer's.\n"
    );
    let _ = writeln!(
        out,
        "| # | workload | client | wall | client CPU | peak RSS | |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|");
    for workload in WORKLOADS {
        for client in CLIENTS {
            let key = format!("{workload}.{client}");
            let verdict = if *client == "cloud-images" && *workload != "noop" {
                verdict(m, workload)
            } else {
                String::new()
            };
            if let Some(error) = m.note(&format!("ops.failed.{key}")) {
                let _ = writeln!(
                    out,
                    "| 9 | {} | {client} | failed: {error} | — | — | |",
                    describe(workload)
                );
                continue;
            }
            let _ = writeln!(
                out,
                "| 9 | {} | {client} | {} | {} | {} | {verdict} |",
                describe(workload),
                time(m.time(&format!("ops.wall.{key}"))),
                time(m.time(&format!("ops.cpu.{key}"))),
                mib(rss_kib(m, workload, client)),
            );
        }
    }
}

fn figures(m: &Measurements, workload: &str, figure: &str) -> (Option<f64>, Vec<Option<f64>>) {
    let get = |client: &str| match figure {
        "rss" => rss_kib(m, workload, client),
        _ => m.time(&format!("ops.{figure}.{workload}.{client}")),
    };
    (
        get(CLIENTS[0]),
        CLIENTS[1..].iter().map(|client| get(client)).collect(),
    )
}

fn verdict(m: &Measurements, workload: &str) -> String {
    let check = |figure: &str, name: &str| {
        let (ours, peers) = figures(m, workload, figure);
        match least(ours, &peers) {
            Some(true) => format!("{name} met"),
            Some(false) => format!("{name} **missed**"),
            None => format!("{name} —"),
        }
    };
    [
        check("cpu", "CPU"),
        check("rss", "RSS"),
        check("wall", "wall"),
    ]
    .join(", ")
}

pub fn findings(m: &Measurements) -> Vec<String> {
    if m.note("ops.error").is_some() || !m.times.keys().any(|key| key.starts_with("ops.")) {
        return vec!["**9. Whole operations: not measured.**".to_owned()];
    }
    let mut out = Vec::new();
    for workload in WORKLOADS.iter().filter(|w| **w != "noop") {
        let (cpu, peer_cpu) = figures(m, workload, "cpu");
        let (rss, peer_rss) = figures(m, workload, "rss");
        let best_peer_cpu = peer_cpu
            .iter()
            .flatten()
            .copied()
            .fold(f64::INFINITY, f64::min);
        let best_peer_rss = peer_rss
            .iter()
            .flatten()
            .copied()
            .fold(f64::INFINITY, f64::min);
        let (Some(cpu), Some(rss)) = (cpu, rss) else {
            continue;
        };
        out.push(format!(
            "**9. {}: {}.** cloud-images used {} of CPU against the best peer's {} ({:.0}× less), and {} of \
             memory at its peak against {}.",
            describe(workload),
            verdict(m, workload),
            time(Some(cpu)),
            time(Some(best_peer_cpu)),
            best_peer_cpu / cpu,
            mib(Some(rss)),
            mib(Some(best_peer_rss)),
        ));
    }
    out
}

pub fn inputs(out: &mut String, m: &Measurements) {
    let _ = writeln!(
        out,
        "- 9: a Glance 33.0.0 started by `cargo xtask glance start` at {} (uWSGI, one worker, sqlite, file store, \
         identity from headers), the same for every client. cloud-images: the blocking client, \
         `runtime/examples/bench_workload.rs` built in release. Python: {} in `target/bench-venv`, \
         `xtask/bench/workload.py`. The {LISTED_IMAGES} images are created once per Glance in a project of their \
         own; every client lists the same project. Updates: cloud-images sends one PATCH built with \
         `ImagePatch::builder`; python-glanceclient's `images.update` first GETs the image and computes the \
         patch with `jsonpatch`; openstacksdk's `update_image` sends the patch from its resource's changes. \
         Transfers upload `target/bench-data/upload-64MiB.bin` from disk and count the downloaded bytes \
         without keeping them; openstacksdk's `create_image(filename=...)` also hashes the file, as it does for \
         its users. Every workload checks its result (images counted, the last value read back, bytes equal) \
         and the `noop` row is each client's start-up, which every other row includes.",
        m.note("ops.url").unwrap_or("?"),
        m.note("ops.python").unwrap_or("?"),
    );
    if m.note("ops.failed.transfer.glanceclient").is_some() {
        let _ = writeln!(
            out,
            "- 9: python-glanceclient's `images.upload` sends the file with chunked transfer encoding (it reads a \
             file-like object in 64 KiB chunks); the uWSGI that serves this Glance (`--http-chunked-input`) \
             answers it with 500 (`unable to receive chunked part` in Glance's log), so its transfer row has no \
             figures. The other clients send a `Content-Length`."
        );
    }
    let _ = writeln!(
        out,
        "- 9: gtema's `openstack_sdk` is not among the clients: it signs in through Keystone (the auth types of \
         `clouds.yaml`), which the header-identity Glance used here has not got. It belongs in this table once \
         the bench runs against the Keystone-backed lab."
    );
}
