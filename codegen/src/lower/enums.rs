//! String enums, which keep values a newer server sends in `Unknown`.

use serde_json::{Map, Value};

use crate::error::{Error, child_pointer};
use crate::load::json_kind;
use crate::model::{Enumeration, NamedType, Shape, Variant};
use crate::names;

use super::{Hint, JsonType, Lowered, Lowerer, OTHER_VARIANT, UNKNOWN_VARIANT, description};

impl Lowerer<'_> {
    pub(super) fn lower_enum(
        &mut self,
        schema: &Map<String, Value>,
        values: &Value,
        pointer: &str,
        hint: &Hint,
        types: &[JsonType],
        nullable_by_type: bool,
    ) -> Result<Lowered, Error> {
        let at = child_pointer(pointer, "enum");
        let values = values.as_array().ok_or_else(|| {
            self.error(
                &at,
                format!("`enum` must be a list, found {}", json_kind(values)),
            )
        })?;
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
                        return Err(self.error(
                            &child_pointer(&at, &index.to_string()),
                            format!("`{s}` is listed twice"),
                        ));
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
            return Err(self.error(
                &at,
                "the enum lists only null, which carries no information",
            ));
        }
        if !types.is_empty() {
            let non_null: Vec<JsonType> = types
                .iter()
                .copied()
                .filter(|t| *t != JsonType::Null)
                .collect();
            if non_null != [JsonType::String] {
                return Err(self.error(
                    &child_pointer(pointer, "type"),
                    "the enum lists strings, so its type must be \"string\" (plus \"null\" when null is listed)",
                ));
            }
            // `"type": "string"` with null in `enum` (Glance's metadef
            // property `type`): a value must satisfy both keywords, and
            // null fails `type`, so the listed null can never be valid and
            // the service's validator refuses it. The enum is the strings.
            if nullable_by_type && !has_null {
                return Err(self.error(&at, "`type` allows null but the enum does not list it, so null would be rejected; list null in `enum` or drop it from `type`"));
            }
        }
        self.check_applicable(schema, pointer, Some(JsonType::String))?;
        if schema.contains_key("pattern")
            || schema.contains_key("minLength")
            || schema.contains_key("maxLength")
        {
            return Err(self.error(
                pointer,
                "string constraints on an enum are not supported: list only the values that fit",
            ));
        }

        let rust_name = self.hint_type_name(hint, pointer)?;
        let mut variants: Vec<Variant> = Vec::new();
        let listed: Vec<Option<String>> = strings.iter().map(|v| names::type_name(v)).collect();
        let catch_all = if listed.iter().any(|n| n.as_deref() == Some(UNKNOWN_VARIANT)) {
            OTHER_VARIANT
        } else {
            UNKNOWN_VARIANT
        };
        for (index, value) in strings.iter().enumerate() {
            let value_at = child_pointer(&at, &index.to_string());
            let variant = names::type_name(value).ok_or_else(|| {
                self.error(
                    &value_at,
                    format!(
                        "enum value `{value}` has no ASCII letter or digit to name a variant after"
                    ),
                )
            })?;
            if variant == catch_all {
                return Err(self.error(
                    &value_at,
                    format!(
                        "enum value `{value}` would be the variant `{catch_all}`, which keeps values the schema \
                         does not list (it is `{catch_all}` because the enum also lists a value named `{UNKNOWN_VARIANT}`)"
                    ),
                ));
            }
            if let Some(other) = variants.iter().find(|v| v.rust_name == variant) {
                return Err(self.error(
                    &value_at,
                    format!(
                        "enum values `{}` and `{value}` would both be the variant `{variant}`",
                        other.json_value
                    ),
                ));
            }
            variants.push(Variant {
                json_value: value.clone(),
                rust_name: variant,
            });
        }
        let enumeration = Enumeration {
            rust_name: rust_name.clone(),
            doc: description(schema),
            variants,
            catch_all: catch_all.to_owned(),
        };
        self.register(rust_name.clone(), NamedType::Enum(enumeration), pointer)?;
        Ok(Lowered {
            shape: Shape::Enum(rust_name),
            // Without `type`, the listed null is a value; with it, only
            // when `type` allows null too (see above).
            nullable: has_null && (types.is_empty() || nullable_by_type),
        })
    }
}
