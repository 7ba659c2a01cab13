//! The requests the metadef calls build, without a server.

use cloud_images::{
    MetadefNamespaceCreate, MetadefNamespaceVisibility, MetadefPropertyCreate, MetadefPropertyType,
    Rule,
};

use super::{NamespaceListQuery, TagsCreate};
use crate::{Api, Error};

fn api() -> Api {
    Api::new("http://glance.example/image").unwrap()
}

#[test]
fn namespace_listing_sends_its_filters_and_refuses_what_glance_refuses() {
    let query = NamespaceListQuery {
        resource_types: vec!["OS::Glance::Image".into(), "OS::Nova::Flavor".into()],
        visibility: Some(MetadefNamespaceVisibility::Public),
        limit: Some(2),
        marker: Some("OS::Compute::Watchdog".into()),
        ..NamespaceListQuery::new()
    };
    let operation = api().list_metadef_namespaces(&query).unwrap();
    assert_eq!(
        operation.uri().to_string(),
        "http://glance.example/image/v2/metadefs/namespaces?resource_types=OS::Glance::Image,OS::Nova::Flavor&visibility=public&limit=2&marker=OS::Compute::Watchdog"
    );
    let newer = NamespaceListQuery {
        visibility: Some(serde_json::from_str("\"community\"").unwrap()),
        ..NamespaceListQuery::new()
    };
    assert!(matches!(
        api().list_metadef_namespaces(&newer),
        Err(Error::InvalidRequest(_))
    ));
    let comma = NamespaceListQuery {
        resource_types: vec!["a,b".into()],
        ..NamespaceListQuery::new()
    };
    assert!(matches!(
        api().list_metadef_namespaces(&comma),
        Err(Error::InvalidRequest(_))
    ));
}

#[test]
fn names_are_one_encoded_segment_each() {
    let operation = api()
        .get_metadef_property(
            "OS::Compute::Watchdog",
            "hw/watchdog action",
            Some("OS::Glance::Image"),
        )
        .unwrap();
    assert_eq!(
        operation.uri().path(),
        "/image/v2/metadefs/namespaces/OS%3A%3ACompute%3A%3AWatchdog/properties/hw%2Fwatchdog%20action"
    );
    assert_eq!(
        operation.uri().query(),
        Some("resource_type=OS::Glance::Image")
    );
    let operation = api().delete_metadef_namespace("a/b").unwrap();
    assert_eq!(operation.request().method(), http::Method::DELETE);
    assert_eq!(
        operation.uri().path(),
        "/image/v2/metadefs/namespaces/a%2Fb"
    );
}

#[test]
fn create_bodies_are_checked_before_sending() {
    // `namespace` is required by the schema.
    let missing = api().create_metadef_namespace(&MetadefNamespaceCreate::new());
    match missing {
        Err(Error::InvalidBody(error)) => assert!(
            error
                .violations()
                .iter()
                .any(|v| v.property == "namespace" && v.rule == Rule::Missing),
            "{error}"
        ),
        other => panic!("expected InvalidBody, got {other:?}"),
    }
    let too_long = MetadefNamespaceCreate {
        namespace: Some("n".repeat(81)),
        ..MetadefNamespaceCreate::new()
    };
    assert!(matches!(
        api().create_metadef_namespace(&too_long),
        Err(Error::InvalidBody(_))
    ));
    let property = MetadefPropertyCreate {
        name: Some("hw_example".into()),
        title: Some("Example".into()),
        r#type: Some(MetadefPropertyType::String),
        r#enum: Some(vec!["a".into(), "b".into()]),
        ..MetadefPropertyCreate::new()
    };
    let operation = api().create_metadef_property("NS", &property).unwrap();
    let sent: serde_json::Value = serde_json::from_slice(operation.request().body()).unwrap();
    assert_eq!(
        sent,
        serde_json::json!({"name": "hw_example", "title": "Example", "type": "string", "enum": ["a", "b"]})
    );
}

#[test]
fn tags_replace_unless_asked_to_append() {
    let mut tags = TagsCreate {
        names: vec!["one".into(), "two".into()],
        append: false,
    };
    let replace = api().create_metadef_tags("NS", &tags).unwrap();
    assert!(
        replace
            .request()
            .headers()
            .get("x-openstack-append")
            .is_none()
    );
    let sent: serde_json::Value = serde_json::from_slice(replace.request().body()).unwrap();
    assert_eq!(
        sent,
        serde_json::json!({"tags": [{"name": "one"}, {"name": "two"}]})
    );
    tags.append = true;
    let append = api().create_metadef_tags("NS", &tags).unwrap();
    assert_eq!(append.request().headers()["x-openstack-append"], "true");
    tags.names.push(String::new());
    assert!(matches!(
        api().create_metadef_tags("NS", &tags),
        Err(Error::InvalidRequest(_))
    ));
}
