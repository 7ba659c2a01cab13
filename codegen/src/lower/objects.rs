//! Objects and arrays: structs with their properties, `required`, and
//! `additionalProperties`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::error::{Error, child_pointer};
use crate::load::json_kind;
use crate::model::{Additional, ArrayRules, NamedType, Object, Property, Shape};
use crate::names;

use super::{ADDITIONAL_FIELD, Hint, Lowerer, description};

impl Lowerer<'_> {
    pub(super) fn lower_array(
        &mut self,
        schema: &Map<String, Value>,
        pointer: &str,
        hint: &Hint,
    ) -> Result<Shape, Error> {
        let item_hint = Hint {
            owner: hint.owner.clone(),
            word: names::singular(&hint.word),
        };
        if let Some(prefix) = schema.get("prefixItems") {
            return self.lower_prefix_items(schema, prefix, pointer, &item_hint);
        }
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
        let rules = self.array_rules(schema, pointer, Vec::new())?;
        Ok(Shape::Array(Box::new(items), rules))
    }

    /// `minItems`, `maxItems` and `uniqueItems`, plus what `prefixItems`
    /// say of each position.
    pub(super) fn array_rules(
        &self,
        schema: &Map<String, Value>,
        pointer: &str,
        positions: Vec<String>,
    ) -> Result<ArrayRules, Error> {
        Ok(ArrayRules {
            min_items: self.length(schema, pointer, "minItems")?,
            max_items: self.length(schema, pointer, "maxItems")?,
            unique_items: schema
                .get("uniqueItems")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            positions,
        })
    }

    pub(super) fn lower_object(
        &mut self,
        schema: &Map<String, Value>,
        pointer: &str,
        hint: &Hint,
    ) -> Result<Shape, Error> {
        if schema.contains_key("patternProperties") && !schema.contains_key("properties") {
            return self.lower_map(schema, pointer, hint);
        }
        let additional_is_any = matches!(
            schema.get("additionalProperties"),
            None | Some(Value::Bool(true))
        );
        if !schema.contains_key("properties")
            && !schema.contains_key("required")
            && additional_is_any
        {
            return Ok(Shape::FreeFormObject);
        }
        if !schema.contains_key("properties")
            && !schema.contains_key("required")
            && matches!(schema.get("additionalProperties"), Some(Value::Object(_)))
        {
            return self.lower_typed_map(schema, pointer, hint);
        }
        let rust_name = self.hint_type_name(hint, pointer)?;
        let object = self.lower_struct(schema, pointer, &rust_name, description(schema))?;
        self.register(rust_name.clone(), NamedType::Object(object), pointer)?;
        Ok(Shape::Object(rust_name))
    }

    pub(super) fn lower_struct(
        &mut self,
        schema: &Map<String, Value>,
        pointer: &str,
        rust_name: &str,
        doc: Option<String>,
    ) -> Result<Object, Error> {
        if schema.contains_key("patternProperties") {
            self.patterns_beside_properties(schema, pointer)?;
        }
        let props_at = child_pointer(pointer, "properties");
        let declared = match schema.get("properties") {
            None => Map::new(),
            Some(Value::Object(map)) => map.clone(),
            Some(other) => {
                return Err(self.error(
                    &props_at,
                    format!("`properties` must be an object, found {}", json_kind(other)),
                ));
            }
        };
        let required = self.required(schema, pointer, &declared)?;

        let mut properties: BTreeMap<String, Property> = BTreeMap::new();
        let mut fields: BTreeMap<String, String> = BTreeMap::new();
        for (json_name, value) in &declared {
            let at = child_pointer(&props_at, json_name);
            let property = self.lower_property(
                json_name,
                value,
                &at,
                rust_name,
                required.contains(json_name),
            )?;
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
                let hint = Hint {
                    owner: rust_name.to_owned(),
                    word: "additional_value".to_owned(),
                };
                let lowered = self.lower_node(value, &at, &hint)?;
                if lowered.nullable {
                    return Err(self.error(
                        &at,
                        "additional properties that may be null are not supported",
                    ));
                }
                Additional::Typed(Box::new(lowered.shape))
            }
            Some(other) => {
                return Err(self.error(
                    &child_pointer(pointer, "additionalProperties"),
                    format!(
                        "`additionalProperties` must be a boolean or a schema, found {}",
                        json_kind(other)
                    ),
                ));
            }
        };
        Ok(Object {
            rust_name: rust_name.to_owned(),
            doc,
            properties,
            additional,
        })
    }

    pub(super) fn required(
        &self,
        schema: &Map<String, Value>,
        pointer: &str,
        declared: &Map<String, Value>,
    ) -> Result<BTreeSet<String>, Error> {
        let at = child_pointer(pointer, "required");
        let Some(value) = schema.get("required") else {
            return Ok(BTreeSet::new());
        };
        let list = value.as_array().ok_or_else(|| {
            self.error(
                &at,
                format!(
                    "`required` must be a list of property names, found {}",
                    json_kind(value)
                ),
            )
        })?;
        let mut names = BTreeSet::new();
        for (index, name) in list.iter().enumerate() {
            let item_at = child_pointer(&at, &index.to_string());
            let name = name.as_str().ok_or_else(|| {
                self.error(
                    &item_at,
                    format!("required names must be strings, found {}", json_kind(name)),
                )
            })?;
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
}
