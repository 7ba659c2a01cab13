//! The schema checks a value must pass before it is sent, as statements
//! against a `crate::patch::Recorder` bound to `recorder`. Shared by the
//! patch builder and the create body, so that both refuse the same values.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::emit::docs::doc_attrs;
use crate::model::{NamedType, PatchRules, Resource, Shape};

/// Patterns are compiled once each, in statics named after the first
/// property (in name order) that uses them. Properties of nested objects
/// can share a name with different patterns (`id` of the root and of a
/// location), so a taken name gets a number.
#[derive(Default)]
pub struct Patterns {
    by_pattern: BTreeMap<String, proc_macro2::Ident>,
}

impl Patterns {
    pub fn static_for(&mut self, pattern: &str, property: &str) -> proc_macro2::Ident {
        if let Some(name) = self.by_pattern.get(pattern) {
            return name.clone();
        }
        let base = format!("{}_PATTERN", property.to_ascii_uppercase());
        let mut name = base.clone();
        let mut number = 2;
        while self.by_pattern.values().any(|taken| *taken == name) {
            name = format!("{base}_{number}");
            number += 1;
        }
        let name = format_ident!("{}", name);
        self.by_pattern.insert(pattern.to_owned(), name.clone());
        name
    }

    pub fn statics(&self) -> TokenStream {
        let items = self.by_pattern.iter().map(|(pattern, name)| {
            quote! {
                static #name: crate::patch::Pattern = crate::patch::Pattern::new(#pattern);
            }
        });
        quote! { #(#items)* }
    }
}

/// Statements that check a value of `shape` bound to `value` (a reference,
/// or `&str`), recording each broken rule against `property`.
/// `property` is the expression naming the property in violations: a string
/// literal, or the `property` parameter of a nested validator.
pub fn checks(
    resource: &Resource,
    shape: &Shape,
    property: &TokenStream,
    value: TokenStream,
    patterns: &mut Patterns,
    pattern_owner: &str,
) -> TokenStream {
    match shape {
        Shape::String(rules) => {
            let mut out = TokenStream::new();
            if rules.min_length.is_some() || rules.max_length.is_some() {
                let min = option_tokens(rules.min_length);
                let max = option_tokens(rules.max_length);
                out.extend(quote! { recorder.check_length(#property, #value, #min, #max); });
            }
            if let Some(pattern) = &rules.pattern {
                let name = patterns.static_for(pattern, pattern_owner);
                out.extend(quote! { recorder.check_pattern(#property, #value, &#name); });
            }
            out
        }
        Shape::Integer(rules) if rules.minimum.is_some() || rules.maximum.is_some() => {
            let min = option_tokens(rules.minimum);
            let max = option_tokens(rules.maximum);
            quote! { recorder.check_range(#property, *#value, #min, #max); }
        }
        Shape::Enum(name) => {
            let name = format_ident!("{}", name);
            quote! { recorder.check_known(#property, #value.is_known(), #value.as_str(), #name::KNOWN_VALUES); }
        }
        Shape::Array(items, rules) => {
            let mut out = TokenStream::new();
            if rules.min_items.is_some() || rules.max_items.is_some() {
                let min = option_tokens(rules.min_items);
                let max = option_tokens(rules.max_items);
                out.extend(quote! { recorder.check_items(#property, #value.len(), #min, #max); });
            }
            let inner = checks(
                resource,
                items,
                property,
                quote!(item),
                patterns,
                pattern_owner,
            );
            if !inner.is_empty() {
                out.extend(quote! { for item in #value.iter() { #inner } });
            }
            out
        }
        Shape::Object(name) if object_has_checks(resource, name, 0) => {
            quote! { #value.validate(#property, recorder); }
        }
        _ => TokenStream::new(),
    }
}

/// `Some(n)` or `None`, with an unsuffixed literal so that the output
/// reads `Some(255)` rather than `Some(255u64)`.
pub fn option_tokens<T: Into<i128>>(value: Option<T>) -> TokenStream {
    match value {
        Some(value) => {
            let literal = proc_macro2::Literal::i128_unsuffixed(value.into());
            quote!(Some(#literal))
        }
        None => quote!(None),
    }
}

pub fn shape_has_checks(resource: &Resource, shape: &Shape, depth: usize) -> bool {
    match shape {
        Shape::String(rules) => {
            rules.min_length.is_some() || rules.max_length.is_some() || rules.pattern.is_some()
        }
        Shape::Integer(rules) => rules.minimum.is_some() || rules.maximum.is_some(),
        Shape::Enum(_) => true,
        Shape::Array(items, rules) => {
            rules.min_items.is_some()
                || rules.max_items.is_some()
                || shape_has_checks(resource, items, depth)
        }
        Shape::Object(name) => object_has_checks(resource, name, depth + 1),
        _ => false,
    }
}

pub fn object_has_checks(resource: &Resource, name: &str, depth: usize) -> bool {
    if depth > 16 {
        return false;
    }
    match resource.types.get(name) {
        Some(NamedType::Object(object)) => object
            .properties
            .values()
            .any(|p| shape_has_checks(resource, &p.shape, depth)),
        _ => false,
    }
}

/// A `crate::patch::FreeFormKeys` constant: `declared` keys have their own
/// typed field or method, `reserved` ones the service refuses outright.
pub fn free_form_keys(
    name: &proc_macro2::Ident,
    doc: &str,
    declared: &[&str],
    reserved: &[&str],
    rules: &PatchRules,
) -> TokenStream {
    let doc = doc_attrs(doc);
    let prefixes = &rules.reserved_prefixes;
    let max = option_tokens(rules.max_key_length);
    quote! {
        #doc
        const #name: crate::patch::FreeFormKeys = crate::patch::FreeFormKeys {
            declared: &[#(#declared),*],
            reserved: &[#(#reserved),*],
            reserved_prefixes: &[#(#prefixes),*],
            max_length: #max,
        };
    }
}
