//! The query of `GET /images` and `GET /images/detail`, with what each
//! filter really does on Nova 34 in front of Glance v2.

use std::collections::BTreeMap;

use cloud_images::compute::Status;

use crate::encode::Query;
use crate::error::Error;

/// The filters and paging of the Compute API's image lists. Nova turns each
/// into one Glance v2 list parameter; several filters are combined with AND.
/// Nova drops any parameter it does not know, so there is no way to send one.
///
/// ```
/// use cloud_images::compute::Status;
/// use cloud_images_runtime::compute::{Api, ListQuery};
///
/// let api = Api::new("http://127.0.0.1:8774/v2.1")?;
/// let query = ListQuery {
///     server: Some("a7c9d1e2-0000-4000-8000-000000000001".into()),
///     status: Some(Status::Active),
///     ..ListQuery::default()
/// };
/// let operation = api.list_images_detail(&query)?;
/// assert_eq!(
///     operation.uri(),
///     "http://127.0.0.1:8774/v2.1/images/detail?server=a7c9d1e2-0000-4000-8000-000000000001&status=ACTIVE"
/// );
/// # Ok::<(), cloud_images_runtime::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    /// Images made from this server: Glance's `instance_uuid` property,
    /// exactly. Takes the server's id or its URL: Nova keeps only the text
    /// after the last `/`.
    pub server: Option<String>,
    /// The image name, exactly: `lab-base` does not find `lab-base-cirros`.
    pub name: Option<String>,
    /// Nova lowercases the value and passes it to Glance's `status` filter,
    /// so it matches Glance statuses, not Nova's:
    /// - [`Status::Active`] finds active images;
    /// - [`Status::Saving`] finds only images whose data is being uploaded,
    ///   not queued ones, although Nova shows those as `SAVING` too;
    /// - [`Status::Unknown`], [`Status::Error`] and [`Status::Deleted`] are
    ///   no Glance status and find nothing;
    /// - a Glance status as [`Status::Other`] works: `queued`,
    ///   `deactivated`, `uploading`, `importing`.
    pub status: Option<Status>,
    /// Images changed at or after this time (Glance `updated_at >= value`,
    /// inclusive). ISO 8601: `2026-12-02T00:57:10Z`, `...+00:00` or a date
    /// such as `2026-12-02`; anything else is a 400 from Glance.
    pub changes_since: Option<String>,
    /// The `type` filter: Glance's `image_type` property, matched exactly and
    /// case-sensitively. Nova itself writes `snapshot` (and `backup`), and
    /// base images usually have no `image_type` at all, so the Rackspace
    /// values `BASE` and `SNAPSHOT` match nothing on a stock OpenStack.
    pub image_type: Option<String>,
    /// `minDisk`: Glance's `min_disk` **equal to** this value (in GiB), not
    /// "at least".
    pub min_disk: Option<u64>,
    /// `minRam`: Glance's `min_ram` **equal to** this value (in MiB), not
    /// "at least".
    pub min_ram: Option<u64>,
    /// Start after this image id. An id Glance does not know is a 400.
    pub marker: Option<String>,
    /// At most this many images per page; at least 1. Without a limit Nova
    /// returns every image (it pages through Glance itself); the
    /// `images_links` next link appears only when a page is full.
    pub limit: Option<u32>,
    /// Custom property filters, sent as `property-<key>=<value>`. Nova
    /// removes the prefix with Python's `str.lstrip("property-")`, which
    /// strips every leading character from the set `p r o e t y -`, not the
    /// prefix: `property-os_distro` becomes `s_distro` and matches nothing.
    /// A key that would lose characters is refused with
    /// [`Error::InvalidRequest`]; filter on it with the Image API instead.
    pub properties: BTreeMap<String, String>,
}

/// The characters Python's `str.lstrip("property-")` removes.
const LSTRIPPED: &[char] = &['p', 'r', 'o', 'e', 't', 'y', '-'];

impl ListQuery {
    pub(crate) fn to_query(&self) -> Result<Query, Error> {
        let mut query = Query::default();
        query.push_opt("server", self.server.as_deref());
        query.push_opt("name", self.name.as_deref());
        query.push_opt("status", self.status.as_ref().map(Status::as_str));
        query.push_opt("changes-since", self.changes_since.as_deref());
        query.push_opt("type", self.image_type.as_deref());
        query.push_opt("minDisk", self.min_disk.map(|v| v.to_string()));
        query.push_opt("minRam", self.min_ram.map(|v| v.to_string()));
        for (key, value) in &self.properties {
            let kept = key.trim_start_matches(LSTRIPPED);
            if kept != key || key.is_empty() {
                return Err(Error::InvalidRequest(format!(
                    "Nova would filter `property-{key}` on `{kept}`: it strips every leading `p`, `r`, `o`, \
                     `e`, `t`, `y` and `-`, not the prefix `property-`. Filter on `{key}` with the Image API"
                )));
            }
            query.push(&format!("property-{key}"), value);
        }
        query.push_opt("marker", self.marker.as_deref());
        if let Some(limit) = self.limit {
            if limit == 0 {
                return Err(Error::InvalidRequest(
                    "limit must be at least 1; Nova answers 400 to 0".to_owned(),
                ));
            }
            query.push("limit", &limit.to_string());
        }
        Ok(query)
    }
}
