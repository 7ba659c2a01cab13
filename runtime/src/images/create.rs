//! The body of `POST /v2/images`: only the properties a user may set.
//!
//! Hand-written against the generated enums; the generator knows which
//! properties are read-only and could emit this type itself.

use std::collections::BTreeMap;

use cloud_images::{ImageContainerFormat, ImageDiskFormat, ImageVisibility};
use serde::Serialize;

use crate::error::Error;

/// A new image. Every field is optional (a-03: `{}` creates an image);
/// unset fields are not sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImageCreate {
    /// A client-chosen UUID (a-04); Glance picks one when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Defaults to `shared` on Glance 33 (a-03). `public` needs the admin role (a-11).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visibility: Option<ImageVisibility>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protected: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os_hidden: Option<bool>,
    /// Another project than the caller's needs the admin role (a-13).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container_format: Option<ImageContainerFormat>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk_format: Option<ImageDiskFormat>,
    /// MB; at most 2^31-1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_ram: Option<u32>,
    /// GB; at most 2^31-1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_disk: Option<u32>,
    /// Each at most 255 characters; Glance drops duplicates (a-14).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kernel_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ramdisk_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_uuid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub architecture: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os_distro: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Free-form string properties, such as `hw_disk_bus`.
    #[serde(flatten)]
    pub properties: BTreeMap<String, String>,
}

/// Keys with a typed field above; as free-form keys they would collide.
const DECLARED: &[&str] = &[
    "id",
    "name",
    "visibility",
    "protected",
    "os_hidden",
    "owner",
    "container_format",
    "disk_format",
    "min_ram",
    "min_disk",
    "tags",
    "kernel_id",
    "ramdisk_id",
    "instance_uuid",
    "architecture",
    "os_distro",
    "os_version",
    "description",
];

/// Keys Glance sets itself or reserves; sending them gets 403 (a-17..a-34).
const READ_ONLY: &[&str] = &[
    "status",
    "checksum",
    "size",
    "virtual_size",
    "os_hash_algo",
    "os_hash_value",
    "created_at",
    "updated_at",
    "direct_url",
    "self",
    "file",
    "schema",
    "stores",
    "locations",
    "location",
    "deleted",
    "deleted_at",
];

const RESERVED_PREFIX: &str = "os_glance";
const MAX_LENGTH: usize = 255;
const MAX_INT: u32 = i32::MAX as u32;

impl ImageCreate {
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a free-form string property.
    pub fn property(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.properties.insert(key.into(), value.into());
        self
    }

    /// Checks what Glance is known to refuse, so the request is not sent.
    /// Every problem is reported, not just the first.
    pub fn validate(&self) -> Result<(), Error> {
        let mut problems = Vec::new();
        if let Some(id) = &self.id {
            check_uuid("id", id, &mut problems);
        }
        check_length("name", self.name.as_deref(), &mut problems);
        check_length("owner", self.owner.as_deref(), &mut problems);
        check_known(
            "visibility",
            self.visibility.as_ref().map(|v| (v.as_str(), v.is_known())),
            &mut problems,
        );
        check_known(
            "container_format",
            self.container_format
                .as_ref()
                .map(|v| (v.as_str(), v.is_known())),
            &mut problems,
        );
        check_known(
            "disk_format",
            self.disk_format
                .as_ref()
                .map(|v| (v.as_str(), v.is_known())),
            &mut problems,
        );
        for (field, value) in [("min_ram", self.min_ram), ("min_disk", self.min_disk)] {
            if let Some(value) = value.filter(|value| *value > MAX_INT) {
                problems.push(format!("`{field}`: {value} is more than {MAX_INT}"));
            }
        }
        for tag in self.tags.iter().flatten() {
            check_length("tags", Some(tag), &mut problems);
        }
        for (field, value) in [
            ("kernel_id", &self.kernel_id),
            ("ramdisk_id", &self.ramdisk_id),
        ] {
            if let Some(value) = value {
                check_uuid(field, value, &mut problems);
            }
        }
        for key in self.properties.keys() {
            check_free_form_key(key, &mut problems);
        }
        for (field, value) in self.strings() {
            check_four_byte(field, value, &mut problems);
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::InvalidRequest(format!(
                "image create: {}",
                problems.join("; ")
            )))
        }
    }
}

impl ImageCreate {
    /// Every string the body would carry, with the field it is in; for a
    /// free-form property, its key and its value.
    fn strings(&self) -> Vec<(&str, &str)> {
        let fields = [
            ("id", &self.id),
            ("name", &self.name),
            ("owner", &self.owner),
            ("kernel_id", &self.kernel_id),
            ("ramdisk_id", &self.ramdisk_id),
            ("instance_uuid", &self.instance_uuid),
            ("architecture", &self.architecture),
            ("os_distro", &self.os_distro),
            ("os_version", &self.os_version),
            ("description", &self.description),
        ];
        let mut strings: Vec<(&str, &str)> = fields
            .into_iter()
            .filter_map(|(field, value)| Some((field, value.as_deref()?)))
            .collect();
        strings.extend(self.tags.iter().flatten().map(|tag| ("tags", tag.as_str())));
        for (key, value) in &self.properties {
            strings.push((key.as_str(), key.as_str()));
            strings.push((key.as_str(), value.as_str()));
        }
        strings
    }
}

/// Glance refuses characters beyond U+FFFF (4 bytes in UTF-8) in every
/// string of an image with 400 ("Name can't contain 4 byte unicode
/// characters."), checked against a real Glance 33.
fn check_four_byte(field: &str, value: &str, problems: &mut Vec<String>) {
    if let Some(character) = value.chars().find(|c| c.len_utf8() == 4) {
        problems.push(format!(
            "`{field}`: `{character}` is a 4-byte UTF-8 character, which Glance refuses"
        ));
    }
}

fn check_length(field: &str, value: Option<&str>, problems: &mut Vec<String>) {
    let Some(value) = value else { return };
    let length = value.chars().count();
    if length > MAX_LENGTH {
        problems.push(format!(
            "`{field}`: {length} characters is more than {MAX_LENGTH}"
        ));
    }
}

fn check_known(field: &str, value: Option<(&str, bool)>, problems: &mut Vec<String>) {
    if let Some((value, false)) = value {
        problems.push(format!(
            "`{field}`: `{value}` is not a value the schema lists"
        ));
    }
}

/// The schema's pattern `^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-...{12}$` (a-06, a-10).
fn check_uuid(field: &str, value: &str, problems: &mut Vec<String>) {
    let groups: Vec<&str> = value.split('-').collect();
    let lengths_match = groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(group, length)| {
            group.len() == length && group.chars().all(|c| c.is_ascii_hexdigit())
        });
    if !lengths_match {
        problems.push(format!("`{field}`: `{value}` is not a UUID"));
    }
}

fn check_free_form_key(key: &str, problems: &mut Vec<String>) {
    if DECLARED.contains(&key) {
        problems.push(format!("`{key}`: a schema property; set its field instead"));
    } else if READ_ONLY.contains(&key) || key.starts_with(RESERVED_PREFIX) {
        problems.push(format!("`{key}`: read-only or reserved by Glance"));
    }
    let length = key.chars().count();
    if length > MAX_LENGTH {
        problems.push(format!(
            "property key of {length} characters is more than {MAX_LENGTH} (a-36)"
        ));
    }
}
