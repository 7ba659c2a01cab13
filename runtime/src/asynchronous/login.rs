//! The async client's login constructors, with the blocking client's names,
//! and the TLS settings of a cloud applied to reqwest. The login itself is
//! [`SessionTokens`], driven by the client's send loop.

use crate::auth::{Credentials, Session, SessionTokens};
use crate::config::{CloudConfig, Sources};
use crate::error::Error;
use crate::login::{LoginSettings, bad_cacert};

use super::{Client, ClientBuilder};

impl Client {
    /// Reads the cloud `name` from `clouds.yaml` (with `secure.yaml` and
    /// `clouds-public.yaml`), logs in, and finds the image endpoint.
    pub async fn from_cloud(name: &str) -> Result<Client, Error> {
        Client::from_cloud_in(name, &Sources::system()).await
    }

    /// Like [`Client::from_cloud`], with the variables and files given.
    pub async fn from_cloud_in(name: &str, sources: &Sources) -> Result<Client, Error> {
        ClientBuilder::from_config(&CloudConfig::load(name, sources)?)
            .connect()
            .await
    }

    /// Logs in to the cloud `OS_CLOUD` names, or, when it is unset, the one
    /// the `OS_*` variables of an openrc file describe.
    pub async fn from_env() -> Result<Client, Error> {
        Client::from_env_in(&Sources::system()).await
    }

    /// Like [`Client::from_env`], with the variables and files given.
    pub async fn from_env_in(sources: &Sources) -> Result<Client, Error> {
        ClientBuilder::from_config(&CloudConfig::from_env(sources)?)
            .connect()
            .await
    }

    /// A builder that logs in at `auth_url` with `credentials` and finds
    /// the image endpoint in the catalog; finish it with
    /// [`ClientBuilder::connect`].
    pub fn login(auth_url: impl Into<String>, credentials: Credentials) -> ClientBuilder {
        ClientBuilder::logging_in(auth_url.into(), credentials, "image", 2)
    }

    /// The login session of a client that logged in itself: its token,
    /// and how many times it logged in ([`Session::reauthentications`]).
    pub fn session(&self) -> Option<&Session> {
        self.shared.session.as_deref().map(SessionTokens::session)
    }
}

/// Applies the TLS and timeout settings of a cloud to reqwest's builder.
pub(super) fn tls(
    settings: &LoginSettings,
    mut http: reqwest::ClientBuilder,
) -> Result<reqwest::ClientBuilder, Error> {
    if let Some((path, pem)) = settings.ca_pem()? {
        let certificates = reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|error| bad_cacert(path.clone(), format!("not a PEM file: {error}")))?;
        if certificates.is_empty() {
            return Err(bad_cacert(path, "holds no PEM certificate".to_owned()));
        }
        http = http.tls_built_in_root_certs(false);
        for certificate in certificates {
            http = http.add_root_certificate(certificate);
        }
    }
    if !settings.verify {
        http = http.danger_accept_invalid_certs(true);
    }
    if let Some(timeout) = settings.api_timeout {
        http = http.timeout(timeout);
    }
    Ok(http)
}
