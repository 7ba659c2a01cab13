//! One paragraph per benchmark: the verdict, then one sentence on why,
//! worded for a met or a missed target and filled in with the run's figures.

use super::format::{significant, time};
use super::{Comparison, comparisons};
use crate::bench::Measurements;

pub fn all(m: &Measurements) -> Vec<String> {
    let mut all = vec![
        decode(m),
        encode(m),
        build(m),
        diff(m),
        python(m),
        generator(m),
        compile(m),
    ];
    all.extend(super::peers::findings(m));
    all.extend(super::operations::findings(m));
    all
}

fn allocs(m: &Measurements, key: &str) -> String {
    m.note(&format!("allocs.{key}")).unwrap_or("?").to_owned()
}

fn rows(m: &Measurements, item: u8) -> Vec<Comparison> {
    comparisons(m)
        .into_iter()
        .filter(|row| row.item == item)
        .collect()
}

/// `0.48–0.82 of` style range of the rows' ratios.
fn ratio_range(m: &Measurements, rows: &[Comparison]) -> String {
    let ratios: Vec<f64> = rows.iter().filter_map(|row| row.ratio(m)).collect();
    let min = ratios.iter().copied().fold(f64::INFINITY, f64::min);
    let max = ratios.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if ratios.is_empty() {
        "not measured".to_owned()
    } else {
        format!("{min:.2}–{max:.2} of the baseline's time")
    }
}

fn missed_pages(m: &Measurements, rows: &[Comparison]) -> Vec<String> {
    rows.iter()
        .filter(|row| row.met(m) == Some(false))
        .map(|row| {
            let page = row.ours.rsplit('.').next().unwrap_or(&row.ours);
            format!("`{page}` ({:.3})", row.ratio(m).unwrap_or(f64::NAN))
        })
        .collect()
}

fn decode(m: &Measurements) -> String {
    let rows = rows(m, 1);
    let missed = missed_pages(m, &rows);
    let (typed, value) = (
        "decode.typed.images-list-default",
        "decode.value.images-list-default",
    );
    if missed.is_empty() {
        format!(
            "**1. Decoding: met on all {} pages** ({}). Declared keys land in struct fields without \
             allocating a key, so the default page takes {} allocator calls against {} for `Value`, which \
             allocates a string for every key of every image and the map nodes that hold them.",
            rows.len(),
            ratio_range(m, &rows),
            allocs(m, typed),
            allocs(m, value),
        )
    } else {
        format!(
            "**1. Decoding: missed on {}** ({} pages, {}). The default page takes {} allocator calls \
             against {} for `Value`, so where the typed decode loses the time goes to matching every key \
             against the declared fields and enum values and routing the rest into `additional_properties`, \
             work a `Value` map does not do.",
            missed.join(", "),
            rows.len(),
            ratio_range(m, &rows),
            allocs(m, typed),
            allocs(m, value),
        )
    }
}

fn encode(m: &Measurements) -> String {
    let rows: Vec<Comparison> = rows(m, 2)
        .into_iter()
        .filter(|row| row.max_ratio.is_some())
        .collect();
    let missed = missed_pages(m, &rows);
    let (typed, value) = (
        "encode.typed.images-list-default",
        "encode.value.images-list-default",
    );
    let same_bytes = format!(
        "Both sides write the same bytes through the same `serde_json` serializer, with {} and {} \
         allocator calls on the default page (the output buffer growing)",
        allocs(m, typed),
        allocs(m, value)
    );
    if missed.is_empty() {
        return format!(
            "**2. Encoding: met on all {} pages** ({}). {same_bytes}; walking struct fields known at \
             compile time costs no more than walking a `Value` map.",
            rows.len(),
            ratio_range(m, &rows),
        );
    }
    // Did the typed side lose only while `to_vec` grew its buffer?
    let reused: Vec<f64> = rows
        .iter()
        .filter(|row| row.met(m) == Some(false))
        .filter_map(|row| {
            let reused = row.ours.replacen("encode.", "encode_reused.", 1);
            Some(m.time(&reused)? / m.time(&reused.replacen(".typed.", ".value.", 1))?)
        })
        .collect();
    let why = if !reused.is_empty() && reused.iter().all(|r| *r <= 1.0) {
        format!(
            "; written into a buffer reused across calls the typed side is ahead on the same pages \
             ({} of the baseline's time), so the gap is in how `to_vec`'s buffer grows (whether a \
             reallocation moves the bytes depends on where the heap has room), not in serializing",
            reused
                .iter()
                .map(|r| format!("{r:.2}"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    } else {
        ", so the gap is in serializing itself: the typed side tests each optional field of an image \
         before writing it (`skip_serializing_if`), where a map holds only the keys present"
            .to_owned()
    };
    format!(
        "**2. Encoding: missed on {}** ({} pages, {}). {same_bytes}{why}.",
        missed.join(", "),
        rows.len(),
        ratio_range(m, &rows),
    )
}

fn build(m: &Measurements) -> String {
    let row = rows(m, 3).into_iter().next();
    let Some(ratio) = row.as_ref().and_then(|row| row.ratio(m)) else {
        return "**3. Building a patch: not measured.**".to_owned();
    };
    let (a, b) = (allocs(m, "build.typed"), allocs(m, "build.by_hand"));
    if ratio <= 1.2 {
        format!(
            "**3. Building a patch: met** ({ratio:.2}× the hand-built time). The builder checks each value \
             against the schema (lengths, enum values, free-form keys) as it goes and stays within the \
             bound, with {a} allocator calls against {b}."
        )
    } else {
        format!(
            "**3. Building a patch: missed** ({ratio:.2}× the hand-built time, target ≤ 1.20×). The builder \
             makes {a} allocator calls against {b}: it copies each value into a `serde_json::Value`, keeps \
             each key as a `String` and renders each JSON Pointer while serializing, and checks every value \
             against the schema, none of which the unchecked hand-built operations do."
        )
    }
}

fn diff(m: &Measurements) -> String {
    let (Some(ours), Some(theirs)) = (m.time("diff.typed"), m.time("diff.value")) else {
        return "**4. Diff: not measured.**".to_owned();
    };
    let speedup = theirs / ours;
    let (a, b) = (allocs(m, "diff.typed"), allocs(m, "diff.value"));
    let operations = m.note("diff.operations.typed").unwrap_or("?");
    let with_decode = match (
        m.time("diff_with_decode.typed"),
        m.time("diff_with_decode.value"),
    ) {
        (Some(ours), Some(theirs)) => format!(
            " Counting the decoding of both texts, the typed side is {}× faster, decoding into `Image` being \
             itself faster than into `Value`.",
            significant(theirs / ours)
        ),
        _ => String::new(),
    };
    if speedup >= 10.0 {
        return format!(
            "**4. Diff: met** ({}× faster than `json_patch::diff`). `ImagePatch::diff` compares typed fields \
             in place and walks only the custom properties as a map, where `json_patch::diff` walks every key \
             of both documents comparing `Value`s; {a} allocator calls against {b}.{with_decode}",
            significant(speedup)
        );
    }
    let floor = match m.time("diff.build_only") {
        Some(build) if build > theirs / 10.0 => format!(
            " Finding the changes is the smaller part: building the same {operations} operations through the \
             builder alone takes {} of its {}, more than the {} that 10× would allow: producing the output (each \
             value copied into a `serde_json::Value`, each key a `String`, each checked against the schema) \
             costs more than a tenth of what `json_patch::diff` spends walking both documents and building \
             its own operations. What would meet it is an output that copies nothing: operations that \
             borrow their values from the new image, typed, and are serialized only when sent, with the \
             same checks made on the borrowed values.",
            time(Some(build)),
            time(Some(ours)),
            time(Some(theirs / 10.0)),
        ),
        Some(build) => format!(
            " Building its {operations} operations takes {} of its {}; the rest is comparing the fields and \
             the custom properties.",
            time(Some(build)),
            time(Some(ours)),
        ),
        None => String::new(),
    };
    format!(
        "**4. Diff: missed** ({}× faster than `json_patch::diff`, target 10×; {a} allocator calls against \
         {b}).{floor}{with_decode}",
        significant(speedup)
    )
}

/// The Python target: `ImagePatch::diff` this many times faster.
const PYTHON_SPEEDUP: f64 = 300.0;

fn python(m: &Measurements) -> String {
    if let Some(reason) = m.note("python.error") {
        return format!("**5. Against Python: not measured**: {reason}.");
    }
    let (Some(ours), Some(python)) = (m.time("diff.typed"), m.time("python.make_patch")) else {
        return "**5. Against Python: not measured.**".to_owned();
    };
    let speedup = python / ours;
    let keys = m.note("diff.keys.new").unwrap_or("?");
    if speedup >= PYTHON_SPEEDUP {
        format!(
            "**5. Against Python: met** ({}× faster than `jsonpatch.make_patch`, which takes {} per call). \
             `make_patch` runs interpreted Python over two dicts of about {keys} keys and builds Python objects \
             for every operation and pointer, where `ImagePatch::diff` is compiled code comparing typed fields.",
            significant(speedup),
            time(Some(python)),
        )
    } else {
        let floor = match m.time("diff.build_only") {
            Some(build) if build > python / PYTHON_SPEEDUP => format!(
                ", and building the diff's operations alone already takes {} (4)",
                time(Some(build))
            ),
            _ => String::new(),
        };
        format!(
            "**5. Against Python: missed** ({}× faster, target 300×). `jsonpatch.make_patch` takes {} per call \
             on this machine, so the target needs {} or less{floor}; Python was timed in its own process, not \
             interleaved with the Rust samples.",
            significant(speedup),
            time(Some(python)),
            time(Some(python / PYTHON_SPEEDUP)),
        )
    }
}

fn generator(m: &Measurements) -> String {
    let Some(all) = m.time("generate.all") else {
        return "**6. Generator: not measured.**".to_owned();
    };
    let slowest = m
        .times
        .iter()
        .filter_map(|(key, t)| Some((key.strip_prefix("generate.one.")?, *t)))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    let slowest = slowest.map_or(String::new(), |(schema, t)| {
        format!("`{schema}.json` alone takes {}", time(Some(t)))
    });
    let cpu = m
        .note("cpu.generate.all")
        .and_then(|ns| ns.parse().ok())
        .map_or(String::new(), |ns| {
            format!(", {} of it on the CPU", time(Some(ns)))
        });
    if all < 20e6 {
        format!(
            "**6. Generator: met** ({} for all six schemas{cpu}; {} allocator calls). The schemas are small, \
             so parsing, lowering, emitting and formatting them in-process is milliseconds of work; {slowest}.",
            time(Some(all)),
            allocs(m, "generate.all"),
        )
    } else {
        format!(
            "**6. Generator: missed** ({}{cpu}, target < 20 ms). The per-schema rows show where the time \
             goes: {slowest}.",
            time(Some(all)),
        )
    }
}

fn compile(m: &Measurements) -> String {
    if let Some(reason) = m.note("compile.error") {
        return format!("**7. Compile time: not fully measured**: {reason}.");
    }
    let lines = m.note("generated.lines").unwrap_or("?");
    format!(
        "**7. Compile time** (no target): {} in debug and {} in release for the {lines} generated lines, \
         each including cargo's own start-up ({} and {} with nothing to compile); the dependencies are built \
         once beforehand and not counted. gtema's `openstack-types-image`, {} lines that cover every Glance \
         response, takes {} in debug and {} in release the same way.",
        time(m.time("compile.debug")),
        time(m.time("compile.release")),
        time(m.time("compile.noop.debug")),
        time(m.time("compile.noop.release")),
        m.note("gtema.lines").unwrap_or("?"),
        time(m.time("compile.gtema.debug")),
        time(m.time("compile.gtema.release")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_diff_miss_names_the_cost_of_building_the_output() {
        let m = Measurements::parsed(
            "BENCH diff.typed 800 1 1\nBENCH diff.value 3000 1 1\nBENCH diff.build_only 400 1 1\n\
             NOTE diff.operations.typed 5\n",
        );
        let text = diff(&m);
        assert!(
            text.starts_with("**4. Diff: missed** (3.75× faster"),
            "{text}"
        );
        assert!(
            text.contains("400 ns of its 800 ns, more than the 300 ns"),
            "{text}"
        );
    }

    #[test]
    fn a_met_diff_says_so() {
        let m = Measurements::parsed("BENCH diff.typed 100 1 1\nBENCH diff.value 3000 1 1\n");
        assert!(
            diff(&m).starts_with("**4. Diff: met** (30.0× faster"),
            "{}",
            diff(&m)
        );
    }

    #[test]
    fn decode_lists_only_the_pages_it_missed() {
        let m = Measurements::parsed(
            "BENCH decode.typed.images-list-default 500 1 1\nBENCH decode.value.images-list-default 1000 1 1\n\
             BENCH decode.typed.images-list-page1 1100 1 1\nBENCH decode.value.images-list-page1 1000 1 1\n",
        );
        let text = decode(&m);
        assert!(
            text.starts_with("**1. Decoding: missed on `images-list-page1` (1.100)**"),
            "{text}"
        );
        assert!(!text.contains("`images-list-default` ("), "{text}");
    }

    #[test]
    fn an_encode_miss_that_vanishes_with_a_reused_buffer_is_blamed_on_the_buffer() {
        let lines = "BENCH encode.typed.images-list-lastpage 830 1 1\nBENCH encode.value.images-list-lastpage 800 1 1\n";
        let reused = "BENCH encode_reused.typed.images-list-lastpage 550 1 1\n\
                      BENCH encode_reused.value.images-list-lastpage 575 1 1\n";
        let text = encode(&Measurements::parsed(&format!("{lines}{reused}")));
        assert!(
            text.starts_with("**2. Encoding: missed on `images-list-lastpage` (1.038)**"),
            "{text}"
        );
        assert!(text.contains("ahead on the same pages (0.96 of"), "{text}");
        let text = encode(&Measurements::parsed(lines));
        assert!(text.contains("the gap is in serializing itself"), "{text}");
    }
}
