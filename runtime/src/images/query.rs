//! The query of `GET /v2/images`: every filter, sorting and paging
//! parameter Glance accepts.

use cloud_images::{
    ImageContainerFormat, ImageDiskFormat, ImageStatus, ImageVisibility, MemberStatus,
};

use crate::encode::Query;
use crate::error::Error;
use crate::filter::{Match, SortDir, TimeFilter};

/// Which images to list, by visibility. `All` is a filter value
/// only, not a visibility an image can have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VisibilityFilter {
    /// Images with this visibility.
    Only(ImageVisibility),
    /// Every image the caller may see, whatever its visibility.
    All,
}

impl From<ImageVisibility> for VisibilityFilter {
    fn from(visibility: ImageVisibility) -> Self {
        VisibilityFilter::Only(visibility)
    }
}

/// Shared images by the caller's membership status; `All` as well.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberStatusFilter {
    /// Shared images whose membership for the caller has this status.
    Only(MemberStatus),
    /// Shared images whatever the caller's membership status.
    All,
}

impl From<MemberStatus> for MemberStatusFilter {
    fn from(status: MemberStatus) -> Self {
        MemberStatusFilter::Only(status)
    }
}

/// The keys Glance sorts images by; any other gets 400.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortKey {
    /// `name`
    Name,
    /// `status`
    Status,
    /// `container_format`
    ContainerFormat,
    /// `disk_format`
    DiskFormat,
    /// `size`
    Size,
    /// `id`
    Id,
    /// `created_at`
    CreatedAt,
    /// `updated_at`
    UpdatedAt,
}

impl SortKey {
    /// The key as sent, such as `created_at`.
    pub fn as_str(self) -> &'static str {
        match self {
            SortKey::Name => "name",
            SortKey::Status => "status",
            SortKey::ContainerFormat => "container_format",
            SortKey::DiskFormat => "disk_format",
            SortKey::Size => "size",
            SortKey::Id => "id",
            SortKey::CreatedAt => "created_at",
            SortKey::UpdatedAt => "updated_at",
        }
    }
}

/// How to sort. Glance has two syntaxes and refuses a request that mixes
/// them, so this is one or the other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sort {
    /// `sort_key=name&sort_dir=asc&sort_key=created_at&sort_dir=desc`.
    KeyDir(Vec<(SortKey, SortDir)>),
    /// `sort=name:asc,created_at:desc`; a key without a direction
    /// uses Glance's default, `desc`.
    Combined(Vec<(SortKey, Option<SortDir>)>),
}

/// The parameters of `GET /v2/images`. Every field is optional; unset
/// fields are not sent.
///
/// Parameters are sent in a fixed order (filters, then sorting, then
/// `limit` and `marker`), which is the order the transcripts use.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImageListQuery {
    /// `name=page-c` or `name=in:page-a,page-b`.
    pub name: Option<Match<String>>,
    /// `id=in:a,b`.
    pub id: Option<Match<String>>,
    /// `member_status=accepted`: shared images by the caller's membership.
    pub member_status: Option<MemberStatusFilter>,
    /// `visibility=shared`, or `all`.
    pub visibility: Option<VisibilityFilter>,
    /// `owner=<project id>`.
    pub owner: Option<String>,
    /// `status=active` or `status=in:queued,saving`.
    pub status: Option<Match<ImageStatus>>,
    /// Repeated `tag=`; Glance lists images that have all of them.
    pub tags: Vec<String>,
    /// Images of at least this many bytes.
    pub size_min: Option<u64>,
    /// Images of at most this many bytes.
    pub size_max: Option<u64>,
    /// `os_hidden=true` lists the hidden images, which are left out by default.
    pub os_hidden: Option<bool>,
    /// `protected=true` or `false`.
    pub protected: Option<bool>,
    /// `disk_format=qcow2` or `disk_format=in:raw,qcow2`.
    pub disk_format: Option<Match<ImageDiskFormat>>,
    /// `container_format=bare` or an `in:` list.
    pub container_format: Option<Match<ImageContainerFormat>>,
    /// `checksum=<md5 hex>`: images with this MD5 of their data.
    pub checksum: Option<String>,
    /// `os_hash_value=<hex>`: images with this secure hash of their data.
    pub os_hash_value: Option<String>,
    /// `created_at=gte:2026-11-28T00:00:00Z` and the like.
    pub created_at: Option<TimeFilter>,
    /// `updated_at=lt:2026-11-28T00:00:00Z` and the like.
    pub updated_at: Option<TimeFilter>,
    /// Custom-property filters such as `os_distro=ubuntu` or
    /// `hw_disk_bus=virtio`, sent in this order.
    pub properties: Vec<(String, String)>,
    /// The order of the list; Glance's default is `created_at` descending.
    pub sort: Option<Sort>,
    /// Page size; Glance answers 400 for values that are not positive integers.
    pub limit: Option<u32>,
    /// The id of the last image of the previous page.
    pub marker: Option<String>,
}

/// Parameter names Glance reads itself; a property filter with one of these
/// names would be read as the parameter instead.
const RESERVED: &[&str] = &[
    "limit",
    "marker",
    "name",
    "id",
    "member_status",
    "visibility",
    "owner",
    "status",
    "tag",
    "size_min",
    "size_max",
    "os_hidden",
    "protected",
    "disk_format",
    "container_format",
    "checksum",
    "os_hash_value",
    "created_at",
    "updated_at",
    "sort",
    "sort_key",
    "sort_dir",
    "changes-since",
];

impl ImageListQuery {
    /// A query with no parameter: the first page of every image the caller
    /// sees, in Glance's default order and page size.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a required tag.
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.tags.push(tag.into());
        self
    }

    /// Adds a custom-property filter.
    pub fn property(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.properties.push((key.into(), value.into()));
        self
    }

    /// The encoded query string, without `?`.
    pub fn to_query_string(&self) -> Result<String, Error> {
        Ok(self.to_query()?.into_string())
    }

    pub(crate) fn to_query(&self) -> Result<Query, Error> {
        let mut query = Query::default();
        if let Some(name) = &self.name {
            query.push("name", &name.render("name")?);
        }
        if let Some(id) = &self.id {
            query.push("id", &id.render("id")?);
        }
        if let Some(member_status) = &self.member_status {
            let value = match member_status {
                MemberStatusFilter::Only(status) => {
                    known("member_status", status.as_str(), status.is_known())?
                }
                MemberStatusFilter::All => "all",
            };
            query.push("member_status", value);
        }
        if let Some(visibility) = &self.visibility {
            let value = match visibility {
                VisibilityFilter::Only(visibility) => {
                    known("visibility", visibility.as_str(), visibility.is_known())?
                }
                VisibilityFilter::All => "all",
            };
            query.push("visibility", value);
        }
        query.push_opt("owner", self.owner.as_ref());
        if let Some(status) = &self.status {
            query.push("status", &status.render("status")?);
        }
        for tag in &self.tags {
            query.push("tag", tag);
        }
        query.push_opt("size_min", self.size_min.map(|size| size.to_string()));
        query.push_opt("size_max", self.size_max.map(|size| size.to_string()));
        query.push_opt("os_hidden", self.os_hidden.map(bool_str));
        query.push_opt("protected", self.protected.map(bool_str));
        if let Some(format) = &self.disk_format {
            query.push("disk_format", &format.render("disk_format")?);
        }
        if let Some(format) = &self.container_format {
            query.push("container_format", &format.render("container_format")?);
        }
        query.push_opt("checksum", self.checksum.as_ref());
        query.push_opt("os_hash_value", self.os_hash_value.as_ref());
        query.push_opt(
            "created_at",
            self.created_at.as_ref().map(TimeFilter::render),
        );
        query.push_opt(
            "updated_at",
            self.updated_at.as_ref().map(TimeFilter::render),
        );
        for (key, value) in &self.properties {
            if RESERVED.contains(&key.as_str()) {
                return Err(Error::InvalidRequest(format!(
                    "`{key}` is a list parameter, not a property Glance can filter on"
                )));
            }
            query.push(key, value);
        }
        match &self.sort {
            None => {}
            Some(Sort::KeyDir(pairs)) => {
                for (key, dir) in pairs {
                    query.push("sort_key", key.as_str());
                    query.push("sort_dir", dir.as_str());
                }
            }
            Some(Sort::Combined(pairs)) => {
                let value: Vec<String> = pairs
                    .iter()
                    .map(|(key, dir)| match dir {
                        Some(dir) => format!("{}:{}", key.as_str(), dir.as_str()),
                        None => key.as_str().to_owned(),
                    })
                    .collect();
                query.push("sort", &value.join(","));
            }
        }
        query.push_opt("limit", self.limit.map(|limit| limit.to_string()));
        query.push_opt("marker", self.marker.as_ref());
        Ok(query)
    }
}

fn bool_str(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}

/// Refuses enum values the schema does not list: Glance answers 400 for them.
fn known<'a>(parameter: &str, value: &'a str, is_known: bool) -> Result<&'a str, Error> {
    if is_known {
        Ok(value)
    } else {
        Err(Error::InvalidRequest(format!(
            "`{value}` is not a valid {parameter}"
        )))
    }
}
