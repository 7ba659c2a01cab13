//! Free-form values are checked by one implementation, so the builder,
//! `diff` and the create body refuse the same values. The fixture's schema
//! gives free-form values `maxLength: 5` and `pattern: ^[a-z]*$`.
//!
//! `diff` used to check free-form keys with a copy of the rules that left
//! out the value's length and pattern, so it produced patches the builder
//! would have refused; `diff_checks_free_form_values_as_the_builder_does`
//! failed before the copies were made one.

use cloud_images_fixtures::{
    PatchableFreeForm, PatchableFreeFormCreate, PatchableFreeFormPatch, Rule, Violation,
};

fn violations(
    result: Result<PatchableFreeFormPatch, cloud_images_fixtures::ValidationError>,
) -> Vec<Violation> {
    result.expect_err("must be refused").violations().to_vec()
}

fn expected() -> Vec<Violation> {
    vec![
        Violation {
            property: "long".into(),
            rule: Rule::TooLong { max: 5, length: 6 },
        },
        Violation {
            property: "upper".into(),
            rule: Rule::PatternMismatch {
                pattern: "^[a-z]*$",
            },
        },
    ]
}

#[test]
fn the_builder_checks_free_form_values_against_the_schema() {
    let built = PatchableFreeFormPatch::builder()
        .add_property("long", "abcdef")
        .add_property("upper", "ABC")
        .add_property("fine", "abc")
        .build();
    assert_eq!(violations(built), expected());
}

#[test]
fn diff_checks_free_form_values_as_the_builder_does() {
    let old = PatchableFreeForm::default();
    let mut new = PatchableFreeForm::default();
    new.set_property("long", "abcdef");
    new.set_property("upper", "ABC");
    new.set_property("fine", "abc");
    assert_eq!(
        violations(PatchableFreeFormPatch::diff(&old, &new)),
        expected()
    );

    // A value that is not a string is refused too, as the service does.
    let mut new = PatchableFreeForm::default();
    new.additional_properties
        .insert_value("number", serde_json::json!(1));
    let refused = violations(PatchableFreeFormPatch::diff(&old, &new));
    assert_eq!(
        refused,
        [Violation {
            property: "number".into(),
            rule: Rule::NotAString
        }]
    );
}

#[test]
fn the_create_body_checks_free_form_values_as_the_builder_does() {
    let body = PatchableFreeFormCreate::new()
        .with_property("long", "abcdef")
        .with_property("upper", "ABC")
        .with_property("fine", "abc");
    let error = body.validate().expect_err("must be refused");
    assert_eq!(error.violations(), expected());
    assert!(
        error.to_string().starts_with("invalid create body: "),
        "{error}"
    );
}

#[test]
fn declared_properties_keep_their_own_rules() {
    let built = PatchableFreeFormPatch::builder()
        .add_flavour("Vanilla")
        .replace_name(Some("too long a name"))
        .build();
    let properties: Vec<String> = violations(built).into_iter().map(|v| v.property).collect();
    assert_eq!(properties, ["flavour", "name"]);
    assert!(
        PatchableFreeFormPatch::builder()
            .add_flavour("vanilla")
            .replace_name(None)
            .build()
            .is_ok()
    );
}
