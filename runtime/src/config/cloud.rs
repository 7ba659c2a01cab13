//! One cloud's merged settings, checked and turned into a [`CloudConfig`].

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Map, Value};

use super::error::ConfigError;
use super::files::kind;
use super::{CloudConfig, Interface};
use crate::auth::{
    ApplicationCredentialRef, Credentials, DomainRef, ProjectRef, SUPPORTED_AUTH_TYPES, Scope,
    UserRef,
};
use crate::secret::Secret;

/// Reads one cloud's settings (already merged and normalised).
pub(crate) fn from_value(name: &str, value: &Value) -> Result<CloudConfig, ConfigError> {
    let Value::Object(cloud) = value else {
        return Err(ConfigError::InvalidValue {
            cloud: name.to_owned(),
            field: name.to_owned(),
            reason: format!("is {}, not a mapping", kind(value)),
        });
    };
    let empty = Map::new();
    let auth = match cloud.get("auth") {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(auth)) => auth,
        Some(other) => {
            return Err(ConfigError::InvalidValue {
                cloud: name.to_owned(),
                field: "auth".to_owned(),
                reason: format!("is {}, not a mapping", kind(other)),
            });
        }
    };
    let top = Keys::new(name, cloud, "");
    let auth = Keys::new(name, auth, "auth.");
    let auth_url = auth.required("auth_url")?;
    let credentials = credentials(&top, &auth)?;
    let interface = match top.string("interface")? {
        None => Interface::default(),
        Some(value) => Interface::parse(&value).ok_or_else(|| ConfigError::UnknownInterface {
            cloud: name.to_owned(),
            value,
        })?,
    };
    let insecure = top.boolean("insecure")?.unwrap_or(false);
    let verify = top.boolean("verify")?.unwrap_or(true) && !insecure;
    Ok(CloudConfig {
        name: name.to_owned(),
        auth_url,
        credentials,
        region_name: top.string("region_name")?,
        interface,
        endpoint_overrides: top.endpoint_overrides()?,
        cacert: top.string("cacert")?.map(PathBuf::from),
        verify,
        api_timeout: top.seconds("api_timeout")?,
    })
}

/// The keys of one mapping, read as the types they should have. `prefix`
/// is how errors name the mapping (`auth.` or nothing).
struct Keys<'a> {
    cloud: &'a str,
    map: &'a Map<String, Value>,
    prefix: &'static str,
}

impl<'a> Keys<'a> {
    fn new(cloud: &'a str, map: &'a Map<String, Value>, prefix: &'static str) -> Keys<'a> {
        Keys { cloud, map, prefix }
    }

    fn invalid(&self, key: &str, reason: String) -> ConfigError {
        ConfigError::InvalidValue {
            cloud: self.cloud.to_owned(),
            field: format!("{}{key}", self.prefix),
            reason,
        }
    }

    fn missing(&self, description: &str) -> ConfigError {
        ConfigError::MissingField {
            cloud: self.cloud.to_owned(),
            field: description.to_owned(),
        }
    }

    fn has(&self, key: &str) -> bool {
        !matches!(self.map.get(key), None | Some(Value::Null))
    }

    /// A scalar as text; YAML may have read `password: 1234` as a number.
    /// An empty string counts as absent, as it does for openstacksdk. The
    /// value itself never goes into an error: it may be a secret.
    fn string(&self, key: &str) -> Result<Option<String>, ConfigError> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) if text.is_empty() => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.clone())),
            Some(Value::Number(number)) => Ok(Some(number.to_string())),
            Some(Value::Bool(flag)) => Ok(Some(flag.to_string())),
            Some(other) => Err(self.invalid(key, format!("is {}, not text", kind(other)))),
        }
    }

    fn required(&self, key: &str) -> Result<String, ConfigError> {
        self.string(key)?
            .ok_or_else(|| self.missing(&format!("{}{key}", self.prefix)))
    }

    fn secret(&self, key: &str) -> Result<Option<Secret>, ConfigError> {
        Ok(self.string(key)?.map(Secret::from))
    }

    fn required_secret(&self, key: &str) -> Result<Secret, ConfigError> {
        self.required(key).map(Secret::from)
    }

    /// `true`/`false`, and the YAML 1.1 words PyYAML also reads as booleans.
    fn boolean(&self, key: &str) -> Result<Option<bool>, ConfigError> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(flag)) => Ok(Some(*flag)),
            Some(Value::String(text)) => match text.to_ascii_lowercase().as_str() {
                "true" | "yes" | "on" | "1" => Ok(Some(true)),
                "false" | "no" | "off" | "0" => Ok(Some(false)),
                _ => Err(self.invalid(key, format!("is `{text}`, not true or false"))),
            },
            Some(other) => Err(self.invalid(key, format!("is {}, not true or false", kind(other)))),
        }
    }

    fn seconds(&self, key: &str) -> Result<Option<Duration>, ConfigError> {
        let Some(text) = self.string(key)? else {
            return Ok(None);
        };
        match text.parse::<f64>() {
            Ok(seconds) if seconds.is_finite() && seconds > 0.0 => {
                Ok(Some(Duration::from_secs_f64(seconds)))
            }
            _ => Err(self.invalid(
                key,
                format!("is `{text}`, not a positive number of seconds"),
            )),
        }
    }

    /// Every `<service>_endpoint_override`, by `<service>`.
    fn endpoint_overrides(&self) -> Result<BTreeMap<String, String>, ConfigError> {
        let mut overrides = BTreeMap::new();
        for key in self.map.keys() {
            if let Some(service) = key.strip_suffix("_endpoint_override") {
                if let Some(url) = self.string(key)? {
                    overrides.insert(service.to_owned(), url);
                }
            }
        }
        Ok(overrides)
    }

    /// A domain given by `{base}_id` or `{base}_name`, falling back to
    /// `default_domain_id` / `default_domain_name` as keystoneauth does.
    fn domain(&self, base: &str) -> Result<Option<DomainRef>, ConfigError> {
        for (key, make) in [
            (
                format!("{base}_id"),
                DomainRef::Id as fn(String) -> DomainRef,
            ),
            (format!("{base}_name"), DomainRef::Name),
            ("default_domain_id".to_owned(), DomainRef::Id),
            ("default_domain_name".to_owned(), DomainRef::Name),
        ] {
            if let Some(value) = self.string(&key)? {
                return Ok(Some(make(value)));
            }
        }
        Ok(None)
    }

    /// `user_id`, or `username` with its domain.
    fn user(&self) -> Result<Option<UserRef>, ConfigError> {
        if let Some(id) = self.string("user_id")? {
            return Ok(Some(UserRef::Id(id)));
        }
        let Some(name) = self.string("username")? else {
            return Ok(None);
        };
        let domain = self
            .domain("user_domain")?
            .ok_or_else(|| self.missing("auth.user_domain_name or auth.user_domain_id"))?;
        Ok(Some(UserRef::Name { name, domain }))
    }

    fn scope(&self) -> Result<Scope, ConfigError> {
        let project = if let Some(id) = self.string("project_id")? {
            Some(ProjectRef::Id(id))
        } else if let Some(name) = self.string("project_name")? {
            let domain = self.domain("project_domain")?.ok_or_else(|| {
                self.missing("auth.project_domain_name or auth.project_domain_id")
            })?;
            Some(ProjectRef::Name { name, domain })
        } else {
            None
        };
        let domain = match self.string("domain_id")? {
            Some(id) => Some(DomainRef::Id(id)),
            None => self.string("domain_name")?.map(DomainRef::Name),
        };
        match (project, domain) {
            (Some(_), Some(_)) => Err(ConfigError::ConflictingAuth {
                cloud: self.cloud.to_owned(),
                reason: "auth names both a project and a domain to scope to; keep one".to_owned(),
            }),
            (Some(project), None) => Ok(Scope::Project(project)),
            (None, Some(domain)) => Ok(Scope::Domain(domain)),
            (None, None) => Ok(Scope::Default),
        }
    }
}

const APPLICATION_CREDENTIAL_KEYS: [&str; 3] = [
    "application_credential_id",
    "application_credential_name",
    "application_credential_secret",
];

fn credentials(top: &Keys<'_>, auth: &Keys<'_>) -> Result<Credentials, ConfigError> {
    let has_application_credential = APPLICATION_CREDENTIAL_KEYS.iter().any(|key| auth.has(key));
    if auth.has("password") && has_application_credential {
        return Err(ConfigError::ConflictingAuth {
            cloud: top.cloud.to_owned(),
            reason: "auth has both a password and an application credential; keep one".to_owned(),
        });
    }
    let auth_type = match top.string("auth_type")? {
        Some(auth_type) => auth_type.replace('-', "_"),
        // Without `auth_type`, the keys say which method is meant.
        None if has_application_credential => "v3applicationcredential".to_owned(),
        None if auth.has("api_key") => "rackspace_apikey".to_owned(),
        None if auth.has("token") && !auth.has("password") => "token".to_owned(),
        None => "password".to_owned(),
    };
    match auth_type.as_str() {
        "password" | "v3password" => Ok(Credentials::Password {
            user: auth
                .user()?
                .ok_or_else(|| auth.missing("auth.username or auth.user_id"))?,
            password: auth.required_secret("password")?,
            scope: auth.scope()?,
        }),
        "token" | "v3token" => Ok(Credentials::Token {
            token: auth.required_secret("token")?,
            scope: auth.scope()?,
        }),
        "v3applicationcredential" | "applicationcredential" => {
            let credential = if let Some(id) = auth.string("application_credential_id")? {
                ApplicationCredentialRef::Id(id)
            } else if let Some(name) = auth.string("application_credential_name")? {
                let user = auth.user()?.ok_or_else(|| {
                    auth.missing("auth.username or auth.user_id (with application_credential_name)")
                })?;
                ApplicationCredentialRef::Name { name, user }
            } else {
                return Err(auth.missing(
                    "auth.application_credential_id or auth.application_credential_name",
                ));
            };
            Ok(Credentials::ApplicationCredential {
                credential,
                secret: auth.required_secret("application_credential_secret")?,
            })
        }
        "rackspace_apikey" => Ok(Credentials::RackspaceApiKey {
            username: auth.required("username")?,
            api_key: auth
                .secret("api_key")?
                .ok_or_else(|| auth.missing("auth.api_key"))?,
        }),
        _ => Err(ConfigError::UnknownAuthType {
            cloud: top.cloud.to_owned(),
            value: auth_type,
            supported: SUPPORTED_AUTH_TYPES,
        }),
    }
}
