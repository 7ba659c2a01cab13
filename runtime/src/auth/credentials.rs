//! What a login needs: where the identity service is, and who logs in how.
//! `Debug` of every type here redacts passwords, secrets, API keys and tokens
//! (they are [`Secret`]s).

use crate::secret::Secret;

/// A domain, by id or by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomainRef {
    /// The domain's id, such as `default` for the domain Keystone creates
    /// at installation (`user_domain_id`, `project_domain_id`).
    Id(String),
    /// The domain's name, such as `Default` (`user_domain_name`,
    /// `project_domain_name`).
    Name(String),
}

/// A user, by id (unique on its own) or by name within a domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserRef {
    /// The user's id (`user_id`); Keystone needs no domain with it.
    Id(String),
    /// The user's name (`username`) in `domain`: user names are unique only
    /// within a domain, so Keystone needs both.
    Name {
        /// The user's name.
        name: String,
        /// The domain the name belongs to.
        domain: DomainRef,
    },
}

/// A project, by id or by name within a domain. Keystone refuses a project
/// name without its domain (400, "Expecting to find domain in project").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProjectRef {
    /// The project's id (`project_id`, or the older `tenant_id`); Keystone
    /// needs no domain with it.
    Id(String),
    /// The project's name (`project_name`, or the older `tenant_name`) in
    /// `domain`.
    Name {
        /// The project's name.
        name: String,
        /// The domain the name belongs to.
        domain: DomainRef,
    },
}

/// What the token is scoped to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Scope {
    /// No `scope` key: Keystone scopes the token to the user's default
    /// project when one is set, and leaves it unscoped otherwise. This is
    /// what openstacksdk sends when `clouds.yaml` names no project.
    #[default]
    Default,
    /// A project: the token carries the user's roles on it and a catalog.
    Project(ProjectRef),
    /// A domain (`domain_id` or `domain_name` in `auth`, without a
    /// project): the token carries the user's roles on the domain rather
    /// than on a project.
    Domain(DomainRef),
    /// `"scope": "unscoped"`: a token without project, roles or catalog,
    /// even for a user with a default project.
    Unscoped,
}

/// An application credential, by id or by name plus its owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplicationCredentialRef {
    /// The credential's id (`application_credential_id`), unique on its own.
    Id(String),
    /// The credential's name (`application_credential_name`), which is
    /// unique only among one user's credentials, with that user.
    Name {
        /// The credential's name.
        name: String,
        /// The user who owns the credential.
        user: UserRef,
    },
}

/// How to log in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credentials {
    /// Keystone v3 password (`auth_type: password` or `v3password`).
    Password {
        /// Who logs in.
        user: UserRef,
        /// The user's password.
        password: Secret,
        /// What the token is scoped to.
        scope: Scope,
    },
    /// Keystone v3 token (`auth_type: token` or `v3token`): trades an
    /// existing token for one with `scope` (rescoping).
    Token {
        /// The existing token (`auth.token`, `OS_TOKEN`).
        token: Secret,
        /// The scope the new token gets.
        scope: Scope,
    },
    /// Keystone v3 application credential (`auth_type:
    /// v3applicationcredential` or `applicationcredential`). It carries its
    /// own project and roles; Keystone refuses a scope with it.
    ApplicationCredential {
        /// Which credential.
        credential: ApplicationCredentialRef,
        /// The credential's secret (`application_credential_secret`),
        /// which Keystone shows only once, when the credential is made.
        secret: Secret,
    },
    /// Rackspace Cloud Identity v2.0 API key (`auth_type:
    /// rackspace_apikey`), on `POST {auth_url}/tokens`.
    RackspaceApiKey {
        /// The Rackspace user name (`auth.username`).
        username: String,
        /// The user's API key (`auth.api_key`).
        api_key: Secret,
    },
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
