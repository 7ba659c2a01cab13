//! `diff`: the smallest patch between two documents, built through the
//! builder's own methods so that it refuses exactly what they refuse.

use proc_macro2::TokenStream;
use quote::quote;

use super::PatchContext;
use super::builder::item_name;
use crate::emit::idents::{ident, prefixed};
use crate::generated_crate::items::{
    CHANGE, CHANGE_KIND, FREE_FORM_CHANGE, FREE_FORM_CHANGES, LIST_CHANGE, LIST_CHANGE_KIND,
    LIST_POSITION, OPERATION_VALUE, RULE, SAME_SET, VALIDATION_ERROR,
};
use crate::lower::ADDITIONAL_FIELD;
use crate::model::{Additional, Object, PatchAccess, Property, Shape};

/// The `diff` method of the patch type.
pub fn diff_method(cx: &PatchContext<'_, '_>) -> TokenStream {
    let object = &cx.resource.object;
    let mut diffs: Vec<TokenStream> = object
        .properties
        .values()
        .map(|property| property_diff(object, property, cx.rules.access(property)))
        .collect();
    if !matches!(object.additional, Additional::Forbidden) {
        let extra = ident(ADDITIONAL_FIELD);
        let free_form = &cx.free_form;
        diffs.push(quote! {
            #FREE_FORM_CHANGES(&old.#extra, &new.#extra, &#free_form, |change| match change {
                #FREE_FORM_CHANGE::Set(op, key, value) => {
                    builder.record_property(op, key.to_owned(), #OPERATION_VALUE::from(value))
                }
                #FREE_FORM_CHANGE::Remove(key) => builder.record_removal(key.to_owned()),
            });
        });
    }
    let root = &cx.root;
    quote! {
        /// The smallest patch that turns `old` into `new`, or every reason it cannot be sent.
        ///
        /// Read-only properties are ignored, tags are compared as sets and replaced whole,
        /// custom properties that `old` lacks are added and those `new` lacks are removed.
        /// The result uses `add` only for keys `old` lacks, so it means the same under both
        /// media types. Every value is checked as the builder's methods check it.
        pub fn diff(old: &#root, new: &#root) -> Result<Self, #VALIDATION_ERROR> {
            let mut builder = Self::builder();
            #(#diffs)*
            builder.build()
        }
    }
}

/// The expression that passes a field's value (bound as `value: &T`, where
/// T is the field type without its outer presence `Option`) to a builder method.
fn diff_argument(property: &Property) -> TokenStream {
    match (&property.shape, property.nullable) {
        (Shape::String(_), true) => quote!(value.as_deref()),
        (Shape::String(_), false) => quote!(value.as_str()),
        (Shape::Integer(_) | Shape::Boolean, _) => quote!(*value),
        _ => quote!(value.clone()),
    }
}

fn property_diff(object: &Object, property: &Property, access: PatchAccess) -> TokenStream {
    if access == PatchAccess::None {
        return TokenStream::new();
    }
    let field = ident(&property.rust_name);
    let json = &property.json_name;
    let argument = diff_argument(property);
    let replace = prefixed("replace_", &property.rust_name);
    if property.required {
        // A required property is never absent, so only a change of value is possible.
        return quote! {
            if old.#field != new.#field {
                let value = &new.#field;
                builder = builder.#replace(#argument);
            }
        };
    }
    let not_removable = quote! {
        builder.recorder.violate(#json, #RULE::NotRemovable)
    };
    let replace_only = || {
        quote! {
            match #CHANGE(&old.#field, &new.#field) {
                #CHANGE_KIND::Unchanged => {}
                #CHANGE_KIND::Added(value) | #CHANGE_KIND::Replaced(value) => {
                    builder = builder.#replace(#argument);
                }
                #CHANGE_KIND::Removed => #not_removable,
            }
        }
    };
    match access {
        PatchAccess::None => TokenStream::new(),
        PatchAccess::Replace => replace_only(),
        PatchAccess::AddReplaceRemove => {
            let add = prefixed("add_", &property.rust_name);
            let remove = prefixed("remove_", &property.rust_name);
            quote! {
                match #CHANGE(&old.#field, &new.#field) {
                    #CHANGE_KIND::Unchanged => {}
                    #CHANGE_KIND::Added(value) => builder = builder.#add(#argument),
                    #CHANGE_KIND::Replaced(value) => builder = builder.#replace(#argument),
                    #CHANGE_KIND::Removed => builder = builder.#remove(),
                }
            }
        }
        PatchAccess::WholeList => {
            let string_items = matches!(&property.shape, Shape::Array(items, _) if matches!(**items, Shape::String(_)))
                && !property.nullable;
            if string_items {
                quote! {
                    if !#SAME_SET(&old.#field, &new.#field) {
                        match &new.#field {
                            Some(value) => builder = builder.#replace(#argument),
                            None => #not_removable,
                        }
                    }
                }
            } else {
                replace_only()
            }
        }
        PatchAccess::IndexedList if !property.nullable => {
            let item = item_name(object, property);
            let add = prefixed("add_", &item);
            let remove = prefixed("remove_", &item);
            quote! {
                match #LIST_CHANGE(&old.#field, &new.#field) {
                    #LIST_CHANGE_KIND::Unchanged => {}
                    #LIST_CHANGE_KIND::Append(items) => {
                        for item in items {
                            builder = builder.#add(#LIST_POSITION::End, item.clone());
                        }
                    }
                    #LIST_CHANGE_KIND::RemoveAt(indices) => {
                        for index in indices {
                            builder = builder.#remove(index);
                        }
                    }
                    #LIST_CHANGE_KIND::Replace(value) => builder = builder.#replace(#argument),
                    #LIST_CHANGE_KIND::Removed => #not_removable,
                }
            }
        }
        PatchAccess::IndexedList => replace_only(),
    }
}
