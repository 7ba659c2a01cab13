//! [`Glance`]: the runtime's blocking client for one identity, counting
//! every request it sends so that a test can report what it cost.

use std::io::{Read, Write};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use cloud_images::{
    Image, ImageList, ImagePatch, Member, MemberList, MemberStatus, PatchMediaType, Task, TaskList,
};
use cloud_images_runtime::blocking::{Client, ClientBuilder};
use cloud_images_runtime::{
    Api, Error, ImageCreate, ImageImport, ImageListQuery, Operation, TaskCreate, TaskListQuery,
    TransferOptions, Transferred,
};
use serde_json::Value;

use super::Stats;

/// The blocking client of one identity; each method sends one request,
/// except the listing ones, which send one per page.
pub struct Glance {
    client: Client,
    stats: Arc<Stats>,
}

impl Glance {
    pub(super) fn new(builder: ClientBuilder, stats: Arc<Stats>) -> Glance {
        let client = builder.build().expect("the test client is valid");
        Glance { client, stats }
    }

    fn count(&self) {
        self.stats.requests.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a request unless the runtime refused it before sending.
    fn tally<T>(&self, patch: bool, result: Result<T, Error>) -> Result<T, Error> {
        if !matches!(
            result,
            Err(Error::InvalidRequest(_) | Error::InvalidBody(_))
        ) {
            self.count();
            if patch {
                self.stats.patches.fetch_add(1, Ordering::Relaxed);
            }
        }
        result
    }

    pub fn api(&self) -> &Api {
        self.client.api()
    }

    /// Sends an operation built (and perhaps adjusted) by hand.
    pub fn execute<T>(&self, operation: Operation<T>) -> Result<T, Error> {
        let patch = operation.request().method() == http::Method::PATCH;
        self.tally(patch, self.client.execute(operation))
    }

    pub fn create_image(&self, image: &ImageCreate) -> Result<Image, Error> {
        self.tally(false, self.client.create_image(image))
    }

    pub fn get_image(&self, id: &str) -> Result<Image, Error> {
        self.tally(false, self.client.get_image(id))
    }

    /// The image as Glance sent it, as JSON, beside the decoded image.
    pub fn get_image_json(&self, id: &str) -> Result<(Value, Image), Error> {
        self.send_keeping_json(self.api().get_image(id)?)
    }

    pub fn patch_image(
        &self,
        id: &str,
        patch: &ImagePatch,
        media_type: PatchMediaType,
    ) -> Result<Image, Error> {
        self.tally(true, self.client.patch_image(id, patch, media_type))
    }

    /// Sends a checked patch and returns the image as Glance sent it, as
    /// JSON, beside the decoded image.
    pub fn patch_image_json(
        &self,
        id: &str,
        patch: &ImagePatch,
        media_type: PatchMediaType,
    ) -> Result<(Value, Image), Error> {
        self.send_keeping_json(self.api().patch_image(id, patch, media_type)?)
    }

    /// Sends any JSON body as a patch, with any `Content-Type`.
    pub fn update_image(&self, id: &str, body: Value, media_type: &str) -> Result<Image, Error> {
        self.tally(true, self.client.update_image(id, body, media_type))
    }

    /// Sends an operation and returns the body as sent beside what it
    /// decoded to, for round-trip checks of any document.
    pub fn execute_keeping_json<T>(&self, operation: Operation<T>) -> Result<(Value, T), Error> {
        let (request, decoder) = operation.into_parts();
        let response = self.tally(false, self.client.send(request))?;
        let json = serde_json::from_slice(response.body()).ok();
        let decoded = decoder.decode(response)?;
        Ok((json.expect("a decoded document is JSON"), decoded))
    }

    fn send_keeping_json(&self, operation: Operation<Image>) -> Result<(Value, Image), Error> {
        let patch = operation.request().method() == http::Method::PATCH;
        let (request, decoder) = operation.into_parts();
        let response = self.tally(patch, self.client.send(request))?;
        let json = serde_json::from_slice(response.body()).ok();
        let image = decoder.decode(response)?;
        let json = json.expect("a decoded image is JSON");
        Ok((json, image))
    }

    pub fn delete_image(&self, id: &str) -> Result<(), Error> {
        self.tally(false, self.client.delete_image(id))
    }

    pub fn deactivate_image(&self, id: &str) -> Result<(), Error> {
        self.tally(false, self.client.deactivate_image(id))
    }

    pub fn reactivate_image(&self, id: &str) -> Result<(), Error> {
        self.tally(false, self.client.reactivate_image(id))
    }

    pub fn upload_image(&self, id: &str, data: Vec<u8>) -> Result<(), Error> {
        self.tally(false, self.client.upload_image(id, data))
    }

    pub fn upload_image_from(
        &self,
        id: &str,
        reader: impl Read,
        length: Option<u64>,
        options: &TransferOptions,
    ) -> Result<Transferred, Error> {
        self.tally(
            false,
            self.client.upload_image_from(id, reader, length, options),
        )
    }

    pub fn stage_image_from(
        &self,
        id: &str,
        reader: impl Read,
        length: Option<u64>,
        options: &TransferOptions,
    ) -> Result<Transferred, Error> {
        self.tally(
            false,
            self.client.stage_image_from(id, reader, length, options),
        )
    }

    pub fn stage_image(&self, id: &str, data: Vec<u8>) -> Result<(), Error> {
        self.tally(false, self.client.stage_image(id, data))
    }

    pub fn import_image(&self, id: &str, import: &ImageImport) -> Result<(), Error> {
        self.tally(false, self.client.import_image(id, import))
    }

    pub fn download_image(&self, id: &str) -> Result<Option<Vec<u8>>, Error> {
        self.tally(false, self.client.download_image(id))
    }

    pub fn download_image_to(
        &self,
        id: &str,
        writer: impl Write,
        options: &TransferOptions,
    ) -> Result<Option<Transferred>, Error> {
        self.tally(false, self.client.download_image_to(id, writer, options))
    }

    /// The client itself, for what this wrapper does not count.
    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn list_image_tasks(&self, id: &str) -> Result<TaskList, Error> {
        self.tally(false, self.client.list_image_tasks(id))
    }

    pub fn add_tag(&self, id: &str, tag: &str) -> Result<(), Error> {
        self.tally(false, self.client.add_tag(id, tag))
    }

    pub fn delete_tag(&self, id: &str, tag: &str) -> Result<(), Error> {
        self.tally(false, self.client.delete_tag(id, tag))
    }

    pub fn list_images(&self, query: &ImageListQuery) -> Result<ImageList, Error> {
        self.tally(false, self.client.list_images(query))
    }

    /// Every page of a listing, through the client's pager.
    pub fn image_pages(&self, query: &ImageListQuery) -> Result<Vec<ImageList>, Error> {
        self.client
            .image_pages(query)
            .inspect(|_| self.count())
            .collect()
    }

    /// Every image of a listing, across pages.
    pub fn images(&self, query: &ImageListQuery) -> Result<Vec<Image>, Error> {
        Ok(self
            .image_pages(query)?
            .into_iter()
            .flat_map(|page| page.images.unwrap_or_default())
            .collect())
    }

    pub fn add_member(&self, image_id: &str, member_id: &str) -> Result<Member, Error> {
        self.tally(false, self.client.add_member(image_id, member_id))
    }

    pub fn list_members(&self, image_id: &str) -> Result<MemberList, Error> {
        self.tally(false, self.client.list_members(image_id))
    }

    pub fn get_member(&self, image_id: &str, member_id: &str) -> Result<Member, Error> {
        self.tally(false, self.client.get_member(image_id, member_id))
    }

    pub fn update_member(
        &self,
        image_id: &str,
        member_id: &str,
        status: MemberStatus,
    ) -> Result<Member, Error> {
        self.tally(
            false,
            self.client.update_member(image_id, member_id, status),
        )
    }

    pub fn delete_member(&self, image_id: &str, member_id: &str) -> Result<(), Error> {
        self.tally(false, self.client.delete_member(image_id, member_id))
    }

    pub fn create_task(&self, task: &TaskCreate) -> Result<Task, Error> {
        self.tally(false, self.client.create_task(task))
    }

    pub fn list_tasks(&self, query: &TaskListQuery) -> Result<TaskList, Error> {
        self.tally(false, self.client.list_tasks(query))
    }

    /// Every page of a task listing, through the client's pager.
    pub fn task_pages(&self, query: &TaskListQuery) -> Result<Vec<TaskList>, Error> {
        self.client
            .task_pages(query)
            .inspect(|_| self.count())
            .collect()
    }

    pub fn get_task(&self, id: &str) -> Result<Task, Error> {
        self.tally(false, self.client.get_task(id))
    }

    pub fn get_schema(&self, name: &str) -> Result<Value, Error> {
        self.tally(false, self.client.get_schema(name))
    }
}
