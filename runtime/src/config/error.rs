//! [`ConfigError`]: why a configuration could not be used. No variant ever
//! holds the value of a password, secret, API key or token.

use std::fmt;
use std::path::PathBuf;

/// A configuration that cannot be read or used.
#[derive(Debug)]
#[non_exhaustive]
pub enum ConfigError {
    /// A file exists but could not be read.
    Read {
        /// The file.
        path: PathBuf,
        /// Why it could not be read, such as a permission error.
        source: std::io::Error,
    },
    /// A file is not valid YAML (or JSON, for a `.json` file).
    Syntax {
        /// The file.
        path: PathBuf,
        /// The line of the error, from 1; 0 when the parser gave no
        /// position.
        line: usize,
        /// The column of the error, from 1; 0 when the parser gave no
        /// position.
        column: usize,
        /// The parser's description of the error.
        message: String,
    },
    /// The document does not have the expected shape, such as `clouds:`
    /// holding a list.
    Shape {
        /// The file.
        path: PathBuf,
        /// What is wrong, such as that `clouds` is a list rather than a
        /// mapping of names.
        message: String,
    },
    /// No `clouds.yaml` was found in any of these places.
    NoConfigFile {
        /// Every path tried for `clouds.yaml` (and `.yml`, `.json`), in
        /// the order tried.
        searched: Vec<PathBuf>,
    },
    /// The named cloud is not in `clouds.yaml`.
    UnknownCloud {
        /// The cloud asked for (`OS_CLOUD`, or the name passed to
        /// [`CloudConfig::load`](crate::config::CloudConfig::load)).
        name: String,
        /// The `clouds.yaml` that was read.
        path: PathBuf,
        /// The names of the clouds that file does have.
        known: Vec<String>,
    },
    /// `profile:` names a vendor profile that `clouds-public.yaml` lacks.
    UnknownProfile {
        /// The cloud whose `profile:` (or `cloud:`) key it is.
        cloud: String,
        /// The profile it names.
        profile: String,
        /// The profiles under `public-clouds:` in `clouds-public.yaml`;
        /// empty when no such file was found.
        known: Vec<String>,
    },
    /// A key the cloud needs is missing.
    MissingField {
        /// The cloud's name.
        cloud: String,
        /// The key as it would be written, such as `auth.password`, or the
        /// keys any one of which would do, such as `auth.user_domain_name
        /// or auth.user_domain_id`.
        field: String,
    },
    /// A key has a value of the wrong kind, such as a list for `auth_url`.
    InvalidValue {
        /// The cloud's name.
        cloud: String,
        /// The key, such as `auth.auth_url` or `api_timeout`; the cloud's
        /// name when the whole entry is not a mapping.
        field: String,
        /// What is wrong with it, such as `is a list, not text`. It
        /// quotes the value only for keys that never hold a secret
        /// (`verify`, `insecure`, `api_timeout`).
        reason: String,
    },
    /// `interface` is not `public`, `internal` or `admin`.
    UnknownInterface {
        /// The cloud's name.
        cloud: String,
        /// The `interface` value as written.
        value: String,
    },
    /// `auth_type` is not one this crate speaks.
    UnknownAuthType {
        /// The cloud's name.
        cloud: String,
        /// The `auth_type` value, with `-` written as `_`.
        value: String,
        /// Every value that is understood:
        /// [`SUPPORTED_AUTH_TYPES`](crate::auth::SUPPORTED_AUTH_TYPES).
        supported: &'static [&'static str],
    },
    /// The `auth` keys describe two ways to log in at once, such as a
    /// password and an application credential.
    ConflictingAuth {
        /// The cloud's name.
        cloud: String,
        /// Which keys conflict, and what to do about it.
        reason: String,
    },
    /// `OS_CLOUD` is unset and `OS_AUTH_URL` too: nothing says which cloud
    /// to use.
    NoCloudInEnvironment,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Read { path, source } => write!(f, "cannot read {}: {source}", path.display()),
            ConfigError::Syntax {
                path,
                line,
                column,
                message,
            } => write!(f, "{}:{line}:{column}: {message}", path.display()),
            ConfigError::Shape { path, message } => write!(f, "{}: {message}", path.display()),
            ConfigError::NoConfigFile { searched } => {
                f.write_str("no clouds.yaml found; looked at ")?;
                write_list(f, searched.iter().map(|path| path.display().to_string()))
            }
            ConfigError::UnknownCloud { name, path, known } => {
                write!(f, "cloud `{name}` is not in {}; it has ", path.display())?;
                if known.is_empty() {
                    f.write_str("no clouds")
                } else {
                    write_list(f, known.iter().map(|name| format!("`{name}`")))
                }
            }
            ConfigError::UnknownProfile { cloud, profile, known } => {
                write!(f, "cloud `{cloud}`: profile `{profile}` is not in clouds-public.yaml; known profiles: ")?;
                if known.is_empty() {
                    f.write_str("none")
                } else {
                    write_list(f, known.iter().map(|name| format!("`{name}`")))
                }
            }
            ConfigError::MissingField { cloud, field } => {
                write!(f, "cloud `{cloud}`: `{field}` is required but missing")
            }
            ConfigError::InvalidValue { cloud, field, reason } => {
                write!(f, "cloud `{cloud}`: `{field}` {reason}")
            }
            ConfigError::UnknownInterface { cloud, value } => write!(
                f,
                "cloud `{cloud}`: interface `{value}` is not one of `public`, `internal`, `admin`"
            ),
            ConfigError::UnknownAuthType {
                cloud,
                value,
                supported,
            } => {
                write!(f, "cloud `{cloud}`: auth_type `{value}` is not supported; supported: ")?;
                write_list(f, supported.iter().map(|name| format!("`{name}`")))
            }
            ConfigError::ConflictingAuth { cloud, reason } => write!(f, "cloud `{cloud}`: {reason}"),
            ConfigError::NoCloudInEnvironment => f.write_str(
                "neither OS_CLOUD nor OS_AUTH_URL is set: name a cloud of clouds.yaml in OS_CLOUD, or source an openrc file",
            ),
        }
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ConfigError::Read { source, .. } => Some(source),
            _ => None,
        }
    }
}

fn write_list(f: &mut fmt::Formatter<'_>, items: impl Iterator<Item = String>) -> fmt::Result {
    for (index, item) in items.enumerate() {
        if index > 0 {
            f.write_str(", ")?;
        }
        f.write_str(&item)?;
    }
    Ok(())
}
