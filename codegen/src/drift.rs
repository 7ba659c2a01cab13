//! Schema drift: what a change of the schemas means for users of the
//! generated crate.
//!
//! [`diff`] compares two lowered [`Api`](crate::model::Api)s (so the rules
//! see Rust types, patch operations and enum variants, not JSON) and lists
//! every difference as a [`DriftItem`] of one [`Class`]:
//!
//! - **Breaking**: code written against the old crate may stop compiling, or
//!   keeps compiling but behaves differently. Removed resources, types,
//!   properties and enum values; an added *required* property; any change of
//!   a field's Rust type (shape, nullability, required); a property that
//!   becomes read-only (the patch builder loses methods) or turns from custom
//!   into base (loses `add_`/`remove_`); tighter constraints (`maxLength`
//!   down, `minimum` up, a pattern added or changed, ...), which reject
//!   values the old crate sent.
//! - **Additive**: old code still compiles and behaves as before. New
//!   resources, types and optional properties (every generated struct that
//!   can derives `Default`, so literals written with `..Default::default()`
//!   keep compiling); looser constraints; a property that stops being
//!   read-only or turns from base into custom (the patch builder gains
//!   methods).
//! - **Docs**: a description changed. Counted, not listed, in the text report.
//!
//! **An added enum value is breaking.** The generated enums are not
//! `#[non_exhaustive]`: a `match` that names every variant plus `Unknown(_)`
//! stops compiling when a variant appears (the same rule as Cargo's SemVer
//! guide for exhaustive enums). The value also moves: what decoded as
//! `Unknown("vhdx")` now decodes as `Vhdx`, so an arm written as
//! `Unknown(v) if v == "vhdx"` silently stops matching. Both are the
//! definition of breaking above. Only the order of values is ignored: it
//! changes nothing but the order of `KNOWN_VALUES`.

mod compare;
mod render;
mod shape;

use serde_json::{Value, json};

pub use compare::diff;

/// How a change affects users of the generated crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    Breaking,
    Additive,
    Docs,
}

impl Class {
    /// The stable name used in the JSON report.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Breaking => "breaking",
            Class::Additive => "additive",
            Class::Docs => "docs",
        }
    }
}

/// What changed. The JSON report names each kind by [`Kind::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    ResourceAdded,
    ResourceRemoved,
    PatchSupportChanged,
    TypeAdded,
    TypeRemoved,
    TypeRenamed,
    TypeKindChanged,
    PropertyAdded,
    PropertyRemoved,
    ShapeChanged,
    NullabilityChanged,
    RequiredChanged,
    ReadOnlyChanged,
    WriteOnlyChanged,
    IsBaseChanged,
    PatchAccessChanged,
    ConstraintChanged,
    AdditionalPropertiesChanged,
    EnumValueAdded,
    EnumValueRemoved,
    DescriptionChanged,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::ResourceAdded => "resource_added",
            Kind::ResourceRemoved => "resource_removed",
            Kind::PatchSupportChanged => "patch_support_changed",
            Kind::TypeAdded => "type_added",
            Kind::TypeRemoved => "type_removed",
            Kind::TypeRenamed => "type_renamed",
            Kind::TypeKindChanged => "type_kind_changed",
            Kind::PropertyAdded => "property_added",
            Kind::PropertyRemoved => "property_removed",
            Kind::ShapeChanged => "shape_changed",
            Kind::NullabilityChanged => "nullability_changed",
            Kind::RequiredChanged => "required_changed",
            Kind::ReadOnlyChanged => "read_only_changed",
            Kind::WriteOnlyChanged => "write_only_changed",
            Kind::IsBaseChanged => "is_base_changed",
            Kind::PatchAccessChanged => "patch_access_changed",
            Kind::ConstraintChanged => "constraint_changed",
            Kind::AdditionalPropertiesChanged => "additional_properties_changed",
            Kind::EnumValueAdded => "enum_value_added",
            Kind::EnumValueRemoved => "enum_value_removed",
            Kind::DescriptionChanged => "description_changed",
        }
    }
}

/// One difference between the old and the new schemas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriftItem {
    /// The schema `name` of the resource it belongs to.
    pub resource: String,
    /// The Rust type concerned: the resource's struct, a nested struct or an
    /// enum (the old name when the type was removed).
    pub type_name: String,
    /// The JSON property concerned, if the change is about one.
    pub property: Option<String>,
    pub kind: Kind,
    pub class: Class,
    /// One line for a person, without the class.
    pub message: String,
}

/// Every difference, grouped by resource (in name order), breaking items
/// first, then additive, then description changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DriftReport {
    pub items: Vec<DriftItem>,
}

impl DriftReport {
    /// How many items have this class.
    pub fn count(&self, class: Class) -> usize {
        self.items.iter().filter(|item| item.class == class).count()
    }

    pub fn has_breaking(&self) -> bool {
        self.count(Class::Breaking) > 0
    }

    /// The human-readable report.
    pub fn to_text(&self) -> String {
        render::text(self)
    }

    /// The report as JSON. Field names are part of the interface:
    /// `summary.{breaking,additive,docs}` and `items[].{resource, type,
    /// property, kind, class, message}`.
    pub fn to_json(&self) -> Value {
        let items: Vec<Value> = self
            .items
            .iter()
            .map(|item| {
                json!({
                    "resource": item.resource,
                    "type": item.type_name,
                    "property": item.property,
                    "kind": item.kind.as_str(),
                    "class": item.class.as_str(),
                    "message": item.message,
                })
            })
            .collect();
        json!({
            "summary": {
                "breaking": self.count(Class::Breaking),
                "additive": self.count(Class::Additive),
                "docs": self.count(Class::Docs),
            },
            "items": items,
        })
    }
}
