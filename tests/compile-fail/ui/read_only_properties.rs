// Glance answers 403 "Attribute '...' is read-only" to any change of these
// (d-02, d-03, d-06, d-07, d-11): the builder has no method for them.
use cloud_images::ImagePatch;

fn main() {
    let _ = ImagePatch::builder().replace_status("active");
    let _ = ImagePatch::builder().replace_checksum("00000000000000000000000000000000");
    let _ = ImagePatch::builder().add_checksum("00000000000000000000000000000000");
    let _ = ImagePatch::builder().replace_size(1);
    let _ = ImagePatch::builder().replace_virtual_size(1);
    let _ = ImagePatch::builder().replace_self_("/v2/images/x");
    let _ = ImagePatch::builder().replace_created_at("2026-11-28T10:30:48Z");
}
