//! [`Api`]: the base URL and the headers every request carries, and the one
//! place requests are put together.

use http::header::{ACCEPT, CONTENT_TYPE, HeaderName, HeaderValue};
use http::{HeaderMap, Method, Request};
use serde::Serialize;

use crate::encode::Query;
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::operation::{Decoder, Operation};

pub(crate) const JSON: &str = "application/json";
pub(crate) const OCTET_STREAM: &str = "application/octet-stream";

/// Builds the request for every operation, without doing any I/O.
///
/// Each method returns an [`Operation`]: an `http::Request<Vec<u8>>` with an
/// absolute URI under the base URL, and the decoder for its response.
#[derive(Debug, Clone)]
pub struct Api {
    endpoint: Endpoint,
    headers: HeaderMap,
}

/// What a request carries, and so which `Content-Type` it gets.
pub(crate) enum Body {
    Empty,
    Json(Vec<u8>),
    /// A body with its own media type (JSON Patch, image data).
    Typed {
        bytes: Vec<u8>,
        media_type: String,
    },
}

impl Body {
    pub fn json<T: Serialize + ?Sized>(value: &T) -> Result<Body, Error> {
        serde_json::to_vec(value).map(Body::Json).map_err(|error| {
            Error::InvalidRequest(format!("body cannot be written as JSON: {error}"))
        })
    }
}

impl Api {
    /// An `Api` for the service at `base_url`, such as `http://127.0.0.1:9292`
    /// or `https://cloud.example/image`. A trailing `/v2`, as service catalogs
    /// list it, is accepted and not repeated.
    pub fn new(base_url: &str) -> Result<Api, Error> {
        Ok(Api {
            endpoint: Endpoint::parse(base_url)?,
            headers: HeaderMap::new(),
        })
    }

    /// Like [`Api::new`], from a parsed URI.
    pub fn from_uri(base_url: &http::Uri) -> Result<Api, Error> {
        Ok(Api {
            endpoint: Endpoint::from_uri(base_url)?,
            headers: HeaderMap::new(),
        })
    }

    /// The base URL as normalised, without a trailing `/` or `/v2`.
    pub fn base_url(&self) -> String {
        self.endpoint.base_url()
    }

    /// Sends `X-Auth-Token: token` with every request. The clients take the
    /// token from a [`crate::TokenSource`] at send time instead.
    pub fn with_token(self, token: &str) -> Result<Api, Error> {
        self.with_header("x-auth-token", token)
    }

    /// Sends a header with every request, replacing an earlier one of the
    /// same name. Glance's own `Accept` and `Content-Type` for an operation
    /// are set after these, so they always describe the body.
    pub fn with_header(mut self, name: &str, value: &str) -> Result<Api, Error> {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|error| Error::InvalidRequest(format!("header name `{name}`: {error}")))?;
        let mut value = HeaderValue::from_str(value)
            .map_err(|error| Error::InvalidRequest(format!("header `{name}`: {error}")))?;
        // Both are tokens: kept out of `Debug` output and HTTP/2 header tables.
        if name == "x-auth-token" || name == "x-service-token" {
            value.set_sensitive(true);
        }
        self.headers.insert(name, value);
        Ok(self)
    }

    /// The headers sent with every request.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    pub(crate) fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// Puts a request together. `path` starts with `/v2/` and has its
    /// segments encoded already.
    pub(crate) fn operation<T>(
        &self,
        method: Method,
        path: &str,
        query: Query,
        body: Body,
        accept: &str,
        decoder: Decoder<T>,
    ) -> Result<Operation<T>, Error> {
        let uri = self.endpoint.uri(path, &query.into_string())?;
        self.operation_at(method, uri, body, accept, decoder)
    }

    /// A `GET` of a JSON document, the shape of most reads.
    pub(crate) fn get_json<T: serde::de::DeserializeOwned + 'static>(
        &self,
        path: &str,
        query: Query,
    ) -> Result<Operation<T>, Error> {
        self.operation(
            Method::GET,
            path,
            query,
            Body::Empty,
            JSON,
            Decoder::new(crate::operation::json),
        )
    }

    /// A call with no body whose success carries no document (204s).
    pub(crate) fn no_content(&self, method: Method, path: &str) -> Result<Operation<()>, Error> {
        self.operation(
            method,
            path,
            Query::default(),
            Body::Empty,
            JSON,
            Decoder::new(crate::operation::empty),
        )
    }

    pub(crate) fn operation_at<T>(
        &self,
        method: Method,
        uri: http::Uri,
        body: Body,
        accept: &str,
        decoder: Decoder<T>,
    ) -> Result<Operation<T>, Error> {
        let mut headers = self.headers.clone();
        headers.insert(ACCEPT, header_value(accept)?);
        let bytes = match body {
            Body::Empty => Vec::new(),
            Body::Json(bytes) => {
                headers.insert(CONTENT_TYPE, HeaderValue::from_static(JSON));
                bytes
            }
            Body::Typed { bytes, media_type } => {
                headers.insert(CONTENT_TYPE, header_value(&media_type)?);
                bytes
            }
        };
        let mut request = Request::builder()
            .method(method)
            .uri(uri)
            .body(bytes)
            .map_err(|error| Error::InvalidRequest(error.to_string()))?;
        *request.headers_mut() = headers;
        let template = crate::trace::path_template(self.endpoint.relative(request.uri().path()));
        Ok(Operation::new(request, decoder, template))
    }
}

fn header_value(value: &str) -> Result<HeaderValue, Error> {
    HeaderValue::from_str(value)
        .map_err(|error| Error::InvalidRequest(format!("header value `{value}`: {error}")))
}
