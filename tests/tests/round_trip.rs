//! Every real response recorded from Glance 33 decodes into the generated
//! types and encodes back to the same JSON value: nulls stay null, absent
//! keys stay absent, empty lists stay empty, unknown keys are kept.

use std::fs;
use std::path::{Path, PathBuf};

use cloud_images::{Image, ImageList, Member, MemberList};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

fn samples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/samples")
}

fn round_trip<T: DeserializeOwned + Serialize>(name: &str, text: &str) -> (Value, Value) {
    let original: Value =
        serde_json::from_str(text).unwrap_or_else(|e| panic!("{name}: not JSON: {e}"));
    let typed: T =
        serde_json::from_str(text).unwrap_or_else(|e| panic!("{name}: does not decode: {e}"));
    let encoded =
        serde_json::to_value(&typed).unwrap_or_else(|e| panic!("{name}: does not encode: {e}"));
    (original, encoded)
}

#[test]
fn every_sample_round_trips_unchanged() {
    let mut checked = 0;
    let mut entries: Vec<_> = fs::read_dir(samples_dir())
        .expect("samples folder")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let text = fs::read_to_string(&path).unwrap();
        let (original, encoded) = if name.starts_with("images-list") {
            round_trip::<ImageList>(&name, &text)
        } else if name.starts_with("image-") {
            round_trip::<Image>(&name, &text)
        } else if name.starts_with("members-list") {
            round_trip::<MemberList>(&name, &text)
        } else if name.starts_with("member-") {
            round_trip::<Member>(&name, &text)
        } else {
            panic!("{name}: no type is known for this sample; name it after its resource");
        };
        assert_eq!(original, encoded, "{name} changed in a round trip");
        checked += 1;
    }
    assert_eq!(checked, 16, "every recorded sample is checked");
}

#[test]
fn null_absent_and_empty_stay_distinct() {
    let text = fs::read_to_string(samples_dir().join("image-uploading-staged.json")).unwrap();
    let image: Image = serde_json::from_str(&text).unwrap();
    assert_eq!(image.checksum, Some(None), "checksum was null");
    assert_eq!(image.direct_url, None, "direct_url was absent");
    assert_eq!(image.tags, Some(vec![]), "tags was an empty list");
    assert_eq!(image.name, Some(Some("staged".to_owned())));
}

#[test]
fn custom_properties_are_readable_by_key() {
    let text = fs::read_to_string(samples_dir().join("image-active-with-locations.json")).unwrap();
    let mut image: Image = serde_json::from_str(&text).unwrap();
    assert_eq!(image.property("hw_disk_bus"), Some("virtio"));
    assert_eq!(
        image.os_distro.as_deref(),
        Some("cirros"),
        "declared custom property"
    );
    image.set_property("vendor/arch", "arm64");
    let encoded = serde_json::to_value(&image).unwrap();
    assert_eq!(encoded["vendor/arch"], "arm64");
    assert_eq!(image.properties().count(), 2);
}
