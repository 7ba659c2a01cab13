//! Listings as streams of pages and of items, and waiting for a status.

use std::time::{Duration, Instant};

use cloud_images::{
    Image, ImageList, ImageStatus, MetadefNamespace, MetadefNamespaceList, Task, TaskList,
};
use futures_util::stream::{self, Stream, StreamExt};

use super::Client;
use crate::error::Error;
use crate::images::ImageListQuery;
use crate::metadefs::NamespaceListQuery;
use crate::operation::Operation;
use crate::paging::{NextPage, Page, next_after};
use crate::tasks::TaskListQuery;
use crate::wait::{Poll, image_poll, task_poll, timed_out};

impl Client {
    /// Every page of the listing, following `next` until the end. After an
    /// error the stream ends.
    pub fn image_pages(
        &self,
        query: &ImageListQuery,
    ) -> impl Stream<Item = Result<ImageList, Error>> + Send + '_ {
        self.pages(&self.api, self.api.list_images(query))
    }

    /// Every image of the listing, across pages.
    pub fn images(
        &self,
        query: &ImageListQuery,
    ) -> impl Stream<Item = Result<Image, Error>> + Send + '_ {
        items(self.image_pages(query))
    }

    /// Every page of the task listing.
    pub fn task_pages(
        &self,
        query: &TaskListQuery,
    ) -> impl Stream<Item = Result<TaskList, Error>> + Send + '_ {
        self.pages(&self.api, self.api.list_tasks(query))
    }

    /// Every task of the listing, across pages.
    pub fn tasks(
        &self,
        query: &TaskListQuery,
    ) -> impl Stream<Item = Result<Task, Error>> + Send + '_ {
        items(self.task_pages(query))
    }

    /// Every page of the metadef namespace listing.
    pub fn metadef_namespace_pages(
        &self,
        query: &NamespaceListQuery,
    ) -> impl Stream<Item = Result<MetadefNamespaceList, Error>> + Send + '_ {
        self.pages(&self.api, self.api.list_metadef_namespaces(query))
    }

    /// Every metadef namespace of the listing, across pages.
    pub fn metadef_namespaces(
        &self,
        query: &NamespaceListQuery,
    ) -> impl Stream<Item = Result<MetadefNamespace, Error>> + Send + '_ {
        items(self.metadef_namespace_pages(query))
    }

    /// The pages from `first` on, following the links `links` reads.
    pub(super) fn pages<'a, A: NextPage + Sync, P: Page + Send + 'static>(
        &'a self,
        links: &'a A,
        first: Result<Operation<P>, Error>,
    ) -> impl Stream<Item = Result<P, Error>> + Send + 'a {
        stream::unfold(Some(first), move |next| async move {
            let operation = match next? {
                Ok(operation) => operation,
                Err(error) => return Some((Err(error), None)),
            };
            let fetched = operation.uri().clone();
            match self.execute(operation).await {
                Ok(page) => {
                    let next = next_after(links, &page, &fetched);
                    Some((Ok(page), next))
                }
                Err(error) => Some((Err(error), None)),
            }
        })
    }

    /// Polls the image until its status is `target`, backing off between
    /// polls; fails with [`Error::UnwantedState`] when it reaches `killed`
    /// or `deleted` instead, and with [`Error::WaitTimeout`] after `timeout`.
    pub async fn wait_for_image(
        &self,
        id: &str,
        target: ImageStatus,
        timeout: Duration,
    ) -> Result<Image, Error> {
        let started = Instant::now();
        for poll in 0.. {
            let last = match image_poll(id, self.get_image(id).await?, &target)? {
                Poll::Done(image) => return Ok(image),
                Poll::Pending(last) => last,
            };
            self.pause(id, target.as_str(), last, started, timeout, poll)
                .await?;
        }
        unreachable!("the poll loop only ends by returning")
    }

    /// Polls the task until it succeeds; fails with [`Error::TaskFailed`]
    /// when it fails, and with [`Error::WaitTimeout`] after `timeout`.
    pub async fn wait_for_task(&self, id: &str, timeout: Duration) -> Result<Task, Error> {
        let started = Instant::now();
        for poll in 0.. {
            let last = match task_poll(id, self.get_task(id).await?)? {
                Poll::Done(task) => return Ok(task),
                Poll::Pending(last) => last,
            };
            self.pause(id, "success", last, started, timeout, poll)
                .await?;
        }
        unreachable!("the poll loop only ends by returning")
    }

    async fn pause(
        &self,
        id: &str,
        wanted: &str,
        last: String,
        started: Instant,
        timeout: Duration,
        poll: u32,
    ) -> Result<(), Error> {
        let left = timeout.saturating_sub(started.elapsed());
        if left.is_zero() {
            return Err(timed_out(id, wanted, last, started.elapsed()));
        }
        tokio::time::sleep(self.shared.poll.wait(poll).min(left)).await;
        Ok(())
    }
}

pub(super) fn items<P: Page + Send + 'static>(
    pages: impl Stream<Item = Result<P, Error>> + Send,
) -> impl Stream<Item = Result<P::Item, Error>> + Send
where
    P::Item: Send,
{
    pages
        .map(|page| match page {
            Ok(page) => stream::iter(page.into_items().into_iter().map(Ok)).left_stream(),
            Err(error) => stream::iter(std::iter::once(Err(error))).right_stream(),
        })
        .flatten()
}
