//! Lowering: JSON Schema in Glance's dialect, to the typed model.
//!
//! Every keyword is either modelled, ignored for a reason listed in
//! [`crate::keywords`], or rejected with an error that names the file, the
//! JSON pointer and what to change. Nothing here panics on any input.

use std::collections::{BTreeMap, BTreeSet};

use schemars::Schema;
use serde_json::{Map, Value};

use crate::error::{Error, child_pointer};
use crate::keywords;
use crate::load::json_kind;
use crate::model::{NamedType, Object, Property, Shape};
use crate::names;

mod all_of;
pub mod compute;
mod constants;
mod constraints;
mod enums;
mod maps;
mod naming;
mod objects;
mod references;
mod tuples;
mod unions;

use naming::generated_type_names;
pub use naming::{resource_name, root_type_name};

/// Deeper nesting than this is refused rather than risking the stack.
const MAX_DEPTH: usize = 32;

/// The Rust field that keeps undeclared keys. Declared properties may not take it.
pub const ADDITIONAL_FIELD: &str = "additional_properties";

/// The name of the catch-all variant that keeps enum values a newer server sends.
pub const UNKNOWN_VARIANT: &str = "Unknown";

/// The catch-all's name when the schema lists a value named `Unknown`.
pub const OTHER_VARIANT: &str = "Other";

/// What the lowering of one resource produces.
pub struct LoweredResource {
    pub object: Object,
    pub types: BTreeMap<String, NamedType>,
}

/// The loaded root schemas, by resource name, so that an inline copy of one
/// schema inside another (the `images` list repeats `image`) can be found.
pub struct Roots<'a> {
    pub by_name: BTreeMap<String, RootInfo<'a>>,
}

pub struct RootInfo<'a> {
    pub file: &'a str,
    pub schema: &'a Schema,
    pub rust_name: String,
    /// The prefix of the folder the schema is served in (`metadef`).
    pub prefix: Option<&'a str>,
    /// That folder (`metadefs`).
    pub folder: Option<&'a str>,
}

impl Roots<'_> {
    /// The root that a schema of resource `from` means by `name`: names
    /// inside a schema are the service's own, unqualified, and mean the
    /// schema of that name in the same folder.
    pub fn qualify(&self, from: &str, name: &str) -> String {
        let prefix = self.by_name.get(from).and_then(|r| r.prefix);
        crate::load::qualified(prefix, name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum JsonType {
    Null,
    String,
    Integer,
    Number,
    Boolean,
    Array,
    Object,
}

impl JsonType {
    fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "null" => JsonType::Null,
            "string" => JsonType::String,
            "integer" => JsonType::Integer,
            "number" => JsonType::Number,
            "boolean" => JsonType::Boolean,
            "array" => JsonType::Array,
            "object" => JsonType::Object,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            JsonType::Null => "null",
            JsonType::String => "string",
            JsonType::Integer => "integer",
            JsonType::Number => "number",
            JsonType::Boolean => "boolean",
            JsonType::Array => "array",
            JsonType::Object => "object",
        }
    }
}

/// Where a nested type gets its name from: the type that holds it and the
/// word for the position it sits in.
#[derive(Clone)]
struct Hint {
    owner: String,
    word: String,
}

impl Hint {
    /// `None` when the word has no ASCII letter or digit. Property names are
    /// checked before they get here; a definition name is not.
    fn type_name(&self) -> Option<String> {
        names::type_name(&self.word).map(|word| format!("{}{word}", self.owner))
    }
}

struct Lowered {
    shape: Shape,
    nullable: bool,
}

pub struct Lowerer<'a> {
    file: &'a str,
    root: &'a Map<String, Value>,
    resource: &'a str,
    roots: &'a Roots<'a>,
    types: BTreeMap<String, (NamedType, String)>,
    /// Names the generated code uses itself, which no schema type may take.
    reserved_types: BTreeSet<String>,
    resolved_refs: BTreeMap<String, Lowered>,
    ref_stack: Vec<String>,
    depth: usize,
    /// How nested types are named: after their owner and position (Glance),
    /// or as the service's module chooses (Nova, see [`compute`]).
    naming: compute::Naming,
}

impl Clone for Lowered {
    fn clone(&self) -> Self {
        Lowered {
            shape: self.shape.clone(),
            nullable: self.nullable,
        }
    }
}

impl<'a> Lowerer<'a> {
    pub fn new(
        file: &'a str,
        schema: &'a Schema,
        resource: &'a str,
        roots: &'a Roots<'a>,
    ) -> Result<Self, Error> {
        let root = schema
            .as_object()
            .ok_or_else(|| Error::new(file, "", "the schema must be a JSON object"))?;
        let mut reserved_types = generated_type_names(roots);
        reserved_types.extend(roots.by_name.values().map(|r| r.rust_name.clone()));
        Ok(Lowerer {
            file,
            root,
            resource,
            roots,
            types: BTreeMap::new(),
            reserved_types,
            resolved_refs: BTreeMap::new(),
            ref_stack: Vec::new(),
            depth: 0,
            naming: compute::Naming::default(),
        })
    }

    /// Names nested types as `naming` says, instead of after their owner.
    pub fn with_naming(mut self, naming: compute::Naming) -> Self {
        self.naming = naming;
        self
    }

    fn error(&self, pointer: &str, reason: impl Into<String>) -> Error {
        Error::new(self.file, pointer, reason)
    }

    /// Lowers the root schema into the resource's struct and its named types.
    pub fn lower_root(mut self, rust_name: &str) -> Result<LoweredResource, Error> {
        let root = self.root;
        self.check_keywords(root, "")?;
        self.check_annotations(root, "")?;
        if let Some(t) = root.get("type") {
            if t.as_str() != Some("object") {
                return Err(self.error(
                    "/type",
                    "the root schema must describe an object (`\"type\": \"object\"` or no type)",
                ));
            }
        }
        if root.contains_key("allOf") {
            return Err(self.error(
                "/allOf",
                "`allOf` on the root schema is not supported: the root must declare its properties itself",
            ));
        }
        if root.contains_key("$ref") || root.contains_key("enum") || root.contains_key("items") {
            return Err(self.error(
                "",
                "the root schema must describe an object with `properties`",
            ));
        }
        if generated_type_names(self.roots).contains(rust_name) {
            let pointer = if root.contains_key("name") {
                "/name"
            } else {
                "/title"
            };
            return Err(self.error(
                pointer,
                format!(
                    "the resource `{}` would be the Rust type `{rust_name}`, which the generated code uses for something else; rename it",
                    self.resource
                ),
            ));
        }
        let info = self.roots.by_name.get(self.resource);
        let (own, folder) = match info.and_then(|r| r.prefix.zip(r.folder)) {
            Some((prefix, folder)) => (
                self.resource
                    .strip_prefix(prefix)
                    .and_then(|rest| rest.strip_prefix('_'))
                    .unwrap_or(self.resource),
                format!("{folder}/"),
            ),
            None => (self.resource, String::new()),
        };
        let doc = description(root).or_else(|| {
            // Only a plain name is also the last segment of the schema's URL.
            let plain = own
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            Some(if plain && folder.is_empty() {
                format!(
                    "A document described by the service's `{own}` schema (`GET /v2/schemas/{own}`)."
                )
            } else if plain {
                format!(
                    "A document described by the service's `{own}` schema, served under `/v2/schemas/{folder}`."
                )
            } else {
                format!(
                    "A document described by the service's schema named {}.",
                    self.resource
                )
            })
        });
        let object = self.lower_struct(root, "", rust_name, doc)?;
        let types = self
            .types
            .into_iter()
            .map(|(name, (ty, _))| (name, ty))
            .collect();
        Ok(LoweredResource { object, types })
    }

    fn check_keywords(&self, schema: &Map<String, Value>, pointer: &str) -> Result<(), Error> {
        for keyword in schema.keys() {
            if !keywords::is_known(keyword) {
                return Err(self.error(
                    &child_pointer(pointer, keyword),
                    format!(
                        "unsupported keyword `{keyword}`: the generator cannot model it faithfully, \
                         and ignoring it could accept documents the service rejects; \
                         remove it or ask for support"
                    ),
                ));
            }
        }
        Ok(())
    }

    fn check_annotations(&self, schema: &Map<String, Value>, pointer: &str) -> Result<(), Error> {
        for key in ["readOnly", "writeOnly", "is_base", "uniqueItems"] {
            if let Some(v) = schema.get(key) {
                if !v.is_boolean() {
                    return Err(self.error(
                        &child_pointer(pointer, key),
                        format!("`{key}` must be true or false, found {}", json_kind(v)),
                    ));
                }
            }
        }
        for key in ["description", "name", "title", "pattern"] {
            if let Some(v) = schema.get(key) {
                if !v.is_string() {
                    return Err(self.error(
                        &child_pointer(pointer, key),
                        format!("`{key}` must be a string, found {}", json_kind(v)),
                    ));
                }
            }
        }
        Ok(())
    }

    fn hint_type_name(&self, hint: &Hint, pointer: &str) -> Result<String, Error> {
        if let Some(name) = self.naming.name_at(pointer, hint) {
            return Ok(name);
        }
        hint.type_name().ok_or_else(|| {
            self.error(
                pointer,
                format!(
                    "`{}` has no ASCII letter or digit to name a Rust type after; rename it",
                    hint.word
                ),
            )
        })
    }

    fn register(&mut self, name: String, ty: NamedType, pointer: &str) -> Result<(), Error> {
        if self.reserved_types.contains(&name) {
            return Err(self.error(
                pointer,
                format!("this schema would be the Rust type `{name}`, a name the generated code already uses; rename the property"),
            ));
        }
        if let Some((_, first)) = self.types.get(&name) {
            if self.types.get(&name).map(|(t, _)| t) == Some(&ty) {
                return Ok(());
            }
            return Err(self.error(
                pointer,
                format!("this schema and the one at {first} would both be the Rust type `{name}`; rename one of the properties"),
            ));
        }
        self.types.insert(name, (ty, pointer.to_owned()));
        Ok(())
    }

    fn lower_property(
        &mut self,
        json_name: &str,
        value: &Value,
        pointer: &str,
        owner: &str,
        required: bool,
    ) -> Result<Property, Error> {
        let rust_name = names::field_name(json_name).ok_or_else(|| {
            let shown = if json_name.is_empty() { "the empty name".to_owned() } else { format!("`{json_name}`") };
            self.error(
                pointer,
                format!("property {shown} has no ASCII letter or digit to make a Rust name from; rename it"),
            )
        })?;
        let schema = value.as_object().ok_or_else(|| {
            self.error(
                pointer,
                format!(
                    "a property's schema must be a JSON object, found {}",
                    json_kind(value)
                ),
            )
        })?;
        let hint = Hint {
            owner: owner.to_owned(),
            word: json_name.to_owned(),
        };
        let lowered = self.lower_node(value, pointer, &hint)?;
        let flag = |key: &str| schema.get(key).and_then(Value::as_bool);
        Ok(Property {
            json_name: json_name.to_owned(),
            rust_name,
            doc: description(schema),
            shape: lowered.shape,
            nullable: lowered.nullable,
            required,
            read_only: flag("readOnly").unwrap_or(false),
            write_only: flag("writeOnly").unwrap_or(false),
            is_base: flag("is_base").unwrap_or(true),
            pointer: pointer.to_owned(),
        })
    }

    fn lower_node(&mut self, value: &Value, pointer: &str, hint: &Hint) -> Result<Lowered, Error> {
        if self.depth >= MAX_DEPTH {
            return Err(self.error(
                pointer,
                format!("schemas nested deeper than {MAX_DEPTH} levels are not supported"),
            ));
        }
        self.depth += 1;
        let result = self.lower_node_inner(value, pointer, hint);
        self.depth -= 1;
        result
    }

    fn lower_node_inner(
        &mut self,
        value: &Value,
        pointer: &str,
        hint: &Hint,
    ) -> Result<Lowered, Error> {
        let schema = value.as_object().ok_or_else(|| {
            self.error(
                pointer,
                format!("a schema must be a JSON object, found {}", json_kind(value)),
            )
        })?;
        self.check_keywords(schema, pointer)?;
        self.check_annotations(schema, pointer)?;

        if let Some(target) = schema.get("$ref") {
            return self.lower_ref(schema, target, pointer);
        }
        if let Some(members) = schema.get("allOf") {
            return self.lower_all_of(schema, members, pointer, hint);
        }
        if let Some(name) = schema.get("name").and_then(Value::as_str) {
            if let Some(shape) = self.inline_resource(name, schema, pointer)? {
                return Ok(Lowered {
                    shape,
                    nullable: false,
                });
            }
        }
        if let Some(shape) = self.same_as_named(value, pointer) {
            return Ok(Lowered {
                shape,
                nullable: false,
            });
        }
        if let Some(constant) = schema.get("const") {
            return self.lower_const(schema, constant, pointer);
        }

        let types = self.parse_types(schema, pointer)?;
        let nullable_by_type = types.contains(&JsonType::Null);
        let non_null: Vec<JsonType> = types
            .iter()
            .copied()
            .filter(|t| *t != JsonType::Null)
            .collect();

        if let Some(values) = schema.get("enum") {
            if let Some(lowered) = self.lower_integer_enum(schema, values, pointer, &types)? {
                return Ok(lowered);
            }
            return self.lower_enum(schema, values, pointer, hint, &types, nullable_by_type);
        }

        let kind = match non_null.as_slice() {
            [] if types.is_empty() => infer_type(schema),
            [] => None,
            [one] => Some(*one),
            several => return self.lower_union(schema, pointer, several, nullable_by_type),
        };
        self.check_applicable(schema, pointer, kind)?;

        let shape = match kind {
            None => Shape::Any,
            Some(JsonType::String) => Shape::String(self.string_rules(schema, pointer)?),
            Some(JsonType::Integer) => Shape::Integer(self.integer_rules(schema, pointer)?),
            Some(JsonType::Number) => Shape::Number,
            Some(JsonType::Boolean) => Shape::Boolean,
            Some(JsonType::Array) => self.lower_array(schema, pointer, hint)?,
            Some(JsonType::Object) => self.lower_object(schema, pointer, hint)?,
            Some(JsonType::Null) => Shape::Any,
        };
        // `Any` already holds null, so it never needs the extra layer.
        let nullable = nullable_by_type && shape != Shape::Any;
        Ok(Lowered { shape, nullable })
    }

    fn parse_types(
        &self,
        schema: &Map<String, Value>,
        pointer: &str,
    ) -> Result<Vec<JsonType>, Error> {
        let Some(value) = schema.get("type") else {
            return Ok(Vec::new());
        };
        let at = child_pointer(pointer, "type");
        let names: Vec<&Value> = match value {
            Value::String(_) => vec![value],
            Value::Array(items) if !items.is_empty() => items.iter().collect(),
            Value::Array(_) => {
                return Err(self.error(&at, "`type` is an empty list, which no value can satisfy"));
            }
            other => {
                return Err(self.error(
                    &at,
                    format!(
                        "`type` must be a string or a list of strings, found {}",
                        json_kind(other)
                    ),
                ));
            }
        };
        let mut types = Vec::new();
        for name in names {
            let text = name.as_str().ok_or_else(|| {
                self.error(
                    &at,
                    format!("`type` entries must be strings, found {}", json_kind(name)),
                )
            })?;
            let ty = JsonType::parse(text).ok_or_else(|| {
                self.error(
                    &at,
                    format!("unknown type `{text}`; JSON Schema types are null, string, integer, number, boolean, array and object"),
                )
            })?;
            if types.contains(&ty) {
                return Err(self.error(&at, format!("`type` lists `{text}` twice")));
            }
            types.push(ty);
        }
        Ok(types)
    }

    /// Refuses keywords that cannot apply to the schema's type: the author
    /// meant something by them, and dropping them would lose it.
    fn check_applicable(
        &self,
        schema: &Map<String, Value>,
        pointer: &str,
        kind: Option<JsonType>,
    ) -> Result<(), Error> {
        let groups: [(&[&str], JsonType); 4] = [
            (
                &["pattern", "minLength", "maxLength", "format"],
                JsonType::String,
            ),
            (&["minimum", "maximum"], JsonType::Integer),
            (
                &[
                    "items",
                    "prefixItems",
                    "minItems",
                    "maxItems",
                    "uniqueItems",
                ],
                JsonType::Array,
            ),
            (
                &[
                    "properties",
                    "additionalProperties",
                    "required",
                    "patternProperties",
                    "minProperties",
                    "maxProperties",
                ],
                JsonType::Object,
            ),
        ];
        for (keys, applies_to) in groups {
            for key in keys {
                if schema.contains_key(*key) && kind != Some(applies_to) {
                    let found = kind.map_or("untyped", JsonType::name);
                    return Err(self.error(
                        &child_pointer(pointer, key),
                        format!(
                            "`{key}` applies to {} values, but this schema's type is {found}; fix the type or drop the keyword",
                            applies_to.name()
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}

fn infer_type(schema: &Map<String, Value>) -> Option<JsonType> {
    if schema.contains_key("properties")
        || schema.contains_key("additionalProperties")
        || schema.contains_key("required")
        || schema.contains_key("patternProperties")
    {
        Some(JsonType::Object)
    } else if schema.contains_key("items") || schema.contains_key("prefixItems") {
        Some(JsonType::Array)
    } else {
        None
    }
}

/// The description, with `\r\n` and lone `\r` line breaks made `\n`: a bare
/// carriage return inside a doc comment does not compile.
fn description(schema: &Map<String, Value>) -> Option<String> {
    schema
        .get("description")
        .and_then(Value::as_str)
        .map(|d| d.replace("\r\n", "\n").replace('\r', "\n"))
        .map(|d| d.trim().to_owned())
        .filter(|d| !d.is_empty())
}
