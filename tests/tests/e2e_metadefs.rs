//! End to end: metadata definitions (metadefs) against the lab's Glance,
//! which loads Glance's own catalog (`glance-manage db_load_metadefs`).
//!
//! - Every namespace, object, property, resource-type association and tag
//!   the server returns round-trips losslessly through the generated types.
//! - CRUD on a namespace of the test's own, the 409 of a duplicate, the
//!   404s, a protected namespace refusing delete, and the 403 of a write
//!   without the admin role (Glance's `metadef_admin` policy).
//!
//! With `CLOUD_IMAGES_SAVE_METADEF_FIXTURES=1`, the round-trip test also
//! writes what the server sent to `tests/fixtures/metadefs/`, which
//! `metadef_catalog.rs` reads offline.

mod e2e;

use std::collections::BTreeMap;
use std::path::Path;

use cloud_images::{
    MetadefNamespaceCreate, MetadefNamespaceUpdate, MetadefNamespaceVisibility,
    MetadefObjectCreate, MetadefPropertyCreate, MetadefPropertyType,
    MetadefResourceTypeAssociationCreate,
};
use cloud_images_runtime::Error;
use cloud_images_runtime::metadefs::{NamespaceListQuery, TagsCreate};
use cloud_images_tests::{ADMIN, OWNER};
use e2e::{Glance, Session};
use serde::Serialize;
use serde_json::Value;

/// Decodes what the server sent and checks that encoding it again gives
/// the same JSON.
fn round_trip<T: Serialize>(what: &str, sent: &Value, decoded: &T) {
    let again = serde_json::to_value(decoded).expect("a decoded document encodes");
    assert_eq!(&again, sent, "{what} changed on a round trip");
}

fn get<T: Serialize>(
    glance: &Glance,
    what: &str,
    operation: Result<cloud_images_runtime::Operation<T>, Error>,
) -> Value {
    let (sent, decoded) = glance
        .execute_keeping_json(operation.expect("the request builds"))
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    round_trip(what, &sent, &decoded);
    sent
}

#[derive(Default)]
struct Catalog {
    namespace_pages: Vec<Value>,
    namespaces: Vec<Value>,
    object_lists: Vec<Value>,
    objects: Vec<Value>,
    property_lists: Vec<Value>,
    properties: Vec<Value>,
    tag_lists: Vec<Value>,
    tags: Vec<Value>,
    association_lists: Vec<Value>,
    resource_types: Vec<Value>,
}

/// Whether a namespace is the lab's catalog rather than one another test of
/// this file creates and deletes while this one lists, so that the two
/// listings compare the same set.
fn is_catalog(name: &str) -> bool {
    !name.starts_with(e2e::TEST_NAME_PREFIX)
}

#[test]
fn the_whole_catalog_round_trips_through_the_generated_types() {
    let Some(session) = Session::start("metadefs_catalog") else {
        return;
    };
    let glance = session.client(OWNER);
    let api = glance.api().clone();
    let mut catalog = Catalog::default();

    // Pages of 10, following `next` as the pager does, each page checked.
    let query = NamespaceListQuery {
        limit: Some(10),
        ..NamespaceListQuery::new()
    };
    let mut next = Some(api.list_metadef_namespaces(&query).unwrap());
    let mut names: Vec<String> = Vec::new();
    while let Some(operation) = next.take() {
        let (sent, page) = glance
            .execute_keeping_json(operation)
            .expect("a namespace page");
        round_trip("a namespace page", &sent, &page);
        names.extend(
            page.namespaces
                .iter()
                .flatten()
                .map(|n| n.namespace.clone())
                .filter(|name| is_catalog(name)),
        );
        next = api.next_page(&page).unwrap();
        catalog.namespace_pages.push(sent);
    }
    let mut through_pager: Vec<String> = glance
        .client()
        .metadef_namespaces(&query)
        .map(|n| n.expect("a namespace").namespace)
        .filter(|name| is_catalog(name))
        .collect();
    through_pager.sort();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(through_pager, sorted, "the pager lists what the pages hold");
    assert!(
        names.len() >= 30,
        "the lab loads Glance's catalog: {names:?}"
    );

    for name in &names {
        let what = format!("namespace {name}");
        catalog
            .namespaces
            .push(get(&glance, &what, api.get_metadef_namespace(name, None)));
        let objects = get(&glance, &what, api.list_metadef_objects(name));
        for object in objects["objects"].as_array().into_iter().flatten() {
            let object_name = object["name"].as_str().expect("an object name");
            catalog.objects.push(get(
                &glance,
                &format!("{what}, object {object_name}"),
                api.get_metadef_object(name, object_name),
            ));
        }
        catalog.object_lists.push(objects);
        let properties = get(&glance, &what, api.list_metadef_properties(name));
        for property_name in properties["properties"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, _)| k)
        {
            catalog.properties.push(get(
                &glance,
                &format!("{what}, property {property_name}"),
                api.get_metadef_property(name, property_name, None),
            ));
        }
        catalog.property_lists.push(properties);
        let tags = get(&glance, &what, api.list_metadef_tags(name));
        for tag in tags["tags"].as_array().into_iter().flatten() {
            let tag_name = tag["name"].as_str().expect("a tag name");
            catalog.tags.push(get(
                &glance,
                &format!("{what}, tag {tag_name}"),
                api.get_metadef_tag(name, tag_name),
            ));
        }
        catalog.tag_lists.push(tags);
        catalog.association_lists.push(get(
            &glance,
            &what,
            api.list_metadef_resource_type_associations(name),
        ));
    }
    catalog.resource_types.push(get(
        &glance,
        "resource types",
        api.list_metadef_resource_types(),
    ));

    let associations: usize = catalog
        .association_lists
        .iter()
        .map(|list| {
            list["resource_type_associations"]
                .as_array()
                .map_or(0, Vec::len)
        })
        .sum();
    let resource_types = catalog.resource_types[0]["resource_types"]
        .as_array()
        .map_or(0, Vec::len);
    println!(
        "metadef catalog round-tripped: {} namespaces ({} pages), {} objects, {} properties, \
         {} resource-type associations, {} resource types, {} tags; {} requests",
        catalog.namespaces.len(),
        catalog.namespace_pages.len(),
        catalog.objects.len(),
        catalog.properties.len(),
        associations,
        resource_types,
        catalog.tags.len(),
        session.requests(),
    );
    assert!(!catalog.objects.is_empty() && !catalog.properties.is_empty());
    assert!(associations > 0 && resource_types > 0);

    if std::env::var_os("CLOUD_IMAGES_SAVE_METADEF_FIXTURES").is_some() {
        save(&catalog);
    }
}

/// Writes the served documents, by kind, as the offline test reads them.
fn save(catalog: &Catalog) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/metadefs");
    std::fs::create_dir_all(&dir).unwrap();
    let files: BTreeMap<&str, &Vec<Value>> = BTreeMap::from([
        ("namespace_pages", &catalog.namespace_pages),
        ("namespaces", &catalog.namespaces),
        ("object_lists", &catalog.object_lists),
        ("objects", &catalog.objects),
        ("property_lists", &catalog.property_lists),
        ("properties", &catalog.properties),
        ("tag_lists", &catalog.tag_lists),
        ("tags", &catalog.tags),
        ("association_lists", &catalog.association_lists),
        ("resource_types", &catalog.resource_types),
    ]);
    for (name, documents) in files {
        let mut text = serde_json::to_string_pretty(documents).unwrap();
        text.push('\n');
        std::fs::write(dir.join(format!("{name}.json")), text).unwrap();
    }
}

fn status(result: Result<impl std::fmt::Debug, Error>) -> String {
    match result {
        Ok(value) => format!("success: {value:?}"),
        Err(Error::NotFound(_)) => "404".into(),
        Err(Error::Conflict(_)) => "409".into(),
        Err(Error::Forbidden(_)) => "403".into(),
        Err(other) => format!("{other}"),
    }
}

/// Deletes the namespace when the test ends, however it ends.
struct Cleanup<'a> {
    admin: &'a Glance,
    namespace: String,
}

impl Drop for Cleanup<'_> {
    fn drop(&mut self) {
        let client = self.admin.client();
        if let Ok(namespace) = client.get_metadef_namespace(&self.namespace, None) {
            if namespace.protected == Some(true) {
                let mut update = MetadefNamespaceUpdate::from(&namespace);
                update.protected = Some(false);
                let _ = client.update_metadef_namespace(&self.namespace, &update);
            }
            let _ = client.delete_metadef_namespace(&self.namespace);
        }
    }
}

#[test]
fn a_namespace_of_our_own_goes_through_its_whole_life() {
    let Some(session) = Session::start("metadefs_crud") else {
        return;
    };
    let admin = session.client(ADMIN);
    let user = session.client(OWNER);
    let client = admin.client();
    let name = session.unique("ns");
    let _cleanup = Cleanup {
        admin: &admin,
        namespace: name.clone(),
    };
    let create = MetadefNamespaceCreate {
        namespace: Some(name.clone()),
        display_name: Some("An e2e namespace".into()),
        visibility: Some(MetadefNamespaceVisibility::Public),
        protected: Some(false),
        ..MetadefNamespaceCreate::new()
    };

    // A write without the admin role: 403, and nothing is created.
    assert_eq!(
        status(user.client().create_metadef_namespace(&create)),
        "403"
    );
    assert_eq!(status(client.get_metadef_namespace(&name, None)), "404");

    let created = client
        .create_metadef_namespace(&create)
        .expect("admin creates");
    assert_eq!(created.namespace, name);
    assert_eq!(created.visibility, Some(MetadefNamespaceVisibility::Public));
    assert_eq!(status(client.create_metadef_namespace(&create)), "409");

    // Update is a PUT of the whole document: start from what the server has.
    let mut update = MetadefNamespaceUpdate::from(&created);
    update.description = Some("described".into());
    let updated = client
        .update_metadef_namespace(&name, &update)
        .expect("admin updates");
    assert_eq!(updated.description.as_deref(), Some("described"));
    assert_eq!(updated.display_name.as_deref(), Some("An e2e namespace"));
    assert_eq!(
        status(user.client().update_metadef_namespace(&name, &update)),
        "403"
    );

    // Objects.
    let object = MetadefObjectCreate {
        name: Some("Widget".into()),
        description: Some("an object".into()),
        ..MetadefObjectCreate::new()
    };
    client
        .create_metadef_object(&name, &object)
        .expect("object created");
    assert_eq!(status(client.create_metadef_object(&name, &object)), "409");
    let fetched = client.get_metadef_object(&name, "Widget").expect("object");
    let mut object_update = cloud_images::MetadefObjectUpdate::from(&fetched);
    object_update.description = Some("changed".into());
    let changed = client
        .update_metadef_object(&name, "Widget", &object_update)
        .expect("object updated");
    assert_eq!(changed.description.as_deref(), Some("changed"));
    assert_eq!(
        client
            .list_metadef_objects(&name)
            .unwrap()
            .objects
            .map_or(0, |o| o.len()),
        1
    );
    client
        .delete_metadef_object(&name, "Widget")
        .expect("object deleted");
    assert_eq!(status(client.get_metadef_object(&name, "Widget")), "404");

    // Properties.
    let property = MetadefPropertyCreate {
        name: Some("e2e_bus".into()),
        title: Some("Bus".into()),
        r#type: Some(MetadefPropertyType::String),
        r#enum: Some(vec!["virtio".into(), "scsi".into()]),
        ..MetadefPropertyCreate::new()
    };
    client
        .create_metadef_property(&name, &property)
        .expect("property created");
    let fetched = client
        .get_metadef_property(&name, "e2e_bus", None)
        .expect("property");
    assert_eq!(
        fetched.r#enum,
        Some(vec![Value::from("virtio"), Value::from("scsi")])
    );
    let mut property_update = cloud_images::MetadefPropertyUpdate::from(&fetched);
    property_update.title = Some("Disk bus".into());
    let changed = client
        .update_metadef_property(&name, "e2e_bus", &property_update)
        .expect("property updated");
    assert_eq!(changed.title, "Disk bus");
    let listed = client.list_metadef_properties(&name).unwrap();
    assert!(listed.properties.is_some_and(|p| p.contains_key("e2e_bus")));
    client
        .delete_metadef_property(&name, "e2e_bus")
        .expect("property deleted");
    assert_eq!(
        status(client.get_metadef_property(&name, "e2e_bus", None)),
        "404"
    );

    // Tags: one, then several replacing, then several appended.
    client
        .create_metadef_tag(&name, "alpha")
        .expect("tag created");
    assert_eq!(status(client.create_metadef_tag(&name, "alpha")), "409");
    client
        .create_metadef_tags(
            &name,
            &TagsCreate {
                names: vec!["beta".into(), "gamma".into()],
                append: false,
            },
        )
        .expect("tags replaced");
    client
        .create_metadef_tags(
            &name,
            &TagsCreate {
                names: vec!["delta".into()],
                append: true,
            },
        )
        .expect("tags appended");
    let mut tags: Vec<String> = client
        .list_metadef_tags(&name)
        .unwrap()
        .tags
        .into_iter()
        .flatten()
        .map(|t| t.name)
        .collect();
    tags.sort();
    assert_eq!(
        tags,
        ["beta", "delta", "gamma"],
        "replace dropped alpha, append kept the rest"
    );
    let renamed = client
        .update_metadef_tag(&name, "beta", "bravo")
        .expect("tag renamed");
    assert_eq!(renamed.name, "bravo");
    assert_eq!(status(client.get_metadef_tag(&name, "beta")), "404");
    client
        .delete_metadef_tag(&name, "bravo")
        .expect("tag deleted");
    client
        .delete_metadef_tags(&name)
        .expect("every tag deleted");
    assert_eq!(
        client
            .list_metadef_tags(&name)
            .unwrap()
            .tags
            .map_or(0, |t| t.len()),
        0
    );

    // Resource types.
    let association = MetadefResourceTypeAssociationCreate {
        name: Some("OS::Glance::Image".into()),
        prefix: Some("e2e_".into()),
        ..MetadefResourceTypeAssociationCreate::new()
    };
    client
        .associate_metadef_resource_type(&name, &association)
        .expect("associated");
    assert_eq!(
        status(client.associate_metadef_resource_type(&name, &association)),
        "409"
    );
    let by_type = client
        .list_metadef_namespaces(&NamespaceListQuery {
            resource_types: vec!["OS::Glance::Image".into()],
            ..NamespaceListQuery::new()
        })
        .unwrap();
    let _ = by_type;
    client
        .dissociate_metadef_resource_type(&name, "OS::Glance::Image")
        .expect("dissociated");
    assert_eq!(
        status(client.dissociate_metadef_resource_type(&name, "OS::Glance::Image")),
        "404"
    );

    // A protected namespace refuses delete until it is unprotected.
    let mut protect = MetadefNamespaceUpdate::from(&updated);
    protect.protected = Some(true);
    client
        .update_metadef_namespace(&name, &protect)
        .expect("protected");
    assert_eq!(status(client.delete_metadef_namespace(&name)), "403");
    protect.protected = Some(false);
    client
        .update_metadef_namespace(&name, &protect)
        .expect("unprotected");
    assert_eq!(status(user.client().delete_metadef_namespace(&name)), "403");
    client.delete_metadef_namespace(&name).expect("deleted");
    assert_eq!(status(client.get_metadef_namespace(&name, None)), "404");
    assert_eq!(status(client.delete_metadef_namespace(&name)), "404");
    assert_eq!(status(client.list_metadef_objects(&name)), "404");
}
