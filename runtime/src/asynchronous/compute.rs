//! The Compute API's image calls ([`crate::compute::Api`]) over the async
//! client's send loop, generated from the list the blocking
//! `ComputeClient` is generated from.

use cloud_images::compute::{Image, ImageDetailPage, ImageIndexPage};
use futures_util::stream::Stream;

use super::paging::items;
use super::{Client, ClientBuilder};
use crate::auth::SessionConfig;
use crate::compute::{ListQuery, Microversion};
use crate::config::{CloudConfig, Sources};
use crate::error::Error;
use crate::operation::Operation;
use crate::ops::operation_names;

/// Runs the Compute API's image calls against one nova-api, asynchronously:
/// from the catalog with [`ComputeClient::from_cloud`], or at a known
/// endpoint with [`ClientBuilder::build_compute`].
#[derive(Debug, Clone)]
pub struct ComputeClient {
    api: crate::compute::Api,
    client: Client,
}

impl ClientBuilder {
    /// A client for the Compute API: at this builder's base URL, or, for a
    /// builder that logs in, at the endpoint the catalog lists.
    pub async fn build_compute(self) -> Result<ComputeClient, Error> {
        let client = self.connect().await?;
        let api = client.shared.compute_api(&client.api.base_url())?;
        Ok(ComputeClient { api, client })
    }
}

macro_rules! async_compute_operations {
    ($($(#[$doc:meta])* $name:ident($($arg:ident: $ty:ty),*) -> $out:ty;)*) => {
        impl ComputeClient {
            $(
                $(#[$doc])*
                pub async fn $name(&self, $($arg: $ty),*) -> Result<$out, Error> {
                    self.execute(self.api.$name($($arg),*)?).await
                }
            )*
        }
    };
}

crate::ops::compute_operations!(async_compute_operations);

impl ComputeClient {
    crate::ops::compute_operations!(operation_names);

    /// Reads the cloud `name` from `clouds.yaml`, logs in, and finds the
    /// `compute` endpoint in the catalog (or `compute_endpoint_override`).
    pub async fn from_cloud(name: &str) -> Result<ComputeClient, Error> {
        ComputeClient::from_cloud_in(name, &Sources::system()).await
    }

    /// Like [`ComputeClient::from_cloud`], with the variables and files given.
    pub async fn from_cloud_in(name: &str, sources: &Sources) -> Result<ComputeClient, Error> {
        ComputeClient::from_config(&CloudConfig::load(name, sources)?).await
    }

    /// Logs in to the cloud `OS_CLOUD` names, or the one the `OS_*`
    /// variables describe, for its `compute` endpoint.
    pub async fn from_env() -> Result<ComputeClient, Error> {
        ComputeClient::from_config(&CloudConfig::from_env(&Sources::system())?).await
    }

    /// Logs in to `cloud` for its `compute` endpoint.
    pub async fn from_config(cloud: &CloudConfig) -> Result<ComputeClient, Error> {
        ClientBuilder::for_service(cloud, SessionConfig::service(cloud, "compute", 2))
            .build_compute()
            .await
    }

    /// The request builder, for operations to adjust before
    /// [`ComputeClient::execute`].
    pub fn api(&self) -> &crate::compute::Api {
        &self.api
    }

    /// The client these calls are sent with; its `session` counts logins.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Asks for another microversion; see [`crate::compute::Api::with_microversion`].
    pub fn with_microversion(mut self, microversion: Microversion) -> Result<Self, Error> {
        self.api = self.api.with_microversion(microversion)?;
        Ok(self)
    }

    /// Sends an operation's request and decodes the response.
    pub async fn execute<T>(&self, operation: Operation<T>) -> Result<T, Error> {
        self.client.execute(operation).await
    }

    /// Every page of `GET /images/detail`, following `images_links`.
    pub fn image_detail_pages(
        &self,
        query: &ListQuery,
    ) -> impl Stream<Item = Result<ImageDetailPage, Error>> + Send + '_ {
        self.client
            .pages(&self.api, self.api.list_images_detail(query))
    }

    /// Every page of `GET /images`, following `images_links`.
    pub fn image_index_pages(
        &self,
        query: &ListQuery,
    ) -> impl Stream<Item = Result<ImageIndexPage, Error>> + Send + '_ {
        self.client.pages(&self.api, self.api.list_images(query))
    }

    /// Every image of `GET /images/detail`, page after page.
    pub fn images_detail(
        &self,
        query: &ListQuery,
    ) -> impl Stream<Item = Result<Image, Error>> + Send + '_ {
        items(self.image_detail_pages(query))
    }
}
