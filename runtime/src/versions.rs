//! `GET /`: the API versions the service offers (version discovery).
//!
//! Glance answers its root with `300 Multiple Choices` and the version
//! list, the one place where a 3xx is the answer asked for; `200` (as
//! `GET /versions` answers) is accepted too. The document has no schema:
//! [`VersionList`] keeps every key it does not declare.

use cloud_images::Properties;
use http::{HeaderMap, Method, StatusCode};
use serde::{Deserialize, Serialize};

use crate::api::{Api, Body, JSON};
use crate::encode::Query;
use crate::error::Error;
use crate::open_enum::open_enum;
use crate::operation::{Decoder, Operation, decode_json};

/// The body of `GET /`: `{"versions": [...]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VersionList {
    /// Every version entry, in the order sent (Glance lists the newest first).
    pub versions: Vec<ApiVersion>,
    /// Keys this crate does not know, as sent.
    #[serde(flatten)]
    pub additional_properties: Properties,
}

/// One version entry, such as `{"id": "v2.18", "status": "CURRENT",
/// "links": [{"rel": "self", "href": "http://host:9292/v2/"}]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiVersion {
    /// `v2.18`: the major and minor version.
    pub id: String,
    /// Whether the version is the current one, still supported, or on its way out.
    pub status: VersionStatus,
    /// The links, with the version's root as `self`; absent stays absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub links: Option<Vec<VersionLink>>,
    /// Keys this crate does not know, as sent.
    #[serde(flatten)]
    pub additional_properties: Properties,
}

/// A link of a version entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VersionLink {
    /// `self` for the version's root.
    pub rel: String,
    /// Built from Glance's `public_endpoint`, or from the request's `Host`
    /// when that is unset, so not necessarily the URL the request went to.
    pub href: String,
    /// Keys this crate does not know, as sent.
    #[serde(flatten)]
    pub additional_properties: Properties,
}

open_enum! {
    /// The status of an API version, as Glance writes it (upper case).
    pub enum VersionStatus {
        /// The newest version: `CURRENT`.
        Current = "CURRENT",
        /// An older version still served: `SUPPORTED`.
        Supported = "SUPPORTED",
        /// A version about to go: `DEPRECATED`.
        Deprecated = "DEPRECATED",
        /// A version not yet stable: `EXPERIMENTAL`.
        Experimental = "EXPERIMENTAL",
    }
}

impl VersionList {
    /// The entry marked `CURRENT`, if any.
    pub fn current(&self) -> Option<&ApiVersion> {
        self.versions
            .iter()
            .find(|version| version.status == VersionStatus::Current)
    }
}

impl ApiVersion {
    /// The `href` of the `self` link: the version's root.
    pub fn self_href(&self) -> Option<&str> {
        self.links
            .iter()
            .flatten()
            .find(|link| link.rel == "self")
            .map(|link| link.href.as_str())
    }
}

/// Whether `status` answers a version request: `300 Multiple Choices` on a
/// service's root, `200` on `/versions`.
pub(crate) fn is_version_answer(status: StatusCode) -> bool {
    status.is_success() || status == StatusCode::MULTIPLE_CHOICES
}

fn decode_versions(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<VersionList, Error> {
    if !is_version_answer(status) {
        return Err(Error::from_response(status, headers, body));
    }
    decode_json(body)
}

impl Api {
    /// `GET /` (the service's root, under any prefix of the base URL) →
    /// `300 Multiple Choices` with the [`VersionList`]. Needs no token.
    pub fn get_versions(&self) -> Result<Operation<VersionList>, Error> {
        self.operation(
            Method::GET,
            "/",
            Query::default(),
            Body::Empty,
            JSON,
            Decoder::new(decode_versions),
        )
    }
}
