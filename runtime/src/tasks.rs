//! The tasks API: `POST /v2/tasks`, `GET /v2/tasks`, `GET /v2/tasks/{id}`.
//!
//! Glance 33 keeps all three for admins (policy `tasks_api_access`, default
//! `role:admin`; the image's own `GET /v2/images/{id}/tasks` is not
//! covered by it). Its task schema lists only `import`, `api_image_import`
//! and `location_import`, so it refuses an `export` task with 400. Export
//! tasks are a Rackspace Cloud Images extension and are built here for that
//! service. None of this is in the transcripts yet.

use cloud_images::{ImageDiskFormat, Task, TaskList, TaskStatus, TaskType};
use http::Method;
use serde_json::{Map, Value, json};

use crate::api::{Api, Body, JSON};
use crate::encode::{Query, segment};
use crate::error::Error;
use crate::filter::SortDir;
use crate::images::ImageCreate;
use crate::operation::{Decoder, Operation, json as decode_json};

/// A task to create: `{"type": ..., "input": {...}}`.
// Built once per request, so the size of `Import` costs nothing worth a
// `Box` that every caller would have to write.
// Not `Eq`: the generated `ImageCreate` is only `PartialEq`, as a schema
// may give it floating-point fields.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum TaskCreate {
    /// Import an image from `import_from` (a URL, or on Rackspace Cloud
    /// Images a `container/object` path in Cloud Files) into a new image
    /// with `image_properties`.
    Import {
        /// Where the data comes from.
        import_from: String,
        /// The format of that data.
        import_from_format: ImageDiskFormat,
        /// The properties of the image to create; checked like a create body.
        image_properties: ImageCreate,
    },
    /// Export an image into a Cloud Files container (Rackspace Cloud Images
    /// only; Glance 33 answers 400).
    Export {
        /// The image to export.
        image_uuid: String,
        /// The Cloud Files container that receives it.
        receiving_swift_container: String,
    },
    /// Any other type and input, sent as given.
    Custom {
        /// The `type` member.
        task_type: String,
        /// The `input` member.
        input: Map<String, Value>,
    },
}

impl TaskCreate {
    /// The `type` member of the body.
    pub fn task_type(&self) -> &str {
        match self {
            TaskCreate::Import { .. } => TaskType::Import.as_str(),
            TaskCreate::Export { .. } => "export",
            TaskCreate::Custom { task_type, .. } => task_type,
        }
    }

    /// The request body, after checking what Glance is known to refuse.
    pub fn to_body(&self) -> Result<Value, Error> {
        let input = match self {
            TaskCreate::Import {
                import_from,
                import_from_format,
                image_properties,
            } => {
                if !import_from_format.is_known() {
                    return Err(Error::InvalidRequest(format!(
                        "import task: `{import_from_format}` is not a disk format the schema lists"
                    )));
                }
                image_properties.validate().map_err(Error::InvalidBody)?;
                let properties = serde_json::to_value(image_properties)
                    .map_err(|error| Error::InvalidRequest(format!("image_properties: {error}")))?;
                json!({
                    "import_from": import_from,
                    "import_from_format": import_from_format,
                    "image_properties": properties,
                })
            }
            TaskCreate::Export {
                image_uuid,
                receiving_swift_container,
            } => json!({
                "image_uuid": image_uuid,
                "receiving_swift_container": receiving_swift_container,
            }),
            TaskCreate::Custom { input, .. } => Value::Object(input.clone()),
        };
        Ok(json!({ "type": self.task_type(), "input": input }))
    }
}

/// The keys Glance can sort tasks by (columns of its task table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskSortKey {
    /// `id`
    Id,
    /// `type`
    Type,
    /// `status`
    Status,
    /// `owner`
    Owner,
    /// `expires_at`
    ExpiresAt,
    /// `created_at`
    CreatedAt,
    /// `updated_at`
    UpdatedAt,
}

impl TaskSortKey {
    /// The key as sent, such as `expires_at`.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskSortKey::Id => "id",
            TaskSortKey::Type => "type",
            TaskSortKey::Status => "status",
            TaskSortKey::Owner => "owner",
            TaskSortKey::ExpiresAt => "expires_at",
            TaskSortKey::CreatedAt => "created_at",
            TaskSortKey::UpdatedAt => "updated_at",
        }
    }
}

/// The parameters of `GET /v2/tasks`. The tasks API has only the older
/// sort syntax, with one key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskListQuery {
    /// `type=import`: tasks of this type.
    pub task_type: Option<TaskType>,
    /// `status=success`: tasks in this status.
    pub status: Option<TaskStatus>,
    /// The one key to sort by.
    pub sort_key: Option<TaskSortKey>,
    /// The direction; Glance's default is descending.
    pub sort_dir: Option<SortDir>,
    /// Page size.
    pub limit: Option<u32>,
    /// The id of the last task of the previous page.
    pub marker: Option<String>,
}

impl TaskListQuery {
    /// A query with no parameter: the first page of every task the caller sees.
    pub fn new() -> Self {
        Self::default()
    }

    /// The encoded query string, without `?`.
    pub fn to_query_string(&self) -> Result<String, Error> {
        Ok(self.to_query()?.into_string())
    }

    fn to_query(&self) -> Result<Query, Error> {
        let mut query = Query::default();
        if let Some(task_type) = &self.task_type {
            query.push(
                "type",
                known("type", task_type.as_str(), task_type.is_known())?,
            );
        }
        if let Some(status) = &self.status {
            query.push(
                "status",
                known("status", status.as_str(), status.is_known())?,
            );
        }
        query.push_opt("sort_key", self.sort_key.map(TaskSortKey::as_str));
        query.push_opt("sort_dir", self.sort_dir.map(SortDir::as_str));
        query.push_opt("limit", self.limit.map(|limit| limit.to_string()));
        query.push_opt("marker", self.marker.as_ref());
        Ok(query)
    }
}

/// Glance answers 400 "Invalid status value" / "Invalid type value" for
/// values outside its lists.
fn known<'a>(parameter: &str, value: &'a str, is_known: bool) -> Result<&'a str, Error> {
    if is_known {
        Ok(value)
    } else {
        Err(Error::InvalidRequest(format!(
            "`{value}` is not a valid task {parameter}"
        )))
    }
}

impl Api {
    /// `POST /v2/tasks` → 201 [`Task`].
    pub fn create_task(&self, task: &TaskCreate) -> Result<Operation<Task>, Error> {
        let body = Body::json(&task.to_body()?)?;
        self.operation(
            Method::POST,
            "/v2/tasks",
            Query::default(),
            body,
            JSON,
            Decoder::new(decode_json),
        )
    }

    /// `GET /v2/tasks?...` → 200 [`TaskList`]; the `next` link, which the
    /// tasks schema does not declare, is in `additional_properties`.
    pub fn list_tasks(&self, query: &TaskListQuery) -> Result<Operation<TaskList>, Error> {
        let query = query.to_query()?;
        self.get_json("/v2/tasks", query)
    }

    /// `GET /v2/tasks/{id}` → 200 [`Task`].
    pub fn get_task(&self, id: &str) -> Result<Operation<Task>, Error> {
        let path = format!("/v2/tasks/{}", segment(id));
        self.get_json(&path, Query::default())
    }
}
