//! Decoding and encoding the same documents as cloud-images' `Image` and
//! `ImageList` and as the image types of gtema's `openstack_sdk` (crate
//! `openstack-types-image`), the Rust peer a user chooses between.
//!
//! gtema's `ImageResponse` keeps only the keys its schema names: every
//! custom property is dropped. The bench checks that ours loses nothing and
//! notes how many keys gtema's drops, so that a time is never bought with
//! data.
//!
//! `cargo bench -p cloud-images --bench peers` runs divan;
//! `cargo xtask bench` runs the same functions for its report.

#[path = "../../xtask/bench/harness.rs"]
mod harness;

#[global_allocator]
static ALLOCATOR: harness::CountingAllocator = harness::CountingAllocator;

use cloud_images::{Image, ImageList};
use divan::{Bencher, black_box};
use openstack_types_image::v2::image::response::{get, list};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The documents, by name: one image, a list page, and an operator's image
/// with many free-form properties.
const IMAGES: &[(&str, &str)] = &[
    (
        "image-plain",
        include_str!("../../tests/fixtures/samples/image-active-qcow2.json"),
    ),
    (
        "image-operator",
        include_str!("data/image-operator-properties.json"),
    ),
];

const LIST: (&str, &str) = (
    "images-list-default",
    include_str!("../../tests/fixtures/samples/images-list-default.json"),
);

const IMAGE_NAMES: [&str; 2] = [IMAGES[0].0, IMAGES[1].0];

fn image(name: &str) -> &'static str {
    IMAGES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
        .unwrap_or_else(|| panic!("no image document named {name}"))
}

/// A list page as gtema's types read one: `openstack_sdk` pages through
/// `images` and decodes each item as `list::ImageResponse`; the links are
/// plain strings.
#[derive(Deserialize, Serialize)]
struct GtemaPage {
    images: Vec<list::ImageResponse>,
    #[serde(default)]
    first: Option<String>,
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    schema: Option<String>,
}

fn decode<'a, T: Deserialize<'a>>(text: &'a str) -> T {
    serde_json::from_str(text).expect("the document decodes")
}

fn encode<T: Serialize>(document: &T) -> Vec<u8> {
    serde_json::to_vec(document).expect("the document encodes")
}

/// The top-level keys of `text` that survive a decode and re-encode as `T`
/// with their value unchanged, and how many the document has.
fn kept_keys<T: Serialize + for<'a> Deserialize<'a>>(text: &str) -> (usize, usize) {
    let original: Value = decode(text);
    let typed: T = decode(text);
    let again: Value = serde_json::from_slice(&encode(&typed)).expect("the encoding is JSON");
    let (Value::Object(original), Value::Object(again)) = (original, again) else {
        panic!("the documents are objects");
    };
    let kept = original
        .iter()
        .filter(|(key, value)| again.get(*key) == Some(*value))
        .count();
    (kept, original.len())
}

/// Ours must hold every key with its value: a faster decode that drops
/// data would not be a faster decode of the same document.
fn check_lossless(name: &str) {
    let text = if name == LIST.0 { LIST.1 } else { image(name) };
    let original: Value = decode(text);
    let again: Value = if name == LIST.0 {
        serde_json::from_slice(&encode(&decode::<ImageList>(text))).expect("JSON")
    } else {
        serde_json::from_slice(&encode(&decode::<Image>(text))).expect("JSON")
    };
    assert_eq!(again, original, "{name}: cloud-images does not round-trip");
}

#[divan::bench_group]
mod decode {
    use super::*;

    #[divan::bench(args = IMAGE_NAMES)]
    fn cloud_images(bencher: Bencher, name: &str) {
        let text = image(name);
        bencher.bench(|| decode::<Image>(black_box(text)));
    }

    #[divan::bench(args = IMAGE_NAMES)]
    fn gtema(bencher: Bencher, name: &str) {
        let text = image(name);
        bencher.bench(|| decode::<get::ImageResponse>(black_box(text)));
    }

    #[divan::bench]
    fn cloud_images_list(bencher: Bencher) {
        bencher.bench(|| decode::<ImageList>(black_box(LIST.1)));
    }

    #[divan::bench]
    fn gtema_list(bencher: Bencher) {
        bencher.bench(|| decode::<GtemaPage>(black_box(LIST.1)));
    }
}

#[divan::bench_group]
mod encode {
    use super::*;

    #[divan::bench(args = IMAGE_NAMES)]
    fn cloud_images(bencher: Bencher, name: &str) {
        let typed: Image = decode(image(name));
        bencher.bench(|| encode(black_box(&typed)));
    }

    #[divan::bench(args = IMAGE_NAMES)]
    fn gtema(bencher: Bencher, name: &str) {
        let typed: get::ImageResponse = decode(image(name));
        bencher.bench(|| encode(black_box(&typed)));
    }

    #[divan::bench]
    fn cloud_images_list(bencher: Bencher) {
        let typed: ImageList = decode(LIST.1);
        bencher.bench(|| encode(black_box(&typed)));
    }

    #[divan::bench]
    fn gtema_list(bencher: Bencher) {
        let typed: GtemaPage = decode(LIST.1);
        bencher.bench(|| encode(black_box(&typed)));
    }
}

/// Times one document both ways, decoding then encoding.
fn compare_document<Ours, Theirs>(name: &str, text: &'static str)
where
    Ours: Serialize + for<'a> Deserialize<'a>,
    Theirs: Serialize + for<'a> Deserialize<'a>,
{
    check_lossless(name);
    let (ours_kept, keys) = kept_keys::<Ours>(text);
    let (theirs_kept, _) = kept_keys::<Theirs>(text);
    harness::note(&format!("peer.keys.{name}"), keys);
    harness::note(&format!("peer.kept.typed.{name}"), ours_kept);
    harness::note(&format!("peer.kept.gtema.{name}"), theirs_kept);
    harness::note(&format!("bytes.{name}"), text.len());
    harness::compare(
        &format!("peer_decode.typed.{name}"),
        || decode::<Ours>(black_box(text)),
        &format!("peer_decode.gtema.{name}"),
        || decode::<Theirs>(black_box(text)),
    );
    let ours: Ours = decode(text);
    let theirs: Theirs = decode(text);
    harness::note(&format!("peer.encoded.typed.{name}"), encode(&ours).len());
    harness::note(&format!("peer.encoded.gtema.{name}"), encode(&theirs).len());
    harness::compare(
        &format!("peer_encode.typed.{name}"),
        || encode(black_box(&ours)),
        &format!("peer_encode.gtema.{name}"),
        || encode(black_box(&theirs)),
    );
}

/// `text` without the keys `Image` keeps as custom properties, written the
/// way the documents are (pretty, two spaces).
fn without_custom_properties(text: &str) -> String {
    let image: Image = decode(text);
    let mut document: Value = decode(text);
    let object = document.as_object_mut().expect("the document is an object");
    for key in image.additional_properties.keys() {
        object.remove(key);
    }
    serde_json::to_string_pretty(&document).expect("the document encodes")
}

/// Where the time of the operator's image goes: the same document decoded
/// without its custom properties, so that the cost of keeping them (ours)
/// and of skipping them (gtema) can be told apart from the rest; and `Image`
/// encoded without them, which writes what gtema writes.
fn split_custom_properties(name: &str, text: &str) {
    let stripped = without_custom_properties(text);
    harness::note(&format!("bytes_without_custom.{name}"), stripped.len());
    harness::interleave(&mut [
        (&format!("split_decode.typed.{name}"), &mut || {
            drop(black_box(decode::<Image>(black_box(text))))
        }),
        (&format!("split_decode.gtema.{name}"), &mut || {
            drop(black_box(decode::<get::ImageResponse>(black_box(text))))
        }),
        (
            &format!("split_decode.typed_without_custom.{name}"),
            &mut || drop(black_box(decode::<Image>(black_box(&stripped)))),
        ),
        (
            &format!("split_decode.gtema_without_custom.{name}"),
            &mut || {
                drop(black_box(decode::<get::ImageResponse>(black_box(
                    &stripped,
                ))))
            },
        ),
    ]);
    let full: Image = decode(text);
    let theirs: get::ImageResponse = decode(text);
    let mut bare = full.clone();
    bare.additional_properties = cloud_images::Properties::new();
    harness::note(
        &format!("peer.encoded.typed_without_custom.{name}"),
        encode(&bare).len(),
    );
    harness::interleave(&mut [
        (&format!("split_encode.typed.{name}"), &mut || {
            drop(black_box(encode(black_box(&full))))
        }),
        (&format!("split_encode.gtema.{name}"), &mut || {
            drop(black_box(encode(black_box(&theirs))))
        }),
        (
            &format!("split_encode.typed_without_custom.{name}"),
            &mut || drop(black_box(encode(black_box(&bare)))),
        ),
    ]);
}

fn report() {
    for (name, text) in IMAGES {
        let free_form = decode::<Image>(text).properties().count();
        harness::note(&format!("peer.free_form.{name}"), free_form);
    }
    for (name, text) in IMAGES {
        compare_document::<Image, get::ImageResponse>(name, text);
    }
    compare_document::<ImageList, GtemaPage>(LIST.0, LIST.1);
    split_custom_properties(IMAGES[1].0, IMAGES[1].1);
}

fn main() {
    for name in IMAGE_NAMES.into_iter().chain([LIST.0]) {
        check_lossless(name);
    }
    if harness::report_requested() {
        report();
    } else {
        divan::main();
    }
}
