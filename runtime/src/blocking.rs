//! A blocking client: the sans-IO operations of [`Api`], sent with ureq.
//!
//! ureq is configured not to turn 4xx/5xx into its own errors, so every
//! refusal reaches the caller as this crate's typed [`Error`], and not to
//! follow redirects: ureq would send `X-Auth-Token` and the identity headers
//! on to whatever host `Location` names (it strips only `Authorization`),
//! and would turn a redirected `PATCH` or `POST` into a `GET` whose 200
//! looks like success. A 3xx arrives as [`Error::Other`], except Glance's
//! version document (a 300), which is [`Error::NotV2Root`].

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::time::Duration;

use cloud_images::{
    Image, ImageList, ImagePatch, Member, MemberList, MemberStatus, PatchMediaType, Task, TaskList,
};
use http::header::{CONTENT_LENGTH, HeaderValue};
use http::{Method, Request, Response, StatusCode};

use crate::api::Api;
use crate::error::Error;
use crate::images::{ImageCreate, ImageImport, ImageListQuery};
use crate::operation::Operation;
use crate::paging::Page;
use crate::tasks::{TaskCreate, TaskListQuery};

/// The most a JSON or error body may be; a list of 1000 images is far less.
const JSON_BODY_LIMIT: u64 = 64 * 1024 * 1024;

/// Configures a [`Client`].
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    base_url: String,
    token: Option<crate::Secret>,
    pub(crate) headers: Vec<(String, String)>,
    connect_timeout: Option<Duration>,
    read_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
    /// Login and TLS settings (`login_blocking.rs`).
    pub(crate) login: crate::login_blocking::LoginSettings,
}

impl ClientBuilder {
    /// Authenticates with `X-Auth-Token`.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(crate::Secret::new(token.into()));
        self
    }

    /// Sends a header with every request, such as Glance's identity headers
    /// (`X-Identity-Status`, `X-Project-Id`, `X-User-Id`, `X-Roles`) when it
    /// runs without Keystone.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// How long connecting (DNS, TCP, TLS) may take. Default 10 s; `None` waits forever.
    pub fn connect_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long each read from the connection may wait. It restarts with every
    /// read, so a long download is not cut off. Default 60 s.
    pub fn read_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// How long each write to the connection may wait. Default 60 s.
    pub fn write_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.write_timeout = timeout;
        self
    }

    /// The client, or [`Error::InvalidRequest`] for a base URL, token or
    /// header that cannot be sent.
    pub fn build(self) -> Result<Client, Error> {
        if self.login.logs_in() {
            return crate::login_blocking::build(self);
        }
        let mut api = Api::new(&self.base_url)?;
        if let Some(token) = &self.token {
            api = api.with_token(token.expose())?;
        }
        for (name, value) in &self.headers {
            api = api.with_header(name, value)?;
        }
        Ok(Client {
            api,
            agent: self.agent(ureq::Agent::config_builder())?,
            login: None,
        })
    }

    pub(crate) fn agent(
        &self,
        config: ureq::config::ConfigBuilder<ureq::typestate::AgentScope>,
    ) -> Result<ureq::Agent, Error> {
        let config = config
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_connect(self.connect_timeout)
            .timeout_per_read(self.read_timeout)
            .timeout_per_write(self.write_timeout)
            .user_agent(concat!("cloud-images-runtime/", env!("CARGO_PKG_VERSION")));
        Ok(ureq::Agent::new_with_config(
            crate::login_blocking::configure(&self.login, config)?.build(),
        ))
    }
}

/// Runs operations against one service.
#[derive(Debug, Clone)]
pub struct Client {
    pub(crate) api: Api,
    pub(crate) agent: ureq::Agent,
    /// The session of a client that logged in itself (`login_blocking.rs`).
    pub(crate) login: Option<std::sync::Arc<crate::login_blocking::Login>>,
}

impl Client {
    /// Starts configuring a client for the service at `base_url`: the
    /// service root, such as `https://glance.example.com:9292` or
    /// `https://cloud.example/image`, or its `/v2` root.
    pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            base_url: base_url.into(),
            token: None,
            headers: Vec::new(),
            connect_timeout: Some(Duration::from_secs(10)),
            read_timeout: Some(Duration::from_secs(60)),
            write_timeout: Some(Duration::from_secs(60)),
            login: Default::default(),
        }
    }

    /// A client with the default timeouts and no credentials.
    pub fn new(base_url: impl Into<String>) -> Result<Client, Error> {
        Client::builder(base_url).build()
    }

    /// The request builder this client sends with, for building operations
    /// to adjust before [`Client::execute`].
    pub fn api(&self) -> &Api {
        &self.api
    }

    /// Sends any request and reads the whole response.
    pub fn send(&self, request: Request<Vec<u8>>) -> Result<Response<Vec<u8>>, Error> {
        let response = self.run(request)?;
        read_all(response)
    }

    /// Sends an operation's request and decodes the response.
    pub fn execute<T>(&self, operation: Operation<T>) -> Result<T, Error> {
        let (request, decoder) = operation.into_parts();
        decoder.decode(self.send(request)?)
    }

    fn run(&self, request: Request<Vec<u8>>) -> Result<Response<ureq::Body>, Error> {
        match &self.login {
            Some(login) => login.run(self, request),
            None => self.run_once(request),
        }
    }

    pub(crate) fn run_once(
        &self,
        request: Request<Vec<u8>>,
    ) -> Result<Response<ureq::Body>, Error> {
        let (parts, body) = request.into_parts();
        let bodyless = matches!(parts.method, Method::GET | Method::HEAD | Method::DELETE);
        let result = if body.is_empty() && bodyless {
            self.agent.run(Request::from_parts(parts, ()))
        } else {
            self.agent.run(Request::from_parts(parts, body))
        };
        result.map_err(transport)
    }

    /// One page of images; see [`Api::list_images`]. [`Client::images`] follows the pages for you.
    pub fn list_images(&self, query: &ImageListQuery) -> Result<ImageList, Error> {
        self.execute(self.api.list_images(query)?)
    }

    /// Every page of the listing, following `next` until the end.
    pub fn image_pages(&self, query: &ImageListQuery) -> Pages<'_, ImageList> {
        Pages::new(self, self.api.list_images(query))
    }

    /// Every image of the listing, across pages.
    pub fn images(&self, query: &ImageListQuery) -> Items<'_, ImageList> {
        Items::new(self.image_pages(query))
    }

    /// The image with this id; see [`Api::get_image`].
    pub fn get_image(&self, id: &str) -> Result<Image, Error> {
        self.execute(self.api.get_image(id)?)
    }

    /// Creates an image (no data yet: it is `queued`); see [`Api::create_image`].
    /// The body is validated first, and nothing is sent when it breaks a rule.
    pub fn create_image(&self, image: &ImageCreate) -> Result<Image, Error> {
        self.execute(self.api.create_image(image)?)
    }

    /// See [`Api::update_image`].
    pub fn update_image(
        &self,
        id: &str,
        patch_body: serde_json::Value,
        media_type: &str,
    ) -> Result<Image, Error> {
        self.execute(self.api.update_image(id, patch_body, media_type)?)
    }

    /// See [`Api::patch_image`].
    pub fn patch_image(
        &self,
        id: &str,
        patch: &ImagePatch,
        media_type: PatchMediaType,
    ) -> Result<Image, Error> {
        self.execute(self.api.patch_image(id, patch, media_type)?)
    }

    /// Deletes the image; see [`Api::delete_image`].
    pub fn delete_image(&self, id: &str) -> Result<(), Error> {
        self.execute(self.api.delete_image(id)?)
    }

    /// Makes the image's data unavailable for download (admin only by default); see [`Api::deactivate_image`].
    pub fn deactivate_image(&self, id: &str) -> Result<(), Error> {
        self.execute(self.api.deactivate_image(id)?)
    }

    /// Undoes [`Client::deactivate_image`]; see [`Api::reactivate_image`].
    pub fn reactivate_image(&self, id: &str) -> Result<(), Error> {
        self.execute(self.api.reactivate_image(id)?)
    }

    /// Adds one tag; see [`Api::add_tag`].
    pub fn add_tag(&self, id: &str, tag: &str) -> Result<(), Error> {
        self.execute(self.api.add_tag(id, tag)?)
    }

    /// Removes one tag; see [`Api::delete_tag`].
    pub fn delete_tag(&self, id: &str, tag: &str) -> Result<(), Error> {
        self.execute(self.api.delete_tag(id, tag)?)
    }

    /// Uploads the image data from memory; the image becomes `active`. See
    /// [`Api::upload_image`], and [`Client::upload_image_from`] for a stream.
    pub fn upload_image(&self, id: &str, data: Vec<u8>) -> Result<(), Error> {
        self.execute(self.api.upload_image(id, data)?)
    }

    /// Uploads `length` bytes from `reader` without holding them in memory.
    pub fn upload_image_from(
        &self,
        id: &str,
        reader: &mut dyn Read,
        length: u64,
    ) -> Result<(), Error> {
        let (request, decoder) = self.api.upload_image(id, Vec::new())?.into_parts();
        let (mut parts, _) = request.into_parts();
        parts
            .headers
            .insert(CONTENT_LENGTH, HeaderValue::from(length));
        // A streamed body cannot be sent twice, so a 401 is not retried.
        let authorized = self
            .login
            .as_ref()
            .map(|login| login.authorize(self, &mut parts))
            .transpose()?;
        let body = ureq::SendBody::from_reader(reader);
        let response = self
            .agent
            .run(Request::from_parts(parts, body))
            .map_err(transport)?;
        if let (Some(login), Some(authorized)) = (&self.login, &authorized) {
            login.saw_status(response.status(), authorized);
        }
        decoder.decode(read_all(response)?)
    }

    /// Stages data for a `glance-direct` import; see [`Api::stage_image`].
    pub fn stage_image(&self, id: &str, data: Vec<u8>) -> Result<(), Error> {
        self.execute(self.api.stage_image(id, data)?)
    }

    /// Starts an import (the service answers 202 and works on in a task); see [`Api::import_image`].
    pub fn import_image(&self, id: &str, import: &ImageImport) -> Result<(), Error> {
        self.execute(self.api.import_image(id, import)?)
    }

    /// The image data, or `None` when the image has none (204).
    pub fn download_image(&self, id: &str) -> Result<Option<Vec<u8>>, Error> {
        let mut data = Vec::new();
        Ok(self.download_image_to(id, &mut data)?.map(|_| data))
    }

    /// Streams the image data into `writer`, returning the number of bytes,
    /// or `None` when the image has none (204).
    pub fn download_image_to(
        &self,
        id: &str,
        writer: &mut dyn Write,
    ) -> Result<Option<u64>, Error> {
        let response = self.run(self.api.download_image(id)?.into_request())?;
        let status = response.status();
        if status == StatusCode::NO_CONTENT {
            return Ok(None);
        }
        if !status.is_success() {
            let response = read_all(response)?;
            return Err(Error::from_response(
                status,
                response.headers(),
                response.body(),
            ));
        }
        let mut reader = response.into_body().into_reader();
        std::io::copy(&mut reader, writer)
            .map(Some)
            .map_err(transport)
    }

    /// The tasks that worked on this image, such as its imports; see [`Api::list_image_tasks`].
    pub fn list_image_tasks(&self, id: &str) -> Result<TaskList, Error> {
        self.execute(self.api.list_image_tasks(id)?)
    }

    /// Shares the image with the project `member_id`, whose membership starts
    /// `pending`. The image must have `visibility: shared`. See [`Api::add_member`].
    pub fn add_member(&self, image_id: &str, member_id: &str) -> Result<Member, Error> {
        self.execute(self.api.add_member(image_id, member_id)?)
    }

    /// The projects the image is shared with; see [`Api::list_members`].
    pub fn list_members(&self, image_id: &str) -> Result<MemberList, Error> {
        self.execute(self.api.list_members(image_id)?)
    }

    /// One membership of the image; see [`Api::get_member`].
    pub fn get_member(&self, image_id: &str, member_id: &str) -> Result<Member, Error> {
        self.execute(self.api.get_member(image_id, member_id)?)
    }

    /// Accepts, rejects or resets a membership; only the member project may.
    /// See [`Api::update_member`].
    pub fn update_member(
        &self,
        image_id: &str,
        member_id: &str,
        status: MemberStatus,
    ) -> Result<Member, Error> {
        self.execute(self.api.update_member(image_id, member_id, status)?)
    }

    /// Stops sharing the image with a project; only the owner may. See [`Api::delete_member`].
    pub fn delete_member(&self, image_id: &str, member_id: &str) -> Result<(), Error> {
        self.execute(self.api.delete_member(image_id, member_id)?)
    }

    /// Creates a task, such as an import from a URL; see [`Api::create_task`].
    pub fn create_task(&self, task: &TaskCreate) -> Result<Task, Error> {
        self.execute(self.api.create_task(task)?)
    }

    /// One page of tasks; see [`Api::list_tasks`]. [`Client::tasks`] follows the pages for you.
    pub fn list_tasks(&self, query: &TaskListQuery) -> Result<TaskList, Error> {
        self.execute(self.api.list_tasks(query)?)
    }

    /// Every page of the task listing, following `next` until the end.
    pub fn task_pages(&self, query: &TaskListQuery) -> Pages<'_, TaskList> {
        Pages::new(self, self.api.list_tasks(query))
    }

    /// Every task of the listing, across pages.
    pub fn tasks(&self, query: &TaskListQuery) -> Items<'_, TaskList> {
        Items::new(self.task_pages(query))
    }

    /// The task with this id; see [`Api::get_task`].
    pub fn get_task(&self, id: &str) -> Result<Task, Error> {
        self.execute(self.api.get_task(id)?)
    }

    /// One of the JSON Schemas the service publishes, such as `image`; see [`Api::get_schema`].
    pub fn get_schema(&self, name: &str) -> Result<serde_json::Value, Error> {
        self.execute(self.api.get_schema(name)?)
    }
}

pub(crate) fn transport(error: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::Transport(Box::new(error))
}

pub(crate) fn read_all(response: Response<ureq::Body>) -> Result<Response<Vec<u8>>, Error> {
    let (parts, body) = response.into_parts();
    let bytes = body
        .into_with_config()
        .limit(JSON_BODY_LIMIT)
        .read_to_vec()
        .map_err(transport)?;
    Ok(Response::from_parts(parts, bytes))
}

/// The pages of a listing, following `next` links. After an error the
/// iterator ends.
pub struct Pages<'a, P: Page> {
    client: &'a Client,
    next: Option<Result<Operation<P>, Error>>,
}

impl<'a, P: Page> Pages<'a, P> {
    fn new(client: &'a Client, first: Result<Operation<P>, Error>) -> Self {
        Pages {
            client,
            next: Some(first),
        }
    }
}

impl<P: Page> Iterator for Pages<'_, P> {
    type Item = Result<P, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let operation = match self.next.take()? {
            Ok(operation) => operation,
            Err(error) => return Some(Err(error)),
        };
        let fetched = operation.uri().clone();
        let page = match self.client.execute(operation) {
            Ok(page) => page,
            Err(error) => return Some(Err(error)),
        };
        self.next = match self.client.api.next_page(&page) {
            Ok(None) => None,
            // A link back to the page just fetched would never end.
            Ok(Some(next)) if *next.uri() == fetched => Some(Err(Error::Decode {
                path: "next".to_owned(),
                message: format!("link repeats the page just fetched, {fetched}"),
            })),
            Ok(Some(next)) => Some(Ok(next)),
            Err(error) => Some(Err(error)),
        };
        Some(Ok(page))
    }
}

/// The items of every page of a listing, in order.
pub struct Items<'a, P: Page> {
    pages: Pages<'a, P>,
    buffer: VecDeque<P::Item>,
}

impl<'a, P: Page> Items<'a, P> {
    fn new(pages: Pages<'a, P>) -> Self {
        Items {
            pages,
            buffer: VecDeque::new(),
        }
    }
}

impl<P: Page> Iterator for Items<'_, P> {
    type Item = Result<P::Item, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.buffer.pop_front() {
                return Some(Ok(item));
            }
            match self.pages.next()? {
                Ok(page) => self.buffer.extend(page.into_items()),
                Err(error) => return Some(Err(error)),
            }
        }
    }
}

// ===== Compute API image calls (issue 13) ==================================
// Kept in one block so that the operation list shared with the async client
// can take it over whole: `ClientBuilder::build_compute` and `ComputeClient`.

/// Runs the Compute API's image calls ([`crate::compute::Api`]) against one
/// nova-api. Build it with [`ClientBuilder::build_compute`], from the
/// compute endpoint (`http://host:8774/v2.1`).
#[derive(Debug, Clone)]
pub struct ComputeClient {
    api: crate::compute::Api,
    client: Client,
}

impl ClientBuilder {
    /// A client for the Compute API at this builder's base URL, with its
    /// token, headers and timeouts.
    pub fn build_compute(self) -> Result<ComputeClient, Error> {
        let mut api = crate::compute::Api::new(&self.base_url)?;
        if let Some(token) = &self.token {
            api = api.with_token(token.expose())?;
        }
        for (name, value) in &self.headers {
            api = api.with_header(name, value)?;
        }
        let client = ClientBuilder {
            base_url: api.base_url(),
            token: None,
            headers: Vec::new(),
            ..self
        }
        .build()?;
        Ok(ComputeClient { api, client })
    }
}

impl ComputeClient {
    /// The request builder, for operations to adjust before
    /// [`ComputeClient::execute`].
    pub fn api(&self) -> &crate::compute::Api {
        &self.api
    }

    /// Asks for another microversion; see [`crate::compute::Api::with_microversion`].
    pub fn with_microversion(
        mut self,
        microversion: crate::compute::Microversion,
    ) -> Result<Self, Error> {
        self.api = self.api.with_microversion(microversion)?;
        Ok(self)
    }

    /// Sends an operation's request and decodes the response.
    pub fn execute<T>(&self, operation: Operation<T>) -> Result<T, Error> {
        self.client.execute(operation)
    }

    pub fn list_images(
        &self,
        query: &crate::compute::ListQuery,
    ) -> Result<cloud_images::compute::ImageIndexPage, Error> {
        self.execute(self.api.list_images(query)?)
    }

    pub fn list_images_detail(
        &self,
        query: &crate::compute::ListQuery,
    ) -> Result<cloud_images::compute::ImageDetailPage, Error> {
        self.execute(self.api.list_images_detail(query)?)
    }

    /// Every page of `GET /images/detail`, following `images_links`.
    pub fn image_detail_pages(
        &self,
        query: &crate::compute::ListQuery,
    ) -> ComputePages<'_, cloud_images::compute::ImageDetailPage> {
        ComputePages {
            client: self,
            next: Some(self.api.list_images_detail(query)),
        }
    }

    /// Every page of `GET /images`, following `images_links`.
    pub fn image_index_pages(
        &self,
        query: &crate::compute::ListQuery,
    ) -> ComputePages<'_, cloud_images::compute::ImageIndexPage> {
        ComputePages {
            client: self,
            next: Some(self.api.list_images(query)),
        }
    }

    /// Every image of `GET /images/detail`, page after page.
    pub fn images_detail(
        &self,
        query: &crate::compute::ListQuery,
    ) -> impl Iterator<Item = Result<cloud_images::compute::Image, Error>> + '_ {
        flatten_pages(self.image_detail_pages(query))
    }

    pub fn get_image(&self, id: &str) -> Result<cloud_images::compute::ImageShow, Error> {
        self.execute(self.api.get_image(id)?)
    }

    pub fn delete_image(&self, id: &str) -> Result<(), Error> {
        self.execute(self.api.delete_image(id)?)
    }

    pub fn get_metadata(&self, id: &str) -> Result<cloud_images::compute::Metadata, Error> {
        self.execute(self.api.get_metadata(id)?)
    }

    pub fn replace_metadata(
        &self,
        id: &str,
        metadata: &cloud_images::compute::MetadataUpdate,
    ) -> Result<cloud_images::compute::Metadata, Error> {
        self.execute(self.api.replace_metadata(id, metadata)?)
    }

    pub fn merge_metadata(
        &self,
        id: &str,
        metadata: &cloud_images::compute::MetadataUpdate,
    ) -> Result<cloud_images::compute::Metadata, Error> {
        self.execute(self.api.merge_metadata(id, metadata)?)
    }

    pub fn get_metadata_item(
        &self,
        id: &str,
        key: &str,
    ) -> Result<cloud_images::compute::MetadataItem, Error> {
        self.execute(self.api.get_metadata_item(id, key)?)
    }

    pub fn set_metadata_item(
        &self,
        id: &str,
        key: &str,
        value: &str,
    ) -> Result<cloud_images::compute::MetadataItem, Error> {
        self.execute(self.api.set_metadata_item(id, key, value)?)
    }

    pub fn delete_metadata_item(&self, id: &str, key: &str) -> Result<(), Error> {
        self.execute(self.api.delete_metadata_item(id, key)?)
    }
}

/// The pages of a Compute API image list. Stops after a page without
/// `images_links` (which may be empty), and after an error.
pub struct ComputePages<'a, P: Page> {
    client: &'a ComputeClient,
    next: Option<Result<Operation<P>, Error>>,
}

impl<P: Page + 'static> Iterator for ComputePages<'_, P> {
    type Item = Result<P, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let operation = match self.next.take()? {
            Ok(operation) => operation,
            Err(error) => return Some(Err(error)),
        };
        let fetched = operation.uri().clone();
        let page = match self.client.execute(operation) {
            Ok(page) => page,
            Err(error) => return Some(Err(error)),
        };
        self.next = match self.client.api.next_page(&page) {
            Ok(None) => None,
            Ok(Some(next)) if *next.uri() == fetched => Some(Err(Error::Decode {
                path: "images_links".to_owned(),
                message: format!("link repeats the page just fetched, {fetched}"),
            })),
            Ok(Some(next)) => Some(Ok(next)),
            Err(error) => Some(Err(error)),
        };
        Some(Ok(page))
    }
}

fn flatten_pages<P: Page, I: Iterator<Item = Result<P, Error>>>(
    pages: I,
) -> impl Iterator<Item = Result<P::Item, Error>> {
    pages.flat_map(|page| match page {
        Ok(page) => page.into_items().into_iter().map(Ok).collect::<Vec<_>>(),
        Err(error) => vec![Err(error)],
    })
}
// ===== end of the Compute API block ========================================
