//! The core check of the patch tests: what Glance makes of a patch equals
//! the patch applied locally, by `json_patch`, to Glance's previous document.

use cloud_images::{ImagePatch, PatchMediaType};
use serde_json::Value;

use super::Glance;
use super::json::{apply, assert_same};

/// Sends `patch` and checks the result against its local application to
/// `current`; returns the new server document.
#[track_caller]
pub fn send_and_compare(
    glance: &Glance,
    id: &str,
    current: &Value,
    patch: &ImagePatch,
    media_type: PatchMediaType,
    context: &str,
) -> Value {
    let expected = apply(current, patch)
        .unwrap_or_else(|error| panic!("{context}: the patch does not apply locally: {error}"));
    let (server, image) = glance
        .patch_image_json(id, patch, media_type)
        .unwrap_or_else(|error| panic!("{context}: {error}"));
    assert_same(&server, &expected, context);
    assert_eq!(
        serde_json::to_value(&image).expect("serializes"),
        server,
        "{context}: the decoded image serializes back to what Glance sent"
    );
    server
}
