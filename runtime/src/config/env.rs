//! A cloud made from `OS_*` variables, as an openrc file sets them.

use serde_json::{Map, Value};

use super::error::ConfigError;
use super::files::normalise;
use super::sources::Sources;
use super::{CloudConfig, cloud};

/// The `auth` keys; every other `OS_*` variable is a top-level key.
const AUTH_KEYS: &[&str] = &[
    "auth_url",
    "username",
    "user_id",
    "password",
    "user_domain_name",
    "user_domain_id",
    "project_name",
    "project_id",
    "tenant_name",
    "tenant_id",
    "project_domain_name",
    "project_domain_id",
    "domain_name",
    "domain_id",
    "default_domain_name",
    "default_domain_id",
    "token",
    "application_credential_id",
    "application_credential_name",
    "application_credential_secret",
    "api_key",
];

/// Variables that are not cloud settings.
const IGNORED: &[&str] = &["cloud", "client_config_file", "client_secure_file"];

/// `OS_FOO_BAR` becomes the key `foo_bar`, in `auth` when it is one of the
/// auth keys, as openstacksdk does. `OS_AUTH_TOKEN` is the older name of
/// `OS_TOKEN`, and `OS_ENDPOINT_TYPE` of `OS_INTERFACE`.
pub(crate) fn cloud_from_vars(sources: &Sources) -> Result<CloudConfig, ConfigError> {
    let mut top = Map::new();
    let mut auth = Map::new();
    for (name, value) in sources.vars() {
        let Some(key) = name.strip_prefix("OS_") else {
            continue;
        };
        let key = match key.to_ascii_lowercase().as_str() {
            "auth_token" => "token".to_owned(),
            "endpoint_type" => "interface".to_owned(),
            other => other.to_owned(),
        };
        if IGNORED.contains(&key.as_str()) || value.is_empty() {
            continue;
        }
        let target = if AUTH_KEYS.contains(&key.as_str()) {
            &mut auth
        } else {
            &mut top
        };
        target.insert(key, Value::String(value.to_owned()));
    }
    if !auth.contains_key("auth_url") {
        return Err(ConfigError::NoCloudInEnvironment);
    }
    top.insert("auth".to_owned(), Value::Object(auth));
    cloud::from_value("envvars", &normalise(Value::Object(top)))
}
