//! The service's base URL, and how paths and Glance's relative links are
//! joined to it.

use http::Uri;
use http::uri::{Authority, Scheme};

use crate::error::Error;

/// Where the image service lives: scheme, host and an optional path prefix
/// (a deployment behind a proxy often serves Glance under `/image`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Endpoint {
    scheme: Scheme,
    authority: Authority,
    /// Empty, or starting with `/` and never ending with one.
    prefix: String,
}

impl Endpoint {
    /// Accepts `http://host:9292`, `http://host/image/` and the versioned
    /// form a service catalog may list, `https://host/v2`: a trailing `/v2`
    /// is dropped, because every path this crate builds starts with it.
    pub fn parse(base: &str) -> Result<Endpoint, Error> {
        let uri: Uri = base
            .parse()
            .map_err(|error| Error::InvalidRequest(format!("base URL `{base}`: {error}")))?;
        Endpoint::from_uri(&uri)
    }

    pub fn from_uri(uri: &Uri) -> Result<Endpoint, Error> {
        let (Some(scheme), Some(authority)) = (uri.scheme(), uri.authority()) else {
            return Err(Error::InvalidRequest(format!(
                "base URL `{uri}` needs a scheme and a host, like http://127.0.0.1:9292"
            )));
        };
        if authority.as_str().contains('@') {
            // Not repeated in the message: the part before `@` is a secret.
            return Err(Error::InvalidRequest(
                "the base URL carries credentials (`user:password@`); send a token or headers instead"
                    .to_owned(),
            ));
        }
        if uri.query().is_some() {
            return Err(Error::InvalidRequest(format!(
                "base URL `{uri}` must not have a query"
            )));
        }
        let mut prefix = uri.path().trim_end_matches('/');
        if let Some(unversioned) = prefix.strip_suffix("/v2") {
            prefix = unversioned.trim_end_matches('/');
        }
        Ok(Endpoint {
            scheme: scheme.clone(),
            authority: authority.clone(),
            prefix: prefix.to_owned(),
        })
    }

    /// The absolute URI of `path` (which starts with `/v2/`) and an encoded query.
    pub fn uri(&self, path: &str, query: &str) -> Result<Uri, Error> {
        let mut path_and_query = format!("{}{path}", self.prefix);
        if !query.is_empty() {
            path_and_query.push('?');
            path_and_query.push_str(query);
        }
        self.with_path_and_query(&path_and_query)
            .map_err(|error| Error::InvalidRequest(format!("`{path_and_query}`: {error}")))
    }

    /// Resolves a link from a response body, such as a list's `next`.
    /// Glance writes these relative to its own root (`/v2/images?marker=...`)
    /// without knowing any proxy prefix, so the prefix is put in front. An
    /// absolute link is used as it is, but only on this endpoint's scheme and
    /// host: credentials are never sent elsewhere because a body said so.
    pub fn join_link(&self, field: &str, link: &str) -> Result<Uri, Error> {
        let invalid = |reason: String| Error::Decode {
            path: field.to_owned(),
            message: format!("link `{link}` {reason}"),
        };
        if link.starts_with("http://") || link.starts_with("https://") {
            let uri: Uri = link
                .parse()
                .map_err(|error| invalid(format!("is not a URI: {error}")))?;
            if uri.scheme() != Some(&self.scheme) || uri.authority() != Some(&self.authority) {
                return Err(invalid(format!(
                    "leaves {}://{}",
                    self.scheme, self.authority
                )));
            }
            return Ok(uri);
        }
        if !link.starts_with('/') || link.starts_with("//") {
            return Err(invalid("is neither absolute nor rooted at `/`".to_owned()));
        }
        self.with_path_and_query(&format!("{}{link}", self.prefix))
            .map_err(|error| invalid(format!("is not a URI: {error}")))
    }

    fn with_path_and_query(&self, path_and_query: &str) -> Result<Uri, http::Error> {
        Uri::builder()
            .scheme(self.scheme.clone())
            .authority(self.authority.clone())
            .path_and_query(path_and_query)
            .build()
    }

    /// `path` without this endpoint's prefix, starting with `/v2`.
    pub fn relative<'a>(&self, path: &'a str) -> &'a str {
        path.strip_prefix(self.prefix.as_str()).unwrap_or(path)
    }

    /// The base URL as normalised: scheme, host and prefix, without `/v2`.
    pub fn base_url(&self) -> String {
        format!("{}://{}{}", self.scheme, self.authority, self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_slash_and_version_are_normalised() {
        for base in [
            "http://127.0.0.1:9292",
            "http://127.0.0.1:9292/",
            "http://127.0.0.1:9292/v2",
            "http://127.0.0.1:9292/v2/",
        ] {
            let endpoint = Endpoint::parse(base).unwrap();
            assert_eq!(endpoint.base_url(), "http://127.0.0.1:9292", "{base}");
        }
        let endpoint = Endpoint::parse("https://cloud.example/image/v2").unwrap();
        assert_eq!(endpoint.base_url(), "https://cloud.example/image");
    }

    #[test]
    fn a_prefix_that_only_ends_in_v2_letters_is_kept() {
        let endpoint = Endpoint::parse("http://h/apiv2").unwrap();
        assert_eq!(endpoint.base_url(), "http://h/apiv2");
    }

    #[test]
    fn base_without_scheme_or_with_query_is_refused() {
        assert!(matches!(
            Endpoint::parse("127.0.0.1:9292"),
            Err(Error::InvalidRequest(_))
        ));
        assert!(matches!(
            Endpoint::parse("/v2/images"),
            Err(Error::InvalidRequest(_))
        ));
        assert!(matches!(
            Endpoint::parse("http://h/?x=1"),
            Err(Error::InvalidRequest(_))
        ));
        assert!(matches!(
            Endpoint::parse("not a url"),
            Err(Error::InvalidRequest(_))
        ));
    }

    #[test]
    fn credentials_in_the_base_url_are_refused_without_repeating_them() {
        let error = Endpoint::parse("https://admin:hunter2@cloud.example/image").unwrap_err();
        assert!(matches!(&error, Error::InvalidRequest(reason) if reason.contains("credentials")));
        assert!(!error.to_string().contains("hunter2"), "{error}");
    }

    #[test]
    fn links_that_are_not_rooted_are_refused() {
        let endpoint = Endpoint::parse("http://h/image").unwrap();
        for link in [
            "v2/images?marker=x",
            "//evil.example/v2/images",
            "",
            "/v2/images?a b",
        ] {
            let error = endpoint.join_link("next", link).unwrap_err();
            assert!(
                matches!(&error, Error::Decode { path, .. } if path == "next"),
                "{link}: {error}"
            );
        }
    }

    #[test]
    fn absolute_links_are_used_only_on_the_same_host() {
        let endpoint = Endpoint::parse("http://h:9292/image").unwrap();
        let uri = endpoint
            .join_link("next", "http://h:9292/image/v2/images?marker=a")
            .unwrap();
        assert_eq!(uri.to_string(), "http://h:9292/image/v2/images?marker=a");
        for elsewhere in [
            "https://h:9292/v2/images",
            "http://other:9292/v2/images",
            "http://h/v2/images",
        ] {
            assert!(
                matches!(
                    endpoint.join_link("next", elsewhere),
                    Err(Error::Decode { .. })
                ),
                "{elsewhere}"
            );
        }
    }
}
