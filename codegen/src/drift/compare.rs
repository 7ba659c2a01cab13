//! Walks two models side by side and records every difference.

use std::collections::BTreeSet;

use crate::drift::shape::{additional_change, constraint_changes, describe, field_type, same_type};
use crate::drift::{Class, DriftItem, DriftReport, Kind};
use crate::model::{
    Api, Enumeration, NamedType, Object, PatchAccess, PatchRules, Property, Resource, Shape,
};

/// Compares the API the old schemas describe with the one the new schemas
/// describe.
/// Every resource of `api`, with its `compute` module under the name `compute`.
fn with_compute(api: &Api) -> std::collections::BTreeMap<String, &crate::model::Resource> {
    let mut all: std::collections::BTreeMap<String, &crate::model::Resource> = api
        .resources
        .iter()
        .map(|(name, resource)| (name.clone(), resource))
        .collect();
    if let Some(compute) = &api.compute {
        all.insert(compute.name.clone(), compute);
    }
    all
}

pub fn diff(old: &Api, new: &Api) -> DriftReport {
    let mut items = Vec::new();
    // The `compute` module is compared like one more resource.
    let old_all = with_compute(old);
    let new_all = with_compute(new);
    for (name, resource) in &old_all {
        if !new_all.contains_key(name) {
            items.push(DriftItem {
                resource: name.clone(),
                type_name: resource.object.rust_name.clone(),
                property: None,
                kind: Kind::ResourceRemoved,
                class: Class::Breaking,
                message: format!(
                    "resource `{name}` removed: module `{}` and type `{}` are gone",
                    resource.module, resource.object.rust_name
                ),
            });
        }
    }
    for (name, resource) in &new_all {
        match old_all.get(name) {
            None => items.push(DriftItem {
                resource: name.clone(),
                type_name: resource.object.rust_name.clone(),
                property: None,
                kind: Kind::ResourceAdded,
                class: Class::Additive,
                message: format!(
                    "resource `{name}` added: module `{}`, type `{}`",
                    resource.module, resource.object.rust_name
                ),
            }),
            Some(before) => {
                let mut walk = Walk {
                    old_api: old,
                    new_api: new,
                    old: before,
                    new: resource,
                    items: Vec::new(),
                    docs_seen: BTreeSet::new(),
                };
                walk.resource();
                items.append(&mut walk.items);
            }
        }
    }
    // A stable sort keeps the walk's order (properties by name) within each
    // group.
    items.sort_by(|a, b| (&a.resource, a.class).cmp(&(&b.resource, b.class)));
    DriftReport { items }
}

/// One resource present on both sides.
struct Walk<'a> {
    old_api: &'a Api,
    new_api: &'a Api,
    old: &'a Resource,
    new: &'a Resource,
    items: Vec<DriftItem>,
    /// Description edits of properties, with the nested type each holds.
    /// Lowering gives a nested type the description of its property, so
    /// the type's copy of an edit already counted is not counted again.
    docs_seen: BTreeSet<(String, Option<String>, Option<String>)>,
}

/// The patch rules of the resource's root object on each side, when it has any.
#[derive(Clone, Copy)]
struct Patch<'a> {
    old: Option<&'a PatchRules>,
    new: Option<&'a PatchRules>,
}

impl Walk<'_> {
    fn push(
        &mut self,
        class: Class,
        kind: Kind,
        type_name: &str,
        property: Option<&str>,
        message: String,
    ) {
        self.items.push(DriftItem {
            resource: self.new.name.clone(),
            type_name: type_name.to_owned(),
            property: property.map(str::to_owned),
            kind,
            class,
            message,
        });
    }

    fn doc(
        &mut self,
        old: &Option<String>,
        new: &Option<String>,
        type_name: &str,
        property: Option<&str>,
        subject: &str,
    ) {
        if old != new {
            self.push(
                Class::Docs,
                Kind::DescriptionChanged,
                type_name,
                property,
                format!("description of {subject} changed"),
            );
        }
    }

    /// A nested type's description: not counted when it is the copy of its
    /// property's description and that edit was counted.
    fn type_doc(&mut self, old: &Option<String>, new: &Option<String>, type_name: &str) {
        if !self
            .docs_seen
            .contains(&(type_name.to_owned(), old.clone(), new.clone()))
        {
            self.doc(old, new, type_name, None, &format!("`{type_name}`"));
        }
    }

    fn root_name(&self) -> &str {
        &self.new.object.rust_name
    }

    fn resource(&mut self) {
        let (old, new) = (self.old, self.new);
        let root = new.object.rust_name.clone();
        if old.object.rust_name != root {
            self.push(
                Class::Breaking,
                Kind::TypeRenamed,
                &root,
                None,
                format!("type `{}` renamed to `{root}`", old.object.rust_name),
            );
        }
        match (&old.patch, &new.patch) {
            (Some(_), None) => self.push(
                Class::Breaking,
                Kind::PatchSupportChanged,
                &root,
                None,
                format!(
                    "JSON Patch no longer accepted: `{}Patch` is gone",
                    old.object.rust_name
                ),
            ),
            (None, Some(_)) => self.push(
                Class::Additive,
                Kind::PatchSupportChanged,
                &root,
                None,
                format!("JSON Patch now accepted: `{root}Patch` added"),
            ),
            _ => {}
        }
        let patch = Patch {
            old: old.patch.as_ref(),
            new: new.patch.as_ref(),
        };
        self.object(&old.object, &new.object, Some(patch));
        self.types();
    }

    fn types(&mut self) {
        let (old, new) = (self.old, self.new);
        let names: BTreeSet<&String> = old.types.keys().chain(new.types.keys()).collect();
        for name in names {
            match (old.types.get(name), new.types.get(name)) {
                (Some(before), None) => {
                    let what = kind_word(before);
                    self.push(
                        Class::Breaking,
                        Kind::TypeRemoved,
                        name,
                        None,
                        format!("{what} `{name}` removed"),
                    );
                }
                (None, Some(after)) => {
                    let message = match after {
                        NamedType::Enum(e) => format!("enum `{name}` added: {}", value_list(e)),
                        NamedType::Object(_) => format!("struct `{name}` added"),
                    };
                    self.push(Class::Additive, Kind::TypeAdded, name, None, message);
                }
                (Some(NamedType::Object(a)), Some(NamedType::Object(b))) => self.object(a, b, None),
                (Some(NamedType::Enum(a)), Some(NamedType::Enum(b))) => self.enumeration(a, b),
                (Some(before), Some(after)) => {
                    let message = format!(
                        "`{name}` was {}, is now {}",
                        kind_word(before),
                        kind_word(after)
                    );
                    self.push(Class::Breaking, Kind::TypeKindChanged, name, None, message);
                }
                (None, None) => {}
            }
        }
    }

    /// `patch` is set for the resource's root object only: nested objects
    /// are patched as whole values of their root property.
    fn object(&mut self, old: &Object, new: &Object, patch: Option<Patch<'_>>) {
        let type_name = new.rust_name.as_str();
        self.type_doc(&old.doc, &new.doc, type_name);
        if let Some((class, change)) =
            additional_change(self.old_api, self.new_api, &old.additional, &new.additional)
        {
            self.push(
                class,
                Kind::AdditionalPropertiesChanged,
                type_name,
                None,
                format!("`{type_name}` {change}"),
            );
        }
        let root = patch.is_some();
        for name in old.properties.keys() {
            if !new.properties.contains_key(name) {
                let label = label(type_name, name, root);
                self.push(
                    Class::Breaking,
                    Kind::PropertyRemoved,
                    type_name,
                    Some(name),
                    format!("property {label} removed"),
                );
            }
        }
        for (name, property) in &new.properties {
            match old.properties.get(name) {
                None => self.added(type_name, property, root),
                Some(before) => self.property(type_name, before, property, patch),
            }
        }
    }

    fn added(&mut self, type_name: &str, property: &Property, root: bool) {
        let label = label(type_name, &property.json_name, root);
        let mut facts = vec![describe(&property.shape)];
        if property.nullable {
            facts.push("nullable".to_owned());
        }
        if property.read_only {
            facts.push("read-only".to_owned());
        }
        if property.write_only {
            facts.push("write-only".to_owned());
        }
        if !property.is_base {
            facts.push("custom".to_owned());
        }
        let facts = facts.join(", ");
        if property.required {
            // The struct gains a field without a default, and documents
            // that lack the key no longer validate.
            let message = format!(
                "required property {label} added ({facts}): documents without it are now invalid"
            );
            self.push(
                Class::Breaking,
                Kind::PropertyAdded,
                type_name,
                Some(&property.json_name),
                message,
            );
        } else {
            let message = format!("property {label} added ({facts})");
            self.push(
                Class::Additive,
                Kind::PropertyAdded,
                type_name,
                Some(&property.json_name),
                message,
            );
        }
    }

    fn property(
        &mut self,
        type_name: &str,
        old: &Property,
        new: &Property,
        patch: Option<Patch<'_>>,
    ) {
        let name = Some(new.json_name.as_str());
        let label = label(type_name, &new.json_name, patch.is_some());
        self.doc(&old.doc, &new.doc, type_name, name, &label);
        if let Some(nested) = named_type(&new.shape) {
            self.docs_seen
                .insert((nested.to_owned(), old.doc.clone(), new.doc.clone()));
        }
        let (old_field, new_field) = (field_type(self.old_api, old), field_type(self.new_api, new));
        if !same_type(&old.shape, &new.shape) {
            let message = format!(
                "{label} changed type: {} → {} (field `{old_field}` → `{new_field}`)",
                describe(&old.shape),
                describe(&new.shape)
            );
            self.push(
                Class::Breaking,
                Kind::ShapeChanged,
                type_name,
                name,
                message,
            );
        } else {
            for change in constraint_changes(&old.shape, &new.shape, &label) {
                self.push(
                    change.class,
                    Kind::ConstraintChanged,
                    type_name,
                    name,
                    change.message,
                );
            }
        }
        if old.nullable != new.nullable {
            let became = if new.nullable {
                "became nullable"
            } else {
                "is no longer nullable"
            };
            let message = format!("{label} {became}: field `{old_field}` → `{new_field}`");
            self.push(
                Class::Breaking,
                Kind::NullabilityChanged,
                type_name,
                name,
                message,
            );
        }
        if old.required != new.required {
            let became = if new.required {
                "became required"
            } else {
                "is no longer required"
            };
            let message = format!("{label} {became}: field `{old_field}` → `{new_field}`");
            self.push(
                Class::Breaking,
                Kind::RequiredChanged,
                type_name,
                name,
                message,
            );
        }
        if old.write_only != new.write_only {
            // Write-only values are never returned: readers of the field see
            // `None` from now on.
            let (class, message) = if new.write_only {
                (
                    Class::Breaking,
                    format!("{label} became write-only: the service no longer returns it"),
                )
            } else {
                (
                    Class::Additive,
                    format!("{label} is no longer write-only: the service returns it"),
                )
            };
            self.push(class, Kind::WriteOnlyChanged, type_name, name, message);
        }
        self.patch_flags(type_name, &label, old, new, patch);
    }

    /// `readOnly` and `is_base` flips, with what the patch builder loses or
    /// gains for each; then any change the overlay alone causes. Each step
    /// applies one change to the property, so that every lost or gained
    /// method is attributed to exactly one cause.
    fn patch_flags(
        &mut self,
        type_name: &str,
        label: &str,
        old: &Property,
        new: &Property,
        patch: Option<Patch<'_>>,
    ) {
        let name = Some(new.json_name.as_str());
        let step1 = Property {
            read_only: new.read_only,
            ..old.clone()
        };
        let step2 = Property {
            is_base: new.is_base,
            ..step1.clone()
        };
        let old_rules = patch.and_then(|p| p.old);
        if old.read_only != new.read_only {
            let effect = self
                .patch_delta(old_rules, old_rules, old, &step1)
                .map(|d| d.text)
                .unwrap_or_default();
            let (class, message) = if new.read_only {
                (Class::Breaking, format!("{label} became read-only{effect}"))
            } else {
                (
                    Class::Additive,
                    format!("{label} is no longer read-only{effect}"),
                )
            };
            self.push(class, Kind::ReadOnlyChanged, type_name, name, message);
        }
        if old.is_base != new.is_base {
            let effect = self
                .patch_delta(old_rules, old_rules, &step1, &step2)
                .map(|d| d.text)
                .unwrap_or_default();
            let (class, message) = if new.is_base {
                (
                    Class::Breaking,
                    format!("{label} became a base property (no longer `is_base: false`){effect}"),
                )
            } else {
                (
                    Class::Additive,
                    format!("{label} became a custom property (`is_base: false`){effect}"),
                )
            };
            self.push(class, Kind::IsBaseChanged, type_name, name, message);
        }
        // What is left can only come from the overlay (`immutable`,
        // `list_patch`), which both sides may not share.
        if let Some(delta) = self.patch_delta(old_rules, patch.and_then(|p| p.new), &step2, new) {
            let class = if delta.loses {
                Class::Breaking
            } else {
                Class::Additive
            };
            let message = format!("{label} patch rules changed{}", delta.text);
            self.push(class, Kind::PatchAccessChanged, type_name, name, message);
        }
    }

    /// What the patch builder loses and gains between two states of a
    /// property, as `": ImagePatchBuilder loses replace_checksum"`; `None` when
    /// nothing changes or the resource is not patched.
    fn patch_delta(
        &self,
        old_rules: Option<&PatchRules>,
        new_rules: Option<&PatchRules>,
        old: &Property,
        new: &Property,
    ) -> Option<PatchDelta> {
        let (before, after) = (old_rules?.access(old), new_rules?.access(new));
        let methods = |ops: &[&str]| {
            ops.iter()
                .map(|op| format!("{op}_{}", new.rust_name))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let patch_type = format!("{}PatchBuilder", self.root_name());
        let (lost, gained) = (ops_lost(before, after), ops_lost(after, before));
        let mut parts = Vec::new();
        if !lost.is_empty() {
            parts.push(format!("{patch_type} loses {}", methods(&lost)));
        }
        if !gained.is_empty() {
            parts.push(format!("{patch_type} gains {}", methods(&gained)));
        }
        if parts.is_empty() {
            return None;
        }
        Some(PatchDelta {
            loses: !lost.is_empty(),
            text: format!(": {}", parts.join("; ")),
        })
    }

    fn enumeration(&mut self, old: &Enumeration, new: &Enumeration) {
        let name = new.rust_name.as_str();
        if old.catch_all != new.catch_all {
            let message = format!(
                "enum `{name}` keeps unlisted values in `{}` instead of `{}`",
                new.catch_all, old.catch_all
            );
            self.push(Class::Breaking, Kind::EnumValueAdded, name, None, message);
        }
        self.type_doc(&old.doc, &new.doc, name);
        let users = self.users_of(name);
        for variant in &old.variants {
            if !new
                .variants
                .iter()
                .any(|v| v.json_value == variant.json_value)
            {
                let message = format!(
                    "enum `{name}`{users} loses value `{}` (variant `{}`): code naming the variant stops compiling; the value now decodes as `{}`",
                    variant.json_value, variant.rust_name, new.catch_all
                );
                self.push(Class::Breaking, Kind::EnumValueRemoved, name, None, message);
            }
        }
        for variant in &new.variants {
            if !old
                .variants
                .iter()
                .any(|v| v.json_value == variant.json_value)
            {
                let message = format!(
                    "enum `{name}`{users} gains value `{}` (variant `{}`): exhaustive matches need a new arm; the value no longer decodes as `{}`",
                    variant.json_value, variant.rust_name, old.catch_all
                );
                self.push(Class::Breaking, Kind::EnumValueAdded, name, None, message);
            }
        }
    }

    /// `` (used by `disk_format`)`` for an enum or struct name: the
    /// properties, on the new side, whose values are of that type.
    fn users_of(&self, type_name: &str) -> String {
        let root = &self.new.object;
        let objects =
            std::iter::once(root).chain(self.new.types.values().filter_map(|t| match t {
                NamedType::Object(object) => Some(object),
                NamedType::Enum(_) => None,
            }));
        let mut users = Vec::new();
        for object in objects {
            for property in object.properties.values() {
                if refers_to(&property.shape, type_name) {
                    users.push(label(
                        &object.rust_name,
                        &property.json_name,
                        std::ptr::eq(object, root),
                    ));
                }
            }
        }
        if users.is_empty() {
            String::new()
        } else {
            format!(" (used by {})", users.join(", "))
        }
    }
}

struct PatchDelta {
    loses: bool,
    text: String,
}

/// `` `name` `` for a property of the resource's root type, and
/// `` `ImageLocation.url` `` for one of a nested struct.
fn label(type_name: &str, property: &str, root: bool) -> String {
    if root {
        format!("`{property}`")
    } else {
        format!("`{type_name}.{property}`")
    }
}

fn refers_to(shape: &Shape, type_name: &str) -> bool {
    named_type(shape) == Some(type_name)
}

/// The nested type a value of this shape is, directly or as array items.
fn named_type(shape: &Shape) -> Option<&str> {
    match shape {
        Shape::Enum(name) | Shape::Object(name) => Some(name),
        Shape::Array(items, _) => named_type(items),
        _ => None,
    }
}

fn kind_word(ty: &NamedType) -> &'static str {
    match ty {
        NamedType::Object(_) => "struct",
        NamedType::Enum(_) => "enum",
    }
}

fn value_list(enumeration: &Enumeration) -> String {
    enumeration
        .variants
        .iter()
        .map(|v| format!("`{}`", v.json_value))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The JSON Patch operations each access allows, in a fixed order.
fn ops(access: PatchAccess) -> &'static [&'static str] {
    match access {
        PatchAccess::None => &[],
        PatchAccess::Replace | PatchAccess::WholeList => &["replace"],
        PatchAccess::AddReplaceRemove | PatchAccess::IndexedList => &["add", "replace", "remove"],
    }
}

/// The operations `before` allows and `after` does not.
fn ops_lost(before: PatchAccess, after: PatchAccess) -> Vec<&'static str> {
    ops(before)
        .iter()
        .copied()
        .filter(|op| !ops(after).contains(op))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ops_lost_lists_only_missing_operations() {
        assert_eq!(
            ops_lost(PatchAccess::AddReplaceRemove, PatchAccess::Replace),
            ["add", "remove"]
        );
        assert_eq!(
            ops_lost(PatchAccess::Replace, PatchAccess::None),
            ["replace"]
        );
        assert!(ops_lost(PatchAccess::Replace, PatchAccess::AddReplaceRemove).is_empty());
    }
}
