//! `GET /v2/schemas/{name}`: the JSON Schemas the service publishes.

use crate::api::Api;
use crate::encode::{Query, segment};
use crate::error::Error;
use crate::operation::Operation;

impl Api {
    /// `GET /v2/schemas/{name}` → 200, the schema as JSON. `name` is `image`,
    /// `images`, `member`, `members`, `task`, `tasks`, or a nested name such as
    /// `metadefs/namespace` (each segment is encoded on its own).
    pub fn get_schema(&self, name: &str) -> Result<Operation<serde_json::Value>, Error> {
        if name.is_empty() || name.split('/').any(str::is_empty) {
            return Err(Error::InvalidRequest(format!(
                "schema name `{name}` has an empty segment"
            )));
        }
        let segments: Vec<String> = name.split('/').map(segment).collect();
        let path = format!("/v2/schemas/{}", segments.join("/"));
        self.get_json(&path, Query::default())
    }
}
