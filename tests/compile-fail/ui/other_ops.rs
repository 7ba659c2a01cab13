// `move`, `copy` and `test` get 400 (d-23..25): PatchOp has no such variants.
use cloud_images::PatchOp;

fn main() {
    let _ = PatchOp::Move;
    let _ = PatchOp::Copy;
    let _ = PatchOp::Test;
}
