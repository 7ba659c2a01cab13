//! `type` lists with several types besides `null`, such as Nova's query
//! values `["integer", "string"]`.
//!
//! Such a value stays a `serde_json::Value`: it is kept exactly as sent,
//! and the docs and the drift report say which types and rules the schema
//! gives it. A list of every type is simply any value.

use serde_json::{Map, Value};

use crate::error::{Error, child_pointer};
use crate::model::{IntegerRules, Shape, StringRules, UnionRules};

use super::{JsonType, Lowered, Lowerer};

/// Keywords that give a value structure; a value of several types has none
/// that one Rust type could hold.
const STRUCTURE: &[&str] = &[
    "properties",
    "additionalProperties",
    "required",
    "patternProperties",
    "items",
    "prefixItems",
];

impl Lowerer<'_> {
    pub(super) fn lower_union(
        &self,
        schema: &Map<String, Value>,
        pointer: &str,
        types: &[JsonType],
        nullable: bool,
    ) -> Result<Lowered, Error> {
        let names: Vec<&str> = types.iter().map(|t| t.name()).collect();
        if let Some(key) = STRUCTURE.iter().find(|k| schema.contains_key(**k)) {
            return Err(self.error(
                &child_pointer(pointer, key),
                format!(
                    "`{key}` on a value that may be any of {} cannot be modelled: give the structured type its own schema, or use one type (plus \"null\")",
                    names.join(", ")
                ),
            ));
        }
        let has = |t: JsonType| types.contains(&t);
        let groups: [(&[&str], bool, &str); 3] = [
            (
                &["pattern", "minLength", "maxLength", "format"],
                has(JsonType::String),
                "string",
            ),
            (&["minimum", "maximum"], has(JsonType::Integer), "integer"),
            (
                &[
                    "minItems",
                    "maxItems",
                    "uniqueItems",
                    "minProperties",
                    "maxProperties",
                ],
                false,
                "array or object",
            ),
        ];
        for (keys, applies, kind) in groups {
            if let Some(key) = keys.iter().find(|k| schema.contains_key(**k)) {
                if !applies {
                    return Err(self.error(
                        &child_pointer(pointer, key),
                        format!(
                            "`{key}` applies to {kind} values, which this schema's types ({}) do not include; fix the type or drop the keyword",
                            names.join(", ")
                        ),
                    ));
                }
            }
        }
        let every = has(JsonType::String)
            && (has(JsonType::Integer) || has(JsonType::Number))
            && has(JsonType::Boolean)
            && has(JsonType::Array)
            && has(JsonType::Object);
        if every {
            return Ok(Lowered {
                shape: Shape::Any,
                nullable: false,
            });
        }
        let rules = UnionRules {
            string: if has(JsonType::String) {
                self.string_rules(schema, pointer)?
            } else {
                StringRules::default()
            },
            integer: if has(JsonType::Integer) {
                self.integer_rules(schema, pointer)?
            } else {
                IntegerRules::default()
            },
        };
        // A `Value` already holds `null`, so it needs no `Option` for it;
        // the list of types says that null is allowed.
        let mut listed: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        if nullable {
            listed.push("null".to_owned());
        }
        Ok(Lowered {
            shape: Shape::Union(listed, rules),
            nullable: false,
        })
    }
}
