//! A blocking client: the sans-IO operations of [`Api`], sent with ureq.
//!
//! ureq is configured not to turn 4xx/5xx into its own errors, so every
//! refusal reaches the caller as this crate's typed [`Error`], and not to
//! follow redirects: ureq would send `X-Auth-Token` and the identity headers
//! on to whatever host `Location` names (it strips only `Authorization`),
//! and would turn a redirected `PATCH` or `POST` into a `GET` whose 200
//! looks like success. A 3xx arrives as [`Error::Other`].
//!
//! Every request runs in a `tracing` span (see [`crate::trace`]), takes its
//! token from the [`crate::TokenSource`] when it is sent, and is retried
//! as [`crate::retry`] says.

mod compute;
mod data;
mod login;
mod paging;
mod transport;

use std::thread::sleep;

use http::header::HeaderValue;
use http::{Method, Request, Response};

use crate::api::Api;
use crate::credentials::{MAX_LOGINS, TokenStep};
use crate::error::Error;
use crate::operation::{Operation, clone_request};
use crate::ops::operation_names;
use crate::retry::{Exchange, Next};
use crate::settings::Shared;
use crate::trace::RequestSpan;

pub use compute::ComputeClient;
pub use paging::{Items, Pages};

/// The most a JSON or error body may be; a list of 1000 images is far less.
const JSON_BODY_LIMIT: u64 = 64 * 1024 * 1024;

/// Configures a [`Client`].
pub type ClientBuilder = crate::settings::ClientBuilder<Client>;

impl ClientBuilder {
    /// The client. A builder that logs in (`Client::from_cloud`,
    /// `Client::login`, ...) logs in here, and the client then sends to
    /// the service root the session found.
    pub fn build(self) -> Result<Client, Error> {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_connect(self.connect_timeout)
            .timeout_per_read(self.read_timeout)
            .timeout_per_write(self.write_timeout)
            .user_agent(concat!("cloud-images-runtime/", env!("CARGO_PKG_VERSION")));
        let config = login::tls(&self.login, config)?.build();
        let (api, shared) = self.into_shared()?;
        let mut client = Client {
            api,
            shared,
            agent: ureq::Agent::new_with_config(config),
        };
        if client.shared.session.is_some() {
            client.authorize(&mut Request::new(()))?;
            if let Some(api) = client.shared.api_at_service_root()? {
                client.api = api;
            }
        }
        Ok(client)
    }
}

/// Runs operations against one service.
#[derive(Debug, Clone)]
pub struct Client {
    api: Api,
    shared: Shared,
    agent: ureq::Agent,
}

macro_rules! blocking_operations {
    ($($(#[$doc:meta])* $name:ident($($arg:ident: $ty:ty),*) -> $out:ty;)*) => {
        impl Client {
            $(
                $(#[$doc])*
                pub fn $name(&self, $($arg: $ty),*) -> Result<$out, Error> {
                    self.execute(self.api.$name($($arg),*)?)
                }
            )*
        }
    };
}

crate::ops::operations!(blocking_operations);

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

    /// The request builder this client sends with, for building operations
    /// to adjust before [`Client::execute`].
    pub fn api(&self) -> &Api {
        &self.api
    }

    /// Sends any request, with the token, span and retries of an
    /// operation, and reads the whole response.
    pub fn send(&self, request: Request<Vec<u8>>) -> Result<Response<Vec<u8>>, Error> {
        let path = self.api.endpoint().relative(request.uri().path());
        let template = crate::trace::path_template(path);
        let repeatable = crate::retry::is_repeatable(request.method(), &template);
        self.exchange(request, &template, repeatable)
    }

    /// Sends an operation's request and decodes the response.
    pub fn execute<T>(&self, operation: Operation<T>) -> Result<T, Error> {
        let repeatable = operation.is_repeatable();
        let template = operation.path_template().to_owned();
        let (request, decoder) = operation.into_parts();
        decoder.decode(self.exchange(request, &template, repeatable)?)
    }

    /// The send loop: token, span, attempt, and what [`Exchange`] says next.
    fn exchange(
        &self,
        request: Request<Vec<u8>>,
        template: &str,
        repeatable: bool,
    ) -> Result<Response<Vec<u8>>, Error> {
        let mut exchange = Exchange::new(request.method().clone(), repeatable, true);
        loop {
            let mut attempt = clone_request(&request);
            let token = self.authorize(&mut attempt)?;
            let span = RequestSpan::new(request.method(), template, exchange.attempt());
            let result = span.span().in_scope(|| {
                let (method, uri) = (attempt.method().clone(), attempt.uri().clone());
                self.run(attempt)
                    .and_then(|response| read_all(response, &method, &uri))
            });
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
                Next::Retry(wait) => sleep(wait),
            }
        }
    }

    /// Puts the token in `request`, logging in first when the source asks.
    /// Returns the token sent, for telling the source if it is refused.
    fn authorize<B>(&self, request: &mut Request<B>) -> Result<Option<HeaderValue>, Error> {
        let Some(tokens) = &self.shared.tokens else {
            return Ok(None);
        };
        let _serial = self
            .shared
            .login_serial
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        for _ in 0..=MAX_LOGINS {
            match tokens.token()? {
                TokenStep::Token(token) => {
                    request.headers_mut().insert("x-auth-token", token.clone());
                    return Ok(Some(token));
                }
                TokenStep::Anonymous => return Ok(None),
                TokenStep::Login(login) => {
                    let (method, uri) = (login.method().clone(), login.uri().clone());
                    let response = self
                        .run(*login)
                        .and_then(|response| read_all(response, &method, &uri))
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
    fn run(&self, request: Request<Vec<u8>>) -> Result<Response<ureq::Body>, Error> {
        let (parts, body) = request.into_parts();
        let (method, uri) = (parts.method.clone(), parts.uri.clone());
        let bodyless = matches!(parts.method, Method::GET | Method::HEAD | Method::DELETE);
        let result = if body.is_empty() && bodyless {
            self.agent.run(Request::from_parts(parts, ()))
        } else {
            self.agent.run(Request::from_parts(parts, body))
        };
        result.map_err(|error| transport::error(error, &method, &uri, false))
    }
}

fn read_all(
    response: Response<ureq::Body>,
    method: &Method,
    uri: &http::Uri,
) -> Result<Response<Vec<u8>>, Error> {
    let (parts, body) = response.into_parts();
    let bytes = body
        .into_with_config()
        .limit(JSON_BODY_LIMIT)
        .read_to_vec()
        .map_err(|error| transport::error(error, method, uri, true))?;
    Ok(Response::from_parts(parts, bytes))
}
