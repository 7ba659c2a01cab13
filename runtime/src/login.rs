//! What a client builder knows beyond a base URL: how to log in, and the
//! TLS and timeout settings that come with a cloud. Shared by both clients'
//! builders; each client applies the TLS settings to its own HTTP stack
//! and sends the logins through its own send loop.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::auth::{Credentials, Session, SessionConfig, SessionTokens};
use crate::config::{CloudConfig, ConfigError, Interface};
use crate::credentials::TokenSource;
use crate::error::Error;
use crate::settings::ClientBuilder;

/// The login and TLS settings of a builder.
#[derive(Debug, Clone)]
pub(crate) struct LoginSettings {
    pub session: Option<SessionConfig>,
    pub cacert: Option<PathBuf>,
    pub verify: bool,
    pub api_timeout: Option<Duration>,
}

impl Default for LoginSettings {
    fn default() -> Self {
        LoginSettings {
            session: None,
            cacert: None,
            verify: true,
            api_timeout: None,
        }
    }
}

impl LoginSettings {
    /// The TLS and timeout settings of `cloud`, logging in to `session`.
    pub fn for_cloud(cloud: &CloudConfig, session: SessionConfig) -> LoginSettings {
        LoginSettings {
            session: Some(session),
            cacert: cloud.cacert.clone(),
            verify: cloud.verify,
            api_timeout: cloud.api_timeout,
        }
    }

    /// The session config of a login to `auth_url` for the service of type
    /// `service_type`, major version `api_version`.
    pub fn explicit(
        auth_url: String,
        credentials: Credentials,
        service_type: &str,
        api_version: u32,
    ) -> LoginSettings {
        LoginSettings {
            session: Some(SessionConfig {
                auth_url,
                credentials,
                service_type: service_type.to_owned(),
                api_version,
                region_name: None,
                interface: Interface::default(),
                endpoint_override: None,
            }),
            ..LoginSettings::default()
        }
    }

    /// The PEM certificates of `cacert`, read once when the client is built.
    pub fn ca_pem(&self) -> Result<Option<(PathBuf, Vec<u8>)>, Error> {
        let Some(path) = &self.cacert else {
            return Ok(None);
        };
        let pem = std::fs::read(path).map_err(|source| ConfigError::Read {
            path: path.clone(),
            source,
        })?;
        Ok(Some((path.clone(), pem)))
    }
}

/// The error for a `cacert` file that holds no usable certificate.
pub(crate) fn bad_cacert(path: PathBuf, message: String) -> Error {
    Error::Config(ConfigError::Shape { path, message })
}

impl<C> ClientBuilder<C> {
    /// A builder for the cloud `config` (see [`CloudConfig::load`] to read
    /// one without logging in), for its image service. `build` logs in.
    pub fn from_config(config: &CloudConfig) -> Self {
        ClientBuilder::for_service(config, SessionConfig::image(config))
    }

    /// A builder that logs in to `cloud` and finds the service `session`
    /// names (the image service, or `compute`).
    pub(crate) fn for_service(cloud: &CloudConfig, session: SessionConfig) -> Self {
        let mut builder = ClientBuilder::new(String::new());
        builder.login = LoginSettings::for_cloud(cloud, session);
        builder
    }

    /// A builder that logs in at `auth_url` with `credentials` and finds
    /// the service of type `service_type` in the catalog.
    pub(crate) fn logging_in(
        auth_url: String,
        credentials: Credentials,
        service_type: &str,
        api_version: u32,
    ) -> Self {
        let mut builder = ClientBuilder::new(String::new());
        builder.login = LoginSettings::explicit(auth_url, credentials, service_type, api_version);
        builder
    }

    /// The region whose endpoint to use (when logging in).
    pub fn region_name(mut self, region: impl Into<String>) -> Self {
        if let Some(session) = &mut self.login.session {
            session.region_name = Some(region.into());
        }
        self
    }

    /// The catalog interface to use (when logging in).
    pub fn interface(mut self, interface: Interface) -> Self {
        if let Some(session) = &mut self.login.session {
            session.interface = interface;
        }
        self
    }

    /// The service's URL, instead of the catalog's (when logging in).
    pub fn endpoint_override(mut self, url: impl Into<String>) -> Self {
        if let Some(session) = &mut self.login.session {
            session.endpoint_override = Some(url.into());
        }
        self
    }

    /// Trusts the certificate authorities in this PEM file instead of the
    /// built-in ones.
    pub fn cacert(mut self, path: impl Into<PathBuf>) -> Self {
        self.login.cacert = Some(path.into());
        self
    }

    /// `false` turns off TLS certificate checks (`verify: false`).
    pub fn verify(mut self, verify: bool) -> Self {
        self.login.verify = verify;
        self
    }

    /// The most one request may take in all (`api_timeout`).
    pub fn api_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.login.api_timeout = timeout;
        self
    }

    /// For a builder that logs in: the session's token source, installed as
    /// the builder's, and the identity URL to stand in as the base URL
    /// until the first login finds the service's root.
    pub(crate) fn start_session(&mut self) -> Option<Arc<SessionTokens>> {
        let config = self.login.session.clone()?;
        self.base_url = config.auth_url.clone();
        let tokens = Arc::new(SessionTokens::new(Session::new(config)));
        self.tokens = Some(Ok(tokens.clone() as Arc<dyn TokenSource>));
        Some(tokens)
    }
}
