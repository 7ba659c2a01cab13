//! Image operations: list, get, create, update, delete, deactivate and
//! reactivate, image data, and interoperable import.

mod import;
mod query;

/// The body of `POST /v2/images`, generated from the image schema and the
/// overlay: re-exported so that `cloud_images_runtime::ImageCreate` names it.
pub use cloud_images::ImageCreate;
pub use import::{ImageImport, ImportMethod};
pub use query::{ImageListQuery, MemberStatusFilter, Sort, SortKey, VisibilityFilter};

use cloud_images::{Image, ImageList, ImagePatch, PatchMediaType, TaskList};
use http::Method;

use crate::api::{Api, Body, JSON, OCTET_STREAM};
use crate::encode::{Query, segment};
use crate::error::Error;
use crate::operation::{Decoder, Operation, data, empty, json};

/// Image data is answered as bytes, errors as JSON.
const ACCEPT_DATA: &str = "application/octet-stream, application/json";

pub(crate) fn image_path(id: &str) -> String {
    format!("/v2/images/{}", segment(id))
}

/// `/v2/images/{id}/tags/{tag}`, for the tags Glance can find there. Checked
/// against a real Glance 33: the WSGI server decodes the path before Glance
/// routes it, so a `/` (even as `%2F`) splits the segment and an empty tag
/// leaves none (404), and Glance reads the decoded bytes as Latin-1, so a
/// non-ASCII tag is stored garbled (`ü` as `Ã¼`) or not found.
fn tag_path(id: &str, tag: &str) -> Result<String, Error> {
    let refusal = if tag.is_empty() {
        Some("it is empty")
    } else if tag.contains('/') {
        Some("it contains `/`")
    } else if !tag.is_ascii() {
        Some("it is not ASCII")
    } else {
        None
    };
    match refusal {
        Some(reason) => Err(Error::InvalidRequest(format!(
            "tag `{tag}` cannot be sent in a path, as {reason}: replace `/tags` with a patch instead"
        ))),
        None => Ok(format!("{}/tags/{}", image_path(id), segment(tag))),
    }
}

impl Api {
    /// `GET /v2/images?...` → 200 [`ImageList`].
    pub fn list_images(&self, query: &ImageListQuery) -> Result<Operation<ImageList>, Error> {
        let query = query.to_query()?;
        self.get_json("/v2/images", query)
    }

    /// `GET /v2/images/{id}` → 200 [`Image`].
    pub fn get_image(&self, id: &str) -> Result<Operation<Image>, Error> {
        self.operation(
            Method::GET,
            &image_path(id),
            Query::default(),
            Body::Empty,
            JSON,
            Decoder::new(json),
        )
    }

    /// `POST /v2/images` → 201 [`Image`]. The body is checked with
    /// [`ImageCreate::validate`] first; a body it refuses is
    /// [`Error::InvalidBody`] and nothing is sent.
    pub fn create_image(&self, image: &ImageCreate) -> Result<Operation<Image>, Error> {
        image.validate().map_err(Error::InvalidBody)?;
        self.operation(
            Method::POST,
            "/v2/images",
            Query::default(),
            Body::json(image)?,
            JSON,
            Decoder::new(json),
        )
    }

    /// `PATCH /v2/images/{id}` with a JSON Patch body → 200 [`Image`].
    ///
    /// `media_type` is the `Content-Type`: Glance accepts only
    /// `application/openstack-images-v2.1-json-patch` and
    /// `application/openstack-images-v2.0-json-patch`, and answers anything
    /// else with 415 and an `Accept-Patch` header. It is not
    /// checked here, so that the 415 can be exercised.
    pub fn update_image(
        &self,
        id: &str,
        patch_body: serde_json::Value,
        media_type: &str,
    ) -> Result<Operation<Image>, Error> {
        let bytes = serde_json::to_vec(&patch_body).map_err(|error| {
            Error::InvalidRequest(format!("patch body cannot be written as JSON: {error}"))
        })?;
        let body = Body::Typed {
            bytes,
            media_type: media_type.to_owned(),
        };
        self.operation(
            Method::PATCH,
            &image_path(id),
            Query::default(),
            body,
            JSON,
            Decoder::new(json),
        )
    }

    /// `PATCH /v2/images/{id}` with a checked [`ImagePatch`] in either media
    /// type → 200 [`Image`]. The typed form of [`Api::update_image`].
    pub fn patch_image(
        &self,
        id: &str,
        patch: &ImagePatch,
        media_type: PatchMediaType,
    ) -> Result<Operation<Image>, Error> {
        self.update_image(id, patch.to_body(media_type), media_type.as_str())
    }

    /// `DELETE /v2/images/{id}` → 204.
    pub fn delete_image(&self, id: &str) -> Result<Operation<()>, Error> {
        self.operation(
            Method::DELETE,
            &image_path(id),
            Query::default(),
            Body::Empty,
            JSON,
            Decoder::new(empty),
        )
    }

    /// `POST /v2/images/{id}/actions/deactivate` → 204.
    pub fn deactivate_image(&self, id: &str) -> Result<Operation<()>, Error> {
        self.action(id, "deactivate")
    }

    /// `POST /v2/images/{id}/actions/reactivate` → 204.
    pub fn reactivate_image(&self, id: &str) -> Result<Operation<()>, Error> {
        self.action(id, "reactivate")
    }

    fn action(&self, id: &str, action: &str) -> Result<Operation<()>, Error> {
        let path = format!("{}/actions/{action}", image_path(id));
        self.no_content(Method::POST, &path)
    }

    /// `PUT /v2/images/{id}/tags/{tag}` without a body → 204; 413
    /// past the tag quota. A tag Glance cannot find at that path is refused
    /// before sending ([`Error::InvalidRequest`]): an empty tag, one with a
    /// `/` (the server decodes `%2F` before routing) or non-ASCII text
    /// (Glance reads the path as Latin-1 and would store it garbled). Replace
    /// `/tags` with a patch for those.
    pub fn add_tag(&self, id: &str, tag: &str) -> Result<Operation<()>, Error> {
        let path = tag_path(id, tag)?;
        self.no_content(Method::PUT, &path)
    }

    /// `DELETE /v2/images/{id}/tags/{tag}` → 204, with the same
    /// refusals as [`Api::add_tag`].
    pub fn delete_tag(&self, id: &str, tag: &str) -> Result<Operation<()>, Error> {
        let path = tag_path(id, tag)?;
        self.no_content(Method::DELETE, &path)
    }

    /// `PUT /v2/images/{id}/file` with `application/octet-stream` → 204.
    pub fn upload_image(&self, id: &str, data: Vec<u8>) -> Result<Operation<()>, Error> {
        self.put_data(id, "file", data)
    }

    /// `PUT /v2/images/{id}/stage` with `application/octet-stream` → 204,
    /// the first step of a `glance-direct` import.
    pub fn stage_image(&self, id: &str, data: Vec<u8>) -> Result<Operation<()>, Error> {
        self.put_data(id, "stage", data)
    }

    /// `PUT /v2/images/{id}/file` with the caller's own body, such as a
    /// reader or a stream, → 204. With `length`, `Content-Length` is set and
    /// the body must have exactly that many bytes; without, send it
    /// chunked (`Transfer-Encoding: chunked`, which the HTTP stack adds).
    /// The request must not be sent twice: the body is consumed.
    pub fn upload_image_body<B>(
        &self,
        id: &str,
        body: B,
        length: Option<u64>,
    ) -> Result<Operation<(), B>, Error> {
        self.put_data_body(id, "file", body, length)
    }

    /// `PUT /v2/images/{id}/stage` with the caller's own body → 204; see
    /// [`Api::upload_image_body`].
    pub fn stage_image_body<B>(
        &self,
        id: &str,
        body: B,
        length: Option<u64>,
    ) -> Result<Operation<(), B>, Error> {
        self.put_data_body(id, "stage", body, length)
    }

    fn put_data_body<B>(
        &self,
        id: &str,
        target: &str,
        body: B,
        length: Option<u64>,
    ) -> Result<Operation<(), B>, Error> {
        let mut operation = self.put_data(id, target, Vec::new())?.with_body(body);
        if let Some(length) = length {
            operation.request_mut().headers_mut().insert(
                http::header::CONTENT_LENGTH,
                http::HeaderValue::from(length),
            );
        }
        Ok(operation)
    }

    fn put_data(&self, id: &str, target: &str, data: Vec<u8>) -> Result<Operation<()>, Error> {
        let path = format!("{}/{target}", image_path(id));
        let body = Body::Typed {
            bytes: data,
            media_type: OCTET_STREAM.to_owned(),
        };
        self.operation(
            Method::PUT,
            &path,
            Query::default(),
            body,
            JSON,
            Decoder::new(empty),
        )
    }

    /// `GET /v2/images/{id}/file` → 200 with the bytes, or 204 and
    /// `None` when the image has no data.
    pub fn download_image(&self, id: &str) -> Result<Operation<Option<Vec<u8>>>, Error> {
        let path = format!("{}/file", image_path(id));
        self.operation(
            Method::GET,
            &path,
            Query::default(),
            Body::Empty,
            ACCEPT_DATA,
            Decoder::new(data),
        )
    }

    /// `POST /v2/images/{id}/import` → 202.
    pub fn import_image(&self, id: &str, import: &ImageImport) -> Result<Operation<()>, Error> {
        let path = format!("{}/import", image_path(id));
        self.operation(
            Method::POST,
            &path,
            Query::default(),
            Body::json(import)?,
            JSON,
            Decoder::new(empty),
        )
    }

    /// `GET /v2/images/{id}/tasks` → 200 [`TaskList`] of the image's import
    /// tasks.
    pub fn list_image_tasks(&self, id: &str) -> Result<Operation<TaskList>, Error> {
        let path = format!("{}/tasks", image_path(id));
        self.get_json(&path, Query::default())
    }
}
