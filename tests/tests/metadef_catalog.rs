//! Offline: Glance's metadef catalog, as the lab's Glance 33.0.0 served it
//! (`tests/fixtures/metadefs/`, written by `e2e_metadefs.rs` with
//! `CLOUD_IMAGES_SAVE_METADEF_FIXTURES=1`), round-trips losslessly through
//! the generated types. Glance's catalog defines no tags, so the tag lists
//! are all empty; the e2e CRUD test round-trips tags of its own.

use std::path::Path;

use cloud_images::{
    MetadefNamespace, MetadefNamespaceList, MetadefObject, MetadefObjectList, MetadefProperty,
    MetadefPropertyList, MetadefResourceTypeAssociationList, MetadefTag, MetadefTagList,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

fn documents(file: &str) -> Vec<Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/metadefs")
        .join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).expect("a fixture is a JSON list of documents")
}

/// Every document of `file` decodes as `T` and encodes back to the same
/// JSON; returns how many there were.
fn round_trips<T: DeserializeOwned + Serialize>(file: &str) -> usize {
    let documents = documents(file);
    for (index, document) in documents.iter().enumerate() {
        let decoded: T = serde_json::from_value(document.clone())
            .unwrap_or_else(|e| panic!("{file}[{index}] does not decode: {e}"));
        let again = serde_json::to_value(&decoded).expect("a decoded document encodes");
        assert_eq!(&again, document, "{file}[{index}] changed on a round trip");
    }
    documents.len()
}

#[test]
fn every_served_catalog_document_round_trips() {
    let counts = [
        (
            "namespace pages",
            round_trips::<MetadefNamespaceList>("namespace_pages.json"),
        ),
        (
            "namespaces",
            round_trips::<MetadefNamespace>("namespaces.json"),
        ),
        (
            "object lists",
            round_trips::<MetadefObjectList>("object_lists.json"),
        ),
        ("objects", round_trips::<MetadefObject>("objects.json")),
        (
            "property lists",
            round_trips::<MetadefPropertyList>("property_lists.json"),
        ),
        (
            "properties",
            round_trips::<MetadefProperty>("properties.json"),
        ),
        ("tag lists", round_trips::<MetadefTagList>("tag_lists.json")),
        (
            "association lists",
            round_trips::<MetadefResourceTypeAssociationList>("association_lists.json"),
        ),
        (
            "resource type lists",
            round_trips::<MetadefResourceTypeAssociationList>("resource_types.json"),
        ),
    ];
    for (what, count) in counts {
        assert!(count > 0, "no {what} in the fixtures");
    }
    assert_eq!(
        round_trips::<MetadefTag>("tags.json"),
        0,
        "Glance's catalog has no tags"
    );
}

/// The README's example, offline: the allowed values of `hw_disk_bus`
/// come from the catalog's `OS::Compute::LibvirtImage` namespace.
#[test]
fn the_catalog_lists_the_disk_buses() {
    let namespaces: Vec<MetadefNamespace> = documents("namespaces.json")
        .into_iter()
        .map(|d| serde_json::from_value(d).unwrap())
        .collect();
    let bus = namespaces
        .iter()
        .filter_map(|n| n.properties.as_ref()?.get("hw_disk_bus"))
        .next()
        .expect("a namespace defines hw_disk_bus");
    let values: Vec<&str> = bus
        .r#enum
        .iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        values.contains(&"virtio") && values.contains(&"scsi"),
        "{values:?}"
    );
}
