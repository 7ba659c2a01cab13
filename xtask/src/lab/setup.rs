//! Configuration, databases and identity data: everything between the
//! install and a running lab.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::run::{all_at_once, combined, logged, utf8};
use super::{Clock, Lab, Ports};

/// The folders the servers write to; none of them creates its own.
const DIRS: [&str; 11] = [
    "run",
    "keystone",
    "glance/stores/fs",
    "glance/stores/archive",
    "glance/staging",
    "glance/tasks",
    "glance/cache",
    "glance/locks",
    "nova/state",
    "nova/locks",
    "logs",
];

/// Writes `target/lab/etc/` from the templates in `xtask/lab/etc/`, on
/// every start, so that an edited template takes effect.
pub fn render(lab: &Lab, ports: Ports) -> Result<(), String> {
    for dir in DIRS {
        let dir = lab.path(dir);
        fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", lab.show(&dir)))?;
    }
    let lab_dir = utf8(&lab.dir)?;
    for service in ["keystone", "glance", "nova", "postgres"] {
        let from_dir = lab.carried.join("etc").join(service);
        let to_dir = lab.path("etc").join(service);
        fs::create_dir_all(&to_dir)
            .map_err(|e| format!("cannot create {}: {e}", lab.show(&to_dir)))?;
        let entries = fs::read_dir(&from_dir)
            .map_err(|e| format!("cannot read {}: {e}", lab.show(&from_dir)))?;
        for entry in entries {
            let from = entry.map_err(|e| e.to_string())?.path();
            let text = fs::read_to_string(&from)
                .map_err(|e| format!("cannot read {}: {e}", lab.show(&from)))?;
            let text = text
                .replace("@LAB@", lab_dir)
                .replace("@KEYSTONE_PORT@", &ports.keystone.to_string())
                .replace("@GLANCE_PORT@", &ports.glance.to_string())
                .replace("@NOVA_PORT@", &ports.nova.to_string())
                .replace("@POSTGRES_PORT@", &ports.postgres.to_string());
            let to = to_dir.join(from.file_name().unwrap_or_default());
            fs::write(&to, text).map_err(|e| format!("cannot write {}: {e}", lab.show(&to)))?;
        }
    }
    Ok(())
}

/// One program run of a set-up chain.
struct Step {
    what: String,
    command: Command,
}

impl Step {
    fn new(what: &str, program: PathBuf, args: &[&str]) -> Step {
        let mut command = Command::new(program);
        command.args(args);
        Step {
            what: what.to_owned(),
            command,
        }
    }
}

/// Creates the three services' databases, Keystone's keys and admin, and
/// Nova's cells. The three chains are independent and run at once.
pub fn create_databases(lab: &Lab, ports: Ports, clock: &Clock) -> Result<(), String> {
    let etc = |file: &str| lab.path("etc").join(file);
    let keystone_manage = lab.path("venv/bin/keystone-manage");
    let glance_manage = lab.path("venv/bin/glance-manage");
    let nova_manage = lab.path("nova-venv/bin/nova-manage");
    let (user, group) = (id("-un")?, id("-gn")?);
    let keystone_url = format!("http://127.0.0.1:{}/v3", ports.keystone);

    let keystone_conf = etc("keystone/keystone.conf");
    let kconf = utf8(&keystone_conf)?;
    let owner = ["--keystone-user", &user, "--keystone-group", &group];
    let keystone = vec![
        Step::new(
            "keystone-manage db_sync",
            keystone_manage.clone(),
            &["--config-file", kconf, "db_sync"],
        ),
        Step::new(
            "keystone-manage fernet_setup",
            keystone_manage.clone(),
            &[&["--config-file", kconf, "fernet_setup"][..], &owner].concat(),
        ),
        Step::new(
            "keystone-manage credential_setup",
            keystone_manage.clone(),
            &[&["--config-file", kconf, "credential_setup"][..], &owner].concat(),
        ),
        Step::new(
            "keystone-manage bootstrap (admin, RegionOne, identity endpoints)",
            keystone_manage,
            &[
                "--config-file",
                kconf,
                "bootstrap",
                "--bootstrap-password",
                "admin-lab-secret",
                "--bootstrap-username",
                "admin",
                "--bootstrap-project-name",
                "admin",
                "--bootstrap-role-name",
                "admin",
                "--bootstrap-service-name",
                "keystone",
                "--bootstrap-admin-url",
                &keystone_url,
                "--bootstrap-internal-url",
                &keystone_url,
                "--bootstrap-public-url",
                &keystone_url,
                "--bootstrap-region-id",
                "RegionOne",
            ],
        ),
    ];

    let glance_conf = etc("glance/glance-api.conf");
    let gconf = utf8(&glance_conf)?;
    // The JSON catalog of well-known image properties ships in the wheel.
    let metadefs = lab.path("venv/etc/glance/metadefs");
    let mut glance = vec![
        Step::new(
            "glance-manage db_sync",
            glance_manage.clone(),
            &["--config-file", gconf, "db_sync"],
        ),
        Step::new(
            "glance-manage db_load_metadefs",
            glance_manage,
            &["--config-file", gconf, "db_load_metadefs", utf8(&metadefs)?],
        ),
    ];
    for step in &mut glance {
        step.command
            .env("OS_GLANCE_CONFIG_DIR", lab.path("etc/glance"));
    }

    let nova_conf = etc("nova/nova.conf");
    let nconf = utf8(&nova_conf)?;
    let cell0 = format!("sqlite:///{}", utf8(&lab.path("nova/nova_cell0.sqlite"))?);
    // devstack's order: the API database, cell0 mapped to its own database,
    // the cell databases, then cell1 (fake:// and [database] from nova.conf).
    let nova = vec![
        Step::new(
            "nova-manage api_db sync",
            nova_manage.clone(),
            &["--config-file", nconf, "api_db", "sync"],
        ),
        Step::new(
            "nova-manage cell_v2 map_cell0",
            nova_manage.clone(),
            &[
                "--config-file",
                nconf,
                "cell_v2",
                "map_cell0",
                "--database_connection",
                &cell0,
            ],
        ),
        Step::new(
            "nova-manage db sync",
            nova_manage.clone(),
            &["--config-file", nconf, "db", "sync"],
        ),
        Step::new(
            "nova-manage cell_v2 create_cell --name cell1",
            nova_manage,
            &[
                "--config-file",
                nconf,
                "cell_v2",
                "create_cell",
                "--name",
                "cell1",
            ],
        ),
    ];

    let chains = [
        (keystone, lab.logs().join("keystone-manage.log")),
        (glance, lab.logs().join("glance-manage.log")),
        (nova, lab.logs().join("nova-manage.log")),
    ];
    all_at_once(chains.into_iter().map(|(steps, log)| {
        move || {
            for mut step in steps {
                let what = step.what.clone();
                clock.step(&what, || logged(&what, &mut step.command, &log))?;
            }
            Ok(())
        }
    }))
}

fn id(flag: &str) -> Result<String, String> {
    let out = Command::new("id")
        .arg(flag)
        .output()
        .map_err(|e| format!("cannot run `id {flag}`: {e}"))?;
    if !out.status.success() {
        return Err(format!("`id {flag}` failed: {}", combined(&out)));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Creates the projects, users, roles, catalog and application credential,
/// and writes `lab.env` and `clouds.yaml` (see `xtask/lab/identity.py`).
pub fn bootstrap_identity(lab: &Lab, ports: Ports) -> Result<(), String> {
    identity_py(
        lab,
        "identity bootstrap",
        &[
            "bootstrap",
            &ports.keystone.to_string(),
            &ports.glance.to_string(),
            &ports.nova.to_string(),
            &ports.postgres.to_string(),
        ],
    )
}

/// Glance and nova-api accept alice's token, refuse none, and refuse it as
/// soon as it is revoked.
pub fn check(lab: &Lab) -> Result<(), String> {
    identity_py(lab, "the end-to-end check", &["check"])
}

fn identity_py(lab: &Lab, what: &str, args: &[&str]) -> Result<(), String> {
    let script = lab.carried.join("identity.py");
    let (command, rest) = args.split_first().ok_or("identity.py needs a command")?;
    let out = Command::new(lab.path("venv/bin/python"))
        .arg(&script)
        .arg(command)
        .arg(&lab.dir)
        .args(rest)
        .output()
        .map_err(|e| format!("{what}: cannot run {}: {e}", script.display()))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed: {}(every request is in {})",
            combined(&out),
            show_log(lab, "identity-http.log")
        ))
    }
}

fn show_log(lab: &Lab, name: &str) -> String {
    lab.show(Path::new(&lab.logs().join(name)))
}
