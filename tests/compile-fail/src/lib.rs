//! No library: this crate holds the generated builder's compile-fail tests
//! (`tests/patch_compile_fail.rs`, cases in `ui/`) and the test that every
//! accepted operation compiles (`ui/allowed_calls.rs`).
