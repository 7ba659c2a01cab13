//! The body of a create request (`POST /v2/images`): one optional field per
//! property a client may send, and a `validate` that runs the same checks
//! as the patch builder, so that a value the service refuses is caught
//! before anything is sent.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::emit::checks::{Patterns, checks, free_form_keys};
use crate::emit::docs::{code, doc_attrs, paragraphs};
use crate::emit::idents::ident;
use crate::emit::types::{constraint_facts, shape_type};
use crate::lower::ADDITIONAL_FIELD;
use crate::model::{Additional, Api, PatchRules, Property, Resource, Shape};

/// The create body of a resource the overlay describes, with its checks.
/// The statics of the patterns the checks use are left in `patterns`.
pub fn create_items(
    api: &Api,
    resource: &Resource,
    rules: &PatchRules,
    patterns: &mut Patterns,
) -> TokenStream {
    let root = &resource.object;
    let name = format_ident!("{}Create", root.rust_name);
    let keys_const = format_ident!(
        "{}_CREATE_FREE_FORM_KEYS",
        heck::AsShoutySnakeCase(&root.rust_name).to_string()
    );
    let (creatable, refused): (Vec<&Property>, Vec<&Property>) =
        root.properties.values().partition(|p| rules.creatable(p));

    let fields = creatable.iter().map(|p| field(api, p));
    let field_checks: Vec<TokenStream> = creatable
        .iter()
        .filter_map(|p| property_checks(resource, p, patterns))
        .collect();
    let (free_form_field, free_form_checks, free_form_setters) =
        free_form(api, resource, &keys_const, patterns);
    let keys = (!matches!(root.additional, Additional::Forbidden)).then(|| {
        let declared: Vec<&str> = creatable.iter().map(|p| p.json_name.as_str()).collect();
        // Read-only and excluded properties have no field; as free-form keys
        // the service refuses them with 403 (a-17..a-34).
        let reserved: Vec<&str> = rules
            .reserved_keys
            .iter()
            .map(String::as_str)
            .chain(refused.iter().map(|p| p.json_name.as_str()))
            .collect();
        let doc = format!("What the service refuses as a free-form key of [`{name}`].");
        free_form_keys(&keys_const, &doc, &declared, &reserved, rules)
    });
    let doc = doc_attrs(&format!(
        "The body of a request that creates a new [`{0}`]: the properties a client may send. Every field is \
         optional and unset fields are not sent; the service fills in the rest.\n\n\
         Properties the schema allows to be `null` are plain `Option`s here: leaving the key \
         out gives the same result as sending `null` (the service stores `null`), so there is \
         no way to send an explicit `null`.\n\n\
         Read-only properties, and those the service refuses on create ({1}), have no field.\n\n\
         [`{name}::validate`] checks the body against the schema and against what the service \
         is known to refuse, naming each property and the rule it broke.",
        root.rust_name,
        refused_list(&refused, rules),
    ));
    quote! {
        #keys

        #doc
        #[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
        pub struct #name {
            #(#fields)*
            #free_form_field
        }

        impl #name {
            /// An empty body, which the service accepts (a-03).
            pub fn new() -> Self {
                Self::default()
            }

            #free_form_setters

            /// `Ok` when the service can accept the body, or every rule it breaks.
            pub fn validate(&self) -> Result<(), crate::PatchError> {
                let mut recorder = crate::patch::Recorder::default();
                self.check(&mut recorder);
                recorder.finish().map(|_| ())
            }

            fn check(&self, recorder: &mut crate::patch::Recorder) {
                #(#field_checks)*
                #free_form_checks
            }
        }
    }
}

fn refused_list(refused: &[&Property], rules: &PatchRules) -> String {
    let excluded: Vec<String> = refused
        .iter()
        .filter(|p| rules.create_excluded.contains(&p.json_name))
        .map(|p| code(&p.json_name))
        .collect();
    if excluded.is_empty() {
        "none for this schema".to_owned()
    } else {
        excluded.join(", ")
    }
}

fn field(api: &Api, property: &Property) -> TokenStream {
    let doc = doc_attrs(&paragraphs([
        property.doc.as_deref().unwrap_or(""),
        constraint_facts(property).join(" ").as_str(),
    ]));
    let name = ident(&property.rust_name);
    let ty = shape_type(api, &property.shape);
    let json = &property.json_name;
    let rename = (property.rust_name != *json).then(|| quote!(rename = #json,));
    quote! {
        #doc
        #[serde(#rename skip_serializing_if = "Option::is_none")]
        pub #name: Option<#ty>,
    }
}

/// The schema's checks of one field, and the service's refusal of 4-byte
/// characters in every string it holds; `None` when there is nothing to check.
fn property_checks(
    resource: &Resource,
    property: &Property,
    patterns: &mut Patterns,
) -> Option<TokenStream> {
    let json = &property.json_name;
    let body = value_checks(
        resource,
        &property.shape,
        &quote!(#json),
        quote!(value),
        patterns,
        &property.rust_name,
    );
    if body.is_empty() {
        return None;
    }
    let field = ident(&property.rust_name);
    Some(quote! {
        if let Some(value) = &self.#field {
            #body
        }
    })
}

/// The patch builder's checks of a value, plus the 4-byte check of its
/// strings, which the builder makes when it records an operation. A list's
/// items get both in one loop.
fn value_checks(
    resource: &Resource,
    shape: &Shape,
    property: &TokenStream,
    value: TokenStream,
    patterns: &mut Patterns,
    owner: &str,
) -> TokenStream {
    let Shape::Array(items, rules) = shape else {
        let mut out = checks(resource, shape, property, value.clone(), patterns, owner);
        out.extend(four_byte_checks(shape, property, value));
        return out;
    };
    // The list's own rules: an array of unconstrained items checks nothing else.
    let mut out = checks(
        resource,
        &Shape::Array(Box::new(Shape::Any), rules.clone()),
        property,
        value.clone(),
        patterns,
        owner,
    );
    let inner = value_checks(resource, items, property, quote!(item), patterns, owner);
    if !inner.is_empty() {
        out.extend(quote! {
            for item in #value.iter() {
                #inner
            }
        });
    }
    out
}

/// Glance refuses characters beyond U+FFFF in every string of an image;
/// strings are checked directly, other values that can hold strings are
/// serialized and searched.
fn four_byte_checks(shape: &Shape, property: &TokenStream, value: TokenStream) -> TokenStream {
    match shape {
        Shape::String(_) => quote! { recorder.check_four_byte(#property, #value); },
        Shape::Integer(_) | Shape::Number | Shape::Boolean | Shape::Enum(_) => TokenStream::new(),
        Shape::Array(..)
        | Shape::Object(_)
        | Shape::Resource(_)
        | Shape::FreeFormObject
        | Shape::Any
        | Shape::Map(..)
        | Shape::Union(..) => {
            quote! { recorder.check_four_byte_in(#property, #value); }
        }
    }
}

/// The free-form field, its checks and its setters, for the undeclared keys
/// the schema allows.
fn free_form(
    api: &Api,
    resource: &Resource,
    keys: &proc_macro2::Ident,
    patterns: &mut Patterns,
) -> (TokenStream, TokenStream, TokenStream) {
    let extra = ident(ADDITIONAL_FIELD);
    let (value_ty, doc, value_checks) = match &resource.object.additional {
        Additional::Forbidden => {
            return (TokenStream::new(), TokenStream::new(), TokenStream::new());
        }
        Additional::Any => (
            quote!(serde_json::Value),
            "Properties the schema does not declare, with any JSON value.",
            quote! { recorder.check_four_byte_in(key, value); },
        ),
        Additional::Typed(shape) => {
            let value_checks = value_checks(
                resource,
                shape,
                &quote!(key),
                quote!(value),
                patterns,
                "free_form",
            );
            let doc = if matches!(**shape, Shape::String(_)) {
                "Free-form string properties the schema does not declare, such as `hw_disk_bus`."
            } else {
                "Properties the schema does not declare, with values of the shape it gives."
            };
            (shape_type(api, shape), doc, value_checks)
        }
    };
    let doc = doc_attrs(doc);
    let field = quote! {
        #doc
        #[serde(flatten)]
        pub #extra: std::collections::BTreeMap<String, #value_ty>,
    };
    let checks = quote! {
        for (key, value) in &self.#extra {
            recorder.check_create_key(key, &#keys);
            #value_checks
        }
    };
    let is_string = matches!(&resource.object.additional, Additional::Typed(shape) if matches!(**shape, Shape::String(_)));
    let setters = if is_string {
        quote! {
            /// Sets a free-form property, builder style.
            pub fn with_property(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
                self.set_property(key, value);
                self
            }

            /// Sets a free-form property.
            pub fn set_property(&mut self, key: impl Into<String>, value: impl Into<String>) {
                self.#extra.insert(key.into(), value.into());
            }
        }
    } else {
        TokenStream::new()
    };
    (field, checks, setters)
}
