//! The text form of a drift report: one block per resource, with a count
//! line, then the breaking and additive items; description changes are only
//! counted.

use std::fmt::Write;

use crate::drift::{Class, DriftItem, DriftReport};

pub fn text(report: &DriftReport) -> String {
    if report.items.is_empty() {
        return "no drift: both sets of schemas describe the same API\n".to_owned();
    }
    let mut out = String::new();
    // Items arrive grouped by resource, so each group is one run.
    for group in report.items.chunk_by(|a, b| a.resource == b.resource) {
        let resource = &group[0].resource;
        let _ = writeln!(out, "{resource}: {}", counts(group));
        for item in group.iter().filter(|item| item.class != Class::Docs) {
            let tag = match item.class {
                Class::Breaking => "BREAKING",
                Class::Additive => "additive",
                Class::Docs => continue,
            };
            let _ = writeln!(out, "  {tag:<8}  {}", item.message);
        }
    }
    let _ = writeln!(out, "total: {}", counts(&report.items));
    out
}

fn counts(items: &[DriftItem]) -> String {
    let count = |class| items.iter().filter(|item| item.class == class).count();
    let docs = count(Class::Docs);
    let noun = if docs == 1 {
        "description"
    } else {
        "descriptions"
    };
    format!(
        "{} breaking, {} additive, {docs} {noun} changed",
        count(Class::Breaking),
        count(Class::Additive)
    )
}
