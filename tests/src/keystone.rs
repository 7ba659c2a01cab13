//! Just enough of Keystone's v3 API for the tests: a password login, and
//! projects with a member of their own for tests that need an empty project.
//! Sent with the runtime's blocking client, as plain requests.

use cloud_images_runtime::blocking::Client;
use http::{Method, Request};
use serde_json::{Value, json};

use crate::{ADMIN, Lab};

/// Logs `user` in with its password and returns the token Keystone issues
/// (the `X-Subject-Token` header), scoped to `project`; user and project are
/// in domain `Default`.
pub fn password_token(
    keystone_url: &str,
    user: &str,
    password: &str,
    project: &str,
) -> Result<String, String> {
    let body = json!({"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": user, "domain": {"name": "Default"}, "password": password}}},
        "scope": {"project": {"name": project, "domain": {"name": "Default"}}},
    }});
    let (status, headers, body) = call(
        keystone_url,
        Method::POST,
        "/v3/auth/tokens",
        None,
        Some(body),
    )?;
    if status != 201 {
        return Err(format!("Keystone answered {status}: {body}"));
    }
    headers
        .get("x-subject-token")
        .and_then(|token| token.to_str().ok())
        .map(str::to_owned)
        .ok_or_else(|| "Keystone's 201 has no X-Subject-Token".to_owned())
}

/// A fresh project in the lab, and a token of a user that is `member` and
/// `reader` there, for tests that must control what a project owns.
#[derive(Debug, Clone)]
pub struct Member {
    pub project_id: String,
    pub token: String,
}

impl Lab {
    /// Creates project `name` and a user of the same name holding `member`
    /// and `reader` in it, as the lab's admin, and logs the user in.
    pub fn fresh_member(&self, name: &str) -> Member {
        let keystone = self.keystone_url();
        let admin = self.token(ADMIN);
        let created = |path: &str, kind: &str, body: Value| -> String {
            let (status, _, answer) = call(&keystone, Method::POST, path, Some(&admin), Some(body))
                .unwrap_or_else(|error| panic!("creating {kind} {name}: {error}"));
            assert_eq!(status, 201, "creating {kind} {name}: {answer}");
            answer[kind]["id"]
                .as_str()
                .unwrap_or_else(|| panic!("created {kind} has no id: {answer}"))
                .to_owned()
        };
        let project_id = created(
            "/v3/projects",
            "project",
            json!({"project": {"name": name, "domain_id": "default"}}),
        );
        let password = format!("{name}-secret");
        let user_id = created(
            "/v3/users",
            "user",
            json!({"user": {"name": name, "domain_id": "default", "password": password}}),
        );
        for role in ["MEMBER_ROLE_ID", "READER_ROLE_ID"] {
            let path = format!(
                "/v3/projects/{project_id}/users/{user_id}/roles/{}",
                self.get(role)
            );
            let (status, _, answer) = call(&keystone, Method::PUT, &path, Some(&admin), None)
                .unwrap_or_else(|error| panic!("granting {role} to {name}: {error}"));
            assert_eq!(status, 204, "granting {role} to {name}: {answer}");
        }
        let token = password_token(&keystone, name, &password, name)
            .unwrap_or_else(|error| panic!("logging in as {name}: {error}"));
        Member { project_id, token }
    }
}

/// One JSON request to Keystone: the status, headers and JSON body (`Null`
/// when there is none).
fn call(
    keystone_url: &str,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Result<(u16, http::HeaderMap, Value), String> {
    let client = Client::new(keystone_url).map_err(|e| e.to_string())?;
    let mut request = Request::builder()
        .method(method)
        .uri(format!("{}{path}", keystone_url.trim_end_matches('/')))
        .header("Accept", "application/json");
    if let Some(token) = token {
        request = request.header("X-Auth-Token", token);
    }
    let bytes = match body {
        Some(body) => {
            request = request.header("Content-Type", "application/json");
            serde_json::to_vec(&body).map_err(|e| e.to_string())?
        }
        None => Vec::new(),
    };
    let request = request.body(bytes).map_err(|e| e.to_string())?;
    let response = client.send(request).map_err(|e| e.to_string())?;
    let body = serde_json::from_slice(response.body()).unwrap_or(Value::Null);
    Ok((response.status().as_u16(), response.headers().clone(), body))
}
