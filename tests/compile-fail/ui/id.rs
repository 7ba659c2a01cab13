// `id` is not marked readOnly in the schema, yet every operation on it gets
// 403 (d-01, d-16): the overlay makes it immutable, so no method exists.
use cloud_images::ImagePatch;

fn main() {
    let _ = ImagePatch::builder().replace_id("11111111-2222-3333-4444-555555555555");
    let _ = ImagePatch::builder().add_id("11111111-2222-3333-4444-555555555555");
    let _ = ImagePatch::builder().remove_id();
}
