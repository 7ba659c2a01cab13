//! An async client: the sans-IO operations of [`Api`], sent with reqwest
//! (hyper and rustls) on tokio.
//!
//! It offers every operation of `blocking::Client` (feature `blocking`),
//! with the same names and argument types, generated from the same list;
//! paging is a `Stream` of pages or of items; image data streams from an
//! `AsyncRead` or a `Stream` and into an `AsyncWrite` or as a `Stream` of
//! chunks, verified as the blocking client verifies it.
//!
//! Redirects are not followed, for the reasons the blocking client gives:
//! credentials must not travel to another host, and a redirected `POST`
//! must not become a `GET`. A clone of a client shares its connection pool
//! and its [`crate::TokenSource`], so tasks share one token.

mod compute;
mod data;
mod hashing;
mod login;
mod paging;
mod transport;

use http::header::HeaderValue;
use http::{Request, Response};

use crate::api::Api;
use crate::credentials::{MAX_LOGINS, TokenStep};
use crate::error::Error;
use crate::operation::{Operation, clone_request};
use crate::ops::operation_names;
use crate::retry::{Exchange, Next};
use crate::settings::Shared;
use crate::trace::RequestSpan;

pub use compute::ComputeClient;
pub use data::ImageData;

/// The most a JSON or error body may be; a list of 1000 images is far less.
const JSON_BODY_LIMIT: usize = 64 * 1024 * 1024;

/// Configures a [`Client`].
pub type ClientBuilder = crate::settings::ClientBuilder<Client>;

impl ClientBuilder {
    /// The client, for a builder that does not log in. One that does
    /// (`Client::login`, `ClientBuilder::from_config`) must learn the
    /// service's URL from its first login, which is awaited: build it with
    /// [`ClientBuilder::connect`].
    pub fn build(self) -> Result<Client, Error> {
        if self.login.session.is_some() {
            return Err(Error::InvalidRequest(
                "a client that logs in finds its endpoint by logging in: build it with `connect().await`"
                    .to_owned(),
            ));
        }
        self.build_client()
    }

    /// The client, logged in when the builder logs in: the async
    /// counterpart of the blocking `build`.
    pub async fn connect(self) -> Result<Client, Error> {
        self.build_client()?.logged_in().await
    }

    fn build_client(self) -> Result<Client, Error> {
        let mut http = reqwest::Client::builder()
            .use_rustls_tls()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("cloud-images-runtime/", env!("CARGO_PKG_VERSION")));
        if let Some(timeout) = self.connect_timeout {
            http = http.connect_timeout(timeout);
        }
        if let Some(timeout) = self.read_timeout {
            http = http.read_timeout(timeout);
        }
        let http = login::tls(&self.login, http)?;
        let http = http.build().map_err(|error| {
            Error::InvalidRequest(format!("the HTTP client cannot be built: {error}"))
        })?;
        let (api, shared) = self.into_shared()?;
        Ok(Client { api, shared, http })
    }
}

/// Runs operations against one service, asynchronously.
#[derive(Debug, Clone)]
pub struct Client {
    api: Api,
    shared: Shared,
    http: reqwest::Client,
}

macro_rules! async_operations {
    ($($(#[$doc:meta])* $name:ident($($arg:ident: $ty:ty),*) -> $out:ty;)*) => {
        impl Client {
            $(
                $(#[$doc])*
                pub async fn $name(&self, $($arg: $ty),*) -> Result<$out, Error> {
                    self.execute(self.api.$name($($arg),*)?).await
                }
            )*
        }
    };
}

crate::ops::operations!(async_operations);

impl Client {
    crate::ops::operations!(operation_names);
}

impl Client {
    /// A builder for a client of the service at `base_url`.
    pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(base_url.into())
    }

    /// A client with the default timeouts and retries, and no credentials.
    pub fn new(base_url: impl Into<String>) -> Result<Client, Error> {
        Client::builder(base_url).build()
    }

    /// The request builder this client sends with.
    pub fn api(&self) -> &Api {
        &self.api
    }

    /// For a client that logs in: logs in now, and moves the client to the
    /// service root the session found.
    async fn logged_in(mut self) -> Result<Client, Error> {
        if self.shared.session.is_some() {
            self.authorize(&mut Request::new(())).await?;
            if let Some(api) = self.shared.api_at_service_root()? {
                self.api = api;
            }
        }
        Ok(self)
    }

    /// Sends any request, with the token, span and retries of an
    /// operation, and reads the whole response.
    pub async fn send(&self, request: Request<Vec<u8>>) -> Result<Response<Vec<u8>>, Error> {
        let path = self.api.endpoint().relative(request.uri().path());
        let template = crate::trace::path_template(path);
        let repeatable = crate::retry::is_repeatable(request.method(), &template);
        self.exchange(request, &template, repeatable).await
    }

    /// Sends an operation's request and decodes the response.
    pub async fn execute<T>(&self, operation: Operation<T>) -> Result<T, Error> {
        let repeatable = operation.is_repeatable();
        let template = operation.path_template().to_owned();
        let (request, decoder) = operation.into_parts();
        decoder.decode(self.exchange(request, &template, repeatable).await?)
    }

    /// The send loop, as the blocking client runs it.
    async fn exchange(
        &self,
        request: Request<Vec<u8>>,
        template: &str,
        repeatable: bool,
    ) -> Result<Response<Vec<u8>>, Error> {
        use tracing::Instrument;
        let mut exchange = Exchange::new(request.method().clone(), repeatable, true);
        loop {
            let mut attempt = clone_request(&request);
            let token = self.authorize(&mut attempt).await?;
            let span = RequestSpan::new(request.method(), template, exchange.attempt());
            let result = self
                .run_to_end(attempt)
                .instrument(span.span().clone())
                .await;
            span.finish();
            let next = match &result {
                Ok(response) => {
                    span.response(response.status(), response.headers());
                    exchange.after_response(
                        &self.shared.retry,
                        response.status(),
                        response.headers(),
                        || self.rejected(token.as_ref()),
                    )
                }
                Err(Error::Transport(error)) => {
                    span.failed(error);
                    exchange.after_failure(&self.shared.retry, error.kind())
                }
                Err(_) => Next::Done,
            };
            match next {
                Next::Done => {
                    let mut response = result?;
                    *response.status_mut() = exchange.settle(response.status());
                    return Ok(response);
                }
                Next::Reauthenticate => {}
                Next::Retry(wait) => tokio::time::sleep(wait).await,
            }
        }
    }

    /// Puts the token in `request`, logging in first when the source asks.
    async fn authorize<B>(&self, request: &mut Request<B>) -> Result<Option<HeaderValue>, Error> {
        let Some(tokens) = &self.shared.tokens else {
            return Ok(None);
        };
        let _serial = self.shared.login_serial_async.lock().await;
        for _ in 0..=MAX_LOGINS {
            match tokens.token()? {
                TokenStep::Token(token) => {
                    request.headers_mut().insert("x-auth-token", token.clone());
                    return Ok(Some(token));
                }
                TokenStep::Anonymous => return Ok(None),
                TokenStep::Login(login) => {
                    let response = self
                        .run_to_end(*login)
                        .await
                        .map_err(|error| tokens.login_failed(error))?;
                    tokens.login_response(response)?;
                }
            }
        }
        Err(Error::InvalidRequest(format!(
            "the token source asked for more than {MAX_LOGINS} logins for one request"
        )))
    }

    /// A request whose body cannot be sent again got `status`: after a 401
    /// the source still learns of it, so that the next request logs in
    /// again.
    fn saw_status(&self, status: http::StatusCode, token: Option<&HeaderValue>) {
        if status == http::StatusCode::UNAUTHORIZED {
            self.rejected(token);
        }
    }

    fn rejected(&self, token: Option<&HeaderValue>) -> bool {
        match (&self.shared.tokens, token) {
            (Some(tokens), Some(token)) => tokens.rejected(token),
            _ => false,
        }
    }

    /// One attempt, without reading the body.
    async fn run<B: Into<reqwest::Body>>(
        &self,
        request: Request<B>,
    ) -> Result<reqwest::Response, Error> {
        let (method, uri) = (request.method().clone(), request.uri().clone());
        let request = reqwest::Request::try_from(request)
            .map_err(|error| Error::InvalidRequest(format!("{method} {uri}: {error}")))?;
        self.http
            .execute(request)
            .await
            .map_err(|error| transport::error(&error, &method, &uri, false))
    }

    /// One attempt, reading the whole body.
    async fn run_to_end(&self, request: Request<Vec<u8>>) -> Result<Response<Vec<u8>>, Error> {
        let (method, uri) = (request.method().clone(), request.uri().clone());
        let response = self.run(request).await?;
        read_all(response, &method, &uri).await
    }
}

async fn read_all(
    mut response: reqwest::Response,
    method: &http::Method,
    uri: &http::Uri,
) -> Result<Response<Vec<u8>>, Error> {
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|error| transport::error(&error, method, uri, true))?
    {
        if body.len() + chunk.len() > JSON_BODY_LIMIT {
            return Err(Error::Decode {
                path: ".".to_owned(),
                message: format!("the response body is larger than {JSON_BODY_LIMIT} bytes"),
            });
        }
        body.extend_from_slice(&chunk);
    }
    let mut out = Response::new(body);
    *out.status_mut() = response.status();
    *out.headers_mut() = std::mem::take(response.headers_mut());
    Ok(out)
}
