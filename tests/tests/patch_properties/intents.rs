//! Random builder calls. An `Intent` says what to change; `call` turns it
//! into the builder method that Glance accepts for the document as it is at
//! that point of the patch, so every generated patch is one Glance would
//! apply:
//!
//! - custom and free-form properties: `replace` only when the key is
//!   present, `add` when it is absent (or, when `upsert` is drawn, on a
//!   present key, which v2.1 treats as replace), `remove` only when present;
//!   otherwise the intent is skipped (Glance answers 409, b-07 and d-18);
//! - locations: only on a document that shows them (d-39, d-40), at an
//!   index that exists, and never replaced by an empty list (d-15);
//! - free-form keys the builder refuses to set (a 300-character key already
//!   on the image) are only removed; the refusal itself is covered by
//!   `patch_validation`.

use std::collections::BTreeSet;

use cloud_images::{
    ImageContainerFormat, ImageDiskFormat, ImageLocation, ImagePatch, ImagePatchBuilder,
    ImageVisibility, ListPosition,
};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::Value;

const INT32_MAX: u64 = 2_147_483_647;

#[derive(Debug, Clone)]
pub enum Intent {
    Name(Option<String>),
    Owner(Option<String>),
    Visibility(Index),
    Protected(bool),
    OsHidden(bool),
    ContainerFormat(Option<Index>),
    DiskFormat(Option<Index>),
    MinRam(u64),
    MinDisk(u64),
    Tags(Vec<String>),
    Custom(Custom, Change),
    NewKey(String, String),
    ExistingKey(Index, Change),
    // Boxed: an `ImageLocation` is several times larger than the other intents.
    Location(Box<LocationChange>),
}

/// The schema-declared custom properties (`is_base: false`).
#[derive(Debug, Clone, Copy)]
pub enum Custom {
    KernelId,
    RamdiskId,
    InstanceUuid,
    Architecture,
    OsDistro,
    OsVersion,
    Description,
}

impl Custom {
    fn key(self) -> &'static str {
        match self {
            Custom::KernelId => "kernel_id",
            Custom::RamdiskId => "ramdisk_id",
            Custom::InstanceUuid => "instance_uuid",
            Custom::Architecture => "architecture",
            Custom::OsDistro => "os_distro",
            Custom::OsVersion => "os_version",
            Custom::Description => "description",
        }
    }

    fn nullable(self) -> bool {
        matches!(self, Custom::KernelId | Custom::RamdiskId)
    }
}

#[derive(Debug, Clone)]
pub enum Change {
    /// `None` is `null`, drawn only for nullable properties.
    Set {
        value: Option<String>,
        upsert: bool,
    },
    Remove,
}

#[derive(Debug, Clone)]
#[allow(
    clippy::large_enum_variant,
    reason = "a few test intents at a time; boxing would only add noise"
)]
pub enum LocationChange {
    Insert(Index, ImageLocation),
    RemoveAt(Index),
    Replace(Vec<ImageLocation>),
}

/// Printable characters up to U+FFFF: Glance refuses 4-byte UTF-8 (the
/// builder's `Rule::FourByteCharacter`).
fn text() -> impl Strategy<Value = String> {
    "[\\PC&&\\u{0}-\\u{FFFF}]{0,24}"
}

fn uuid() -> impl Strategy<Value = String> {
    "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
}

fn nullable_text() -> impl Strategy<Value = Option<String>> {
    prop_oneof![4 => text().prop_map(Some), 1 => Just(None), 1 => Just(Some("n".repeat(255)))]
}

fn bounded_int() -> impl Strategy<Value = u64> {
    prop_oneof![0..=INT32_MAX, Just(0), Just(INT32_MAX)]
}

fn tags() -> impl Strategy<Value = Vec<String>> {
    // Short tags from a small alphabet repeat, so duplicates are drawn too.
    proptest::collection::vec(
        prop_oneof![
            "[a-c]",
            "[\\PC&&\\u{0}-\\u{FFFF}]{0,16}",
            Just("t".repeat(255))
        ],
        0..6,
    )
}

/// A new free-form key, with the characters that need escaping or care.
fn new_key() -> impl Strategy<Value = String> {
    "[a-z]{1,4}[a-z0-9_:./~ ключ✓-]{0,12}"
        .prop_filter("a key the builder accepts", |key| settable(key))
}

fn custom() -> impl Strategy<Value = (Custom, Change)> {
    let kind = prop_oneof![
        Just(Custom::KernelId),
        Just(Custom::RamdiskId),
        Just(Custom::InstanceUuid),
        Just(Custom::Architecture),
        Just(Custom::OsDistro),
        Just(Custom::OsVersion),
        Just(Custom::Description),
    ];
    let null = proptest::bool::weighted(0.25);
    (kind, any::<bool>(), any::<bool>(), null, uuid(), text()).prop_map(
        |(kind, remove, upsert, null, uuid, text)| {
            let change = match (remove, kind.nullable()) {
                (true, _) => Change::Remove,
                (false, true) => Change::Set {
                    value: (!null).then_some(uuid),
                    upsert,
                },
                (false, false) => Change::Set {
                    value: Some(text),
                    upsert,
                },
            };
            (kind, change)
        },
    )
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        (text(), any::<bool>()).prop_map(|(value, upsert)| Change::Set {
            value: Some(value),
            upsert
        }),
        Just(Change::Remove),
    ]
}

fn location() -> impl Strategy<Value = ImageLocation> {
    (
        "file:///[a-z0-9/]{1,40}",
        proptest::option::of("[a-z]{1,8}"),
    )
        .prop_map(|(url, store)| {
            let mut metadata = serde_json::Map::new();
            if let Some(store) = store {
                metadata.insert("store".to_owned(), Value::String(store));
            }
            ImageLocation {
                url,
                metadata,
                ..ImageLocation::default()
            }
        })
}

fn location_change() -> impl Strategy<Value = LocationChange> {
    prop_oneof![
        (any::<Index>(), location())
            .prop_map(|(at, location)| LocationChange::Insert(at, location)),
        any::<Index>().prop_map(LocationChange::RemoveAt),
        proptest::collection::vec(location(), 1..3).prop_map(LocationChange::Replace),
    ]
}

pub fn intent() -> impl Strategy<Value = Intent> {
    prop_oneof![
        1 => nullable_text().prop_map(Intent::Name),
        1 => proptest::option::of("[a-zA-Z0-9]{1,32}").prop_map(Intent::Owner),
        1 => any::<Index>().prop_map(Intent::Visibility),
        1 => any::<bool>().prop_map(Intent::Protected),
        1 => any::<bool>().prop_map(Intent::OsHidden),
        1 => proptest::option::of(any::<Index>()).prop_map(Intent::ContainerFormat),
        1 => proptest::option::of(any::<Index>()).prop_map(Intent::DiskFormat),
        1 => bounded_int().prop_map(Intent::MinRam),
        1 => bounded_int().prop_map(Intent::MinDisk),
        1 => tags().prop_map(Intent::Tags),
        3 => custom().prop_map(|(kind, change)| Intent::Custom(kind, change)),
        3 => (new_key(), text()).prop_map(|(key, value)| Intent::NewKey(key, value)),
        3 => (any::<Index>(), change()).prop_map(|(at, change)| Intent::ExistingKey(at, change)),
        2 => location_change().prop_map(|change| Intent::Location(Box::new(change))),
    ]
}

pub fn intents() -> impl Strategy<Value = Vec<Intent>> {
    proptest::collection::vec(intent(), 0..12)
}

fn settable(key: &str) -> bool {
    ImagePatch::builder()
        .replace_property(key, "v")
        .build()
        .is_ok()
}

fn removable(key: &str) -> bool {
    ImagePatch::builder().remove_property(key).build().is_ok()
}

/// The free-form keys of `document` a patch may touch, in key order.
fn free_form_keys<'a>(document: &'a Value, declared: &BTreeSet<String>) -> Vec<&'a str> {
    let Some(object) = document.as_object() else {
        return Vec::new();
    };
    object
        .keys()
        .map(String::as_str)
        .filter(|key| !declared.contains(*key) && removable(key))
        .collect()
}

fn set_custom(
    builder: ImagePatchBuilder,
    kind: Custom,
    add: bool,
    value: Option<String>,
) -> ImagePatchBuilder {
    let text = || value.clone().unwrap_or_default();
    match (kind, add) {
        (Custom::KernelId, true) => builder.add_kernel_id(value.as_deref()),
        (Custom::KernelId, false) => builder.replace_kernel_id(value.as_deref()),
        (Custom::RamdiskId, true) => builder.add_ramdisk_id(value.as_deref()),
        (Custom::RamdiskId, false) => builder.replace_ramdisk_id(value.as_deref()),
        (Custom::InstanceUuid, true) => builder.add_instance_uuid(text()),
        (Custom::InstanceUuid, false) => builder.replace_instance_uuid(text()),
        (Custom::Architecture, true) => builder.add_architecture(text()),
        (Custom::Architecture, false) => builder.replace_architecture(text()),
        (Custom::OsDistro, true) => builder.add_os_distro(text()),
        (Custom::OsDistro, false) => builder.replace_os_distro(text()),
        (Custom::OsVersion, true) => builder.add_os_version(text()),
        (Custom::OsVersion, false) => builder.replace_os_version(text()),
        (Custom::Description, true) => builder.add_description(text()),
        (Custom::Description, false) => builder.replace_description(text()),
    }
}

fn remove_custom(builder: ImagePatchBuilder, kind: Custom) -> ImagePatchBuilder {
    match kind {
        Custom::KernelId => builder.remove_kernel_id(),
        Custom::RamdiskId => builder.remove_ramdisk_id(),
        Custom::InstanceUuid => builder.remove_instance_uuid(),
        Custom::Architecture => builder.remove_architecture(),
        Custom::OsDistro => builder.remove_os_distro(),
        Custom::OsVersion => builder.remove_os_version(),
        Custom::Description => builder.remove_description(),
    }
}

fn location_call(
    builder: ImagePatchBuilder,
    change: &LocationChange,
    count: usize,
) -> ImagePatchBuilder {
    match change {
        LocationChange::Insert(at, location) => {
            let at = at.index(count + 1);
            let position = if at == count {
                ListPosition::End
            } else {
                ListPosition::Index(at)
            };
            builder.add_location(position, location.clone())
        }
        LocationChange::RemoveAt(at) if count > 0 => builder.remove_location(at.index(count)),
        LocationChange::RemoveAt(_) => builder,
        LocationChange::Replace(locations) => builder.replace_locations(locations.clone()),
    }
}

/// The builder call for `intent` on `document` as it is now, or `builder`
/// unchanged when Glance would refuse every call the intent could make.
pub fn call(
    builder: ImagePatchBuilder,
    intent: &Intent,
    document: &Value,
    declared: &BTreeSet<String>,
) -> ImagePatchBuilder {
    let has = |key: &str| document.get(key).is_some();
    match intent {
        Intent::Name(value) => builder.replace_name(value.as_deref()),
        Intent::Owner(value) => builder.replace_owner(value.as_deref()),
        Intent::Visibility(at) => builder.replace_visibility(ImageVisibility::from(
            *at.get(ImageVisibility::KNOWN_VALUES),
        )),
        Intent::Protected(value) => builder.replace_protected(*value),
        Intent::OsHidden(value) => builder.replace_os_hidden(*value),
        Intent::ContainerFormat(at) => builder.replace_container_format(
            at.map(|at| ImageContainerFormat::from(*at.get(ImageContainerFormat::KNOWN_VALUES))),
        ),
        Intent::DiskFormat(at) => builder.replace_disk_format(
            at.map(|at| ImageDiskFormat::from(*at.get(ImageDiskFormat::KNOWN_VALUES))),
        ),
        Intent::MinRam(value) => builder.replace_min_ram(*value),
        Intent::MinDisk(value) => builder.replace_min_disk(*value),
        Intent::Tags(tags) => builder.replace_tags(tags.clone()),
        Intent::Custom(kind, Change::Set { value, upsert }) => {
            set_custom(builder, *kind, *upsert || !has(kind.key()), value.clone())
        }
        Intent::Custom(kind, Change::Remove) if has(kind.key()) => remove_custom(builder, *kind),
        Intent::Custom(_, Change::Remove) => builder,
        Intent::NewKey(key, value) => builder.add_property(key.as_str(), value.as_str()),
        Intent::ExistingKey(at, change) => {
            let keys = free_form_keys(document, declared);
            if keys.is_empty() {
                return builder;
            }
            let key = *at.get(&keys);
            match change {
                Change::Set { .. } if !settable(key) => builder,
                Change::Set {
                    value,
                    upsert: true,
                } => builder.add_property(key, value.clone().unwrap_or_default()),
                Change::Set {
                    value,
                    upsert: false,
                } => builder.replace_property(key, value.clone().unwrap_or_default()),
                Change::Remove => builder.remove_property(key),
            }
        }
        Intent::Location(change) => match document.get("locations").and_then(Value::as_array) {
            Some(locations) => location_call(builder, change, locations.len()),
            None => builder,
        },
    }
}
