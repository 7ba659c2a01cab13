//! The query of `GET /v2/images`: every filter, sorting and paging
//! parameter Glance accepts (PATCH-RULES, "Listing").

use cloud_images::{
    ImageContainerFormat, ImageDiskFormat, ImageStatus, ImageVisibility, MemberStatus,
};

use crate::encode::Query;
use crate::error::Error;
use crate::filter::{Match, SortDir, TimeFilter};

/// Which images to list, by visibility. `All` (g-31) is a filter value
/// only, not a visibility an image can have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VisibilityFilter {
    Only(ImageVisibility),
    All,
}

impl From<ImageVisibility> for VisibilityFilter {
    fn from(visibility: ImageVisibility) -> Self {
        VisibilityFilter::Only(visibility)
    }
}

/// Shared images by the caller's membership status; `All` (g-34) as well.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberStatusFilter {
    Only(MemberStatus),
    All,
}

impl From<MemberStatus> for MemberStatusFilter {
    fn from(status: MemberStatus) -> Self {
        MemberStatusFilter::Only(status)
    }
}

/// The keys Glance sorts images by; any other gets 400 (g-52).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortKey {
    Name,
    Status,
    ContainerFormat,
    DiskFormat,
    Size,
    Id,
    CreatedAt,
    UpdatedAt,
}

impl SortKey {
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
/// them (g-22), so this is one or the other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sort {
    /// `sort_key=name&sort_dir=asc&sort_key=created_at&sort_dir=desc` (g-19, g-20).
    KeyDir(Vec<(SortKey, SortDir)>),
    /// `sort=name:asc,created_at:desc` (g-21); a key without a direction
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
    pub member_status: Option<MemberStatusFilter>,
    pub visibility: Option<VisibilityFilter>,
    pub owner: Option<String>,
    pub status: Option<Match<ImageStatus>>,
    /// Repeated `tag=`; Glance lists images that have all of them (g-33).
    pub tags: Vec<String>,
    pub size_min: Option<u64>,
    pub size_max: Option<u64>,
    pub os_hidden: Option<bool>,
    pub protected: Option<bool>,
    pub disk_format: Option<Match<ImageDiskFormat>>,
    pub container_format: Option<Match<ImageContainerFormat>>,
    pub checksum: Option<String>,
    pub os_hash_value: Option<String>,
    pub created_at: Option<TimeFilter>,
    pub updated_at: Option<TimeFilter>,
    /// Custom-property filters such as `os_distro=ubuntu` (g-43) or
    /// `hw_disk_bus=virtio` (g-44), sent in this order.
    pub properties: Vec<(String, String)>,
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

/// Refuses enum values the schema does not list: Glance answers 400 for them
/// (g-54, g-55).
fn known<'a>(parameter: &str, value: &'a str, is_known: bool) -> Result<&'a str, Error> {
    if is_known {
        Ok(value)
    } else {
        Err(Error::InvalidRequest(format!(
            "`{value}` is not a valid {parameter}"
        )))
    }
}
