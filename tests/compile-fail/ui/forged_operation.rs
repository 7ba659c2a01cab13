// Operations are made only by the builder, so none can name a read-only key.
use cloud_images::{PatchOp, PatchOperation};

fn main() {
    let _ = PatchOperation::new(PatchOp::Replace, "status", None, None);
}
