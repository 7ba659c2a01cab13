//! What the report compares and measures: one row per benchmark, named by
//! the keys the bench binaries print.

use crate::bench::Measurements;

/// The list pages the decode and encode benches read, in report order.
pub const PAGES: [&str; 3] = [
    "images-list-default",
    "images-list-page1",
    "images-list-lastpage",
];

/// One benchmark against its baseline, timed in the same run.
pub struct Comparison {
    pub item: u8,
    pub what: String,
    pub ours_label: &'static str,
    pub ours: String,
    pub baseline_label: &'static str,
    pub baseline: String,
    /// The largest `ours ÷ baseline` that meets the target, if there is one.
    pub max_ratio: Option<f64>,
    pub target: &'static str,
}

impl Comparison {
    /// `ours ÷ baseline`, when both were measured.
    pub fn ratio(&self, m: &Measurements) -> Option<f64> {
        Some(m.time(&self.ours)? / m.time(&self.baseline)?)
    }

    pub fn met(&self, m: &Measurements) -> Option<bool> {
        Some(self.ratio(m)? <= self.max_ratio?)
    }
}

pub fn comparisons(m: &Measurements) -> Vec<Comparison> {
    let mut rows = Vec::new();
    for (item, verb, ours_label) in [(1, "decode", "`ImageList`"), (2, "encode", "`ImageList`")] {
        for page in PAGES {
            rows.push(Comparison {
                item,
                what: format!("{verb} `{page}.json` ({})", page_size(m, page)),
                ours_label,
                ours: format!("{verb}.typed.{page}"),
                baseline_label: "`Value`",
                baseline: format!("{verb}.value.{page}"),
                max_ratio: Some(1.0),
                target: "≤ 1.00 (as fast)",
            });
        }
    }
    for page in PAGES {
        rows.push(Comparison {
            item: 2,
            what: format!("encode `{page}.json` into a buffer reused across calls"),
            ours_label: "`ImageList`",
            ours: format!("encode_reused.typed.{page}"),
            baseline_label: "`Value`",
            baseline: format!("encode_reused.value.{page}"),
            max_ratio: None,
            target: "—",
        });
    }
    rows.push(Comparison {
        item: 3,
        what: "build and serialize a 5-operation v2.1 patch".to_owned(),
        ours_label: "`ImagePatch::builder`",
        ours: "build.typed".to_owned(),
        baseline_label: "`json_patch` by hand",
        baseline: "build.by_hand".to_owned(),
        max_ratio: Some(1.2),
        target: "≤ 1.20",
    });
    rows.push(Comparison {
        item: 4,
        what: "diff two images, from decoded values".to_owned(),
        ours_label: "`ImagePatch::diff`",
        ours: "diff.typed".to_owned(),
        baseline_label: "`json_patch::diff`",
        baseline: "diff.value".to_owned(),
        max_ratio: Some(0.1),
        target: "≤ 0.10 (10× faster)",
    });
    rows.push(Comparison {
        item: 4,
        what: "diff two images, decoding both texts first".to_owned(),
        ours_label: "`ImagePatch::diff`",
        ours: "diff_with_decode.typed".to_owned(),
        baseline_label: "`json_patch::diff`",
        baseline: "diff_with_decode.value".to_owned(),
        max_ratio: None,
        target: "—",
    });
    rows.push(Comparison {
        item: 5,
        what: "diff two images, from decoded values".to_owned(),
        ours_label: "`ImagePatch::diff`",
        ours: "diff.typed".to_owned(),
        baseline_label: "Python `jsonpatch.make_patch`",
        baseline: "python.make_patch".to_owned(),
        max_ratio: Some(0.01),
        target: "≤ 0.01 (100× faster)",
    });
    rows
}

/// One absolute measurement, with a bound or for information.
pub struct Absolute {
    pub item: u8,
    pub what: String,
    pub key: String,
    pub max_ns: Option<f64>,
    pub target: &'static str,
}

pub fn absolutes(m: &Measurements) -> Vec<Absolute> {
    let mut rows = vec![Absolute {
        item: 4,
        what: "the diff's 5 operations through the builder alone (no comparing)".to_owned(),
        key: "diff.build_only".to_owned(),
        max_ns: None,
        target: "—",
    }];
    rows.push(Absolute {
        item: 6,
        what: "generator, all six schemas, in-process".to_owned(),
        key: "generate.all".to_owned(),
        max_ns: Some(20e6),
        target: "< 20 ms",
    });
    let mut schemas: Vec<&str> = m
        .times
        .keys()
        .filter_map(|key| key.strip_prefix("generate.one."))
        .collect();
    schemas.sort_unstable();
    for schema in schemas {
        rows.push(Absolute {
            item: 6,
            what: format!("generator, `{schema}.json` alone"),
            key: format!("generate.one.{schema}"),
            max_ns: None,
            target: "—",
        });
    }
    for profile in ["debug", "release"] {
        rows.push(Absolute {
            item: 7,
            what: format!("compile `cloud-images` alone, {profile} (dependencies already built)"),
            key: format!("compile.{profile}"),
            max_ns: None,
            target: "—",
        });
        rows.push(Absolute {
            item: 7,
            what: format!("… of which cargo with nothing to compile, {profile}"),
            key: format!("compile.noop.{profile}"),
            max_ns: None,
            target: "—",
        });
    }
    rows
}

fn page_size(m: &Measurements, page: &str) -> String {
    let bytes = m
        .note(&format!("bytes.{page}"))
        .and_then(|b| b.parse::<f64>().ok());
    let images = match m.note(&format!("images.{page}")) {
        Some("1") => "1 image".to_owned(),
        Some(n) => format!("{n} images"),
        None => "? images".to_owned(),
    };
    match bytes {
        Some(bytes) => format!("{:.1} KB, {images}", bytes / 1000.0),
        None => images,
    }
}
