//! The blocking client's login constructors, and the TLS settings of a
//! cloud applied to ureq. The login itself is [`SessionTokens`], driven by
//! the client's send loop like any token source.

use crate::auth::{Credentials, Session, SessionTokens};
use crate::config::{CloudConfig, Sources};
use crate::error::Error;
use crate::login::{LoginSettings, bad_cacert};

use super::{Client, ClientBuilder};

impl Client {
    /// Reads the cloud `name` from `clouds.yaml` (with `secure.yaml` and
    /// `clouds-public.yaml`, found where openstacksdk looks), logs in, and
    /// finds the image endpoint.
    pub fn from_cloud(name: &str) -> Result<Client, Error> {
        Client::from_cloud_in(name, &Sources::system())
    }

    /// Like [`Client::from_cloud`], with the variables and files given.
    pub fn from_cloud_in(name: &str, sources: &Sources) -> Result<Client, Error> {
        ClientBuilder::from_config(&CloudConfig::load(name, sources)?).build()
    }

    /// Logs in to the cloud `OS_CLOUD` names, or, when it is unset, the one
    /// the `OS_*` variables of an openrc file describe.
    pub fn from_env() -> Result<Client, Error> {
        Client::from_env_in(&Sources::system())
    }

    /// Like [`Client::from_env`], with the variables and files given.
    pub fn from_env_in(sources: &Sources) -> Result<Client, Error> {
        ClientBuilder::from_config(&CloudConfig::from_env(sources)?).build()
    }

    /// A builder that logs in at `auth_url` with `credentials` and finds
    /// the image endpoint in the catalog; set the region, interface and
    /// more on it, then `build`.
    pub fn login(auth_url: impl Into<String>, credentials: Credentials) -> ClientBuilder {
        ClientBuilder::logging_in(auth_url.into(), credentials, "image", 2)
    }

    /// The login session of a client that logged in itself: its token,
    /// and how many times it logged in ([`Session::reauthentications`]).
    pub fn session(&self) -> Option<&Session> {
        self.shared.session.as_deref().map(SessionTokens::session)
    }
}

/// Applies the TLS and timeout settings of a cloud to ureq's configuration.
pub(super) fn tls(
    settings: &LoginSettings,
    config: ureq::config::ConfigBuilder<ureq::typestate::AgentScope>,
) -> Result<ureq::config::ConfigBuilder<ureq::typestate::AgentScope>, Error> {
    let mut tls = ureq::tls::TlsConfig::builder();
    if let Some((path, pem)) = settings.ca_pem()? {
        let mut certificates = Vec::new();
        for item in ureq::tls::parse_pem(&pem) {
            match item {
                Ok(ureq::tls::PemItem::Certificate(certificate)) => {
                    certificates.push(certificate.to_owned())
                }
                Ok(_) => {}
                Err(error) => return Err(bad_cacert(path, format!("not a PEM file: {error}"))),
            }
        }
        if certificates.is_empty() {
            return Err(bad_cacert(path, "holds no PEM certificate".to_owned()));
        }
        tls = tls.root_certs(ureq::tls::RootCerts::new_with_certs(&certificates));
    }
    if !settings.verify {
        tls = tls.disable_verification(true);
    }
    Ok(config
        .tls_config(tls.build())
        .timeout_global(settings.api_timeout))
}
