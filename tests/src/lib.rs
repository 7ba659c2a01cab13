//! Cross-crate and end-to-end tests for cloud-images live under `tests/`.
//!
//! This library holds what they share: finding the test lab that
//! `cargo xtask lab start` runs (Keystone, Glance and nova-api, all checking
//! real Keystone tokens), the lab's users, and getting tokens for them.

mod keystone;

use std::collections::BTreeMap;
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

pub use keystone::password_token;

/// The folder of a running lab, holding `lab.env` and `clouds.yaml`;
/// `cargo xtask test` sets it. Without it, `target/lab` is used.
pub const LAB_DIR_ENV: &str = "CLOUD_IMAGES_LAB_DIR";
/// Overrides the lab's Glance URL (`GLANCE_URL` in `lab.env`).
pub const GLANCE_URL_ENV: &str = "CLOUD_IMAGES_GLANCE_URL";

/// The environment variable naming the lab Glance's default file store:
/// the folder where image data lives as files named by image id.
pub const GLANCE_STORE_DIR_ENV: &str = "CLOUD_IMAGES_GLANCE_STORE_DIR";

/// The lab Glance's default file store: `CLOUD_IMAGES_GLANCE_STORE_DIR`, as
/// `cargo xtask test` sets it, or where `cargo xtask lab start` keeps it.
pub fn glance_store_dir() -> PathBuf {
    match std::env::var_os(GLANCE_STORE_DIR_ENV).filter(|dir| !dir.is_empty()) {
        Some(dir) => dir.into(),
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join("target/lab/glance/stores/fs"),
    }
}

/// A user of the lab, with the project its tokens are scoped to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identity {
    pub user: &'static str,
    pub project: &'static str,
    /// The `lab.env` key of the password.
    password_key: &'static str,
}

/// alice, `member` and `reader` of project alpha: owns the test images.
pub const OWNER: Identity = Identity {
    user: "alice",
    project: "alpha",
    password_key: "ALICE_PW",
};

/// bob, `member` and `reader` of project beta: images are shared with him.
pub const CONSUMER: Identity = Identity {
    user: "bob",
    project: "beta",
    password_key: "BOB_PW",
};

/// admin of project admin (roles admin, manager, member, reader), for the
/// operations Glance keeps to administrators.
pub const ADMIN: Identity = Identity {
    user: "admin",
    project: "admin",
    password_key: "ADMIN_PW",
};

/// nova, the Compute service's own user (role `service` on project
/// `service`): its token is what a service sends as `X-Service-Token`
/// next to a user's token, which Glance's service-only calls look for.
pub const SERVICE: Identity = Identity {
    user: "nova",
    project: "service",
    password_key: "NOVA_PW",
};

/// A running lab, as `lab.env` describes it.
#[derive(Debug, Clone)]
pub struct Lab {
    pub dir: PathBuf,
    env: BTreeMap<String, String>,
}

impl Lab {
    /// The running lab.
    ///
    /// Outside CI, when no lab runs, this prints one line saying how to start
    /// one and returns `None`, so that the end-to-end tests skip. In CI a
    /// missing lab is a failure: the tests must not pass by skipping.
    pub fn find(test: &str) -> Option<Lab> {
        let dir = std::env::var_os(LAB_DIR_ENV).map_or_else(
            || Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/lab"),
            PathBuf::from,
        );
        let problem = match Lab::read(&dir) {
            Ok(lab) if lab.keystone_answers() => return Some(lab),
            Ok(lab) => format!(
                "the lab's Keystone does not answer at {}",
                lab.keystone_url()
            ),
            Err(problem) => problem,
        };
        assert!(
            std::env::var_os("CI").is_none(),
            "{test}: {problem}: CI must run `cargo xtask test` (or `cargo xtask lab start`) first"
        );
        eprintln!("skipping {test}: {problem}; start the lab with `cargo xtask lab start`");
        None
    }

    fn read(dir: &Path) -> Result<Lab, String> {
        let path = dir.join("lab.env");
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("no lab at {} ({e})", path.display()))?;
        let env = text
            .lines()
            .filter(|line| !line.starts_with('#'))
            .filter_map(|line| line.split_once('='))
            .map(|(key, value)| (key.to_owned(), value.to_owned()))
            .collect();
        Ok(Lab {
            dir: dir.to_path_buf(),
            env,
        })
    }

    fn keystone_answers(&self) -> bool {
        let url = self.keystone_url();
        let Some(authority) = url.strip_prefix("http://") else {
            return false;
        };
        let addresses = authority.to_socket_addrs().ok().into_iter().flatten();
        addresses
            .into_iter()
            .any(|addr| TcpStream::connect_timeout(&addr, Duration::from_secs(2)).is_ok())
    }

    /// A value of `lab.env`, such as `ALPHA_PROJECT_ID`.
    pub fn get(&self, key: &str) -> &str {
        self.env.get(key).unwrap_or_else(|| {
            panic!(
                "{} has no {key}: restart the lab",
                self.dir.join("lab.env").display()
            )
        })
    }

    /// Keystone's root, without `/v3`.
    pub fn keystone_url(&self) -> String {
        self.get("KEYSTONE_URL").to_owned()
    }

    /// Glance's base URL as the catalog lists it for RegionOne.
    pub fn glance_url(&self) -> String {
        std::env::var(GLANCE_URL_ENV)
            .ok()
            .filter(|url| !url.is_empty())
            .unwrap_or_else(|| self.get("GLANCE_URL").to_owned())
    }

    pub fn project_id(&self, identity: Identity) -> String {
        self.get(&format!("{}_PROJECT_ID", identity.project.to_uppercase()))
            .to_owned()
    }

    /// A token of `identity`, scoped to its project; one per user and test
    /// process (a token lasts an hour).
    pub fn token(&self, identity: Identity) -> String {
        static TOKENS: OnceLock<Mutex<BTreeMap<&'static str, String>>> = OnceLock::new();
        let mut tokens = TOKENS
            .get_or_init(Mutex::default)
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        tokens
            .entry(identity.user)
            .or_insert_with(|| {
                password_token(
                    &self.keystone_url(),
                    identity.user,
                    self.get(identity.password_key),
                    identity.project,
                )
                .unwrap_or_else(|error| panic!("logging in as {}: {error}", identity.user))
            })
            .clone()
    }
}

/// The README's examples, compiled and run as doctests so that they stay true.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
