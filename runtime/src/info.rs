//! `/v2/info/...`: what a deployment offers (import methods, stores) and
//! what a project uses (quota usage). None of these documents has a
//! published schema; the types here keep every key they do not declare,
//! and open sets of names decode unknown names as `Other`.

use std::collections::BTreeMap;

use cloud_images::Properties;
use serde::{Deserialize, Serialize};

use crate::api::Api;
use crate::encode::Query;
use crate::error::Error;
use crate::open_enum::open_enum;
use crate::operation::Operation;

/// The body of `GET /v2/info/import`: `{"import-methods": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportInfo {
    /// The import methods this deployment has enabled.
    #[serde(rename = "import-methods")]
    pub import_methods: ImportMethods,
    /// Keys this crate does not know, as sent.
    #[serde(flatten)]
    pub additional_properties: Properties,
}

/// `{"description": "Import methods available.", "type": "array", "value": [...]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportMethods {
    /// Glance's fixed text, `Import methods available.`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `array`: the JSON type of `value`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub value_type: Option<String>,
    /// The methods `POST /v2/images/{id}/import` accepts here: the
    /// deployment's `enabled_import_methods`, in its order.
    pub value: Vec<ImportMethodName>,
    /// Keys this crate does not know, as sent.
    #[serde(flatten)]
    pub additional_properties: Properties,
}

impl ImportMethods {
    /// Whether `method` is enabled.
    pub fn offers(&self, method: &ImportMethodName) -> bool {
        self.value.contains(method)
    }
}

open_enum! {
    /// The name of an interoperable import method.
    pub enum ImportMethodName {
        /// `glance-direct`: data staged with `PUT /v2/images/{id}/stage`.
        GlanceDirect = "glance-direct",
        /// `web-download`: Glance downloads the data from a URL.
        WebDownload = "web-download",
        /// `copy-image`: an active image's data copied into more stores (admin only by default).
        CopyImage = "copy-image",
        /// `glance-download`: data fetched from another region's Glance.
        GlanceDownload = "glance-download",
    }
}

/// The body of `GET /v2/info/stores` and `GET /v2/info/stores/detail`:
/// `{"stores": [...]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoreList {
    /// The stores, in the deployment's `enabled_backends` order, without
    /// Glance's reserved `os_glance_*` stores.
    pub stores: Vec<Store>,
    /// Keys this crate does not know, as sent.
    #[serde(flatten)]
    pub additional_properties: Properties,
}

impl StoreList {
    /// The store images go to when no store is named.
    pub fn default_store(&self) -> Option<&Store> {
        self.stores.iter().find(|store| store.is_default())
    }

    /// The store with this id.
    pub fn get(&self, id: &str) -> Option<&Store> {
        self.stores.iter().find(|store| store.id == id)
    }
}

/// One store. The list has `id`, `description`, `default` and `read-only`;
/// the detail adds `type`, `weight` and the driver's `properties`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Store {
    /// The store's id: its name in `enabled_backends`, what `stores` in an
    /// import and `DELETE /v2/stores/{id}/...` take.
    pub id: String,
    /// The operator's `store_description`; absent when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Present on the default store only. Glance 33 sends the string
    /// `"true"`, not a boolean; see [`Store::is_default`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Flag>,
    /// Present on `http` stores only, which cannot be written: `"true"`.
    #[serde(rename = "read-only", default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<Flag>,
    /// Detail only: the driver (`file`, `rbd`, ...).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub store_type: Option<StoreType>,
    /// Detail only: the store's `weight`, which orders an image's
    /// locations (highest first) when it is in several stores.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<i64>,
    /// Detail only: what the driver exposes, such as `data_dir`,
    /// `chunk_size` and `thin_provisioning` for `file`; a value may be `null`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<Properties>,
    /// Keys this crate does not know, as sent.
    #[serde(flatten)]
    pub additional_properties: Properties,
}

impl Store {
    /// Whether this is the default store.
    pub fn is_default(&self) -> bool {
        self.default.as_ref().is_some_and(Flag::is_true)
    }

    /// Whether this store cannot be written to.
    pub fn is_read_only(&self) -> bool {
        self.read_only.as_ref().is_some_and(Flag::is_true)
    }
}

/// A yes/no flag as sent: Glance writes the store flags as the string
/// `"true"`; a boolean is accepted too, and any other JSON is kept. Every
/// form is sent back as it came.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Flag {
    /// A JSON boolean.
    Bool(bool),
    /// A string, `"true"` or `"false"` in any case.
    Text(String),
    /// Any other JSON value, which counts as not set.
    Other(serde_json::Value),
}

impl Flag {
    /// `true`, or a string that says `true` in any case.
    pub fn is_true(&self) -> bool {
        match self {
            Flag::Bool(value) => *value,
            Flag::Text(text) => text.eq_ignore_ascii_case("true"),
            Flag::Other(_) => false,
        }
    }
}

open_enum! {
    /// The driver of a store (its `enabled_backends` type).
    pub enum StoreType {
        /// Files in a folder.
        File = "file",
        /// Ceph RBD.
        Rbd = "rbd",
        /// OpenStack Swift.
        Swift = "swift",
        /// Cinder volumes.
        Cinder = "cinder",
        /// S3.
        S3 = "s3",
        /// Read-only HTTP URLs.
        Http = "http",
        /// VMware datastores.
        Vmware = "vmware",
    }
}

/// The body of `GET /v2/info/usage`: `{"usage": {"image_count_total":
/// {"usage": 3, "limit": 10}, ...}}`.
///
/// Only a Glance with `use_keystone_limits` on reports anything: without,
/// `usage` is the empty object `{}`. With it, the keys are the four
/// quotas named by the constants of [`QuotaUsage`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Usage {
    /// Each quota's usage and limit, by quota name.
    pub usage: BTreeMap<String, QuotaUsage>,
    /// Keys this crate does not know, as sent.
    #[serde(flatten)]
    pub additional_properties: Properties,
}

/// One quota: what the project uses and what it may use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuotaUsage {
    /// What the project uses now (MiB for the size quotas, rounded down).
    pub usage: i64,
    /// The project's limit from Keystone; `-1` is unlimited.
    pub limit: i64,
    /// Keys this crate does not know, as sent.
    #[serde(flatten)]
    pub additional_properties: Properties,
}

impl QuotaUsage {
    /// MiB of image data in all stores.
    pub const IMAGE_SIZE_TOTAL: &'static str = "image_size_total";
    /// MiB of staged data.
    pub const IMAGE_STAGE_TOTAL: &'static str = "image_stage_total";
    /// Images.
    pub const IMAGE_COUNT_TOTAL: &'static str = "image_count_total";
    /// Images being uploaded or imported.
    pub const IMAGE_COUNT_UPLOADING: &'static str = "image_count_uploading";
}

impl Api {
    /// `GET /v2/info/import` → 200 [`ImportInfo`]: the enabled import methods.
    pub fn get_import_info(&self) -> Result<Operation<ImportInfo>, Error> {
        self.get_json("/v2/info/import", Query::default())
    }

    /// `GET /v2/info/stores` → 200 [`StoreList`]; 404 when the deployment
    /// has no `enabled_backends` ("Multi backend is not supported at this site.").
    pub fn list_stores(&self) -> Result<Operation<StoreList>, Error> {
        self.get_json("/v2/info/stores", Query::default())
    }

    /// `GET /v2/info/stores/detail` → 200 [`StoreList`] with each store's
    /// type, weight and properties. **Admin only** (policy
    /// `stores_info_detail`: the `admin` or `service` role); 403 otherwise.
    pub fn list_stores_detail(&self) -> Result<Operation<StoreList>, Error> {
        self.get_json("/v2/info/stores/detail", Query::default())
    }

    /// `GET /v2/info/usage` → 200 [`Usage`] of the token's project.
    pub fn get_usage(&self) -> Result<Operation<Usage>, Error> {
        self.get_json("/v2/info/usage", Query::default())
    }
}
