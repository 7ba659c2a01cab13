//! Responses from a newer Glance (`fixtures/newer-server/`): enum values and
//! keys the schemas do not list must decode, encode back to the same JSON,
//! and be plain to see in the typed API.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;
use std::fs;
use std::path::{Path, PathBuf};

use cloud_images::{
    Image, ImageContainerFormat, ImageDiskFormat, ImageList, ImageStatus, ImageVisibility, Member,
    MemberList, MemberStatus, MetadefNamespace, MetadefNamespacePropertyValueItemsType,
    MetadefNamespacePropertyValueType, MetadefNamespaceVisibility, MetadefObject,
    MetadefObjectPropertyValueItemsType, MetadefObjectPropertyValueType, MetadefProperty,
    MetadefPropertyItemsType, MetadefPropertyList, MetadefPropertyListPropertiesValueItemsType,
    MetadefPropertyListPropertiesValueType, MetadefPropertyType, Properties, Task, TaskList,
    TaskStatus, TaskType,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate sits inside the workspace")
        .to_path_buf()
}

fn newer_dir() -> PathBuf {
    root().join("tests/fixtures/newer-server")
}

/// Decodes a fixture from a string, from a `Value` and from a reader (keys
/// borrowed, owned and transient), checks the three agree, and that the
/// typed value encodes back to the document. Returns it with the document.
fn decode<T>(name: &str) -> (T, Value)
where
    T: DeserializeOwned + Serialize + PartialEq + Debug,
{
    let text = fs::read_to_string(newer_dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let document: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: not JSON: {e}"));
    let typed: T =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: does not decode: {e}"));
    let from_value: T = serde_json::from_value(document.clone())
        .unwrap_or_else(|e| panic!("{name}: does not decode from a Value: {e}"));
    let from_reader: T = serde_json::from_reader(text.as_bytes())
        .unwrap_or_else(|e| panic!("{name}: does not decode from a reader: {e}"));
    assert_eq!(typed, from_value, "{name}: decoding from a Value differs");
    assert_eq!(typed, from_reader, "{name}: decoding from a reader differs");
    let encoded =
        serde_json::to_value(&typed).unwrap_or_else(|e| panic!("{name}: does not encode: {e}"));
    assert_eq!(encoded, document, "{name} changed in a round trip");
    (typed, document)
}

#[test]
fn every_newer_document_round_trips_unchanged() {
    let mut names: Vec<String> = fs::read_dir(newer_dir())
        .expect("the newer-server fixtures")
        .map(|entry| {
            entry
                .expect("a directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.ends_with(".json"))
        .collect();
    names.sort();
    for name in &names {
        if name.starts_with("images-list") {
            decode::<ImageList>(name);
        } else if name.starts_with("image-") {
            decode::<Image>(name);
        } else if name.starts_with("members-list") {
            decode::<MemberList>(name);
        } else if name.starts_with("member-") {
            decode::<Member>(name);
        } else if name.starts_with("tasks-list") {
            decode::<TaskList>(name);
        } else if name.starts_with("task-") {
            decode::<Task>(name);
        } else if name.starts_with("metadef-namespace-") {
            decode::<MetadefNamespace>(name);
        } else if name.starts_with("metadef-object-") {
            decode::<MetadefObject>(name);
        } else if name.starts_with("metadef-properties-") {
            decode::<MetadefPropertyList>(name);
        } else if name.starts_with("metadef-property-") {
            decode::<MetadefProperty>(name);
        } else {
            panic!("{name}: no type is known for this fixture; name it after its resource");
        }
    }
    assert_eq!(
        names.len(),
        10,
        "every newer-server fixture is checked: {names:?}"
    );
}

/// Checks one enum value that the schema does not list, read from the
/// document at `pointer`, through every accessor a user would try.
macro_rules! assert_unknown {
    ($covered:expr, $ty:ident, $value:expr, $document:expr, $pointer:expr) => {{
        let raw = $document
            .pointer($pointer)
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("the fixture has no string at {}", $pointer));
        let value: &$ty = $value;
        assert!(!$ty::KNOWN_VALUES.contains(&raw), "{raw} at {} must be a value the schema does not list", $pointer);
        assert!(!value.is_known(), "{} at {}: {value:?} claims to be known", stringify!($ty), $pointer);
        assert_eq!(value.as_str(), raw, "{} at {}", stringify!($ty), $pointer);
        assert!(
            matches!(value, $ty::Unknown(s) if s == raw),
            "{} at {}: {value:?} is not Unknown({raw:?})",
            stringify!($ty),
            $pointer
        );
        assert_eq!(value.to_string(), raw);
        assert_eq!(value, &$ty::from(raw), "parsing the raw value gives the same variant");
        $covered.insert(stringify!($ty).to_owned());
    }};
}

#[test]
fn unknown_enum_values_arrive_as_unknown() {
    let mut covered = BTreeSet::new();

    let (image, doc) = decode::<Image>("image-newer.json");
    assert_unknown!(
        covered,
        ImageStatus,
        image.status.as_ref().expect("status"),
        doc,
        "/status"
    );
    assert_unknown!(
        covered,
        ImageVisibility,
        image.visibility.as_ref().expect("visibility"),
        doc,
        "/visibility"
    );
    let container = image
        .container_format
        .as_ref()
        .and_then(Option::as_ref)
        .expect("container_format");
    assert_unknown!(
        covered,
        ImageContainerFormat,
        container,
        doc,
        "/container_format"
    );
    let disk = image
        .disk_format
        .as_ref()
        .and_then(Option::as_ref)
        .expect("disk_format");
    assert_unknown!(covered, ImageDiskFormat, disk, doc, "/disk_format");

    let (list, doc) = decode::<ImageList>("images-list-newer.json");
    let images = list.images.as_deref().expect("images");
    assert_unknown!(
        covered,
        ImageStatus,
        images[1].status.as_ref().expect("status"),
        doc,
        "/images/1/status"
    );
    let visibility = images[1].visibility.as_ref().expect("visibility");
    assert_unknown!(
        covered,
        ImageVisibility,
        visibility,
        doc,
        "/images/1/visibility"
    );
    let container = images[1]
        .container_format
        .as_ref()
        .and_then(Option::as_ref)
        .expect("container_format");
    assert_unknown!(
        covered,
        ImageContainerFormat,
        container,
        doc,
        "/images/1/container_format"
    );
    let disk = images[1]
        .disk_format
        .as_ref()
        .and_then(Option::as_ref)
        .expect("disk_format");
    assert_unknown!(covered, ImageDiskFormat, disk, doc, "/images/1/disk_format");
    assert!(
        images[0].status.as_ref().is_some_and(ImageStatus::is_known),
        "the other images keep known values"
    );

    let (member, doc) = decode::<Member>("member-newer.json");
    assert_unknown!(
        covered,
        MemberStatus,
        member.status.as_ref().expect("status"),
        doc,
        "/status"
    );
    let (members, doc) = decode::<MemberList>("members-list-newer.json");
    let first = &members.members.as_deref().expect("members")[0];
    assert_unknown!(
        covered,
        MemberStatus,
        first.status.as_ref().expect("status"),
        doc,
        "/members/0/status"
    );

    let (task, doc) = decode::<Task>("task-newer.json");
    assert_unknown!(
        covered,
        TaskStatus,
        task.status.as_ref().expect("status"),
        doc,
        "/status"
    );
    assert_unknown!(
        covered,
        TaskType,
        task.r#type.as_ref().expect("type"),
        doc,
        "/type"
    );
    let (tasks, doc) = decode::<TaskList>("tasks-list-newer.json");
    let second = &tasks.tasks.as_deref().expect("tasks")[1];
    assert_unknown!(
        covered,
        TaskStatus,
        second.status.as_ref().expect("status"),
        doc,
        "/tasks/1/status"
    );
    assert_unknown!(
        covered,
        TaskType,
        second.r#type.as_ref().expect("type"),
        doc,
        "/tasks/1/type"
    );

    let (namespace, doc) = decode::<MetadefNamespace>("metadef-namespace-newer.json");
    let visibility = namespace.visibility.as_ref().expect("visibility");
    assert_unknown!(
        covered,
        MetadefNamespaceVisibility,
        visibility,
        doc,
        "/visibility"
    );
    let bus = &namespace.properties.as_ref().expect("properties")["hw_disk_bus"];
    let at = "/properties/hw_disk_bus";
    assert_unknown!(
        covered,
        MetadefNamespacePropertyValueType,
        &bus.r#type,
        doc,
        &format!("{at}/type")
    );
    let items = bus
        .items
        .as_ref()
        .and_then(|i| i.r#type.as_ref())
        .expect("items type");
    assert_unknown!(
        covered,
        MetadefNamespacePropertyValueItemsType,
        items,
        doc,
        &format!("{at}/items/type")
    );

    let (object, doc) = decode::<MetadefObject>("metadef-object-newer.json");
    let (key, property) = object
        .properties
        .as_ref()
        .and_then(|p| p.iter().find(|(_, v)| v.items.is_some()))
        .expect("a property with items");
    let at = format!("/properties/{key}");
    assert_unknown!(
        covered,
        MetadefObjectPropertyValueType,
        &property.r#type,
        doc,
        &format!("{at}/type")
    );
    let items = property
        .items
        .as_ref()
        .and_then(|i| i.r#type.as_ref())
        .expect("items type");
    assert_unknown!(
        covered,
        MetadefObjectPropertyValueItemsType,
        items,
        doc,
        &format!("{at}/items/type")
    );

    let (property, doc) = decode::<MetadefProperty>("metadef-property-newer.json");
    assert_unknown!(covered, MetadefPropertyType, &property.r#type, doc, "/type");
    let items = property
        .items
        .as_ref()
        .and_then(|i| i.r#type.as_ref())
        .expect("items type");
    assert_unknown!(covered, MetadefPropertyItemsType, items, doc, "/items/type");

    let (list, doc) = decode::<MetadefPropertyList>("metadef-properties-newer.json");
    let bus = &list.properties.as_ref().expect("properties")["hw_disk_bus"];
    let at = "/properties/hw_disk_bus";
    assert_unknown!(
        covered,
        MetadefPropertyListPropertiesValueType,
        &bus.r#type,
        doc,
        &format!("{at}/type")
    );
    let items = bus
        .items
        .as_ref()
        .and_then(|i| i.r#type.as_ref())
        .expect("items type");
    assert_unknown!(
        covered,
        MetadefPropertyListPropertiesValueItemsType,
        items,
        doc,
        &format!("{at}/items/type")
    );

    // `covered` also holds aliases (`MetadefObjectPropertyValueType` is
    // `MetadefPropertyType`), checked through the documents that use them.
    let missing: Vec<String> = schema_enums().difference(&covered).cloned().collect();
    assert!(
        missing.is_empty(),
        "every enum the generated crate exports needs an unknown value in a newer-server fixture: {missing:?}"
    );
}

/// The enums the generated crate defines with an `Unknown(String)` variant,
/// each checked to be exported from `lib.rs`.
fn schema_enums() -> BTreeSet<String> {
    let src = root().join("generated/src");
    let lib = fs::read_to_string(src.join("lib.rs")).expect("generated/src/lib.rs");
    let exported: BTreeSet<&str> = lib
        .lines()
        .skip_while(|line| !line.starts_with("pub use"))
        .flat_map(|line| line.split(|c: char| !(c.is_alphanumeric() || c == '_')))
        .collect();
    let mut enums = BTreeSet::new();
    for entry in fs::read_dir(&src).expect("generated/src") {
        let path = entry.expect("an entry").path();
        // The `compute` module's enums are not exported at the root; they
        // are covered by `newer_nova_values_are_kept` below.
        if path.ends_with("compute.rs") {
            continue;
        }
        let text = fs::read_to_string(path).expect("a generated file");
        let mut lines = text.lines();
        while let Some(line) = lines.next() {
            let Some(name) = line
                .strip_prefix("pub enum ")
                .and_then(|rest| rest.strip_suffix(" {"))
            else {
                continue;
            };
            let body: Vec<&str> = lines.by_ref().take_while(|l| *l != "}").collect();
            if body.iter().any(|l| l.trim() == "Unknown(String),") {
                assert!(
                    exported.contains(name),
                    "{name} is not exported from lib.rs"
                );
                enums.insert(name.to_owned());
            }
        }
    }
    assert!(!enums.is_empty(), "no enum found in {}", src.display());
    enums
}

/// The JSON kinds each set of `newer_*` keys must include.
const KINDS: [&str; 8] = [
    "null", "bool", "integer", "float", "string", "array", "object", "nested",
];

fn kind(value: &Value) -> &'static str {
    let is_container = |v: &Value| v.is_array() || v.is_object();
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(o) if o.values().any(is_container) => "nested",
        Value::Object(_) => "object",
    }
}

/// The property names a schema declares for the object at `pointer` in it.
fn declared(schema: &str, pointer: &str) -> BTreeSet<String> {
    let text = fs::read_to_string(root().join("schemas").join(schema)).expect("a schema");
    let schema: Value = serde_json::from_str(&text).expect("a JSON schema");
    let properties = schema
        .pointer(&format!("{pointer}/properties"))
        .and_then(Value::as_object)
        .unwrap_or_else(|| panic!("{schema} declares no properties at {pointer}"));
    properties.keys().cloned().collect()
}

/// The undeclared keys of the object at `pointer` in the document are all
/// in `additional_properties`, with their values as sent, and nothing the
/// schema declares is there.
fn assert_kept(
    label: &str,
    extra: &Properties,
    document: &Value,
    pointer: &str,
    declared: &BTreeSet<String>,
) {
    let object = document
        .pointer(pointer)
        .and_then(Value::as_object)
        .unwrap_or_else(|| panic!("{label}: no object at {pointer:?}"));
    let newer: Vec<(&String, &Value)> = object
        .iter()
        .filter(|(key, _)| key.starts_with("newer_"))
        .collect();
    let kinds: BTreeSet<&str> = newer.iter().map(|(_, value)| kind(value)).collect();
    assert_eq!(
        kinds,
        BTreeSet::from(KINDS),
        "{label}: the fixture must hold a newer key of every JSON kind"
    );
    let undeclared: BTreeMap<String, Value> = object
        .iter()
        .filter(|(key, _)| !declared.contains(*key))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    let extra_map: BTreeMap<String, Value> = extra
        .iter()
        .map(|(key, value)| (key.to_owned(), value.to_value()))
        .collect();
    assert_eq!(
        extra_map, undeclared,
        "{label}: additional_properties must hold exactly the undeclared keys"
    );
    for (key, value) in newer {
        assert_eq!(
            extra.get(key).map(|v| v.to_value()).as_ref(),
            Some(value),
            "{label}: {key}"
        );
    }
}

#[test]
fn undeclared_keys_of_every_kind_are_kept() {
    let (image, doc) = decode::<Image>("image-newer.json");
    let image_keys = declared("image.json", "");
    let location_keys = declared("image.json", "/properties/locations/items");
    assert_kept("image", &image.additional_properties, &doc, "", &image_keys);
    let location = &image.locations.as_deref().expect("locations")[0];
    assert_kept(
        "image location",
        &location.additional_properties,
        &doc,
        "/locations/0",
        &location_keys,
    );
    // The custom-property accessors read strings and nothing else.
    assert_eq!(image.property("newer_string"), Some("from a newer server"));
    assert_eq!(image.property("newer_integer"), None);
    assert!(image.properties().any(|(key, _)| key == "newer_string"));
    assert!(!image.properties().any(|(key, _)| key == "newer_object"));

    let (list, doc) = decode::<ImageList>("images-list-newer.json");
    assert_kept(
        "image list",
        &list.additional_properties,
        &doc,
        "",
        &declared("images.json", ""),
    );
    let listed = &list.images.as_deref().expect("images")[1];
    assert_kept(
        "listed image",
        &listed.additional_properties,
        &doc,
        "/images/1",
        &image_keys,
    );

    let (member, doc) = decode::<Member>("member-newer.json");
    let member_keys = declared("member.json", "");
    assert_kept(
        "member",
        &member.additional_properties,
        &doc,
        "",
        &member_keys,
    );
    let (members, doc) = decode::<MemberList>("members-list-newer.json");
    assert_kept(
        "member list",
        &members.additional_properties,
        &doc,
        "",
        &declared("members.json", ""),
    );
    let first = &members.members.as_deref().expect("members")[0];
    assert_kept(
        "listed member",
        &first.additional_properties,
        &doc,
        "/members/0",
        &member_keys,
    );

    let (task, doc) = decode::<Task>("task-newer.json");
    let task_keys = declared("task.json", "");
    assert_kept("task", &task.additional_properties, &doc, "", &task_keys);
    let (tasks, doc) = decode::<TaskList>("tasks-list-newer.json");
    assert_kept(
        "task list",
        &tasks.additional_properties,
        &doc,
        "",
        &declared("tasks.json", ""),
    );
    let second = &tasks.tasks.as_deref().expect("tasks")[1];
    assert_kept(
        "listed task",
        &second.additional_properties,
        &doc,
        "/tasks/1",
        &task_keys,
    );
}

/// A newer Nova: a status and a disk config this crate does not list, a
/// progress value the schema does not list, a fourth link and a new key at
/// every level. All decode, keep their values, and encode back unchanged.
#[test]
fn newer_nova_values_are_kept() {
    use cloud_images::compute::{DiskConfig, ImageShow, Status};

    let text = r#"{"image": {"id": "0b1c", "name": "n", "minRam": 0, "minDisk": 0,
        "metadata": {"k": "v", "n": 1}, "created": "2026-12-02T00:45:41Z", "updated": null,
        "status": "QUEUED", "progress": 75, "OS-EXT-IMG-SIZE:size": 0, "OS-DCF:diskConfig": "SMART",
        "links": [{"rel": "self", "href": "http://h/v2.1/images/0b1c"},
                  {"rel": "bookmark", "href": "http://h/images/0b1c"},
                  {"rel": "alternate", "type": "application/vnd.openstack.image", "href": "http://g/images/0b1c"},
                  {"rel": "describedby", "href": "http://h/schema", "newer": true}],
        "server": {"id": "s", "links": [], "newer": {"x": 1}},
        "newer_key": [1, 2]}, "newer_top": "kept"}"#;
    let shown: ImageShow = serde_json::from_str(text).expect("a newer Nova decodes");
    let image = &shown.image;
    assert_eq!(image.status, Status::Other("QUEUED".to_owned()));
    assert!(!image.status.is_known());
    assert_eq!(
        image.os_dcf_disk_config,
        Some(DiskConfig::Unknown("SMART".to_owned()))
    );
    assert_eq!(image.progress, 75);
    assert_eq!(image.links[3].rel, "describedby");
    assert_eq!(
        image
            .additional_properties
            .get("newer_key")
            .map(|value| value.to_value()),
        Some(serde_json::json!([1, 2]))
    );
    assert_eq!(
        shown.additional_properties.get_str("newer_top"),
        Some("kept")
    );
    let original: Value = serde_json::from_str(text).expect("JSON");
    assert_eq!(serde_json::to_value(&shown).expect("encodes"), original);
}
