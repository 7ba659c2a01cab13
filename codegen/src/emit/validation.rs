//! `validate` methods for nested structs whose fields carry constraints, so
//! that a whole value (a location, say) is checked before it is sent, by the
//! patch builder and the create body alike. Violations name the property of
//! the document being sent (`locations`).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::emit::checks::{Checks, object_has_checks, shape_has_checks};
use crate::emit::idents::ident;
use crate::emit::sharing::Sharing;
use crate::generated_crate::items::RECORDER;
use crate::model::NamedType;

/// One `validate` method per nested struct with checks, except for the
/// types that are aliases of another module's (which has the method).
pub fn validators(checks: &mut Checks<'_>, sharing: &Sharing) -> TokenStream {
    let resource = checks.resource;
    let items = resource.types.iter().filter_map(|(name, ty)| {
        let NamedType::Object(object) = ty else {
            return None;
        };
        if sharing.alias_of(resource, name).is_some() {
            return None;
        }
        if !object_has_checks(resource, name, 0) {
            return None;
        }
        let type_name = format_ident!("{}", name);
        let field_checks: Vec<TokenStream> = object
            .properties
            .values()
            .filter(|p| shape_has_checks(resource, &p.shape, 0))
            .map(|p| {
                let field = ident(&p.rust_name);
                let inner = checks.value(&p.shape, &quote!(property), quote!(value));
                match (p.required, p.nullable) {
                    (true, false) => quote! { { let value = &self.#field; #inner } },
                    (true, true) | (false, false) => {
                        quote! { if let Some(value) = &self.#field { #inner } }
                    }
                    (false, true) => quote! { if let Some(Some(value)) = &self.#field { #inner } },
                }
            })
            .collect();
        Some(quote! {
            impl #type_name {
                /// Records every constraint of the schema that this value breaks,
                /// against `property`.
                pub(crate) fn validate(&self, property: &str, recorder: &mut #RECORDER) {
                    #(#field_checks)*
                }
            }
        })
    });
    let items: Vec<TokenStream> = items.collect();
    quote! { #(#items)* }
}
