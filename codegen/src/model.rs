//! The typed intermediate model: what the schemas say, in the terms the
//! emitters need. Lowering fills it in; nothing after lowering looks at JSON.
//!
//! Maps are `BTreeMap`s so that the order of keys in the input never shows in
//! the output.

use std::collections::BTreeMap;

/// Every resource found in a set of schema files, by schema `name`.
#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    pub resources: BTreeMap<String, Resource>,
    /// The `compute` module: Nova's image schemas (`schemas/compute/`),
    /// emitted under their own module path rather than at the crate root,
    /// so that `compute::Image` and Glance's `Image` can both exist.
    pub compute: Option<Resource>,
}

/// One schema file: a document the service sends or accepts.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    /// The schema's `name` (or `title`), such as `image`.
    pub name: String,
    /// The file it came from, as given to the generator.
    pub file: String,
    /// The Rust module the resource is emitted into.
    pub module: String,
    pub object: Object,
    /// Named types declared for this resource (nested objects and enums),
    /// by Rust type name. The root object is not among them.
    pub types: BTreeMap<String, NamedType>,
    /// Set when the overlay says the service accepts JSON Patch updates of
    /// this resource.
    pub patch: Option<PatchRules>,
    /// Set when the generated crate has a create body for this resource:
    /// for the resources the overlay describes as patchable, which are the
    /// ones clients create.
    pub create: Option<CreateRules>,
}

/// A struct: a JSON object with declared properties.
#[derive(Debug, Clone, PartialEq)]
pub struct Object {
    pub rust_name: String,
    pub doc: Option<String>,
    pub properties: BTreeMap<String, Property>,
    pub additional: Additional,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NamedType {
    Object(Object),
    Enum(Enumeration),
}

/// What an object says about keys it does not declare.
#[derive(Debug, Clone, PartialEq)]
pub enum Additional {
    /// `additionalProperties` absent or `true`: any value.
    Any,
    /// `additionalProperties: false`.
    Forbidden,
    /// `additionalProperties: {schema}`: values of one shape.
    Typed(Box<Shape>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Property {
    /// The JSON key, exactly as in the schema.
    pub json_name: String,
    /// The snake_case Rust name, without any `r#`.
    pub rust_name: String,
    pub doc: Option<String>,
    pub shape: Shape,
    /// `type` includes `"null"` (or the enum lists `null`).
    pub nullable: bool,
    /// Listed in the object's `required`.
    pub required: bool,
    /// `readOnly: true` in the schema.
    pub read_only: bool,
    /// `writeOnly: true`: sent by clients, never returned.
    pub write_only: bool,
    /// Glance's `is_base`: absent or `true` means a base property, which can
    /// be replaced but never removed; `false` marks a custom property.
    pub is_base: bool,
    /// Where the property is declared, for error messages and reports.
    pub pointer: String,
}

/// The JSON shape of a value, with its constraints.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    String(StringRules),
    Integer(IntegerRules),
    Number,
    Boolean,
    /// A named enum type of this resource.
    Enum(String),
    Array(Box<Shape>, ArrayRules),
    /// A named struct type of this resource.
    Object(String),
    /// The root type of another resource (an inline copy of its schema).
    Resource(String),
    /// `type: object` with no declared properties: a free-form JSON object.
    FreeFormObject,
    /// An object whose keys are free but whose values have one shape
    /// (`patternProperties` with one pattern): a map.
    Map(Box<Shape>, MapRules),
    /// A value that may have any of several JSON types (`"type": ["integer",
    /// "string"]`), kept as sent. The names are JSON type names, in schema order.
    Union(Vec<String>, UnionRules),
    /// No `type` at all: any JSON value.
    Any,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StringRules {
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub pattern: Option<String>,
    /// `format`, such as `uuid`, `date-time` or `uri`. The value stays a
    /// `String`: a format documents the text, it does not change its type.
    pub format: Option<String>,
    /// The only values the schema allows: one from `const`, several when
    /// `prefixItems` give each position its own `const`. Kept as a `String`
    /// so that a newer service's value still decodes.
    pub constants: Vec<String>,
    /// An RFC 3339 timestamp, such as `2026-11-28T10:30:48Z`, which the
    /// generated crate can also read as a typed time.
    pub timestamp: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IntegerRules {
    pub minimum: Option<i64>,
    pub maximum: Option<i64>,
    /// An integer `enum`: the values the schema lists, in its order. The
    /// field stays an integer so that a newer service's value still decodes.
    pub one_of: Vec<i64>,
}

/// A map's rules: the pattern its keys match and how many it holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MapRules {
    pub key_pattern: Option<String>,
    pub min_properties: Option<u64>,
    pub max_properties: Option<u64>,
    /// The values may be `null` (`"type": ["string", "null"]`).
    pub nullable_values: bool,
}

/// The rules a union's schema gives each of its types.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnionRules {
    pub string: StringRules,
    pub integer: IntegerRules,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArrayRules {
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    pub unique_items: bool,
    /// `prefixItems`: what the schema says each position holds, in order,
    /// such as `rel` = `self`. The items are one struct, the union of the
    /// positions' schemas, so that a reordered or longer list still decodes.
    pub positions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Enumeration {
    pub rust_name: String,
    pub doc: Option<String>,
    /// The known values, in schema order (order in an array is meaning).
    pub variants: Vec<Variant>,
    /// The variant that keeps values the schema does not list: `Unknown`,
    /// or `Other` when the schema lists a value named `Unknown` itself
    /// (Nova's image status `UNKNOWN`).
    pub catch_all: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    pub json_value: String,
    pub rust_name: String,
}

/// What the service refuses as a free-form property key, on create and
/// patch alike, from the overlay.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KeyRules {
    /// Free-form keys the service reserves, exactly.
    pub reserved_keys: Vec<String>,
    /// Free-form key prefixes the service reserves.
    pub reserved_prefixes: Vec<String>,
    /// The longest free-form key the service accepts.
    pub max_key_length: Option<u64>,
}

/// How the service treats JSON Patch on a resource, from the overlay.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PatchRules {
    /// Properties the schema does not mark read-only but PATCH refuses.
    pub immutable: Vec<String>,
    /// Array properties that can only be replaced as a whole.
    pub whole_list: Vec<String>,
    /// Array properties that also take add and remove at an index.
    pub indexed_list: Vec<String>,
    /// Lists the service shows empty but refuses to be replaced with an
    /// empty list (a patch rule, not a rule of the document).
    pub replace_non_empty: Vec<String>,
    pub keys: KeyRules,
}

/// How the service treats the create request of a resource, from the
/// overlay. Not the same as patch access: Glance takes a client-chosen `id`
/// on create but refuses every PATCH of it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CreateRules {
    /// Properties the schema does not mark read-only but the create request
    /// refuses; they get no field in the create body.
    pub excluded: Vec<String>,
    pub keys: KeyRules,
    /// The service updates the resource with `PUT` of the whole document
    /// (Glance's metadef namespaces, objects, properties and tags), so the
    /// create body is also the update body, and a document converts into it.
    pub put_update: bool,
}

impl CreateRules {
    /// Whether a client may send the property when creating the resource.
    pub fn creatable(&self, property: &Property) -> bool {
        !property.read_only && !self.excluded.contains(&property.json_name)
    }
}

/// How a property may be changed by PATCH, derived from the schema and the
/// overlay in one place so that every emitter agrees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchAccess {
    /// No operation is accepted.
    None,
    /// Replace only (a base property).
    Replace,
    /// Add, replace and remove (a custom property).
    AddReplaceRemove,
    /// Replace of the whole array only.
    WholeList,
    /// Replace of the whole array, and add or remove at an index.
    IndexedList,
}

impl PatchRules {
    pub fn access(&self, property: &Property) -> PatchAccess {
        let name = property.json_name.as_str();
        if property.read_only || self.immutable.iter().any(|n| n == name) {
            PatchAccess::None
        } else if self.whole_list.iter().any(|n| n == name) {
            PatchAccess::WholeList
        } else if self.indexed_list.iter().any(|n| n == name) {
            PatchAccess::IndexedList
        } else if property.is_base {
            PatchAccess::Replace
        } else {
            PatchAccess::AddReplaceRemove
        }
    }
}
