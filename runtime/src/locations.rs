//! The image locations API of Image API 2.17 and later, for services
//! (Nova, Cinder) that put data in a store themselves and tell Glance
//! where it is: `POST /v2/images/{id}/locations` adds a location to a
//! `queued` image, and `GET /v2/images/{id}/locations` lists an image's
//! locations.
//!
//! Who may call them (Glance 33 defaults):
//! - adding (policy `add_image_location`): a caller with the `service`
//!   role, or a member of the image's project. A caller without the
//!   `service` role may only add URLs of an `http` store, so on a
//!   deployment without one that is 403 "http store must be enabled to
//!   use location API by normal user." The `admin` role does not count as
//!   `service` there.
//! - listing (policy `fetch_image_location`): **service only**, the
//!   `service` or `admin` role; 403 for anyone else.

use cloud_images::ImageLocation;
use http::Method;
use serde::Serialize;

use crate::api::{Api, Body, JSON};
use crate::encode::Query;
use crate::error::Error;
use crate::images::image_path;
use crate::operation::{Decoder, Operation, empty};

/// The body of `POST /v2/images/{id}/locations`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LocationAdd {
    /// Where the data is, in a URL form a configured store understands
    /// (`file:///...` for a file store, `rbd://...`, an `http` URL).
    pub url: String,
    /// The digest of the data, which Glance checks against its own once
    /// it has read the data; a mismatch fails the task and leaves the
    /// image `queued`. Without it, Glance computes the digests itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validation_data: Option<LocationDigest>,
}

/// `{"os_hash_algo": "sha512", "os_hash_value": "<hex>"}`. Glance's schema
/// allows no other key and needs both; a value that is not hex or not the
/// algorithm's length is 400.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LocationDigest {
    /// `sha1`, `sha256`, `sha512` or `md5`.
    pub os_hash_algo: String,
    /// The digest in lower-case hex.
    pub os_hash_value: String,
}

impl LocationAdd {
    /// A location at `url`, for Glance to compute the digests of.
    pub fn new(url: impl Into<String>) -> Self {
        LocationAdd {
            url: url.into(),
            validation_data: None,
        }
    }
}

impl Api {
    /// `POST /v2/images/{id}/locations` → 202. Glance then checks the
    /// location and computes the digests in a background task
    /// (`location_import`); the image becomes `active` when it is done. The
    /// image must be `queued` (409 otherwise). See the module docs for who
    /// may call it.
    pub fn add_location(&self, id: &str, location: &LocationAdd) -> Result<Operation<()>, Error> {
        let path = format!("{}/locations", image_path(id));
        self.operation(
            Method::POST,
            &path,
            Query::default(),
            Body::json(location)?,
            JSON,
            Decoder::new(empty),
        )
    }

    /// `GET /v2/images/{id}/locations` → 200 with the image's locations
    /// (`url` and `metadata`, whose `store` names the store). **Service
    /// only**: the `service` or `admin` role, 403 otherwise.
    pub fn list_locations(&self, id: &str) -> Result<Operation<Vec<ImageLocation>>, Error> {
        let path = format!("{}/locations", image_path(id));
        self.get_json(&path, Query::default())
    }
}
