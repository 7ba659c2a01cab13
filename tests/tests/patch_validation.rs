//! Values are checked against the schema (and the Glance facts of the
//! overlay) as they are given to the builder. A builder holding any broken
//! rule cannot produce an `ImagePatch`: `build` returns every violation,
//! each naming the property and the rule, in the order they were made.

use cloud_images::{
    Image, ImageContainerFormat, ImageDiskFormat, ImageLocation, ImageLocationValidationData,
    ImagePatch, ImagePatchBuilder, ImageVisibility, Rule, Violation,
};
use serde_json::json;

const UUID_PATTERN: &str =
    "^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$";
const INT32_MAX: i64 = 2_147_483_647;

fn b() -> ImagePatchBuilder {
    ImagePatch::builder()
}

/// The violations `build` reports, as (property, rule) pairs.
fn refused(builder: ImagePatchBuilder) -> Vec<(String, Rule)> {
    let error = builder
        .build()
        .expect_err("the builder should refuse this patch");
    assert!(
        !error.violations().is_empty(),
        "an error always names at least one violation"
    );
    error
        .violations()
        .iter()
        .map(|v| (v.property.clone(), v.rule.clone()))
        .collect()
}

fn one(property: &str, rule: Rule) -> Vec<(String, Rule)> {
    vec![(property.to_owned(), rule)]
}

fn accepted(builder: ImagePatchBuilder, operations: usize) {
    let patch = builder
        .build()
        .unwrap_or_else(|e| panic!("refused a valid patch: {e}"));
    assert_eq!(patch.len(), operations);
}

#[test]
fn enum_values_must_be_ones_the_schema_lists() {
    // d-19, d-20, d-21
    assert_eq!(
        refused(b().replace_disk_format(Some(ImageDiskFormat::from("qcow3")))),
        one(
            "disk_format",
            Rule::NotInEnum {
                value: "qcow3".into(),
                allowed: ImageDiskFormat::KNOWN_VALUES
            }
        )
    );
    assert_eq!(
        refused(b().replace_container_format(Some(ImageContainerFormat::from("tarball")))),
        one(
            "container_format",
            Rule::NotInEnum {
                value: "tarball".into(),
                allowed: ImageContainerFormat::KNOWN_VALUES
            }
        )
    );
    assert_eq!(
        refused(b().replace_visibility(ImageVisibility::from("everyone"))),
        one(
            "visibility",
            Rule::NotInEnum {
                value: "everyone".into(),
                allowed: ImageVisibility::KNOWN_VALUES
            }
        )
    );
    // Enum values are case-sensitive.
    assert_eq!(
        refused(b().replace_disk_format(Some(ImageDiskFormat::from("QCOW2")))).len(),
        1
    );
}

#[test]
fn every_listed_enum_value_is_accepted() {
    for value in ImageDiskFormat::KNOWN_VALUES {
        accepted(
            b().replace_disk_format(Some(ImageDiskFormat::from(*value))),
            1,
        );
    }
    for value in ImageContainerFormat::KNOWN_VALUES {
        accepted(
            b().replace_container_format(Some(ImageContainerFormat::from(*value))),
            1,
        );
    }
    for value in ImageVisibility::KNOWN_VALUES {
        accepted(b().replace_visibility(ImageVisibility::from(*value)), 1);
    }
    // The schemas list `null` for both formats (b-09).
    accepted(
        b().replace_disk_format(None).replace_container_format(None),
        2,
    );
}

#[test]
fn name_and_owner_are_at_most_255_characters() {
    // a-16 / d-22
    accepted(b().replace_name(Some(&"n".repeat(255))), 1);
    assert_eq!(
        refused(b().replace_name(Some(&"n".repeat(256)))),
        one(
            "name",
            Rule::TooLong {
                max: 255,
                length: 256
            }
        )
    );
    accepted(b().replace_owner(Some(&"o".repeat(255))), 1);
    assert_eq!(
        refused(b().replace_owner(Some(&"o".repeat(256)))),
        one(
            "owner",
            Rule::TooLong {
                max: 255,
                length: 256
            }
        )
    );
    accepted(b().replace_name(None).replace_name(Some("")), 2);
}

#[test]
fn lengths_count_characters_not_bytes() {
    let two_bytes = "é".repeat(255);
    let three_bytes = "✓".repeat(255);
    assert_eq!((two_bytes.len(), three_bytes.len()), (510, 765));
    accepted(
        b().replace_name(Some(&two_bytes))
            .replace_name(Some(&three_bytes)),
        2,
    );
    assert_eq!(
        refused(b().replace_name(Some(&"✓".repeat(256)))),
        one(
            "name",
            Rule::TooLong {
                max: 255,
                length: 256
            }
        )
    );
    accepted(b().replace_tags([three_bytes.as_str()]), 1);
    accepted(b().add_property("ключ".repeat(63) + "клю", "v"), 1);
    // Characters beyond U+FFFF are refused whatever the length: a real
    // Glance answers 400 "Name can't contain 4 byte unicode characters."
    assert_eq!(
        refused(b().replace_name(Some(&"🦀".repeat(255)))),
        one("name", Rule::FourByteCharacter { character: '🦀' })
    );
}

#[test]
fn kernel_and_ramdisk_ids_must_be_uuids() {
    let uuid = "e271a900-0064-4475-b550-fc3c44896d1e";
    accepted(
        b().add_kernel_id(Some(uuid))
            .replace_kernel_id(Some(&uuid.to_uppercase()))
            .add_ramdisk_id(Some(uuid))
            .replace_ramdisk_id(Some(uuid)),
        4,
    );
    // `null` is allowed by the schema's type (b-12).
    accepted(b().add_kernel_id(None).replace_ramdisk_id(None), 2);
    let mismatch = Rule::PatternMismatch {
        pattern: UUID_PATTERN,
    };
    // a-10
    assert_eq!(
        refused(b().add_kernel_id(Some("abc"))),
        one("kernel_id", mismatch.clone())
    );
    assert_eq!(
        refused(b().replace_kernel_id(Some(&format!("{uuid}0")))),
        one("kernel_id", mismatch.clone())
    );
    assert_eq!(
        refused(b().replace_kernel_id(Some(&format!(" {uuid}")))),
        one("kernel_id", mismatch.clone())
    );
    assert_eq!(
        refused(b().add_ramdisk_id(Some(&uuid.replace('-', "")))),
        one("ramdisk_id", mismatch.clone())
    );
    assert_eq!(
        refused(b().replace_ramdisk_id(Some("g271a900-0064-4475-b550-fc3c44896d1e"))),
        one("ramdisk_id", mismatch)
    );
}

#[test]
fn min_ram_and_min_disk_are_between_0_and_2_pow_31_minus_1() {
    for value in [0, 1, 512, INT32_MAX] {
        accepted(b().replace_min_ram(value).replace_min_disk(value), 2);
    }
    let out_of_range = |value| Rule::OutOfRange {
        value,
        minimum: Some(0),
        maximum: Some(INT32_MAX),
    };
    // b-27, b-28, a-40
    for value in [-1, -5, i64::MIN, INT32_MAX + 1, 1 << 40, i64::MAX] {
        assert_eq!(
            refused(b().replace_min_ram(value)),
            one("min_ram", out_of_range(value))
        );
        assert_eq!(
            refused(b().replace_min_disk(value)),
            one("min_disk", out_of_range(value))
        );
    }
}

#[test]
fn each_tag_is_at_most_255_characters() {
    accepted(b().replace_tags(["t".repeat(255), String::new()]), 1);
    // b-16: one violation per tag that is too long.
    assert_eq!(
        refused(b().replace_tags(["ok".to_owned(), "t".repeat(256), "u".repeat(300)])),
        vec![
            (
                "tags".to_owned(),
                Rule::TooLong {
                    max: 255,
                    length: 256
                }
            ),
            (
                "tags".to_owned(),
                Rule::TooLong {
                    max: 255,
                    length: 300
                }
            ),
        ]
    );
}

#[test]
fn reserved_free_form_keys_are_refused_for_every_operation() {
    // d-49..d-53, a-30..a-33
    for key in [
        "location",
        "deleted",
        "deleted_at",
        "os_glance_import_task",
        "os_glance_foo",
        "os_glance",
    ] {
        assert_eq!(
            refused(b().add_property(key, "x")),
            one(key, Rule::ReservedKey),
            "add {key}"
        );
        assert_eq!(
            refused(b().replace_property(key, "x")),
            one(key, Rule::ReservedKey),
            "replace {key}"
        );
        assert_eq!(
            refused(b().remove_property(key)),
            one(key, Rule::ReservedKey),
            "remove {key}"
        );
    }
}

#[test]
fn schema_properties_are_not_free_form_keys() {
    for key in [
        "name",
        "os_distro",
        "kernel_id",
        "status",
        "self",
        "tags",
        "locations",
        "id",
        "stores",
    ] {
        assert_eq!(
            refused(b().add_property(key, "x")),
            one(key, Rule::DeclaredProperty),
            "add {key}"
        );
        assert_eq!(
            refused(b().replace_property(key, "x")),
            one(key, Rule::DeclaredProperty),
            "replace {key}"
        );
        assert_eq!(
            refused(b().remove_property(key)),
            one(key, Rule::DeclaredProperty),
            "remove {key}"
        );
    }
}

#[test]
fn keys_that_only_look_reserved_are_free_form() {
    // d-54, d-56: names Glance used elsewhere are ordinary keys.
    for key in [
        "is_public",
        "properties",
        "locationx",
        "deleted_at_x",
        "my_os_glance",
    ] {
        accepted(
            b().add_property(key, "x")
                .replace_property(key, "y")
                .remove_property(key),
            3,
        );
    }
}

#[test]
fn new_free_form_keys_are_non_empty_and_at_most_255_characters() {
    accepted(
        b().add_property("k".repeat(255), "v")
            .replace_property("к".repeat(255), "v"),
        2,
    );
    assert_eq!(refused(b().add_property("", "v")), one("", Rule::EmptyKey));
    assert_eq!(
        refused(b().replace_property("", "v")),
        one("", Rule::EmptyKey)
    );
    let long = "k".repeat(256);
    assert_eq!(
        refused(b().add_property(long.as_str(), "v")),
        one(
            &long,
            Rule::KeyTooLong {
                max: 255,
                length: 256
            }
        )
    );
    let long = "ключ".repeat(64);
    assert_eq!(
        refused(b().replace_property(long.as_str(), "v")),
        one(
            &long,
            Rule::KeyTooLong {
                max: 255,
                length: 256
            }
        )
    );
}

#[test]
fn keys_with_surrounding_whitespace_are_refused() {
    // b-51: Glance strips whitespace around a path token, so `" name "`
    // changes `name` and `"x "` sets `x`: neither means what was asked.
    // Python's `str.strip` also strips U+001C..U+001F, which Rust does not
    // count as whitespace.
    for key in [" name", "x ", " ", "\tx", "x\u{3000}", "\u{1f}x"] {
        assert_eq!(
            refused(b().add_property(key, "v")),
            one(key, Rule::UntrimmedKey),
            "add {key:?}"
        );
        assert_eq!(
            refused(b().replace_property(key, "v")),
            one(key, Rule::UntrimmedKey),
            "replace {key:?}"
        );
        assert_eq!(
            refused(b().remove_property(key)),
            one(key, Rule::UntrimmedKey),
            "remove {key:?}"
        );
    }
    accepted(b().add_property("a b", "v").remove_property("a\tb"), 2);
    // diff would send the same paths.
    let old = image(json!({"name": "a", " padded": "v"}));
    let new = image(json!({"name": "a", "x ": "v"}));
    let error = ImagePatch::diff(&old, &new).expect_err("both keys are untrimmed");
    let keys: Vec<(&str, &Rule)> = error
        .violations()
        .iter()
        .map(|v| (v.property.as_str(), &v.rule))
        .collect();
    assert_eq!(
        keys,
        [
            ("x ", &Rule::UntrimmedKey),
            (" padded", &Rule::UntrimmedKey)
        ]
    );
}

#[test]
fn existing_keys_can_be_removed_whatever_their_length() {
    // b-40, b-49: Glance removes keys that PATCH let in.
    accepted(b().remove_property("").remove_property("q".repeat(300)), 2);
}

#[test]
fn location_fields_are_checked_against_the_item_schema() {
    let location = |url: String, validation_data| ImageLocation {
        url,
        validation_data,
        metadata: serde_json::Map::new(),
        ..ImageLocation::default()
    };
    let data = |checksum: Option<&str>, algo: usize| ImageLocationValidationData {
        checksum: checksum.map(str::to_owned),
        os_hash_algo: "a".repeat(algo),
        os_hash_value: "0".repeat(128),
        ..ImageLocationValidationData::default()
    };
    let md5 = "0".repeat(32);
    accepted(
        b().add_locations(
            cloud_images::ListPosition::End,
            location("u".repeat(255), Some(data(Some(&md5), 64))),
        ),
        1,
    );
    assert_eq!(
        refused(b().add_locations(
            cloud_images::ListPosition::End,
            location("u".repeat(256), None)
        )),
        one(
            "locations",
            Rule::TooLong {
                max: 255,
                length: 256
            }
        )
    );
    assert_eq!(
        refused(b().replace_locations(vec![location(
            "file:///x".into(),
            Some(data(Some("abc"), 65))
        )])),
        vec![
            (
                "locations".to_owned(),
                Rule::TooShort { min: 32, length: 3 }
            ),
            (
                "locations".to_owned(),
                Rule::TooLong {
                    max: 64,
                    length: 65
                }
            ),
        ]
    );
}

#[test]
fn every_violation_is_collected_in_call_order() {
    let violations = refused(
        b().replace_name(Some(&"n".repeat(256)))
            .replace_min_ram(512)
            .replace_min_ram(-1)
            .add_property("os_glance_x", "v")
            .replace_disk_format(Some(ImageDiskFormat::from("qcow3")))
            .add_kernel_id(Some("abc")),
    );
    let properties: Vec<&str> = violations.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        properties,
        ["name", "min_ram", "os_glance_x", "disk_format", "kernel_id"]
    );
}

#[test]
fn a_single_violation_refuses_the_whole_patch() {
    let builder = b()
        .replace_name(Some("fine"))
        .replace_min_disk(1)
        .replace_min_ram(-1)
        .add_property("also", "fine");
    let error = builder.build().expect_err("one broken rule is enough");
    assert_eq!(error.violations().len(), 1);
}

#[test]
fn errors_read_as_sentences_naming_property_and_rule() {
    let error = b()
        .replace_name(Some(&"n".repeat(256)))
        .replace_min_ram(-1)
        .replace_visibility(ImageVisibility::from("everyone"))
        .add_property("deleted", "x")
        .add_property("", "x")
        .add_kernel_id(Some("abc"))
        .build()
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid patch: `name`: 256 characters is more than the 255 allowed; \
         `min_ram`: -1 is out of range 0..=2147483647; \
         `visibility`: `everyone` is not one of community, public, private, shared; \
         `deleted`: the key is reserved by the service; \
         ``: the key is empty; \
         `kernel_id`: does not match the pattern ^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$"
    );
    let violation = Violation {
        property: "os_distro".into(),
        rule: Rule::DeclaredProperty,
    };
    assert_eq!(
        violation.to_string(),
        "`os_distro`: the key is a schema property: use its typed method"
    );
    let as_error: &dyn std::error::Error = &error;
    assert!(as_error.source().is_none());
}

fn image(value: serde_json::Value) -> Image {
    serde_json::from_value(value).expect("a valid image document")
}

#[test]
fn diff_refuses_changes_the_service_would_refuse() {
    let old = image(json!({"name": "a", "min_ram": 0, "tags": ["x"], "hw_disk_bus": "virtio"}));
    let cases = [
        (
            json!({"name": "n".repeat(256), "min_ram": 0, "tags": ["x"], "hw_disk_bus": "virtio"}),
            "name",
            Rule::TooLong {
                max: 255,
                length: 256,
            },
        ),
        (
            json!({"min_ram": 0, "tags": ["x"], "hw_disk_bus": "virtio"}),
            "name",
            Rule::NotRemovable,
        ),
        (
            json!({"name": "a", "tags": ["x"], "hw_disk_bus": "virtio"}),
            "min_ram",
            Rule::NotRemovable,
        ),
        (
            json!({"name": "a", "min_ram": -3, "tags": ["x"], "hw_disk_bus": "virtio"}),
            "min_ram",
            Rule::OutOfRange {
                value: -3,
                minimum: Some(0),
                maximum: Some(INT32_MAX),
            },
        ),
        (
            json!({"name": "a", "min_ram": 0, "hw_disk_bus": "virtio"}),
            "tags",
            Rule::NotRemovable,
        ),
        (
            json!({"name": "a", "min_ram": 0, "tags": ["x"], "hw_disk_bus": 4}),
            "hw_disk_bus",
            Rule::NotAString,
        ),
        (
            json!({"name": "a", "min_ram": 0, "tags": ["x"], "hw_disk_bus": "virtio", "": "v"}),
            "",
            Rule::EmptyKey,
        ),
        (
            json!({"name": "a", "min_ram": 0, "tags": ["t".repeat(256)], "hw_disk_bus": "virtio"}),
            "tags",
            Rule::TooLong {
                max: 255,
                length: 256,
            },
        ),
    ];
    for (new, property, rule) in cases {
        let error = ImagePatch::diff(&old, &image(new.clone())).expect_err(&new.to_string());
        let got: Vec<(&str, &Rule)> = error
            .violations()
            .iter()
            .map(|v| (v.property.as_str(), &v.rule))
            .collect();
        assert_eq!(got, [(property, &rule)], "{new}");
    }
}

#[test]
fn diff_leaves_keys_reserved_by_the_service_alone() {
    // `os_glance_*` keys appear after an import; the client neither sets nor removes them.
    let old = image(json!({"name": "a", "os_glance_importing_to_stores": "", "deleted": "x"}));
    let new = image(json!({"name": "a", "os_glance_failed_import": "fs"}));
    assert!(
        ImagePatch::diff(&old, &new)
            .expect("reserved keys are skipped")
            .is_empty()
    );
}

/// Glance shows `locations: []` but refuses to be given one: replacing the
/// list with an empty one gets 403 "Cannot set locations to empty list" (d-15).
#[test]
fn locations_cannot_be_replaced_with_an_empty_list() {
    assert_eq!(
        refused(b().replace_locations(Vec::new())),
        one("locations", Rule::TooFewItems { min: 1, length: 0 })
    );
    let location: ImageLocation =
        serde_json::from_value(json!({"url": "file:///x", "metadata": {}})).unwrap();
    accepted(b().replace_locations(vec![location]), 1);
}
