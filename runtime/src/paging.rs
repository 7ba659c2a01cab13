//! Following the `next` link of a list response.
//!
//! Glance puts `next` in a page whenever the page is full, so the last page
//! may be empty; a page without `next` is the last.

use cloud_images::{Image, ImageList, MetadefNamespace, MetadefNamespaceList, Task, TaskList};
use http::Method;
use serde::de::DeserializeOwned;

use crate::api::{Api, Body, JSON};
use crate::error::Error;
use crate::operation::{Decoder, Operation, json};

/// A list response that links to the next page.
pub trait Page: DeserializeOwned + Sized {
    /// What the page lists, such as an `Image`.
    type Item;

    /// The `next` link as sent, relative to the service root.
    fn next_link(&self) -> Option<&str>;

    /// The listed items, in the server's order.
    fn into_items(self) -> Vec<Self::Item>;
}

/// A request builder that can follow a page's link: the Image API's
/// [`Api`] (`next`) and the Compute API's [`crate::compute::Api`]
/// (`images_links`). The clients' pagers take either, so paging is written
/// once per client.
pub trait NextPage {
    /// The name of the link, for errors.
    const LINK: &'static str;

    /// The request for the page after `page`, or `None` when it is the last.
    fn next_page_of<P: Page + 'static>(&self, page: &P) -> Result<Option<Operation<P>>, Error>;
}

impl NextPage for Api {
    const LINK: &'static str = "next";

    fn next_page_of<P: Page + 'static>(&self, page: &P) -> Result<Option<Operation<P>>, Error> {
        self.next_page(page)
    }
}

impl NextPage for crate::compute::Api {
    const LINK: &'static str = "images_links";

    fn next_page_of<P: Page + 'static>(&self, page: &P) -> Result<Option<Operation<P>>, Error> {
        self.next_page(page)
    }
}

/// What a pager fetches after `page`, which it fetched from `fetched`:
/// nothing at the end, and an error for a link back to the same page,
/// which would never end.
pub(crate) fn next_after<A: NextPage, P: Page + 'static>(
    api: &A,
    page: &P,
    fetched: &http::Uri,
) -> Option<Result<Operation<P>, Error>> {
    match api.next_page_of(page) {
        Ok(None) => None,
        Ok(Some(next)) if next.uri() == fetched => Some(Err(Error::Decode {
            path: A::LINK.to_owned(),
            message: format!("link repeats the page just fetched, {fetched}"),
        })),
        Ok(Some(next)) => Some(Ok(next)),
        Err(error) => Some(Err(error)),
    }
}

impl Page for ImageList {
    type Item = Image;

    fn next_link(&self) -> Option<&str> {
        self.next.as_deref()
    }

    fn into_items(self) -> Vec<Image> {
        self.images.unwrap_or_default()
    }
}

impl Page for TaskList {
    type Item = Task;

    /// The tasks schema does not declare `next`, so it arrives among the
    /// undeclared keys.
    fn next_link(&self) -> Option<&str> {
        self.additional_properties.get_str("next")
    }

    fn into_items(self) -> Vec<Task> {
        self.tasks.unwrap_or_default()
    }
}

impl Page for MetadefNamespaceList {
    type Item = MetadefNamespace;

    /// Glance links a full page of namespaces to the next, as it does images.
    fn next_link(&self) -> Option<&str> {
        self.next.as_deref()
    }

    fn into_items(self) -> Vec<MetadefNamespace> {
        self.namespaces.unwrap_or_default()
    }
}

impl Api {
    /// The request for the page after `page`, or `None` when `page` is the
    /// last. The link is joined to the base URL, keeping its path prefix:
    /// with base `http://host/image`, the link `/v2/images?limit=2&marker=x`
    /// becomes `http://host/image/v2/images?limit=2&marker=x`.
    pub fn next_page<P: Page>(&self, page: &P) -> Result<Option<Operation<P>>, Error> {
        let Some(link) = page.next_link() else {
            return Ok(None);
        };
        let uri = self.endpoint().join_link("next", link)?;
        self.operation_at(Method::GET, uri, Body::Empty, JSON, Decoder::new(json::<P>))
            .map(Some)
    }
}
