//! Typed JSON Patch builders: one method per operation that the service
//! accepts on a property, and none for the operations it refuses, so that
//! a refused operation is a compile error rather than a 403 at run time.
//!
//! Each job has its module: the setters ([`builder`]), `diff` ([`diff`])
//! and the free-form methods ([`free_form`]); the checks they share are in
//! `emit::checks`, and the nested validators in `emit::validation`.

mod builder;
mod diff;
mod free_form;

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use crate::emit::checks::Checks;
use crate::emit::docs::doc_attrs;
use crate::generated_crate::items::{
    BODY, BODY_VALUE, PATCH_MEDIA_TYPE, PATCH_OPERATION, REBASE, RECORDER, VALIDATION_ERROR,
};
use crate::model::{Api, Object, PatchAccess, PatchRules, Resource};

/// Everything emitting one resource's patch items needs, passed as one value.
pub struct PatchContext<'a, 'c> {
    pub api: &'a Api,
    pub resource: &'a Resource,
    pub rules: &'a PatchRules,
    pub checks: &'c mut Checks<'a>,
    /// The document type, `Image`.
    pub root: Ident,
    /// The patch type, `ImagePatch`.
    pub patch: Ident,
    /// The builder type, `ImagePatchBuilder`.
    pub builder: Ident,
    /// The static describing free-form properties, `IMAGE_FREE_FORM`.
    pub free_form: Ident,
}

impl PatchContext<'_, '_> {
    fn object(&self) -> &Object {
        &self.resource.object
    }
}

/// The builder and the patch type of a patchable resource. The statics of
/// the patterns the checks use are left in `checks`.
pub fn patch_items<'a>(
    api: &'a Api,
    resource: &'a Resource,
    rules: &'a PatchRules,
    checks: &mut Checks<'a>,
) -> TokenStream {
    let name = &resource.object.rust_name;
    let mut cx = PatchContext {
        api,
        resource,
        rules,
        checks,
        root: format_ident!("{}", name),
        patch: format_ident!("{}Patch", name),
        builder: format_ident!("{}PatchBuilder", name),
        free_form: format_ident!("{}_FREE_FORM", heck::AsShoutySnakeCase(name).to_string()),
    };
    let free_form_static = free_form::free_form_static(&mut cx);
    let methods = builder::methods(&mut cx);
    let free_form_methods = free_form::methods(&cx);
    let diff = diff::diff_method(&cx);
    // Keys every document of the resource has on the service side, whatever
    // the caller's copy shows: `rebase` must leave their `replace` alone.
    let base_keys: Vec<&str> = cx
        .object()
        .properties
        .values()
        .filter(|p| {
            !matches!(
                rules.access(p),
                PatchAccess::None | PatchAccess::AddReplaceRemove
            )
        })
        .map(|p| p.json_name.as_str())
        .collect();
    let PatchContext {
        root,
        patch,
        builder,
        ..
    } = &cx;
    let root_doc = doc_attrs(&format!(
        "A checked JSON Patch for [`{root}`], ready to send with either media type.\n\n\
         Build one with [`{patch}::builder`], which offers only the operations the service \
         accepts for each property, or compute one with [`{patch}::diff`]."
    ));
    let builder_doc = doc_attrs(&format!(
        "Builds a [`{patch}`]. Values are checked against the schema as they are given; \
         [`{builder}::build`] refuses the patch if any check failed, naming each \
         property and the rule it broke.\n\n\
         Every setter follows one rule: it takes the property's value, as `impl Into<String>` \
         for a string, any iterator of strings for a list of strings, and the generated type \
         otherwise. Where the schema allows `null`, it takes an `Option` of that value (a \
         string as `Option<&str>`), and `None` sends `null`. Methods that change one item of \
         a list are named after the item (`add_location`)."
    ));

    quote! {
        #free_form_static

        #root_doc
        #[derive(Debug, Clone, PartialEq, Default)]
        pub struct #patch {
            operations: Vec<#PATCH_OPERATION>,
        }

        impl #patch {
            /// An empty builder.
            pub fn builder() -> #builder {
                #builder::default()
            }

            #diff

            /// The operations, in order.
            pub fn operations(&self) -> &[#PATCH_OPERATION] {
                &self.operations
            }

            /// How many operations the patch holds.
            pub fn len(&self) -> usize {
                self.operations.len()
            }

            /// Whether the patch changes nothing.
            pub fn is_empty(&self) -> bool {
                self.operations.is_empty()
            }

            /// The request body for the given media type.
            pub fn to_body(&self, media_type: #PATCH_MEDIA_TYPE) -> serde_json::Value {
                #BODY_VALUE(&self.operations, media_type)
            }

            /// Rewrites the patch for the document it will be applied to, so that it means
            /// the same under both media types: `add` on a key `current` has becomes
            /// `replace` (v2.0 refuses it with 409) and `replace` on a key it lacks becomes
            /// `add` (Glance refuses that with 409). Base properties keep their `replace`
            /// even when `current` lacks them: the service always has them.
            pub fn rebase(mut self, current: &#root) -> Self {
                if let Ok(document) = serde_json::to_value(current) {
                    #REBASE(&mut self.operations, &document, &[#(#base_keys),*]);
                }
                self
            }
        }

        /// Serializes as the `application/openstack-images-v2.1-json-patch` body.
        impl serde::Serialize for #patch {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serde::Serialize::serialize(
                    &#BODY { operations: &self.operations, media_type: #PATCH_MEDIA_TYPE::V2_1 },
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
            recorder: #RECORDER,
        }

        impl #builder {
            #(#methods)*
            #free_form_methods

            /// The patch, or every rule the given values broke.
            pub fn build(self) -> Result<#patch, #VALIDATION_ERROR> {
                self.recorder.finish("patch").map(|operations| #patch { operations })
            }
        }
    }
}
