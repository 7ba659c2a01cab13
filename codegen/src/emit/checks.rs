//! The schema checks a value must pass before it is sent, as statements
//! against the support module's `Recorder` bound to `recorder`. Shared by
//! the patch builder and the create body, so that both refuse the same
//! values.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use crate::emit::docs::doc_attrs;
use crate::generated_crate::items::{FREE_FORM, FREE_FORM_VALUES, PATTERN};
use crate::model::{Additional, KeyRules, NamedType, Resource, Shape};

/// What emitting one resource's checks needs: the resource, and the
/// pattern statics its checks use.
pub struct Checks<'a> {
    pub resource: &'a Resource,
    pub patterns: Patterns,
}

/// Patterns are compiled once each, in statics named after what they
/// check: the words the names of every property using the pattern end in
/// (`id`, `kernel_id` and `ramdisk_id` share `ID_PATTERN`), or `PATTERN`
/// when they share none. Names are settled before anything is emitted, and
/// only the statics a check used are emitted.
#[derive(Default)]
pub struct Patterns {
    names: BTreeMap<String, Ident>,
    used: BTreeSet<String>,
}

/// The user name of the free-form values' pattern.
const FREE_FORM_VALUE: &str = "free_form_value";

impl Patterns {
    /// Names every pattern of a resource's properties, nested ones included.
    pub fn of(resource: &Resource) -> Self {
        let mut users: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let objects = std::iter::once(&resource.object).chain(resource.types.values().filter_map(
            |t| match t {
                NamedType::Object(object) => Some(object),
                NamedType::Enum(_) => None,
            },
        ));
        for object in objects {
            for property in object.properties.values() {
                collect(&property.shape, &property.rust_name, &mut users);
            }
            if let Additional::Typed(shape) = &object.additional {
                collect(shape, FREE_FORM_VALUE, &mut users);
            }
        }
        let mut names = BTreeMap::new();
        let mut taken = BTreeSet::new();
        for (pattern, users) in users {
            let base = format!("{}PATTERN", common_suffix(&users).to_ascii_uppercase());
            let mut name = base.clone();
            let mut number = 2;
            while taken.contains(&name) {
                name = format!("{base}_{number}");
                number += 1;
            }
            taken.insert(name.clone());
            names.insert(pattern, format_ident!("{}", name));
        }
        Patterns {
            names,
            used: BTreeSet::new(),
        }
    }

    /// The static holding `pattern`, which is then emitted.
    fn static_for(&mut self, pattern: &str) -> TokenStream {
        self.used.insert(pattern.to_owned());
        match self.names.get(pattern) {
            Some(name) => quote!(#name),
            // Every pattern of the resource was named in `of`; a pattern
            // from elsewhere is compiled where it is used.
            None => quote!(#PATTERN::new(#pattern)),
        }
    }

    pub fn statics(&self) -> TokenStream {
        let items = self
            .names
            .iter()
            .filter(|(pattern, _)| self.used.contains(*pattern))
            .map(|(pattern, name)| quote! { static #name: #PATTERN = #PATTERN::new(#pattern); });
        quote! { #(#items)* }
    }
}

fn collect(shape: &Shape, user: &str, users: &mut BTreeMap<String, BTreeSet<String>>) {
    match shape {
        Shape::String(rules) => {
            if let Some(pattern) = &rules.pattern {
                users
                    .entry(pattern.clone())
                    .or_default()
                    .insert(user.to_owned());
            }
        }
        Shape::Array(items, _) => collect(items, user, users),
        _ => {}
    }
}

/// The snake_case words every name ends in, with a trailing `_`, or
/// nothing: `id`, `kernel_id` give `id_`.
fn common_suffix(names: &BTreeSet<String>) -> String {
    let mut words: Option<Vec<&str>> = None;
    for name in names {
        let mine: Vec<&str> = name.split('_').filter(|w| !w.is_empty()).collect();
        words = Some(match words {
            None => mine,
            Some(common) => {
                let shared = common
                    .iter()
                    .rev()
                    .zip(mine.iter().rev())
                    .take_while(|(a, b)| a == b)
                    .count();
                common[common.len() - shared..].to_vec()
            }
        });
    }
    let words = words.unwrap_or_default();
    if words.is_empty() {
        String::new()
    } else {
        format!("{}_", words.join("_"))
    }
}

impl Checks<'_> {
    /// Statements that check a value of `shape` bound to `value` (a
    /// reference, or `&str`), recording each broken rule against
    /// `property`: a string literal, or the `property` parameter of a
    /// nested validator.
    pub fn value(
        &mut self,
        shape: &Shape,
        property: &TokenStream,
        value: TokenStream,
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
                    let name = self.patterns.static_for(pattern);
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
                    out.extend(
                        quote! { recorder.check_items(#property, #value.len(), #min, #max); },
                    );
                }
                let inner = self.value(items, property, quote!(item));
                if !inner.is_empty() {
                    out.extend(quote! { for item in #value.iter() { #inner } });
                }
                out
            }
            Shape::Object(name) if object_has_checks(self.resource, name, 0) => {
                quote! { #value.validate(#property, recorder); }
            }
            // A map's values are checked like the property's own value: a
            // violation names the property that holds the map. Null values
            // (`Option` in the map) have nothing to check.
            Shape::Map(values, rules) => {
                let entry = if rules.nullable_values {
                    quote!(Some(entry))
                } else {
                    quote!(entry)
                };
                let inner = self.value(values, property, quote!(entry));
                if inner.is_empty() {
                    TokenStream::new()
                } else {
                    quote! { for #entry in #value.values() { #inner } }
                }
            }
            _ => TokenStream::new(),
        }
    }

    /// The static `FreeForm` a spec describes; values follow the root
    /// object's `additionalProperties`.
    pub fn free_form(&mut self, spec: FreeFormSpec<'_>) -> TokenStream {
        let FreeFormSpec {
            name,
            doc,
            declared,
            reserved,
            keys,
        } = spec;
        let object = &self.resource.object;
        let doc = doc_attrs(doc);
        let prefixes = &keys.reserved_prefixes;
        let max = option_tokens(keys.max_key_length);
        let (strings_only, min_length, max_length, pattern) = match &object.additional {
            Additional::Typed(shape) => match &**shape {
                Shape::String(rules) => {
                    let pattern = match &rules.pattern {
                        Some(pattern) => {
                            let name = self.patterns.static_for(pattern);
                            quote!(Some(&#name))
                        }
                        None => quote!(None),
                    };
                    (
                        true,
                        option_tokens(rules.min_length),
                        option_tokens(rules.max_length),
                        pattern,
                    )
                }
                _ => (false, quote!(None), quote!(None), quote!(None)),
            },
            _ => (false, quote!(None), quote!(None), quote!(None)),
        };
        // A `match`, which the compiler turns into a few comparisons of
        // length and bytes, rather than a scan of every key.
        let declared = if declared.is_empty() {
            quote!(|_| false)
        } else {
            quote!(|key| matches!(key, #(#declared)|*))
        };
        quote! {
            #doc
            static #name: #FREE_FORM = #FREE_FORM {
                declared: #declared,
                reserved: &[#(#reserved),*],
                reserved_prefixes: &[#(#prefixes),*],
                max_length: #max,
                values: #FREE_FORM_VALUES {
                    strings_only: #strings_only,
                    min_length: #min_length,
                    max_length: #max_length,
                    pattern: #pattern,
                },
            };
        }
    }
}

/// What a `FreeForm` static says, besides the schema's value rules.
pub struct FreeFormSpec<'a> {
    /// The static's name.
    pub name: &'a Ident,
    pub doc: &'a str,
    /// Keys with their own typed field or method.
    pub declared: Vec<&'a str>,
    /// Keys the service refuses outright.
    pub reserved: Vec<&'a str>,
    pub keys: &'a KeyRules,
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
        Shape::Map(values, _) => shape_has_checks(resource, values, depth),
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::common_suffix;

    fn suffix(names: &[&str]) -> String {
        common_suffix(
            &names
                .iter()
                .map(|n| (*n).to_owned())
                .collect::<BTreeSet<_>>(),
        )
    }

    #[test]
    fn patterns_are_named_after_the_words_their_users_share() {
        assert_eq!(suffix(&["id", "kernel_id", "ramdisk_id"]), "id_");
        assert_eq!(suffix(&["kernel_id"]), "kernel_id_");
        assert_eq!(suffix(&["checksum", "url"]), "");
        assert_eq!(suffix(&["os_hash_value", "hash_value"]), "hash_value_");
    }
}
