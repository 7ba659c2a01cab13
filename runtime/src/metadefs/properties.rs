//! Properties of a namespace: `/v2/metadefs/namespaces/{namespace}/properties`.

use cloud_images::{
    MetadefProperty, MetadefPropertyCreate, MetadefPropertyList, MetadefPropertyUpdate,
};
use http::Method;

use super::namespaces::resource_type_query;
use super::{collection_path, member_path};
use crate::api::{Api, Body, JSON};
use crate::encode::Query;
use crate::error::Error;
use crate::operation::{Decoder, Operation, json};

const PROPERTIES: &str = "properties";

impl Api {
    /// `GET .../namespaces/{namespace}/properties` → 200
    /// [`MetadefPropertyList`]: every property by name.
    pub fn list_metadef_properties(
        &self,
        namespace: &str,
    ) -> Result<Operation<MetadefPropertyList>, Error> {
        self.get_json(&collection_path(namespace, PROPERTIES), Query::default())
    }

    /// `GET .../namespaces/{namespace}/properties/{property}[?resource_type=...]`
    /// → 200 [`MetadefProperty`]. With `resource_type`, `property` is the
    /// prefixed name that resource type uses (`hw_watchdog_action`), and so
    /// is the answer's `name`.
    pub fn get_metadef_property(
        &self,
        namespace: &str,
        property: &str,
        resource_type: Option<&str>,
    ) -> Result<Operation<MetadefProperty>, Error> {
        self.get_json(
            &member_path(namespace, PROPERTIES, property),
            resource_type_query(resource_type),
        )
    }

    /// `POST .../namespaces/{namespace}/properties` → 201 [`MetadefProperty`].
    /// Admin only; `name`, `title` and `type` are required.
    pub fn create_metadef_property(
        &self,
        namespace: &str,
        property: &MetadefPropertyCreate,
    ) -> Result<Operation<MetadefProperty>, Error> {
        property.validate().map_err(Error::InvalidBody)?;
        self.operation(
            Method::POST,
            &collection_path(namespace, PROPERTIES),
            Query::default(),
            Body::json(property)?,
            JSON,
            Decoder::new(json),
        )
    }

    /// `PUT .../namespaces/{namespace}/properties/{property}` → 200
    /// [`MetadefProperty`]. Admin only. Replaces the whole definition.
    pub fn update_metadef_property(
        &self,
        namespace: &str,
        property: &str,
        update: &MetadefPropertyUpdate,
    ) -> Result<Operation<MetadefProperty>, Error> {
        update.validate().map_err(Error::InvalidBody)?;
        self.operation(
            Method::PUT,
            &member_path(namespace, PROPERTIES, property),
            Query::default(),
            Body::json(update)?,
            JSON,
            Decoder::new(json),
        )
    }

    /// `DELETE .../namespaces/{namespace}/properties/{property}` → 204. Admin only.
    pub fn delete_metadef_property(
        &self,
        namespace: &str,
        property: &str,
    ) -> Result<Operation<()>, Error> {
        self.no_content(
            Method::DELETE,
            &member_path(namespace, PROPERTIES, property),
        )
    }

    /// `DELETE .../namespaces/{namespace}/properties` → 204: every property
    /// of the namespace. Admin only.
    pub fn delete_metadef_properties(&self, namespace: &str) -> Result<Operation<()>, Error> {
        self.no_content(Method::DELETE, &collection_path(namespace, PROPERTIES))
    }
}
