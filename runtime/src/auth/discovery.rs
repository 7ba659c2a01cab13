//! Version discovery: from a service's unversioned URL to the root of the
//! API version this crate speaks.
//!
//! - Glance: the catalog lists the unversioned root (`http://host:9292`,
//!   `http://host/image`). `GET` on it answers `300 Multiple Choices`
//!   (`GET {root}/versions` answers 200 with the same body) with
//!   `{"versions": [{"id": "v2.18", "status": "CURRENT", "links": [{"rel":
//!   "self", "href": "http://host:9292/v2/"}]}, ...]}`. Glance has no
//!   version document under `/v2/` itself.
//! - Keystone: `GET` on an unversioned `auth_url` answers 300 with the list
//!   wrapped once more, `{"versions": {"values": [{"id": "v3.14", "status":
//!   "stable", ...}]}}`.
//!
//! The hrefs are built from the service's own configuration (Glance's
//! `public_endpoint`) or from the request's `Host`, not from the catalog:
//! a region whose catalog URL is `http://localhost:9292` still gets
//! `http://127.0.0.1:9292/v2/` from a Glance configured that way. So, as
//! keystoneauth does, only the version's path segment is taken from the
//! href, and put after the URL the catalog gave. That also keeps requests,
//! and the token, on the host the catalog named.

use http::{HeaderMap, Method, StatusCode};
use serde::Deserialize;

use super::AuthError;
use crate::error::Error;
use crate::operation::{Decoder, Operation, decode_json};

/// Whether `url`'s last path segment is a version such as `v2`, `v3` or
/// `v2.0`: such a URL is used as it is, without discovery.
pub fn is_versioned(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = rest.find('/').map_or("", |at| &rest[at..]);
    let path = path
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .trim_end_matches('/');
    let segment = path.rsplit('/').next().unwrap_or("");
    segment.strip_prefix('v').is_some_and(|number| {
        !number.is_empty()
            && number
                .split('.')
                .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// `GET` on the unversioned `url`, answered with its version list.
pub fn versions_request(url: &str) -> Result<Operation<Versions>, Error> {
    let url = format!("{}/", url.trim_end_matches('/'));
    let request = http::Request::builder()
        .method(Method::GET)
        .uri(&url)
        .header(http::header::ACCEPT, "application/json")
        .body(Vec::new())
        .map_err(|error| {
            Error::InvalidRequest(format!("version discovery URL `{url}`: {error}"))
        })?;
    // The identity and service roots have no ids: the path is the template.
    let template = request.uri().path().to_owned();
    Ok(Operation::new(
        request,
        Decoder::new(decode_versions),
        template,
    ))
}

/// The versions a service offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versions {
    /// Every entry of the document, in its order, whatever its status.
    pub versions: Vec<Version>,
}

/// One entry of a version document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// Such as `v2.18` or `v3.14`.
    pub id: String,
    /// Such as `CURRENT`, `SUPPORTED`, `DEPRECATED` (Glance) or `stable`
    /// (Keystone).
    pub status: String,
    /// The `self` link.
    pub href: Option<String>,
}

impl Versions {
    /// The root of major version `major` under `url` (the URL the versions
    /// were asked from): `url` plus the path segment of the newest
    /// non-deprecated `v{major}.x` entry's link.
    pub fn root(&self, url: &str, major: u32) -> Result<String, Error> {
        let wanted = |version: &&Version| {
            let number = version.id.strip_prefix('v').unwrap_or(&version.id);
            number
                .split('.')
                .next()
                .and_then(|part| part.parse::<u32>().ok())
                == Some(major)
                && !version.status.eq_ignore_ascii_case("deprecated")
        };
        let Some(version) = self
            .versions
            .iter()
            .filter(wanted)
            .max_by_key(|version| minor(&version.id))
        else {
            return Err(Error::Auth(AuthError::NoSuitableVersion {
                url: url.to_owned(),
                wanted: format!("v{major}"),
                offered: self
                    .versions
                    .iter()
                    .map(|version| format!("{} ({})", version.id, version.status))
                    .collect(),
            }));
        };
        let segment = version
            .href
            .as_deref()
            .map(|href| href.trim_end_matches('/'))
            .and_then(|href| href.rsplit('/').next())
            .filter(|segment| is_versioned(&format!("/{segment}")))
            .map_or_else(|| format!("v{major}"), str::to_owned);
        Ok(format!("{}/{segment}", url.trim_end_matches('/')))
    }
}

fn minor(id: &str) -> u32 {
    id.split('.')
        .nth(1)
        .and_then(|part| part.parse().ok())
        .unwrap_or(0)
}

#[derive(Deserialize)]
struct Document {
    versions: Listing,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Listing {
    Plain(Vec<Entry>),
    Wrapped { values: Vec<Entry> },
}

#[derive(Deserialize)]
struct Entry {
    id: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    links: Vec<Link>,
}

#[derive(Deserialize)]
struct Link {
    rel: Option<String>,
    href: Option<String>,
}

/// Accepts `300 Multiple Choices` (the usual answer on the root) and `200`.
fn decode_versions(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Versions, Error> {
    if !crate::versions::is_version_answer(status) {
        return Err(Error::from_response(status, headers, body));
    }
    let entries = match decode_json::<Document>(body)?.versions {
        Listing::Plain(entries) | Listing::Wrapped { values: entries } => entries,
    };
    Ok(Versions {
        versions: entries
            .into_iter()
            .map(|entry| Version {
                href: entry
                    .links
                    .into_iter()
                    .find(|link| link.rel.as_deref() == Some("self"))
                    .and_then(|link| link.href),
                id: entry.id,
                status: entry.status,
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versioned_urls() {
        for url in [
            "http://h:9292/v2",
            "http://h:9292/v2/",
            "https://h/image/v2",
            "http://h:5000/v3",
            "https://identity.api.rackspacecloud.com/v2.0/",
        ] {
            assert!(is_versioned(url), "{url}");
        }
        for url in [
            "http://h:9292",
            "http://h:9292/",
            "http://h/image",
            "http://h/apiv2",
            "http://v2",
            "http://h/v",
            "http://h/vx",
        ] {
            assert!(!is_versioned(url), "{url}");
        }
    }
}
