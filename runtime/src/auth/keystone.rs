//! Keystone v3: the `POST /v3/auth/tokens` request for each method, and the
//! token it answers with.
//!
//! Keystone answers `201` with the token in the `X-Subject-Token` header
//! (not in the body) and `{"token": {...}}` holding `expires_at`,
//! `issued_at`, `project`, `user` and `catalog`. Services then take the
//! token as `X-Auth-Token`.

use http::{HeaderMap, Method, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};

use super::catalog::{Catalog, Endpoint, Service};
use super::credentials::{
    ApplicationCredentialRef, Credentials, DomainRef, ProjectRef, Scope, UserRef,
};
use super::{AuthError, Token, json_request, parse_time};
use crate::config::Interface;
use crate::error::{Error, header_str};
use crate::operation::{Decoder, Operation, decode_json};
use crate::secret::Secret;

/// The login request for Keystone v3 `credentials` at `identity_url` (the
/// versioned root, such as `https://keystone.example:5000/v3`).
///
/// The request body holds the password, secret or token in clear: send it,
/// and do not log it.
pub fn token_request(
    identity_url: &str,
    credentials: &Credentials,
) -> Result<Operation<Token>, Error> {
    let auth = match credentials {
        Credentials::Password {
            user,
            password,
            scope,
        } => with_scope(
            json!({"identity": {"methods": ["password"], "password": {"user": user_with_password(user, password)}}}),
            scope,
        ),
        Credentials::Token { token, scope } => with_scope(
            json!({"identity": {"methods": ["token"], "token": {"id": token.expose()}}}),
            scope,
        ),
        // An application credential carries its own scope; Keystone
        // refuses one in the request (401, "Application credentials cannot
        // request a scope").
        Credentials::ApplicationCredential { credential, secret } => {
            let mut body = match credential {
                ApplicationCredentialRef::Id(id) => json!({"id": id}),
                ApplicationCredentialRef::Name { name, user } => {
                    json!({"name": name, "user": user_json(user)})
                }
            };
            body["secret"] = Value::from(secret.expose());
            json!({"identity": {"methods": ["application_credential"], "application_credential": body}})
        }
        Credentials::RackspaceApiKey { .. } => {
            return Err(Error::InvalidRequest(
                "Rackspace API-key credentials log in to Cloud Identity v2.0, not Keystone v3"
                    .to_owned(),
            ));
        }
    };
    let url = format!("{}/auth/tokens", identity_url.trim_end_matches('/'));
    json_request(
        Method::POST,
        &url,
        &json!({"auth": auth}),
        Decoder::new(decode_token),
    )
}

fn domain_json(domain: &DomainRef) -> Value {
    match domain {
        DomainRef::Id(id) => json!({"id": id}),
        DomainRef::Name(name) => json!({"name": name}),
    }
}

fn user_json(user: &UserRef) -> Value {
    match user {
        UserRef::Id(id) => json!({"id": id}),
        UserRef::Name { name, domain } => json!({"name": name, "domain": domain_json(domain)}),
    }
}

fn user_with_password(user: &UserRef, password: &Secret) -> Value {
    let mut value = user_json(user);
    value["password"] = Value::from(password.expose());
    value
}

fn with_scope(mut auth: Value, scope: &Scope) -> Value {
    let scope = match scope {
        Scope::Default => return auth,
        Scope::Unscoped => Value::from("unscoped"),
        Scope::Domain(domain) => json!({"domain": domain_json(domain)}),
        Scope::Project(ProjectRef::Id(id)) => json!({"project": {"id": id}}),
        Scope::Project(ProjectRef::Name { name, domain }) => {
            json!({"project": {"name": name, "domain": domain_json(domain)}})
        }
    };
    auth["scope"] = scope;
    auth
}

#[derive(Deserialize)]
struct TokenDocument {
    token: TokenBody,
}

#[derive(Deserialize)]
struct TokenBody {
    expires_at: Option<String>,
    issued_at: Option<String>,
    project: Option<Named>,
    user: Option<Named>,
    #[serde(default)]
    catalog: Vec<CatalogService>,
}

#[derive(Deserialize)]
struct Named {
    id: Option<String>,
}

#[derive(Deserialize)]
struct CatalogService {
    #[serde(rename = "type")]
    service_type: String,
    name: Option<String>,
    #[serde(default)]
    endpoints: Vec<CatalogEndpoint>,
}

#[derive(Deserialize)]
struct CatalogEndpoint {
    interface: String,
    region_id: Option<String>,
    /// The older duplicate of `region_id`.
    region: Option<String>,
    url: String,
}

/// Decodes Keystone's answer to a token request.
pub(crate) fn decode_token(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Token, Error> {
    if !status.is_success() {
        return Err(AuthError::refused(status, headers, body));
    }
    let value = header_str(headers, "x-subject-token")
        .filter(|token| !token.is_empty())
        .ok_or_else(|| AuthError::invalid("Keystone answered without an X-Subject-Token header"))?;
    let document: TokenDocument = decode_json(body)?;
    let token = document.token;
    let services = token
        .catalog
        .into_iter()
        .map(|service| Service {
            service_type: service.service_type,
            name: service.name,
            endpoints: service
                .endpoints
                .into_iter()
                // An interface this crate does not know cannot be asked for.
                .filter_map(|endpoint| {
                    Some(Endpoint {
                        interface: Interface::parse(&endpoint.interface)?,
                        region: endpoint.region_id.or(endpoint.region),
                        url: endpoint.url,
                    })
                })
                .collect(),
        })
        .collect();
    Ok(Token {
        value: Secret::new(value),
        expires_at: parse_time("token.expires_at", token.expires_at.as_deref())?,
        issued_at: parse_time("token.issued_at", token.issued_at.as_deref())?,
        project_id: token.project.and_then(|project| project.id),
        user_id: token.user.and_then(|user| user.id),
        default_region: None,
        catalog: Catalog { services },
    })
}
