//! Glance's database server: a private PostgreSQL cluster that belongs to
//! the lab.
//!
//! Glance on sqlite answers concurrent writes with 500 "database is locked"
//! (`xtask/lab/README.md` says why), so its data lives in PostgreSQL. The
//! cluster's data folder is `target/lab/postgres/`; it listens on 127.0.0.1
//! at its own port and on no unix socket, so it never meets the machine's
//! own PostgreSQL, and it starts and stops with the uWSGI servers.
//!
//! PostgreSQL's programs refuse to run as root. When xtask runs as root (as
//! CI does), `initdb` and the server run as the `postgres` user, which the
//! Debian package creates, and that user owns the data folder and the log.

use std::fs;
use std::os::unix::fs::{PermissionsExt, chown};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::run::{combined, logged, tail};
use super::server::{check_port_free, port_answers, runs_with, signal, wait_gone};
use super::{Clock, Lab};

/// The user who runs the server when xtask runs as root.
const SYSTEM_USER: &str = "postgres";
/// The database role Glance connects as (the cluster's superuser) and the
/// name of its database; `etc/glance/glance-api.conf` names both.
const ROLE_AND_DATABASE: &str = "glance";
/// A fast shutdown rolls back open transactions and disconnects clients;
/// after this the server gets an immediate shutdown.
const STOP_GRACE: Duration = Duration::from_secs(10);

pub struct Postgres {
    /// `target/lab/postgres`: the cluster, made by `initdb`.
    data: PathBuf,
    /// `target/lab/etc/postgres/postgresql.conf`, rendered on every start
    /// and included by the cluster's own `postgresql.conf`.
    conf: PathBuf,
    /// The server's log (`pg_ctl -l`).
    log: PathBuf,
    /// `initdb` and `createdb`.
    setup_log: PathBuf,
    pub port: u16,
}

impl Postgres {
    pub fn new(lab: &Lab, port: u16) -> Postgres {
        Postgres {
            data: lab.path("postgres"),
            conf: lab.path("etc/postgres/postgresql.conf"),
            log: lab.logs().join("postgres.log"),
            setup_log: lab.logs().join("postgres-setup.log"),
            port,
        }
    }

    /// The server's pid, if it runs on this lab's data folder.
    pub fn pid(&self) -> Option<u32> {
        // postmaster.pid: the pid on the first line, the data folder next.
        let text = fs::read_to_string(self.data.join("postmaster.pid")).ok()?;
        let pid = text.lines().next()?.trim().parse().ok()?;
        self.is_ours(pid).then_some(pid)
    }

    /// The postmaster keeps its command line (`postgres -D <data>`).
    fn is_ours(&self, pid: u32) -> bool {
        runs_with(pid, &self.data)
    }

    pub fn answers(&self) -> bool {
        port_answers(self.port)
    }

    pub fn check_port_free(&self) -> Result<(), String> {
        check_port_free(
            self.port,
            "PostgreSQL (Glance's database)",
            "CLOUD_IMAGES_POSTGRES_PORT",
        )
    }

    /// Creates the cluster and Glance's database if there is none yet, then
    /// starts the server and waits until it accepts connections.
    pub fn start(&self, clock: &Clock) -> Result<(), String> {
        if self.pid().is_some() {
            return Ok(());
        }
        let bin = find_bin()?;
        let owner = Owner::for_current_user()?;
        // PG_VERSION is written early by initdb, postgresql.conf late; a
        // cluster without our include line is one initdb did not finish.
        let fresh = !self.included_conf();
        if fresh {
            clock.step("PostgreSQL cluster created (initdb)", || {
                self.init(&bin, &owner)
            })?;
        }
        // pg_ctl opens the log as the server's user.
        fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .map_err(|e| format!("cannot open {}: {e}", self.log.display()))?;
        owner.give(&self.log)?;
        let mut pg_ctl = owner.command(&bin.join("pg_ctl"));
        pg_ctl
            .args(["start", "--wait", "--timeout=60", "--silent", "-D"])
            .arg(&self.data)
            .arg("-l")
            .arg(&self.log);
        clock.step("PostgreSQL ready", || {
            logged("pg_ctl start", &mut pg_ctl, &self.setup_log).map_err(|e| {
                format!(
                    "{e}\nlast lines of {}:\n{}",
                    self.log.display(),
                    tail(&fs::read_to_string(&self.log).unwrap_or_default(), 20)
                )
            })
        })?;
        if fresh {
            // A client: runs as whoever runs xtask, over TCP.
            let mut createdb = Command::new(bin.join("createdb"));
            createdb
                .args(["--host=127.0.0.1", "--username", ROLE_AND_DATABASE])
                .arg(format!("--port={}", self.port))
                .arg(ROLE_AND_DATABASE);
            clock.step("PostgreSQL database `glance` created", || {
                logged("createdb glance", &mut createdb, &self.setup_log)
            })?;
        }
        Ok(())
    }

    fn included_conf(&self) -> bool {
        fs::read_to_string(self.data.join("postgresql.conf"))
            .is_ok_and(|text| text.contains(&self.include_line()))
    }

    fn include_line(&self) -> String {
        // Single quotes in the path are doubled inside a quoted value.
        let path = self.conf.to_string_lossy().replace('\'', "''");
        format!("include = '{path}'")
    }

    /// `initdb` into an empty data folder owned by the server's user.
    fn init(&self, bin: &Path, owner: &Owner) -> Result<(), String> {
        if self.data.exists() {
            fs::remove_dir_all(&self.data).map_err(|e| {
                format!(
                    "cannot remove the unfinished cluster {}: {e}",
                    self.data.display()
                )
            })?;
        }
        fs::create_dir_all(&self.data)
            .map_err(|e| format!("cannot create {}: {e}", self.data.display()))?;
        fs::set_permissions(&self.data, fs::Permissions::from_mode(0o700))
            .map_err(|e| format!("cannot chmod {}: {e}", self.data.display()))?;
        owner.give(&self.data)?;
        owner.check_can_write(&self.data)?;
        let mut initdb = owner.command(&bin.join("initdb"));
        initdb.arg("--pgdata").arg(&self.data).args([
            "--username",
            ROLE_AND_DATABASE,
            // Loopback only (see etc/postgres/postgresql.conf), like the
            // fixed passwords of the lab's other servers.
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            // The lab's data is thrown away with the lab: no fsync.
            "--no-sync",
            "--no-instructions",
        ]);
        logged("initdb", &mut initdb, &self.setup_log)?;
        // Our settings come last, so they win over initdb's.
        let main_conf = self.data.join("postgresql.conf");
        let mut text = fs::read_to_string(&main_conf)
            .map_err(|e| format!("cannot read {}: {e}", main_conf.display()))?;
        text.push_str(&format!(
            "\n# The lab's settings, rendered on every `cargo xtask lab start`.\n{}\n",
            self.include_line()
        ));
        fs::write(&main_conf, text)
            .map_err(|e| format!("cannot write {}: {e}", main_conf.display()))
    }

    /// Stops the server if it runs; says whether it did.
    pub fn stop(&self) -> Result<bool, String> {
        let Some(pid) = self.pid() else {
            return Ok(false);
        };
        // SIGINT is PostgreSQL's fast shutdown, SIGQUIT its immediate one.
        signal("-INT", pid);
        if !wait_gone(pid, &self.data, STOP_GRACE) {
            signal("-QUIT", pid);
            if !wait_gone(pid, &self.data, Duration::from_secs(3)) {
                signal("-KILL", pid);
                if !wait_gone(pid, &self.data, Duration::from_secs(2)) {
                    return Err(format!("PostgreSQL (pid {pid}) survived SIGKILL"));
                }
            }
        }
        println!("stopped PostgreSQL (pid {pid})");
        Ok(true)
    }
}

/// The folder holding `initdb`, `pg_ctl` and `createdb`: the newest
/// `/usr/lib/postgresql/<version>/bin` (Debian's layout, where they are
/// not on PATH), else PATH.
fn find_bin() -> Result<PathBuf, String> {
    let debian = Path::new("/usr/lib/postgresql");
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir(debian)
        .into_iter()
        .flatten()
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, bin)| has_programs(bin))
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Ok(bin);
    }
    let on_path = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .unwrap_or_default();
    on_path
        .into_iter()
        .find(|dir| has_programs(dir))
        .ok_or_else(|| {
            "PostgreSQL's server programs (initdb, pg_ctl, createdb) are not in \
         /usr/lib/postgresql/<version>/bin nor on PATH. The lab's Glance keeps its data in a \
         PostgreSQL server of its own: install one (on Debian: `apt-get install postgresql`)"
                .to_owned()
        })
}

fn has_programs(dir: &Path) -> bool {
    ["initdb", "pg_ctl", "createdb", "postgres"]
        .iter()
        .all(|program| dir.join(program).is_file())
}

/// Who runs `initdb` and the server: whoever runs xtask, or the `postgres`
/// user when that is root.
enum Owner {
    Me,
    System { uid: u32, gid: u32 },
}

impl Owner {
    fn for_current_user() -> Result<Owner, String> {
        if id(&["-u"])? != 0 {
            return Ok(Owner::Me);
        }
        let not_found = |_| {
            format!(
                "PostgreSQL refuses to run as root, and there is no `{SYSTEM_USER}` user to run \
                 the lab's cluster as: install PostgreSQL from your distribution's package \
                 (which creates that user), or run xtask as another user"
            )
        };
        let uid = id(&["-u", SYSTEM_USER]).map_err(not_found)?;
        let gid = id(&["-g", SYSTEM_USER]).map_err(not_found)?;
        Ok(Owner::System { uid, gid })
    }

    /// `program` run as this owner.
    fn command(&self, program: &Path) -> Command {
        match self {
            Owner::Me => Command::new(program),
            Owner::System { .. } => {
                let mut command = Command::new("runuser");
                command.args(["-u", SYSTEM_USER, "--"]).arg(program);
                command
            }
        }
    }

    fn give(&self, path: &Path) -> Result<(), String> {
        match self {
            Owner::Me => Ok(()),
            Owner::System { uid, gid } => chown(path, Some(*uid), Some(*gid))
                .map_err(|e| format!("cannot chown {} to {SYSTEM_USER}: {e}", path.display())),
        }
    }

    /// The server's user must reach the data folder through every folder
    /// above it; a home folder closed to others (mode 700) stops it.
    fn check_can_write(&self, dir: &Path) -> Result<(), String> {
        let Owner::System { .. } = self else {
            return Ok(());
        };
        let out = self
            .command(Path::new("test"))
            .arg("-w")
            .arg(dir)
            .output()
            .map_err(|e| format!("cannot run runuser: {e}"))?;
        if out.status.success() {
            return Ok(());
        }
        Err(format!(
            "PostgreSQL refuses to run as root, so the lab runs it as the `{SYSTEM_USER}` user, \
             who cannot write {} ({}): a folder above it is closed to other users. Open them \
             (`chmod o+x` on each folder above), move the project, or run xtask as another user",
            dir.display(),
            combined(&out).trim()
        ))
    }
}

/// `id ARGS` as a number.
fn id(args: &[&str]) -> Result<u32, String> {
    let out = Command::new("id")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run `id`: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    match text.trim().parse() {
        Ok(number) if out.status.success() => Ok(number),
        _ => Err(format!(
            "`id {}` failed: {}",
            args.join(" "),
            combined(&out).trim()
        )),
    }
}
