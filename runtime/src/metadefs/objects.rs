//! Objects of a namespace: `/v2/metadefs/namespaces/{namespace}/objects`.

use cloud_images::{MetadefObject, MetadefObjectCreate, MetadefObjectList, MetadefObjectUpdate};
use http::Method;

use super::{collection_path, member_path};
use crate::api::{Api, Body, JSON};
use crate::encode::Query;
use crate::error::Error;
use crate::operation::{Decoder, Operation, json};

const OBJECTS: &str = "objects";

impl Api {
    /// `GET .../namespaces/{namespace}/objects` → 200 [`MetadefObjectList`].
    pub fn list_metadef_objects(
        &self,
        namespace: &str,
    ) -> Result<Operation<MetadefObjectList>, Error> {
        self.get_json(&collection_path(namespace, OBJECTS), Query::default())
    }

    /// `GET .../namespaces/{namespace}/objects/{object}` → 200 [`MetadefObject`].
    pub fn get_metadef_object(
        &self,
        namespace: &str,
        object: &str,
    ) -> Result<Operation<MetadefObject>, Error> {
        self.get_json(&member_path(namespace, OBJECTS, object), Query::default())
    }

    /// `POST .../namespaces/{namespace}/objects` → 201 [`MetadefObject`].
    /// Admin only; 409 when the namespace has an object of that name.
    pub fn create_metadef_object(
        &self,
        namespace: &str,
        object: &MetadefObjectCreate,
    ) -> Result<Operation<MetadefObject>, Error> {
        object.validate().map_err(Error::InvalidBody)?;
        self.operation(
            Method::POST,
            &collection_path(namespace, OBJECTS),
            Query::default(),
            Body::json(object)?,
            JSON,
            Decoder::new(json),
        )
    }

    /// `PUT .../namespaces/{namespace}/objects/{object}` → 200
    /// [`MetadefObject`]. Admin only. Replaces the whole object.
    pub fn update_metadef_object(
        &self,
        namespace: &str,
        object: &str,
        update: &MetadefObjectUpdate,
    ) -> Result<Operation<MetadefObject>, Error> {
        update.validate().map_err(Error::InvalidBody)?;
        self.operation(
            Method::PUT,
            &member_path(namespace, OBJECTS, object),
            Query::default(),
            Body::json(update)?,
            JSON,
            Decoder::new(json),
        )
    }

    /// `DELETE .../namespaces/{namespace}/objects/{object}` → 204. Admin only.
    pub fn delete_metadef_object(
        &self,
        namespace: &str,
        object: &str,
    ) -> Result<Operation<()>, Error> {
        self.no_content(Method::DELETE, &member_path(namespace, OBJECTS, object))
    }

    /// `DELETE .../namespaces/{namespace}/objects` → 204: every object of
    /// the namespace. Admin only.
    pub fn delete_metadef_objects(&self, namespace: &str) -> Result<Operation<()>, Error> {
        self.no_content(Method::DELETE, &collection_path(namespace, OBJECTS))
    }
}
