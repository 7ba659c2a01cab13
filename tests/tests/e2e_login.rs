//! Logging in against a real Keystone 30 and a Glance that checks tokens
//! through keystonemiddleware: `clouds.yaml` with every auth method, the
//! `OS_*` variables, region choice, Keystone's refusals, a token revoked
//! mid-session, and sharing an image between two real projects.
//!
//! The lab is found as every end-to-end test finds it
//! (`cloud_images_tests::Lab`: `CLOUD_IMAGES_LAB_DIR`, else `target/lab`):
//! a directory with the `clouds.yaml` of the lab's clouds (`lab-alpha`, `lab-beta`,
//! `lab-alpha-regiontwo`, `lab-alpha-noregion`,
//! `lab-alpha-unversioned-auth-url`, `lab-appcred`, ...) and `lab.env`,
//! `KEY=VALUE` lines with the lab's URLs, ids and passwords. Without a lab
//! the tests skip with one line, except in CI, where they fail.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use cloud_images::{ImageVisibility, MemberStatus};
use cloud_images_runtime::auth::AuthError;
use cloud_images_runtime::blocking::Client;
use cloud_images_runtime::config::Sources;
use cloud_images_runtime::{Error, ImageCreate, ImageListQuery, MemberStatusFilter};

/// Keystone's answer to every refused login.
const KEYSTONE_REFUSAL: &str = "The request you have made requires authentication.";

/// The lab, found as every end-to-end test finds it, and what these tests
/// do with it.
struct Lab {
    shared: cloud_images_tests::Lab,
}

impl Lab {
    fn open(test: &str) -> Option<Lab> {
        cloud_images_tests::Lab::find(test).map(|shared| Lab { shared })
    }

    fn get(&self, key: &str) -> &str {
        self.shared.get(key)
    }

    /// The lab's `clouds.yaml`, through `OS_CLIENT_CONFIG_FILE`.
    fn sources(&self) -> Sources {
        let file = self.shared.dir.join("clouds.yaml");
        Sources::in_memory(
            [("OS_CLIENT_CONFIG_FILE", file.display().to_string())],
            [(file.clone(), std::fs::read_to_string(&file).unwrap())],
        )
    }

    fn client(&self, cloud: &str) -> Client {
        Client::from_cloud_in(cloud, &self.sources())
            .unwrap_or_else(|error| panic!("logging in to {cloud}: {error}"))
    }

    /// Sources holding one hand-written `clouds.yaml` (and perhaps a
    /// `secure.yaml`) in `$XDG_CONFIG_HOME/openstack`.
    fn written(&self, clouds: &str, secure: Option<&str>) -> Sources {
        let dir = PathBuf::from("/lab-test-config/openstack");
        let mut files = vec![(dir.join("clouds.yaml"), clouds.to_owned())];
        if let Some(secure) = secure {
            files.push((dir.join("secure.yaml"), secure.to_owned()));
        }
        Sources::in_memory([("XDG_CONFIG_HOME", "/lab-test-config")], files)
    }

    fn unique(&self, label: &str) -> String {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_nanos());
        format!("e2e-login-{label}-{}-{nanos:x}", std::process::id())
    }
}

/// Lists images: proves Glance accepted the token.
fn lists(client: &Client) {
    let query = ImageListQuery {
        limit: Some(1),
        ..ImageListQuery::default()
    };
    client
        .list_images(&query)
        .unwrap_or_else(|error| panic!("listing images: {error}"));
}

fn project_of(client: &Client) -> String {
    client
        .session()
        .expect("a logged-in client has a session")
        .token()
        .expect("and a token")
        .project_id
        .expect("scoped to a project")
}

#[test]
fn password_by_names() {
    let Some(lab) = Lab::open("password_by_names") else {
        return;
    };
    let client = lab.client("lab-alpha");
    lists(&client);
    assert_eq!(client.api().base_url(), lab.get("GLANCE_URL"));
    assert_eq!(project_of(&client), lab.get("ALPHA_PROJECT_ID"));
    assert_eq!(client.session().unwrap().logins(), 1);
}

#[test]
fn password_by_ids() {
    let Some(lab) = Lab::open("password_by_ids") else {
        return;
    };
    let clouds = format!(
        "clouds:\n  ids:\n    auth:\n      auth_url: {}\n      user_id: {}\n      password: {}\n      project_id: {}\n    region_name: RegionOne\n",
        lab.get("OS_AUTH_URL"),
        lab.get("BOB_USER_ID"),
        lab.get("BOB_PW"),
        lab.get("BETA_PROJECT_ID")
    );
    let client = Client::from_cloud_in("ids", &lab.written(&clouds, None)).unwrap();
    lists(&client);
    assert_eq!(project_of(&client), lab.get("BETA_PROJECT_ID"));
}

#[test]
fn application_credential() {
    let Some(lab) = Lab::open("application_credential") else {
        return;
    };
    let client = lab.client("lab-appcred");
    lists(&client);
    assert_eq!(project_of(&client), lab.get("ALPHA_PROJECT_ID"));
}

#[test]
fn application_credential_by_name() {
    let Some(lab) = Lab::open("application_credential_by_name") else {
        return;
    };
    let clouds = format!(
        "clouds:\n  by-name:\n    auth_type: v3applicationcredential\n    auth:\n      auth_url: {}\n      application_credential_name: alice-alpha-lab\n      application_credential_secret: {}\n      username: alice\n      user_domain_name: Default\n    region_name: RegionOne\n",
        lab.get("OS_AUTH_URL"),
        lab.get("APPCRED_SECRET")
    );
    let client = Client::from_cloud_in("by-name", &lab.written(&clouds, None)).unwrap();
    lists(&client);
    assert_eq!(project_of(&client), lab.get("ALPHA_PROJECT_ID"));
}

#[test]
fn token_rescoped_to_a_project() {
    let Some(lab) = Lab::open("token_rescoped_to_a_project") else {
        return;
    };
    // An unscoped token for alice...
    let clouds = format!(
        "clouds:\n  unscoped:\n    auth:\n      auth_url: {}\n      username: alice\n      password: {}\n      user_domain_name: Default\n    image_endpoint_override: {}\n",
        lab.get("OS_AUTH_URL"),
        lab.get("ALICE_PW"),
        lab.get("GLANCE_URL")
    );
    let first = Client::from_cloud_in("unscoped", &lab.written(&clouds, None)).unwrap();
    let token = first.session().unwrap().token().unwrap();
    // ...traded for one scoped to alpha by `auth_type: token`.
    let clouds = format!(
        "clouds:\n  rescoped:\n    auth_type: v3token\n    auth:\n      auth_url: {}\n      token: {}\n      project_name: alpha\n      project_domain_name: Default\n    region_name: RegionOne\n",
        lab.get("OS_AUTH_URL"),
        token.secret().expose()
    );
    let client = Client::from_cloud_in("rescoped", &lab.written(&clouds, None)).unwrap();
    lists(&client);
    let rescoped = client.session().unwrap().token().unwrap();
    assert_ne!(rescoped.secret(), token.secret());
    assert_eq!(
        rescoped.project_id.as_deref(),
        Some(lab.get("ALPHA_PROJECT_ID"))
    );
}

#[test]
fn password_in_secure_yaml() {
    let Some(lab) = Lab::open("password_in_secure_yaml") else {
        return;
    };
    let clouds = format!(
        "clouds:\n  split:\n    auth:\n      auth_url: {}\n      username: bob\n      project_name: beta\n      user_domain_name: Default\n      project_domain_name: Default\n    region_name: RegionOne\n",
        lab.get("OS_AUTH_URL")
    );
    let secure = format!(
        "clouds:\n  split:\n    auth:\n      password: {}\n",
        lab.get("BOB_PW")
    );
    // Without secure.yaml the password is missing...
    let error = Client::from_cloud_in("split", &lab.written(&clouds, None)).unwrap_err();
    assert!(error.to_string().contains("auth.password"), "{error}");
    // ...with it, the login works.
    let client = Client::from_cloud_in("split", &lab.written(&clouds, Some(&secure))).unwrap();
    lists(&client);
    assert_eq!(project_of(&client), lab.get("BETA_PROJECT_ID"));
}

#[test]
fn openrc_variables() {
    let Some(lab) = Lab::open("openrc_variables") else {
        return;
    };
    let vars = [
        ("OS_AUTH_URL", lab.get("OS_AUTH_URL")),
        ("OS_USERNAME", "alice"),
        ("OS_PASSWORD", lab.get("ALICE_PW")),
        ("OS_PROJECT_NAME", "alpha"),
        ("OS_USER_DOMAIN_NAME", "Default"),
        ("OS_PROJECT_DOMAIN_NAME", "Default"),
        ("OS_REGION_NAME", "RegionTwo"),
        ("OS_INTERFACE", "public"),
    ];
    let sources = Sources::in_memory(vars, Vec::new());
    let client = Client::from_env_in(&sources).unwrap();
    lists(&client);
    assert_eq!(client.api().base_url(), lab.get("GLANCE_URL_REGIONTWO"));
    assert_eq!(project_of(&client), lab.get("ALPHA_PROJECT_ID"));
}

#[test]
fn os_cloud_variable() {
    let Some(lab) = Lab::open("os_cloud_variable") else {
        return;
    };
    let file = lab.shared.dir.join("clouds.yaml").display().to_string();
    // OS_CLOUD wins over the openrc variables, which name another user.
    let vars = [
        ("OS_CLOUD", "lab-beta"),
        ("OS_CLIENT_CONFIG_FILE", file.as_str()),
        ("OS_AUTH_URL", "http://127.0.0.1:1/v3"),
        ("OS_USERNAME", "nobody"),
    ];
    let client = Client::from_env_in(&Sources::with_vars(vars)).unwrap();
    lists(&client);
    assert_eq!(project_of(&client), lab.get("BETA_PROJECT_ID"));
}

#[test]
fn region_and_catalog_variants() {
    let Some(lab) = Lab::open("region_and_catalog_variants") else {
        return;
    };
    for (cloud, url) in [
        ("lab-alpha-regiontwo", lab.get("GLANCE_URL_REGIONTWO")),
        ("lab-alpha-unversioned-auth-url", lab.get("GLANCE_URL")),
    ] {
        let client = lab.client(cloud);
        assert_eq!(client.api().base_url(), url, "{cloud}");
        lists(&client);
    }
    // Without a region, the first public image endpoint of the catalog,
    // which is one of the two.
    let client = lab.client("lab-alpha-noregion");
    let base = client.api().base_url();
    assert!(
        [lab.get("GLANCE_URL"), lab.get("GLANCE_URL_REGIONTWO")].contains(&base.as_str()),
        "{base}"
    );
    lists(&client);
}

#[test]
fn unknown_region_lists_the_regions() {
    let Some(lab) = Lab::open("unknown_region_lists_the_regions") else {
        return;
    };
    let clouds = format!(
        "clouds:\n  nowhere:\n    auth:\n      auth_url: {}\n      username: alice\n      password: {}\n      project_name: alpha\n      user_domain_name: Default\n      project_domain_name: Default\n    region_name: RegionNine\n",
        lab.get("OS_AUTH_URL"),
        lab.get("ALICE_PW")
    );
    let error = Client::from_cloud_in("nowhere", &lab.written(&clouds, None)).unwrap_err();
    let Error::Auth(AuthError::EndpointNotFound(missing)) = &error else {
        panic!("expected EndpointNotFound, got {error:?}");
    };
    assert_eq!(missing.region.as_deref(), Some("RegionNine"));
    assert!(
        missing.regions.contains("RegionOne") && missing.regions.contains("RegionTwo"),
        "{error}"
    );
    assert!(missing.service_types.contains("identity"), "{error}");
    let text = error.to_string();
    assert!(
        text.contains("`RegionOne`") && text.contains("`RegionTwo`"),
        "{text}"
    );
}

fn refused(lab: &Lab, name: &str, clouds: String) -> String {
    let error = Client::from_cloud_in(name, &lab.written(&clouds, None)).unwrap_err();
    let Error::Auth(AuthError::Refused(refusal)) = &error else {
        panic!("{name}: expected a refusal, got {error:?}");
    };
    assert_eq!(refusal.status, 401, "{name}");
    assert_eq!(refusal.message, KEYSTONE_REFUSAL, "{name}");
    error.to_string()
}

#[test]
fn keystone_refusals_are_typed() {
    let Some(lab) = Lab::open("keystone_refusals_are_typed") else {
        return;
    };
    let url = lab.get("OS_AUTH_URL");
    let wrong_password = refused(
        &lab,
        "wrong-password",
        format!(
            "clouds:\n  wrong-password:\n    auth: {{auth_url: \"{url}\", username: alice, password: not-alices-password, project_name: alpha, user_domain_name: Default, project_domain_name: Default}}\n"
        ),
    );
    assert!(
        !wrong_password.contains("not-alices-password"),
        "{wrong_password}"
    );
    refused(
        &lab,
        "unknown-project",
        format!(
            "clouds:\n  unknown-project:\n    auth: {{auth_url: \"{url}\", username: alice, password: \"{}\", project_name: no-such-project, user_domain_name: Default, project_domain_name: Default}}\n",
            lab.get("ALICE_PW")
        ),
    );
    let wrong_secret = refused(
        &lab,
        "wrong-secret",
        format!(
            "clouds:\n  wrong-secret:\n    auth_type: v3applicationcredential\n    auth: {{auth_url: \"{url}\", application_credential_id: \"{}\", application_credential_secret: not-the-secret}}\n",
            lab.get("APPCRED_ID")
        ),
    );
    assert!(!wrong_secret.contains("not-the-secret"), "{wrong_secret}");
}

/// The user revoking their own token in Keystone (`DELETE /auth/tokens`).
fn revocation(lab: &Lab, token: &cloud_images_runtime::auth::Token) -> http::Request<Vec<u8>> {
    http::Request::builder()
        .method("DELETE")
        .uri(format!("{}/auth/tokens", lab.get("OS_AUTH_URL")))
        .header("X-Auth-Token", token.secret().expose())
        .header("X-Subject-Token", token.secret().expose())
        .body(Vec::new())
        .unwrap()
}

#[test]
fn revoked_token_reauthenticates_once() {
    let Some(lab) = Lab::open("revoked_token_reauthenticates_once") else {
        return;
    };
    let client = lab.client("lab-alpha");
    lists(&client);
    let session = client.session().unwrap();
    let token = session.token().unwrap();
    // Alice revokes her own token in Keystone.
    let answer = Client::new(lab.get("KEYSTONE_URL"))
        .unwrap()
        .send(revocation(&lab, &token))
        .unwrap();
    assert_eq!(answer.status(), 204);
    // Glance now refuses it; the client logs in again, once, and retries.
    lists(&client);
    assert_eq!(session.reauthentications(), 1);
    assert_ne!(session.token().unwrap().secret(), token.secret());
    lists(&client);
    assert_eq!(session.reauthentications(), 1);
}

#[test]
fn one_client_shared_by_threads_logs_in_once() {
    let Some(lab) = Lab::open("one_client_shared_by_threads_logs_in_once") else {
        return;
    };
    let client = Arc::new(lab.client("lab-beta"));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let client = Arc::clone(&client);
            std::thread::spawn(move || lists(&client))
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert_eq!(client.session().unwrap().logins(), 1);
}

#[test]
fn sharing_an_image_between_two_projects() {
    let Some(lab) = Lab::open("sharing_an_image_between_two_projects") else {
        return;
    };
    let alice = lab.client("lab-alpha");
    let bob = lab.client("lab-beta");
    let beta = lab.get("BETA_PROJECT_ID");
    let image = alice
        .create_image(&ImageCreate {
            name: Some(lab.unique("shared")),
            visibility: Some(ImageVisibility::Shared),
            ..ImageCreate::default()
        })
        .unwrap();
    let id = image.id.clone().unwrap();
    assert_eq!(
        image.owner.as_ref().and_then(Option::as_deref),
        Some(lab.get("ALPHA_PROJECT_ID"))
    );

    // Before sharing, bob cannot see it.
    assert!(matches!(bob.get_image(&id), Err(Error::NotFound(_))));
    let member = alice.add_member(&id, beta).unwrap();
    assert_eq!(member.status, Some(MemberStatus::Pending));

    let in_list = |client: &Client, query: &ImageListQuery| {
        client
            .images(query)
            .map(|image| image.unwrap().id.unwrap())
            .any(|listed| listed == id)
    };
    let pending = ImageListQuery {
        visibility: Some(ImageVisibility::Shared.into()),
        member_status: Some(MemberStatusFilter::Only(MemberStatus::Pending)),
        ..ImageListQuery::default()
    };
    assert!(in_list(&bob, &pending));
    assert!(!in_list(&bob, &ImageListQuery::default()));

    // Bob accepts it as beta's member; it joins beta's default listing.
    let accepted = bob
        .update_member(&id, beta, MemberStatus::Accepted)
        .unwrap();
    assert_eq!(accepted.status, Some(MemberStatus::Accepted));
    assert!(in_list(&bob, &ImageListQuery::default()));
    let members = alice.list_members(&id).unwrap().members.unwrap();
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].member_id.as_deref(), Some(beta));

    // Bob may not delete alice's image; alice removes the member, and bob
    // loses sight of it.
    assert!(matches!(bob.delete_image(&id), Err(Error::Forbidden(_))));
    alice.delete_member(&id, beta).unwrap();
    assert!(matches!(bob.get_image(&id), Err(Error::NotFound(_))));
    alice.delete_image(&id).unwrap();
}

/// The async client logs in with the same constructors: the image root from
/// the catalog, one login for concurrent tasks, and one re-login after its
/// token is revoked.
#[test]
fn the_async_client_logs_in_shares_one_login_and_reauthenticates_once() {
    let Some(lab) = Lab::open("the_async_client_logs_in_shares_one_login_and_reauthenticates_once")
    else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client =
            cloud_images_runtime::asynchronous::Client::from_cloud_in("lab-alpha", &lab.sources())
                .await
                .unwrap_or_else(|error| panic!("async login: {error}"));
        assert_eq!(client.api().base_url(), lab.get("GLANCE_URL"));
        let session = client.session().unwrap();
        assert_eq!(session.logins(), 1);
        let query = ImageListQuery {
            limit: Some(1),
            ..ImageListQuery::default()
        };
        let tasks: Vec<_> = (0..4)
            .map(|_| {
                let (client, query) = (client.clone(), query.clone());
                tokio::spawn(async move { client.list_images(&query).await })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        assert_eq!(session.logins(), 1);

        let token = session.token().unwrap();
        let answer = cloud_images_runtime::asynchronous::Client::new(lab.get("KEYSTONE_URL"))
            .unwrap()
            .send(revocation(&lab, &token))
            .await
            .unwrap();
        assert_eq!(answer.status(), 204);
        client.list_images(&query).await.unwrap();
        assert_eq!(session.reauthentications(), 1);
        assert_ne!(session.token().unwrap().secret(), token.secret());
    });
}

/// Both clients' `ComputeClient::from_cloud` find `compute` in the catalog
/// and list images through nova-api with the cloud's token.
#[test]
fn compute_clients_find_compute_in_the_catalog() {
    let Some(lab) = Lab::open("compute_clients_find_compute_in_the_catalog") else {
        return;
    };
    let query = cloud_images_runtime::compute::ListQuery::default();
    let blocking =
        cloud_images_runtime::blocking::ComputeClient::from_cloud_in("lab-alpha", &lab.sources())
            .unwrap_or_else(|error| panic!("compute login: {error}"));
    assert_eq!(blocking.api().base_url(), lab.get("NOVA_URL"));
    blocking.list_images(&query).unwrap();
    assert_eq!(blocking.client().session().unwrap().logins(), 1);

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let asynchronous = cloud_images_runtime::asynchronous::ComputeClient::from_cloud_in(
            "lab-alpha",
            &lab.sources(),
        )
        .await
        .unwrap_or_else(|error| panic!("async compute login: {error}"));
        assert_eq!(asynchronous.api().base_url(), lab.get("NOVA_URL"));
        asynchronous.list_images(&query).await.unwrap();
    });
}
