//! The body of a create request (`POST /v2/images`): one optional field per
//! property a client may send, and a `validate` that runs the same checks
//! as the patch builder, so that a value the service refuses is caught
//! before anything is sent.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use crate::emit::checks::{Checks, FreeFormSpec};
use crate::emit::docs::{code, doc_attrs, paragraphs};
use crate::emit::idents::ident;
use crate::emit::types::{constraint_facts, description, shape_type};
use crate::generated_crate::items::{RECORDER, RULE, VALIDATION_ERROR};
use crate::lower::ADDITIONAL_FIELD;
use crate::model::{Additional, Api, CreateRules, Object, Property, Shape};

/// The create body of a resource, with its checks. The statics of the
/// patterns the checks use are left in `checks`.
pub fn create_items(api: &Api, rules: &CreateRules, checks: &mut Checks<'_>) -> TokenStream {
    let root = &checks.resource.object;
    let name = format_ident!("{}Create", root.rust_name);
    let free_form_static = format_ident!(
        "{}_CREATE_FREE_FORM",
        heck::AsShoutySnakeCase(&root.rust_name).to_string()
    );
    let (creatable, refused): (Vec<&Property>, Vec<&Property>) =
        root.properties.values().partition(|p| rules.creatable(p));

    let fields = creatable.iter().map(|p| field(api, p));
    let field_checks: Vec<TokenStream> = creatable
        .iter()
        .filter_map(|p| property_checks(checks, p))
        .collect();
    let required_checks = creatable.iter().filter(|p| p.required).map(|p| {
        let field = ident(&p.rust_name);
        let json = &p.json_name;
        quote! {
            if self.#field.is_none() {
                recorder.violate(#json, #RULE::Missing);
            }
        }
    });
    let put_update = rules
        .put_update
        .then(|| put_update_items(root, &name, &creatable));
    let (free_form_field, free_form_checks, free_form_setters) =
        free_form(api, checks, &free_form_static);
    let keys = (!matches!(root.additional, Additional::Forbidden)).then(|| {
        let declared: Vec<&str> = creatable.iter().map(|p| p.json_name.as_str()).collect();
        // Read-only and excluded properties have no field; as free-form keys
        // the service refuses them with 403, as it refuses reserved keys.
        let reserved: Vec<&str> = rules
            .keys
            .reserved_keys
            .iter()
            .map(String::as_str)
            .chain(refused.iter().map(|p| p.json_name.as_str()))
            .collect();
        let doc = format!("What the service refuses as a free-form property of [`{name}`].");
        checks.free_form(FreeFormSpec {
            name: &free_form_static,
            doc: &doc,
            declared,
            reserved,
            keys: &rules.keys,
        })
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
            /// An empty body, which the service accepts: it fills in every property.
            pub fn new() -> Self {
                Self::default()
            }

            #free_form_setters

            /// `Ok` when the service can accept the body, or every rule it breaks.
            pub fn validate(&self) -> Result<(), #VALIDATION_ERROR> {
                let mut recorder = #RECORDER::default();
                self.check(&mut recorder);
                recorder.finish("create body").map(|_| ())
            }

            fn check(&self, recorder: &mut #RECORDER) {
                #(#required_checks)*
                #(#field_checks)*
                #free_form_checks
                recorder.check_body(self);
            }
        }

        #put_update
    }
}

/// For a resource the service updates with `PUT` of the whole document:
/// the update body (the create body under a second name, since `PUT`
/// takes the same document) and the conversion from a fetched document,
/// so that an update starts from what the service has.
fn put_update_items(root: &Object, create: &Ident, creatable: &[&Property]) -> TokenStream {
    let update = format_ident!("{}Update", root.rust_name);
    let root_name = format_ident!("{}", root.rust_name);
    let doc = doc_attrs(&format!(
        "The body of a `PUT` that updates a [`{0}`]. The service replaces the whole document \
         with the body: a field left unset is cleared (or reset to its default), not kept. \
         Start from the document as fetched (`{create}::from(&document)`), change what should \
         change, and send the rest as it was.",
        root.rust_name
    ));
    let conversions = creatable.iter().map(|p| {
        let field = ident(&p.rust_name);
        let copy = matches!(p.shape, Shape::Integer(_) | Shape::Boolean);
        let read = if copy {
            quote!(document.#field)
        } else {
            quote!(document.#field.clone())
        };
        let value = match (p.required, p.nullable) {
            (true, false) => quote!(Some(#read)),
            (false, true) => quote!(#read.flatten()),
            _ => read,
        };
        quote!(#field: #value,)
    });
    // Keys the schema forbids have no field to go to; such a document only
    // holds them if the service sent them, and the service refuses them back.
    let rest =
        (!matches!(root.additional, Additional::Forbidden)).then(|| quote!(..Default::default()));
    quote! {
        #doc
        pub type #update = #create;

        impl From<&#root_name> for #create {
            /// The writable part of a fetched document: every property a
            /// client may send, as the service has it.
            fn from(document: &#root_name) -> Self {
                #create {
                    #(#conversions)*
                    #rest
                }
            }
        }
    }
}

fn refused_list(refused: &[&Property], rules: &CreateRules) -> String {
    let excluded: Vec<String> = refused
        .iter()
        .filter(|p| rules.excluded.contains(&p.json_name))
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
        description(property).as_str(),
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

/// The schema's checks of one field; `None` when there is nothing to check.
/// Characters the service refuses in any string are checked once for the
/// whole body, by `check_body`.
fn property_checks(checks: &mut Checks<'_>, property: &Property) -> Option<TokenStream> {
    let json = &property.json_name;
    let body = checks.value(&property.shape, &quote!(#json), quote!(value));
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

/// The free-form field, its checks and its setters, for the undeclared keys
/// the schema allows. Keys and string values are checked as the patch
/// builder checks them, through the same static.
fn free_form(
    api: &Api,
    checks: &mut Checks<'_>,
    free_form: &Ident,
) -> (TokenStream, TokenStream, TokenStream) {
    let extra = ident(ADDITIONAL_FIELD);
    let is_string = matches!(&checks.resource.object.additional, Additional::Typed(shape) if matches!(**shape, Shape::String(_)));
    let (value_ty, doc, value_checks) = match &checks.resource.object.additional {
        Additional::Forbidden => {
            return (TokenStream::new(), TokenStream::new(), TokenStream::new());
        }
        Additional::Any => (
            quote!(serde_json::Value),
            "Properties the schema does not declare, with any JSON value.",
            TokenStream::new(),
        ),
        Additional::Typed(shape) if matches!(**shape, Shape::String(_)) => (
            quote!(String),
            "Free-form string properties the schema does not declare, such as `hw_disk_bus`.",
            quote! { recorder.check_free_form_value(key, Some(value), &#free_form); },
        ),
        Additional::Typed(shape) => {
            let value_checks = checks.value(shape, &quote!(key), quote!(value));
            (
                shape_type(api, shape),
                "Properties the schema does not declare, with values of the shape it gives.",
                value_checks,
            )
        }
    };
    let doc = doc_attrs(doc);
    let field = quote! {
        #doc
        #[serde(flatten)]
        pub #extra: std::collections::BTreeMap<String, #value_ty>,
    };
    let checks = if value_checks.is_empty() {
        quote! {
            for key in self.#extra.keys() {
                recorder.check_create_key(key, &#free_form);
            }
        }
    } else {
        quote! {
            for (key, value) in &self.#extra {
                recorder.check_create_key(key, &#free_form);
                #value_checks
            }
        }
    };
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
