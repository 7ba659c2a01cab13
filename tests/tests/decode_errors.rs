//! A value of the wrong JSON type for a declared property is a decode error
//! that names the property and its JSON path, as the runtime reports it
//! through `serde_path_to_error`. Nothing is coerced, nothing panics.

use std::collections::BTreeSet;
use std::fmt::Debug;
use std::fs;
use std::path::{Path, PathBuf};

use cloud_images::{Image, ImageList, Member, MemberList, Task, TaskList};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate sits inside the workspace")
        .to_path_buf()
}

fn json_file(path: &str) -> Value {
    let text = fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The error for `document`, with its path as the runtime shows it.
fn decode_error<T: DeserializeOwned + Debug>(document: &Value) -> (String, String) {
    let text = document.to_string();
    let plain = serde_json::from_str::<T>(&text);
    assert!(plain.is_err(), "{text} decoded: {plain:?}");
    let mut deserializer = serde_json::Deserializer::from_str(&text);
    match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
        Ok(value) => panic!("{text} decoded as {value:?}"),
        Err(error) => (error.path().to_string(), error.inner().to_string()),
    }
}

fn with(mut document: Value, pointer: &str, value: Value) -> Value {
    *document
        .pointer_mut(pointer)
        .unwrap_or_else(|| panic!("no {pointer} in the sample")) = value;
    document
}

fn image() -> Value {
    json_file("tests/fixtures/samples/image-active-with-locations.json")
}

#[test]
fn wrong_types_name_the_property_and_the_path() {
    let cases: [(&str, Value, &str, &str); 8] = [
        (
            "/min_ram",
            json!("512"),
            "min_ram",
            r#"invalid type: string "512", expected i64"#,
        ),
        (
            "/protected",
            json!("true"),
            "protected",
            r#"invalid type: string "true", expected a boolean"#,
        ),
        (
            "/tags",
            json!("a"),
            "tags",
            r#"invalid type: string "a", expected a sequence"#,
        ),
        (
            "/tags",
            json!(["a", 1]),
            "tags[1]",
            "invalid type: integer `1`, expected a string",
        ),
        (
            "/locations",
            json!({}),
            "locations",
            "invalid type: map, expected a sequence",
        ),
        (
            "/locations/0/url",
            json!(5),
            "locations[0].url",
            "invalid type: integer `5`, expected a string",
        ),
        (
            "/size",
            json!("x"),
            "size",
            r#"invalid type: string "x", expected i64"#,
        ),
        (
            "/status",
            json!(3),
            "status",
            "invalid type: integer `3`, expected a string",
        ),
    ];
    for (pointer, value, path, message) in cases {
        let (got_path, got_message) = decode_error::<Image>(&with(image(), pointer, value));
        assert_eq!(got_path, path, "{pointer}");
        assert!(got_message.starts_with(message), "{pointer}: {got_message}");
    }

    let list = json_file("tests/fixtures/samples/images-list-page1.json");
    let (path, message) = decode_error::<ImageList>(&with(list, "/images/1/size", json!("x")));
    assert_eq!(path, "images[1].size");
    assert!(
        message.starts_with(r#"invalid type: string "x", expected i64"#),
        "{message}"
    );
}

#[test]
fn null_is_refused_where_the_schema_does_not_allow_it() {
    // Decoding `null` as an absent key would drop it on the way back out.
    let (path, message) = decode_error::<Image>(&with(image(), "/protected", Value::Null));
    assert_eq!(path, "protected");
    assert!(
        message.starts_with("invalid type: null, expected a boolean"),
        "{message}"
    );
    let (path, _) = decode_error::<Image>(&with(image(), "/locations/0/url", Value::Null));
    assert_eq!(path, "locations[0].url");

    // Where the schema allows it, `null` stays `null`.
    let decoded: Image =
        serde_json::from_value(with(image(), "/size", Value::Null)).expect("size may be null");
    assert_eq!(decoded.size, Some(None));
}

#[test]
fn structural_errors_say_where() {
    let mut location = image();
    location["locations"][0]
        .as_object_mut()
        .expect("a location")
        .remove("url");
    let (path, message) = decode_error::<Image>(&location);
    assert_eq!(path, "locations[0]");
    assert!(message.starts_with("missing field `url`"), "{message}");

    let twice = r#"{"id": "a554f23d-0eb5-434f-82bf-646b9bb888c3", "min_ram": 1, "min_ram": 2}"#;
    let mut deserializer = serde_json::Deserializer::from_str(twice);
    let error = serde_path_to_error::deserialize::<_, Image>(&mut deserializer)
        .expect_err("a key sent twice");
    assert_eq!(error.path().to_string(), "min_ram");
    assert!(
        error
            .inner()
            .to_string()
            .starts_with("duplicate field `min_ram`"),
        "{error}"
    );

    for not_an_object in [json!([]), json!("image"), json!(1), Value::Null] {
        let (path, message) = decode_error::<Image>(&not_an_object);
        assert_eq!(path, ".");
        assert!(
            message.contains("expected a JSON object for Image"),
            "{message}"
        );
    }
}

#[test]
fn truncated_documents_are_errors_not_panics() {
    let text = image().to_string();
    for end in 0..text.len() {
        if text.is_char_boundary(end) {
            assert!(
                serde_json::from_str::<Image>(&text[..end]).is_err(),
                "a prefix of {end} bytes decoded"
            );
        }
    }
}

/// One value of each JSON kind, by the names JSON Schema's `type` uses.
fn kinds() -> [(&'static str, Value); 7] {
    [
        ("null", Value::Null),
        ("boolean", json!(true)),
        ("integer", json!(7)),
        ("number", json!(1.5)),
        ("string", json!("7")),
        ("array", json!([])),
        ("object", json!({})),
    ]
}

/// The kinds a property's schema accepts; `None` when it says no `type`.
fn accepted(property: &Value) -> Option<BTreeSet<&'static str>> {
    let types: Vec<&str> = match property.get("type")? {
        Value::String(one) => vec![one.as_str()],
        Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
        _ => return None,
    };
    let mut accepted = BTreeSet::new();
    for (kind, _) in kinds() {
        // A JSON Schema `number` includes the integers.
        if types.contains(&kind) || (kind == "integer" && types.contains(&"number")) {
            accepted.insert(kind);
        }
    }
    Some(accepted)
}

/// `images[1].size` from `/images/1` and `size`.
fn display_path(pointer: &str, key: &str) -> String {
    let mut path = String::new();
    for segment in pointer.split('/').skip(1) {
        if segment.bytes().all(|b| b.is_ascii_digit()) {
            path.push_str(&format!("[{segment}]"));
        } else {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(segment);
        }
    }
    if !path.is_empty() {
        path.push('.');
    }
    path + key
}

/// For every property the schema declares on the object at `at` in the
/// document, each JSON kind the schema does not accept is an error at that
/// key, and each array item of a kind the items' schema does not accept is
/// an error at that item. Returns how many documents were tried.
fn check_every_property<T: DeserializeOwned + Debug>(
    document: &Value,
    at: &str,
    schema: &Value,
) -> usize {
    let properties = schema["properties"]
        .as_object()
        .expect("declared properties");
    let mut tried = 0;
    for (key, property) in properties {
        let pointer = format!("{at}/{key}");
        // The key may be absent from the sample; put it there to replace it.
        let mut base = document.clone();
        base.pointer_mut(at)
            .and_then(Value::as_object_mut)
            .expect("an object")
            .insert(key.clone(), Value::Null);
        let Some(allowed) = accepted(property) else {
            continue;
        };
        for (kind, value) in kinds() {
            if allowed.contains(kind) {
                continue;
            }
            let (path, message) = decode_error::<T>(&with(base.clone(), &pointer, value));
            assert_eq!(path, display_path(at, key), "{key} given {kind}");
            assert!(
                message.contains("invalid type"),
                "{key} given {kind}: {message}"
            );
            tried += 1;
        }
        let Some(items) = property.get("items").and_then(accepted) else {
            continue;
        };
        for (kind, value) in kinds() {
            if items.contains(kind) {
                continue;
            }
            let (path, message) =
                decode_error::<T>(&with(base.clone(), &pointer, Value::Array(vec![value])));
            assert_eq!(
                path,
                format!("{}[0]", display_path(at, key)),
                "{key} item given {kind}"
            );
            assert!(
                message.contains("invalid type"),
                "{key} item given {kind}: {message}"
            );
            tried += 1;
        }
    }
    tried
}

#[test]
fn every_declared_property_refuses_every_other_json_type() {
    let image_schema = json_file("schemas/image.json");
    let location_schema = image_schema["properties"]["locations"]["items"].clone();
    let member_schema = json_file("schemas/member.json");
    let task_schema = json_file("schemas/task.json");
    let task = json_file("tests/fixtures/newer-server/task-newer.json");

    let mut tried = 0;
    tried += check_every_property::<Image>(&image(), "", &image_schema);
    tried += check_every_property::<Image>(&image(), "/locations/0", &location_schema);
    let list = json_file("tests/fixtures/samples/images-list-page1.json");
    tried += check_every_property::<ImageList>(&list, "", &json_file("schemas/images.json"));
    tried += check_every_property::<ImageList>(&list, "/images/1", &image_schema);
    let member = json_file("tests/fixtures/samples/member-accepted.json");
    tried += check_every_property::<Member>(&member, "", &member_schema);
    let members = json_file("tests/fixtures/samples/members-list.json");
    tried += check_every_property::<MemberList>(&members, "", &json_file("schemas/members.json"));
    tried += check_every_property::<MemberList>(&members, "/members/2", &member_schema);
    tried += check_every_property::<Task>(&task, "", &task_schema);
    let tasks = json!({ "tasks": [task.clone(), task], "schema": "/v2/schemas/tasks" });
    tried += check_every_property::<TaskList>(&tasks, "", &json_file("schemas/tasks.json"));
    tried += check_every_property::<TaskList>(&tasks, "/tasks/1", &task_schema);
    // 31 image properties, 3 location, 4 list, 6 member, 2 member list,
    // 15 task, 2 task list: each with 5 or 6 refused kinds, plus array items.
    eprintln!("{tried} wrong documents tried");
    assert!(tried > 400, "only {tried} wrong documents were tried");
}
