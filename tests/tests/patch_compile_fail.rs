//! The builder offers only what Glance accepts: a call Glance would refuse
//! for every image (a read-only property, `id`, removing a base property,
//! per-item tag operations, `move`/`copy`/`test`, a hand-made patch or
//! operation) does not compile, while every accepted operation does. The
//! expected compiler output is in `ui/*.stderr`.

#[test]
fn only_accepted_operations_compile() {
    let cases = trybuild::TestCases::new();
    cases.pass("ui/allowed_calls.rs");
    for name in [
        "read_only_properties",
        "id",
        "base_not_removable",
        "tag_items",
        "other_ops",
        "unchecked_patch",
        "forged_operation",
    ] {
        cases.compile_fail(format!("ui/{name}.rs"));
    }
}
