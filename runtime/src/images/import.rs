//! The body of `POST /v2/images/{id}/import` (interoperable image import).

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

/// How the service gets the image data. The methods a deployment offers are
/// listed by `GET /v2/info/import`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportMethod {
    /// Data staged earlier with `PUT /v2/images/{id}/stage`.
    GlanceDirect,
    /// The service downloads the data from `uri`.
    WebDownload {
        /// Where the service downloads the data from.
        uri: String,
    },
    /// Copies an active image's data into more stores.
    CopyImage,
}

impl Serialize for ImportMethod {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        match self {
            ImportMethod::GlanceDirect => map.serialize_entry("name", "glance-direct")?,
            ImportMethod::WebDownload { uri } => {
                map.serialize_entry("name", "web-download")?;
                map.serialize_entry("uri", uri)?;
            }
            ImportMethod::CopyImage => map.serialize_entry("name", "copy-image")?,
        }
        map.end()
    }
}

/// `{"method": {...}, "stores": [...], ...}`; the store fields are only sent when set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImageImport {
    /// How the service gets the data.
    pub method: ImportMethod,
    /// The stores to import into, by id (`GET /v2/info/stores`); empty for
    /// the default store.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stores: Vec<String>,
    /// Import into every store the deployment has.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub all_stores: Option<bool>,
    /// With several stores: whether one failing store fails the import.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub all_stores_must_succeed: Option<bool>,
}

impl ImageImport {
    /// An import with `method` into the default store.
    pub fn new(method: ImportMethod) -> Self {
        ImageImport {
            method,
            stores: Vec::new(),
            all_stores: None,
            all_stores_must_succeed: None,
        }
    }
}
