// Base properties "may not be removed" (b-18, b-19, b-20): no remove method.
use cloud_images::ImagePatch;

fn main() {
    let _ = ImagePatch::builder().remove_name();
    let _ = ImagePatch::builder().remove_min_ram();
    let _ = ImagePatch::builder().remove_tags();
    let _ = ImagePatch::builder().remove_visibility();
}
