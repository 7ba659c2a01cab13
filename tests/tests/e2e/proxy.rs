//! A fault-injecting TCP proxy on loopback in front of the test Glance.
//!
//! Glance answers every request with `Connection: close`, so each
//! connection carries one request: the proxy reads its head, and for the
//! first `n` connections injects the fault instead of (or after)
//! forwarding it. It records the request line of every request that
//! reached Glance, so a test can count them. It stops when dropped, and
//! by itself after two minutes.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// The loopback ports these tests may listen on.
const PORTS: std::ops::RangeInclusive<u16> = 19340..=19359;
const LIFETIME: Duration = Duration::from_secs(120);

/// What the proxy does to the first connections.
#[derive(Debug, Clone, Copy)]
pub enum Fault {
    /// Resets the connection once the request has arrived, before Glance sees it.
    Reset,
    /// Answers 503 without forwarding.
    ServiceUnavailable,
    /// Answers 429 with `Retry-After` of this many seconds, without
    /// forwarding, as a rate limiter in front of Glance would.
    TooManyRequests { retry_after_s: u32 },
    /// Holds the request without forwarding or answering, for this long.
    Stall(Duration),
    /// Reads the request head and this many bytes of its body, answers 413
    /// without forwarding, and closes with the rest of the body unread, as
    /// uWSGI does when Glance refuses an upload part-way (its size cap or a
    /// quota): with unread data, closing sends a reset.
    RefuseMidBody { after: usize },
    /// Forwards the request, lets Glance answer, and closes the client's
    /// connection without passing the answer on: the request took effect
    /// but its answer was lost.
    LoseAnswer,
}

struct State {
    fault: Fault,
    faults_left: AtomicU32,
    reached_glance: Mutex<Vec<String>>,
    seen: Mutex<Vec<(Instant, String)>>,
    stop: AtomicBool,
}

/// A running proxy.
pub struct FaultProxy {
    address: SocketAddr,
    state: Arc<State>,
    thread: Option<thread::JoinHandle<()>>,
}

impl FaultProxy {
    /// A proxy to the Glance at `upstream_url` that injects `fault` into
    /// the first `first` connections.
    pub fn start(upstream_url: &str, fault: Fault, first: u32) -> FaultProxy {
        let upstream: SocketAddr = upstream_url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .expect("the test Glance listens on an IP address and port");
        let listener = PORTS
            .clone()
            .find_map(|port| TcpListener::bind(("127.0.0.1", port)).ok())
            .expect("a free port in 19340-19359");
        listener.set_nonblocking(true).expect("non-blocking");
        let address = listener.local_addr().expect("address");
        let state = Arc::new(State {
            fault,
            faults_left: AtomicU32::new(first),
            reached_glance: Mutex::new(Vec::new()),
            seen: Mutex::new(Vec::new()),
            stop: AtomicBool::new(false),
        });
        let shared = Arc::clone(&state);
        let thread = thread::spawn(move || accept(listener, upstream, shared));
        FaultProxy {
            address,
            state,
            thread: Some(thread),
        }
    }

    /// The proxy's base URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The request lines (`POST /v2/images`) that reached Glance.
    pub fn reached_glance(&self) -> Vec<String> {
        self.state.reached_glance.lock().unwrap().clone()
    }

    /// The request lines the proxy received, faulted or not.
    pub fn seen(&self) -> Vec<String> {
        let seen = self.state.seen.lock().unwrap();
        seen.iter().map(|(_, line)| line.clone()).collect()
    }

    /// The time between each request the proxy received and the next.
    pub fn gaps(&self) -> Vec<Duration> {
        let seen = self.state.seen.lock().unwrap();
        seen.windows(2)
            .map(|pair| pair[1].0.duration_since(pair[0].0))
            .collect()
    }

    /// How many requests with `method` reached Glance.
    pub fn reached(&self, method: &str) -> usize {
        self.reached_glance()
            .iter()
            .filter(|line| line.starts_with(&format!("{method} ")))
            .count()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.state.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn accept(listener: TcpListener, upstream: SocketAddr, state: Arc<State>) {
    let started = Instant::now();
    while !state.stop.load(Ordering::Relaxed) && started.elapsed() < LIFETIME {
        match listener.accept() {
            Ok((client, _)) => {
                let state = Arc::clone(&state);
                thread::spawn(move || {
                    let _ = connection(client, upstream, &state);
                });
            }
            Err(_) => thread::sleep(Duration::from_millis(5)),
        }
    }
}

fn connection(mut client: TcpStream, upstream: SocketAddr, state: &State) -> std::io::Result<()> {
    client.set_nonblocking(false)?;
    client.set_read_timeout(Some(Duration::from_secs(10)))?;
    let faulted = state
        .faults_left
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
            left.checked_sub(1)
        })
        .is_ok();
    if faulted && matches!(state.fault, Fault::Reset) {
        // Wait for the request, leave it unread, and close: with unread
        // data the kernel answers with a reset.
        let mut byte = [0u8; 1];
        client.peek(&mut byte)?;
        let line = peek_line(&client)?;
        state.seen.lock().unwrap().push((Instant::now(), line));
        drop(client);
        return Ok(());
    }
    let head = read_head(&mut client)?;
    let line = request_line(&head);
    state
        .seen
        .lock()
        .unwrap()
        .push((Instant::now(), line.clone()));
    if faulted {
        match state.fault {
            Fault::ServiceUnavailable => {
                return answer(&mut client, "503 Service Unavailable", "");
            }
            Fault::TooManyRequests { retry_after_s } => {
                let header = format!("Retry-After: {retry_after_s}\r\n");
                return answer(&mut client, "429 Too Many Requests", &header);
            }
            Fault::RefuseMidBody { after } => {
                let body_start = head
                    .windows(4)
                    .position(|window| window == b"\r\n\r\n")
                    .map_or(head.len(), |at| at + 4);
                let mut left = after.saturating_sub(head.len() - body_start);
                let mut buffer = [0u8; 65536];
                while left > 0 {
                    let n = client.read(&mut buffer[..left.min(65536)])?;
                    if n == 0 {
                        break;
                    }
                    left -= n;
                }
                let body = "{\"title\": \"Request Entity Too Large\", \"message\": \"Image exceeds the storage quota\"}";
                write!(
                    client,
                    "HTTP/1.1 413 Request Entity Too Large\r\nContent-Type: application/json\r\n\
                     Content-Length: {}\r\nx-openstack-request-id: req-refused\r\n\
                     Connection: close\r\n\r\n{body}",
                    body.len()
                )?;
                // Closed with the body unread: the kernel sends a reset.
                return Ok(());
            }
            Fault::Stall(duration) => {
                thread::sleep(duration);
                return Ok(());
            }
            Fault::Reset | Fault::LoseAnswer => {}
        }
    }
    let mut glance = TcpStream::connect(upstream)?;
    glance.write_all(&head)?;
    state.reached_glance.lock().unwrap().push(line);
    // The rest of the body, if any, goes on while the answer comes back.
    let mut from_client = client.try_clone()?;
    let mut to_glance = glance.try_clone()?;
    let body = thread::spawn(move || {
        let _ = std::io::copy(&mut from_client, &mut to_glance);
    });
    let mut answer = Vec::new();
    glance.read_to_end(&mut answer)?;
    if !(faulted && matches!(state.fault, Fault::LoseAnswer)) {
        client.write_all(&answer)?;
    }
    let _ = client.shutdown(Shutdown::Both);
    let _ = body.join();
    Ok(())
}

/// Answers with `status` and the extra header lines instead of Glance,
/// and closes.
fn answer(client: &mut TcpStream, status: &str, headers: &str) -> std::io::Result<()> {
    let reason = status.split_once(' ').map_or(status, |(_, reason)| reason);
    write!(
        client,
        "HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\
         {headers}Connection: close\r\n\r\n{reason}",
        reason.len()
    )?;
    let _ = client.shutdown(Shutdown::Write);
    // Let the client read the answer before the socket goes.
    thread::sleep(Duration::from_millis(50));
    Ok(())
}

/// The request head up to and including the blank line, and whatever of the
/// body came with it.
fn read_head(client: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::new();
    let mut buffer = [0u8; 4096];
    while !head.windows(4).any(|window| window == b"\r\n\r\n") {
        let n = client.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buffer[..n]);
    }
    Ok(head)
}

fn request_line(head: &[u8]) -> String {
    let text = String::from_utf8_lossy(head);
    let line = text.lines().next().unwrap_or_default();
    // `PUT /v2/images/x/tags/y HTTP/1.1` → `PUT /v2/images/x/tags/y`
    line.rsplit_once(' ')
        .map_or(line, |(start, _)| start)
        .to_owned()
}

fn peek_line(client: &TcpStream) -> std::io::Result<String> {
    let mut buffer = [0u8; 512];
    let n = client.peek(&mut buffer)?;
    Ok(request_line(&buffer[..n]))
}
