//! The builder offers only what Glance accepts: a call Glance would refuse
//! for every image (a read-only property, `id`, removing a base property,
//! per-item tag operations, `move`/`copy`/`test`, a hand-made patch or
//! operation) does not compile. The expected compiler output is in
//! `ui/*.stderr`; that every accepted operation does compile is the
//! `patch_allowed_calls` test (`ui/allowed_calls.rs`).
//!
//! All cases are one `TestCases`, so trybuild checks them in one cargo
//! invocation over one target (`target/tests/trybuild`), and, with no pass
//! case among them, with `cargo check`. It checks every dev-dependency of
//! this crate first, which is why the cases live in a crate whose only
//! dependency is the generated one.

use std::io::Write;
use std::time::Instant;

const CASES: [&str; 7] = [
    "read_only_properties",
    "id",
    "base_not_removable",
    "tag_items",
    "other_ops",
    "unchecked_patch",
    "forged_operation",
];

#[test]
fn only_accepted_operations_compile() {
    let started = Instant::now();
    // Written past the test harness's capture: the first run checks the
    // generated crate and its dependencies in trybuild's own target.
    let _ = writeln!(
        std::io::stderr(),
        "patch_compile_fail: checking {} compile-fail cases with trybuild (the first run checks the dependencies in target/tests/trybuild)",
        CASES.len()
    );
    {
        let cases = trybuild::TestCases::new();
        for name in CASES {
            cases.compile_fail(format!("ui/{name}.rs"));
        }
        // The cases run when `cases` is dropped, here.
    }
    let _ = writeln!(
        std::io::stderr(),
        "patch_compile_fail: {} cases in {:.1} s",
        CASES.len(),
        started.elapsed().as_secs_f64()
    );
}
