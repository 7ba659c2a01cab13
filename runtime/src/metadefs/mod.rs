//! Metadata definitions (metadefs): Glance's catalog of well-known image
//! properties and their allowed values, as namespaces holding objects,
//! properties, tags and resource-type associations, under
//! `/v2/metadefs/`. `runtime/docs/metadefs.md` has what the calls rely on.
//!
//! Reads are open to every user (policy `metadef_default`, empty); every
//! write is for admins only (`metadef_admin`, `role:admin` in Glance 33),
//! and gets 403 for anyone else.

mod namespaces;
mod objects;
mod properties;
mod resource_types;
mod tags;

pub use namespaces::{NamespaceListQuery, NamespaceSortKey};
pub use tags::TagsCreate;

use crate::encode::segment;

/// `/v2/metadefs/namespaces/{namespace}`.
fn namespace_path(namespace: &str) -> String {
    format!("/v2/metadefs/namespaces/{}", segment(namespace))
}

/// `/v2/metadefs/namespaces/{namespace}/{collection}`, such as `objects`.
fn collection_path(namespace: &str, collection: &str) -> String {
    format!("{}/{collection}", namespace_path(namespace))
}

/// `/v2/metadefs/namespaces/{namespace}/{collection}/{name}`.
fn member_path(namespace: &str, collection: &str, name: &str) -> String {
    format!(
        "{}/{}",
        collection_path(namespace, collection),
        segment(name)
    )
}

#[cfg(test)]
mod tests;
