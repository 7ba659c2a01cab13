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
use crate::model::{
    Additional, ArrayRules, Enumeration, IntegerRules, NamedType, Object, Property, Shape,
    StringRules, Variant,
};
use crate::names;

/// Deeper nesting than this is refused rather than risking the stack.
const MAX_DEPTH: usize = 32;

/// The Rust field that keeps undeclared keys. Declared properties may not take it.
pub const ADDITIONAL_FIELD: &str = "additional_properties";

/// The name of the catch-all variant that keeps enum values a newer server sends.
pub const UNKNOWN_VARIANT: &str = "Unknown";

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

/// The resource name of a root schema: Glance says `name`, standard JSON
/// Schema says `title`.
pub fn resource_name(file: &str, schema: &Schema) -> Result<String, Error> {
    let root = schema.as_object().map(|o| (o.get("name"), o.get("title")));
    let name = match root {
        Some((Some(name), _)) => name,
        Some((None, Some(title))) => title,
        _ => {
            return Err(Error::new(
                file,
                "",
                "the schema has neither `name` nor `title`; add one so the generated type can be named",
            ));
        }
    };
    let pointer = if root.is_some_and(|(n, _)| n.is_some()) { "/name" } else { "/title" };
    let name = name
        .as_str()
        .ok_or_else(|| Error::new(file, pointer, format!("must be a string, found {}", json_kind(name))))?;
    if names::type_name(name).is_none() {
        return Err(Error::new(
            file,
            pointer,
            format!("`{name}` has no ASCII letter or digit to name a Rust type after"),
        ));
    }
    Ok(name.to_owned())
}

/// The Rust name of a root type. A schema whose property is an array of
/// another resource is that resource's list: `images` becomes `ImageList`.
pub fn root_type_name(name: &str, schema: &Schema, known: &BTreeSet<String>) -> String {
    let item_name = schema
        .as_object()
        .and_then(|o| o.get("properties"))
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|props| props.values())
        .filter_map(|p| p.get("items")?.get("name")?.as_str())
        .find(|item| known.contains(*item) && *item != name);
    let base = names::type_name(item_name.unwrap_or(name)).unwrap_or_default();
    match item_name {
        Some(_) => format!("{base}List"),
        None => base,
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
    pub fn new(file: &'a str, schema: &'a Schema, resource: &'a str, roots: &'a Roots<'a>) -> Result<Self, Error> {
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
        })
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
                return Err(self.error("/type", "the root schema must describe an object (`\"type\": \"object\"` or no type)"));
            }
        }
        if root.contains_key("$ref") || root.contains_key("enum") || root.contains_key("items") {
            return Err(self.error("", "the root schema must describe an object with `properties`"));
        }
        if generated_type_names(self.roots).contains(rust_name) {
            let pointer = if root.contains_key("name") { "/name" } else { "/title" };
            return Err(self.error(
                pointer,
                format!(
                    "the resource `{}` would be the Rust type `{rust_name}`, which the generated code uses for something else; rename it",
                    self.resource
                ),
            ));
        }
        let doc = description(root).or_else(|| {
            // Only a plain name is also the last segment of the schema's URL.
            let plain = self.resource.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            Some(if plain {
                format!(
                    "A document described by the service's `{0}` schema (`GET /v2/schemas/{0}`).",
                    self.resource
                )
            } else {
                format!("A document described by the service's schema named {}.", self.resource)
            })
        });
        let object = self.lower_struct(root, "", rust_name, doc)?;
        let types = self.types.into_iter().map(|(name, (ty, _))| (name, ty)).collect();
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
        hint.type_name().ok_or_else(|| {
            self.error(
                pointer,
                format!("`{}` has no ASCII letter or digit to name a Rust type after; rename it", hint.word),
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
            self.error(pointer, format!("a property's schema must be a JSON object, found {}", json_kind(value)))
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
            return Err(self.error(pointer, format!("schemas nested deeper than {MAX_DEPTH} levels are not supported")));
        }
        self.depth += 1;
        let result = self.lower_node_inner(value, pointer, hint);
        self.depth -= 1;
        result
    }

    fn lower_node_inner(&mut self, value: &Value, pointer: &str, hint: &Hint) -> Result<Lowered, Error> {
        let schema = value
            .as_object()
            .ok_or_else(|| self.error(pointer, format!("a schema must be a JSON object, found {}", json_kind(value))))?;
        self.check_keywords(schema, pointer)?;
        self.check_annotations(schema, pointer)?;

        if let Some(target) = schema.get("$ref") {
            return self.lower_ref(schema, target, pointer);
        }
        if let Some(name) = schema.get("name").and_then(Value::as_str) {
            if let Some(shape) = self.inline_resource(name, schema, pointer)? {
                return Ok(Lowered { shape, nullable: false });
            }
        }

        let types = self.parse_types(schema, pointer)?;
        let nullable_by_type = types.contains(&JsonType::Null);
        let non_null: Vec<JsonType> = types.iter().copied().filter(|t| *t != JsonType::Null).collect();

        if let Some(values) = schema.get("enum") {
            return self.lower_enum(schema, values, pointer, hint, &types, nullable_by_type);
        }

        let kind = match non_null.as_slice() {
            [] if types.is_empty() => infer_type(schema),
            [] => None,
            [one] => Some(*one),
            several => {
                let names: Vec<&str> = several.iter().map(|t| t.name()).collect();
                return Err(self.error(
                    &child_pointer(pointer, "type"),
                    format!(
                        "a value that may be any of {} cannot be modelled as one Rust type; use one type (plus \"null\")",
                        names.join(", ")
                    ),
                ));
            }
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

    fn parse_types(&self, schema: &Map<String, Value>, pointer: &str) -> Result<Vec<JsonType>, Error> {
        let Some(value) = schema.get("type") else {
            return Ok(Vec::new());
        };
        let at = child_pointer(pointer, "type");
        let names: Vec<&Value> = match value {
            Value::String(_) => vec![value],
            Value::Array(items) if !items.is_empty() => items.iter().collect(),
            Value::Array(_) => return Err(self.error(&at, "`type` is an empty list, which no value can satisfy")),
            other => {
                return Err(self.error(&at, format!("`type` must be a string or a list of strings, found {}", json_kind(other))));
            }
        };
        let mut types = Vec::new();
        for name in names {
            let text = name
                .as_str()
                .ok_or_else(|| self.error(&at, format!("`type` entries must be strings, found {}", json_kind(name))))?;
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
    fn check_applicable(&self, schema: &Map<String, Value>, pointer: &str, kind: Option<JsonType>) -> Result<(), Error> {
        let groups: [(&[&str], JsonType); 4] = [
            (&["pattern", "minLength", "maxLength"], JsonType::String),
            (&["minimum", "maximum"], JsonType::Integer),
            (&["items", "minItems", "maxItems", "uniqueItems"], JsonType::Array),
            (&["properties", "additionalProperties", "required"], JsonType::Object),
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

    fn string_rules(&self, schema: &Map<String, Value>, pointer: &str) -> Result<StringRules, Error> {
        let min_length = self.length(schema, pointer, "minLength")?;
        let max_length = self.length(schema, pointer, "maxLength")?;
        if let (Some(min), Some(max)) = (min_length, max_length) {
            if min > max {
                return Err(self.error(
                    &child_pointer(pointer, "minLength"),
                    format!("minLength {min} is greater than maxLength {max}, so no string fits"),
                ));
            }
        }
        let pattern = schema.get("pattern").and_then(Value::as_str).map(str::to_owned);
        if let Some(pattern) = &pattern {
            if let Err(e) = regex::Regex::new(pattern) {
                return Err(self.error(
                    &child_pointer(pointer, "pattern"),
                    format!("the pattern cannot be compiled by the regex crate, so values could not be checked: {e}"),
                ));
            }
        }
        Ok(StringRules { min_length, max_length, pattern })
    }

    fn length(&self, schema: &Map<String, Value>, pointer: &str, key: &str) -> Result<Option<u64>, Error> {
        match schema.get(key) {
            None => Ok(None),
            Some(v) => v.as_u64().map(Some).ok_or_else(|| {
                self.error(&child_pointer(pointer, key), format!("`{key}` must be a non-negative whole number"))
            }),
        }
    }

    fn integer_rules(&self, schema: &Map<String, Value>, pointer: &str) -> Result<IntegerRules, Error> {
        let bound = |key: &str| -> Result<Option<i64>, Error> {
            match schema.get(key) {
                None => Ok(None),
                Some(v) => v.as_i64().map(Some).ok_or_else(|| {
                    self.error(&child_pointer(pointer, key), format!("`{key}` must be a whole number that fits in 64 bits"))
                }),
            }
        };
        let minimum = bound("minimum")?;
        let maximum = bound("maximum")?;
        if let (Some(min), Some(max)) = (minimum, maximum) {
            if min > max {
                return Err(self.error(
                    &child_pointer(pointer, "minimum"),
                    format!("minimum {min} is greater than maximum {max}, so no value fits"),
                ));
            }
        }
        Ok(IntegerRules { minimum, maximum })
    }

    fn lower_enum(
        &mut self,
        schema: &Map<String, Value>,
        values: &Value,
        pointer: &str,
        hint: &Hint,
        types: &[JsonType],
        nullable_by_type: bool,
    ) -> Result<Lowered, Error> {
        let at = child_pointer(pointer, "enum");
        let values = values
            .as_array()
            .ok_or_else(|| self.error(&at, format!("`enum` must be a list, found {}", json_kind(values))))?;
        if values.is_empty() {
            return Err(self.error(&at, "`enum` is empty, so no value would be valid"));
        }
        let mut strings = Vec::new();
        let mut has_null = false;
        for (index, value) in values.iter().enumerate() {
            match value {
                Value::Null => has_null = true,
                Value::String(s) => {
                    if strings.contains(s) {
                        return Err(self.error(&child_pointer(&at, &index.to_string()), format!("`{s}` is listed twice")));
                    }
                    strings.push(s.clone());
                }
                other => {
                    return Err(self.error(
                        &child_pointer(&at, &index.to_string()),
                        format!(
                            "only string values (and null) are supported in an enum, found {}; an enum mixing types cannot be one Rust enum",
                            json_kind(other)
                        ),
                    ));
                }
            }
        }
        if strings.is_empty() {
            return Err(self.error(&at, "the enum lists only null, which carries no information"));
        }
        if !types.is_empty() {
            let non_null: Vec<JsonType> = types.iter().copied().filter(|t| *t != JsonType::Null).collect();
            if non_null != [JsonType::String] {
                return Err(self.error(
                    &child_pointer(pointer, "type"),
                    "the enum lists strings, so its type must be \"string\" (plus \"null\" when null is listed)",
                ));
            }
            if has_null && !nullable_by_type {
                return Err(self.error(&at, "the enum lists null but `type` does not allow null; add \"null\" to `type` or drop it from `enum`"));
            }
            if nullable_by_type && !has_null {
                return Err(self.error(&at, "`type` allows null but the enum does not list it, so null would be rejected; list null in `enum` or drop it from `type`"));
            }
        }
        self.check_applicable(schema, pointer, Some(JsonType::String))?;
        if schema.contains_key("pattern") || schema.contains_key("minLength") || schema.contains_key("maxLength") {
            return Err(self.error(pointer, "string constraints on an enum are not supported: list only the values that fit"));
        }

        let rust_name = self.hint_type_name(hint, pointer)?;
        let mut variants: Vec<Variant> = Vec::new();
        for (index, value) in strings.iter().enumerate() {
            let value_at = child_pointer(&at, &index.to_string());
            let variant = names::type_name(value).ok_or_else(|| {
                self.error(&value_at, format!("enum value `{value}` has no ASCII letter or digit to name a variant after"))
            })?;
            if variant == UNKNOWN_VARIANT {
                return Err(self.error(
                    &value_at,
                    format!("enum value `{value}` would be the variant `{UNKNOWN_VARIANT}`, which keeps values the schema does not list"),
                ));
            }
            if let Some(other) = variants.iter().find(|v| v.rust_name == variant) {
                return Err(self.error(
                    &value_at,
                    format!("enum values `{}` and `{value}` would both be the variant `{variant}`", other.json_value),
                ));
            }
            variants.push(Variant { json_value: value.clone(), rust_name: variant });
        }
        let enumeration = Enumeration { rust_name: rust_name.clone(), doc: description(schema), variants };
        self.register(rust_name.clone(), NamedType::Enum(enumeration), pointer)?;
        Ok(Lowered { shape: Shape::Enum(rust_name), nullable: has_null })
    }

    fn lower_array(&mut self, schema: &Map<String, Value>, pointer: &str, hint: &Hint) -> Result<Shape, Error> {
        let item_hint = Hint {
            owner: hint.owner.clone(),
            word: names::singular(&hint.word),
        };
        let items = match schema.get("items") {
            None => Shape::Any,
            Some(items @ Value::Object(_)) => {
                let at = child_pointer(pointer, "items");
                let lowered = self.lower_node(items, &at, &item_hint)?;
                if lowered.nullable {
                    return Err(self.error(&at, "arrays whose items may be null are not supported"));
                }
                lowered.shape
            }
            Some(other) => {
                return Err(self.error(
                    &child_pointer(pointer, "items"),
                    format!("`items` must be one schema object (tuple arrays are not supported), found {}", json_kind(other)),
                ));
            }
        };
        let rules = ArrayRules {
            min_items: self.length(schema, pointer, "minItems")?,
            max_items: self.length(schema, pointer, "maxItems")?,
            unique_items: schema.get("uniqueItems").and_then(Value::as_bool).unwrap_or(false),
        };
        Ok(Shape::Array(Box::new(items), rules))
    }

    fn lower_object(&mut self, schema: &Map<String, Value>, pointer: &str, hint: &Hint) -> Result<Shape, Error> {
        let additional_is_any = matches!(schema.get("additionalProperties"), None | Some(Value::Bool(true)));
        if !schema.contains_key("properties") && !schema.contains_key("required") && additional_is_any {
            return Ok(Shape::FreeFormObject);
        }
        let rust_name = self.hint_type_name(hint, pointer)?;
        let object = self.lower_struct(schema, pointer, &rust_name, description(schema))?;
        self.register(rust_name.clone(), NamedType::Object(object), pointer)?;
        Ok(Shape::Object(rust_name))
    }

    fn lower_struct(
        &mut self,
        schema: &Map<String, Value>,
        pointer: &str,
        rust_name: &str,
        doc: Option<String>,
    ) -> Result<Object, Error> {
        let props_at = child_pointer(pointer, "properties");
        let declared = match schema.get("properties") {
            None => Map::new(),
            Some(Value::Object(map)) => map.clone(),
            Some(other) => {
                return Err(self.error(&props_at, format!("`properties` must be an object, found {}", json_kind(other))));
            }
        };
        let required = self.required(schema, pointer, &declared)?;

        let mut properties: BTreeMap<String, Property> = BTreeMap::new();
        let mut fields: BTreeMap<String, String> = BTreeMap::new();
        for (json_name, value) in &declared {
            let at = child_pointer(&props_at, json_name);
            let property = self.lower_property(json_name, value, &at, rust_name, required.contains(json_name))?;
            if property.rust_name == ADDITIONAL_FIELD {
                return Err(self.error(
                    &at,
                    format!("`{json_name}` would be the Rust field `{ADDITIONAL_FIELD}`, which keeps undeclared keys; rename the property"),
                ));
            }
            if let Some(other) = fields.get(&property.rust_name) {
                return Err(self.error(
                    &at,
                    format!(
                        "properties `{other}` and `{json_name}` would both be the Rust field `{}`; rename one of them",
                        property.rust_name
                    ),
                ));
            }
            fields.insert(property.rust_name.clone(), json_name.clone());
            properties.insert(json_name.clone(), property);
        }

        let additional = match schema.get("additionalProperties") {
            None | Some(Value::Bool(true)) => Additional::Any,
            Some(Value::Bool(false)) => Additional::Forbidden,
            Some(value @ Value::Object(_)) => {
                let at = child_pointer(pointer, "additionalProperties");
                let hint = Hint { owner: rust_name.to_owned(), word: "additional_value".to_owned() };
                let lowered = self.lower_node(value, &at, &hint)?;
                if lowered.nullable {
                    return Err(self.error(&at, "additional properties that may be null are not supported"));
                }
                Additional::Typed(Box::new(lowered.shape))
            }
            Some(other) => {
                return Err(self.error(
                    &child_pointer(pointer, "additionalProperties"),
                    format!("`additionalProperties` must be a boolean or a schema, found {}", json_kind(other)),
                ));
            }
        };
        Ok(Object { rust_name: rust_name.to_owned(), doc, properties, additional })
    }

    fn required(&self, schema: &Map<String, Value>, pointer: &str, declared: &Map<String, Value>) -> Result<BTreeSet<String>, Error> {
        let at = child_pointer(pointer, "required");
        let Some(value) = schema.get("required") else {
            return Ok(BTreeSet::new());
        };
        let list = value
            .as_array()
            .ok_or_else(|| self.error(&at, format!("`required` must be a list of property names, found {}", json_kind(value))))?;
        let mut names = BTreeSet::new();
        for (index, name) in list.iter().enumerate() {
            let item_at = child_pointer(&at, &index.to_string());
            let name = name
                .as_str()
                .ok_or_else(|| self.error(&item_at, format!("required names must be strings, found {}", json_kind(name))))?;
            if !declared.contains_key(name) {
                return Err(self.error(
                    &item_at,
                    format!("`{name}` is required but not declared in `properties`, so its type is unknown; declare it"),
                ));
            }
            names.insert(name.to_owned());
        }
        Ok(names)
    }

    /// `$ref` to a local definition. The target is lowered once and named
    /// after its definition; cycles are refused because a recursive type
    /// would need indirection the model does not have.
    fn lower_ref(&mut self, schema: &Map<String, Value>, target: &Value, pointer: &str) -> Result<Lowered, Error> {
        let at = child_pointer(pointer, "$ref");
        let target = target
            .as_str()
            .ok_or_else(|| self.error(&at, format!("`$ref` must be a string, found {}", json_kind(target))))?;
        let allowed_beside = ["$ref", "description", "readOnly", "writeOnly", "is_base", "title", "$comment"];
        if let Some(extra) = schema.keys().find(|k| !allowed_beside.contains(&k.as_str())) {
            return Err(self.error(
                &child_pointer(pointer, extra),
                format!("`{extra}` beside `$ref` is not supported: move it into the referenced definition"),
            ));
        }
        let (container, name) = target
            .strip_prefix("#/definitions/")
            .map(|n| ("definitions", n))
            .or_else(|| target.strip_prefix("#/$defs/").map(|n| ("$defs", n)))
            .ok_or_else(|| {
                self.error(&at, format!("`{target}` is not supported: only local references such as `#/definitions/name` are"))
            })?;
        let name = name.replace("~1", "/").replace("~0", "~");
        let def_pointer = child_pointer(&child_pointer("", container), &name);
        if let Some(done) = self.resolved_refs.get(&def_pointer) {
            return Ok(done.clone());
        }
        if self.ref_stack.contains(&def_pointer) {
            let mut chain = self.ref_stack.clone();
            chain.push(def_pointer.clone());
            return Err(self.error(
                &at,
                format!("`$ref` cycle {}: recursive types are not supported", chain.join(" -> ")),
            ));
        }
        let definition = self
            .root
            .get(container)
            .and_then(Value::as_object)
            .and_then(|defs| defs.get(&name))
            .ok_or_else(|| self.error(&at, format!("`{target}` points at no definition in this file")))?;
        let hint = Hint { owner: String::new(), word: name.clone() };
        self.ref_stack.push(def_pointer.clone());
        let lowered = self.lower_node(definition, &def_pointer, &hint);
        self.ref_stack.pop();
        let lowered = lowered?;
        self.resolved_refs.insert(def_pointer, lowered.clone());
        Ok(lowered)
    }

    /// Glance repeats whole schemas inline: the `images` list holds items
    /// named `image`. When such a copy says nothing the root schema does not,
    /// it is the root's type; anything else would be a second, different
    /// type behind the same name, which is refused.
    fn inline_resource(&self, name: &str, schema: &Map<String, Value>, pointer: &str) -> Result<Option<Shape>, Error> {
        if name == self.resource && pointer.is_empty() {
            return Ok(None);
        }
        let Some(root) = self.roots.by_name.get(name) else {
            return Ok(None);
        };
        let Some(root_schema) = root.schema.as_object() else {
            return Ok(None);
        };
        if copies_reach(self.roots, name, self.resource) {
            return Err(self.error(
                pointer,
                format!(
                    "this inline copy of `{name}` makes `{}` contain itself: recursive types are not supported",
                    self.resource
                ),
            ));
        }
        let empty = Map::new();
        let root_props = root_schema.get("properties").and_then(Value::as_object).unwrap_or(&empty);
        let inline_props = schema.get("properties").and_then(Value::as_object).unwrap_or(&empty);
        for (key, value) in inline_props {
            if root_props.get(key) != Some(value) {
                return Err(self.error(
                    &child_pointer(&child_pointer(pointer, "properties"), key),
                    format!(
                        "this inline copy of `{name}` declares `{key}` differently from {}; make them agree",
                        root.file
                    ),
                ));
            }
        }
        for key in ["additionalProperties", "required", "type"] {
            if schema.get(key) != root_schema.get(key) {
                return Err(self.error(
                    &child_pointer(pointer, key),
                    format!("this inline copy of `{name}` differs from {} in `{key}`; make them agree", root.file),
                ));
            }
        }
        Ok(Some(Shape::Resource(name.to_owned())))
    }
}

/// Type names the generated code uses besides the schemas' own types.
/// The names the patch support module exports at the crate root.
const PATCH_EXPORTS: &[&str] = &[
    "ListPosition",
    "PatchError",
    "PatchMediaType",
    "PatchOp",
    "PatchOperation",
    "Rule",
    "Violation",
];

fn generated_type_names(roots: &Roots<'_>) -> BTreeSet<String> {
    roots
        .by_name
        .values()
        .flat_map(|r| [format!("{}Patch", r.rust_name), format!("{}PatchBuilder", r.rust_name)])
        .chain(PATCH_EXPORTS.iter().map(|name| (*name).to_owned()))
        .chain(names::PRELUDE.iter().map(|name| (*name).to_owned()))
        .collect()
}

/// Whether resource `from`, or any resource it copies inline, copies `target`
/// inline (`from == target` counts): Rust would need indirection to hold
/// such a cycle, which the model does not have.
fn copies_reach(roots: &Roots<'_>, from: &str, target: &str) -> bool {
    let mut seen = BTreeSet::new();
    let mut pending = vec![from.to_owned()];
    while let Some(name) = pending.pop() {
        if name == target {
            return true;
        }
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some(root) = roots.by_name.get(&name) {
            let mut found = BTreeSet::new();
            inline_copies(roots, root.schema.as_value(), true, &mut found);
            pending.extend(found);
        }
    }
    false
}

/// The resources a schema copies inline, at any depth, without looking inside
/// the copies (each copy matches its root, which is visited on its own).
fn inline_copies(roots: &Roots<'_>, value: &Value, is_root: bool, found: &mut BTreeSet<String>) {
    let Some(schema) = value.as_object() else {
        return;
    };
    if let Some(name) = schema.get("name").and_then(Value::as_str) {
        if !is_root && roots.by_name.contains_key(name) {
            found.insert(name.to_owned());
            return;
        }
    }
    let maps = ["properties", "definitions", "$defs"].into_iter().filter_map(|key| schema.get(key)?.as_object());
    let children = maps
        .flat_map(|map| map.values())
        .chain(["items", "additionalProperties"].into_iter().filter_map(|key| schema.get(key)));
    for child in children {
        inline_copies(roots, child, false, found);
    }
}

fn infer_type(schema: &Map<String, Value>) -> Option<JsonType> {
    if schema.contains_key("properties") || schema.contains_key("additionalProperties") || schema.contains_key("required") {
        Some(JsonType::Object)
    } else if schema.contains_key("items") {
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
