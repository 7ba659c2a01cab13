//! `clouds.yaml`, `secure.yaml`, `clouds-public.yaml` and the `OS_*`
//! variables, read the way openstacksdk reads them.
//!
//! Nothing here touches the real process environment or file system by
//! itself: everything comes through [`Sources`], which [`Sources::system`]
//! fills from the process and tests fill by hand.
//!
//! # Where the files are looked for
//!
//! For each of `clouds`, `secure` and `clouds-public`, the first file that
//! exists among, in order:
//! 1. `OS_CLIENT_CONFIG_FILE` (for `clouds`) or `OS_CLIENT_SECURE_FILE` (for
//!    `secure`), when set;
//! 2. the current directory;
//! 3. `$XDG_CONFIG_HOME/openstack`, or `$HOME/.config/openstack` when
//!    `XDG_CONFIG_HOME` is unset;
//! 4. `/etc/openstack`;
//!
//! each directory trying `NAME.yaml`, `NAME.yml`, then `NAME.json`.
//!
//! # How a cloud is put together
//!
//! 1. Its entry under `clouds:` in `clouds.yaml`.
//! 2. `secure.yaml`'s entry of the same name merged over it, key by key and
//!    recursively (so `auth.password` can live apart from the rest of `auth`).
//! 3. When it names a `profile:` (or the older `cloud:`), the entry of that
//!    name under `public-clouds:` in `clouds-public.yaml` is merged *under*
//!    it: the cloud's own keys win.
//! 4. Keys are normalised: `-` becomes `_`, `tenant_name`/`tenant_id` become
//!    `project_name`/`project_id`.
//!
//! See [`CloudConfig`] for the keys that are read and how they are checked.

mod cloud;
mod env;
mod error;
mod files;
mod sources;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

pub use error::ConfigError;
pub use sources::{FileSource, Sources};

use crate::auth::Credentials;

/// Which of a service's catalog endpoints to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Interface {
    /// `public`: the URL meant for users, reachable from outside the
    /// cloud. The default, as in openstacksdk.
    #[default]
    Public,
    /// `internal`: the URL for use from inside the cloud's own network
    /// (Rackspace's `internalURL`, on ServiceNet).
    Internal,
    /// `admin`: the URL for administrative use, where a cloud lists one.
    Admin,
}

impl Interface {
    /// Every interface, in the order of [`Ord`]: public, internal, admin.
    pub const ALL: [Interface; 3] = [Interface::Public, Interface::Internal, Interface::Admin];

    /// The interface as `clouds.yaml` and Keystone's catalog write it:
    /// `public`, `internal` or `admin`.
    pub fn as_str(self) -> &'static str {
        match self {
            Interface::Public => "public",
            Interface::Internal => "internal",
            Interface::Admin => "admin",
        }
    }

    /// `public`, `internal` or `admin`; keystoneauth also accepts the
    /// v2-era `publicURL`, `internalURL` and `adminURL`.
    pub fn parse(value: &str) -> Option<Interface> {
        let value = value.strip_suffix("URL").unwrap_or(value);
        Interface::ALL
            .into_iter()
            .find(|interface| interface.as_str() == value)
    }
}

impl std::fmt::Display for Interface {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One cloud, checked and ready to log in with. `Debug` redacts every
/// secret.
#[derive(Debug, Clone, PartialEq)]
pub struct CloudConfig {
    /// The cloud's name in `clouds.yaml`, or `envvars` for one made from
    /// `OS_*` variables.
    pub name: String,
    /// `auth.auth_url`: the identity service, such as
    /// `https://keystone.example:5000/v3`. Without a version at the end,
    /// the login first asks the service which versions it has.
    pub auth_url: String,
    /// `auth_type` and the `auth` keys that go with it.
    pub credentials: Credentials,
    /// `region_name`: which region's endpoints to use. When unset, the first
    /// endpoint the catalog lists for the service and interface.
    pub region_name: Option<String>,
    /// `interface`: `public` (the default), `internal` or `admin`.
    pub interface: Interface,
    /// Every `<service type>_endpoint_override` key (such as
    /// `image_endpoint_override` or `compute_endpoint_override`), by the
    /// key's service part (`image`, `compute`, `object_store`): the
    /// service's URL, used instead of the catalog. See
    /// [`CloudConfig::endpoint_override`].
    pub endpoint_overrides: BTreeMap<String, String>,
    /// `cacert`: a PEM file of the certificate authorities to trust instead
    /// of the built-in ones.
    pub cacert: Option<PathBuf>,
    /// `verify` (default true); `verify: false` or `insecure: true` turns
    /// off TLS certificate checks.
    pub verify: bool,
    /// `api_timeout`: the most one request may take, in seconds.
    pub api_timeout: Option<Duration>,
}

impl CloudConfig {
    /// Loads the cloud `name` from the configuration files.
    pub fn load(name: &str, sources: &Sources) -> Result<CloudConfig, ConfigError> {
        let files = files::ConfigFiles::load(sources)?;
        files.cloud(name)
    }

    /// The cloud `OS_CLOUD` names, or, when it is unset, the one the `OS_*`
    /// variables describe (the way an openrc file sets them), named
    /// `envvars`.
    pub fn from_env(sources: &Sources) -> Result<CloudConfig, ConfigError> {
        match sources.var("OS_CLOUD").filter(|name| !name.is_empty()) {
            Some(name) => CloudConfig::load(name, sources),
            None => env::cloud_from_vars(sources),
        }
    }

    /// The endpoint override for `service_type` (`image`, `compute`,
    /// `object-store`, ...), written `image_endpoint_override` and so on.
    pub fn endpoint_override(&self, service_type: &str) -> Option<&str> {
        self.endpoint_overrides
            .get(&service_type.replace('-', "_"))
            .map(String::as_str)
    }

    /// The names of the clouds in the configuration files, sorted.
    pub fn names(sources: &Sources) -> Result<Vec<String>, ConfigError> {
        Ok(files::ConfigFiles::load(sources)?.names())
    }
}

#[cfg(test)]
mod tests;
