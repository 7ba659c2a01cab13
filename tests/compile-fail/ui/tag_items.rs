// `/tags/-` and `/tags/0` get 400 (b-03, b-04): tags are replaced whole, so
// there is no per-item add or remove.
use cloud_images::{ImagePatch, ListPosition};

fn main() {
    let _ = ImagePatch::builder().add_tags(ListPosition::End, "x");
    let _ = ImagePatch::builder().add_tags(ListPosition::Index(0), "x");
    let _ = ImagePatch::builder().remove_tags(0);
}
