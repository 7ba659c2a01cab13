//! Listings page by page and item by item, and waiting for a status.

use std::collections::VecDeque;
use std::thread::sleep;
use std::time::{Duration, Instant};

use cloud_images::{Image, ImageList, ImageStatus, MetadefNamespaceList, Task, TaskList};

use super::Client;
use crate::api::Api;
use crate::error::Error;
use crate::images::ImageListQuery;
use crate::metadefs::NamespaceListQuery;
use crate::operation::Operation;
use crate::paging::{NextPage, Page, next_after};
use crate::tasks::TaskListQuery;
use crate::wait::{Poll, image_poll, task_poll, timed_out};

impl Client {
    /// Every page of the listing, following `next` until the end.
    pub fn image_pages(&self, query: &ImageListQuery) -> Pages<'_, ImageList> {
        Pages::new(self, &self.api, self.api.list_images(query))
    }

    /// Every image of the listing, across pages.
    pub fn images(&self, query: &ImageListQuery) -> Items<'_, ImageList> {
        Items::new(self.image_pages(query))
    }

    /// Every page of the task listing.
    pub fn task_pages(&self, query: &TaskListQuery) -> Pages<'_, TaskList> {
        Pages::new(self, &self.api, self.api.list_tasks(query))
    }

    /// Every task of the listing, across pages.
    pub fn tasks(&self, query: &TaskListQuery) -> Items<'_, TaskList> {
        Items::new(self.task_pages(query))
    }

    /// Every page of the metadef namespace listing.
    pub fn metadef_namespace_pages(
        &self,
        query: &NamespaceListQuery,
    ) -> Pages<'_, MetadefNamespaceList> {
        Pages::new(self, &self.api, self.api.list_metadef_namespaces(query))
    }

    /// Every metadef namespace of the listing, across pages.
    pub fn metadef_namespaces(
        &self,
        query: &NamespaceListQuery,
    ) -> Items<'_, MetadefNamespaceList> {
        Items::new(self.metadef_namespace_pages(query))
    }

    /// Polls the image until its status is `target`, backing off between
    /// polls; fails with [`Error::UnwantedState`] when it reaches `killed`
    /// or `deleted` instead, and with [`Error::WaitTimeout`] after `timeout`.
    pub fn wait_for_image(
        &self,
        id: &str,
        target: ImageStatus,
        timeout: Duration,
    ) -> Result<Image, Error> {
        self.poll(id, target.as_str(), timeout, || {
            image_poll(id, self.get_image(id)?, &target)
        })
    }

    /// Polls the task until it succeeds; fails with [`Error::TaskFailed`]
    /// when it fails, and with [`Error::WaitTimeout`] after `timeout`.
    pub fn wait_for_task(&self, id: &str, timeout: Duration) -> Result<Task, Error> {
        self.poll(id, "success", timeout, || task_poll(id, self.get_task(id)?))
    }

    fn poll<T>(
        &self,
        id: &str,
        wanted: &str,
        timeout: Duration,
        mut once: impl FnMut() -> Result<Poll<T>, Error>,
    ) -> Result<T, Error> {
        let started = Instant::now();
        for poll in 0.. {
            let last = match once()? {
                Poll::Done(done) => return Ok(done),
                Poll::Pending(last) => last,
            };
            let left = timeout.saturating_sub(started.elapsed());
            if left.is_zero() {
                return Err(timed_out(id, wanted, last, started.elapsed()));
            }
            sleep(self.shared.poll.wait(poll).min(left));
        }
        unreachable!("the poll loop only ends by returning")
    }
}

/// The pages of a listing, following `next` links. After an error the
/// iterator ends.
/// `A` reads the links: the Image API's `next`, or the Compute API's
/// `images_links`.
pub struct Pages<'a, P: Page, A: NextPage = Api> {
    client: &'a Client,
    links: &'a A,
    next: Option<Result<Operation<P>, Error>>,
}

impl<'a, P: Page, A: NextPage> Pages<'a, P, A> {
    pub(super) fn new(
        client: &'a Client,
        links: &'a A,
        first: Result<Operation<P>, Error>,
    ) -> Self {
        Pages {
            client,
            links,
            next: Some(first),
        }
    }
}

impl<P: Page + 'static, A: NextPage> Iterator for Pages<'_, P, A> {
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
        self.next = next_after(self.links, &page, &fetched);
        Some(Ok(page))
    }
}

/// The items of every page of a listing, in order.
pub struct Items<'a, P: Page, A: NextPage = Api> {
    pages: Pages<'a, P, A>,
    buffer: VecDeque<P::Item>,
}

impl<'a, P: Page, A: NextPage> Items<'a, P, A> {
    pub(super) fn new(pages: Pages<'a, P, A>) -> Self {
        Items {
            pages,
            buffer: VecDeque::new(),
        }
    }
}

impl<P: Page + 'static, A: NextPage> Iterator for Items<'_, P, A> {
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
