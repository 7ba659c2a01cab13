//! Resource types (`OS::Glance::Image`, `OS::Nova::Flavor`, ...) and their
//! associations with namespaces.

use cloud_images::{
    MetadefResourceTypeAssociation, MetadefResourceTypeAssociationCreate,
    MetadefResourceTypeAssociationList,
};
use http::Method;

use super::{collection_path, member_path};
use crate::api::{Api, Body, JSON};
use crate::encode::Query;
use crate::error::Error;
use crate::operation::{Decoder, Operation, json};

const RESOURCE_TYPES: &str = "resource_types";

impl Api {
    /// `GET /v2/metadefs/resource_types` → 200: every resource type Glance
    /// knows, in a [`MetadefResourceTypeAssociationList`] (each with only
    /// `name` and timestamps).
    pub fn list_metadef_resource_types(
        &self,
    ) -> Result<Operation<MetadefResourceTypeAssociationList>, Error> {
        self.get_json("/v2/metadefs/resource_types", Query::default())
    }

    /// `GET .../namespaces/{namespace}/resource_types` → 200: the
    /// namespace's associations, with their `prefix` and `properties_target`.
    pub fn list_metadef_resource_type_associations(
        &self,
        namespace: &str,
    ) -> Result<Operation<MetadefResourceTypeAssociationList>, Error> {
        self.get_json(
            &collection_path(namespace, RESOURCE_TYPES),
            Query::default(),
        )
    }

    /// `POST .../namespaces/{namespace}/resource_types` → 201
    /// [`MetadefResourceTypeAssociation`]: associates a resource type
    /// (named by `name`) with the namespace. Admin only; 409 when it is
    /// associated already.
    pub fn associate_metadef_resource_type(
        &self,
        namespace: &str,
        association: &MetadefResourceTypeAssociationCreate,
    ) -> Result<Operation<MetadefResourceTypeAssociation>, Error> {
        association.validate().map_err(Error::InvalidBody)?;
        self.operation(
            Method::POST,
            &collection_path(namespace, RESOURCE_TYPES),
            Query::default(),
            Body::json(association)?,
            JSON,
            Decoder::new(json),
        )
    }

    /// `DELETE .../namespaces/{namespace}/resource_types/{resource_type}` →
    /// 204. Admin only.
    pub fn dissociate_metadef_resource_type(
        &self,
        namespace: &str,
        resource_type: &str,
    ) -> Result<Operation<()>, Error> {
        self.no_content(
            Method::DELETE,
            &member_path(namespace, RESOURCE_TYPES, resource_type),
        )
    }
}
