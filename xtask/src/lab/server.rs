//! The three uWSGI servers: start, readiness, stop.
//!
//! Each runs as `uwsgi --ini target/lab/etc/<service>/<ini> --daemonize2
//! <log>`; the ini path in the command line is how a pid read from a pid
//! file is recognised as the lab's own, so that a stale pid file never
//! leads to signalling someone else's process.

use std::fs;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use super::run::tail;
use super::{Lab, Ports};

/// How long a server may take to load its app: Glance and nova import
/// hundreds of modules, and the two cores are often busy.
const READY_TIMEOUT: Duration = Duration::from_secs(180);
/// How long a master may take to stop its workers before SIGKILL.
const STOP_GRACE: Duration = Duration::from_secs(10);

pub struct Server {
    pub name: &'static str,
    /// The environment variable that sets the port.
    port_env: &'static str,
    port: u16,
    uwsgi: PathBuf,
    ini: PathBuf,
    pidfile: PathBuf,
    log: PathBuf,
    /// Answers 200 without a token once the app is loaded.
    ready_path: &'static str,
    /// The base URL the tests use.
    url_path: &'static str,
}

impl Server {
    /// Keystone, Glance and nova-api, in the order they start.
    pub fn all(lab: &Lab, ports: Ports) -> [Server; 3] {
        let server =
            |name, port_env, port, venv: &str, ini: &str, short: &str, ready_path, url_path| {
                Server {
                    name,
                    port_env,
                    port,
                    uwsgi: lab.path(venv).join("bin/uwsgi"),
                    ini: lab.path("etc").join(ini),
                    pidfile: lab.path("run").join(format!("{short}.pid")),
                    log: lab.logs().join(format!("{short}-uwsgi.log")),
                    ready_path,
                    url_path,
                }
            };
        [
            server(
                "Keystone",
                "CLOUD_IMAGES_KEYSTONE_PORT",
                ports.keystone,
                "venv",
                "keystone/keystone-uwsgi.ini",
                "keystone",
                "/v3",
                "",
            ),
            server(
                "Glance",
                "CLOUD_IMAGES_GLANCE_PORT",
                ports.glance,
                "venv",
                "glance/glance-uwsgi.ini",
                "glance",
                "/versions",
                "",
            ),
            server(
                "nova-api",
                "CLOUD_IMAGES_NOVA_PORT",
                ports.nova,
                "nova-venv",
                "nova/uwsgi-nova.ini",
                "nova",
                "/",
                "/v2.1",
            ),
        ]
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}{}", self.port, self.url_path)
    }

    pub fn uwsgi_log(&self) -> PathBuf {
        self.log.clone()
    }

    /// The master's pid, if it runs and is this lab's.
    pub fn pid(&self) -> Option<u32> {
        let pid = fs::read_to_string(&self.pidfile)
            .ok()?
            .trim()
            .parse()
            .ok()?;
        self.is_ours(pid).then_some(pid)
    }

    fn is_ours(&self, pid: u32) -> bool {
        runs_with(pid, &self.ini)
    }

    pub fn check_port_free(&self) -> Result<(), String> {
        check_port_free(self.port, self.name, self.port_env)
    }

    /// Starts uWSGI, which daemonizes; `wait_ready` then waits for the app.
    pub fn spawn(&self) -> Result<(), String> {
        let _ = fs::remove_file(&self.pidfile);
        let log = fs::File::create(&self.log)
            .map_err(|e| format!("cannot create {}: {e}", self.log.display()))?;
        let err = log.try_clone().map_err(|e| e.to_string())?;
        let status = Command::new(&self.uwsgi)
            .arg("--ini")
            .arg(&self.ini)
            .arg("--daemonize2")
            .arg(&self.log)
            .stdin(Stdio::null())
            // What uWSGI prints before it daemonizes goes to the same log, not
            // to a pipe the daemon could keep open.
            .stdout(log)
            .stderr(err)
            .status()
            .map_err(|e| format!("cannot run {}: {e}", self.uwsgi.display()))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!(
                "{} did not start ({status}):\n{}",
                self.name,
                self.log_tail()
            ))
        }
    }

    pub fn wait_ready(&self) -> Result<(), String> {
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if self.answers() {
                return Ok(());
            }
            let log = fs::read_to_string(&self.log).unwrap_or_default();
            // A worker that cannot load the app keeps running and answers 500.
            if log.contains("no app loaded") || log.contains("no python application found") {
                return Err(format!(
                    "{} could not load its app; last lines of {}:\n{}",
                    self.name,
                    self.log.display(),
                    tail(&log, 40)
                ));
            }
            // The pid file is written once the master has daemonized.
            if log.contains("spawned uWSGI master process") && self.pid().is_none() {
                return Err(format!(
                    "{} exited during start-up; last lines of {}:\n{}",
                    self.name,
                    self.log.display(),
                    tail(&log, 30)
                ));
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "{} did not answer GET {} on port {} within {} s; last lines of {}:\n{}",
                    self.name,
                    self.ready_path,
                    self.port,
                    READY_TIMEOUT.as_secs(),
                    self.log.display(),
                    tail(&log, 30)
                ));
            }
            sleep(Duration::from_millis(100));
        }
    }

    pub fn answers(&self) -> bool {
        probe(self.port, self.ready_path) == Some(200)
    }

    fn log_tail(&self) -> String {
        tail(&fs::read_to_string(&self.log).unwrap_or_default(), 30)
    }
}

/// Stops every server that runs: all are signalled first, then waited for.
/// Says whether any ran.
pub fn stop_all(servers: &[Server]) -> Result<bool, String> {
    let begun = Instant::now();
    let mut stopping = Vec::new();
    for server in servers {
        match server.pid() {
            None => {
                let _ = fs::remove_file(&server.pidfile);
            }
            Some(pid) => {
                let workers = children(pid);
                // die-on-term: the master stops its workers and exits.
                signal("-TERM", pid);
                stopping.push((server, pid, workers));
            }
        }
    }
    if stopping.is_empty() {
        return Ok(false);
    }
    let mut errors = Vec::new();
    for (server, pid, workers) in stopping {
        if !wait_gone(pid, &server.ini, STOP_GRACE.saturating_sub(begun.elapsed())) {
            signal("-KILL", pid);
        }
        // Workers whose master is gone exit by themselves, but one stuck in
        // an import would not: kill what is left of this server.
        for worker in workers.into_iter().filter(|&w| server.is_ours(w)) {
            signal("-KILL", worker);
        }
        if wait_gone(pid, &server.ini, Duration::from_secs(2)) {
            let _ = fs::remove_file(&server.pidfile);
            println!("stopped {} (pid {pid})", server.name);
        } else {
            errors.push(format!("{} (pid {pid}) survived SIGKILL", server.name));
        }
    }
    println!("stopped in {:.1} s", begun.elapsed().as_secs_f64());
    if errors.is_empty() {
        Ok(true)
    } else {
        Err(errors.join("; "))
    }
}

/// The processes whose parent is `pid`, from /proc.
fn children(pid: u32) -> Vec<u32> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|child| {
            fs::read_to_string(format!("/proc/{child}/stat")).is_ok_and(|stat| {
                // "pid (comm) state ppid ...": comm may hold spaces.
                stat.rsplit_once(')')
                    .and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse::<u32>().ok())
                    == Some(pid)
            })
        })
        .collect()
}

pub fn signal(sig: &str, pid: u32) -> bool {
    Command::new("kill")
        .args([sig, &pid.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Whether process `pid` runs with `marker`, a file or folder of this lab,
/// on its command line: a stale pid file naming a recycled pid does not
/// match, nor does a zombie (its command line is empty).
pub fn runs_with(pid: u32, marker: &Path) -> bool {
    fs::read(format!("/proc/{pid}/cmdline"))
        .is_ok_and(|cmdline| String::from_utf8_lossy(&cmdline).contains(&*marker.to_string_lossy()))
}

/// Waits up to `within` for process `pid`, running with `marker`, to end;
/// says whether it did.
pub fn wait_gone(pid: u32, marker: &Path, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while runs_with(pid, marker) {
        if Instant::now() > deadline {
            return false;
        }
        sleep(Duration::from_millis(100));
    }
    true
}

/// Whether something accepts connections on 127.0.0.1:`port`.
pub fn port_answers(port: u16) -> bool {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_ok()
}

/// Fails, naming the variable that moves it, when `port` is taken.
pub fn check_port_free(port: u16, wanted_for: &str, port_env: &str) -> Result<(), String> {
    if port_answers(port) {
        return Err(format!(
            "port {port} on 127.0.0.1, wanted for {wanted_for}, is in use by another program; \
             set {port_env} to a free port"
        ));
    }
    Ok(())
}

/// The status code of `GET path` on 127.0.0.1:`port`, if any.
fn probe(port: u16, path: &str) -> Option<u16> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(1)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    stream
        .set_write_timeout(Some(Duration::from_secs(5)))
        .ok()?;
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: application/json\r\n\
         Connection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).ok()?;
    // Only the status line matters: "HTTP/1.1 200 OK".
    let mut head = Vec::new();
    let mut buf = [0u8; 256];
    while !head.windows(2).any(|w| w == b"\r\n") && head.len() < 4096 {
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    String::from_utf8_lossy(&head)
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}
