//! Decoding and encoding the list pages a real Glance sent, as the typed
//! `ImageList` and as `serde_json::Value` (the baseline).
//!
//! `cargo bench -p cloud-images --bench documents` runs divan;
//! `cargo xtask bench` runs the same functions for its report.

#[path = "../../xtask/bench/harness.rs"]
mod harness;

#[global_allocator]
static ALLOCATOR: harness::CountingAllocator = harness::CountingAllocator;

use cloud_images::ImageList;
use divan::{Bencher, black_box, counter::BytesCount};
use serde_json::Value;

/// The list pages recorded from Glance 33, by name.
const LISTS: &[(&str, &str)] = &[
    (
        "images-list-default",
        include_str!("../../tests/fixtures/samples/images-list-default.json"),
    ),
    (
        "images-list-page1",
        include_str!("../../tests/fixtures/samples/images-list-page1.json"),
    ),
    (
        "images-list-lastpage",
        include_str!("../../tests/fixtures/samples/images-list-lastpage.json"),
    ),
];

const LIST_NAMES: [&str; 3] = [LISTS[0].0, LISTS[1].0, LISTS[2].0];

fn list(name: &str) -> &'static str {
    LISTS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
        .unwrap_or_else(|| panic!("no list sample named {name}"))
}

fn decode_typed(text: &str) -> ImageList {
    serde_json::from_str(text).expect("a recorded list page decodes as ImageList")
}

fn decode_value(text: &str) -> Value {
    serde_json::from_str(text).expect("a recorded list page is JSON")
}

fn encode_typed(list: &ImageList) -> Vec<u8> {
    serde_json::to_vec(list).expect("an ImageList encodes")
}

fn encode_value(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).expect("a Value encodes")
}

/// Encodes into a buffer kept across calls, which takes the output's growth
/// (and where the heap lets it grow in place) out of the comparison.
fn encode_into<T: serde::Serialize>(buffer: &mut Vec<u8>, document: &T) -> usize {
    buffer.clear();
    serde_json::to_writer(&mut *buffer, document).expect("the document encodes");
    buffer.len()
}

/// Both sides must do the same work: the typed value has to hold every key
/// the page has, or a faster decode would only mean a lossy one.
fn check_same_document(name: &str, text: &str) {
    let typed = decode_typed(text);
    let value = decode_value(text);
    let reencoded: Value =
        serde_json::from_slice(&encode_typed(&typed)).expect("typed encoding is JSON");
    assert_eq!(reencoded, value, "{name}: ImageList does not round-trip");
}

#[divan::bench_group]
mod decode {
    use super::*;

    #[divan::bench(args = LIST_NAMES)]
    fn image_list(bencher: Bencher, name: &str) {
        let text = list(name);
        bencher
            .counter(BytesCount::of_str(text))
            .bench(|| decode_typed(black_box(text)));
    }

    #[divan::bench(args = LIST_NAMES)]
    fn value(bencher: Bencher, name: &str) {
        let text = list(name);
        bencher
            .counter(BytesCount::of_str(text))
            .bench(|| decode_value(black_box(text)));
    }
}

#[divan::bench_group]
mod encode {
    use super::*;

    #[divan::bench(args = LIST_NAMES)]
    fn image_list(bencher: Bencher, name: &str) {
        let typed = decode_typed(list(name));
        bencher.bench(|| encode_typed(black_box(&typed)));
    }

    #[divan::bench(args = LIST_NAMES)]
    fn value(bencher: Bencher, name: &str) {
        let value = decode_value(list(name));
        bencher.bench(|| encode_value(black_box(&value)));
    }

    #[divan::bench(args = LIST_NAMES)]
    fn image_list_reused_buffer(bencher: Bencher, name: &str) {
        let typed = decode_typed(list(name));
        let mut buffer = Vec::new();
        bencher.bench_local(|| encode_into(&mut buffer, black_box(&typed)));
    }

    #[divan::bench(args = LIST_NAMES)]
    fn value_reused_buffer(bencher: Bencher, name: &str) {
        let value = decode_value(list(name));
        let mut buffer = Vec::new();
        bencher.bench_local(|| encode_into(&mut buffer, black_box(&value)));
    }
}

fn report() {
    for (name, text) in LISTS {
        check_same_document(name, text);
        harness::note(&format!("bytes.{name}"), text.len());
        let images = decode_typed(text).images.map_or(0, |images| images.len());
        harness::note(&format!("images.{name}"), images);
        harness::compare(
            &format!("decode.typed.{name}"),
            || decode_typed(black_box(text)),
            &format!("decode.value.{name}"),
            || decode_value(black_box(text)),
        );
        let typed = decode_typed(text);
        let value = decode_value(text);
        harness::compare(
            &format!("encode.typed.{name}"),
            || encode_typed(black_box(&typed)),
            &format!("encode.value.{name}"),
            || encode_value(black_box(&value)),
        );
        let (mut typed_buffer, mut value_buffer) = (Vec::new(), Vec::new());
        harness::compare(
            &format!("encode_reused.typed.{name}"),
            || encode_into(&mut typed_buffer, black_box(&typed)),
            &format!("encode_reused.value.{name}"),
            || encode_into(&mut value_buffer, black_box(&value)),
        );
    }
}

fn main() {
    if harness::report_requested() {
        report();
    } else {
        for (name, text) in LISTS {
            check_same_document(name, text);
        }
        divan::main();
    }
}
