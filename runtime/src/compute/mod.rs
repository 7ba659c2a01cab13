//! The Compute API's image calls (Nova's `/v2.1/images`), sans-IO.
//!
//! Nova answers these calls by asking Glance with the caller's token, and
//! shows Glance's images in its own words ([`cloud_images::compute::Image`]).
//! Reach for them when a cloud or a tool speaks Compute only; the Image API
//! ([`crate::Api`]) says more and can do more. What Nova really does with
//! each filter, status and page link is in `runtime/docs/compute.md`.
//!
//! ```
//! use cloud_images::compute::{MetadataUpdate, Status};
//! use cloud_images_runtime::compute::{Api, ListQuery, Microversion};
//! use cloud_images_runtime::Error;
//!
//! let api = Api::new("http://127.0.0.1:8774/v2.1")?.with_token("secret")?;
//! let operation = api.list_images_detail(&ListQuery {
//!     status: Some(Status::Active),
//!     limit: Some(50),
//!     ..ListQuery::default()
//! })?;
//! let request = operation.request();
//! assert_eq!(request.uri(), "http://127.0.0.1:8774/v2.1/images/detail?status=ACTIVE&limit=50");
//! assert_eq!(request.headers()["x-openstack-nova-api-version"], "2.1");
//! assert_eq!(request.headers()["openstack-api-version"], "compute 2.1");
//!
//! // Nova's errors arrive typed, with the message unwrapped.
//! let response = http::Response::builder()
//!     .status(404)
//!     .body(br#"{"itemNotFound": {"code": 404, "message": "Image not found."}}"#.to_vec())
//!     .unwrap();
//! match api.get_image("nope")?.decode(response) {
//!     Err(Error::NotFound(error)) => assert_eq!(error.message, "Image not found."),
//!     other => panic!("expected NotFound, got {other:?}"),
//! }
//!
//! // Nova removed the image calls at 2.36: asking for it is refused up front.
//! let later = api.clone().with_microversion(Microversion::new(2, 36))?;
//! assert!(matches!(later.get_image("x"), Err(Error::ComputeMicroversion { .. })));
//! # let _ = MetadataUpdate::default();
//! # Ok::<(), Error>(())
//! ```

mod decode;
mod microversion;
mod query;

pub use microversion::Microversion;
pub use query::ListQuery;

use std::collections::BTreeMap;

use cloud_images::compute::{
    ImageDetailPage, ImageIndexPage, ImageShow, Metadata, MetadataItem, MetadataItemUpdate,
    MetadataUpdate,
};
use http::Method;
use serde::de::DeserializeOwned;

use crate::api::{Body, JSON};
use crate::encode::{Query, segment};
use crate::error::Error;
use crate::operation::{Decoder, Operation};
use crate::paging::Page;

use decode::{Family, images_empty, images_json, metadata_empty, metadata_json};

/// The header Nova has read the microversion from since 2.1.
const NOVA_VERSION_HEADER: &str = "x-openstack-nova-api-version";
/// The header every OpenStack service reads it from since Nova 2.27.
const API_VERSION_HEADER: &str = "openstack-api-version";

/// The longest metadata key or value Nova accepts.
const METADATA_MAX_LENGTH: usize = 255;

/// Builds every Compute API image request, without doing any I/O.
#[derive(Debug, Clone)]
pub struct Api {
    inner: crate::Api,
    microversion: Microversion,
}

impl Api {
    /// An `Api` for the Compute API at `base_url`, as a service catalog
    /// lists it (`http://host:8774/v2.1`, `https://cloud.example/compute/v2.1`).
    /// A base without `/v2.1` gets it appended.
    pub fn new(base_url: &str) -> Result<Api, Error> {
        let mut inner = crate::Api::new(base_url)?;
        let base = inner.base_url();
        if !base.ends_with("/v2.1") {
            inner = crate::Api::new(&format!("{base}/v2.1"))?;
        }
        Api {
            inner,
            microversion: Microversion::DEFAULT,
        }
        .with_microversion(Microversion::DEFAULT)
    }

    /// The base URL as normalised, ending in `/v2.1`.
    pub fn base_url(&self) -> String {
        self.inner.base_url()
    }

    /// Sends `X-Auth-Token: token` with every request. Nova passes the same
    /// token on to Glance.
    pub fn with_token(self, token: &str) -> Result<Api, Error> {
        self.with_header("x-auth-token", token)
    }

    /// Sends a header with every request.
    pub fn with_header(mut self, name: &str, value: &str) -> Result<Api, Error> {
        self.inner = self.inner.with_header(name, value)?;
        Ok(self)
    }

    /// Asks for this microversion, in both headers Nova reads. A version at
    /// which a call no longer exists makes that call's method return
    /// [`Error::ComputeMicroversion`].
    pub fn with_microversion(mut self, microversion: Microversion) -> Result<Api, Error> {
        self.inner = self
            .inner
            .with_header(NOVA_VERSION_HEADER, &microversion.to_string())?
            .with_header(API_VERSION_HEADER, &format!("compute {microversion}"))?;
        self.microversion = microversion;
        Ok(self)
    }

    /// The microversion every request asks for.
    pub fn microversion(&self) -> Microversion {
        self.microversion
    }

    /// `GET /images` → 200 [`ImageIndexPage`]: ids, names and links.
    pub fn list_images(&self, query: &ListQuery) -> Result<Operation<ImageIndexPage>, Error> {
        self.get(Family::Images, "/images", query.to_query()?, images_json)
    }

    /// `GET /images/detail` → 200 [`ImageDetailPage`]: whole images.
    pub fn list_images_detail(
        &self,
        query: &ListQuery,
    ) -> Result<Operation<ImageDetailPage>, Error> {
        self.get(
            Family::Images,
            "/images/detail",
            query.to_query()?,
            images_json,
        )
    }

    /// `GET /images/{id}` → 200 [`ImageShow`]. An unknown id, or another
    /// project's private image, is [`Error::NotFound`].
    pub fn get_image(&self, id: &str) -> Result<Operation<ImageShow>, Error> {
        self.get(
            Family::Images,
            &image_path(id),
            Query::default(),
            images_json,
        )
    }

    /// `DELETE /images/{id}` → 204. Deletes the Glance image; another
    /// project's image is [`Error::Forbidden`].
    pub fn delete_image(&self, id: &str) -> Result<Operation<()>, Error> {
        self.allowed(Family::Images)?;
        let path = image_path(id);
        self.call(Method::DELETE, &path, Body::Empty, images_empty)
    }

    /// `GET /images/{id}/metadata` → 200 [`Metadata`]: the same map as the
    /// image's `metadata`.
    pub fn get_metadata(&self, id: &str) -> Result<Operation<Metadata>, Error> {
        self.get(
            Family::Metadata,
            &metadata_path(id),
            Query::default(),
            metadata_json,
        )
    }

    /// `PUT /images/{id}/metadata` → 200 [`Metadata`]. Replaces **every**
    /// custom property of the image with `metadata`, including
    /// `instance_uuid` and `image_type` when they are left out.
    pub fn replace_metadata(
        &self,
        id: &str,
        metadata: &MetadataUpdate,
    ) -> Result<Operation<Metadata>, Error> {
        self.write_metadata(Method::PUT, id, metadata)
    }

    /// `POST /images/{id}/metadata` → 200 [`Metadata`] (not 201): merges
    /// `metadata` into the image's and answers the whole map.
    pub fn merge_metadata(
        &self,
        id: &str,
        metadata: &MetadataUpdate,
    ) -> Result<Operation<Metadata>, Error> {
        self.write_metadata(Method::POST, id, metadata)
    }

    /// `PUT` (replace) or `POST` (merge) of the whole metadata: the same
    /// body, checked the same way, and the same answer.
    fn write_metadata(
        &self,
        method: Method,
        id: &str,
        metadata: &MetadataUpdate,
    ) -> Result<Operation<Metadata>, Error> {
        self.allowed(Family::Metadata)?;
        check_entries(&metadata.metadata)?;
        self.call(
            method,
            &metadata_path(id),
            Body::json(metadata)?,
            metadata_json,
        )
    }

    /// `GET /images/{id}/metadata/{key}` → 200 [`MetadataItem`]; a key the
    /// image does not have is [`Error::NotFound`].
    pub fn get_metadata_item(&self, id: &str, key: &str) -> Result<Operation<MetadataItem>, Error> {
        check_key(key)?;
        self.get(
            Family::Metadata,
            &metadata_item_path(id, key),
            Query::default(),
            metadata_json,
        )
    }

    /// `PUT /images/{id}/metadata/{key}` with `{"meta": {key: value}}` → 200
    /// [`MetadataItem`]. Nova requires the body's one key to be the key in
    /// the URL, which this method guarantees.
    pub fn set_metadata_item(
        &self,
        id: &str,
        key: &str,
        value: &str,
    ) -> Result<Operation<MetadataItem>, Error> {
        self.allowed(Family::Metadata)?;
        let body = MetadataItemUpdate {
            meta: BTreeMap::from([(key.to_owned(), value.to_owned())]),
            ..MetadataItemUpdate::default()
        };
        check_entries(&body.meta)?;
        self.call(
            Method::PUT,
            &metadata_item_path(id, key),
            Body::json(&body)?,
            metadata_json,
        )
    }

    /// `DELETE /images/{id}/metadata/{key}` → 204; a key the image does not
    /// have is [`Error::NotFound`].
    pub fn delete_metadata_item(&self, id: &str, key: &str) -> Result<Operation<()>, Error> {
        self.allowed(Family::Metadata)?;
        check_key(key)?;
        self.call(
            Method::DELETE,
            &metadata_item_path(id, key),
            Body::Empty,
            metadata_empty,
        )
    }

    /// The request for the page after `page`, or `None` when `page` is the
    /// last. Nova links the next page whenever a page is full, so the last
    /// page may be empty; a page without `images_links` is the last. The
    /// link is used only on this API's scheme and host.
    pub fn next_page<P: Page + 'static>(&self, page: &P) -> Result<Option<Operation<P>>, Error> {
        let Some(link) = page.next_link() else {
            return Ok(None);
        };
        self.allowed(Family::Images)?;
        let uri = self.inner.endpoint().join_link("images_links", link)?;
        self.inner
            .operation_at(
                Method::GET,
                uri,
                Body::Empty,
                JSON,
                Decoder::new(images_json::<P>),
            )
            .map(Some)
    }

    fn allowed(&self, family: Family) -> Result<(), Error> {
        let last = family.last();
        if self.microversion > last {
            return Err(Error::ComputeMicroversion {
                operation: family.routes(),
                requested: self.microversion.to_string(),
                last: family.last_text(),
            });
        }
        Ok(())
    }

    fn get<T: DeserializeOwned>(
        &self,
        family: Family,
        path: &str,
        query: Query,
        decode: fn(http::StatusCode, &http::HeaderMap, &[u8]) -> Result<T, Error>,
    ) -> Result<Operation<T>, Error> {
        self.allowed(family)?;
        self.inner.operation(
            Method::GET,
            path,
            query,
            Body::Empty,
            JSON,
            Decoder::new(decode),
        )
    }

    fn call<T>(
        &self,
        method: Method,
        path: &str,
        body: Body,
        decode: fn(http::StatusCode, &http::HeaderMap, &[u8]) -> Result<T, Error>,
    ) -> Result<Operation<T>, Error> {
        self.inner.operation(
            method,
            path,
            Query::default(),
            body,
            JSON,
            Decoder::new(decode),
        )
    }
}

fn image_path(id: &str) -> String {
    format!("/images/{}", segment(id))
}

fn metadata_path(id: &str) -> String {
    format!("{}/metadata", image_path(id))
}

fn metadata_item_path(id: &str, key: &str) -> String {
    format!("{}/{}", metadata_path(id), segment(key))
}

/// Nova's rule for metadata keys, `^[a-zA-Z0-9-_:. ]{1,255}$`, checked
/// before sending: a key outside it is a 400 from Nova, and `.` or `..`
/// would not even reach it as a path segment.
fn check_key(key: &str) -> Result<(), Error> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.' | ' ');
    let refusal = if key.is_empty() || key.len() > METADATA_MAX_LENGTH {
        Some("it must have 1 to 255 characters")
    } else if !key.chars().all(allowed) {
        Some("Nova allows only ASCII letters, digits, `-`, `_`, `:`, `.` and spaces")
    } else if key.chars().all(|c| c == '.') {
        Some("a key of dots only cannot be sent in a path")
    } else {
        None
    };
    match refusal {
        Some(reason) => Err(Error::InvalidRequest(format!(
            "metadata key `{key}`: {reason}"
        ))),
        None => Ok(()),
    }
}

fn check_entries(entries: &BTreeMap<String, String>) -> Result<(), Error> {
    for (key, value) in entries {
        check_key(key)?;
        if value.chars().count() > METADATA_MAX_LENGTH {
            return Err(Error::InvalidRequest(format!(
                "metadata value of `{key}`: Nova allows at most 255 characters"
            )));
        }
    }
    Ok(())
}

impl Page for ImageIndexPage {
    type Item = cloud_images::compute::ImageSummary;

    fn next_link(&self) -> Option<&str> {
        next_link(self.images_links.as_deref())
    }

    fn into_items(self) -> Vec<Self::Item> {
        self.images
    }
}

impl Page for ImageDetailPage {
    type Item = cloud_images::compute::Image;

    fn next_link(&self) -> Option<&str> {
        next_link(self.images_links.as_deref())
    }

    fn into_items(self) -> Vec<Self::Item> {
        self.images
    }
}

fn next_link(links: Option<&[cloud_images::compute::PageLink]>) -> Option<&str> {
    links?
        .iter()
        .find(|link| link.rel == "next")
        .map(|link| link.href.as_str())
}
