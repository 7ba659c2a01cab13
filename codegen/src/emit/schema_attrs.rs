//! `schemars` attributes, emitted behind the generated crate's `schemars`
//! feature, so that the JSON Schema derived from a type says what the
//! service's schema says: the same JSON types, nullability, required keys,
//! constraints and `readOnly`/`writeOnly`. Descriptions come from the doc
//! comments, which start with the schema's own description.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use crate::emit::types::shape_type;
use crate::model::{Additional, Api, ArrayRules, IntegerRules, Property, Shape, StringRules};

/// Wraps schemars arguments in `#[cfg_attr(feature = "schemars", schemars(...))]`,
/// or nothing when there are none.
fn attribute(args: Vec<TokenStream>) -> Option<TokenStream> {
    (!args.is_empty()).then(|| quote!(#[cfg_attr(feature = "schemars", schemars(#(#args),*))]))
}

/// The derive itself, for structs.
pub fn derive() -> TokenStream {
    quote!(#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))])
}

/// Attributes of a declared property's field.
pub fn field(api: &Api, property: &Property) -> Option<TokenStream> {
    let mut args = Vec::new();
    if let Some(with) = schema_type(api, property) {
        args.push(quote!(with = #with));
    }
    args.extend(rules(&property.shape));
    if property.read_only {
        args.push(quote!(extend("readOnly" = true)));
    }
    if property.write_only {
        args.push(quote!(extend("writeOnly" = true)));
    }
    attribute(args)
}

/// The type whose schema the field has, when it is not the field's own.
///
/// An `Option` that only stands for an absent key must not make the schema
/// nullable, and a nullable key the schema requires must stay required.
fn schema_type(api: &Api, property: &Property) -> Option<String> {
    let inner = type_text(shape_type(api, &property.shape));
    match (property.required, property.nullable) {
        (true, false) => None,
        (true, true) => Some(format!("crate::support::Nullable<{inner}>")),
        (false, false) => Some(inner),
        (false, true) => Some(format!("Option<{inner}>")),
    }
}

/// Attributes of the struct itself.
pub fn object(additional: &Additional) -> Option<TokenStream> {
    match additional {
        Additional::Forbidden => attribute(vec![quote!(extend("additionalProperties" = false))]),
        Additional::Any | Additional::Typed(_) => None,
    }
}

/// Attributes of the `additional_properties` field: the field keeps any JSON
/// value so that nothing the service sends is lost, but the schema says what
/// the service's schema allows.
pub fn additional_field(api: &Api, additional: &Additional) -> Option<TokenStream> {
    let Additional::Typed(shape) = additional else {
        return None;
    };
    let value = type_text(shape_type(api, shape));
    let with = format!("std::collections::BTreeMap<String, {value}>");
    attribute(vec![quote!(with = #with)])
}

/// Constraints of a value of this shape; array items get theirs through
/// `inner(...)`.
fn rules(shape: &Shape) -> Vec<TokenStream> {
    match shape {
        Shape::String(rules) => string_rules(rules),
        Shape::Integer(rules) => integer_rules(rules),
        Shape::Array(items, array) => {
            let mut args = array_rules(array);
            let inner = rules(items);
            if !inner.is_empty() {
                args.push(quote!(inner(#(#inner),*)));
            }
            args
        }
        _ => Vec::new(),
    }
}

fn string_rules(rules: &StringRules) -> Vec<TokenStream> {
    let mut args = Vec::new();
    if let Some(length) = length(rules.min_length, rules.max_length) {
        args.push(length);
    }
    if let Some(pattern) = &rules.pattern {
        args.push(quote!(regex(pattern = #pattern)));
    }
    args
}

fn integer_rules(rules: &IntegerRules) -> Vec<TokenStream> {
    let bounds: Vec<TokenStream> = [("min", rules.minimum), ("max", rules.maximum)]
        .into_iter()
        .filter_map(|(name, value)| {
            let name = proc_macro2::Ident::new(name, proc_macro2::Span::call_site());
            let value = integer(value?);
            Some(quote!(#name = #value))
        })
        .collect();
    if bounds.is_empty() {
        Vec::new()
    } else {
        vec![quote!(range(#(#bounds),*))]
    }
}

fn array_rules(rules: &ArrayRules) -> Vec<TokenStream> {
    let mut args: Vec<TokenStream> = length(rules.min_items, rules.max_items)
        .into_iter()
        .collect();
    if rules.unique_items {
        args.push(quote!(extend("uniqueItems" = true)));
    }
    args
}

/// `length(...)`: `minLength`/`maxLength` on a string schema, `minItems`/
/// `maxItems` on an array schema.
fn length(min: Option<u64>, max: Option<u64>) -> Option<TokenStream> {
    let bounds: Vec<TokenStream> = [("min", min), ("max", max)]
        .into_iter()
        .filter_map(|(name, value)| {
            let name = proc_macro2::Ident::new(name, proc_macro2::Span::call_site());
            let value = unsigned(value?);
            Some(quote!(#name = #value))
        })
        .collect();
    (!bounds.is_empty()).then(|| quote!(length(#(#bounds),*)))
}

/// schemars passes a bound to a generic `impl Into<Value>`, where an
/// unsuffixed literal is an `i32`: larger bounds need a suffix to compile.
fn integer(value: i64) -> Literal {
    if i32::try_from(value).is_ok() {
        Literal::i64_unsuffixed(value)
    } else {
        Literal::i64_suffixed(value)
    }
}

fn unsigned(value: u64) -> Literal {
    if i32::try_from(value).is_ok() {
        Literal::u64_unsuffixed(value)
    } else {
        Literal::u64_suffixed(value)
    }
}

/// A type as the text of a `with = "..."` attribute, spaced the way rustfmt
/// writes it.
fn type_text(tokens: TokenStream) -> String {
    tokens.to_string().replace(' ', "").replace(',', ", ")
}
