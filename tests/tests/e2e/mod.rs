//! What the end-to-end tests (`tests/e2e_*.rs`) share: a session against
//! the Glance of the test lab that `cargo xtask lab start` runs, clients
//! with real Keystone tokens of the lab's users that count what they send,
//! fresh projects, unique names, and the JSON helpers and random generator
//! in the submodules.
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
pub mod stores;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use cloud_images_tests::{Identity, Lab};

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
    lab: Lab,
    url: String,
    test: &'static str,
    prefix: String,
    /// This process and the clock, short: what makes Keystone names unique.
    run: String,
    stats: Arc<Stats>,
    names: AtomicU64,
    /// The token of the member of each fresh project, by project id.
    members: Mutex<BTreeMap<String, String>>,
}

/// Every name a test gives what it makes starts with this, so that a
/// listing can tell the tests' things from the lab's own.
pub const TEST_NAME_PREFIX: &str = "e2e-";

impl Session {
    /// The session, or `None` (after one printed line) when no lab runs
    /// outside CI. In CI a missing lab fails the test.
    pub fn start(test: &'static str) -> Option<Session> {
        let lab = Lab::find(test)?;
        let url = lab.glance_url();
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_nanos());
        Some(Session {
            lab,
            url,
            test,
            prefix: format!("{TEST_NAME_PREFIX}{test}-{}-{nanos:x}", std::process::id()),
            run: format!("{:x}-{:x}", std::process::id(), nanos % (1 << 40)),
            stats: Arc::new(Stats::default()),
            names: AtomicU64::new(0),
            members: Mutex::default(),
        })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn lab(&self) -> &Lab {
        &self.lab
    }

    /// The Keystone id of the project `identity`'s tokens are scoped to:
    /// what Glance records as an image's `owner`.
    pub fn project_id(&self, identity: Identity) -> String {
        self.lab.project_id(identity)
    }

    /// A name no other test or earlier run uses.
    pub fn unique(&self, label: &str) -> String {
        let n = self.names.fetch_add(1, Ordering::Relaxed);
        format!("{}-{label}-{n}", self.prefix)
    }

    /// The id of a new Keystone project that owns nothing yet, with a user
    /// of its own (see [`Session::member_of`]), for tests that must control
    /// exactly what a listing returns.
    pub fn fresh_project(&self, label: &str) -> String {
        // Keystone names are at most 64 characters: no test name in them.
        let n = self.names.fetch_add(1, Ordering::Relaxed);
        let name = format!("{TEST_NAME_PREFIX}{}-{label}-{n}", self.run);
        let member = self.lab.fresh_member(&name);
        self.members
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(member.project_id.clone(), member.token);
        member.project_id
    }

    /// A client of one of the lab's users, with a token scoped to its project.
    pub fn client(&self, identity: Identity) -> Glance {
        self.with_token(&self.lab.token(identity))
    }

    /// The member (roles `member`, `reader`) of a project made by
    /// [`Session::fresh_project`].
    pub fn member_of(&self, project_id: &str) -> Glance {
        let token = self
            .members
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(project_id)
            .cloned()
            .unwrap_or_else(|| panic!("{project_id} was not made by fresh_project"));
        self.with_token(&token)
    }

    fn with_token(&self, token: &str) -> Glance {
        let builder = cloud_images_runtime::blocking::Client::builder(&self.url).token(token);
        Glance::new(builder, Arc::clone(&self.stats))
    }

    /// The token `identity` sends: a real Keystone token of the lab's user.
    pub fn token_of(&self, identity: Identity) -> Option<String> {
        Some(self.lab.token(identity))
    }

    /// A blocking client builder for `identity` aimed at `url` (such as a
    /// proxy in front of Glance), for tests that configure the client.
    pub fn blocking_builder(
        &self,
        identity: Identity,
        url: &str,
    ) -> cloud_images_runtime::blocking::ClientBuilder {
        cloud_images_runtime::blocking::Client::builder(url).token(self.lab.token(identity))
    }

    /// An async client builder for `identity` aimed at `url`.
    pub fn async_builder(
        &self,
        identity: Identity,
        url: &str,
    ) -> cloud_images_runtime::asynchronous::ClientBuilder {
        cloud_images_runtime::asynchronous::Client::builder(url).token(self.lab.token(identity))
    }

    /// The async client of `identity`, against the lab's Glance.
    pub fn async_client(&self, identity: Identity) -> cloud_images_runtime::asynchronous::Client {
        self.async_builder(identity, &self.url)
            .build()
            .expect("the test client is valid")
    }

    /// A client that sends no token at all.
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
