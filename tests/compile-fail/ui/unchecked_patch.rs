// A patch exists only through `build` or `diff`, which check every value:
// it cannot be put together by hand.
use cloud_images::ImagePatch;

fn main() {
    let _ = ImagePatch { operations: Vec::new() };
}
