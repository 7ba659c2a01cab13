//! The bodies `ImagePatchBuilder` produces are the ones a real Glance 33
//! accepted, byte for byte once parsed: same ops, same escaped paths, same
//! values, same order. Each case names the transcript exchange it repeats
//! (`fixtures/transcripts/`, copied from the shared recordings), and the
//! recorded response proves what the body did to the image.

#[path = "patch_bodies/transcript.rs"]
mod transcript;

use std::collections::BTreeSet;

use cloud_images::{
    Image, ImageContainerFormat, ImagePatch, ImagePatchBuilder, ImageVisibility,
    PATCH_MEDIA_TYPE_V2_0, PATCH_MEDIA_TYPE_V2_1, PatchMediaType, Rule,
};
use serde_json::{Value, json};
use transcript::{Exchange, Transcripts};

fn transcripts() -> Transcripts {
    Transcripts::load(&[
        "a_create.txt",
        "b_patch_v21.txt",
        "c_patch_v20.txt",
        "d_errors.txt",
    ])
}

fn built(tag: &'static str, builder: ImagePatchBuilder) -> (&'static str, ImagePatch) {
    let patch = builder
        .build()
        .unwrap_or_else(|e| panic!("[{tag}] builder refused a body Glance accepted: {e}"));
    (tag, patch)
}

fn b() -> ImagePatchBuilder {
    ImagePatch::builder()
}

const LAB_TAGS: [&str; 3] = ["lab", "jammy", "patched"];

/// v2.1 exchanges whose body the builder reproduces exactly.
fn v2_1_cases() -> Vec<(&'static str, ImagePatch)> {
    let k255 = "k".repeat(255);
    let k256 = "k".repeat(256);
    vec![
        built(
            "b-01",
            b().replace_name(Some("lab-ubuntu-renamed"))
                .add_os_version("22.04")
                .remove_os_distro()
                .replace_tags(LAB_TAGS)
                .replace_min_disk(10)
                .add_property("vendor/arch", "slash-in-key")
                .add_property("tilde~key", "tilde-in-key")
                .add_property("hw_disk_bus", "virtio"),
        ),
        built("b-06", b().add_os_version("24.04")),
        built("b-08", b().replace_name(None)),
        built("b-09", b().replace_container_format(None)),
        built(
            "b-10",
            b().replace_name(Some("lab-ubuntu-renamed"))
                .replace_container_format(Some(ImageContainerFormat::Bare)),
        ),
        built("b-12", b().add_kernel_id(None)),
        built("b-15", b().replace_tags(["d", "d", "e"])),
        built("b-17", b().replace_tags(Vec::<String>::new())),
        built("b-21", b().replace_tags(LAB_TAGS)),
        built("b-22", b().replace_protected(true)),
        built("b-24", b().replace_protected(false).replace_os_hidden(true)),
        built("b-25", b().replace_os_hidden(false)),
        built("b-30", b().replace_min_ram(512)),
        built("b-31", b().replace_visibility(ImageVisibility::Shared)),
        // Refused for the caller's role (403), not for the body.
        built("b-32", b().replace_visibility(ImageVisibility::Public)),
        built("b-33", b().replace_visibility(ImageVisibility::Private)),
        built("b-34", b().replace_owner(Some("tenantB"))),
        built("b-35", b()),
        built("b-36", b().add_property("ключ", "значение ✓")),
        built("b-37", b().add_property(k255.as_str(), "v")),
        built("b-38", b().remove_property(k255.as_str())),
        // A key this long can no longer be added, but one that exists must
        // still be removable: Glance removed it.
        built("b-40", b().remove_property(k256.as_str())),
        built("b-42", b().add_property("bigval", "v".repeat(65536))),
        built("b-43", b().remove_property("bigval")),
        built("b-49", b().remove_property("")),
        built("b-56", b().replace_name(Some("lab-ubuntu-renamed"))),
        built(
            "b-57",
            b().remove_property("vendor/arch")
                .remove_property("tilde~key")
                .remove_property("ключ"),
        ),
        built("d-54", b().add_property("is_public", "True")),
        built("d-55", b().remove_property("is_public")),
        built("d-56", b().add_property("properties", "x")),
        built("d-57", b().remove_property("properties")),
        built("d-65", b().replace_owner(Some("tenantA"))),
    ]
}

/// v2.0 exchanges whose body the builder reproduces exactly.
fn v2_0_cases() -> Vec<(&'static str, ImagePatch)> {
    vec![
        built("c-01", b().replace_name(Some("renamed-by-v2.0"))),
        built("c-02", b().add_property("v20_prop", "x")),
        // Refused with 409 because the key exists: see `rebase_turns_a_v2_0_conflict_into_a_replace`.
        built("c-03", b().add_property("v20_prop", "y")),
        built("c-05", b().remove_property("v20_prop")),
        built("c-06", b().replace_tags(["v20"])),
        built("c-07", b().add_property("a/b", "x")),
        built("c-08", b().remove_property("a/b")),
        built(
            "c-14",
            b().replace_name(Some("lab-ubuntu-renamed"))
                .replace_tags(LAB_TAGS),
        ),
    ]
}

/// Accepted exchanges whose body the builder cannot repeat word for word but
/// whose effect it reproduces, with the reason.
fn same_effect_cases() -> Vec<(&'static str, ImagePatch)> {
    vec![
        // `add` on a base property is an upsert in v2.1 but a 409 in v2.0
        // (c-04), so the builder offers only `replace`, which works in both.
        built("b-05", b().replace_name(Some("via-add"))),
        // Glance strips whitespace around the token; the builder sends the clean key.
        built("b-51", b().replace_name(Some("spaces-stripped"))),
        // Glance ignores the extra `from` member the recording sent.
        built("b-54", b().replace_name(Some("lab-ubuntu-renamed"))),
        // Glance ignores the `value` member the recording sent on `remove`.
        built(
            "b-55",
            b().add_property("tmpk", "t").remove_property("tmpk"),
        ),
    ]
}

/// Accepted exchanges the builder refuses on purpose, with the rule it gives.
fn refused_cases() -> Vec<(&'static str, ImagePatchBuilder, Rule)> {
    let too_long = |length| Rule::KeyTooLong { max: 255, length };
    vec![
        // Glance checks the 255-character key limit on create only (a-36);
        // a longer key added by PATCH makes the image impossible to re-create.
        (
            "b-39",
            b().add_property("k".repeat(256), "v"),
            too_long(256),
        ),
        (
            "b-41",
            b().add_property("q".repeat(300), "v"),
            too_long(300),
        ),
        // The empty key is `/`, which most clients read as the document root.
        ("b-48", b().add_property("", "v"), Rule::EmptyKey),
    ]
}

fn assert_sent_as(exchange: &Exchange, media_type: PatchMediaType) {
    let sent = exchange.content_type.as_deref().unwrap_or("");
    // b-56 adds `; charset=UTF-8`, which Glance accepts.
    assert_eq!(
        sent.split(';').next(),
        Some(media_type.as_str()),
        "[{}] was recorded with another media type",
        exchange.tag
    );
}

#[test]
fn v2_1_bodies_match_the_recorded_requests() {
    let transcripts = transcripts();
    assert_eq!(PatchMediaType::V2_1.as_str(), PATCH_MEDIA_TYPE_V2_1);
    for (tag, patch) in v2_1_cases() {
        let exchange = transcripts.get(tag);
        assert_sent_as(exchange, PatchMediaType::V2_1);
        let expected = exchange.request_json();
        let serialized = serde_json::to_value(&patch).expect("a patch serializes");
        assert_eq!(
            serialized, expected,
            "[{tag}] serde body differs from the recording"
        );
        assert_eq!(
            patch.to_body(PatchMediaType::V2_1),
            expected,
            "[{tag}] to_body(V2_1) differs"
        );
        assert_eq!(
            patch.len(),
            expected.as_array().map_or(0, Vec::len),
            "[{tag}] operation count"
        );
    }
}

#[test]
fn v2_0_bodies_match_the_recorded_requests() {
    let transcripts = transcripts();
    assert_eq!(PatchMediaType::V2_0.as_str(), PATCH_MEDIA_TYPE_V2_0);
    for (tag, patch) in v2_0_cases() {
        let exchange = transcripts.get(tag);
        assert_sent_as(exchange, PatchMediaType::V2_0);
        assert_eq!(
            patch.to_body(PatchMediaType::V2_0),
            exchange.request_json(),
            "[{tag}] v2.0 body differs"
        );
    }
}

#[test]
fn escaped_keys_are_sent_escaped_and_reported_unescaped() {
    let patch = b()
        .add_property("vendor/arch", "x")
        .add_property("tilde~key", "y")
        .add_property("a~1b", "z")
        .build()
        .unwrap();
    let paths: Vec<String> = patch.operations().iter().map(|op| op.path()).collect();
    assert_eq!(paths, ["/vendor~1arch", "/tilde~0key", "/a~01b"]);
    let keys: Vec<&str> = patch.operations().iter().map(|op| op.key()).collect();
    assert_eq!(keys, ["vendor/arch", "tilde~key", "a~1b"]);
    assert_eq!(cloud_images::escape_token("~/"), "~0~1");
}

#[test]
fn the_builder_offers_replace_where_the_recording_used_add_on_a_base_property() {
    let transcripts = transcripts();
    let recorded = transcripts.get("b-05").request_json();
    let (_, ours) = built("b-05", b().replace_name(Some("via-add")));
    let ours = serde_json::to_value(&ours).unwrap();
    assert_eq!(recorded[0]["op"], "add");
    assert_eq!(ours[0]["op"], "replace");
    assert_eq!(
        (&ours[0]["path"], &ours[0]["value"]),
        (&recorded[0]["path"], &recorded[0]["value"])
    );
    // Why: the same `add` under v2.0 is a conflict.
    let c04 = transcripts.get("c-04");
    assert_eq!(c04.request_json(), json!([{"add": "/name", "value": "y"}]));
    assert_eq!(c04.status, 409);
}

#[test]
fn rebase_turns_a_v2_0_conflict_into_a_replace() {
    let transcripts = transcripts();
    assert_eq!(
        transcripts.get("c-03").status,
        409,
        "the recorded add on an existing key was refused"
    );
    let current: Image = serde_json::from_value(transcripts.image_before("c-03")).unwrap();
    assert_eq!(current.property("v20_prop"), Some("x"));
    let (_, patch) = built("c-03", b().add_property("v20_prop", "y"));
    assert_eq!(
        patch.rebase(&current).to_body(PatchMediaType::V2_0),
        json!([{"replace": "/v20_prop", "value": "y"}])
    );
}

#[test]
fn refused_bodies_name_the_key_and_the_rule() {
    let transcripts = transcripts();
    for (tag, builder, rule) in refused_cases() {
        assert_eq!(
            transcripts.get(tag).status,
            200,
            "[{tag}] Glance accepted it; the builder is stricter on purpose"
        );
        let error = builder.build().expect_err(tag);
        let rules: Vec<&Rule> = error.violations().iter().map(|v| &v.rule).collect();
        assert_eq!(rules, [&rule], "[{tag}]");
    }
}

/// A document as Glance means it: `updated_at` moves on every change, and
/// tags are a set.
fn normalized(mut image: Value) -> Value {
    if let Some(object) = image.as_object_mut() {
        object.remove("updated_at");
        if let Some(Value::Array(tags)) = object.get_mut("tags") {
            let set: BTreeSet<String> = tags
                .iter()
                .filter_map(|t| t.as_str().map(str::to_owned))
                .collect();
            *tags = set.into_iter().map(Value::String).collect();
        }
    }
    image
}

fn apply(document: &Value, patch: &ImagePatch, tag: &str) -> Value {
    let mut document = document.clone();
    json_patch::patch(&mut document, &json_patch::Patch::from(patch))
        .unwrap_or_else(|e| panic!("[{tag}] does not apply: {e}"));
    document
}

/// Every case whose recorded answer was a 200, with the patch that repeats it.
fn accepted_cases(transcripts: &Transcripts) -> Vec<(&'static str, ImagePatch)> {
    v2_1_cases()
        .into_iter()
        .chain(v2_0_cases())
        .chain(same_effect_cases())
        .filter(|(tag, _)| transcripts.get(tag).status == 200)
        .collect()
}

#[test]
fn accepted_bodies_have_the_recorded_effect() {
    let transcripts = transcripts();
    let cases = accepted_cases(&transcripts);
    assert!(cases.len() > 30, "only {} accepted cases", cases.len());
    for (tag, patch) in cases {
        let before = transcripts.image_before(tag);
        let after = transcripts.get(tag).response_json();
        assert_eq!(
            normalized(apply(&before, &patch, tag)),
            normalized(after),
            "[{tag}] changes the image differently"
        );
    }
}

#[test]
fn diff_reproduces_every_recorded_change() {
    let transcripts = transcripts();
    for (tag, _) in accepted_cases(&transcripts) {
        let before = transcripts.image_before(tag);
        let after = transcripts.get(tag).response_json();
        let old: Image = serde_json::from_value(before.clone()).unwrap();
        let new: Image = serde_json::from_value(after.clone()).unwrap();
        let diff =
            ImagePatch::diff(&old, &new).unwrap_or_else(|e| panic!("[{tag}] diff refused: {e}"));
        assert!(
            diff.operations().iter().all(|op| op.key() != "updated_at"),
            "[{tag}] diff touched updated_at"
        );
        assert_eq!(
            normalized(apply(&before, &diff, tag)),
            normalized(after),
            "[{tag}] diff does not reproduce the change"
        );
    }
}

#[test]
fn every_accepted_patch_in_the_recordings_is_accounted_for() {
    let transcripts = transcripts();
    let accepted: BTreeSet<&str> = transcripts
        .all()
        .iter()
        .filter(|e| e.method == "PATCH" && e.status == 200 && e.image_id().is_some())
        .filter(|e| e.path.matches('/').count() == 3)
        .map(|e| e.tag.as_str())
        .collect();
    let covered: BTreeSet<&str> = v2_1_cases()
        .into_iter()
        .chain(v2_0_cases())
        .chain(same_effect_cases())
        .map(|(tag, _)| tag)
        .chain(refused_cases().into_iter().map(|(tag, _, _)| tag))
        .collect();
    let missing: Vec<_> = accepted.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "accepted PATCH exchanges with no test: {missing:?}"
    );
}
