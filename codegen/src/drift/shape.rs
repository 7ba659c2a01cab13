//! Shapes in drift reports: how to name them, which Rust type they become,
//! and whether a change of constraints accepts more values or fewer.

use std::fmt::Display;

use crate::drift::Class;
use crate::model::{
    Additional, Api, ArrayRules, IntegerRules, MapRules, Property, Shape, StringRules,
};

/// Whether two shapes are the same Rust type, constraints aside.
pub fn same_type(old: &Shape, new: &Shape) -> bool {
    match (old, new) {
        (Shape::String(_), Shape::String(_))
        | (Shape::Integer(_), Shape::Integer(_))
        | (Shape::Number, Shape::Number)
        | (Shape::Boolean, Shape::Boolean)
        | (Shape::FreeFormObject, Shape::FreeFormObject)
        | (Shape::Any, Shape::Any) => true,
        (Shape::Enum(a), Shape::Enum(b))
        | (Shape::Object(a), Shape::Object(b))
        | (Shape::Resource(a), Shape::Resource(b)) => a == b,
        (Shape::Array(a, _), Shape::Array(b, _)) => same_type(a, b),
        (Shape::Map(a, x), Shape::Map(b, y)) => {
            same_type(a, b) && x.nullable_values == y.nullable_values
        }
        // Both are a `serde_json::Value`; the allowed types are constraints.
        (Shape::Union(..) | Shape::Any, Shape::Union(..) | Shape::Any) => true,
        _ => false,
    }
}

/// The shape in schema terms, for a person.
pub fn describe(shape: &Shape) -> String {
    match shape {
        Shape::String(_) => "string".to_owned(),
        Shape::Integer(_) => "integer".to_owned(),
        Shape::Number => "number".to_owned(),
        Shape::Boolean => "boolean".to_owned(),
        Shape::Enum(name) => format!("enum {name}"),
        Shape::Array(items, _) => format!("array of {}", describe(items)),
        Shape::Object(name) => format!("object {name}"),
        Shape::Resource(name) => format!("`{name}` document"),
        Shape::FreeFormObject => "free-form object".to_owned(),
        Shape::Map(values, rules) => format!(
            "map of {}{}",
            describe(values),
            if rules.nullable_values {
                " or null"
            } else {
                ""
            }
        ),
        Shape::Union(types, _) => format!("any of {}", types.join(", ")),
        Shape::Any => "any JSON value".to_owned(),
    }
}

/// The Rust type of a value of this shape, as the emitter writes it.
pub fn rust_type(api: &Api, shape: &Shape) -> String {
    match shape {
        Shape::String(_) => "String".to_owned(),
        Shape::Integer(_) => "i64".to_owned(),
        Shape::Number => "serde_json::Number".to_owned(),
        Shape::Boolean => "bool".to_owned(),
        Shape::Enum(name) | Shape::Object(name) => name.clone(),
        Shape::Array(items, _) => format!("Vec<{}>", rust_type(api, items)),
        Shape::Resource(name) => api
            .resources
            .get(name)
            .map_or_else(|| name.clone(), |r| r.object.rust_name.clone()),
        Shape::FreeFormObject => "Map<String, Value>".to_owned(),
        Shape::Map(values, rules) if rules.nullable_values => {
            format!("BTreeMap<String, Option<{}>>", rust_type(api, values))
        }
        Shape::Map(values, _) => format!("BTreeMap<String, {}>", rust_type(api, values)),
        Shape::Any | Shape::Union(..) => "Value".to_owned(),
    }
}

/// The field's Rust type: optional unless required, and a second `Option`
/// when the value may also be `null`.
pub fn field_type(api: &Api, property: &Property) -> String {
    let inner = rust_type(api, &property.shape);
    match (property.required, property.nullable) {
        (true, false) => inner,
        (true, true) | (false, false) => format!("Option<{inner}>"),
        (false, true) => format!("Option<Option<{inner}>>"),
    }
}

/// One constraint that changed, with its effect.
pub struct ConstraintChange {
    pub class: Class,
    pub message: String,
}

/// The constraint changes between two shapes of the same type. `subject`
/// names the value, such as `` `name` `` or `` `tags` items ``.
pub fn constraint_changes(old: &Shape, new: &Shape, subject: &str) -> Vec<ConstraintChange> {
    let mut changes = Vec::new();
    match (old, new) {
        (Shape::String(a), Shape::String(b)) => string_changes(a, b, subject, &mut changes),
        (Shape::Integer(a), Shape::Integer(b)) => integer_changes(a, b, subject, &mut changes),
        (Shape::Array(a_items, a), Shape::Array(b_items, b)) => {
            array_changes(a, b, subject, &mut changes);
            changes.extend(constraint_changes(
                a_items,
                b_items,
                &format!("{subject} items"),
            ));
        }
        (Shape::Map(a_values, a), Shape::Map(b_values, b)) => {
            map_changes(a, b, subject, &mut changes);
            changes.extend(constraint_changes(
                a_values,
                b_values,
                &format!("{subject} values"),
            ));
        }
        (Shape::Union(a_types, a), Shape::Union(b_types, b)) => {
            allowed_changes(a_types, b_types, subject, "types", &mut changes);
            string_changes(&a.string, &b.string, subject, &mut changes);
            integer_changes(&a.integer, &b.integer, subject, &mut changes);
        }
        _ => {}
    }
    changes
}

/// A list of allowed values (constants, integer enum values, union types):
/// an empty list allows anything. Dropping a value rejects what was valid.
fn allowed_changes<T: PartialEq + Display>(
    old: &[T],
    new: &[T],
    subject: &str,
    what: &str,
    out: &mut Vec<ConstraintChange>,
) {
    let list = |values: &[T]| {
        if values.is_empty() {
            "any".to_owned()
        } else {
            values
                .iter()
                .map(|v| format!("`{v}`"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    let tighter = (old.is_empty() && !new.is_empty())
        || (!new.is_empty() && old.iter().any(|v| !new.contains(v)));
    let looser = (new.is_empty() && !old.is_empty())
        || (!old.is_empty() && new.iter().any(|v| !old.contains(v)));
    if !tighter && !looser {
        return;
    }
    out.push(ConstraintChange {
        class: if tighter {
            Class::Breaking
        } else {
            Class::Additive
        },
        message: format!("{subject} allowed {what}: {} → {}", list(old), list(new)),
    });
}

fn map_changes(old: &MapRules, new: &MapRules, subject: &str, out: &mut Vec<ConstraintChange>) {
    let min = |rules: &MapRules| Some(rules.min_properties.unwrap_or(0));
    out.extend(bound(
        subject,
        "minProperties",
        Bound::Lower,
        min(old),
        min(new),
    ));
    out.extend(bound(
        subject,
        "maxProperties",
        Bound::Upper,
        old.max_properties,
        new.max_properties,
    ));
    if old.key_pattern != new.key_pattern {
        let shown = |p: &Option<String>| {
            p.as_deref()
                .map_or_else(|| "none".to_owned(), |p| format!("`{p}`"))
        };
        out.push(ConstraintChange {
            class: if new.key_pattern.is_none() {
                Class::Additive
            } else {
                Class::Breaking
            },
            message: format!(
                "{subject} key pattern: {} → {}",
                shown(&old.key_pattern),
                shown(&new.key_pattern)
            ),
        });
    }
}

fn string_changes(
    old: &StringRules,
    new: &StringRules,
    subject: &str,
    out: &mut Vec<ConstraintChange>,
) {
    // An absent minLength and `minLength: 0` accept the same strings.
    let min = |rules: &StringRules| Some(rules.min_length.unwrap_or(0));
    out.extend(bound(
        subject,
        "minLength",
        Bound::Lower,
        min(old),
        min(new),
    ));
    out.extend(bound(
        subject,
        "maxLength",
        Bound::Upper,
        old.max_length,
        new.max_length,
    ));
    match (&old.pattern, &new.pattern) {
        (None, Some(p)) => out.push(ConstraintChange {
            class: Class::Breaking,
            message: format!("{subject} pattern added: `{p}`"),
        }),
        (Some(p), None) => out.push(ConstraintChange {
            class: Class::Additive,
            message: format!("{subject} pattern removed (was `{p}`)"),
        }),
        // A different pattern may accept more or fewer strings; which, no
        // one can tell in general, so it counts as a behaviour change.
        (Some(a), Some(b)) if a != b => out.push(ConstraintChange {
            class: Class::Breaking,
            message: format!("{subject} pattern changed: `{a}` → `{b}`"),
        }),
        _ => {}
    }
    allowed_changes(&old.constants, &new.constants, subject, "values", out);
    if old.format != new.format {
        let shown = |f: &Option<String>| {
            f.as_deref()
                .map_or_else(|| "none".to_owned(), |f| format!("`{f}`"))
        };
        out.push(ConstraintChange {
            class: if new.format.is_none() {
                Class::Additive
            } else {
                Class::Breaking
            },
            message: format!(
                "{subject} format: {} → {}",
                shown(&old.format),
                shown(&new.format)
            ),
        });
    }
}

fn integer_changes(
    old: &IntegerRules,
    new: &IntegerRules,
    subject: &str,
    out: &mut Vec<ConstraintChange>,
) {
    out.extend(bound(
        subject,
        "minimum",
        Bound::Lower,
        old.minimum,
        new.minimum,
    ));
    out.extend(bound(
        subject,
        "maximum",
        Bound::Upper,
        old.maximum,
        new.maximum,
    ));
    allowed_changes(&old.one_of, &new.one_of, subject, "values", out);
}

fn array_changes(
    old: &ArrayRules,
    new: &ArrayRules,
    subject: &str,
    out: &mut Vec<ConstraintChange>,
) {
    let min = |rules: &ArrayRules| Some(rules.min_items.unwrap_or(0));
    out.extend(bound(subject, "minItems", Bound::Lower, min(old), min(new)));
    out.extend(bound(
        subject,
        "maxItems",
        Bound::Upper,
        old.max_items,
        new.max_items,
    ));
    if old.positions != new.positions {
        out.push(ConstraintChange {
            class: Class::Breaking,
            message: format!(
                "{subject} positions: {} → {}",
                old.positions.join("; "),
                new.positions.join("; ")
            ),
        });
    }
    if old.unique_items != new.unique_items {
        let (class, word) = if new.unique_items {
            (Class::Breaking, "tightened")
        } else {
            (Class::Additive, "loosened")
        };
        out.push(ConstraintChange {
            class,
            message: format!(
                "{subject} uniqueItems {word}: {} → {}",
                old.unique_items, new.unique_items
            ),
        });
    }
}

#[derive(Clone, Copy)]
enum Bound {
    Lower,
    Upper,
}

/// A bound that moved: inward rejects values that were valid (breaking),
/// outward accepts more (additive). `None` is no bound at all.
fn bound<T: Ord + Copy + Display>(
    subject: &str,
    keyword: &str,
    side: Bound,
    old: Option<T>,
    new: Option<T>,
) -> Option<ConstraintChange> {
    let tighter = match (side, old, new) {
        (_, a, b) if a == b => return None,
        (_, None, Some(_)) => true,
        (_, Some(_), None) => false,
        (Bound::Lower, Some(a), Some(b)) => b > a,
        (Bound::Upper, Some(a), Some(b)) => b < a,
        (_, None, None) => return None,
    };
    let shown = |v: Option<T>| v.map_or_else(|| "none".to_owned(), |v| v.to_string());
    let (class, word) = if tighter {
        (Class::Breaking, "tightened")
    } else {
        (Class::Additive, "loosened")
    };
    Some(ConstraintChange {
        class,
        message: format!(
            "{subject} {keyword} {word}: {} → {}",
            shown(old),
            shown(new)
        ),
    })
}

/// Undeclared keys: forbidden accepts fewest, typed more, any value most.
/// Returns the class and a description of the change.
pub fn additional_change(
    api_old: &Api,
    api_new: &Api,
    old: &Additional,
    new: &Additional,
) -> Option<(Class, String)> {
    let rank = |a: &Additional| match a {
        Additional::Forbidden => 0,
        Additional::Typed(_) => 1,
        Additional::Any => 2,
    };
    let words = |a: &Additional| match a {
        Additional::Forbidden => "forbidden".to_owned(),
        Additional::Typed(shape) => format!("{} values", describe(shape)),
        Additional::Any => "any value".to_owned(),
    };
    let same = match (old, new) {
        (Additional::Typed(a), Additional::Typed(b)) => {
            rust_type(api_old, a) == rust_type(api_new, b)
        }
        _ => rank(old) == rank(new),
    };
    if same {
        return None;
    }
    let (old_words, new_words) = (words(old), words(new));
    // String-typed extras get `property()`/`set_property()` accessors;
    // losing them breaks callers even when more values become valid.
    let string_accessors = |a: &Additional| matches!(a, Additional::Typed(shape) if matches!(**shape, Shape::String(_)));
    let loses_accessors = string_accessors(old) && !string_accessors(new);
    let looser = rank(new) > rank(old);
    let class = if looser && !loses_accessors {
        Class::Additive
    } else {
        Class::Breaking
    };
    let mut message = format!("undeclared keys: {old_words} → {new_words}");
    if loses_accessors {
        message.push_str(" (the string accessors `property`/`set_property` go away)");
    } else if string_accessors(new) && !string_accessors(old) {
        message.push_str(" (gains the string accessors `property`/`set_property`)");
    }
    Some((class, message))
}
