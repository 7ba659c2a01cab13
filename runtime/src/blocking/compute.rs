//! The Compute API's image calls ([`crate::compute::Api`]) over the
//! blocking client's send loop: same token source, retries and spans.

use cloud_images::compute::{ImageDetailPage, ImageIndexPage};

use super::paging::{Items, Pages};
use super::{Client, ClientBuilder};
use crate::auth::SessionConfig;
use crate::compute::{ListQuery, Microversion};
use crate::config::{CloudConfig, Sources};
use crate::error::Error;
use crate::operation::Operation;
use crate::ops::operation_names;

/// Runs the Compute API's image calls against one nova-api: from the
/// catalog with [`ComputeClient::from_cloud`], or at a known endpoint
/// (`http://host:8774/v2.1`) with [`ClientBuilder::build_compute`].
#[derive(Debug, Clone)]
pub struct ComputeClient {
    api: crate::compute::Api,
    client: Client,
}

impl ClientBuilder {
    /// A client for the Compute API: at this builder's base URL, or, for a
    /// builder that logs in, at the endpoint the catalog lists.
    pub fn build_compute(self) -> Result<ComputeClient, Error> {
        let client = self.build()?;
        let api = client.shared.compute_api(&client.api.base_url())?;
        Ok(ComputeClient { api, client })
    }
}

macro_rules! blocking_compute_operations {
    ($($(#[$doc:meta])* $name:ident($($arg:ident: $ty:ty),*) -> $out:ty;)*) => {
        impl ComputeClient {
            $(
                $(#[$doc])*
                pub fn $name(&self, $($arg: $ty),*) -> Result<$out, Error> {
                    self.execute(self.api.$name($($arg),*)?)
                }
            )*
        }
    };
}

crate::ops::compute_operations!(blocking_compute_operations);

impl ComputeClient {
    crate::ops::compute_operations!(operation_names);

    /// Reads the cloud `name` from `clouds.yaml`, logs in, and finds the
    /// `compute` endpoint in the catalog (or `compute_endpoint_override`).
    pub fn from_cloud(name: &str) -> Result<ComputeClient, Error> {
        ComputeClient::from_cloud_in(name, &Sources::system())
    }

    /// Like [`ComputeClient::from_cloud`], with the variables and files given.
    pub fn from_cloud_in(name: &str, sources: &Sources) -> Result<ComputeClient, Error> {
        ComputeClient::from_config(&CloudConfig::load(name, sources)?)
    }

    /// Logs in to the cloud `OS_CLOUD` names, or the one the `OS_*`
    /// variables describe, for its `compute` endpoint.
    pub fn from_env() -> Result<ComputeClient, Error> {
        ComputeClient::from_config(&CloudConfig::from_env(&Sources::system())?)
    }

    /// Logs in to `cloud` for its `compute` endpoint.
    pub fn from_config(cloud: &CloudConfig) -> Result<ComputeClient, Error> {
        ClientBuilder::for_service(cloud, SessionConfig::service(cloud, "compute", 2))
            .build_compute()
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
    pub fn execute<T>(&self, operation: Operation<T>) -> Result<T, Error> {
        self.client.execute(operation)
    }

    /// Every page of `GET /images/detail`, following `images_links`.
    pub fn image_detail_pages(
        &self,
        query: &ListQuery,
    ) -> Pages<'_, ImageDetailPage, crate::compute::Api> {
        Pages::new(&self.client, &self.api, self.api.list_images_detail(query))
    }

    /// Every page of `GET /images`, following `images_links`.
    pub fn image_index_pages(
        &self,
        query: &ListQuery,
    ) -> Pages<'_, ImageIndexPage, crate::compute::Api> {
        Pages::new(&self.client, &self.api, self.api.list_images(query))
    }

    /// Every image of `GET /images/detail`, page after page.
    pub fn images_detail(
        &self,
        query: &ListQuery,
    ) -> Items<'_, ImageDetailPage, crate::compute::Api> {
        Items::new(self.image_detail_pages(query))
    }
}
