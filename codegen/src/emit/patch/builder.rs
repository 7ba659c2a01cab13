//! The builder's typed setters: one method per operation the service
//! accepts on a declared property.

use proc_macro2::TokenStream;
use quote::quote;

use super::PatchContext;
use crate::emit::docs::{code, doc_attrs};
use crate::emit::idents::prefixed;
use crate::emit::types::shape_type;
use crate::generated_crate::items::{LIST_POSITION, PATCH_OP};
use crate::model::{Api, Object, PatchAccess, Property, Shape};

/// The setters of every property the service lets PATCH change.
pub fn methods(cx: &mut PatchContext<'_, '_>) -> Vec<TokenStream> {
    let object = &cx.resource.object;
    object
        .properties
        .values()
        .filter_map(|property| {
            let access = cx.rules.access(property);
            (access != PatchAccess::None).then(|| property_methods(cx, object, property, access))
        })
        .collect()
}

/// How a builder method takes a value of some shape; the one rule is told
/// in the builder's docs.
struct Param {
    generics: TokenStream,
    ty: TokenStream,
    /// Statements that turn the parameter into the value to check and send.
    convert: TokenStream,
}

fn param(api: &Api, shape: &Shape, nullable: bool) -> Param {
    let is_string_list =
        matches!(shape, Shape::Array(items, _) if matches!(**items, Shape::String(_)));
    match (shape, nullable) {
        (Shape::String(_), false) => Param {
            generics: TokenStream::new(),
            ty: quote!(impl Into<String>),
            convert: quote!(let value: String = value.into();),
        },
        (Shape::String(_), true) => Param {
            generics: TokenStream::new(),
            ty: quote!(Option<&str>),
            convert: TokenStream::new(),
        },
        (_, false) if is_string_list => Param {
            generics: quote!(<S: Into<String>>),
            ty: quote!(impl IntoIterator<Item = S>),
            convert: quote!(let value: Vec<String> = value.into_iter().map(Into::into).collect();),
        },
        (_, nullable) => {
            let ty = shape_type(api, shape);
            Param {
                generics: TokenStream::new(),
                ty: if nullable { quote!(Option<#ty>) } else { ty },
                convert: TokenStream::new(),
            }
        }
    }
}

/// Whether a setter's `value` is recorded as it is, without going through
/// serde: the shapes the patch keeps typed until it is written (strings,
/// numbers, booleans, their options, and lists of strings). The others
/// (enums, objects) are serialized when recorded.
fn recorded_as_is(shape: &Shape, nullable: bool) -> bool {
    let string_list =
        matches!(shape, Shape::Array(items, _) if matches!(**items, Shape::String(_)));
    match shape {
        Shape::String(_) | Shape::Integer(_) | Shape::Number | Shape::Boolean => true,
        _ => string_list && !nullable,
    }
}

/// One public (or private `set_`) method.
struct Setter<'p> {
    property: &'p Property,
    name: proc_macro2::Ident,
    /// The operation: a `PatchOp` constant, or the `op` parameter.
    op: TokenStream,
    doc: Option<String>,
    /// Checks made before the value's own, such as a list's length.
    extra_checks: TokenStream,
}

impl PatchContext<'_, '_> {
    /// The body of a method that checks a value and records one operation.
    fn setter_body(&mut self, property: &Property, op: &TokenStream) -> TokenStream {
        let json = &property.json_name;
        let inner = self
            .checks
            .value(&property.shape, &quote!(#json), quote!(value));
        let checks = match (inner.is_empty(), property.nullable) {
            (true, _) => TokenStream::new(),
            (false, true) => {
                // A nullable string arrives as `Option<&str>`; other values by reference.
                let scrutinee = if matches!(property.shape, Shape::String(_)) {
                    quote!(value)
                } else {
                    quote!(&value)
                };
                quote! {
                    let recorder = &mut self.recorder;
                    if let Some(value) = #scrutinee { #inner }
                }
            }
            (false, false) => quote! {
                let recorder = &mut self.recorder;
                {
                    let value = &value;
                    #inner
                }
            },
        };
        let record = if recorded_as_is(&property.shape, property.nullable) {
            quote! { self.recorder.set(#op, #json, None, value); }
        } else {
            quote! { self.recorder.push(#op, #json, None, &value); }
        };
        quote! {
            #checks
            #record
            self
        }
    }

    fn setter(&mut self, setter: Setter<'_>) -> TokenStream {
        let Setter {
            property,
            name,
            op,
            doc,
            extra_checks,
        } = setter;
        let Param {
            generics,
            ty,
            convert,
        } = param(self.api, &property.shape, property.nullable);
        let body = self.setter_body(property, &op);
        let (signature, doc) = match doc {
            Some(doc) => {
                let doc = doc_attrs(&doc);
                (
                    quote!(pub fn #name #generics (mut self, value: #ty) -> Self),
                    doc,
                )
            }
            None => (
                quote!(fn #name #generics (mut self, op: #PATCH_OP, value: #ty) -> Self),
                TokenStream::new(),
            ),
        };
        quote! {
            #doc
            #signature {
                #convert
                #extra_checks
                #body
            }
        }
    }
}

fn property_methods(
    cx: &mut PatchContext<'_, '_>,
    object: &Object,
    property: &Property,
    access: PatchAccess,
) -> TokenStream {
    let json = code(&property.json_name);
    let about = property
        .doc
        .as_deref()
        .map(|d| format!(" ({})", first_sentence(d)))
        .unwrap_or_default();
    let null_note = if property.nullable {
        " `None` sets it to `null`."
    } else {
        ""
    };
    let replace_doc = format!("Replaces {json}{about}.{null_note}");
    let replace = |doc: String, extra_checks: TokenStream| Setter {
        property,
        name: prefixed("replace_", &property.rust_name),
        op: quote!(#PATCH_OP::Replace),
        doc: Some(doc),
        extra_checks,
    };
    match access {
        PatchAccess::None => TokenStream::new(),
        PatchAccess::Replace => cx.setter(replace(replace_doc, TokenStream::new())),
        PatchAccess::WholeList => cx.setter(replace(
            format!("Replaces {json}{about} as a whole list: the service refuses operations on single items."),
            TokenStream::new(),
        )),
        PatchAccess::AddReplaceRemove => {
            let add_doc = doc_attrs(&format!(
                "Adds the custom property {json}{about}.{null_note} Under the v2.1 media type this replaces an existing value."
            ));
            let replace_doc = doc_attrs(&format!("{replace_doc} The service answers 409 if the image lacks it."));
            let set = prefixed("set_", &property.rust_name);
            let add = prefixed("add_", &property.rust_name);
            let replace = prefixed("replace_", &property.rust_name);
            let Param { generics, ty, .. } = param(cx.api, &property.shape, property.nullable);
            let private = cx.setter(Setter { property, name: set.clone(), op: quote!(op), doc: None, extra_checks: TokenStream::new() });
            let remove = remove_method(
                property,
                prefixed("remove_", &property.rust_name),
                &format!("Removes the custom property {json}. The service answers 409 if the image lacks it."),
                TokenStream::new(),
                quote!(None),
            );
            quote! {
                #add_doc
                pub fn #add #generics (self, value: #ty) -> Self {
                    self.#set(#PATCH_OP::Add, value)
                }

                #replace_doc
                pub fn #replace #generics (self, value: #ty) -> Self {
                    self.#set(#PATCH_OP::Replace, value)
                }

                #private
                #remove
            }
        }
        PatchAccess::IndexedList => {
            let replace = if cx.rules.replace_non_empty.contains(&property.json_name) {
                let json_name = &property.json_name;
                let doc = format!("{replace_doc} The service refuses an empty list.");
                cx.setter(replace(doc, quote! { self.recorder.check_items(#json_name, value.len(), Some(1), None); }))
            } else {
                cx.setter(replace(replace_doc, TokenStream::new()))
            };
            indexed_list_methods(cx, object, property, &json, replace)
        }
    }
}

fn remove_method(
    property: &Property,
    name: proc_macro2::Ident,
    doc: &str,
    params: TokenStream,
    position: TokenStream,
) -> TokenStream {
    let json = &property.json_name;
    let doc = doc_attrs(doc);
    quote! {
        #doc
        pub fn #name(mut self, #params) -> Self {
            self.recorder.remove(#json, #position);
            self
        }
    }
}

/// The name of one item of a list property, for the methods that add or
/// remove a single item: `locations` gives `location`. A name that does
/// not end in a plain plural `s`, or whose singular is another property,
/// gets `_item` instead (`add_media_item`).
pub fn item_name(object: &Object, property: &Property) -> String {
    let name = &property.rust_name;
    let singular = name.strip_suffix('s').filter(|stem| {
        !stem.is_empty()
            && !stem.ends_with('s')
            && !stem.ends_with('_')
            && !object.properties.values().any(|p| p.rust_name == *stem)
    });
    match singular {
        Some(stem) => stem.to_owned(),
        None => format!("{name}_item"),
    }
}

fn indexed_list_methods(
    cx: &mut PatchContext<'_, '_>,
    object: &Object,
    property: &Property,
    json_doc: &str,
    replace: TokenStream,
) -> TokenStream {
    let Shape::Array(items, _) = &property.shape else {
        return replace;
    };
    let item = item_name(object, property);
    let add_name = prefixed("add_", &item);
    let json = &property.json_name;
    let item_ty = shape_type(cx.api, items);
    let item_checks = cx.checks.value(items, &quote!(#json), quote!(value));
    let item_checks = if item_checks.is_empty() {
        item_checks
    } else {
        quote! {
            let recorder = &mut self.recorder;
            {
                let value = &value;
                #item_checks
            }
        }
    };
    let add_doc = doc_attrs(&format!(
        "Adds one item to {json_doc} at `position` (`ListPosition::End` appends)."
    ));
    let remove = remove_method(
        property,
        prefixed("remove_", &item),
        &format!("Removes the item of {json_doc} at `index`."),
        quote!(index: usize),
        quote!(Some(#LIST_POSITION::Index(index))),
    );
    quote! {
        #add_doc
        pub fn #add_name(mut self, position: #LIST_POSITION, value: #item_ty) -> Self {
            #item_checks
            self.recorder.push(#PATCH_OP::Add, #json, Some(position), &value);
            self
        }
        #remove
        #replace
    }
}

fn first_sentence(text: &str) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    let sentence = line.split(". ").next().unwrap_or(line);
    sentence.trim_end_matches('.').to_owned()
}
