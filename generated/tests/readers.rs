//! The readers the generator adds to every type: absent and `null` read
//! alike, while the fields keep the difference.

use cloud_images::{Image, ImageLocation, Task};
use serde_json::json;

fn image(value: serde_json::Value) -> Image {
    serde_json::from_value(value).expect("a valid image")
}

#[test]
fn absent_and_null_read_alike_and_the_fields_keep_the_difference() {
    let absent = image(json!({}));
    let null = image(json!({"name": null, "size": null, "kernel_id": null}));
    for image in [&absent, &null] {
        assert_eq!(image.name(), None);
        assert_eq!(image.size(), None);
        assert_eq!(image.kernel_id(), None);
        assert_eq!(
            image.id(),
            None,
            "a missing id reads as None, never as an empty id"
        );
    }
    assert_eq!((absent.name, null.name), (None, Some(None)));
}

#[test]
fn values_read_in_their_plain_form() {
    let image = image(json!({
        "id": "1bea47ed-f6a9-463b-b423-14b9cca9ad27",
        "name": "cirros",
        "size": 18_446_744_073_709_551_615_u64,
        "min_ram": 512,
        "protected": true,
        "tags": ["a", "b"],
        "locations": [{"url": "http://x", "metadata": {}}],
    }));
    assert_eq!(image.id(), Some("1bea47ed-f6a9-463b-b423-14b9cca9ad27"));
    assert_eq!(image.name(), Some("cirros"));
    assert_eq!(
        image.size(),
        Some(u64::MAX),
        "sizes are unsigned, up to u64::MAX"
    );
    assert_eq!(image.min_ram(), Some(512));
    assert_eq!(image.protected(), Some(true));
    assert_eq!(image.tags().map(<[String]>::len), Some(2));
    let location: &ImageLocation = &image.locations().expect("locations")[0];
    assert_eq!(
        location.url(),
        "http://x",
        "a required property reads without an Option"
    );
    assert!(location.metadata().is_empty());
}

#[test]
fn a_negative_size_is_a_decode_error() {
    let error =
        serde_json::from_value::<Image>(json!({"size": -1})).expect_err("sizes are never negative");
    assert!(error.to_string().contains("u64"), "{error}");
}

#[test]
fn other_resources_have_readers_too() {
    let task: Task =
        serde_json::from_value(json!({"id": "t", "type": "import", "status": "pending"}))
            .expect("a task");
    assert_eq!(task.id(), Some("t"));
    assert_eq!(task.result(), None);
}

#[cfg(feature = "jiff")]
#[test]
fn timestamps_read_as_typed_times_and_keep_their_text() {
    let image = image(json!({"created_at": "2026-11-28T10:30:48Z", "updated_at": "yesterday"}));
    let created = image.created_at_time().expect("RFC 3339").expect("present");
    assert_eq!(created.as_second(), 1_795_861_848);
    assert_eq!(image.created_at(), Some("2026-11-28T10:30:48Z"));
    assert!(
        image.updated_at_time().is_err(),
        "text that is not a timestamp is an error, not None"
    );
    assert_eq!(
        image.updated_at(),
        Some("yesterday"),
        "the text survives as sent"
    );
    assert_eq!(
        Image::default().created_at_time().expect("absent is fine"),
        None
    );
}
