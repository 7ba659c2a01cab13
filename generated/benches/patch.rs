//! Building and diffing image patches, against the untyped ways of doing
//! the same with the `json-patch` crate.
//!
//! `cargo bench -p cloud-images --bench patch` runs divan;
//! `cargo xtask bench` runs the same functions for its report.

#[path = "../../xtask/bench/harness.rs"]
mod harness;

#[global_allocator]
static ALLOCATOR: harness::CountingAllocator = harness::CountingAllocator;

use cloud_images::{Image, ImagePatch};
use divan::{Bencher, black_box};
use json_patch::jsonptr::PointerBuf;
use json_patch::{AddOperation, PatchOperation, ReplaceOperation};
use serde_json::{Value, json};

/// An active image as Glance 33 returned it, with locations shown.
const IMAGE: &str = include_str!("../../tests/fixtures/samples/image-active-with-locations.json");

/// The 5-operation patch a client typically sends, through the typed builder.
fn build_typed() -> Vec<u8> {
    let patch = ImagePatch::builder()
        .replace_name(Some("x"))
        .replace_min_ram(512)
        .add_os_distro("ubuntu")
        .replace_tags(["a", "b"])
        .add_property("hw_disk_bus", "virtio")
        .build()
        .expect("the typical patch is valid");
    serde_json::to_vec(&patch).expect("a patch encodes")
}

/// The same patch as `json-patch` operations built by hand, unchecked.
fn build_by_hand() -> Vec<u8> {
    let operations = vec![
        PatchOperation::Replace(ReplaceOperation {
            path: PointerBuf::from_tokens(["name"]),
            value: Value::from("x"),
        }),
        PatchOperation::Replace(ReplaceOperation {
            path: PointerBuf::from_tokens(["min_ram"]),
            value: Value::from(512),
        }),
        PatchOperation::Add(AddOperation {
            path: PointerBuf::from_tokens(["os_distro"]),
            value: Value::from("ubuntu"),
        }),
        PatchOperation::Replace(ReplaceOperation {
            path: PointerBuf::from_tokens(["tags"]),
            value: json!(["a", "b"]),
        }),
        PatchOperation::Add(AddOperation {
            path: PointerBuf::from_tokens(["hw_disk_bus"]),
            value: Value::from("virtio"),
        }),
    ];
    serde_json::to_vec(&operations).expect("operations encode")
}

/// Two versions of a typical image: the recorded one with more custom
/// properties, and the same after five edits (two base properties, the tags,
/// one custom property changed and one added).
struct DiffInput {
    old_text: String,
    new_text: String,
    old_image: Image,
    new_image: Image,
    old_value: Value,
    new_value: Value,
}

impl DiffInput {
    fn new() -> Self {
        let mut old: Value = serde_json::from_str(IMAGE).expect("the sample is JSON");
        let extra = [
            ("os_version", "0.6.2"),
            ("os_type", "linux"),
            ("description", "CirrOS test image, as uploaded by the lab"),
            ("hw_vif_model", "virtio"),
            ("hw_qemu_guest_agent", "yes"),
            ("img_hv_type", "kvm"),
        ];
        let object = old.as_object_mut().expect("the sample is an object");
        for (key, value) in extra {
            object.insert(key.to_owned(), Value::from(value));
        }
        let mut new = old.clone();
        let object = new.as_object_mut().expect("the sample is an object");
        object.insert("name".to_owned(), Value::from("cirros-like-active-v2"));
        object.insert("min_ram".to_owned(), Value::from(512));
        object.insert("tags".to_owned(), json!(["upload", "golden"]));
        object.insert("hw_vif_model".to_owned(), Value::from("e1000"));
        object.insert("os_admin_user".to_owned(), Value::from("cirros"));

        let old_text = serde_json::to_string_pretty(&old).expect("encodes");
        let new_text = serde_json::to_string_pretty(&new).expect("encodes");
        DiffInput {
            old_image: serde_json::from_str(&old_text).expect("old decodes as Image"),
            new_image: serde_json::from_str(&new_text).expect("new decodes as Image"),
            old_text,
            new_text,
            old_value: old,
            new_value: new,
        }
    }
}

/// The five operations `diff_typed` returns for [`DiffInput`], through the
/// builder alone: how much of the diff is building its output rather than
/// finding the changes.
fn build_diff_output() -> ImagePatch {
    ImagePatch::builder()
        .replace_min_ram(512)
        .replace_name(Some("cirros-like-active-v2"))
        .replace_tags(["upload", "golden"])
        .replace_property("hw_vif_model", "e1000")
        .add_property("os_admin_user", "cirros")
        .build()
        .expect("the diff's operations are valid")
}

fn diff_typed(old: &Image, new: &Image) -> ImagePatch {
    ImagePatch::diff(old, new).expect("the edits are all allowed")
}

fn diff_value(old: &Value, new: &Value) -> json_patch::Patch {
    json_patch::diff(old, new)
}

fn diff_typed_from_text(old: &str, new: &str) -> ImagePatch {
    let old: Image = serde_json::from_str(old).expect("old decodes");
    let new: Image = serde_json::from_str(new).expect("new decodes");
    diff_typed(&old, &new)
}

fn diff_value_from_text(old: &str, new: &str) -> json_patch::Patch {
    let old: Value = serde_json::from_str(old).expect("old decodes");
    let new: Value = serde_json::from_str(new).expect("new decodes");
    diff_value(&old, &new)
}

/// Both builders must produce the same body, and both diffs must turn the
/// old document into the new one, or the comparison would be meaningless.
fn check_equivalent(input: &DiffInput) -> (usize, usize) {
    let typed: Value = serde_json::from_slice(&build_typed()).expect("typed body is JSON");
    let by_hand: Value = serde_json::from_slice(&build_by_hand()).expect("hand body is JSON");
    assert_eq!(
        typed, by_hand,
        "the two ways of building the patch disagree"
    );

    let typed = diff_typed(&input.old_image, &input.new_image);
    assert_eq!(
        serde_json::to_value(&typed).expect("encodes"),
        serde_json::to_value(build_diff_output()).expect("encodes"),
        "build_diff_output no longer builds what the diff returns"
    );
    let typed = json_patch::Patch::from(&typed);
    let untyped = diff_value(&input.old_value, &input.new_value);
    for (name, patch) in [("ImagePatch::diff", &typed), ("json_patch::diff", &untyped)] {
        let mut document = input.old_value.clone();
        json_patch::patch(&mut document, &patch.0).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            document, input.new_value,
            "{name} does not produce the new image"
        );
    }
    (typed.0.len(), untyped.0.len())
}

#[divan::bench_group]
mod build {
    use super::*;

    #[divan::bench]
    fn image_patch_builder() -> Vec<u8> {
        build_typed()
    }

    #[divan::bench]
    fn json_patch_by_hand() -> Vec<u8> {
        build_by_hand()
    }
}

#[divan::bench_group]
mod diff {
    use super::*;

    #[divan::bench]
    fn image_patch(bencher: Bencher) {
        let input = DiffInput::new();
        bencher.bench(|| diff_typed(black_box(&input.old_image), black_box(&input.new_image)));
    }

    #[divan::bench]
    fn json_patch_value(bencher: Bencher) {
        let input = DiffInput::new();
        bencher.bench(|| diff_value(black_box(&input.old_value), black_box(&input.new_value)));
    }

    #[divan::bench]
    fn image_patch_output_only() -> ImagePatch {
        build_diff_output()
    }

    #[divan::bench]
    fn image_patch_with_decode(bencher: Bencher) {
        let input = DiffInput::new();
        bencher
            .bench(|| diff_typed_from_text(black_box(&input.old_text), black_box(&input.new_text)));
    }

    #[divan::bench]
    fn json_patch_value_with_decode(bencher: Bencher) {
        let input = DiffInput::new();
        bencher
            .bench(|| diff_value_from_text(black_box(&input.old_text), black_box(&input.new_text)));
    }
}

fn report() {
    let input = DiffInput::new();
    let (typed_ops, untyped_ops) = check_equivalent(&input);
    if let Some(dir) = std::env::var_os(harness::OUT_DIR_ENV) {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).expect("the bench output directory can be created");
        std::fs::write(dir.join("diff-old.json"), &input.old_text).expect("writes diff-old.json");
        std::fs::write(dir.join("diff-new.json"), &input.new_text).expect("writes diff-new.json");
    }
    let keys = |value: &Value| value.as_object().map_or(0, |object| object.len());
    harness::note("diff.keys.old", keys(&input.old_value));
    harness::note("diff.keys.new", keys(&input.new_value));
    harness::note("diff.custom.old", input.old_image.properties().count());
    harness::note("diff.operations.typed", typed_ops);
    harness::note("diff.operations.value", untyped_ops);

    harness::compare("build.typed", build_typed, "build.by_hand", build_by_hand);
    // The builder alone is timed with the two diffs so that the report can
    // say what share of the typed diff is building its output.
    harness::interleave(&mut [
        ("diff.typed", &mut || {
            drop(black_box(diff_typed(
                black_box(&input.old_image),
                black_box(&input.new_image),
            )))
        }),
        ("diff.value", &mut || {
            drop(black_box(diff_value(
                black_box(&input.old_value),
                black_box(&input.new_value),
            )))
        }),
        ("diff.build_only", &mut || {
            drop(black_box(build_diff_output()))
        }),
    ]);
    harness::compare(
        "diff_with_decode.typed",
        || diff_typed_from_text(black_box(&input.old_text), black_box(&input.new_text)),
        "diff_with_decode.value",
        || diff_value_from_text(black_box(&input.old_text), black_box(&input.new_text)),
    );
}

fn main() {
    if harness::report_requested() {
        report();
    } else {
        check_equivalent(&DiffInput::new());
        divan::main();
    }
}
