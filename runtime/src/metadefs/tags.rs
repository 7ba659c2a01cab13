//! Tags of a namespace: `/v2/metadefs/namespaces/{namespace}/tags`.

use cloud_images::{MetadefTag, MetadefTagList};
use http::{HeaderValue, Method};
use serde::Serialize;

use super::{collection_path, member_path};
use crate::api::{Api, Body, JSON};
use crate::encode::Query;
use crate::error::Error;
use crate::operation::{Decoder, Operation, json};

const TAGS: &str = "tags";

/// The header that makes `POST .../tags` add to the namespace's tags
/// instead of replacing them (Glance reads it with oslo's
/// `bool_from_string`, so `true` appends and absence replaces).
const APPEND_HEADER: &str = "x-openstack-append";

/// Several tags created at once (`POST .../namespaces/{namespace}/tags`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TagsCreate {
    /// The tags' names. Glance answers 409 to a name listed twice or, when
    /// appending, to one the namespace has.
    pub names: Vec<String>,
    /// Add to the namespace's tags (`X-Openstack-Append: true`) instead of
    /// replacing every tag it has, which is Glance's default.
    pub append: bool,
}

#[derive(Serialize)]
struct TagsBody<'a> {
    tags: Vec<TagName<'a>>,
}

#[derive(Serialize)]
struct TagName<'a> {
    name: &'a str,
}

/// A tag's name is a path segment and a database key: Glance's tag schema
/// caps it at 255 characters and an empty one names no tag.
fn check_name(name: &str) -> Result<(), Error> {
    if name.is_empty() || name.chars().count() > 255 {
        return Err(Error::InvalidRequest(format!(
            "tag name `{name}`: must be 1 to 255 characters"
        )));
    }
    Ok(())
}

impl Api {
    /// `GET .../namespaces/{namespace}/tags` → 200 [`MetadefTagList`].
    pub fn list_metadef_tags(&self, namespace: &str) -> Result<Operation<MetadefTagList>, Error> {
        self.get_json(&collection_path(namespace, TAGS), Query::default())
    }

    /// `GET .../namespaces/{namespace}/tags/{tag}` → 200 [`MetadefTag`].
    pub fn get_metadef_tag(
        &self,
        namespace: &str,
        tag: &str,
    ) -> Result<Operation<MetadefTag>, Error> {
        self.get_json(&member_path(namespace, TAGS, tag), Query::default())
    }

    /// `POST .../namespaces/{namespace}/tags/{tag}` (no body) → 201
    /// [`MetadefTag`]. Admin only; 409 when the namespace has the tag.
    pub fn create_metadef_tag(
        &self,
        namespace: &str,
        tag: &str,
    ) -> Result<Operation<MetadefTag>, Error> {
        check_name(tag)?;
        self.operation(
            Method::POST,
            &member_path(namespace, TAGS, tag),
            Query::default(),
            Body::Empty,
            JSON,
            Decoder::new(json),
        )
    }

    /// `POST .../namespaces/{namespace}/tags` with `{"tags": [{"name": ...}]}`
    /// → 201 [`MetadefTagList`]. Admin only. Replaces every tag of the
    /// namespace unless `tags.append`.
    pub fn create_metadef_tags(
        &self,
        namespace: &str,
        tags: &TagsCreate,
    ) -> Result<Operation<MetadefTagList>, Error> {
        for name in &tags.names {
            check_name(name)?;
        }
        let body = TagsBody {
            tags: tags.names.iter().map(|name| TagName { name }).collect(),
        };
        let mut operation = self.operation(
            Method::POST,
            &collection_path(namespace, TAGS),
            Query::default(),
            Body::json(&body)?,
            JSON,
            Decoder::new(json),
        )?;
        if tags.append {
            operation
                .request_mut()
                .headers_mut()
                .insert(APPEND_HEADER, HeaderValue::from_static("true"));
        }
        Ok(operation)
    }

    /// `PUT .../namespaces/{namespace}/tags/{tag}` with `{"name": new}` →
    /// 200 [`MetadefTag`]: renames a tag. Admin only.
    pub fn update_metadef_tag(
        &self,
        namespace: &str,
        tag: &str,
        new_name: &str,
    ) -> Result<Operation<MetadefTag>, Error> {
        check_name(new_name)?;
        self.operation(
            Method::PUT,
            &member_path(namespace, TAGS, tag),
            Query::default(),
            Body::json(&TagName { name: new_name })?,
            JSON,
            Decoder::new(json),
        )
    }

    /// `DELETE .../namespaces/{namespace}/tags/{tag}` → 204. Admin only.
    pub fn delete_metadef_tag(&self, namespace: &str, tag: &str) -> Result<Operation<()>, Error> {
        self.no_content(Method::DELETE, &member_path(namespace, TAGS, tag))
    }

    /// `DELETE .../namespaces/{namespace}/tags` → 204: every tag of the
    /// namespace. Admin only.
    pub fn delete_metadef_tags(&self, namespace: &str) -> Result<Operation<()>, Error> {
        self.no_content(Method::DELETE, &collection_path(namespace, TAGS))
    }
}
