//! When a request is sent again, and after how long.
//!
//! Only requests that are safe to repeat are retried: `GET`, `HEAD`,
//! `DELETE`, and the `PUT` of a tag (adding a tag twice leaves one tag).
//! `POST`, `PATCH`, member updates and every request whose body is a stream
//! (upload, stage) are never sent twice by this crate: a `POST` whose
//! answer was lost may already have created an image.
//!
//! A safe request is retried after a failure to connect or a connection
//! lost before any response, a timeout waiting for the response, and the
//! statuses 502, 503 and 504 (a proxy or Glance that is restarting or
//! overloaded) and 429 (rate limited; its `Retry-After` is honoured).
//!
//! A `DELETE` that is retried after its first attempt got no answer may have
//! deleted the resource already, so a 404 to the retry counts as done.

use std::time::Duration;

use http::{HeaderMap, Method, StatusCode};

use crate::transport::TransportErrorKind;

/// How often and how patiently to retry. Exponential backoff, capped, with
/// full jitter (each wait is random between zero and the capped backoff),
/// so that many clients do not retry in step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt; 0 turns retrying off.
    pub max_retries: u32,
    /// The backoff before the first retry; it doubles for each one after.
    pub initial_backoff: Duration,
    /// The most any backoff may be.
    pub max_backoff: Duration,
    /// The longest `Retry-After` that is waited for; a 429 or 503 asking for
    /// longer is returned to the caller instead.
    pub max_retry_after: Duration,
    /// Whether waits are randomised (on by default; off makes them exact,
    /// for tests).
    pub jitter: bool,
}

impl Default for RetryPolicy {
    /// Three retries, from 200 ms up to 5 s, with jitter.
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(60),
            jitter: true,
        }
    }
}

/// How one attempt ended, as far as retrying cares.
#[derive(Debug, Clone, Copy)]
pub enum Attempt<'a> {
    /// A response arrived.
    Response {
        /// Its status.
        status: StatusCode,
        /// Its headers (for `Retry-After`).
        headers: &'a HeaderMap,
    },
    /// The HTTP stack failed before a complete response.
    Failed(TransportErrorKind),
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> RetryPolicy {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// How long to wait before sending again, or `None` to stop: after
    /// attempt number `attempt` (0 for the first) of a request that
    /// `repeatable` says is safe to send again ended as `outcome`.
    pub fn retry_after(
        &self,
        repeatable: bool,
        attempt: u32,
        outcome: Attempt<'_>,
    ) -> Option<Duration> {
        if !repeatable || attempt >= self.max_retries {
            return None;
        }
        let backoff = self.backoff(attempt);
        match outcome {
            Attempt::Failed(kind) => match kind {
                TransportErrorKind::Dns
                | TransportErrorKind::ConnectRefused
                | TransportErrorKind::Connect
                | TransportErrorKind::Reset
                | TransportErrorKind::Timeout => Some(backoff),
                // A body cut off mid-way was answered; a TLS or protocol
                // failure will fail again the same way.
                _ => None,
            },
            Attempt::Response { status, headers } => match status.as_u16() {
                429 | 503 => match retry_after_header(headers) {
                    Some(asked) if asked > self.max_retry_after => None,
                    Some(asked) => Some(asked),
                    None => Some(backoff),
                },
                502 | 504 => Some(backoff),
                _ => None,
            },
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let exponential = self
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(attempt.min(30)));
        let capped = exponential.min(self.max_backoff);
        if self.jitter {
            capped.mul_f64(fastrand::f64())
        } else {
            capped
        }
    }
}

/// Whether a request may be sent more than once: `GET`, `HEAD`, `DELETE`,
/// and `PUT` of a tag (`path_template` ending in `/tags/{tag}`).
pub fn is_repeatable(method: &Method, path_template: &str) -> bool {
    match *method {
        Method::GET | Method::HEAD | Method::DELETE => true,
        // Adding a tag twice leaves one tag; queueing an image for caching
        // twice leaves it queued once.
        Method::PUT => {
            path_template.ends_with("/tags/{tag}") || path_template == "/v2/cache/{image_id}"
        }
        _ => false,
    }
}

/// The status a response counts as: a 404 to a `DELETE` that is being
/// retried means an earlier attempt deleted it, which is the success asked for.
pub fn settle_status(method: &Method, attempt: u32, status: StatusCode) -> StatusCode {
    if attempt > 0 && *method == Method::DELETE && status == StatusCode::NOT_FOUND {
        StatusCode::NO_CONTENT
    } else {
        status
    }
}

/// `Retry-After` in seconds (the HTTP-date form is not used by Glance or
/// the proxies in front of it, and falls back to the backoff).
fn retry_after_header(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(http::header::RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// What a client does after one attempt of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Hand the response (or the failure) to the caller.
    Done,
    /// Log in again and send the request once more, at once.
    Reauthenticate,
    /// Send the request again after this wait.
    Retry(Duration),
}

/// The sans-IO state of one request across its attempts: both clients
/// drive their send loop with it, so that they retry and re-authenticate
/// alike.
#[derive(Debug)]
pub struct Exchange {
    method: Method,
    repeatable: bool,
    replayable: bool,
    attempt: u32,
    reauthenticated: bool,
}

impl Exchange {
    /// A request with `method`; `repeatable` when it is safe to send more
    /// than once, `replayable` when its body can be sent again.
    pub fn new(method: Method, repeatable: bool, replayable: bool) -> Exchange {
        Exchange {
            method,
            repeatable: repeatable && replayable,
            replayable,
            attempt: 0,
            reauthenticated: false,
        }
    }

    /// The attempt about to be sent or just sent, 0 for the first.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// After a response: `unauthorized_may_recover` is what the token source
    /// said about a 401 (only asked for a 401).
    pub fn after_response(
        &mut self,
        policy: &RetryPolicy,
        status: StatusCode,
        headers: &HeaderMap,
        unauthorized_may_recover: impl FnOnce() -> bool,
    ) -> Next {
        if status == StatusCode::UNAUTHORIZED
            && self.replayable
            && !self.reauthenticated
            && unauthorized_may_recover()
        {
            self.reauthenticated = true;
            return Next::Reauthenticate;
        }
        match policy.retry_after(
            self.repeatable,
            self.attempt,
            Attempt::Response { status, headers },
        ) {
            Some(wait) => {
                self.attempt += 1;
                Next::Retry(wait)
            }
            None => Next::Done,
        }
    }

    /// After the HTTP stack failed with `kind`.
    pub fn after_failure(&mut self, policy: &RetryPolicy, kind: TransportErrorKind) -> Next {
        match policy.retry_after(self.repeatable, self.attempt, Attempt::Failed(kind)) {
            Some(wait) => {
                self.attempt += 1;
                Next::Retry(wait)
            }
            None => Next::Done,
        }
    }

    /// The status the final response counts as (see [`settle_status`]).
    pub fn settle(&self, status: StatusCode) -> StatusCode {
        settle_status(&self.method, self.attempt, status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact() -> RetryPolicy {
        RetryPolicy {
            jitter: false,
            ..RetryPolicy::default()
        }
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_and_stops_after_max_retries() {
        let policy = RetryPolicy {
            max_backoff: Duration::from_millis(500),
            ..exact()
        };
        let failed = Attempt::Failed(TransportErrorKind::Reset);
        assert_eq!(
            policy.retry_after(true, 0, failed),
            Some(Duration::from_millis(200))
        );
        assert_eq!(
            policy.retry_after(true, 1, failed),
            Some(Duration::from_millis(400))
        );
        assert_eq!(
            policy.retry_after(true, 2, failed),
            Some(Duration::from_millis(500))
        );
        assert_eq!(policy.retry_after(true, 3, failed), None);
        assert_eq!(RetryPolicy::none().retry_after(true, 0, failed), None);
    }

    #[test]
    fn jitter_stays_within_the_backoff() {
        let policy = RetryPolicy::default();
        for _ in 0..100 {
            let wait = policy
                .retry_after(true, 1, Attempt::Failed(TransportErrorKind::Timeout))
                .unwrap();
            assert!(wait <= Duration::from_millis(400));
        }
    }

    #[test]
    fn only_safe_requests_and_transient_answers_are_retried() {
        let headers = HeaderMap::new();
        let status = |code: u16| Attempt::Response {
            status: StatusCode::from_u16(code).unwrap(),
            headers: &headers,
        };
        for code in [429, 502, 503, 504] {
            assert!(
                exact().retry_after(true, 0, status(code)).is_some(),
                "{code}"
            );
            assert!(
                exact().retry_after(false, 0, status(code)).is_none(),
                "{code}"
            );
        }
        for code in [200, 400, 401, 404, 409, 500, 501] {
            assert!(
                exact().retry_after(true, 0, status(code)).is_none(),
                "{code}"
            );
        }
        assert!(
            exact()
                .retry_after(true, 0, Attempt::Failed(TransportErrorKind::Tls))
                .is_none()
        );
        assert!(
            exact()
                .retry_after(true, 0, Attempt::Failed(TransportErrorKind::ResetMidBody))
                .is_none()
        );

        assert!(is_repeatable(&Method::GET, "/v2/images"));
        assert!(is_repeatable(&Method::DELETE, "/v2/images/{image_id}"));
        assert!(is_repeatable(
            &Method::PUT,
            "/v2/images/{image_id}/tags/{tag}"
        ));
        assert!(!is_repeatable(&Method::PUT, "/v2/images/{image_id}/file"));
        assert!(is_repeatable(&Method::PUT, "/v2/cache/{image_id}"));
        assert!(!is_repeatable(
            &Method::POST,
            "/v2/images/{image_id}/locations"
        ));
        assert!(!is_repeatable(
            &Method::PUT,
            "/v2/images/{image_id}/members/{member_id}"
        ));
        assert!(!is_repeatable(&Method::POST, "/v2/images"));
        assert!(!is_repeatable(&Method::PATCH, "/v2/images/{image_id}"));
    }

    #[test]
    fn retry_after_is_honoured_up_to_its_limit() {
        let mut headers = HeaderMap::new();
        headers.insert(http::header::RETRY_AFTER, "2".parse().unwrap());
        let answer = Attempt::Response {
            status: StatusCode::TOO_MANY_REQUESTS,
            headers: &headers,
        };
        assert_eq!(
            exact().retry_after(true, 0, answer),
            Some(Duration::from_secs(2))
        );
        headers.insert(http::header::RETRY_AFTER, "3600".parse().unwrap());
        let answer = Attempt::Response {
            status: StatusCode::TOO_MANY_REQUESTS,
            headers: &headers,
        };
        assert_eq!(exact().retry_after(true, 0, answer), None);
    }

    #[test]
    fn a_retried_delete_that_finds_nothing_is_done() {
        assert_eq!(
            settle_status(&Method::DELETE, 1, StatusCode::NOT_FOUND),
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            settle_status(&Method::DELETE, 0, StatusCode::NOT_FOUND),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            settle_status(&Method::GET, 1, StatusCode::NOT_FOUND),
            StatusCode::NOT_FOUND
        );
    }
}
