//! What the end-to-end tests (`tests/e2e_*.rs`) share: a session against
//! the real Glance that `cargo xtask glance start` runs, clients for the
//! test identities that count what they send, unique names, and the JSON
//! helpers and random generator in the submodules.
//!
//! Every test creates its own images under unique names, so tests run in
//! parallel, in any order, on a server with data left from earlier runs.

// Each `e2e_*` test binary uses a different part of this module.
#![allow(dead_code)]

pub mod check;
pub mod client;
pub mod data;
pub mod json;
pub mod proxy;
pub mod rng;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use cloud_images_runtime::auth::{Session as Login, SessionConfig, SessionTokens};
use cloud_images_runtime::config::{CloudConfig, Sources};
use cloud_images_runtime::{ClientBuilder, TokenSource};
use cloud_images_tests::{Identity, glance_url};

pub use client::Glance;

/// What one test sent, printed when the test ends.
#[derive(Debug, Default)]
pub struct Stats {
    pub requests: AtomicU64,
    pub patches: AtomicU64,
}

/// One test's connection to Glance: the URL, the counters its clients
/// share, and a prefix that makes its names unique on a shared server.
pub struct Session {
    url: String,
    test: &'static str,
    prefix: String,
    stats: Arc<Stats>,
    names: AtomicU64,
    /// One login per identity, shared by every client of that identity,
    /// when the tests run against the Keystone lab.
    logins: Mutex<BTreeMap<&'static str, Arc<SessionTokens>>>,
}

/// The Keystone lab's `clouds.yaml` entry that stands for a header
/// identity's project: the owner is alice in `alpha`, the consumer bob in
/// `beta`, the admin `admin`.
fn lab_cloud(project: &str) -> Option<&'static str> {
    match project {
        "tenant-owner" => Some("lab-alpha"),
        "tenant-consumer" => Some("lab-beta"),
        "tenant-admin" => Some("lab-admin"),
        _ => None,
    }
}

/// The lab's directory (`CLOUD_IMAGES_LAB_DIR`), when Glance checks
/// Keystone tokens.
fn lab_dir() -> Option<std::path::PathBuf> {
    std::env::var_os("CLOUD_IMAGES_LAB_DIR")
        .filter(|dir| !dir.is_empty())
        .map(std::path::PathBuf::from)
}

impl Session {
    /// The session, or `None` (after one printed line) when no server runs
    /// outside CI. In CI a missing server fails the test.
    pub fn start(test: &'static str) -> Option<Session> {
        let url = glance_url(test)?;
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_nanos());
        Some(Session {
            url,
            test,
            prefix: format!("e2e-{test}-{}-{nanos:x}", std::process::id()),
            stats: Arc::new(Stats::default()),
            names: AtomicU64::new(0),
            logins: Mutex::new(BTreeMap::new()),
        })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// A name no other test or earlier run uses.
    pub fn unique(&self, label: &str) -> String {
        let n = self.names.fetch_add(1, Ordering::Relaxed);
        format!("{}-{label}-{n}", self.prefix)
    }

    /// A project id nobody has used: a project that owns nothing yet, for
    /// tests that must control exactly what a listing returns.
    pub fn fresh_project(&self, label: &str) -> String {
        self.unique(&format!("project-{label}"))
    }

    pub fn client(&self, identity: Identity) -> Glance {
        self.client_as(identity.project, identity.user, identity.roles)
    }

    /// A member of `project` (roles `member,reader`).
    pub fn member_of(&self, project: &str) -> Glance {
        self.client_as(project, &format!("user-{project}"), "member,reader")
    }

    pub fn client_as(&self, project: &str, user: &str, roles: &str) -> Glance {
        let builder = cloud_images_runtime::blocking::Client::builder(&self.url);
        Glance::new(
            self.identify(builder, project, user, roles),
            Arc::clone(&self.stats),
        )
    }

    /// How either client authenticates as an identity: the one place both
    /// clients get their credentials in these tests. Against the Keystone
    /// lab (`CLOUD_IMAGES_LAB_DIR`), the owner, consumer and admin log in
    /// with a password through the runtime's login and send real tokens;
    /// without it, Glance runs without Keystone and takes the identity
    /// headers.
    pub fn identify<C>(
        &self,
        builder: ClientBuilder<C>,
        project: &str,
        user: &str,
        roles: &str,
    ) -> ClientBuilder<C> {
        if let (Some(dir), Some(cloud)) = (lab_dir(), lab_cloud(project)) {
            return builder.token_source(self.login(&dir, cloud) as Arc<dyn TokenSource>);
        }
        builder
            .header("X-Identity-Status", "Confirmed")
            .header("X-Project-Id", project)
            .header("X-User-Id", user)
            .header("X-Roles", roles)
    }

    /// The login of the lab's cloud `cloud`, made once per test. The
    /// service root is this session's Glance (which may sit behind a
    /// proxy), not the catalog's.
    fn login(&self, dir: &std::path::Path, cloud: &'static str) -> Arc<SessionTokens> {
        let mut logins = self.logins.lock().expect("logins");
        let tokens = logins.entry(cloud).or_insert_with(|| {
            let file = dir.join("clouds.yaml");
            let text = std::fs::read_to_string(&file)
                .unwrap_or_else(|error| panic!("{}: {error}", file.display()));
            let sources = Sources::in_memory(
                [("OS_CLIENT_CONFIG_FILE", file.display().to_string())],
                [(file.clone(), text)],
            );
            let config = CloudConfig::load(cloud, &sources)
                .unwrap_or_else(|error| panic!("lab cloud {cloud}: {error}"));
            let mut session = SessionConfig::image(&config);
            session.endpoint_override = Some(format!("{}/v2", self.url.trim_end_matches('/')));
            Arc::new(SessionTokens::new(Login::new(session)))
        });
        tokens.clone()
    }

    /// The secret `identity` sends: its Keystone token against the lab
    /// (logging in if it has not yet), else `None`, as the identity
    /// headers carry none.
    pub fn token_of(&self, identity: Identity) -> Option<String> {
        let (dir, cloud) = (lab_dir()?, lab_cloud(identity.project)?);
        let tokens = self.login(&dir, cloud);
        let builder = cloud_images_runtime::blocking::Client::builder(&self.url)
            .token_source(tokens.clone() as Arc<dyn TokenSource>);
        let client = builder.build().expect("the test client is valid");
        client
            .list_images(&Default::default())
            .expect("a listing with the identity's token");
        let token = tokens.session().token().expect("logged in");
        Some(token.secret().expose().to_owned())
    }

    /// A blocking client builder for `identity` aimed at `url` (such as a
    /// proxy in front of Glance), for tests that configure the client.
    pub fn blocking_builder(
        &self,
        identity: Identity,
        url: &str,
    ) -> cloud_images_runtime::blocking::ClientBuilder {
        let builder = cloud_images_runtime::blocking::Client::builder(url);
        self.identify(builder, identity.project, identity.user, identity.roles)
    }

    /// An async client builder for `identity` aimed at `url`.
    pub fn async_builder(
        &self,
        identity: Identity,
        url: &str,
    ) -> cloud_images_runtime::asynchronous::ClientBuilder {
        let builder = cloud_images_runtime::asynchronous::Client::builder(url);
        self.identify(builder, identity.project, identity.user, identity.roles)
    }

    /// The async client of `identity`.
    pub fn async_client(&self, identity: Identity) -> cloud_images_runtime::asynchronous::Client {
        self.async_builder(identity, &self.url)
            .build()
            .expect("the test client is valid")
    }

    /// A client that sends no identity headers at all.
    pub fn anonymous(&self) -> Glance {
        let builder = cloud_images_runtime::blocking::Client::builder(&self.url);
        Glance::new(builder, Arc::clone(&self.stats))
    }

    pub fn requests(&self) -> u64 {
        self.stats.requests.load(Ordering::Relaxed)
    }

    pub fn patches(&self) -> u64 {
        self.stats.patches.load(Ordering::Relaxed)
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        eprintln!(
            "e2e {}: {} requests, {} of them PATCH",
            self.test,
            self.requests(),
            self.patches()
        );
    }
}
