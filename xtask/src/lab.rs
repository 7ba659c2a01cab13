//! `cargo xtask lab start|stop|status`: the project's test lab on 127.0.0.1,
//! with real Keystone tokens everywhere.
//!
//! - Keystone 30.0.0: uWSGI, sqlite, fernet tokens.
//! - Glance 33.0.0: uWSGI, PostgreSQL (a private cluster the lab runs), two
//!   file stores, the image cache with its API, tokens checked by
//!   keystonemiddleware's `authtoken`.
//! - nova-api 34.0.0: the compute API under uWSGI, sqlite, `fake://`
//!   transport, the stock paste pipeline; it proxies images to Glance.
//!
//! The files the project carries are in `xtask/lab/` (pinned requirements,
//! configuration templates, the identity bootstrap); everything the lab
//! writes is under `target/lab/`. `xtask/lab/README.md` says why each
//! setting is what it is.

mod install;
mod postgres;
mod run;
mod server;
mod setup;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use postgres::Postgres;
use server::Server;

pub const USAGE: &str = "\
usage: cargo xtask lab start|stop [--purge]|status

  start          install (first time, or after the pins change), configure
                 and start Keystone, Glance and nova-api on 127.0.0.1 (and
                 PostgreSQL, Glance's database), then check them end to
                 end; writes target/lab/clouds.yaml and target/lab/lab.env.
                 Keeps the data of earlier runs.
  stop           stop the servers (data and installs stay)
  stop --purge   stop, then delete the lab's data (not the installs), so
                 that the next start bootstraps from scratch
  status         say what runs; fails unless all answer

ports (on 127.0.0.1), from the environment:
  CLOUD_IMAGES_KEYSTONE_PORT  (default 15000)
  CLOUD_IMAGES_GLANCE_PORT    (default 19292)
  CLOUD_IMAGES_NOVA_PORT      (default 18774)
  CLOUD_IMAGES_POSTGRES_PORT  (default 15432)

Glance's PostgreSQL needs the server programs (on Debian: `apt-get install
postgresql`); the lab runs its own cluster in target/lab/postgres, as the
`postgres` user when xtask runs as root.
";

pub fn run(args: &[String]) -> Result<(), String> {
    let lab = Lab::new(&crate::project_root());
    match args {
        [cmd] if cmd == "start" => start(&lab).map(|_| ()),
        [cmd] if cmd == "stop" => stop(&lab),
        [cmd, flag] if cmd == "stop" && flag == "--purge" => {
            stop(&lab)?;
            lab.purge_data()?;
            println!("removed the lab's data (the installs stay)");
            Ok(())
        }
        [cmd] if cmd == "status" => status(&lab),
        [flag] if flag == "--help" || flag == "-h" || flag == "help" => {
            print!("{USAGE}");
            Ok(())
        }
        _ => Err(USAGE.to_owned()),
    }
}

/// The ports of the three servers and of Glance's database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ports {
    pub keystone: u16,
    pub glance: u16,
    pub nova: u16,
    pub postgres: u16,
}

impl Ports {
    const ENV: [(&'static str, u16); 4] = [
        ("CLOUD_IMAGES_KEYSTONE_PORT", 15000),
        ("CLOUD_IMAGES_GLANCE_PORT", 19292),
        ("CLOUD_IMAGES_NOVA_PORT", 18774),
        ("CLOUD_IMAGES_POSTGRES_PORT", 15432),
    ];

    fn from_env() -> Result<Ports, String> {
        let mut ports = [0; 4];
        for (port, (var, default)) in ports.iter_mut().zip(Self::ENV) {
            *port = match std::env::var(var) {
                Err(_) => default,
                Ok(text) => match text.trim().parse::<u16>() {
                    Ok(port) if port != 0 => port,
                    _ => return Err(format!("{var}=`{text}` is not a port number (1-65535)")),
                },
            };
        }
        let [keystone, glance, nova, postgres] = ports;
        if (1..4).any(|i| ports[..i].contains(&ports[i])) {
            return Err(format!(
                "the lab needs four different ports, got Keystone {keystone}, Glance {glance}, \
                 nova-api {nova}, PostgreSQL {postgres} (set {})",
                Self::ENV.map(|(var, _)| var).join(", ")
            ));
        }
        Ok(Ports {
            keystone,
            glance,
            nova,
            postgres,
        })
    }
}

/// What the tests need from a running lab.
#[derive(Debug, Clone)]
pub struct Running {
    /// `target/lab`, absolute: holds `clouds.yaml` and `lab.env`.
    pub dir: PathBuf,
    pub keystone_url: String,
    pub glance_url: String,
    pub nova_url: String,
    /// The data folder of Glance's default store (`fs`).
    pub glance_store_dir: PathBuf,
}

/// Where the carried files are and where the lab writes.
pub struct Lab {
    root: PathBuf,
    /// `xtask/lab/`: the files the project carries.
    carried: PathBuf,
    /// `target/lab/`.
    dir: PathBuf,
}

impl Lab {
    pub fn new(root: &Path) -> Lab {
        Lab {
            root: root.to_path_buf(),
            carried: root.join("xtask").join("lab"),
            dir: root.join("target").join("lab"),
        }
    }

    /// A path as the user should read it: relative to the project root.
    fn show(&self, path: &Path) -> String {
        path.strip_prefix(&self.root)
            .unwrap_or(path)
            .display()
            .to_string()
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.join(relative)
    }

    fn logs(&self) -> PathBuf {
        self.path("logs")
    }

    fn env_file(&self) -> PathBuf {
        self.path("lab.env")
    }

    /// What `start` creates from scratch, as opposed to the installs.
    fn data(&self) -> Vec<PathBuf> {
        [
            "keystone",
            "glance",
            "postgres",
            "nova",
            "lab.env",
            "clouds.yaml",
        ]
        .iter()
        .map(|name| self.path(name))
        .collect()
    }

    fn purge_data(&self) -> Result<(), String> {
        for path in self.data() {
            let removed = if path.is_dir() {
                fs::remove_dir_all(&path)
            } else {
                fs::remove_file(&path)
            };
            match removed {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(format!("cannot remove {}: {e}", self.show(&path)));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The ports the existing data was made for, from `lab.env`.
    fn data_ports(&self) -> Option<Ports> {
        let env = read_env(&self.env_file()).ok()?;
        let port = |key: &str| env.iter().find(|(k, _)| k == key)?.1.parse().ok();
        Some(Ports {
            keystone: port("KEYSTONE_PORT")?,
            glance: port("GLANCE_PORT")?,
            nova: port("NOVA_PORT")?,
            postgres: port("POSTGRES_PORT")?,
        })
    }

    fn running(&self, ports: Ports) -> Running {
        Running {
            dir: self.dir.clone(),
            keystone_url: format!("http://127.0.0.1:{}", ports.keystone),
            glance_url: format!("http://127.0.0.1:{}", ports.glance),
            nova_url: format!("http://127.0.0.1:{}/v2.1", ports.nova),
            glance_store_dir: self.path("glance/stores/fs"),
        }
    }
}

/// `KEY=VALUE` lines, as `lab.env` holds them.
fn read_env(path: &Path) -> Result<Vec<(String, String)>, std::io::Error> {
    Ok(fs::read_to_string(path)?
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.split_once('='))
        .map(|(key, value)| (key.to_owned(), value.to_owned()))
        .collect())
}

/// Prints each step with the time since `start` began.
pub struct Clock(Instant);

impl Clock {
    fn new() -> Clock {
        Clock(Instant::now())
    }

    fn say(&self, what: &str) {
        println!("[lab {:6.1} s] {what}", self.0.elapsed().as_secs_f64());
    }

    /// Runs `step`, then prints what it was and how long it took.
    fn step<T>(&self, what: &str, step: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
        let begun = Instant::now();
        let value = step()?;
        self.say(&format!("{what} ({:.1} s)", begun.elapsed().as_secs_f64()));
        Ok(value)
    }
}

/// Starts whatever of the lab is not running; returns what the tests need.
pub fn start(lab: &Lab) -> Result<Running, String> {
    let clock = Clock::new();
    let ports = Ports::from_env()?;
    let servers = Server::all(lab, ports);
    let postgres = Postgres::new(lab, ports.postgres);
    let up: Vec<bool> = servers.iter().map(|s| s.pid().is_some()).collect();
    let postgres_up = postgres.pid().is_some();
    if (postgres_up || up.iter().any(|&up| up)) && lab.data_ports() != Some(ports) {
        return Err(format!(
            "part of the lab runs, but not with these ports ({ports:?}) and their data; \
             run `cargo xtask lab stop` first"
        ));
    }
    if postgres_up && up.iter().all(|&up| up) && lab.env_file().exists() {
        println!("the lab is already running");
        print_summary(lab, ports);
        return Ok(lab.running(ports));
    }
    for (server, up) in servers.iter().zip(&up) {
        if !up {
            server.check_port_free()?;
        }
    }
    if !postgres_up {
        postgres.check_port_free()?;
    }

    fs::create_dir_all(lab.logs())
        .map_err(|e| format!("cannot create {}: {e}", lab.show(&lab.logs())))?;
    install::ensure_venvs(lab, &clock)?;

    match lab.data_ports() {
        Some(old) if old == ports => {}
        Some(old) => {
            clock.say(&format!(
                "the data was made for other ports ({old:?}): starting from fresh data"
            ));
            lab.purge_data()?;
        }
        // No lab.env: never bootstrapped, or a bootstrap that did not finish
        // (whose database server may still run on the data to be removed).
        None => {
            postgres.stop()?;
            lab.purge_data()?;
        }
    }
    let fresh = !lab.env_file().exists();
    setup::render(lab, ports)?;
    postgres.start(&clock)?;
    if fresh {
        setup::create_databases(lab, ports, &clock)?;
    }

    let [keystone, glance, nova] = &servers;
    if !up[0] {
        keystone.spawn()?;
    }
    clock.step("Keystone ready", || keystone.wait_ready())?;
    if fresh {
        clock.step(
            "identity data created (projects, users, roles, catalog)",
            || setup::bootstrap_identity(lab, ports),
        )?;
    }
    // Both load their app at once; on two cores that overlaps usefully.
    for (server, up) in [glance, nova].into_iter().zip(&up[1..]) {
        if !up {
            server.spawn()?;
        }
    }
    clock.step("Glance ready", || glance.wait_ready())?;
    clock.step("nova-api ready", || nova.wait_ready())?;
    clock.step(
        "checked: tokens accepted, none refused, a revoked one refused at once",
        || setup::check(lab),
    )?;
    print_summary(lab, ports);
    Ok(lab.running(ports))
}

fn print_summary(lab: &Lab, ports: Ports) {
    let running = lab.running(ports);
    println!("Keystone  {}/v3   (auth_url)", running.keystone_url);
    println!("Glance    {}", running.glance_url);
    println!("nova-api  {}", running.nova_url);
    println!(
        "PostgreSQL 127.0.0.1:{}   (Glance's database: `psql -h 127.0.0.1 -p {} -U glance glance`)",
        ports.postgres, ports.postgres
    );
    println!(
        "clouds.yaml: {}   (OS_CLIENT_CONFIG_FILE; clouds lab-admin, lab-alpha, lab-beta, ...)",
        lab.path("clouds.yaml").display()
    );
    println!("lab.env:     {}", lab.env_file().display());
    println!("logs:        {}", lab.show(&lab.logs()));
}

/// Stops the three servers, then their database; fine when nothing runs.
pub fn stop(lab: &Lab) -> Result<(), String> {
    // The ports do not matter for stopping: the pid files say what runs.
    let ports = Ports::from_env().unwrap_or(Ports {
        keystone: 0,
        glance: 0,
        nova: 0,
        postgres: 0,
    });
    // Glance first, so that it does not see its database go away.
    let servers = server::stop_all(&Server::all(lab, ports));
    let database = Postgres::new(lab, ports.postgres).stop();
    match (servers, database) {
        (Ok(false), Ok(false)) => {
            println!("the lab is not running");
            Ok(())
        }
        (Ok(_), Ok(_)) => Ok(()),
        (Err(e), Ok(_)) | (Ok(_), Err(e)) => Err(e),
        (Err(a), Err(b)) => Err(format!("{a}; {b}")),
    }
}

fn status(lab: &Lab) -> Result<(), String> {
    let ports = lab.data_ports().map_or_else(Ports::from_env, Ok)?;
    let mut healthy = true;
    let postgres = Postgres::new(lab, ports.postgres);
    match postgres.pid() {
        None => {
            healthy = false;
            println!("PostgreSQL not running");
        }
        Some(pid) if postgres.answers() => {
            println!(
                "PostgreSQL running (pid {pid}) at 127.0.0.1:{}",
                ports.postgres
            );
        }
        Some(pid) => {
            healthy = false;
            println!(
                "PostgreSQL running (pid {pid}) but not accepting connections at 127.0.0.1:{} \
                 (log: {})",
                ports.postgres,
                lab.show(&lab.logs().join("postgres.log"))
            );
        }
    }
    for server in Server::all(lab, ports) {
        match server.pid() {
            None => {
                healthy = false;
                println!("{:<9} not running", server.name);
            }
            Some(pid) if server.answers() => {
                println!("{:<9} running (pid {pid}) at {}", server.name, server.url());
            }
            Some(pid) => {
                healthy = false;
                println!(
                    "{:<9} running (pid {pid}) but not answering at {} (log: {})",
                    server.name,
                    server.url(),
                    lab.show(&server.uwsgi_log())
                );
            }
        }
    }
    if healthy {
        print_summary(lab, ports);
        Ok(())
    } else {
        Err("the lab is not (fully) running; start it with `cargo xtask lab start`".to_owned())
    }
}
