//! End to end: `ImagePatch::diff` between a server image and a random valid
//! target, sent to a real Glance. The result must equal the patch applied
//! locally, and must equal the target on every mutable property.
//!
//! `CLOUD_IMAGES_E2E_DIFF_CASES` sets the number of cases (default 300);
//! `CLOUD_IMAGES_E2E_SEED` replays a run (the seed is printed).

mod e2e;

use std::collections::BTreeSet;

use cloud_images::{
    Image, ImageContainerFormat, ImageDiskFormat, ImagePatch, ImageVisibility, PatchMediaType,
};
use cloud_images_runtime::ImageCreate;
use cloud_images_tests::OWNER;
use e2e::Session;
use e2e::check::send_and_compare;
use e2e::json::{comparable, differences, mutable_properties};
use e2e::rng::Rng;
use serde_json::Value;

const CASES_ENV: &str = "CLOUD_IMAGES_E2E_DIFF_CASES";
const DEFAULT_CASES: usize = 300;
/// Cases run on one image before the next is created, so that several
/// starting points are covered.
const CASES_PER_IMAGE: usize = 100;

// No character beyond U+FFFF: Glance refuses those anywhere in an image
// with 400 ("Name can't contain 4 byte unicode characters."), which
// e2e_errors checks.
const NAMES: &[&str] = &[
    "",
    "plain",
    "ünïcode ✓",
    "✓ three-byte",
    "with \"quotes\" and \\ backslash",
    "tab\tand newline\n",
    "  padded  ",
];
const TAGS: &[&str] = &[
    "alpha",
    "beta",
    "gamma",
    "ü",
    "✓",
    "with space",
    "a/b",
    "x~y",
    "~1",
    "Ünï",
];
const VALUES: &[&str] = &[
    "",
    "v",
    "ünïcode ✓",
    "€",
    "a/b~c",
    "line\nbreak",
    "0",
    "true",
];
const FREE_FORM_KEYS: &[&str] = &[
    "vendor/arch",
    "tilde~key",
    "a~1b",
    "~0~1",
    "x/y/z",
    "ключ",
    "ключ/✓",
    "in ner",
    "hw_disk_bus",
    "é/~",
];

fn cases() -> usize {
    match std::env::var(CASES_ENV) {
        Ok(text) => text
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{CASES_ENV}=`{text}` is not a count")),
        Err(_) => DEFAULT_CASES,
    }
}

fn text(rng: &mut Rng, pool: &[&str]) -> String {
    match rng.below(6) {
        0 => format!("r-{:x}", rng.next_u64()),
        // The longest a name may be, counted in characters as Glance does.
        1 => rng.pick(&["x", "é", "✓"]).repeat(255),
        _ => (*rng.pick(pool)).to_owned(),
    }
}

fn integer(rng: &mut Rng) -> u64 {
    match rng.below(5) {
        0 => 0,
        1 => 1,
        2 => 2_147_483_647,
        _ => rng.below(100_000),
    }
}

/// `current` with some of its mutable properties changed at random, the
/// way a caller might edit an image before diffing it.
fn random_target(rng: &mut Rng, current: &Image) -> Image {
    let mut target = current.clone();
    let change = |rng: &mut Rng| rng.chance(1, 3);
    if change(rng) {
        target.name = Some(rng.chance(4, 5).then(|| text(rng, NAMES)));
    }
    if change(rng) {
        target.visibility = Some(
            rng.pick(&[
                ImageVisibility::Private,
                ImageVisibility::Shared,
                ImageVisibility::Community,
            ])
            .clone(),
        );
    }
    if change(rng) {
        target.protected = Some(rng.chance(1, 2));
    }
    if change(rng) {
        target.os_hidden = Some(rng.chance(1, 2));
    }
    if change(rng) {
        target.min_ram = Some(integer(rng));
    }
    if change(rng) {
        target.min_disk = Some(integer(rng));
    }
    if change(rng) {
        let count = rng.below(7);
        // Picks may repeat: Glance drops duplicate tags.
        target.tags = Some((0..count).map(|_| (*rng.pick(TAGS)).to_owned()).collect());
    }
    if change(rng) {
        let formats: Vec<ImageContainerFormat> = ImageContainerFormat::KNOWN_VALUES
            .iter()
            .map(|value| value.parse().expect("a known value parses"))
            .collect();
        target.container_format = Some(rng.chance(4, 5).then(|| rng.pick(&formats).clone()));
    }
    if change(rng) {
        let formats: Vec<ImageDiskFormat> = ImageDiskFormat::KNOWN_VALUES
            .iter()
            .map(|value| value.parse().expect("a known value parses"))
            .collect();
        target.disk_format = Some(rng.chance(4, 5).then(|| rng.pick(&formats).clone()));
    }
    for field in [
        &mut target.architecture,
        &mut target.os_distro,
        &mut target.os_version,
        &mut target.description,
        &mut target.instance_uuid,
    ] {
        if change(rng) {
            *field = rng.chance(2, 3).then(|| text(rng, VALUES));
        }
    }
    for field in [&mut target.kernel_id, &mut target.ramdisk_id] {
        if change(rng) {
            *field = match rng.below(3) {
                0 => None,
                1 => Some(None),
                _ => Some(Some(rng.uuid())),
            };
        }
    }
    for key in FREE_FORM_KEYS {
        if change(rng) {
            if rng.chance(1, 2) {
                target.set_property(*key, text(rng, VALUES));
            } else {
                target.remove_property(key);
            }
        }
    }
    target
}

/// The value of each mutable property and free-form key, in the form
/// [`comparable`] gives: what the server must hold once it reached a target.
/// `declared` names the schema's properties; other keys are free-form,
/// except Glance's own `os_glance*`.
fn mutable_view(image: &Value, mutable: &BTreeSet<String>, declared: &BTreeSet<String>) -> Value {
    let comparable = comparable(image);
    let object = comparable.as_object().expect("an image is an object");
    let view = object
        .iter()
        .filter(|(key, _)| {
            mutable.contains(key.as_str())
                || !(declared.contains(key.as_str()) || key.starts_with("os_glance"))
        })
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    Value::Object(view)
}

#[test]
fn random_diffs_reach_their_target() {
    let Some(session) = Session::start("random_diffs_reach_their_target") else {
        return;
    };
    let total = cases();
    let seed = Rng::seed_from_env();
    eprintln!(
        "random diffs: {total} cases, seed {seed} (replay with CLOUD_IMAGES_E2E_SEED={seed})"
    );
    let mut rng = Rng::new(seed);
    let owner = session.client(OWNER);
    let mutable: BTreeSet<String> = mutable_properties()
        .into_keys()
        .filter(|name| name != "locations")
        .collect();
    let declared: BTreeSet<String> = e2e::json::image_schema()["properties"]
        .as_object()
        .expect("the schema has properties")
        .keys()
        .cloned()
        .collect();

    let mut sent = 0;
    let mut by_media = [0usize; 2];
    let mut images = Vec::new();
    while sent < total {
        let id = owner
            .create_image(&ImageCreate {
                name: Some(session.unique("diff")),
                ..ImageCreate::default()
            })
            .expect("create")
            .id
            .expect("id");
        images.push(id.clone());
        let (mut current, mut current_image) = owner.get_image_json(&id).expect("get");
        for _ in 0..CASES_PER_IMAGE.min(total - sent) {
            let (target, patch) = loop {
                let target = random_target(&mut rng, &current_image);
                let patch = ImagePatch::diff(&current_image, &target).unwrap_or_else(|error| {
                    panic!("seed {seed}, case {sent}: diff refused: {error}")
                });
                if !patch.is_empty() {
                    break (target, patch);
                }
            };
            // Without `rebase`: diff only adds keys the image lacks, so its
            // patch means the same under both media types.
            let media_type = if rng.chance(1, 2) {
                PatchMediaType::V2_1
            } else {
                PatchMediaType::V2_0
            };
            by_media[usize::from(media_type == PatchMediaType::V2_0)] += 1;
            let context = format!(
                "seed {seed}, case {sent} ({media_type:?}): {}",
                patch.to_body(media_type)
            );
            current = send_and_compare(&owner, &id, &current, &patch, media_type, &context);
            current_image = serde_json::from_value(current.clone()).expect("decodes");

            let reached = mutable_view(&current, &mutable, &declared);
            let target_json = serde_json::to_value(&target).expect("serializes");
            let wanted = mutable_view(&target_json, &mutable, &declared);
            assert!(
                reached == wanted,
                "{context}: the server did not reach the target:\n  {}",
                differences(&reached, &wanted).join("\n  ")
            );
            let again = ImagePatch::diff(&current_image, &target).expect("diff");
            assert!(
                again.is_empty(),
                "{context}: a second diff is not empty: {again:?}"
            );
            sent += 1;
        }
    }
    eprintln!(
        "random diffs: {sent} patches sent ({} v2.1, {} v2.0) on {} images",
        by_media[0],
        by_media[1],
        images.len()
    );
    let unprotect = ImagePatch::builder()
        .replace_protected(false)
        .build()
        .expect("valid");
    for id in images {
        owner
            .patch_image(&id, &unprotect, PatchMediaType::V2_1)
            .expect("unprotect");
        owner.delete_image(&id).expect("delete");
    }
}
