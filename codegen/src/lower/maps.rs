//! `patternProperties`: objects whose keys are free and whose values share
//! one shape, such as Nova's image metadata
//! (`{"^[a-zA-Z0-9-_:. ]{1,255}$": {"type": "string"}}`), become maps.
//!
//! A map keeps every key it is sent, including keys that do not match the
//! pattern or that `additionalProperties: false` forbids: a newer service
//! may loosen its pattern, and decoding must not lose what it sent.

use serde_json::{Map, Value};

use crate::error::{Error, child_pointer};
use crate::load::json_kind;
use crate::model::{MapRules, Shape};

use super::{Hint, Lowerer};

impl Lowerer<'_> {
    /// An object with `patternProperties` and no `properties`: a map.
    pub(super) fn lower_map(
        &mut self,
        schema: &Map<String, Value>,
        pointer: &str,
        hint: &Hint,
    ) -> Result<Shape, Error> {
        let (pattern, value, value_at) = self.single_pattern(schema, pointer)?;
        if schema.contains_key("required") {
            return Err(self.error(
                &child_pointer(pointer, "required"),
                "`required` names no declared property in a map; declare the properties or drop it",
            ));
        }
        let value_hint = Hint {
            owner: hint.owner.clone(),
            word: format!("{}_value", hint.word),
        };
        let lowered = self.lower_node(value, &value_at, &value_hint)?;
        match schema.get("additionalProperties") {
            Some(Value::Bool(false)) => {}
            None | Some(Value::Bool(true)) if lowered.shape == Shape::Any => {}
            _ => {
                return Err(self.error(
                    &child_pointer(pointer, "additionalProperties"),
                    "keys that do not match the pattern may hold other values, so the map's values \
                     cannot have one type; set `additionalProperties` to false",
                ));
            }
        }
        let rules = MapRules {
            key_pattern: Some(pattern),
            min_properties: self.length(schema, pointer, "minProperties")?,
            max_properties: self.length(schema, pointer, "maxProperties")?,
            nullable_values: lowered.nullable,
        };
        if let (Some(min), Some(max)) = (rules.min_properties, rules.max_properties) {
            if min > max {
                return Err(self.error(
                    &child_pointer(pointer, "minProperties"),
                    format!(
                        "minProperties {min} is greater than maxProperties {max}, so no object fits"
                    ),
                ));
            }
        }
        Ok(Shape::Map(Box::new(lowered.shape), rules))
    }

    /// An object with no declared properties whose `additionalProperties`
    /// is a schema, such as Glance's metadef `property` definition (a
    /// property name to its definition): a map whose values have that
    /// schema's type, with any key.
    pub(super) fn lower_typed_map(
        &mut self,
        schema: &Map<String, Value>,
        pointer: &str,
        hint: &Hint,
    ) -> Result<Shape, Error> {
        let value_at = child_pointer(pointer, "additionalProperties");
        let value = schema.get("additionalProperties").unwrap_or(&Value::Null);
        let value_hint = Hint {
            owner: hint.owner.clone(),
            word: format!("{}_value", hint.word),
        };
        let lowered = self.lower_node(value, &value_at, &value_hint)?;
        let rules = MapRules {
            key_pattern: None,
            min_properties: self.length(schema, pointer, "minProperties")?,
            max_properties: self.length(schema, pointer, "maxProperties")?,
            nullable_values: lowered.nullable,
        };
        Ok(Shape::Map(Box::new(lowered.shape), rules))
    }

    /// `patternProperties` beside `properties` (Nova's query schemas accept
    /// `property-*` keys besides the named filters). Supported when the
    /// pattern allows any value and so does `additionalProperties`: then the
    /// struct's catch-all field already holds those keys exactly.
    pub(super) fn patterns_beside_properties(
        &mut self,
        schema: &Map<String, Value>,
        pointer: &str,
    ) -> Result<(), Error> {
        let (_, value, value_at) = self.single_pattern(schema, pointer)?;
        let hint = Hint {
            owner: String::new(),
            word: "pattern_value".to_owned(),
        };
        let lowered = self.lower_node(value, &value_at, &hint)?;
        let open = matches!(
            schema.get("additionalProperties"),
            None | Some(Value::Bool(true))
        );
        if lowered.shape != Shape::Any || !open {
            return Err(self.error(
                &child_pointer(pointer, "patternProperties"),
                "`patternProperties` beside `properties` are supported only when both they and \
                 `additionalProperties` allow any value; move the typed keys into `properties`",
            ));
        }
        for key in ["minProperties", "maxProperties"] {
            if schema.contains_key(key) {
                return Err(self.error(
                    &child_pointer(pointer, key),
                    format!("`{key}` on an object with declared properties is not supported"),
                ));
            }
        }
        Ok(())
    }

    /// The one pattern and its value schema. Several patterns would give a
    /// key's value a shape that depends on which pattern it matches, which
    /// one Rust map cannot say.
    fn single_pattern<'s>(
        &self,
        schema: &'s Map<String, Value>,
        pointer: &str,
    ) -> Result<(String, &'s Value, String), Error> {
        let at = child_pointer(pointer, "patternProperties");
        let patterns = match schema.get("patternProperties") {
            Some(Value::Object(map)) => map,
            Some(other) => {
                return Err(self.error(
                    &at,
                    format!(
                        "`patternProperties` must be an object, found {}",
                        json_kind(other)
                    ),
                ));
            }
            None => return Err(self.error(&at, "`patternProperties` is missing")),
        };
        let mut entries = patterns.iter();
        let (Some((pattern, value)), None) = (entries.next(), entries.next()) else {
            return Err(self.error(
                &at,
                format!(
                    "{} patterns: only one pattern per object is supported, so that every value has one type",
                    patterns.len()
                ),
            ));
        };
        let pattern_at = child_pointer(&at, pattern);
        if let Err(e) = regex::Regex::new(pattern) {
            return Err(self.error(
                &pattern_at,
                format!("the key pattern cannot be compiled by the regex crate, so keys could not be checked: {e}"),
            ));
        }
        if !value.is_object() {
            return Err(self.error(
                &pattern_at,
                format!(
                    "a pattern's schema must be a JSON object, found {}",
                    json_kind(value)
                ),
            ));
        }
        Ok((pattern.clone(), value, pattern_at))
    }
}
