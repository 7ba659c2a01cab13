//! The service catalog a login returns, in one shape for Keystone v3 and
//! Rackspace's v2.0, and the choice of one endpoint from it.

use std::collections::BTreeSet;
use std::fmt;

use crate::config::Interface;

/// Every service the token may use.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Catalog {
    /// The services, in the order the identity service listed them. Empty
    /// for an unscoped Keystone token, which comes without a catalog.
    pub services: Vec<Service>,
}

/// One service: its type (what clients select on, such as `image` or
/// `compute`), its free-text name, and its endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// The service type (the catalog's `type`), such as `image` or
    /// `compute`: what [`Catalog::endpoint`] selects on.
    pub service_type: String,
    /// The operator's name for the service, such as `glance` or Rackspace's
    /// `cloudImages`; free text, never used to choose. `None` when the
    /// catalog gives no name.
    pub name: Option<String>,
    /// The service's URLs, in catalog order. A Keystone endpoint whose
    /// interface is not `public`, `internal` or `admin` is left out; a
    /// Rackspace endpoint gives one entry per URL key it has (`publicURL`,
    /// `internalURL`, `adminURL`).
    pub endpoints: Vec<Endpoint>,
}

/// One URL of a service, for one interface in one region (or none, as some
/// legacy Rackspace services list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// Which interface this URL is for.
    pub interface: Interface,
    /// The region (Keystone's `region_id`, else its older `region`;
    /// Rackspace's `region`), such as `RegionOne` or `DFW`. `None` when the
    /// catalog names no region for the endpoint.
    pub region: Option<String>,
    /// The URL as the catalog gives it, often the service's unversioned
    /// root (`http://glance:9292`), sometimes already versioned (Rackspace's
    /// `https://dfw.images.api.rackspacecloud.com/v2`).
    pub url: String,
}

impl Catalog {
    /// The endpoint of `service_type` for `interface`, in `region` when one
    /// is given, else the first the catalog lists. Services are searched in
    /// catalog order, so with two services of one type the first that has a
    /// matching endpoint wins.
    pub fn endpoint(
        &self,
        service_type: &str,
        region: Option<&str>,
        interface: Interface,
    ) -> Result<&Endpoint, Box<EndpointNotFound>> {
        self.services
            .iter()
            .filter(|service| service.service_type == service_type)
            .flat_map(|service| &service.endpoints)
            .find(|endpoint| {
                endpoint.interface == interface
                    && region.is_none_or(|region| endpoint.region.as_deref() == Some(region))
            })
            .ok_or_else(|| {
                Box::new(EndpointNotFound {
                    service_type: service_type.to_owned(),
                    region: region.map(str::to_owned),
                    interface,
                    service_types: self
                        .services
                        .iter()
                        .map(|service| service.service_type.clone())
                        .collect(),
                    regions: self
                        .of_type(service_type)
                        .filter_map(|endpoint| endpoint.region.clone())
                        .collect(),
                    interfaces: self
                        .of_type(service_type)
                        .map(|endpoint| endpoint.interface)
                        .collect(),
                })
            })
    }

    fn of_type<'a>(&'a self, service_type: &'a str) -> impl Iterator<Item = &'a Endpoint> + 'a {
        self.services
            .iter()
            .filter(move |service| service.service_type == service_type)
            .flat_map(|service| &service.endpoints)
    }
}

/// No endpoint matched; says what the catalog does offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointNotFound {
    /// The service type that was asked for, such as `image`.
    pub service_type: String,
    /// The region that was asked for; `None` when any region would do.
    pub region: Option<String>,
    /// The interface that was asked for.
    pub interface: Interface,
    /// Every service type in the catalog.
    pub service_types: BTreeSet<String>,
    /// The regions of the wanted service type's endpoints.
    pub regions: BTreeSet<String>,
    /// The interfaces of the wanted service type's endpoints.
    pub interfaces: BTreeSet<Interface>,
}

impl fmt::Display for EndpointNotFound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the service catalog has no `{}` endpoint with interface `{}`",
            self.service_type, self.interface
        )?;
        if let Some(region) = &self.region {
            write!(f, " in region `{region}`")?;
        }
        let quoted = |items: Vec<String>| {
            if items.is_empty() {
                "none".to_owned()
            } else {
                items
                    .iter()
                    .map(|item| format!("`{item}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        };
        write!(
            f,
            "; it offers service types {}",
            quoted(self.service_types.iter().cloned().collect())
        )?;
        if self.service_types.contains(&self.service_type) {
            write!(
                f,
                ", and for `{}` regions {} and interfaces {}",
                self.service_type,
                quoted(self.regions.iter().cloned().collect()),
                quoted(
                    self.interfaces
                        .iter()
                        .map(|interface| interface.to_string())
                        .collect()
                )
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for EndpointNotFound {}
