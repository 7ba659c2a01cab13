//! `BENCHMARKS.md`, laid out from the measurements: the tables, one finding
//! per benchmark, the inputs and the machine. The wording of each finding is
//! picked by whether its target was met, and its figures come from the run.

mod findings;
mod format;
mod operations;
mod peers;
mod rows;

use std::fmt::Write as _;

use super::Measurements;
use super::machine::Machine;
use super::python::JSONPATCH;
use format::{percent, ratio_cell, time};
use rows::absolutes;
pub use rows::{Comparison, PAGES, comparisons};

fn verdict(met: Option<bool>) -> &'static str {
    match met {
        Some(true) => "met",
        Some(false) => "**missed**",
        None => "—",
    }
}

pub fn render(m: &Measurements, machine: &Machine) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Benchmarks\n");
    let _ = writeln!(
        out,
        "Written by `cargo xtask bench` on {} at commit {}. Do not edit by hand: rerun the command, \
         which measures everything below in one run and rewrites this file.\n",
        machine.date, machine.commit
    );

    let _ = writeln!(out, "## Against the baselines\n");
    let _ = writeln!(
        out,
        "Medians per call. *ours ÷ baseline* is a ratio of times: below 1 is faster. \
         Each pair was timed with its samples interleaved, except Python, timed in its own process.\n"
    );
    let _ = writeln!(
        out,
        "| # | benchmark | cloud-images | baseline | ours ÷ baseline | target | |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|");
    for row in comparisons(m) {
        let _ = writeln!(
            out,
            "| {} | {} | {} {} | {} {} | {} | {} | {} |",
            row.item,
            row.what,
            row.ours_label,
            time(m.time(&row.ours)),
            row.baseline_label,
            time(m.time(&row.baseline)),
            ratio_cell(row.ratio(m)),
            row.target,
            verdict(row.met(m)),
        );
    }

    let _ = writeln!(out, "\n## On their own\n");
    let _ = writeln!(
        out,
        "Medians per call: wall time, which the target is judged by, and the thread's CPU time, which leaves \
         out other processes' time slices on this shared machine.\n"
    );
    let _ = writeln!(out, "| # | benchmark | wall time | CPU time | target | |");
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    for row in absolutes(m) {
        let met = m.time(&row.key).zip(row.max_ns).map(|(t, max)| t < max);
        let cpu = m
            .note(&format!("cpu.{}", row.key))
            .and_then(|ns| ns.parse().ok());
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            row.item,
            row.what,
            time(m.time(&row.key)),
            cpu.map_or("—".to_owned(), |ns| time(Some(ns))),
            row.target,
            verdict(met)
        );
    }
    if let (Some(lines), Some(files)) = (m.note("generated.lines"), m.note("generated.files")) {
        let _ = writeln!(
            out,
            "\nThe generated crate is {lines} lines in {files} files (`generated/src/*.rs`)."
        );
    }
    if let (Some(lines), Some(files)) = (m.note("gtema.lines"), m.note("gtema.files")) {
        let _ = writeln!(
            out,
            "`openstack-types-image` 0.22.8 is {lines} lines in {files} files (every Glance response, \
             metadefs included; it also builds `openstack-types-core`, `chrono` and `structable`)."
        );
    }

    operations::table(&mut out, m);

    let _ = writeln!(out, "\n## What the results mean\n");
    for finding in findings::all(m) {
        let _ = writeln!(out, "{finding}\n");
    }

    inputs(&mut out, m);
    peers::inputs(&mut out, m);
    operations::inputs(&mut out, m);
    method(&mut out, m, machine);
    out
}

fn inputs(out: &mut String, m: &Measurements) {
    let _ = writeln!(out, "## Inputs\n");
    let _ = writeln!(
        out,
        "- 1, 2: the list pages a real Glance 33 returned, `tests/fixtures/samples/{{{}}}.json`. \
         Before timing, the bench checks that `ImageList` re-encodes each page to the same JSON as `Value`, \
         so both sides hold the whole document.",
        PAGES.join(",")
    );
    let _ = writeln!(
        out,
        "- 3: `ImagePatch::builder().replace_name(Some(\"x\")).replace_min_ram(512).add_os_distro(\"ubuntu\")\
         .replace_tags([\"a\", \"b\"]).add_property(\"hw_disk_bus\", \"virtio\").build()` then \
         `serde_json::to_vec(&patch)`, against the same five `json_patch::PatchOperation`s built with \
         `jsonptr::PointerBuf::from_tokens` and `serde_json::to_vec`. The bench checks that both bodies are equal."
    );
    let keys = |name: &str| m.note(name).unwrap_or("?").to_owned();
    let _ = writeln!(
        out,
        "- 4, 5: `tests/fixtures/samples/image-active-with-locations.json` plus six properties \
         (`os_version`, `os_type`, `description`, `hw_vif_model`, `hw_qemu_guest_agent`, `img_hv_type`): \
         {} keys, {} of them custom properties the schema does not declare; the new version changes `name`, `min_ram` and `tags`, replaces \
         `hw_vif_model` and adds `os_admin_user` ({} keys). Both Rust diffs start from values already decoded \
         (`Image` and `Value`); the *decoding both texts first* row adds decoding to each side. \
         Operations produced: `ImagePatch::diff` {}, `json_patch::diff` {}, `jsonpatch.make_patch` {}; \
         the bench checks that both Rust patches turn the old document into the new one, and the Python \
         script checks its own. The two documents are written to `target/bench-data/diff-{{old,new}}.json`.",
        keys("diff.keys.old"),
        keys("diff.custom.old"),
        keys("diff.keys.new"),
        keys("diff.operations.typed"),
        keys("diff.operations.value"),
        keys("diff.operations.python"),
    );
    let python = match m.note("python.error") {
        Some(reason) => format!("not measured: {reason}"),
        None => format!(
            "Python {} with jsonpatch {} (`pip install {JSONPATCH}` into `target/bench-venv`), \
             `xtask/bench/make_patch.py`",
            m.note("python.version").unwrap_or("?"),
            m.note("python.jsonpatch").unwrap_or("?"),
        ),
    };
    let _ = writeln!(out, "- 5: {python}.");
    let _ = writeln!(
        out,
        "- 6: the {} files of `schemas/`, already read into memory; each call parses the built-in overlay and \
         generates {} files. `images.json` alone lowers its inline copy of the image schema as a nested type.",
        m.note("generate.schemas").unwrap_or("?"),
        m.note("generate.files").unwrap_or("?"),
    );
    let _ = writeln!(
        out,
        "- 7: `cargo build -p cloud-images` (default features) in `target/bench-build`: dependencies built first, \
         then `cargo clean -p cloud-images` and a timed rebuild, median of {} rebuilds per profile; the same \
         for `openstack-types-image` 0.22.8 (default features), {} timed rebuild per profile. \
         The wall time includes cargo's start-up, measured separately as a build with nothing to do.\n",
        m.note("compile.repeats").unwrap_or("?"),
        m.note("compile.gtema.repeats").unwrap_or("?"),
    );
}

fn method(out: &mut String, m: &Measurements, machine: &Machine) {
    let _ = writeln!(out, "## How it was measured\n");
    let duration = m
        .note("run.seconds")
        .map_or(String::new(), |s| format!(" This run took {s} s."));
    let _ = writeln!(
        out,
        "- Command: `cargo xtask bench`.{duration} A first run also compiles the bench binaries and the \
         crate's dependencies (twice, in `target/bench-build`), a few minutes more on 2 cores."
    );
    let _ = writeln!(
        out,
        "- Machine: {} × {} ({}), {}; load average {} when the run started, on a machine others share.",
        machine.nproc, machine.cpu, machine.os, machine.rustc, machine.load
    );
    let _ = writeln!(
        out,
        "- Rust: cargo's `bench` profile. Each bench runs enough calls per sample to last at least 200 µs and takes \
         the median of 201 samples (`xtask/bench/harness.rs`). Each output is freed inside the timed loop, so \
         freeing counts: holding a sample's outputs until its clock stops, as divan does, made medians swing \
         two- to threefold between runs on this VM as the heap grew and was trimmed. *Allocator calls* are \
         counted on one extra call. The same functions are divan benches: \
         `cargo bench -p cloud-images` and `cargo bench -p cloud-images-codegen` print divan's tables."
    );
    let _ = writeln!(
        out,
        "- Python: `timeit.Timer.autorange` picks the calls per repeat, and the median of 15 repeats is reported."
    );
    let allocs = m
        .times
        .keys()
        .filter(|k| m.note(&format!("allocs.{k}")).is_some())
        .count();
    let _ = writeln!(
        out,
        "- Allocator calls per call, for the {allocs} Rust benches:\n"
    );
    let _ = writeln!(
        out,
        "| bench | allocator calls | ours faster in (paired samples) |"
    );
    let _ = writeln!(out, "|---|---|---|");
    for key in m.times.keys() {
        if let Some(allocs) = m.note(&format!("allocs.{key}")) {
            let faster = m
                .note(&format!("faster.{key}"))
                .and_then(|f| f.parse().ok());
            let _ = writeln!(
                out,
                "| `{key}` | {allocs} | {} |",
                faster.map_or("—".to_owned(), percent)
            );
        }
    }
}

/// A few lines for the terminal.
pub fn summary(m: &Measurements) -> String {
    let mut out = String::new();
    for row in comparisons(m) {
        let _ = writeln!(
            out,
            "{}. {:<48} {:>10} vs {:>10}  {:<18} {}",
            row.item,
            row.what.replace('`', ""),
            time(m.time(&row.ours)),
            time(m.time(&row.baseline)),
            ratio_cell(row.ratio(m)),
            verdict(row.met(m)).replace('*', ""),
        );
    }
    for row in absolutes(m) {
        let _ = writeln!(
            out,
            "{}. {:<48} {:>10}",
            row.item,
            row.what.replace('`', ""),
            time(m.time(&row.key))
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ratio_at_the_bound_meets_it_and_above_misses_it() {
        let m = Measurements::parsed("BENCH build.typed 1200 1 1\nBENCH build.by_hand 1000 1 1\n");
        let build = comparisons(&m).into_iter().find(|c| c.item == 3).unwrap();
        assert_eq!(build.met(&m), Some(true));
        let m = Measurements::parsed("BENCH build.typed 1201 1 1\nBENCH build.by_hand 1000 1 1\n");
        assert_eq!(build.met(&m), Some(false));
    }

    #[test]
    fn an_unmeasured_baseline_gives_no_verdict() {
        let m = Measurements::parsed("BENCH diff.typed 800 1 1\n");
        let python = comparisons(&m).into_iter().find(|c| c.item == 5).unwrap();
        assert_eq!(python.ratio(&m), None);
        assert_eq!(python.met(&m), None);
        let text = render(&m, &Machine::unknown());
        assert!(
            text.contains("Python `jsonpatch.make_patch` not measured"),
            "{text}"
        );
    }

    #[test]
    fn the_report_shows_a_miss_as_a_miss() {
        let m = Measurements::parsed(
            "BENCH decode.typed.images-list-default 2000 1 1\nBENCH decode.value.images-list-default 1000 1 1\n",
        );
        let text = render(&m, &Machine::unknown());
        let row = text
            .lines()
            .find(|line| line.contains("decode `images-list-default.json`"))
            .unwrap();
        assert!(row.contains("2.00 µs") && row.contains("1.00 µs"), "{row}");
        assert!(
            row.contains("2.00 (2.00× slower)") && row.ends_with("**missed** |"),
            "{row}"
        );
    }
}
