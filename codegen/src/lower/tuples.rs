//! `prefixItems`: lists whose positions the schema fixes one by one, such as
//! Nova's image `links` (`self`, then `bookmark`, then `alternate`).
//!
//! The positions become one struct, the union of their object schemas, and
//! the list a `Vec` of it. A Rust tuple would say more, but it would break
//! the day the service adds, drops or reorders a link; the `Vec` decodes
//! whatever arrives and loses nothing, while the docs and the drift report
//! keep what each position holds. A property that every position declares
//! is required; one whose positions each fix a different `const` (`rel`)
//! is a string with those values.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::error::{Error, child_pointer};
use crate::load::json_kind;
use crate::model::{Additional, NamedType, Object, Property, Shape};

use super::{Hint, Lowerer, description};

impl Lowerer<'_> {
    pub(super) fn lower_prefix_items(
        &mut self,
        schema: &Map<String, Value>,
        prefix: &Value,
        pointer: &str,
        item_hint: &Hint,
    ) -> Result<Shape, Error> {
        let at = child_pointer(pointer, "prefixItems");
        let items = match prefix {
            Value::Array(items) if !items.is_empty() => items,
            Value::Array(_) => {
                return Err(self.error(
                    &at,
                    "`prefixItems` is empty; use `items` for a list of one shape",
                ));
            }
            other => {
                return Err(self.error(
                    &at,
                    format!(
                        "`prefixItems` must be a list of schemas, found {}",
                        json_kind(other)
                    ),
                ));
            }
        };
        match schema.get("items") {
            None | Some(Value::Bool(false)) => {}
            Some(_) => {
                return Err(self.error(
                    &child_pointer(pointer, "items"),
                    "`items` beside `prefixItems` is not supported: the positions after the fixed \
                     ones would need a second item type",
                ));
            }
        }
        let rust_name = self.hint_type_name(item_hint, &at)?;
        let mut positions = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let item_at = child_pointer(&at, &index.to_string());
            let object = item.as_object().filter(|o| {
                o.get("type").is_none_or(|t| t == "object") && o.contains_key("properties")
            });
            let Some(object) = object else {
                return Err(self.error(
                    &item_at,
                    "only objects with `properties` are supported as `prefixItems`: the positions \
                     become one struct",
                ));
            };
            self.check_keywords(object, &item_at)?;
            self.check_annotations(object, &item_at)?;
            positions.push(self.lower_struct(object, &item_at, &rust_name, description(object))?);
        }
        let merged = self.merge_positions(&rust_name, &positions)?;
        self.register(rust_name.clone(), NamedType::Object(merged), &at)?;
        let rules = self.array_rules(
            schema,
            pointer,
            positions.iter().map(position_words).collect(),
        )?;
        Ok(Shape::Array(Box::new(Shape::Object(rust_name)), rules))
    }

    fn merge_positions(&self, rust_name: &str, positions: &[Object]) -> Result<Object, Error> {
        let mut properties: BTreeMap<String, Property> = BTreeMap::new();
        for (index, position) in positions.iter().enumerate() {
            for (key, property) in &position.properties {
                let Some(merged) = properties.get_mut(key) else {
                    properties.insert(key.clone(), property.clone());
                    continue;
                };
                match (&mut merged.shape, &property.shape) {
                    (Shape::String(into), Shape::String(from))
                        if into.min_length == from.min_length
                            && into.max_length == from.max_length
                            && into.pattern == from.pattern
                            && into.format == from.format =>
                    {
                        for constant in &from.constants {
                            if !into.constants.contains(constant) {
                                into.constants.push(constant.clone());
                            }
                        }
                    }
                    (into, from) if into == from => {}
                    _ => {
                        return Err(self.error(
                            &property.pointer,
                            format!(
                                "position {index} declares `{key}` differently from an earlier position, \
                                 so the positions cannot share one struct; make them agree"
                            ),
                        ));
                    }
                }
                merged.nullable |= property.nullable;
                if merged.doc.is_none() {
                    merged.doc.clone_from(&property.doc);
                }
            }
        }
        // Only what every position requires is required of each item.
        for (key, property) in &mut properties {
            property.required = positions
                .iter()
                .all(|p| p.properties.get(key).is_some_and(|q| q.required));
        }
        let additional = match positions.first().map(|p| &p.additional) {
            Some(first) if positions.iter().all(|p| &p.additional == first) => first.clone(),
            _ => Additional::Any,
        };
        let order: Vec<String> = positions.iter().map(position_words).collect();
        let doc = format!(
            "An item of a list whose positions the schema fixes, in this order: {}. One struct \
             holds every position, so that a list the service reorders or extends still decodes.",
            order.join("; then ")
        );
        Ok(Object {
            rust_name: rust_name.to_owned(),
            doc: Some(doc),
            properties,
            additional,
        })
    }
}

/// What a position fixes, for docs and drift: "`rel` is `self`".
fn position_words(position: &Object) -> String {
    let fixed: Vec<String> = position
        .properties
        .values()
        .filter_map(|p| match &p.shape {
            Shape::String(rules) if rules.constants.len() == 1 => {
                Some(format!("`{}` is `{}`", p.json_name, rules.constants[0]))
            }
            _ => None,
        })
        .collect();
    if fixed.is_empty() {
        "an object".to_owned()
    } else {
        fixed.join(" and ")
    }
}
