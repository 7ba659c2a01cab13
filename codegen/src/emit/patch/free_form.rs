//! The builder's methods for properties the schema does not declare, and
//! the static describing what the service refuses of them.

use proc_macro2::TokenStream;
use quote::quote;

use super::PatchContext;
use crate::emit::checks::FreeFormSpec;
use crate::generated_crate::items::{OPERATION_VALUE, PATCH_OP};
use crate::model::{Additional, Shape};

/// The static the free-form methods and `diff` check against; nothing for
/// an object without free-form properties.
pub fn free_form_static(cx: &mut PatchContext<'_, '_>) -> TokenStream {
    let object = &cx.resource.object;
    if matches!(object.additional, Additional::Forbidden) {
        return TokenStream::new();
    }
    let declared: Vec<&str> = object.properties.keys().map(String::as_str).collect();
    let reserved: Vec<&str> = cx
        .rules
        .keys
        .reserved_keys
        .iter()
        .map(String::as_str)
        .collect();
    cx.checks.free_form(FreeFormSpec {
        name: &cx.free_form,
        doc: "What the service refuses as a free-form property.",
        declared,
        reserved,
        keys: &cx.rules.keys,
    })
}

/// `add_property`, `replace_property` and `remove_property`. All three,
/// and `diff`, check through the private `record_property` and
/// `record_removal` and the static, so free-form rules have one
/// implementation.
pub fn methods(cx: &PatchContext<'_, '_>) -> TokenStream {
    let (ty, value) = match &cx.resource.object.additional {
        Additional::Forbidden => return TokenStream::new(),
        Additional::Typed(shape) if matches!(**shape, Shape::String(_)) => {
            (quote!(impl Into<String>), quote!(value.into()))
        }
        // Other value shapes are sent as given; the service checks them.
        _ => (quote!(serde_json::Value), quote!(value)),
    };
    let free_form = &cx.free_form;
    quote! {
        /// Adds a free-form property. The key is checked against the keys the service
        /// reserves and the schema's own properties. Under the v2.1 media type this
        /// replaces an existing value.
        pub fn add_property(mut self, key: impl Into<String>, value: #ty) -> Self {
            self.record_property(#PATCH_OP::Add, key.into(), #OPERATION_VALUE::from(#value));
            self
        }

        /// Replaces a free-form property. The service answers 409 if the image lacks it.
        pub fn replace_property(mut self, key: impl Into<String>, value: #ty) -> Self {
            self.record_property(#PATCH_OP::Replace, key.into(), #OPERATION_VALUE::from(#value));
            self
        }

        /// Removes a free-form property. The service answers 409 if the image lacks it.
        pub fn remove_property(mut self, key: impl Into<String>) -> Self {
            self.record_removal(key.into());
            self
        }

        // The checks and recording behind the free-form methods, by `&mut self`
        // so that `diff` records each change as it finds it.
        fn record_property(&mut self, op: #PATCH_OP, key: String, value: #OPERATION_VALUE) {
            self.recorder.check_free_form_key(&key, &#free_form);
            self.recorder.check_free_form_value(&key, value.as_str(), &#free_form);
            self.recorder.set(op, key, None, value);
        }

        fn record_removal(&mut self, key: String) {
            self.recorder.check_removable_key(&key, &#free_form);
            self.recorder.remove(key, None);
        }
    }
}
