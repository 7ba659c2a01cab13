//! What a login needs: where the identity service is, and who logs in how.
//! `Debug` of every type here redacts passwords, secrets, API keys and tokens
//! (they are [`Secret`]s).

use crate::secret::Secret;

/// A domain, by id or by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomainRef {
    Id(String),
    Name(String),
}

/// A user, by id (unique on its own) or by name within a domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserRef {
    Id(String),
    Name { name: String, domain: DomainRef },
}

/// A project, by id or by name within a domain. Keystone refuses a project
/// name without its domain (400, "Expecting to find domain in project").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProjectRef {
    Id(String),
    Name { name: String, domain: DomainRef },
}

/// What the token is scoped to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Scope {
    /// No `scope` key: Keystone scopes the token to the user's default
    /// project when one is set, and leaves it unscoped otherwise. This is
    /// what openstacksdk sends when `clouds.yaml` names no project.
    #[default]
    Default,
    Project(ProjectRef),
    Domain(DomainRef),
    /// `"scope": "unscoped"`: a token without project, roles or catalog,
    /// even for a user with a default project.
    Unscoped,
}

/// An application credential, by id or by name plus its owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplicationCredentialRef {
    Id(String),
    Name { name: String, user: UserRef },
}

/// How to log in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credentials {
    /// Keystone v3 password (`auth_type: password` or `v3password`).
    Password {
        user: UserRef,
        password: Secret,
        scope: Scope,
    },
    /// Keystone v3 token (`auth_type: token` or `v3token`): trades an
    /// existing token for one with `scope` (rescoping).
    Token { token: Secret, scope: Scope },
    /// Keystone v3 application credential (`auth_type:
    /// v3applicationcredential` or `applicationcredential`). It carries its
    /// own project and roles; Keystone refuses a scope with it.
    ApplicationCredential {
        credential: ApplicationCredentialRef,
        secret: Secret,
    },
    /// Rackspace Cloud Identity v2.0 API key (`auth_type:
    /// rackspace_apikey`), on `POST {auth_url}/tokens`.
    RackspaceApiKey { username: String, api_key: Secret },
}

impl Credentials {
    /// The name of this method as `auth_type` spells it.
    pub fn auth_type(&self) -> &'static str {
        match self {
            Credentials::Password { .. } => "password",
            Credentials::Token { .. } => "token",
            Credentials::ApplicationCredential { .. } => "v3applicationcredential",
            Credentials::RackspaceApiKey { .. } => "rackspace_apikey",
        }
    }
}

/// Every `auth_type` value understood, as `clouds.yaml` and `OS_AUTH_TYPE`
/// spell them (with `-` and `_` the same).
pub const SUPPORTED_AUTH_TYPES: &[&str] = &[
    "password",
    "v3password",
    "token",
    "v3token",
    "v3applicationcredential",
    "applicationcredential",
    "rackspace_apikey",
];
