//! Rackspace Cloud Identity v2.0: API-key login and its catalog.
//!
//! The request is `POST {auth_url}/tokens` (the documented endpoints are
//! `https://identity.api.rackspacecloud.com/v2.0/` and
//! `https://lon.identity.api.rackspacecloud.com/v2.0/`) with
//! `{"auth": {"RAX-KSKEY:apiKeyCredentials": {"username": ..., "apiKey": ...}}}`.
//! The answer is `200` with `access.token` (`id`, `expires`, `tenant`),
//! `access.user` (whose `RAX-AUTH:defaultRegion` is the region to use when
//! none is configured) and `access.serviceCatalog`: services with `name`,
//! `type` and `endpoints`, each endpoint with an optional `region`, a
//! `publicURL` and optionally `internalURL` (ServiceNet) and `adminURL`.
//! There is no `interface` field: the interface picks the URL key. A
//! refusal is `{"unauthorized": {"code": 401, "message": ...}}` (other
//! faults use their own key, such as `badRequest`).

use http::{HeaderMap, Method, StatusCode};
use serde::Deserialize;
use serde_json::json;

use super::catalog::{Catalog, Endpoint, Service};
use super::{AuthError, Token, json_request, parse_time};
use crate::config::Interface;
use crate::error::Error;
use crate::operation::{Decoder, Operation, decode_json};
use crate::secret::Secret;

/// The API-key login request. `auth_url` is the v2.0 root, such as
/// `https://identity.api.rackspacecloud.com/v2.0/`. The body holds the API
/// key in clear.
pub fn token_request(
    auth_url: &str,
    username: &str,
    api_key: &Secret,
) -> Result<Operation<Token>, Error> {
    let url = format!("{}/tokens", auth_url.trim_end_matches('/'));
    let body = json!({"auth": {"RAX-KSKEY:apiKeyCredentials": {"username": username, "apiKey": api_key.expose()}}});
    json_request(Method::POST, &url, &body, Decoder::new(decode_access))
}

#[derive(Deserialize)]
struct Document {
    access: Access,
}

#[derive(Deserialize)]
struct Access {
    token: AccessToken,
    user: Option<User>,
    #[serde(rename = "serviceCatalog", default)]
    service_catalog: Vec<CatalogService>,
}

#[derive(Deserialize)]
struct AccessToken {
    id: String,
    expires: Option<String>,
    tenant: Option<Tenant>,
}

#[derive(Deserialize)]
struct Tenant {
    id: Option<String>,
}

#[derive(Deserialize)]
struct User {
    id: Option<String>,
    #[serde(rename = "RAX-AUTH:defaultRegion")]
    default_region: Option<String>,
}

#[derive(Deserialize)]
struct CatalogService {
    name: Option<String>,
    #[serde(rename = "type")]
    service_type: String,
    #[serde(default)]
    endpoints: Vec<CatalogEndpoint>,
}

#[derive(Deserialize)]
struct CatalogEndpoint {
    region: Option<String>,
    #[serde(rename = "publicURL")]
    public_url: Option<String>,
    #[serde(rename = "internalURL")]
    internal_url: Option<String>,
    #[serde(rename = "adminURL")]
    admin_url: Option<String>,
}

/// Decodes Cloud Identity's answer to a token request.
pub(crate) fn decode_access(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Token, Error> {
    if !status.is_success() {
        return Err(AuthError::refused(status, headers, body));
    }
    let access = decode_json::<Document>(body)?.access;
    let services = access
        .service_catalog
        .into_iter()
        .map(|service| Service {
            service_type: service.service_type,
            name: service.name,
            endpoints: service
                .endpoints
                .into_iter()
                .flat_map(|endpoint| {
                    [
                        (Interface::Public, endpoint.public_url),
                        (Interface::Internal, endpoint.internal_url),
                        (Interface::Admin, endpoint.admin_url),
                    ]
                    .into_iter()
                    .filter_map(move |(interface, url)| {
                        Some(Endpoint {
                            interface,
                            region: endpoint.region.clone(),
                            url: url?,
                        })
                    })
                })
                .collect(),
        })
        .collect();
    Ok(Token {
        value: Secret::new(access.token.id),
        expires_at: parse_time("access.token.expires", access.token.expires.as_deref())?,
        issued_at: None,
        project_id: access.token.tenant.and_then(|tenant| tenant.id),
        user_id: access.user.as_ref().and_then(|user| user.id.clone()),
        default_region: access.user.and_then(|user| user.default_region),
        catalog: Catalog { services },
    })
}
