//! Decoding Nova's answers: JSON on success, Nova's nested error bodies
//! otherwise, and a 404 served at a microversion that no longer has the
//! call turned into the error that says so.

use http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;

use crate::error::{Error, header_str};
use crate::operation::decode_json;

use super::{API_VERSION_HEADER, Microversion, NOVA_VERSION_HEADER};

/// The two groups of routes Nova retired at different microversions.
#[derive(Debug, Clone, Copy)]
pub(super) enum Family {
    Images,
    Metadata,
}

impl Family {
    pub(super) fn last(self) -> Microversion {
        match self {
            Family::Images => Microversion::IMAGES_LAST,
            Family::Metadata => Microversion::METADATA_LAST,
        }
    }

    pub(super) fn last_text(self) -> &'static str {
        match self {
            Family::Images => "2.35",
            Family::Metadata => "2.38",
        }
    }

    pub(super) fn routes(self) -> &'static str {
        match self {
            Family::Images => "/images",
            Family::Metadata => "/images/{id}/metadata",
        }
    }
}

pub(super) fn images_json<T: DeserializeOwned>(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<T, Error> {
    checked(Family::Images, status, headers, body)?;
    decode_json(body)
}

pub(super) fn metadata_json<T: DeserializeOwned>(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<T, Error> {
    checked(Family::Metadata, status, headers, body)?;
    decode_json(body)
}

/// 204 from `DELETE /images/{id}`. Nova sends `Content-Type:
/// application/json` with the empty body, so the body is not read.
pub(super) fn images_empty(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), Error> {
    checked(Family::Images, status, headers, body)
}

pub(super) fn metadata_empty(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), Error> {
    checked(Family::Metadata, status, headers, body)
}

fn checked(
    family: Family,
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), Error> {
    if status.is_success() {
        return Ok(());
    }
    if status == StatusCode::NOT_FOUND {
        if let Some(served) = served_version(headers).filter(|v| *v > family.last()) {
            return Err(Error::ComputeMicroversion {
                operation: family.routes(),
                requested: served.to_string(),
                last: family.last_text(),
            });
        }
    }
    Err(Error::from_nova_response(status, headers, body))
}

/// The microversion Nova says it served, from either header it echoes.
fn served_version(headers: &HeaderMap) -> Option<Microversion> {
    if let Some(version) = header_str(headers, NOVA_VERSION_HEADER) {
        return version.parse().ok();
    }
    header_str(headers, API_VERSION_HEADER)?
        .strip_prefix("compute ")?
        .parse()
        .ok()
}
