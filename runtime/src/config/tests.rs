//! Loading and checking configuration, through in-memory sources only.

use std::path::PathBuf;
use std::time::Duration;

use super::*;
use crate::auth::{ApplicationCredentialRef, DomainRef, ProjectRef, Scope, UserRef};
use crate::secret::Secret;

const ALPHA: &str = "clouds:
  alpha:
    auth:
      auth_url: http://keystone.test:5000/v3
      username: alice
      password: alice-secret
      project_name: alpha
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
";

fn files(entries: &[(&str, &str)]) -> Vec<(PathBuf, String)> {
    entries
        .iter()
        .map(|(path, text)| (PathBuf::from(path), (*text).to_owned()))
        .collect()
}

fn sources(vars: &[(&str, &str)], entries: &[(&str, &str)]) -> Sources {
    Sources::new(
        vars.iter().copied(),
        Some(PathBuf::from("/work/project")),
        files(entries)
            .into_iter()
            .collect::<std::collections::BTreeMap<_, _>>(),
    )
}

fn load(
    name: &str,
    vars: &[(&str, &str)],
    entries: &[(&str, &str)],
) -> Result<CloudConfig, ConfigError> {
    CloudConfig::load(name, &sources(vars, entries))
}

fn one_cloud(body: &str) -> Result<CloudConfig, ConfigError> {
    load(
        "c",
        &[],
        &[(
            "/work/project/clouds.yaml",
            &format!("clouds:\n  c:\n{body}"),
        )],
    )
}

#[test]
fn reads_every_key() {
    let cloud = one_cloud(
        "    auth:
      auth_url: https://keystone.test/v3
      username: alice
      password: pw
      user_domain_id: default
      project_id: 0123abc
    region_name: RegionTwo
    interface: internal
    image_endpoint_override: https://glance.test/v2
    compute-endpoint-override: https://nova.test/v2.1
    object_store_endpoint_override: ''
    cacert: /etc/ssl/cloud.pem
    verify: false
    api_timeout: 2.5
",
    )
    .unwrap();
    assert_eq!(
        cloud.endpoint_override("compute"),
        Some("https://nova.test/v2.1")
    );
    assert_eq!(cloud.endpoint_override("object-store"), None);
    assert_eq!(
        cloud,
        CloudConfig {
            name: "c".into(),
            auth_url: "https://keystone.test/v3".into(),
            credentials: Credentials::Password {
                user: UserRef::Name {
                    name: "alice".into(),
                    domain: DomainRef::Id("default".into())
                },
                password: Secret::new("pw"),
                scope: Scope::Project(ProjectRef::Id("0123abc".into())),
            },
            region_name: Some("RegionTwo".into()),
            interface: Interface::Internal,
            endpoint_overrides: [
                ("image".to_owned(), "https://glance.test/v2".to_owned()),
                ("compute".to_owned(), "https://nova.test/v2.1".to_owned()),
            ]
            .into(),
            cacert: Some(PathBuf::from("/etc/ssl/cloud.pem")),
            verify: false,
            api_timeout: Some(Duration::from_millis(2500)),
        }
    );
}

#[test]
fn defaults_are_openstacksdks() {
    let cloud = load("alpha", &[], &[("/work/project/clouds.yaml", ALPHA)]).unwrap();
    assert_eq!(cloud.interface, Interface::Public);
    assert!(cloud.verify);
    assert_eq!(cloud.api_timeout, None);
    assert_eq!(cloud.endpoint_override("image"), None);
}

#[test]
fn search_order() {
    let other = ALPHA.replace("RegionOne", "Elsewhere");
    // (variables, files present, the file that wins)
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str], &'a str);
    let cases: &[Case<'_>] = &[
        // OS_CLIENT_CONFIG_FILE first, then the current directory...
        (
            &[("OS_CLIENT_CONFIG_FILE", "/x/my.yaml")],
            &["/x/my.yaml", "/work/project/clouds.yaml"],
            "/x/my.yaml",
        ),
        (
            &[("HOME", "/home/u")],
            &[
                "/work/project/clouds.yaml",
                "/home/u/.config/openstack/clouds.yaml",
            ],
            "/work/project/clouds.yaml",
        ),
        // ...then XDG_CONFIG_HOME, which replaces ~/.config...
        (
            &[("HOME", "/home/u"), ("XDG_CONFIG_HOME", "/xdg")],
            &[
                "/xdg/openstack/clouds.yaml",
                "/home/u/.config/openstack/clouds.yaml",
            ],
            "/xdg/openstack/clouds.yaml",
        ),
        (
            &[("HOME", "/home/u")],
            &[
                "/home/u/.config/openstack/clouds.yml",
                "/etc/openstack/clouds.yaml",
            ],
            "/home/u/.config/openstack/clouds.yml",
        ),
        // ...then /etc/openstack; .yaml before .yml before .json.
        (
            &[],
            &["/etc/openstack/clouds.json", "/etc/openstack/clouds.yml"],
            "/etc/openstack/clouds.yml",
        ),
        (
            &[],
            &["/etc/openstack/clouds.json"],
            "/etc/openstack/clouds.json",
        ),
    ];
    let json = r#"{"clouds": {"alpha": {"region_name": "Elsewhere", "auth": {"auth_url": "http://k/v3", "username": "u", "password": "p", "user_domain_name": "D"}}}}"#;
    for (vars, present, winner) in cases {
        let entries: Vec<(&str, &str)> = present
            .iter()
            .map(|path| {
                let text = if path.ends_with(".json") {
                    json
                } else if path == winner {
                    other.as_str()
                } else {
                    ALPHA
                };
                (*path, text)
            })
            .collect();
        let cloud = load("alpha", vars, &entries).unwrap();
        assert_eq!(
            cloud.region_name.as_deref(),
            Some("Elsewhere"),
            "{winner} should win in {present:?}"
        );
    }
}

#[test]
fn secure_yaml_is_merged_cloud_by_cloud() {
    let clouds = ALPHA.replace("      password: alice-secret\n", "");
    let secure = "clouds:\n  alpha:\n    auth:\n      password: from-secure\n    region_name: RegionSecure\n  other:\n    auth: {password: x}\n";
    let cloud = load(
        "alpha",
        &[("HOME", "/h")],
        &[
            ("/work/project/clouds.yaml", &clouds),
            ("/h/.config/openstack/secure.yaml", secure),
        ],
    )
    .unwrap();
    let Credentials::Password { password, user, .. } = &cloud.credentials else {
        panic!("{cloud:?}")
    };
    assert_eq!(password.expose(), "from-secure");
    assert!(matches!(user, UserRef::Name { name, .. } if name == "alice"));
    assert_eq!(cloud.region_name.as_deref(), Some("RegionSecure"));
    // OS_CLIENT_SECURE_FILE names it explicitly.
    let cloud = load(
        "alpha",
        &[("OS_CLIENT_SECURE_FILE", "/s.yaml")],
        &[("/work/project/clouds.yaml", &clouds), ("/s.yaml", secure)],
    )
    .unwrap();
    assert_eq!(cloud.region_name.as_deref(), Some("RegionSecure"));
}

#[test]
fn vendor_profiles_fill_in_under_the_cloud() {
    let public = "public-clouds:
  rackspace:
    profile:
      auth_type: rackspace_apikey
      auth:
        auth_url: https://identity.api.rackspacecloud.com/v2.0/
      region_name: DFW
  plain:
    auth:
      auth_url: https://plain.test/v3
";
    let clouds = "clouds:
  rax:
    profile: rackspace
    auth:
      username: demo
      api-key: the-api-key
    region_name: IAD
  old-style:
    cloud: plain
    auth: {username: u, password: p, user_domain_name: D}
  missing:
    profile: nope
    auth: {username: u, password: p}
";
    let entries = [
        ("/work/project/clouds.yaml", clouds),
        ("/etc/openstack/clouds-public.yaml", public),
    ];
    let rax = load("rax", &[], &entries).unwrap();
    assert_eq!(
        rax.auth_url,
        "https://identity.api.rackspacecloud.com/v2.0/"
    );
    assert_eq!(
        rax.region_name.as_deref(),
        Some("IAD"),
        "the cloud's own key wins"
    );
    assert_eq!(
        rax.credentials,
        Credentials::RackspaceApiKey {
            username: "demo".into(),
            api_key: Secret::new("the-api-key")
        }
    );
    assert_eq!(
        load("old-style", &[], &entries).unwrap().auth_url,
        "https://plain.test/v3"
    );
    let error = load("missing", &[], &entries).unwrap_err();
    assert!(
        matches!(&error, ConfigError::UnknownProfile { known, .. } if known == &["plain", "rackspace"]),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "cloud `missing`: profile `nope` is not in clouds-public.yaml; known profiles: `plain`, `rackspace`"
    );
}

#[test]
fn auth_types_and_their_aliases() {
    let url = "      auth_url: http://k/v3\n";
    for (auth_type, keys, expected) in [
        (
            "v3password",
            "      user_id: u1\n      password: p\n      domain_name: D\n",
            "password",
        ),
        (
            "password",
            "      username: u\n      default_domain_name: D\n      password: p\n",
            "password",
        ),
        ("token", "      token: t\n      project_id: p1\n", "token"),
        ("v3token", "      token: t\n", "token"),
        (
            "v3applicationcredential",
            "      application_credential_id: a\n      application_credential_secret: s\n",
            "v3applicationcredential",
        ),
        (
            "applicationcredential",
            "      application_credential_name: n\n      user_id: u\n      application_credential_secret: s\n",
            "v3applicationcredential",
        ),
        (
            "rackspace_apikey",
            "      username: u\n      api_key: k\n",
            "rackspace_apikey",
        ),
        (
            "rackspace-apikey",
            "      username: u\n      api_key: k\n",
            "rackspace_apikey",
        ),
    ] {
        let cloud = one_cloud(&format!(
            "    auth_type: {auth_type}\n    auth:\n{url}{keys}"
        ))
        .unwrap_or_else(|error| panic!("{auth_type}: {error}"));
        assert_eq!(cloud.credentials.auth_type(), expected, "{auth_type}");
    }
    // Without auth_type, the keys say which.
    let cloud = one_cloud("    auth:\n      auth_url: http://k/v3\n      application_credential_name: n\n      application_credential_secret: s\n      username: u\n      user_domain_id: d\n").unwrap();
    assert_eq!(
        cloud.credentials,
        Credentials::ApplicationCredential {
            credential: ApplicationCredentialRef::Name {
                name: "n".into(),
                user: UserRef::Name {
                    name: "u".into(),
                    domain: DomainRef::Id("d".into())
                }
            },
            secret: Secret::new("s"),
        }
    );
    let cloud =
        one_cloud("    auth:\n      auth_url: http://k/v3\n      token: t\n      domain_id: d1\n")
            .unwrap();
    assert_eq!(
        cloud.credentials,
        Credentials::Token {
            token: Secret::new("t"),
            scope: Scope::Domain(DomainRef::Id("d1".into()))
        }
    );
    let cloud = one_cloud(
        "    auth:\n      auth_url: http://k/v3\n      user_id: u\n      password: 1234\n",
    )
    .unwrap();
    assert_eq!(
        cloud.credentials,
        Credentials::Password {
            user: UserRef::Id("u".into()),
            password: Secret::new("1234"),
            scope: Scope::Default
        }
    );
}

#[test]
fn malformed_yaml_names_line_and_column() {
    let error = load(
        "alpha",
        &[],
        &[(
            "/work/project/clouds.yaml",
            "clouds:\n  alpha:\n    auth: {auth_url: x\n    region_name: R\n",
        )],
    )
    .unwrap_err();
    let ConfigError::Syntax {
        path, line, column, ..
    } = &error
    else {
        panic!("{error:?}")
    };
    assert_eq!(path, &PathBuf::from("/work/project/clouds.yaml"));
    assert_eq!((*line, *column), (4, 16), "{error}");
    assert!(
        error
            .to_string()
            .starts_with("/work/project/clouds.yaml:4:16: "),
        "{error}"
    );

    let error = load(
        "alpha",
        &[],
        &[("/work/project/clouds.yaml", "clouds:\n\talpha: {}\n")],
    )
    .unwrap_err();
    assert!(
        matches!(
            error,
            ConfigError::Syntax {
                line: 2,
                column: 1,
                ..
            }
        ),
        "{error:?}"
    );

    let error = load(
        "alpha",
        &[],
        &[(
            "/etc/openstack/clouds.json",
            "{\"clouds\": {\n  \"alpha\": [,]}}",
        )],
    )
    .unwrap_err();
    assert!(
        matches!(
            error,
            ConfigError::Syntax {
                line: 2,
                column: 13,
                ..
            }
        ),
        "{error:?}"
    );
}

#[test]
fn wrong_shapes_are_refused() {
    let error = load("alpha", &[], &[("/work/project/clouds.yaml", "- a\n- b\n")]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "/work/project/clouds.yaml: the document is a list, not a mapping"
    );
    let error = load(
        "alpha",
        &[],
        &[("/work/project/clouds.yaml", "clouds: [alpha]\n")],
    )
    .unwrap_err();
    assert!(matches!(error, ConfigError::Shape { .. }), "{error:?}");
    let error = one_cloud("    auth: [1]\n").unwrap_err();
    assert_eq!(
        error.to_string(),
        "cloud `c`: `auth` is a list, not a mapping"
    );
    let error = one_cloud("    auth:\n      auth_url: [a, b]\n").unwrap_err();
    assert_eq!(
        error.to_string(),
        "cloud `c`: `auth.auth_url` is a list, not text"
    );
    let error = one_cloud("    verify: maybe\n    auth: {auth_url: u, user_id: u, password: p}\n")
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "cloud `c`: `verify` is `maybe`, not true or false"
    );
    let error =
        one_cloud("    api_timeout: -3\n    auth: {auth_url: u, user_id: u, password: p}\n")
            .unwrap_err();
    assert!(
        matches!(error, ConfigError::InvalidValue { ref field, .. } if field == "api_timeout"),
        "{error:?}"
    );
}

#[test]
fn unknown_cloud_lists_the_known_ones() {
    let text = format!("{ALPHA}  beta:\n    auth: {{}}\n");
    let error = load("gamma", &[], &[("/work/project/clouds.yaml", &text)]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "cloud `gamma` is not in /work/project/clouds.yaml; it has `alpha`, `beta`"
    );
    let error = load("gamma", &[("HOME", "/h")], &[]).unwrap_err();
    let ConfigError::NoConfigFile { searched } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(
        searched.first(),
        Some(&PathBuf::from("/work/project/clouds.yaml"))
    );
    assert!(searched.contains(&PathBuf::from("/h/.config/openstack/clouds.json")));
    assert_eq!(
        searched.last(),
        Some(&PathBuf::from("/etc/openstack/clouds.json"))
    );
}

#[test]
fn missing_fields_are_named_with_the_cloud() {
    for (body, field) in [
        (
            "    auth: {username: u, password: p, user_domain_name: D}\n",
            "auth.auth_url",
        ),
        (
            "    auth: {auth_url: u, username: u, user_domain_name: D}\n",
            "auth.password",
        ),
        (
            "    auth: {auth_url: u, password: p}\n",
            "auth.username or auth.user_id",
        ),
        (
            "    auth: {auth_url: u, username: u, password: p}\n",
            "auth.user_domain_name or auth.user_domain_id",
        ),
        (
            "    auth: {auth_url: u, user_id: u, password: p, project_name: x}\n",
            "auth.project_domain_name or auth.project_domain_id",
        ),
        (
            "    auth_type: v3applicationcredential\n    auth: {auth_url: u, application_credential_id: a}\n",
            "auth.application_credential_secret",
        ),
        (
            "    auth_type: v3applicationcredential\n    auth: {auth_url: u, application_credential_secret: s}\n",
            "auth.application_credential_id or auth.application_credential_name",
        ),
        (
            "    auth_type: token\n    auth: {auth_url: u}\n",
            "auth.token",
        ),
        (
            "    auth_type: rackspace_apikey\n    auth: {auth_url: u, username: x}\n",
            "auth.api_key",
        ),
        (
            "    auth:\n      auth_url: u\n      user_id: u\n      password: ''\n",
            "auth.password",
        ),
    ] {
        let error = one_cloud(body).unwrap_err();
        assert!(
            matches!(&error, ConfigError::MissingField { cloud, field: f } if cloud == "c" && f == field),
            "{body}: {error:?}"
        );
        assert_eq!(
            error.to_string(),
            format!("cloud `c`: `{field}` is required but missing")
        );
    }
}

#[test]
fn unknown_interface_and_auth_type() {
    let error =
        one_cloud("    interface: private\n    auth: {auth_url: u, user_id: u, password: p}\n")
            .unwrap_err();
    assert_eq!(
        error.to_string(),
        "cloud `c`: interface `private` is not one of `public`, `internal`, `admin`"
    );
    let cloud =
        one_cloud("    interface: internalURL\n    auth: {auth_url: u, user_id: u, password: p}\n")
            .unwrap();
    assert_eq!(cloud.interface, Interface::Internal);
    let error = one_cloud("    auth_type: v3oidcpassword\n    auth: {auth_url: u}\n").unwrap_err();
    assert_eq!(
        error.to_string(),
        "cloud `c`: auth_type `v3oidcpassword` is not supported; supported: `password`, `v3password`, `token`, `v3token`, `v3applicationcredential`, `applicationcredential`, `rackspace_apikey`"
    );
}

#[test]
fn password_and_application_credential_conflict() {
    let error = one_cloud("    auth: {auth_url: u, user_id: u, password: the-password, application_credential_id: a, application_credential_secret: the-secret}\n").unwrap_err();
    assert!(
        matches!(error, ConfigError::ConflictingAuth { .. }),
        "{error:?}"
    );
    let text = error.to_string();
    assert_eq!(
        text,
        "cloud `c`: auth has both a password and an application credential; keep one"
    );
    let error = one_cloud(
        "    auth: {auth_url: u, user_id: u, password: p, project_id: x, domain_id: y}\n",
    )
    .unwrap_err();
    assert!(
        matches!(error, ConfigError::ConflictingAuth { .. }),
        "{error:?}"
    );
}

#[test]
fn openrc_variables_make_a_cloud() {
    let vars = [
        ("OS_AUTH_URL", "http://k:5000/v3"),
        ("OS_USERNAME", "alice"),
        ("OS_PASSWORD", "pw"),
        ("OS_PROJECT_NAME", "alpha"),
        ("OS_USER_DOMAIN_NAME", "Default"),
        ("OS_PROJECT_DOMAIN_NAME", "Default"),
        ("OS_REGION_NAME", "RegionTwo"),
        ("OS_INTERFACE", "internal"),
        ("OS_CACERT", "/ca.pem"),
        ("PATH", "/bin"),
    ];
    let cloud = CloudConfig::from_env(&sources(&vars, &[])).unwrap();
    assert_eq!(cloud.name, "envvars");
    assert_eq!(cloud.auth_url, "http://k:5000/v3");
    assert_eq!(cloud.region_name.as_deref(), Some("RegionTwo"));
    assert_eq!(cloud.interface, Interface::Internal);
    assert_eq!(cloud.cacert, Some(PathBuf::from("/ca.pem")));
    assert!(matches!(
        &cloud.credentials,
        Credentials::Password { scope: Scope::Project(ProjectRef::Name { name, .. }), .. } if name == "alpha"
    ));

    let vars = [
        ("OS_AUTH_URL", "http://k:5000/v3"),
        ("OS_AUTH_TYPE", "v3applicationcredential"),
        ("OS_APPLICATION_CREDENTIAL_ID", "a"),
        ("OS_APPLICATION_CREDENTIAL_SECRET", "s"),
    ];
    let cloud = CloudConfig::from_env(&sources(&vars, &[])).unwrap();
    assert_eq!(cloud.credentials.auth_type(), "v3applicationcredential");
    let cloud = CloudConfig::from_env(&sources(
        &[("OS_AUTH_URL", "http://k/v3"), ("OS_TOKEN", "t")],
        &[],
    ))
    .unwrap();
    assert_eq!(cloud.credentials.auth_type(), "token");

    // OS_CLOUD names a cloud of clouds.yaml instead.
    let cloud = CloudConfig::from_env(&sources(
        &[("OS_CLOUD", "alpha"), ("OS_AUTH_URL", "http://ignored/v3")],
        &[("/work/project/clouds.yaml", ALPHA)],
    ))
    .unwrap();
    assert_eq!(cloud.name, "alpha");
    assert_eq!(cloud.auth_url, "http://keystone.test:5000/v3");

    let error = CloudConfig::from_env(&sources(&[("OS_USERNAME", "u")], &[])).unwrap_err();
    assert!(
        matches!(error, ConfigError::NoCloudInEnvironment),
        "{error:?}"
    );
}

#[test]
fn names_lists_the_clouds() {
    let text = format!("{ALPHA}  beta:\n    auth: {{}}\n");
    let names = CloudConfig::names(&sources(&[], &[("/work/project/clouds.yaml", &text)])).unwrap();
    assert_eq!(names, ["alpha", "beta"]);
}

#[test]
fn secrets_never_show() {
    let secrets = ["alice-secret", "the-api-key", "app-secret", "the-token"];
    let clouds = "clouds:
  pw:
    auth: {auth_url: u, user_id: u, password: alice-secret}
  rax:
    auth_type: rackspace_apikey
    auth: {auth_url: u, username: u, api_key: the-api-key}
  app:
    auth: {auth_url: u, application_credential_id: a, application_credential_secret: app-secret}
  tok:
    auth: {auth_url: u, token: the-token}
  both:
    auth: {auth_url: u, password: alice-secret, application_credential_secret: app-secret}
  bad-interface:
    interface: the-token
    auth: {auth_url: u, token: the-token}
";
    let vars = [
        ("OS_PASSWORD", "alice-secret"),
        ("OS_CLIENT_CONFIG_FILE", "/c.yaml"),
    ];
    let sources = sources(&vars, &[("/c.yaml", clouds)]);
    let mut printed = format!("{sources:?}");
    for name in ["pw", "rax", "app", "tok"] {
        let cloud = CloudConfig::load(name, &sources).unwrap();
        printed += &format!("{cloud:?} {cloud:#?}");
    }
    let error = CloudConfig::load("both", &sources).unwrap_err();
    printed += &format!("{error} {error:?}");
    for secret in secrets {
        assert!(!printed.contains(secret), "{secret} in {printed}");
    }
    assert!(printed.contains("<redacted>"));
}
