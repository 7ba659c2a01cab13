//! The `tracing` span every request runs in, and the path template that
//! names the call in it without the ids (which would make every span name
//! unique) or anything from the query.
//!
//! A span carries `method`, `path` (the template, such as
//! `/v2/images/{image_id}/tags/{tag}`), `attempt`, and, once known,
//! `status`, `duration_ms` and `request_id` (Glance's
//! `x-openstack-request-id`). Headers are never recorded, so neither is the
//! token.

use std::time::Instant;

use http::{HeaderMap, Method, StatusCode};
use tracing::Span;
use tracing::field::Empty;

/// `path` with every id replaced by a placeholder. `path` is the request's
/// path after the service prefix, starting with `/v2/`.
pub fn path_template(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut previous = "";
    for (index, segment) in path.trim_start_matches('/').split('/').enumerate() {
        out.push('/');
        let placeholder = match (index, previous) {
            (2, "images") => Some("{image_id}"),
            (2, "tasks") => Some("{task_id}"),
            (2, "cache") => Some("{image_id}"),
            (2, "stores") => Some("{store_id}"),
            (3, "{store_id}") => Some("{image_id}"),
            (4, "members") => Some("{member_id}"),
            (4, "tags") => Some("{tag}"),
            _ => None,
        };
        // The placeholder, so that a segment can follow an id it names.
        previous = placeholder.unwrap_or(segment);
        out.push_str(previous);
    }
    out
}

/// One request's span and its start time.
#[derive(Debug)]
pub struct RequestSpan {
    span: Span,
    started: Instant,
}

impl RequestSpan {
    /// Opens the span of attempt `attempt` (0 for the first) of a request.
    pub fn new(method: &Method, template: &str, attempt: u32) -> RequestSpan {
        let span = tracing::info_span!(
            "glance_request",
            method = %method,
            path = template,
            attempt,
            status = Empty,
            duration_ms = Empty,
            request_id = Empty,
            error = Empty,
        );
        RequestSpan {
            span,
            started: Instant::now(),
        }
    }

    /// The span, to enter around the I/O.
    pub fn span(&self) -> &Span {
        &self.span
    }

    /// Records the response's status and request id.
    pub fn response(&self, status: StatusCode, headers: &HeaderMap) {
        self.span.record("status", status.as_u16());
        if let Some(id) = headers
            .get("x-openstack-request-id")
            .and_then(|value| value.to_str().ok())
        {
            self.span.record("request_id", id);
        }
    }

    /// Records a failure of the HTTP stack.
    pub fn failed(&self, error: &dyn std::fmt::Display) {
        self.span.record("error", tracing::field::display(error));
    }

    /// Records the time since the span opened; call once the exchange is done.
    pub fn finish(&self) {
        let elapsed = self.started.elapsed();
        self.span
            .record("duration_ms", elapsed.as_secs_f64() * 1000.0);
    }
}

#[cfg(test)]
mod tests {
    use super::path_template;

    #[test]
    fn ids_become_placeholders() {
        for (path, template) in [
            ("/v2/images", "/v2/images"),
            ("/v2/images/abc", "/v2/images/{image_id}"),
            ("/v2/images/abc/file", "/v2/images/{image_id}/file"),
            (
                "/v2/images/abc/tags/red",
                "/v2/images/{image_id}/tags/{tag}",
            ),
            (
                "/v2/images/abc/members/p1",
                "/v2/images/{image_id}/members/{member_id}",
            ),
            (
                "/v2/images/abc/actions/deactivate",
                "/v2/images/{image_id}/actions/deactivate",
            ),
            ("/v2/images/abc/tasks", "/v2/images/{image_id}/tasks"),
            ("/v2/tasks/t1", "/v2/tasks/{task_id}"),
            ("/v2/schemas/image", "/v2/schemas/image"),
            ("/v2/cache", "/v2/cache"),
            ("/v2/cache/abc", "/v2/cache/{image_id}"),
            ("/v2/stores/fs/abc", "/v2/stores/{store_id}/{image_id}"),
            ("/v2/info/stores/detail", "/v2/info/stores/detail"),
            (
                "/v2/images/abc/locations",
                "/v2/images/{image_id}/locations",
            ),
            ("/", "/"),
        ] {
            assert_eq!(path_template(path), template, "{path}");
        }
    }
}
