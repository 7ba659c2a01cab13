//! `cargo xtask glance start|stop|status`: a real Glance 33.0.0 API server on
//! 127.0.0.1 without Keystone, for the benchmarks (`cargo xtask bench`),
//! whose workloads name their projects in identity headers. The tests run
//! against the Keystone-backed lab (`cargo xtask lab`) instead.
//!
//! Glance is installed from PyPI into a virtualenv, using the pinned set in
//! `xtask/glance/requirements.txt`, and served by uWSGI with a sqlite
//! database, a file store and no Keystone: it trusts identity headers
//! (`X-Identity-Status`, `X-Project-Id`, `X-Roles`, ...). Everything it writes
//! lives under `target/glance/`. See `xtask/glance/README.md`.

use std::fs;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

pub const USAGE: &str = "\
usage: cargo xtask glance start|stop|status

  start   install Glance 33.0.0 into target/glance/ if needed (about 40 s,
          from PyPI), start it on 127.0.0.1 with an empty database, and print
          its base URL and the identity headers it trusts
  stop    stop it (SIGTERM, then SIGKILL after 5 s); fine if nothing runs
  status  exit 0 and print the base URL if it runs and answers

It serves the benchmarks; the tests use the Keystone-backed lab
(`cargo xtask lab`). The port is 19392, or CLOUD_IMAGES_BENCH_GLANCE_PORT
(apart from the lab's, so both can run). The base URL is also written to
target/glance/endpoint, where the benchmarks find it.";
const DEFAULT_PORT: u16 = 19392;
const PORT_ENV: &str = "CLOUD_IMAGES_BENCH_GLANCE_PORT";
/// The variable a hand-run test or tool may read the base URL from.
pub const URL_ENV: &str = "CLOUD_IMAGES_GLANCE_URL";
/// This Glance runs without Keystone and trusts these headers instead
/// (its `headerauth` pipeline, see `xtask/glance/glance-api-paste.ini`):
/// without `X-Identity-Status: Confirmed` every call answers 401. The
/// project and user ids are any strings; images belong to the project.
pub const IDENTITY_HEADERS: [(&str, &str); 4] = [
    ("X-Identity-Status", "Confirmed"),
    ("X-Project-Id", "cloud-images-dev"),
    ("X-User-Id", "cloud-images-dev"),
    ("X-Roles", "member,reader"),
];
const READY_TIMEOUT: Duration = Duration::from_secs(60);
/// uWSGI logs this once per worker when the app is loaded.
const READY_LINE: &str = "WSGI app 0 (mountpoint='') ready";
/// One worker: two processes writing one sqlite file answer concurrent
/// writes with 500 "database is locked" (about 1 in 15 creates with three
/// clients at once).
const WORKERS: usize = 1;

pub fn run(args: &[String]) -> Result<(), String> {
    let paths = Paths::new(&crate::project_root());
    match args {
        [cmd] if cmd == "start" => start(&paths),
        [cmd] if cmd == "stop" => stop(&paths),
        [cmd] if cmd == "status" => status(&paths),
        _ => Err(USAGE.to_owned()),
    }
}

/// Where the data files come from and where everything is written.
struct Paths {
    root: PathBuf,
    /// `xtask/glance/`: the files carried by the project.
    carried: PathBuf,
    venv: PathBuf,
    /// A copy of the requirements the venv was built from.
    stamp: PathBuf,
    etc: PathBuf,
    data: PathBuf,
    pidfile: PathBuf,
    log: PathBuf,
    pip_log: PathBuf,
    endpoint: PathBuf,
}

impl Paths {
    fn new(root: &Path) -> Paths {
        let base = root.join("target").join("glance");
        let venv = base.join("venv");
        Paths {
            root: root.to_path_buf(),
            carried: root.join("xtask").join("glance"),
            stamp: venv.join("cloud-images-requirements.txt"),
            venv,
            etc: base.join("etc"),
            data: base.join("data"),
            pidfile: base.join("glance.pid"),
            log: base.join("glance.log"),
            pip_log: base.join("pip.log"),
            endpoint: base.join("endpoint"),
        }
    }

    /// A path as the user should read it: relative to the project root.
    fn show(&self, path: &Path) -> String {
        path.strip_prefix(&self.root)
            .unwrap_or(path)
            .display()
            .to_string()
    }

    fn bin(&self, name: &str) -> PathBuf {
        self.venv.join("bin").join(name)
    }
}

fn start(p: &Paths) -> Result<(), String> {
    if let Some(pid) = running_pid(p) {
        let endpoint = fs::read_to_string(&p.endpoint).unwrap_or_default();
        if answers(&endpoint) {
            println!("Glance is already running (pid {pid}) at {endpoint}");
            print_hint(p, &endpoint);
            return Ok(());
        }
        return Err(format!(
            "a Glance process (pid {pid}) is running but does not answer at `{endpoint}`; \
             run `cargo xtask glance stop`, then start again (log: {})",
            p.show(&p.log)
        ));
    }
    // Nothing of ours is running: forget what a crashed run left behind.
    remove_state(p)?;

    let port = port_from_env()?;
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    if TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_ok() {
        return Err(format!(
            "port {port} on 127.0.0.1 is already used by another program; \
             set {PORT_ENV} to a free port"
        ));
    }

    ensure_venv(p)?;
    write_config(p, port)?;
    db_sync(p)?;
    let started = Instant::now();
    serve(p, port)?;
    if let Err(e) = wait_ready(p, port) {
        // Do not leave a half-started server behind.
        let _ = stop(p);
        return Err(e);
    }

    let endpoint = format!("http://127.0.0.1:{port}");
    // No trailing newline, so that readers may use the file's text as is.
    fs::write(&p.endpoint, &endpoint)
        .map_err(|e| format!("cannot write {}: {e}", p.show(&p.endpoint)))?;
    println!(
        "Glance 33.0.0 is ready at {endpoint} (started in {:.1} s; log: {})",
        started.elapsed().as_secs_f64(),
        p.show(&p.log)
    );
    print_hint(p, &endpoint);
    Ok(())
}

fn print_hint(p: &Paths, endpoint: &str) {
    println!("base URL: {endpoint} (also in {})", p.show(&p.endpoint));
    println!("for a tool or a hand-run test:\n  export {URL_ENV}={endpoint}");
    println!("it runs without Keystone: send these headers on every request (401 without them):");
    for (name, value) in IDENTITY_HEADERS {
        println!("  {name}: {value}");
    }
    println!("  (add `admin` to X-Roles for admin calls)");
    let curl_headers: String = IDENTITY_HEADERS
        .iter()
        .map(|(name, value)| format!(" -H '{name}: {value}'"))
        .collect();
    println!("try:\n  curl{curl_headers} {endpoint}/v2/images");
}

fn port_from_env() -> Result<u16, String> {
    match std::env::var(PORT_ENV) {
        Err(_) => Ok(DEFAULT_PORT),
        Ok(text) => match text.trim().parse::<u16>() {
            Ok(port) if port != 0 => Ok(port),
            _ => Err(format!(
                "{PORT_ENV}=`{text}` is not a port number (1-65535)"
            )),
        },
    }
}

// ---------------------------------------------------------------- install

/// Builds the venv unless it was built from the current requirements.
fn ensure_venv(p: &Paths) -> Result<(), String> {
    let requirements = p.carried.join("requirements.txt");
    let wanted = fs::read_to_string(&requirements)
        .map_err(|e| format!("cannot read {}: {e}", p.show(&requirements)))?;
    let built_from = fs::read_to_string(&p.stamp).ok();
    if built_from.as_deref() == Some(wanted.as_str()) && p.bin("uwsgi").exists() {
        println!("reusing the Glance install in {}", p.show(&p.venv));
        return Ok(());
    }

    let version = python_version()?;
    println!(
        "installing Glance 33.0.0 into {} with {version} (about 40 s; pip output: {})…",
        p.show(&p.venv),
        p.show(&p.pip_log)
    );
    let begun = Instant::now();
    // Start from scratch: a venv from other pins or an interrupted install
    // must not leak packages into this one.
    if p.venv.exists() {
        fs::remove_dir_all(&p.venv)
            .map_err(|e| format!("cannot remove the old {}: {e}", p.show(&p.venv)))?;
    }
    if let Some(parent) = p.pip_log.parent() {
        fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    fs::write(&p.pip_log, "").map_err(|e| format!("cannot write {}: {e}", p.show(&p.pip_log)))?;

    println!("  creating the virtualenv");
    let venv = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&p.venv)
        .output()
        .map_err(|e| format!("cannot run python3: {e}"))?;
    if !venv.status.success() {
        return Err(format!(
            "`python3 -m venv` failed (on Debian, install it with `apt-get install python3-venv`):\n{}",
            tail(&combined(&venv), 20)
        ));
    }

    let pip = p.bin("pip");
    println!("  upgrading pip, setuptools and wheel");
    logged(
        Command::new(&pip).args([
            "install",
            "--no-input",
            "--upgrade",
            "pip",
            "setuptools",
            "wheel",
        ]),
        &p.pip_log,
    )
    .map_err(|e| pip_failed(p, &e))?;

    println!("  installing the pinned packages (uWSGI compiles with gcc)");
    logged(
        Command::new(&pip)
            .args(["install", "--no-input", "-r"])
            .arg(&requirements),
        &p.pip_log,
    )
    .map_err(|e| pip_failed(p, &e))?;

    // Written last, so that an interrupted install is redone next time.
    fs::write(&p.stamp, &wanted).map_err(|e| format!("cannot write {}: {e}", p.show(&p.stamp)))?;
    println!("installed in {:.0} s", begun.elapsed().as_secs_f64());
    Ok(())
}

fn python_version() -> Result<String, String> {
    let out = Command::new("python3").arg("--version").output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            "python3 was not found on PATH. Glance needs Python 3.11 with venv support and \
             headers to build uWSGI; on Debian: `apt-get install python3 python3-venv python3-dev gcc`"
                .to_string()
        } else {
            format!("cannot run python3: {e}")
        }
    })?;
    Ok(combined(&out).trim().to_string())
}

fn pip_failed(p: &Paths, error: &str) -> String {
    let log = fs::read_to_string(&p.pip_log).unwrap_or_default();
    // A failed uWSGI build is the other usual cause, and needs another fix.
    let hint = if log.contains("Python.h") || log.contains("Failed building wheel for uWSGI") {
        "\nuWSGI did not compile: install gcc and the Python headers \
         (on Debian: `apt-get install gcc python3-dev`)."
    } else {
        ""
    };
    format!(
        "could not install the pinned Glance packages from PyPI: is the network reachable? \
         ({error}){hint}\nlast lines of {}:\n{}",
        p.show(&p.pip_log),
        tail(&log, 25)
    )
}

/// Runs a command with its output appended to `log`.
fn logged(cmd: &mut Command, log: &Path) -> Result<(), String> {
    let file = fs::OpenOptions::new()
        .append(true)
        .open(log)
        .map_err(|e| format!("cannot open {}: {e}", log.display()))?;
    let err = file.try_clone().map_err(|e| e.to_string())?;
    let status = cmd
        .stdin(Stdio::null())
        .stdout(file)
        .stderr(err)
        .status()
        .map_err(|e| format!("cannot run {:?}: {e}", cmd.get_program()))?;
    if status.success() {
        Ok(())
    } else {
        Err(status.to_string())
    }
}

// ---------------------------------------------------------------- serve

/// Writes a fresh configuration and an empty data folder, so that every
/// start gives the tests an empty server.
fn write_config(p: &Paths, port: u16) -> Result<(), String> {
    for dir in [&p.data, &p.etc] {
        if dir.exists() {
            fs::remove_dir_all(dir).map_err(|e| format!("cannot remove {}: {e}", p.show(dir)))?;
        }
    }
    for dir in [
        p.etc.clone(),
        p.data.join("images"),
        p.data.join("staging"),
        p.data.join("tasks"),
        p.data.join("locks"),
    ] {
        fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", p.show(&dir)))?;
    }
    let utf8 = |path: &Path| {
        path.to_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("the path {} is not UTF-8", path.display()))
    };
    let (etc, data) = (utf8(&p.etc)?, utf8(&p.data)?);
    // The paste ini is carried whole, not patched from the wheel's copy: the
    // wheel is pinned, and a checked-in file is easier to review (see its
    // header).
    for name in [
        "glance-api.conf",
        "glance-api-paste.ini",
        "schema-image.json",
    ] {
        let from = p.carried.join(name);
        let text =
            fs::read_to_string(&from).map_err(|e| format!("cannot read {}: {e}", p.show(&from)))?;
        let text = text
            .replace("@PORT@", &port.to_string())
            .replace("@ETC_DIR@", &etc)
            .replace("@DATA_DIR@", &data);
        let to = p.etc.join(name);
        fs::write(&to, text).map_err(|e| format!("cannot write {}: {e}", p.show(&to)))?;
    }
    Ok(())
}

fn db_sync(p: &Paths) -> Result<(), String> {
    let out = Command::new(p.bin("glance-manage"))
        .arg("--config-file")
        .arg(p.etc.join("glance-api.conf"))
        .arg("db_sync")
        .env("OS_GLANCE_CONFIG_DIR", &p.etc)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run glance-manage: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "`glance-manage db_sync` failed (if python3 changed since the install, \
             delete {} and start again):\n{}",
            p.show(&p.venv),
            tail(&combined(&out), 30)
        ))
    }
}

/// Starts uWSGI as RECIPE.md says; it daemonizes and writes the pidfile.
fn serve(p: &Paths, port: u16) -> Result<(), String> {
    let _ = fs::remove_file(&p.log);
    let log =
        fs::File::create(&p.log).map_err(|e| format!("cannot create {}: {e}", p.show(&p.log)))?;
    let err = log.try_clone().map_err(|e| e.to_string())?;
    let status = Command::new(p.bin("uwsgi"))
        .arg("--http-socket")
        .arg(format!("127.0.0.1:{port}"))
        .args(["--module", "glance.wsgi.api:application"])
        .args([
            "--master",
            "--processes",
            &WORKERS.to_string(),
            "--threads",
            "1",
        ])
        .args(["--enable-threads", "--lazy-apps"])
        .args([
            "--http-raw-body",
            "--http-chunked-input",
            "--http-auto-chunked",
        ])
        .args(["--buffer-size", "65535", "--die-on-term"])
        // uWSGI's http-socket closes the connection after every response
        // without saying so; a pooling client (ureq, requests) then races
        // the close and gets "connection reset" on its next request. Saying
        // it lets clients open a new connection instead.
        .args(["--add-header", "Connection: close"])
        .arg("--pidfile")
        .arg(&p.pidfile)
        .arg("--daemonize2")
        .arg(&p.log)
        .env("OS_GLANCE_CONFIG_DIR", &p.etc)
        .current_dir(p.etc.parent().unwrap_or(&p.root))
        .stdin(Stdio::null())
        // Anything printed before uWSGI daemonizes goes to the same log, not
        // to a pipe that the daemon could keep open.
        .stdout(log)
        .stderr(err)
        .status()
        .map_err(|e| format!("cannot run uwsgi: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "uwsgi failed to start ({status}):\n{}",
            log_tail(p)
        ))
    }
}

fn wait_ready(p: &Paths, port: u16) -> Result<(), String> {
    let deadline = Instant::now() + READY_TIMEOUT;
    loop {
        let log = fs::read_to_string(&p.log).unwrap_or_default();
        if log.matches(READY_LINE).count() >= WORKERS && probe(port) == Some(200) {
            return Ok(());
        }
        // A worker that cannot import the app keeps running and answers 500:
        // fail now rather than after the timeout.
        if log.contains("no app loaded") {
            return Err(format!("Glance failed to load:\n{}", tail(&log, 40)));
        }
        // uWSGI writes the pidfile before and again after it daemonizes; once
        // it logs "spawned uWSGI master process" the file holds the master.
        let spawned = log.contains("spawned uWSGI master process");
        if let Some(pid) = read_pid(p).filter(|&pid| spawned && !alive(pid)) {
            return Err(format!(
                "uWSGI (pid {pid}) exited during start-up:\n{}",
                tail(&log, 30)
            ));
        }
        if Instant::now() > deadline {
            return Err(format!(
                "Glance did not answer on port {port} within {} s; last lines of {}:\n{}",
                READY_TIMEOUT.as_secs(),
                p.show(&p.log),
                tail(&log, 30)
            ));
        }
        sleep(Duration::from_millis(100));
    }
}

// ---------------------------------------------------------------- stop, status

fn stop(p: &Paths) -> Result<(), String> {
    let Some(pid) = running_pid(p) else {
        println!("Glance is not running");
        return remove_state(p);
    };
    // With --die-on-term the master stops its workers on SIGTERM.
    signal("-TERM", pid);
    // The master waits for its workers, which can hang (a worker interrupted
    // while importing Glance keeps running). Workers exit by themselves once
    // the master is gone.
    if !wait_gone(pid, Duration::from_secs(5)) {
        signal("-KILL", pid);
        if !wait_gone(pid, Duration::from_secs(2)) {
            return Err(format!("Glance (pid {pid}) survived SIGKILL"));
        }
    }
    remove_state(p)?;
    println!("stopped Glance (pid {pid})");
    Ok(())
}

fn status(p: &Paths) -> Result<(), String> {
    let Some(pid) = running_pid(p) else {
        return Err("Glance is not running (start it with `cargo xtask glance start`)".into());
    };
    let endpoint = fs::read_to_string(&p.endpoint).unwrap_or_default();
    if answers(&endpoint) {
        println!("Glance is running (pid {pid}) at {endpoint}");
        Ok(())
    } else {
        Err(format!(
            "Glance (pid {pid}) is running but does not answer at `{endpoint}` (log: {})",
            p.show(&p.log)
        ))
    }
}

fn remove_state(p: &Paths) -> Result<(), String> {
    for file in [&p.pidfile, &p.endpoint] {
        match fs::remove_file(file) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(format!("cannot remove {}: {e}", p.show(file)));
            }
            _ => {}
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- processes

fn read_pid(p: &Paths) -> Option<u32> {
    fs::read_to_string(&p.pidfile).ok()?.trim().parse().ok()
}

/// The pid in the pidfile, if that process is alive.
fn running_pid(p: &Paths) -> Option<u32> {
    read_pid(p).filter(|&pid| alive(pid))
}

fn alive(pid: u32) -> bool {
    // A pidfile that survived a reboot may name someone else's process, and a
    // zombie still passes `kill -0`: where /proc exists, also require uwsgi.
    let not_uwsgi = fs::read(format!("/proc/{pid}/cmdline"))
        .is_ok_and(|cmdline| !String::from_utf8_lossy(&cmdline).contains("uwsgi"));
    !not_uwsgi && signal("-0", pid)
}

fn signal(sig: &str, pid: u32) -> bool {
    Command::new("kill")
        .args([sig, &pid.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn wait_gone(pid: u32, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while alive(pid) {
        if Instant::now() > deadline {
            return false;
        }
        sleep(Duration::from_millis(100));
    }
    true
}

// ---------------------------------------------------------------- HTTP probe

/// Whether `endpoint` (as written to the endpoint file) answers the probe.
fn answers(endpoint: &str) -> bool {
    endpoint
        .trim()
        .strip_prefix("http://127.0.0.1:")
        .and_then(|port| port.parse().ok())
        .is_some_and(|port| probe(port) == Some(200))
}

/// The status code of an authenticated `GET /v2/schemas/member`, if any.
fn probe(port: u16) -> Option<u16> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(1)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    stream
        .set_write_timeout(Some(Duration::from_secs(5)))
        .ok()?;
    let mut request = format!("GET /v2/schemas/member HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n");
    for (name, value) in IDENTITY_HEADERS {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("Accept: application/json\r\nConnection: close\r\n\r\n");
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
    let head = String::from_utf8_lossy(&head);
    head.split_whitespace().nth(1)?.parse().ok()
}

// ---------------------------------------------------------------- text

fn combined(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

fn log_tail(p: &Paths) -> String {
    tail(&fs::read_to_string(&p.log).unwrap_or_default(), 30)
}
