//! Item 8: cloud-images' `Image` and `ImageList` against gtema's
//! `openstack-types-image`, on the documents of `generated/benches/peers.rs`.

use std::fmt::Write as _;

use super::Comparison;
use super::format::{significant, time};
use crate::bench::Measurements;

/// The documents, in report order, with what each one is.
pub const DOCUMENTS: &[(&str, &str)] = &[
    ("image-plain", "a plain image"),
    ("image-operator", "an operator's image"),
    ("images-list-default", "a list page"),
];

pub fn comparisons(m: &Measurements) -> Vec<Comparison> {
    let mut rows = Vec::new();
    for verb in ["decode", "encode"] {
        for (name, what) in DOCUMENTS {
            let list = name.starts_with("images-");
            rows.push(Comparison {
                item: 8,
                what: format!("{verb} {what}, `{name}` ({})", describe(m, name)),
                ours_label: if list { "`ImageList`" } else { "`Image`" },
                ours: format!("peer_{verb}.typed.{name}"),
                baseline_label: if list {
                    "gtema `Vec<ImageResponse>`"
                } else {
                    "gtema `ImageResponse`"
                },
                baseline: format!("peer_{verb}.gtema.{name}"),
                max_ratio: Some(1.0),
                target: "≤ 1.00 (as fast)",
            });
        }
    }
    rows
}

fn describe(m: &Measurements, name: &str) -> String {
    let bytes = m
        .note(&format!("bytes.{name}"))
        .and_then(|b| b.parse::<f64>().ok())
        .map_or("?".to_owned(), |b| format!("{:.1} KB", b / 1000.0));
    match m.note(&format!("peer.free_form.{name}")) {
        Some(count) => format!("{bytes}, {count} custom properties"),
        None => bytes,
    }
}

fn ratio(m: &Measurements, verb: &str, name: &str) -> Option<f64> {
    Some(
        m.time(&format!("peer_{verb}.typed.{name}"))?
            / m.time(&format!("peer_{verb}.gtema.{name}"))?,
    )
}

pub fn findings(m: &Measurements) -> Vec<String> {
    let measured = DOCUMENTS
        .iter()
        .any(|(name, _)| ratio(m, "decode", name).is_some());
    if !measured {
        return vec!["**8. Against gtema's `openstack-types-image`: not measured.**".to_owned()];
    }
    let mut out = Vec::new();
    for verb in ["decode", "encode"] {
        let missed: Vec<String> = DOCUMENTS
            .iter()
            .filter_map(|(name, _)| Some((name, ratio(m, verb, name)?)))
            .filter(|(_, r)| *r > 1.0)
            .map(|(name, r)| format!("`{name}` ({r:.2})"))
            .collect();
        let verdict = if missed.is_empty() {
            "met on every document".to_owned()
        } else {
            format!("missed on {}", missed.join(", "))
        };
        let kept = |side: &str, name: &str| {
            m.note(&format!("peer.kept.{side}.{name}"))
                .unwrap_or("?")
                .to_owned()
        };
        let keys = m.note("peer.keys.image-operator").unwrap_or("?");
        let detail = if verb == "decode" {
            format!(
                "On the operator's image, `Image` keeps all {keys} keys ({} kept with their values after a round \
                 trip) where `ImageResponse` keeps {}; the custom properties go into `Properties`, one buffer \
                 of text and a flat list, so decoding it takes {} allocator calls against gtema's {}.{}",
                kept("typed", "image-operator"),
                kept("gtema", "image-operator"),
                allocs(m, "peer_decode.typed.image-operator"),
                allocs(m, "peer_decode.gtema.image-operator"),
                decode_split(m),
            )
        } else {
            let bytes = |side: &str| {
                m.note(&format!("peer.encoded.{side}.image-operator"))
                    .unwrap_or("?")
                    .to_owned()
            };
            let per_byte = |side: &str| -> Option<f64> {
                let ns = m.time(&format!("peer_encode.{side}.image-operator"))?;
                let bytes: f64 = m
                    .note(&format!("peer.encoded.{side}.image-operator"))?
                    .parse()
                    .ok()?;
                Some(ns / bytes)
            };
            let per_byte = match (per_byte("typed"), per_byte("gtema")) {
                (Some(ours), Some(theirs)) => format!(
                    ", {} ns per byte written against {} ns",
                    significant(ours),
                    significant(theirs)
                ),
                _ => String::new(),
            };
            format!(
                "Encoding writes what was decoded: {} bytes for the operator's image from `Image` against {} \
                 from `ImageResponse`, which dropped the custom properties and writes `null` for absent keys \
                 ({} against {}{per_byte}). Both go through the same `serde_json` serializer.{}",
                bytes("typed"),
                bytes("gtema"),
                time(m.time("peer_encode.typed.image-operator")),
                time(m.time("peer_encode.gtema.image-operator")),
                encode_split(m),
            )
        };
        out.push(format!(
            "**8. {} against gtema's `openstack-types-image`: {verdict}** (target ≤ 1.00). {detail}",
            if verb == "decode" { "Decoding" } else { "Encoding" },
        ));
    }
    out
}

/// Where the operator image's decode time goes, from the four decodes the
/// peers bench interleaves: with and without the custom properties, each way.
fn decode_split(m: &Measurements) -> String {
    let name = "image-operator";
    let split = |side: &str| m.time(&format!("split_decode.{side}.{name}"));
    let (Some(ours), Some(theirs), Some(ours_bare), Some(theirs_bare)) = (
        split("typed"),
        split("gtema"),
        split("typed_without_custom"),
        split("gtema_without_custom"),
    ) else {
        return String::new();
    };
    let custom = m.note(&format!("peer.free_form.{name}")).unwrap_or("?");
    let kept = |side: &str| {
        m.note(&format!("peer.kept.{side}.image-plain"))
            .unwrap_or("?")
            .to_owned()
    };
    format!(
        " Without its {custom} custom properties the same document decodes as `Image` in {} against \
         gtema's {} ({:.2}); with them, `Image` spends {} more, parsing each value and keeping it, where gtema \
         spends {} more skipping them. Most of the gap is that difference, and the rest is of the same kind: \
         gtema's type also skips keys the schema declares (on the plain image `Image` keeps {} keys to its \
         {}). A decoder that keeps a value cannot spend less on it than serde_json spends skipping it, and \
         a lossy type is not a remedy this crate takes.",
        time(Some(ours_bare)),
        time(Some(theirs_bare)),
        ours_bare / theirs_bare,
        time(Some(ours - ours_bare)),
        time(Some(theirs - theirs_bare)),
        kept("typed"),
        kept("gtema"),
    )
}

/// Where the operator image's encode time goes: `Image` encoded with and
/// without its custom properties, beside gtema, in one interleaved run.
fn encode_split(m: &Measurements) -> String {
    let name = "image-operator";
    let split = |side: &str| m.time(&format!("split_encode.{side}.{name}"));
    let (Some(ours), Some(theirs), Some(bare)) = (
        split("typed"),
        split("gtema"),
        split("typed_without_custom"),
    ) else {
        return String::new();
    };
    let bytes = m
        .note(&format!("peer.encoded.typed_without_custom.{name}"))
        .unwrap_or("?");
    format!(
        " Without its custom properties `Image` writes {bytes} bytes in {} against gtema's {} ({:.2}); the \
         custom properties add {}. serde_json writes every key and string value through one escaping loop, \
         byte by byte, so their time follows their bytes; `serde::Serializer` offers no way to write \
         text already escaped (serde_json's `RawValue` works only with serde_json's own serializers, and \
         writes a wrong document through any other), so through serde no representation of the extra keys \
         costs less than writing them.",
        time(Some(bare)),
        time(Some(theirs)),
        bare / theirs,
        time(Some(ours - bare)),
    )
}

fn allocs(m: &Measurements, key: &str) -> String {
    m.note(&format!("allocs.{key}")).unwrap_or("?").to_owned()
}

pub fn inputs(out: &mut String, m: &Measurements) {
    let _ = writeln!(
        out,
        "- 8: `openstack-types-image` 0.22.8 (a dev-dependency of the benches): `v2::image::response::get::ImageResponse` \
         for an image, and a page of `v2::image::response::list::ImageResponse` items with the three links as \
         strings for a list page (what `openstack_sdk` decodes a page into). Documents: \
         `tests/fixtures/samples/image-active-qcow2.json` (a plain image Glance returned), \
         `generated/benches/data/image-operator-properties.json` (the same image with {} custom properties in the \
         key shapes operators publish: dotted `org.openstack__1__os_distro`, double-underscore \
         `com.rackspace__1__build_core`, a key of 56 characters, string values) and \
         `tests/fixtures/samples/images-list-default.json`. The bench checks that `Image` and `ImageList` \
         re-encode each document to the same JSON.",
        m.note("peer.free_form.image-operator").unwrap_or("?"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_operator_image_gap_is_split_into_custom_properties_and_the_rest() {
        let m = Measurements::parsed(
            "BENCH peer_decode.typed.image-operator 3000 1 1\nBENCH peer_decode.gtema.image-operator 2000 1 1\n\
             BENCH peer_encode.typed.image-operator 2000 1 1\nBENCH peer_encode.gtema.image-operator 900 1 1\n\
             BENCH split_decode.typed.image-operator 2900 1 1\nBENCH split_decode.gtema.image-operator 2100 1 1\n\
             BENCH split_decode.typed_without_custom.image-operator 1250 1 1\n\
             BENCH split_decode.gtema_without_custom.image-operator 1200 1 1\n\
             BENCH split_encode.typed.image-operator 2050 1 1\nBENCH split_encode.gtema.image-operator 850 1 1\n\
             BENCH split_encode.typed_without_custom.image-operator 900 1 1\n\
             NOTE peer.free_form.image-operator 28\nNOTE peer.encoded.typed_without_custom.image-operator 817\n\
             NOTE peer.kept.typed.image-plain 26\nNOTE peer.kept.gtema.image-plain 23\n",
        );
        let [decode, encode] = findings(&m).try_into().expect("two findings");
        assert!(
            decode.contains("missed on `image-operator` (1.50)"),
            "{decode}"
        );
        assert!(
            decode.contains("Without its 28 custom properties the same document decodes as `Image` in 1.25 µs against gtema's 1.20 µs (1.04)"),
            "{decode}"
        );
        assert!(decode.contains("spends 1.65 µs more"), "{decode}");
        assert!(decode.contains("spends 900 ns more skipping"), "{decode}");
        assert!(
            decode.contains("`Image` keeps 26 keys to its 23"),
            "{decode}"
        );
        assert!(
            encode.contains("writes 817 bytes in 900 ns against gtema's 850 ns (1.06); the custom properties add 1.15 µs"),
            "{encode}"
        );
    }

    #[test]
    fn without_the_split_the_findings_say_nothing_of_it() {
        let m = Measurements::parsed(
            "BENCH peer_decode.typed.image-operator 3000 1 1\nBENCH peer_decode.gtema.image-operator 2000 1 1\n",
        );
        let text = findings(&m).join("\n");
        assert!(!text.contains("Without its"), "{text}");
    }
}
