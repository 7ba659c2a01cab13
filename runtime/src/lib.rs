//! Requests and typed responses for the OpenStack Glance (Rackspace Cloud
//! Images) v2 API, on top of the generated types of [`cloud_images`].
//!
//! The core is sans-IO: [`Api`] builds, for every operation, an
//! [`Operation`] holding an `http::Request<Vec<u8>>` (method, absolute URI
//! under your base URL, `Accept`, `Content-Type`, body) and the [`Decoder`]
//! that turns the `http::Response` into the generated type or a typed
//! [`Error`]. Nothing here opens a socket, so any HTTP stack can send the
//! requests. With the `blocking` feature, `blocking::Client` sends them
//! with ureq; with the `async` feature, `asynchronous::Client` sends them
//! with reqwest on tokio. Both clients are generated from one list of
//! operations and share everything else through this layer: the send loop's
//! retry and re-login decisions ([`retry::Exchange`]), the token source asked
//! at send time ([`TokenSource`]), the span of each request ([`trace`]), the
//! length check and digests of streamed bodies ([`BodyMeter`], [`integrity`]),
//! and the judgement of status polls ([`wait`]). Data calls take the
//! caller's own body type ([`Api::upload_image_body`]).
//!
//! # Logging in
//!
//! [`config`] reads `clouds.yaml` and the `OS_*` variables the way
//! openstacksdk does; [`auth`] builds the identity requests (Keystone v3,
//! Rackspace Cloud Identity), decodes tokens and catalogs, discovers the
//! image API's root, and [`auth::Session`] keeps the token fresh.
//! [`auth::SessionTokens`] makes a session the [`TokenSource`] of either
//! client, so `blocking::Client::from_cloud("mycloud")`,
//! `blocking::Client::from_env()` and their async twins
//! (`asynchronous::Client::from_cloud("mycloud").await`) do all of it, with
//! one login shared by every thread or task using the client.
//!
//! The Compute API's image calls (Nova's `/v2.1/images`) are in
//! [`compute`], with their own [`compute::Api`]; each client has a
//! `ComputeClient` for them, generated from a second operation list, that
//! finds `compute` in the catalog (`ComputeClient::from_cloud`).
//!
//! What this crate assumes about Glance beyond its schemas (update
//! semantics, listing and filters, errors, tags, image data), each fact
//! with the recorded exchange that shows it, is in [`glance_behaviour`];
//! what it assumes about discovery, `/v2/info`, stores, the image cache and
//! locations, whose answers have no schema, is in [`glance_deployment`].
//!
//! # Features
//!
//! - `blocking`: the `blocking` module, a client on ureq with rustls for
//!   https; `async`: the `asynchronous` module, the same client on reqwest
//!   and tokio. **Both off by default**; documentation built without them
//!   (plain `cargo doc`) has neither module. docs.rs builds with every
//!   feature and marks feature-gated items; locally, use
//!   `cargo doc -p cloud-images-runtime --all-features`.
//!
//! # Sans-IO, with any HTTP stack
//!
//! ```
//! use cloud_images_runtime::{Api, Error, ImageListQuery, Match};
//!
//! let api = Api::new("http://127.0.0.1:9292")?
//!     .with_header("X-Auth-Token", "secret")?;
//!
//! let query = ImageListQuery {
//!     name: Some(Match::eq("page-c")),
//!     limit: Some(2),
//!     ..ImageListQuery::default()
//! };
//! let operation = api.list_images(&query)?;
//! assert_eq!(operation.request().method(), "GET");
//! assert_eq!(
//!     operation.request().uri(),
//!     "http://127.0.0.1:9292/v2/images?name=page-c&limit=2"
//! );
//!
//! // Send `operation.request()` with your HTTP stack, then hand the
//! // response to the operation's decoder.
//! let response = http::Response::builder()
//!     .status(200)
//!     .body(br#"{"images": [], "first": "/v2/images?name=page-c&limit=2"}"#.to_vec())
//!     .unwrap();
//! let list = operation.decode(response)?;
//! assert_eq!(list.images, Some(vec![]));
//! assert!(api.next_page(&list)?.is_none());
//!
//! // Refusals arrive typed, with Glance's message cleaned up.
//! let operation = api.get_image("00000000-0000-0000-0000-000000000000")?;
//! let response = http::Response::builder()
//!     .status(404)
//!     .header("content-type", "application/json")
//!     .body(br#"{"message": "No image found with ID 00000000-0000-0000-0000-000000000000<br /><br />\n\n\n", "code": "404 Not Found", "title": "Not Found"}"#.to_vec())
//!     .unwrap();
//! match operation.decode(response) {
//!     Err(Error::NotFound(error)) => {
//!         assert_eq!(error.message, "No image found with ID 00000000-0000-0000-0000-000000000000")
//!     }
//!     other => panic!("expected NotFound, got {other:?}"),
//! }
//! # Ok::<(), Error>(())
//! ```
//!
//! # Creating images
//!
//! [`ImageCreate`] is generated from the image schema: one optional field
//! per property a client may send. [`Api::create_image`] runs its
//! `validate` first, so a value Glance is known to refuse is an
//! [`Error::InvalidBody`] naming each property, and nothing is sent.
//!
//! ```
//! use cloud_images_runtime::{Api, Error, ImageCreate};
//!
//! let api = Api::new("http://127.0.0.1:9292")?;
//! let image = ImageCreate {
//!     name: Some("cirros".into()),
//!     min_ram: Some(512),
//!     ..ImageCreate::new()
//! }
//! .with_property("hw_disk_bus", "virtio");
//! let operation = api.create_image(&image)?;
//! let body: serde_json::Value = serde_json::from_slice(operation.request().body()).unwrap();
//! assert_eq!(
//!     body,
//!     serde_json::json!({"name": "cirros", "min_ram": 512, "hw_disk_bus": "virtio"})
//! );
//!
//! // `status` is read-only: Glance would answer 403.
//! let refused = ImageCreate::new().with_property("status", "active");
//! match api.create_image(&refused) {
//!     Err(Error::InvalidBody(error)) => assert_eq!(error.violations()[0].property, "status"),
//!     other => panic!("expected InvalidBody, got {other:?}"),
//! }
//! # Ok::<(), Error>(())
//! ```
//!
//! # Blocking client
//!
//! ```no_run
//! # #[cfg(feature = "blocking")]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//!
//! use cloud_images::{ImageContainerFormat, ImageDiskFormat};
//! use cloud_images_runtime::blocking::Client;
//! use cloud_images_runtime::{ImageCreate, ImageListQuery};
//!
//! let client = Client::builder("http://127.0.0.1:9292")
//!     .token("secret")
//!     .connect_timeout(Some(Duration::from_secs(5)))
//!     .build()?;
//!
//! let image = client.create_image(&ImageCreate {
//!     name: Some("cirros".into()),
//!     disk_format: Some(ImageDiskFormat::Raw),
//!     container_format: Some(ImageContainerFormat::Bare),
//!     ..ImageCreate::default()
//! })?;
//! let id = image.id().ok_or("the service sent an image without an id")?;
//! client.upload_image(id, vec![0; 1024])?;
//!
//! // Every image, following `next` links page by page.
//! for image in client.images(&ImageListQuery { limit: Some(100), ..ImageListQuery::default() }) {
//!     println!("{:?}", image?.name());
//! }
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "blocking"))]
//! # fn main() {}
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod api;
pub mod auth;
mod body;
mod cache;
pub mod compute;
pub mod config;
mod credentials;
mod encode;
mod endpoint;
mod error;
mod filter;
mod images;
mod info;
pub mod integrity;
mod locations;
mod login;
mod members;
mod message;
pub mod metadefs;
mod nullable;
mod open_enum;
mod operation;
mod ops;
mod paging;
pub mod retry;
mod schemas;
mod secret;
mod settings;
mod stores;
mod tasks;
pub mod trace;
mod transfer;
mod transport;
mod versions;
pub mod wait;

#[cfg(feature = "async")]
#[cfg_attr(docsrs, doc(cfg(feature = "async")))]
pub mod asynchronous;
#[cfg(feature = "blocking")]
#[cfg_attr(docsrs, doc(cfg(feature = "blocking")))]
pub mod blocking;

#[doc = include_str!("../docs/glance-behaviour.md")]
pub mod glance_behaviour {}

#[doc = include_str!("../docs/glance-deployment.md")]
pub mod glance_deployment {}

pub use api::Api;
pub use body::{BodyLengthError, BodyMeter, Progress};
pub use cache::{CLEAR_TARGET_HEADER, CacheClearTarget, CacheState, CachedImage};
pub use credentials::{StaticToken, TokenSource, TokenStep};
pub use error::{ApiError, Error};
pub use filter::{Match, SortDir, TimeFilter, TimeOp};
pub use images::{
    ImageCreate, ImageImport, ImageListQuery, ImportMethod, MemberStatusFilter, Sort, SortKey,
    VisibilityFilter,
};
pub use info::{
    Flag, ImportInfo, ImportMethodName, ImportMethods, QuotaUsage, Store, StoreList, StoreType,
    Usage,
};
pub use integrity::{IntegrityError, Unverified, Verification};
pub use locations::{LocationAdd, LocationDigest};
pub use members::MemberStatusUpdate;
pub use operation::{Decoder, Operation, decode_json};
pub use paging::Page;
pub use retry::RetryPolicy;
pub use secret::Secret;
pub use settings::ClientBuilder;
pub use stores::STORE_HEADER;
pub use tasks::{TaskCreate, TaskListQuery, TaskSortKey};
pub use transfer::{TransferOptions, Transferred};
pub use transport::{TransportError, TransportErrorKind};
pub use versions::{ApiVersion, VersionLink, VersionList, VersionStatus};
