//! Logging in for the blocking client: the constructors that read
//! `clouds.yaml` or the `OS_*` variables, the TLS and timeout settings that
//! come with a cloud, and the driver of [`Session`] over ureq.
//!
//! Kept apart from `blocking.rs`, which only calls in here from
//! `ClientBuilder::build` and `Client::run`.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use http::header::HeaderValue;
use http::{Method, Request, Response, StatusCode};

use crate::api::Api;
use crate::auth::{Authorized, Credentials, Session, SessionConfig, Step};
use crate::blocking::{Client, ClientBuilder, read_all, transport};
use crate::config::{CloudConfig, ConfigError, Interface, Sources};
use crate::error::Error;

/// What a [`ClientBuilder`] knows beyond a base URL: how to log in, and the
/// TLS and timeout settings of a cloud.
#[derive(Debug, Clone)]
pub(crate) struct LoginSettings {
    session: Option<SessionConfig>,
    cacert: Option<PathBuf>,
    verify: bool,
    api_timeout: Option<Duration>,
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
    pub(crate) fn logs_in(&self) -> bool {
        self.session.is_some()
    }

    fn session_mut(&mut self) -> Option<&mut SessionConfig> {
        self.session.as_mut()
    }
}

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
        let mut builder = Client::builder(String::new());
        builder.login.session = Some(SessionConfig {
            auth_url: auth_url.into(),
            credentials,
            service_type: "image".to_owned(),
            api_version: 2,
            region_name: None,
            interface: Interface::default(),
            endpoint_override: None,
        });
        builder
    }

    /// The login session of a client that logged in itself: its token
    /// store, and how many times it logged in.
    pub fn session(&self) -> Option<&Session> {
        self.login.as_ref().map(|login| &login.session)
    }
}

impl ClientBuilder {
    /// A builder for the cloud `config` (see [`CloudConfig::load`] to read
    /// one without logging in). `build` logs in.
    pub fn from_config(config: &CloudConfig) -> ClientBuilder {
        let mut builder = Client::builder(String::new());
        builder.login = LoginSettings {
            session: Some(SessionConfig::image(config)),
            cacert: config.cacert.clone(),
            verify: config.verify,
            api_timeout: config.api_timeout,
        };
        builder
    }

    /// The region whose endpoint to use (with [`Client::login`]).
    pub fn region_name(mut self, region: impl Into<String>) -> Self {
        if let Some(session) = self.login.session_mut() {
            session.region_name = Some(region.into());
        }
        self
    }

    /// The catalog interface to use (with [`Client::login`]).
    pub fn interface(mut self, interface: Interface) -> Self {
        if let Some(session) = self.login.session_mut() {
            session.interface = interface;
        }
        self
    }

    /// The image service's URL, instead of the catalog's (with
    /// [`Client::login`]).
    pub fn endpoint_override(mut self, url: impl Into<String>) -> Self {
        if let Some(session) = self.login.session_mut() {
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
}

/// Applies the TLS and timeout settings to ureq's configuration.
pub(crate) fn configure(
    settings: &LoginSettings,
    config: ureq::config::ConfigBuilder<ureq::typestate::AgentScope>,
) -> Result<ureq::config::ConfigBuilder<ureq::typestate::AgentScope>, Error> {
    let mut tls = ureq::tls::TlsConfig::builder();
    if let Some(path) = &settings.cacert {
        tls = tls.root_certs(ureq::tls::RootCerts::new_with_certs(&read_certificates(
            path,
        )?));
    }
    if !settings.verify {
        tls = tls.disable_verification(true);
    }
    Ok(config
        .tls_config(tls.build())
        .timeout_global(settings.api_timeout))
}

fn read_certificates(path: &PathBuf) -> Result<Vec<ureq::tls::Certificate<'static>>, Error> {
    let pem = std::fs::read(path).map_err(|source| ConfigError::Read {
        path: path.clone(),
        source,
    })?;
    let mut certificates = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        match item {
            Ok(ureq::tls::PemItem::Certificate(certificate)) => certificates.push(certificate),
            Ok(_) => {}
            Err(error) => {
                return Err(Error::Config(ConfigError::Shape {
                    path: path.clone(),
                    message: format!("not a PEM file: {error}"),
                }));
            }
        }
    }
    if certificates.is_empty() {
        return Err(Error::Config(ConfigError::Shape {
            path: path.clone(),
            message: "holds no PEM certificate".to_owned(),
        }));
    }
    Ok(certificates)
}

/// Logs in (once, at the start) and builds the client on the image root.
pub(crate) fn build(builder: ClientBuilder) -> Result<Client, Error> {
    let Some(config) = builder.login.session.clone() else {
        return Err(Error::InvalidRequest("no login settings".to_owned()));
    };
    let agent = builder.agent(ureq::Agent::config_builder())?;
    let login = Arc::new(Login {
        session: Session::new(config),
        serial: Mutex::new(()),
    });
    let authorized = login.authorized(&agent)?;
    let mut api = Api::new(authorized.service_root())?;
    for (name, value) in &builder.headers {
        api = api.with_header(name, value)?;
    }
    Ok(Client {
        api,
        agent,
        login: Some(login),
    })
}

/// A client's session, and the lock that makes concurrent callers wait for
/// one login instead of each logging in.
#[derive(Debug)]
pub(crate) struct Login {
    session: Session,
    serial: Mutex<()>,
}

impl Login {
    /// A token and the service root, logging in first when needed.
    fn authorized(&self, agent: &ureq::Agent) -> Result<Authorized, Error> {
        if let Step::Ready(authorized) = self.session.poll(SystemTime::now())? {
            return Ok(authorized);
        }
        let _serial = self
            .serial
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        loop {
            match self.session.poll(SystemTime::now())? {
                Step::Ready(authorized) => return Ok(authorized),
                Step::Send(login) => {
                    let (request, pending) = login.into_parts();
                    match send(agent, request) {
                        Ok(response) => {
                            self.session.accept(pending, response, SystemTime::now())?
                        }
                        Err(error) => return Err(pending.unreachable(error)),
                    }
                }
            }
        }
    }

    /// Sends `request` with the token; on a 401, logs in once more and
    /// sends it once more (its body is in memory, so it can be).
    pub(crate) fn run(
        &self,
        client: &Client,
        request: Request<Vec<u8>>,
    ) -> Result<Response<ureq::Body>, Error> {
        let authorized = self.authorized(&client.agent)?;
        let mut retry = copy(&request);
        let mut first = request;
        authorized.authorize(&mut first)?;
        let response = client.run_once(first)?;
        if response.status() != StatusCode::UNAUTHORIZED {
            return Ok(response);
        }
        drop(response);
        self.session.unauthorized(&authorized);
        self.authorized(&client.agent)?.authorize(&mut retry)?;
        client.run_once(retry)
    }

    /// Puts the token on a request whose body is streamed.
    pub(crate) fn authorize(
        &self,
        client: &Client,
        parts: &mut http::request::Parts,
    ) -> Result<Authorized, Error> {
        let authorized = self.authorized(&client.agent)?;
        let mut value = HeaderValue::from_str(authorized.token().expose()).map_err(|_| {
            Error::InvalidRequest("the token is not a valid header value".to_owned())
        })?;
        value.set_sensitive(true);
        parts.headers.insert("x-auth-token", value);
        Ok(authorized)
    }

    /// After a request that could not be retried: a 401 still makes the
    /// next request log in again.
    pub(crate) fn saw_status(&self, status: StatusCode, authorized: &Authorized) {
        if status == StatusCode::UNAUTHORIZED {
            self.session.unauthorized(authorized);
        }
    }
}

fn copy(request: &Request<Vec<u8>>) -> Request<Vec<u8>> {
    let mut copy = Request::new(request.body().clone());
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.version_mut() = request.version();
    *copy.headers_mut() = request.headers().clone();
    copy
}

/// Sends a login request; a failure here means the service did not answer.
fn send(agent: &ureq::Agent, request: Request<Vec<u8>>) -> Result<Response<Vec<u8>>, Error> {
    let (parts, body) = request.into_parts();
    let response = if body.is_empty() && parts.method == Method::GET {
        agent.run(Request::from_parts(parts, ()))
    } else {
        agent.run(Request::from_parts(parts, body))
    }
    .map_err(transport)?;
    read_all(response)
}
