//! The hand-written code inside every crate `cloud-images-codegen`
//! generates, compiled, linted and tested here where it is written.
//!
//! The generator copies `src/support.rs`, `src/properties.rs` and `src/patch.rs` verbatim into
//! each crate it writes (as progenitor does with its client code), so that a
//! generated crate stands alone; nothing depends on this crate. The files
//! must therefore compile as modules of any crate: they name nothing of this
//! `lib.rs`, which re-exports what the generated `lib.rs` re-exports.

#![forbid(unsafe_code)]
// Which items a generated crate uses depends on its schemas; here, only the
// tests use them.
#![allow(dead_code)]

mod patch;
mod properties;
mod support;

pub use patch::{
    ListPosition, PATCH_MEDIA_TYPE_V2_0, PATCH_MEDIA_TYPE_V2_1, PatchError, PatchMediaType,
    PatchOp, PatchOperation, Rule, ValidationError, Violation, escape_token,
};
pub use properties::{Properties, PropertyValue};

#[cfg(test)]
mod tests;
