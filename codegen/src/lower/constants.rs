//! Fixed values: `const`, and `enum`s of integers.
//!
//! Both stay plain `String`/`i64` fields with the allowed values in their
//! rules (and so in the docs and the drift report): a newer service that
//! sends another value must still decode, and a one-value Rust type would
//! buy nothing but a breaking change when that happens.

use serde_json::{Map, Value};

use crate::error::{Error, child_pointer};
use crate::load::json_kind;
use crate::model::{IntegerRules, Shape, StringRules};

use super::{JsonType, Lowered, Lowerer};

impl Lowerer<'_> {
    /// `{"const": "self"}`: a string that the schema fixes to one value.
    pub(super) fn lower_const(
        &self,
        schema: &Map<String, Value>,
        constant: &Value,
        pointer: &str,
    ) -> Result<Lowered, Error> {
        let at = child_pointer(pointer, "const");
        let Value::String(text) = constant else {
            return Err(self.error(
                &at,
                format!(
                    "only string constants are supported, found {}; use `enum` or a typed schema",
                    json_kind(constant)
                ),
            ));
        };
        let types = self.parse_types(schema, pointer)?;
        if !types.is_empty() && types != [JsonType::String] {
            return Err(self.error(
                &child_pointer(pointer, "type"),
                "the constant is a string, so `type` must be \"string\" or absent",
            ));
        }
        if let Some(other) = schema.keys().find(|k| {
            !matches!(
                k.as_str(),
                "const" | "type" | "description" | "title" | "$comment"
            )
        }) {
            return Err(self.error(
                &child_pointer(pointer, other),
                format!("`{other}` beside `const` is not supported: the constant already says which value is allowed"),
            ));
        }
        Ok(Lowered {
            shape: Shape::String(StringRules {
                constants: vec![text.clone()],
                ..StringRules::default()
            }),
            nullable: false,
        })
    }

    /// `{"type": "integer", "enum": [0, 25, 50, 100]}`. Returns `None` when
    /// the enum is not one of integers, for the string-enum lowering to judge.
    pub(super) fn lower_integer_enum(
        &self,
        schema: &Map<String, Value>,
        values: &Value,
        pointer: &str,
        types: &[JsonType],
    ) -> Result<Option<Lowered>, Error> {
        let Some(list) = values.as_array() else {
            return Ok(None);
        };
        if list.is_empty() || !list.iter().all(|v| v.is_i64() || v.is_u64()) {
            return Ok(None);
        }
        let at = child_pointer(pointer, "enum");
        if types != [JsonType::Integer] {
            return Err(self.error(
                &child_pointer(pointer, "type"),
                "the enum lists integers, so its type must be \"integer\"",
            ));
        }
        let mut one_of = Vec::new();
        for (index, value) in list.iter().enumerate() {
            let number = value.as_i64().ok_or_else(|| {
                self.error(
                    &child_pointer(&at, &index.to_string()),
                    "enum values must fit in a signed 64-bit integer",
                )
            })?;
            if one_of.contains(&number) {
                return Err(self.error(
                    &child_pointer(&at, &index.to_string()),
                    format!("`{number}` is listed twice"),
                ));
            }
            one_of.push(number);
        }
        self.check_applicable(schema, pointer, Some(JsonType::Integer))?;
        if schema.contains_key("minimum") || schema.contains_key("maximum") {
            return Err(self.error(
                pointer,
                "a range on an enum is not supported: list only the values that fit",
            ));
        }
        Ok(Some(Lowered {
            shape: Shape::Integer(IntegerRules {
                one_of,
                ..IntegerRules::default()
            }),
            nullable: false,
        }))
    }
}
