//! The image cache API (`/v2/cache`, Image API 2.14): what the Glance node
//! that answers has cached or queued for caching, and managing both.
//!
//! **Admin only**: every call is refused with 403 without the `admin` role
//! (policies `cache_list`, `cache_image`, `cache_delete`, all
//! `manage_image_cache` by default). A Glance without an `image_cache_dir`
//! answers 404 "Caching via API is not supported at this site.". Each
//! Glance node has its own cache: the answers are about the node the
//! request reached.

use cloud_images::Properties;
use http::{HeaderValue, Method};
use serde::{Deserialize, Serialize};

use crate::api::Api;
use crate::encode::{Query, segment};
use crate::error::Error;
use crate::operation::Operation;

/// The header `DELETE /v2/cache` reads to know what to clear.
pub const CLEAR_TARGET_HEADER: &str = "x-image-cache-clear-target";

/// The body of `GET /v2/cache`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CacheState {
    /// The images whose data this node holds.
    pub cached_images: Vec<CachedImage>,
    /// The ids of images queued for caching and not cached yet.
    pub queued_images: Vec<String>,
    /// Keys this crate does not know, as sent.
    #[serde(flatten)]
    pub additional_properties: Properties,
}

impl CacheState {
    /// Whether the image's data is cached.
    pub fn is_cached(&self, image_id: &str) -> bool {
        self.cached_images
            .iter()
            .any(|image| image.image_id == image_id)
    }

    /// Whether the image is queued for caching.
    pub fn is_queued(&self, image_id: &str) -> bool {
        self.queued_images.iter().any(|id| id == image_id)
    }
}

/// One cached image, as Glance's cache database records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedImage {
    /// The image's id.
    pub image_id: String,
    /// The cache record's own id (a number in Glance's database).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// Seconds since the Unix epoch, with a fraction, of the last download
    /// served from the cache (the time it was cached until then).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_accessed: Option<f64>,
    /// Seconds since the Unix epoch, with a fraction, when it was cached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<f64>,
    /// Bytes cached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Downloads served from the cache.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hits: Option<u64>,
    /// The MD5 of the cached data, when recorded (Glance 33 sends `null`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    pub checksum: Option<Option<String>>,
    /// Keys this crate does not know, as sent.
    #[serde(flatten)]
    pub additional_properties: Properties,
}

/// What `DELETE /v2/cache` clears.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CacheClearTarget {
    /// The cached data and the queue: no header.
    #[default]
    Both,
    /// The cached data only: `x-image-cache-clear-target: cache`.
    Cache,
    /// The queue only: `x-image-cache-clear-target: queue`.
    Queue,
}

impl CacheClearTarget {
    /// The header value, or `None` for [`CacheClearTarget::Both`], which
    /// sends no header (Glance reads a missing one as an empty one).
    pub fn header_value(self) -> Option<&'static str> {
        match self {
            CacheClearTarget::Both => None,
            CacheClearTarget::Cache => Some("cache"),
            CacheClearTarget::Queue => Some("queue"),
        }
    }
}

fn cache_entry_path(image_id: &str) -> String {
    format!("/v2/cache/{}", segment(image_id))
}

impl Api {
    /// `GET /v2/cache` → 200 [`CacheState`]. **Admin only.**
    pub fn get_cache_state(&self) -> Result<Operation<CacheState>, Error> {
        self.get_json("/v2/cache", Query::default())
    }

    /// `PUT /v2/cache/{image_id}` → 202: queues an image for caching; a
    /// worker thread in glance-api then fetches it. Only `active` images
    /// (400 otherwise); 404 for an image the caller cannot see. **Admin only.**
    pub fn queue_image_for_cache(&self, image_id: &str) -> Result<Operation<()>, Error> {
        self.no_content(Method::PUT, &cache_entry_path(image_id))
    }

    /// `DELETE /v2/cache/{image_id}` → 204: drops the image from the cache
    /// and the queue. Also 204 when it is in neither; 404 only for an id
    /// that is neither an image nor in the cache. **Admin only.**
    pub fn delete_cached_image(&self, image_id: &str) -> Result<Operation<()>, Error> {
        self.no_content(Method::DELETE, &cache_entry_path(image_id))
    }

    /// `DELETE /v2/cache` → 204: clears the cache, the queue or both
    /// ([`CacheClearTarget`]). **Admin only.**
    pub fn clear_cache(&self, target: CacheClearTarget) -> Result<Operation<()>, Error> {
        let mut operation = self.no_content(Method::DELETE, "/v2/cache")?;
        if let Some(value) = target.header_value() {
            operation
                .request_mut()
                .headers_mut()
                .insert(CLEAR_TARGET_HEADER, HeaderValue::from_static(value));
        }
        Ok(operation)
    }
}
