//! Cross-crate and end-to-end tests for cloud-images live under `tests/`.
//!
//! This library holds what they share: finding the real Glance that
//! `cargo xtask glance start` runs, and the identities Glance trusts
//! without Keystone.

use std::path::Path;

/// Where `cargo xtask glance start` writes the URL of the server it started.
const ENDPOINT_FILE: &str = "target/glance/endpoint";

/// The environment variable that names a running Glance.
pub const GLANCE_URL_ENV: &str = "CLOUD_IMAGES_GLANCE_URL";

/// The base URL of the real Glance to test against.
///
/// Outside CI, when no server runs, this prints one line saying how to start
/// one and returns `None`, so the end-to-end tests skip. In CI a missing
/// server is a failure: the tests must not pass by skipping.
pub fn glance_url(test: &str) -> Option<String> {
    let from_env = std::env::var(GLANCE_URL_ENV).ok().filter(|u| !u.is_empty());
    let from_file = || {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent()?;
        let text = std::fs::read_to_string(root.join(ENDPOINT_FILE)).ok()?;
        Some(text.trim().to_owned()).filter(|u| !u.is_empty())
    };
    if let Some(url) = from_env.or_else(from_file) {
        return Some(url);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{test}: no Glance server: CI must run `cargo xtask glance start` (or `cargo xtask test`) first"
    );
    eprintln!("skipping {test}: no Glance server; start one with `cargo xtask glance start`");
    None
}

/// The environment variable naming the test Glance's file store: the folder
/// where image data lives as files named by image id.
pub const GLANCE_STORE_DIR_ENV: &str = "CLOUD_IMAGES_GLANCE_STORE_DIR";

/// The test Glance's file store: `CLOUD_IMAGES_GLANCE_STORE_DIR`, or where
/// `cargo xtask glance start` keeps it.
pub fn glance_store_dir() -> std::path::PathBuf {
    match std::env::var_os(GLANCE_STORE_DIR_ENV).filter(|dir| !dir.is_empty()) {
        Some(dir) => dir.into(),
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join("target/glance/data/images"),
    }
}

/// An identity Glance trusts through its header pipeline, the way it would
/// trust Keystone's middleware.
#[derive(Debug, Clone, Copy)]
pub struct Identity {
    pub project: &'static str,
    pub user: &'static str,
    pub roles: &'static str,
}

impl Identity {
    /// The headers that carry this identity.
    pub fn headers(&self) -> [(&'static str, &'static str); 4] {
        [
            ("X-Identity-Status", "Confirmed"),
            ("X-Project-Id", self.project),
            ("X-User-Id", self.user),
            ("X-Roles", self.roles),
        ]
    }
}

/// The project that owns the test images.
pub const OWNER: Identity = Identity {
    project: "tenant-owner",
    user: "user-owner",
    roles: "member,reader",
};

/// A second project, to share images with.
pub const CONSUMER: Identity = Identity {
    project: "tenant-consumer",
    user: "user-consumer",
    roles: "member,reader",
};

/// An administrator, for the operations Glance keeps to admins.
pub const ADMIN: Identity = Identity {
    project: "tenant-admin",
    user: "user-admin",
    roles: "admin,member,reader",
};

/// The README's examples, compiled and run as doctests so that they stay true.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
