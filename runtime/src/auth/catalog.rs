//! The service catalog a login returns, in one shape for Keystone v3 and
//! Rackspace's v2.0, and the choice of one endpoint from it.

use std::collections::BTreeSet;
use std::fmt;

use crate::config::Interface;

/// Every service the token may use.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Catalog {
    pub services: Vec<Service>,
}

/// One service: its type (what clients select on, such as `image` or
/// `compute`), its free-text name, and its endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub service_type: String,
    pub name: Option<String>,
    pub endpoints: Vec<Endpoint>,
}

/// One URL of a service, for one interface in one region (or none, as some
/// legacy Rackspace services list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub interface: Interface,
    pub region: Option<String>,
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
    pub service_type: String,
    pub region: Option<String>,
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
