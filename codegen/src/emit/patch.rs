//! Typed JSON Patch builders: one method per operation that the service
//! accepts on a property, and none for the operations it refuses, so that
//! a refused operation is a compile error rather than a 403 at run time.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::emit::checks::{
    Patterns, checks, free_form_keys, object_has_checks, option_tokens, shape_has_checks,
};
use crate::emit::docs::{code, doc_attrs};
use crate::emit::idents::{ident, prefixed};
use crate::emit::types::shape_type;
use crate::lower::ADDITIONAL_FIELD;
use crate::model::{
    Additional, Api, NamedType, Object, PatchAccess, PatchRules, Property, Resource, Shape,
};

/// The builder, the patch type and the validators for a patchable resource.
/// The statics of the patterns the checks use are left in `patterns`.
pub fn patch_items(
    api: &Api,
    resource: &Resource,
    rules: &PatchRules,
    patterns: &mut Patterns,
) -> TokenStream {
    let root = &resource.object;
    let root_name = format_ident!("{}", root.rust_name);
    let patch = format_ident!("{}Patch", root.rust_name);
    let builder = format_ident!("{}PatchBuilder", root.rust_name);
    let keys_const = format_ident!(
        "{}_FREE_FORM_KEYS",
        heck::AsShoutySnakeCase(&root.rust_name).to_string()
    );

    let mut methods = Vec::new();
    let mut diffs = Vec::new();
    // Keys every document of the resource has on the service side, whatever
    // the caller's copy shows: `rebase` must leave their `replace` alone.
    let mut base_keys = Vec::new();
    for property in root.properties.values() {
        let access = rules.access(property);
        if access == PatchAccess::None {
            continue;
        }
        if access != PatchAccess::AddReplaceRemove {
            base_keys.push(property.json_name.as_str());
        }
        methods.push(property_methods(
            api, resource, rules, property, access, patterns,
        ));
        diffs.push(property_diff(resource, property, access));
    }
    let free_form = free_form_methods(root, &keys_const, patterns);
    if free_form.is_some() {
        let extra = ident(ADDITIONAL_FIELD);
        let strings_only = matches!(&root.additional, Additional::Typed(shape) if matches!(**shape, Shape::String(_)));
        diffs.push(quote! {
            builder.recorder.diff_free_form(&old.#extra, &new.#extra, &#keys_const, #strings_only);
        });
    }
    let keys = match root.additional {
        Additional::Forbidden => TokenStream::new(),
        _ => {
            let declared: Vec<&str> = root.properties.keys().map(String::as_str).collect();
            let reserved: Vec<&str> = rules.reserved_keys.iter().map(String::as_str).collect();
            free_form_keys(
                &keys_const,
                "What the service refuses as a free-form property key.",
                &declared,
                &reserved,
                rules,
            )
        }
    };
    let validators = validators(api, resource, patterns);
    let root_doc = format!(
        "A checked JSON Patch for [`{0}`], ready to send with either media type.\n\n\
         Build one with [`{0}Patch::builder`], which offers only the operations the service \
         accepts for each property, or compute one with [`{0}Patch::diff`].",
        root.rust_name
    );
    let root_doc = doc_attrs(&root_doc);
    let builder_doc = doc_attrs(&format!(
        "Builds a [`{0}Patch`]. Values are checked against the schema as they are given; \
         [`{0}PatchBuilder::build`] refuses the patch if any check failed, naming each \
         property and the rule it broke.",
        root.rust_name
    ));

    quote! {
        #keys

        #root_doc
        #[derive(Debug, Clone, PartialEq, Default)]
        pub struct #patch {
            operations: Vec<crate::PatchOperation>,
        }

        impl #patch {
            /// An empty builder.
            pub fn builder() -> #builder {
                #builder::default()
            }

            /// The smallest patch that turns `old` into `new`, or every reason it cannot be sent.
            ///
            /// Read-only properties are ignored, tags are compared as sets and replaced whole,
            /// custom properties that `old` lacks are added and those `new` lacks are removed.
            /// The result uses `add` only for keys `old` lacks, so it means the same under both
            /// media types.
            pub fn diff(old: &#root_name, new: &#root_name) -> Result<Self, crate::PatchError> {
                let mut builder = Self::builder();
                #(#diffs)*
                builder.build()
            }

            /// The operations, in order.
            pub fn operations(&self) -> &[crate::PatchOperation] {
                &self.operations
            }

            pub fn len(&self) -> usize {
                self.operations.len()
            }

            pub fn is_empty(&self) -> bool {
                self.operations.is_empty()
            }

            /// The request body for the given media type.
            pub fn to_body(&self, media_type: crate::PatchMediaType) -> serde_json::Value {
                crate::patch::body_value(&self.operations, media_type)
            }

            /// Rewrites the patch for the document it will be applied to, so that it means
            /// the same under both media types: `add` on a key `current` has becomes
            /// `replace` (v2.0 refuses it with 409) and `replace` on a key it lacks becomes
            /// `add` (Glance refuses that with 409). Base properties keep their `replace`
            /// even when `current` lacks them: the service always has them.
            pub fn rebase(mut self, current: &#root_name) -> Self {
                if let Ok(document) = serde_json::to_value(current) {
                    crate::patch::rebase(&mut self.operations, &document, &[#(#base_keys),*]);
                }
                self
            }
        }

        /// Serializes as the `application/openstack-images-v2.1-json-patch` body.
        impl serde::Serialize for #patch {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serde::Serialize::serialize(
                    &crate::patch::Body { operations: &self.operations, media_type: crate::PatchMediaType::V2_1 },
                    serializer,
                )
            }
        }

        impl From<&#patch> for json_patch::Patch {
            fn from(patch: &#patch) -> Self {
                json_patch::Patch(patch.operations.iter().map(Into::into).collect())
            }
        }

        impl From<#patch> for json_patch::Patch {
            fn from(patch: #patch) -> Self {
                Self::from(&patch)
            }
        }

        #builder_doc
        #[derive(Debug, Clone, Default)]
        #[must_use]
        pub struct #builder {
            recorder: crate::patch::Recorder,
        }

        impl #builder {
            #(#methods)*
            #free_form

            /// The patch, or every rule the given values broke.
            pub fn build(self) -> Result<#patch, crate::PatchError> {
                self.recorder.finish().map(|operations| #patch { operations })
            }
        }

        #validators
    }
}

/// How a builder method takes a value of some shape.
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

/// The expression that turns a setter's `value` into JSON without going
/// through serde, for the shapes `serde_json::Value` converts from directly;
/// `None` for the others (enums, objects), which are serialized.
fn json_value(shape: &Shape, nullable: bool) -> Option<TokenStream> {
    let string_list =
        matches!(shape, Shape::Array(items, _) if matches!(**items, Shape::String(_)));
    match shape {
        Shape::String(_) if !nullable => Some(quote!(serde_json::Value::String(value))),
        Shape::String(_) | Shape::Integer(_) | Shape::Number | Shape::Boolean => {
            Some(quote!(serde_json::Value::from(value)))
        }
        _ if string_list && !nullable => Some(quote!(serde_json::Value::from(value))),
        _ => None,
    }
}

/// The body of a method that checks a value and records one operation:
/// `op` is the operation's expression (a constant, or the `op` parameter).
fn setter_body(
    resource: &Resource,
    property: &Property,
    op: TokenStream,
    patterns: &mut Patterns,
) -> TokenStream {
    let json = &property.json_name;
    let inner = checks(
        resource,
        &property.shape,
        &quote!(#json),
        quote!(value),
        patterns,
        &property.rust_name,
    );
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
    let record = match json_value(&property.shape, property.nullable) {
        Some(value) => quote! { self.recorder.set(#op, #json, None, #value); },
        None => quote! { self.recorder.push(#op, #json, None, &value); },
    };
    quote! {
        #checks
        #record
        self
    }
}

/// A public method that records one operation.
fn setter(
    api: &Api,
    resource: &Resource,
    property: &Property,
    method: &str,
    op: TokenStream,
    doc: String,
    patterns: &mut Patterns,
) -> TokenStream {
    let name = prefixed(method, &property.rust_name);
    let Param {
        generics,
        ty,
        convert,
    } = param(api, &property.shape, property.nullable);
    let body = setter_body(resource, property, quote!(crate::PatchOp::#op), patterns);
    let doc = doc_attrs(&doc);
    quote! {
        #doc
        pub fn #name #generics (mut self, value: #ty) -> Self {
            #convert
            #body
        }
    }
}

/// `add_` and `replace_` of a custom property share their checks through a
/// private `set_` method that takes the operation.
fn add_and_replace(
    api: &Api,
    resource: &Resource,
    property: &Property,
    add_doc: String,
    replace_doc: String,
    patterns: &mut Patterns,
) -> TokenStream {
    let set = prefixed("set_", &property.rust_name);
    let add = prefixed("add_", &property.rust_name);
    let replace = prefixed("replace_", &property.rust_name);
    let Param {
        generics,
        ty,
        convert,
    } = param(api, &property.shape, property.nullable);
    let body = setter_body(resource, property, quote!(op), patterns);
    let add_doc = doc_attrs(&add_doc);
    let replace_doc = doc_attrs(&replace_doc);
    quote! {
        #add_doc
        pub fn #add #generics (self, value: #ty) -> Self {
            self.#set(crate::PatchOp::Add, value)
        }

        #replace_doc
        pub fn #replace #generics (self, value: #ty) -> Self {
            self.#set(crate::PatchOp::Replace, value)
        }

        fn #set #generics (mut self, op: crate::PatchOp, value: #ty) -> Self {
            #convert
            #body
        }
    }
}

/// `replace_` of a list the service refuses to empty: the item checks plus a
/// check that the list is not empty.
fn non_empty_setter(
    api: &Api,
    resource: &Resource,
    property: &Property,
    doc: String,
    patterns: &mut Patterns,
) -> TokenStream {
    let name = prefixed("replace_", &property.rust_name);
    let json = &property.json_name;
    let Param {
        generics,
        ty,
        convert,
    } = param(api, &property.shape, property.nullable);
    let body = setter_body(
        resource,
        property,
        quote!(crate::PatchOp::Replace),
        patterns,
    );
    let doc = doc_attrs(&doc);
    quote! {
        #doc
        pub fn #name #generics (mut self, value: #ty) -> Self {
            #convert
            self.recorder.check_items(#json, value.len(), Some(1), None);
            #body
        }
    }
}

fn property_methods(
    api: &Api,
    resource: &Resource,
    rules: &PatchRules,
    property: &Property,
    access: PatchAccess,
    patterns: &mut Patterns,
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
    match access {
        PatchAccess::None => TokenStream::new(),
        PatchAccess::Replace => setter(
            api,
            resource,
            property,
            "replace_",
            quote!(Replace),
            replace_doc,
            patterns,
        ),
        PatchAccess::WholeList => {
            let doc = format!(
                "Replaces {json}{about} as a whole list: the service refuses operations on single items."
            );
            setter(
                api,
                resource,
                property,
                "replace_",
                quote!(Replace),
                doc,
                patterns,
            )
        }
        PatchAccess::AddReplaceRemove => {
            let add_doc = format!(
                "Adds the custom property {json}{about}.{null_note} Under the v2.1 media type this replaces an existing value."
            );
            let replace_doc =
                format!("{replace_doc} The service answers 409 if the image lacks it.");
            let add_and_replace =
                add_and_replace(api, resource, property, add_doc, replace_doc, patterns);
            let remove = remove_method(
                property,
                &format!(
                    "Removes the custom property {json}. The service answers 409 if the image lacks it."
                ),
                TokenStream::new(),
                quote!(None),
            );
            quote! { #add_and_replace #remove }
        }
        PatchAccess::IndexedList => {
            let replace = if rules.replace_non_empty.contains(&property.json_name) {
                let doc = format!("{replace_doc} The service refuses an empty list.");
                non_empty_setter(api, resource, property, doc, patterns)
            } else {
                setter(
                    api,
                    resource,
                    property,
                    "replace_",
                    quote!(Replace),
                    replace_doc,
                    patterns,
                )
            };
            indexed_list_methods(api, resource, property, &json, replace, patterns)
        }
    }
}

fn remove_method(
    property: &Property,
    doc: &str,
    params: TokenStream,
    position: TokenStream,
) -> TokenStream {
    let name = prefixed("remove_", &property.rust_name);
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

fn indexed_list_methods(
    api: &Api,
    resource: &Resource,
    property: &Property,
    json_doc: &str,
    replace: TokenStream,
    patterns: &mut Patterns,
) -> TokenStream {
    let Shape::Array(items, _) = &property.shape else {
        return replace;
    };
    let add_name = prefixed("add_", &property.rust_name);
    let json = &property.json_name;
    let item_ty = shape_type(api, items);
    let item_checks = checks(
        resource,
        items,
        &quote!(#json),
        quote!(value),
        patterns,
        &property.rust_name,
    );
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
        &format!("Removes the item of {json_doc} at `index`."),
        quote!(index: usize),
        quote!(Some(crate::ListPosition::Index(index))),
    );
    quote! {
        #add_doc
        pub fn #add_name(mut self, position: crate::ListPosition, value: #item_ty) -> Self {
            #item_checks
            self.recorder.push(crate::PatchOp::Add, #json, Some(position), &value);
            self
        }
        #remove
        #replace
    }
}

/// The expression that passes a field's value (bound as `value: &T`, where
/// T is the field type without its outer presence `Option`) to a builder method.
fn diff_argument(property: &Property) -> TokenStream {
    match (&property.shape, property.nullable) {
        (Shape::String(_), true) => quote!(value.as_deref()),
        (Shape::String(_), false) => quote!(value.as_str()),
        (Shape::Integer(_) | Shape::Number | Shape::Boolean, _) => quote!(*value),
        _ => quote!(value.clone()),
    }
}

fn property_diff(resource: &Resource, property: &Property, access: PatchAccess) -> TokenStream {
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
        builder.recorder.violate(#json, crate::Rule::NotRemovable)
    };
    let _ = resource;
    match access {
        PatchAccess::None => TokenStream::new(),
        PatchAccess::Replace => quote! {
            match crate::patch::change(&old.#field, &new.#field) {
                crate::patch::Change::Unchanged => {}
                crate::patch::Change::Added(value) | crate::patch::Change::Replaced(value) => {
                    builder = builder.#replace(#argument);
                }
                crate::patch::Change::Removed => #not_removable,
            }
        },
        PatchAccess::AddReplaceRemove => {
            let add = prefixed("add_", &property.rust_name);
            let remove = prefixed("remove_", &property.rust_name);
            quote! {
                match crate::patch::change(&old.#field, &new.#field) {
                    crate::patch::Change::Unchanged => {}
                    crate::patch::Change::Added(value) => builder = builder.#add(#argument),
                    crate::patch::Change::Replaced(value) => builder = builder.#replace(#argument),
                    crate::patch::Change::Removed => builder = builder.#remove(),
                }
            }
        }
        PatchAccess::WholeList => {
            let string_items = matches!(&property.shape, Shape::Array(items, _) if matches!(**items, Shape::String(_)))
                && !property.nullable;
            if string_items {
                quote! {
                    if !crate::patch::same_set(&old.#field, &new.#field) {
                        match &new.#field {
                            Some(value) => builder = builder.#replace(#argument),
                            None => #not_removable,
                        }
                    }
                }
            } else {
                property_diff(resource, property, PatchAccess::Replace)
            }
        }
        PatchAccess::IndexedList if !property.nullable => {
            let add = prefixed("add_", &property.rust_name);
            let remove = prefixed("remove_", &property.rust_name);
            quote! {
                match crate::patch::list_change(&old.#field, &new.#field) {
                    crate::patch::ListChange::Unchanged => {}
                    crate::patch::ListChange::Append(items) => {
                        for item in items {
                            builder = builder.#add(crate::ListPosition::End, item.clone());
                        }
                    }
                    crate::patch::ListChange::RemoveAt(indices) => {
                        for index in indices {
                            builder = builder.#remove(index);
                        }
                    }
                    crate::patch::ListChange::Replace(value) => builder = builder.#replace(#argument),
                    crate::patch::ListChange::Removed => #not_removable,
                }
            }
        }
        PatchAccess::IndexedList => property_diff(resource, property, PatchAccess::Replace),
    }
}

fn free_form_methods(
    root: &Object,
    keys: &proc_macro2::Ident,
    patterns: &mut Patterns,
) -> Option<TokenStream> {
    let (ty, convert, value_checks) = match &root.additional {
        Additional::Forbidden => return None,
        Additional::Typed(shape) if matches!(**shape, Shape::String(_)) => {
            let Shape::String(rules) = &**shape else {
                return None;
            };
            let mut value_checks = TokenStream::new();
            if rules.min_length.is_some() || rules.max_length.is_some() {
                let min = option_tokens(rules.min_length);
                let max = option_tokens(rules.max_length);
                value_checks
                    .extend(quote! { self.recorder.check_length(&key, &value, #min, #max); });
            }
            if let Some(pattern) = &rules.pattern {
                let name = patterns.static_for(pattern, "free_form");
                value_checks.extend(quote! { self.recorder.check_pattern(&key, &value, &#name); });
            }
            (
                quote!(impl Into<String>),
                quote!(let value: String = value.into();),
                value_checks,
            )
        }
        // Other value shapes are sent as given; the service checks them.
        _ => (
            quote!(serde_json::Value),
            TokenStream::new(),
            TokenStream::new(),
        ),
    };
    let value_json = match &root.additional {
        Additional::Typed(shape) if matches!(**shape, Shape::String(_)) => {
            quote!(serde_json::Value::String(value))
        }
        _ => quote!(value),
    };
    Some(quote! {
        /// Adds a free-form property. The key is checked against the keys the service
        /// reserves and the schema's own properties. Under the v2.1 media type this
        /// replaces an existing value.
        pub fn add_property(self, key: impl Into<String>, value: #ty) -> Self {
            self.set_property(crate::PatchOp::Add, key.into(), value)
        }

        /// Replaces a free-form property. The service answers 409 if the image lacks it.
        pub fn replace_property(self, key: impl Into<String>, value: #ty) -> Self {
            self.set_property(crate::PatchOp::Replace, key.into(), value)
        }

        fn set_property(mut self, op: crate::PatchOp, key: String, value: #ty) -> Self {
            #convert
            self.recorder.check_free_form_key(&key, &#keys);
            #value_checks
            self.recorder.set(op, key, None, #value_json);
            self
        }

        /// Removes a free-form property. The service answers 409 if the image lacks it.
        pub fn remove_property(mut self, key: impl Into<String>) -> Self {
            let key: String = key.into();
            self.recorder.check_removable_key(&key, &#keys);
            self.recorder.remove(key, None);
            self
        }
    })
}

/// `validate` methods for nested structs whose fields carry constraints, so
/// that a whole location (say) is checked before it is sent. Violations
/// name the property of the document being patched (`locations`).
fn validators(api: &Api, resource: &Resource, patterns: &mut Patterns) -> TokenStream {
    let _ = api;
    let items = resource.types.iter().filter_map(|(name, ty)| {
        let NamedType::Object(object) = ty else { return None };
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
                let inner = checks(resource, &p.shape, &quote!(property), quote!(value), patterns, &p.rust_name);
                match (p.required, p.nullable) {
                    (true, false) => quote! { { let value = &self.#field; #inner } },
                    (true, true) | (false, false) => quote! { if let Some(value) = &self.#field { #inner } },
                    (false, true) => quote! { if let Some(Some(value)) = &self.#field { #inner } },
                }
            })
            .collect();
        Some(quote! {
            impl #type_name {
                /// Records every constraint of the schema that this value breaks,
                /// against `property`.
                pub(crate) fn validate(&self, property: &str, recorder: &mut crate::patch::Recorder) {
                    #(#field_checks)*
                }
            }
        })
    });
    quote! { #(#items)* }
}

fn first_sentence(text: &str) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    let sentence = line.split(". ").next().unwrap_or(line);
    sentence.trim_end_matches('.').to_owned()
}
