//! Namespaces: `GET`, `POST /v2/metadefs/namespaces` and `GET`, `PUT`,
//! `DELETE /v2/metadefs/namespaces/{namespace}`.

use cloud_images::{
    MetadefNamespace, MetadefNamespaceCreate, MetadefNamespaceList, MetadefNamespaceUpdate,
    MetadefNamespaceVisibility,
};
use http::Method;

use super::namespace_path;
use crate::api::{Api, Body, JSON};
use crate::encode::Query;
use crate::error::Error;
use crate::filter::SortDir;
use crate::operation::{Decoder, Operation, json};

/// The keys Glance sorts namespaces by (columns of its namespace table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NamespaceSortKey {
    /// `namespace`, the name.
    Namespace,
    /// `created_at`, Glance's default.
    CreatedAt,
    /// `updated_at`
    UpdatedAt,
}

impl NamespaceSortKey {
    /// The key as sent.
    pub fn as_str(self) -> &'static str {
        match self {
            NamespaceSortKey::Namespace => "namespace",
            NamespaceSortKey::CreatedAt => "created_at",
            NamespaceSortKey::UpdatedAt => "updated_at",
        }
    }
}

/// The parameters of `GET /v2/metadefs/namespaces`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NamespaceListQuery {
    /// `resource_types=OS::Glance::Image,OS::Cinder::Volume`: namespaces
    /// associated with any of these resource types.
    pub resource_types: Vec<String>,
    /// `visibility=public`: only namespaces of this visibility. Glance
    /// answers 400 to any value but `public` and `private`, so a value
    /// decoded from a newer server is refused before sending.
    pub visibility: Option<MetadefNamespaceVisibility>,
    /// The key to sort by.
    pub sort_key: Option<NamespaceSortKey>,
    /// The direction; Glance's default is descending.
    pub sort_dir: Option<SortDir>,
    /// Page size. Glance answers a full page with a `next` link.
    pub limit: Option<u32>,
    /// The name of the last namespace of the previous page.
    pub marker: Option<String>,
}

impl NamespaceListQuery {
    /// A query with no parameter: the first page of every namespace the
    /// caller sees.
    pub fn new() -> Self {
        Self::default()
    }

    /// The encoded query string, without `?`.
    pub fn to_query_string(&self) -> Result<String, Error> {
        Ok(self.to_query()?.into_string())
    }

    fn to_query(&self) -> Result<Query, Error> {
        let mut query = Query::default();
        if let Some(empty) = self
            .resource_types
            .iter()
            .find(|t| t.is_empty() || t.contains(','))
        {
            return Err(Error::InvalidRequest(format!(
                "resource type `{empty}`: Glance splits the filter at commas, so a name may be neither empty nor hold one"
            )));
        }
        if !self.resource_types.is_empty() {
            query.push("resource_types", &self.resource_types.join(","));
        }
        if let Some(visibility) = &self.visibility {
            if !visibility.is_known() {
                return Err(Error::InvalidRequest(format!(
                    "namespace visibility `{visibility}` is not one of {}",
                    MetadefNamespaceVisibility::KNOWN_VALUES.join(", ")
                )));
            }
            query.push("visibility", visibility.as_str());
        }
        query.push_opt("sort_key", self.sort_key.map(NamespaceSortKey::as_str));
        query.push_opt("sort_dir", self.sort_dir.map(SortDir::as_str));
        query.push_opt("limit", self.limit.map(|limit| limit.to_string()));
        query.push_opt("marker", self.marker.as_ref());
        Ok(query)
    }
}

/// `resource_type=...` on a read: Glance then shows each property name with
/// the prefix the association with that resource type gives (`hw_` for
/// `OS::Glance::Image` on `OS::Compute::Watchdog`).
pub(super) fn resource_type_query(resource_type: Option<&str>) -> Query {
    let mut query = Query::default();
    query.push_opt("resource_type", resource_type);
    query
}

impl Api {
    /// `GET /v2/metadefs/namespaces?...` → 200 [`MetadefNamespaceList`],
    /// with a `next` link when the page is full.
    pub fn list_metadef_namespaces(
        &self,
        query: &NamespaceListQuery,
    ) -> Result<Operation<MetadefNamespaceList>, Error> {
        self.get_json("/v2/metadefs/namespaces", query.to_query()?)
    }

    /// `GET /v2/metadefs/namespaces/{namespace}[?resource_type=...]` → 200
    /// [`MetadefNamespace`], with its properties, objects, tags and
    /// resource-type associations; property names carry the prefix of
    /// `resource_type`'s association when one is given.
    pub fn get_metadef_namespace(
        &self,
        namespace: &str,
        resource_type: Option<&str>,
    ) -> Result<Operation<MetadefNamespace>, Error> {
        self.get_json(
            &namespace_path(namespace),
            resource_type_query(resource_type),
        )
    }

    /// `POST /v2/metadefs/namespaces` → 201 [`MetadefNamespace`]. Admin only.
    /// 409 when the name is taken.
    pub fn create_metadef_namespace(
        &self,
        namespace: &MetadefNamespaceCreate,
    ) -> Result<Operation<MetadefNamespace>, Error> {
        namespace.validate().map_err(Error::InvalidBody)?;
        self.operation(
            Method::POST,
            "/v2/metadefs/namespaces",
            Query::default(),
            Body::json(namespace)?,
            JSON,
            Decoder::new(json),
        )
    }

    /// `PUT /v2/metadefs/namespaces/{namespace}` → 200 [`MetadefNamespace`].
    /// Admin only. Replaces the namespace's own fields with the body's
    /// (renaming it when `namespace` differs); fields left unset are
    /// cleared. Its objects, properties and tags are not touched.
    pub fn update_metadef_namespace(
        &self,
        namespace: &str,
        update: &MetadefNamespaceUpdate,
    ) -> Result<Operation<MetadefNamespace>, Error> {
        update.validate().map_err(Error::InvalidBody)?;
        self.operation(
            Method::PUT,
            &namespace_path(namespace),
            Query::default(),
            Body::json(update)?,
            JSON,
            Decoder::new(json),
        )
    }

    /// `DELETE /v2/metadefs/namespaces/{namespace}` → 204, with everything
    /// in it. Admin only; 403 while the namespace is `protected`.
    pub fn delete_metadef_namespace(&self, namespace: &str) -> Result<Operation<()>, Error> {
        self.no_content(Method::DELETE, &namespace_path(namespace))
    }
}
