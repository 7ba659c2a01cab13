//! Unit tests of the support code, against the same items the generated
//! code calls.

use crate::{Properties, PropertyValue};

use serde_json::{Value, json};

use crate::patch::{
    Body, FreeForm, FreeFormChange, FreeFormValues, ListChange, OperationValue, PatchMediaType,
    PatchOp, PatchOperation, Pattern, Recorder, Rule, Violation, body_value, change, escape_token,
    free_form_changes, list_change, rebase, same_set,
};

static LOWER: Pattern = Pattern::new("^[a-z]+$");

const KEYS: FreeForm = FreeForm {
    declared: |key| key == "name",
    reserved: &["location"],
    reserved_prefixes: &["os_glance"],
    max_length: Some(5),
    values: FreeFormValues {
        strings_only: true,
        min_length: None,
        max_length: Some(3),
        pattern: Some(&LOWER),
    },
};

fn rules(recorder: &Recorder) -> Vec<(&str, &Rule)> {
    recorder
        .violations
        .iter()
        .map(|v| (v.property.as_str(), &v.rule))
        .collect()
}

#[test]
fn pointer_tokens_escape_tilde_before_slash() {
    assert_eq!(escape_token("plain"), "plain");
    assert_eq!(escape_token("~/"), "~0~1");
    assert_eq!(escape_token("a/b~c"), "a~1b~0c");
    assert_eq!(
        escape_token("~1"),
        "~01",
        "an escaped-looking key is escaped again"
    );
    let operation =
        PatchOperation::new(PatchOp::Add, "vendor/arch~1", None, Some(json!("x").into()));
    assert_eq!(operation.path(), "/vendor~1arch~01");
}

#[test]
fn both_body_forms_come_from_one_serializer() {
    let operations = vec![
        PatchOperation::new(PatchOp::Replace, "name", None, Some(json!("n").into())),
        PatchOperation::new(PatchOp::Remove, "a/b", None, None),
        PatchOperation::new(
            PatchOp::Add,
            "locations",
            Some(crate::ListPosition::End),
            Some(json!({"url": "u"}).into()),
        ),
    ];
    for media_type in [PatchMediaType::V2_1, PatchMediaType::V2_0] {
        let text = serde_json::to_string(&Body {
            operations: &operations,
            media_type,
        })
        .unwrap();
        let parsed: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed, body_value(&operations, media_type));
    }
    assert_eq!(
        body_value(&operations, PatchMediaType::V2_0),
        json!([
            {"replace": "/name", "value": "n"},
            {"remove": "/a~1b"},
            {"add": "/locations/-", "value": {"url": "u"}},
        ])
    );
    assert_eq!(
        body_value(&operations[..1], PatchMediaType::V2_1),
        json!([{"op": "replace", "path": "/name", "value": "n"}])
    );
}

#[test]
fn four_byte_characters_are_found_anywhere_in_a_value() {
    let mut recorder = Recorder::default();
    recorder.set(PatchOp::Add, "plain", None, json!("é ü 中"));
    recorder.set(PatchOp::Add, "nested", None, json!({"k": ["a", "🦀"]}));
    recorder.set(PatchOp::Add, "key", None, json!({"🦀": 1}));
    assert_eq!(
        rules(&recorder),
        [
            ("nested", &Rule::FourByteCharacter { character: '🦀' }),
            ("key", &Rule::FourByteCharacter { character: '🦀' }),
        ]
    );
    assert_eq!(
        recorder.operations.len(),
        3,
        "the operations are kept for the error to name"
    );
}

#[test]
fn a_create_body_is_checked_member_by_member() {
    let mut recorder = Recorder::default();
    recorder.check_body(&json!({"name": "crab 🦀", "tags": ["ok"], "hw": "🦀"}));
    let properties: Vec<&str> = rules(&recorder).iter().map(|(p, _)| *p).collect();
    assert_eq!(properties, ["hw", "name"]);
}

#[test]
fn free_form_keys_are_checked_for_patch_and_create_alike() {
    let mut recorder = Recorder::default();
    for key in ["", " x", "name", "location", "os_glance_x", "toolong", "ok"] {
        recorder.check_free_form_key(key, &KEYS);
    }
    assert_eq!(
        rules(&recorder),
        [
            ("", &Rule::EmptyKey),
            (" x", &Rule::UntrimmedKey),
            ("name", &Rule::DeclaredProperty),
            ("location", &Rule::ReservedKey),
            ("location", &Rule::KeyTooLong { max: 5, length: 8 }),
            ("os_glance_x", &Rule::ReservedKey),
            ("os_glance_x", &Rule::KeyTooLong { max: 5, length: 11 }),
            ("toolong", &Rule::KeyTooLong { max: 5, length: 7 }),
        ]
    );
    // A create body's key is an object member, kept as sent: the empty key
    // and surrounding spaces are the service's to accept.
    let mut create = Recorder::default();
    for key in ["", " x", "name"] {
        create.check_create_key(key, &KEYS);
    }
    assert_eq!(rules(&create), [("name", &Rule::DeclaredProperty)]);
}

#[test]
fn free_form_values_follow_the_schema() {
    let mut recorder = Recorder::default();
    recorder.check_free_form_value("a", Some("abc"), &KEYS);
    recorder.check_free_form_value("b", Some("abcd"), &KEYS);
    recorder.check_free_form_value("c", Some("AB"), &KEYS);
    recorder.check_free_form_value("d", None, &KEYS);
    assert_eq!(
        rules(&recorder),
        [
            ("b", &Rule::TooLong { max: 3, length: 4 }),
            (
                "c",
                &Rule::PatternMismatch {
                    pattern: "^[a-z]+$"
                }
            ),
            ("d", &Rule::NotAString),
        ]
    );
}

/// Every change `free_form_changes` reports, in order.
fn changes<'a>(old: &'a Properties, new: &'a Properties) -> Vec<FreeFormChange<'a>> {
    let mut changes = Vec::new();
    free_form_changes(old, new, &KEYS, |change| changes.push(change));
    changes
}

#[test]
fn operation_values_write_the_json_they_were_given_as() {
    let values = [
        json!(null),
        json!(true),
        json!(0),
        json!(2147483647u64),
        json!(-3),
        json!(0.5),
        json!("é \"q\" 中"),
        json!(["a", "b"]),
        json!([]),
        json!({"url": "u", "metadata": {}}),
    ];
    for value in values {
        let kept = OperationValue::from(value.clone());
        assert_eq!(
            serde_json::to_string(&kept).unwrap(),
            serde_json::to_string(&value).unwrap(),
            "{value} is written differently"
        );
        assert_eq!(kept.to_json(), value);
    }
    // One value, one form: what a setter records typed equals the same
    // value recorded as JSON, so patches compare by what they send.
    assert_eq!(OperationValue::from(json!("x")), OperationValue::from("x"));
    assert_eq!(OperationValue::from(json!(7)), OperationValue::from(7i64));
    assert_eq!(OperationValue::from(json!(7)), OperationValue::from(7u64));
    assert_eq!(OperationValue::from(json!(-7)), OperationValue::from(-7i64));
    assert_eq!(
        OperationValue::from(json!(null)),
        OperationValue::from(None::<&str>)
    );
    assert_eq!(
        OperationValue::from(vec!["a".to_owned()]).to_json(),
        json!(["a"])
    );
}

#[test]
fn free_form_changes_leave_reserved_keys_alone() {
    let old: Properties = [
        ("same", "1"),
        ("changed", "1"),
        ("gone", "1"),
        ("os_glance_x", "1"),
    ]
    .into_iter()
    .collect();
    let new: Properties = [
        ("same", "1"),
        ("changed", "2"),
        ("added", "3"),
        ("location", "x"),
    ]
    .into_iter()
    .collect();
    assert_eq!(
        changes(&old, &new),
        [
            FreeFormChange::Set(PatchOp::Replace, "changed", PropertyValue::String("2")),
            FreeFormChange::Set(PatchOp::Add, "added", PropertyValue::String("3")),
            FreeFormChange::Remove("gone"),
        ]
    );
}

#[test]
fn free_form_changes_do_not_depend_on_key_order() {
    let old: Properties = [("a", json!("1")), ("b", json!(2)), ("c", json!("3"))]
        .into_iter()
        .collect();
    let new: Properties = [
        ("c", json!("3")),
        ("b", json!(2)),
        ("a", json!("9")),
        ("d", json!(null)),
    ]
    .into_iter()
    .collect();
    assert_eq!(
        changes(&old, &new),
        [
            FreeFormChange::Set(PatchOp::Replace, "a", PropertyValue::String("9")),
            FreeFormChange::Set(PatchOp::Add, "d", PropertyValue::Json(&Value::Null)),
        ]
    );
    assert_eq!(changes(&new, &new), []);
    let shorter: Properties = [("a", "1")].into_iter().collect();
    assert_eq!(
        changes(&old, &shorter),
        [FreeFormChange::Remove("b"), FreeFormChange::Remove("c")]
    );
}

mod properties {
    use serde_json::{Value, json};

    use crate::{Properties, PropertyValue};

    const DOCUMENT: &str = r#"{"org.openstack__1__os_distro":"org.ubuntu","z":null,"com.rackspace__1__build_core":"1","a":[1,{"b":2.5}],"n":-3,"t":true,"esc\"aped":"line\nbreak"}"#;

    #[test]
    fn a_round_trip_keeps_every_value_and_the_order() {
        let properties: Properties = serde_json::from_str(DOCUMENT).unwrap();
        assert_eq!(serde_json::to_string(&properties).unwrap(), DOCUMENT);
        assert_eq!(properties.len(), 7);
        assert_eq!(
            properties.get_str("org.openstack__1__os_distro"),
            Some("org.ubuntu")
        );
        assert_eq!(properties.get("z"), Some(PropertyValue::Json(&Value::Null)));
        assert_eq!(properties.get_str("n"), None);
        assert_eq!(properties.get_str("esc\"aped"), Some("line\nbreak"));
        let as_value: Value = serde_json::from_str(DOCUMENT).unwrap();
        let map = serde_json::Map::from(&properties);
        assert_eq!(Value::Object(map), as_value);
    }

    #[test]
    fn a_key_sent_twice_keeps_its_last_value_in_its_first_place() {
        let properties: Properties = serde_json::from_str(r#"{"a":"1","b":"2","a":3}"#).unwrap();
        assert_eq!(
            serde_json::to_string(&properties).unwrap(),
            r#"{"a":3,"b":"2"}"#
        );
    }

    #[test]
    fn insert_replace_remove_and_compact() {
        let mut properties = Properties::new();
        properties.insert("hw_disk_bus", "virtio");
        properties.insert_value("os_type", json!("linux"));
        properties.insert_value("count", json!(2));
        properties.insert("hw_disk_bus", "scsi");
        assert_eq!(properties.remove("os_type"), Some(json!("linux")));
        assert_eq!(properties.remove("os_type"), None);
        assert!(!properties.contains_key("os_type"));
        let before = properties.clone();
        properties.compact();
        assert_eq!(properties, before);
        assert_eq!(
            serde_json::to_string(&properties).unwrap(),
            r#"{"hw_disk_bus":"scsi","count":2}"#
        );
        assert_eq!(
            format!("{properties:?}"),
            r#"{"hw_disk_bus": String("scsi"), "count": Json(Number(2))}"#
        );
    }

    #[test]
    fn equality_ignores_order_but_not_values() {
        let a: Properties = [("x", "1"), ("y", "2")].into_iter().collect();
        let b: Properties = [("y", "2"), ("x", "1")].into_iter().collect();
        let c: Properties = [("y", "2"), ("x", "3")].into_iter().collect();
        let d: Properties = [("x", json!(1)), ("y", json!("2"))].into_iter().collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d, "the string \"1\" is not the number 1");
        assert_ne!(a, Properties::new());
    }

    #[test]
    fn a_value_that_is_not_json_is_an_error() {
        assert!(serde_json::from_str::<Properties>("[1]").is_err());
        assert!(serde_json::from_str::<Properties>(r#"{"a": }"#).is_err());
    }
}

#[test]
fn lists_change_by_the_fewest_operations() {
    let old = Some(vec![1, 2, 3, 4]);
    assert!(matches!(
        list_change(&old, &old.clone()),
        ListChange::Unchanged
    ));
    assert!(matches!(
        list_change(&old, &Some(vec![1, 2, 3, 4, 5])),
        ListChange::Append([5])
    ));
    assert!(
        matches!(list_change(&old, &Some(vec![1, 3])), ListChange::RemoveAt(ref at) if at == &[3, 1])
    );
    assert!(matches!(
        list_change(&old, &Some(vec![4, 3])),
        ListChange::Replace(_)
    ));
    assert!(matches!(list_change(&old, &None), ListChange::Removed));
    assert!(matches!(
        list_change::<i32>(&None, &Some(vec![])),
        ListChange::Unchanged
    ));
}

#[test]
fn tags_compare_as_sets() {
    let tags = |t: &[&str]| Some(t.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>());
    assert!(same_set(&tags(&["a", "b"]), &tags(&["b", "a", "a"])));
    assert!(!same_set(&tags(&["a"]), &tags(&["a", "b"])));
    assert!(!same_set(&None, &tags(&[])));
    assert!(matches!(
        change(&Some(1), &Some(1)),
        crate::patch::Change::Unchanged
    ));
    assert!(matches!(
        change(&None, &Some(1)),
        crate::patch::Change::Added(1)
    ));
    assert!(matches!(
        change(&Some(1), &None::<i32>),
        crate::patch::Change::Removed
    ));
}

#[test]
fn rebase_matches_the_operation_to_the_document() {
    let mut operations = vec![
        PatchOperation::new(PatchOp::Add, "held", None, Some(json!("x").into())),
        PatchOperation::new(PatchOp::Replace, "missing", None, Some(json!("x").into())),
        PatchOperation::new(PatchOp::Replace, "name", None, Some(json!("x").into())),
    ];
    rebase(&mut operations, &json!({"held": "1"}), &["name"]);
    let ops: Vec<PatchOp> = operations.iter().map(PatchOperation::op).collect();
    assert_eq!(ops, [PatchOp::Replace, PatchOp::Add, PatchOp::Replace]);
}

/// The byte length settles most length checks without counting
/// characters; at its edges the count in characters must still decide.
#[test]
fn lengths_are_counted_in_characters_past_the_byte_shortcut() {
    let mut recorder = Recorder::default();
    // 3 characters in 6 bytes: more bytes than the maximum, not too long.
    recorder.check_length("wide", "éüö", None, Some(3));
    // 4 characters in 4 bytes: too long, though only just.
    recorder.check_length("long", "abcd", None, Some(3));
    // 2 characters in 8 bytes: fewer than the minimum of 3, though 8 bytes is more.
    recorder.check_length("short", "🦀🦀", Some(3), None);
    // 3 characters in 12 bytes: exactly the minimum.
    recorder.check_length("enough", "🦀🦀🦀", Some(3), None);
    assert_eq!(
        rules(&recorder),
        [
            ("long", &Rule::TooLong { max: 3, length: 4 }),
            ("short", &Rule::TooShort { min: 3, length: 2 }),
        ]
    );
    let mut recorder = Recorder::default();
    recorder.check_free_form_key("éüöäß", &KEYS);
    recorder.check_free_form_key("éüöäßx", &KEYS);
    assert_eq!(
        rules(&recorder),
        [("éüöäßx", &Rule::KeyTooLong { max: 5, length: 6 })]
    );
}

#[test]
fn checks_record_every_rule_broken() {
    let mut recorder = Recorder::default();
    recorder.check_length("s", "ab", Some(3), Some(1));
    recorder.check_items("l", 0, Some(1), None);
    recorder.check_range("i", -1, Some(0), Some(10));
    recorder.check_known("e", false, "x", &["a", "b"]);
    let error = recorder.finish("patch").expect_err("every check failed");
    assert_eq!(
        error.to_string(),
        "invalid patch: `s`: 2 characters is more than the 1 allowed; `s`: 2 characters is fewer than the 3 required; \
         `l`: 0 items is fewer than the 1 required; `i`: -1 is out of range 0..=10; `e`: `x` is not one of a, b"
    );
    assert_eq!(
        error.violations()[4],
        Violation {
            property: "e".into(),
            rule: Rule::NotInEnum {
                value: "x".into(),
                allowed: &["a", "b"]
            }
        }
    );
    assert!(Recorder::default().finish("create body").is_ok());
}

#[test]
fn removing_a_free_form_key_checks_only_what_removal_can_break() {
    let mut recorder = Recorder::default();
    for key in ["", "toolongkey", "name", " x"] {
        recorder.check_removable_key(key, &KEYS);
    }
    assert_eq!(
        rules(&recorder),
        [
            ("name", &Rule::DeclaredProperty),
            (" x", &Rule::UntrimmedKey)
        ]
    );
}

#[test]
fn an_unusable_pattern_is_a_mismatch_not_a_panic() {
    static BROKEN: Pattern = Pattern::new("(");
    let mut recorder = Recorder::default();
    recorder.check_pattern("p", "anything", &BROKEN);
    assert_eq!(
        rules(&recorder),
        [("p", &Rule::PatternMismatch { pattern: "(" })]
    );
}

mod decoding {
    use serde::de::MapAccess;

    use crate::Properties;

    use crate::support::{Entries, FromMap, Key, deserialize_object, required, string_enum};

    #[derive(Debug, PartialEq)]
    struct Doc {
        id: String,
        name: Option<Option<String>>,
        kind: Option<Kind>,
        additional_properties: Properties,
    }

    impl FromMap for Doc {
        const EXPECTING: &'static str = "a doc";

        fn from_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
            let (mut id, mut name, mut kind) = (None, None, None);
            let mut additional_properties = Properties::new();
            while let Some(key) = map.next_key::<Key<'de>>()? {
                match key.as_str() {
                    "id" => map.field(&mut id, "id")?,
                    "name" => map.field(&mut name, "name")?,
                    "kind" => map.field(&mut kind, "kind")?,
                    _ => map.keep(&mut additional_properties, key)?,
                }
            }
            Ok(Doc {
                id: required(id, "id")?,
                name,
                kind,
                additional_properties,
            })
        }
    }

    impl<'de> serde::Deserialize<'de> for Doc {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserialize_object(deserializer)
        }
    }

    #[derive(Debug, Clone, PartialEq)]
    enum Kind {
        Disk,
        Unknown(String),
    }

    impl Kind {
        const KNOWN_VALUES: &'static [&'static str] = &["disk"];

        fn as_str(&self) -> &str {
            match self {
                Kind::Disk => "disk",
                Kind::Unknown(value) => value,
            }
        }

        fn from_known(value: &str) -> Option<Self> {
            (value == "disk").then_some(Kind::Disk)
        }
    }

    string_enum!(Kind);

    #[test]
    fn null_absent_unknown_and_extra_keys_survive() {
        let doc: Doc =
            serde_json::from_str(r#"{"id": "1", "name": null, "kind": "tape", "x": [1]}"#).unwrap();
        assert_eq!(doc.name, Some(None));
        assert_eq!(doc.kind, Some(Kind::Unknown("tape".into())));
        assert_eq!(
            doc.additional_properties.get("x"),
            Some(crate::PropertyValue::Json(&serde_json::json!([1])))
        );
        let doc: Doc = serde_json::from_str(r#"{"id": "1", "kind": "disk"}"#).unwrap();
        assert_eq!((doc.name, doc.kind), (None, Some(Kind::Disk)));
        assert_eq!(serde_json::to_string(&Kind::Disk).unwrap(), r#""disk""#);
        assert_eq!(Kind::KNOWN_VALUES, ["disk"]);
    }

    #[test]
    fn missing_and_repeated_keys_are_errors() {
        let missing = serde_json::from_str::<Doc>(r#"{"name": "n"}"#).unwrap_err();
        assert!(
            missing.to_string().contains("missing field `id`"),
            "{missing}"
        );
        let twice = serde_json::from_str::<Doc>(r#"{"id": "1", "id": "2"}"#).unwrap_err();
        assert!(
            twice.to_string().contains("duplicate field `id`"),
            "{twice}"
        );
        let wrong = serde_json::from_str::<Doc>("[]").unwrap_err();
        assert!(wrong.to_string().contains("a doc"), "{wrong}");
    }
}
