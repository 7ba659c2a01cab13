//! Emitting: the model in, formatted Rust files out.

mod checks;
mod create;
mod docs;
mod idents;
mod patch;
mod schema_attrs;
mod types;

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::error::Error;
use crate::format::format_file;
use crate::model::Api;

/// Support code that does not depend on the schemas, emitted verbatim.
const SUPPORT: &str = include_str!("../../templates/support.rs");

/// JSON Patch support, emitted verbatim when any resource can be patched.
const PATCH_SUPPORT: &str = include_str!("../../templates/patch.rs");

/// The generated crate's files, by path relative to the crate root.
pub fn emit(api: &Api, command: &str) -> Result<BTreeMap<String, String>, Error> {
    let mut files = BTreeMap::new();
    let sources: Vec<&str> = api.resources.values().map(|r| r.file.as_str()).collect();
    files.insert(
        "src/lib.rs".to_owned(),
        format_file(&lib_rs(api), command, &sources.join(", "), "src/lib.rs")?,
    );
    files.insert(
        "src/support.rs".to_owned(),
        crate::format::with_header(SUPPORT, command, "the generator's support template"),
    );
    if has_patch(api) {
        files.insert(
            "src/patch.rs".to_owned(),
            crate::format::with_header(PATCH_SUPPORT, command, "the generator's patch template"),
        );
    }
    for resource in api.resources.values() {
        let path = format!("src/{}.rs", resource.module);
        let mut tokens = types::resource_items(api, resource);
        if let Some(rules) = &resource.patch {
            // One set of pattern statics serves the patch builder and the
            // create body, so that each pattern is compiled once.
            let mut patterns = checks::Patterns::default();
            let patch = patch::patch_items(api, resource, rules, &mut patterns);
            let create = create::create_items(api, resource, rules, &mut patterns);
            tokens.extend(patterns.statics());
            tokens.extend(patch);
            tokens.extend(create);
        }
        files.insert(
            path.clone(),
            format_file(&tokens, command, &resource.file, &path)?,
        );
    }
    if let Some(compute) = &api.compute {
        let path = format!("src/{}.rs", compute.module);
        let tokens = types::module_items(api, compute);
        files.insert(
            path.clone(),
            format_file(&tokens, command, &compute.file, &path)?,
        );
    }
    Ok(files)
}

fn has_patch(api: &Api) -> bool {
    api.resources.values().any(|r| r.patch.is_some())
}

fn lib_rs(api: &Api) -> TokenStream {
    let modules: Vec<_> = api
        .resources
        .values()
        .map(|r| format_ident!("{}", r.module))
        .collect();
    let exports = api.resources.values().map(|resource| {
        let module = format_ident!("{}", resource.module);
        let mut names = vec![format_ident!("{}", resource.object.rust_name)];
        if resource.patch.is_some() {
            names.push(format_ident!("{}Patch", resource.object.rust_name));
            names.push(format_ident!("{}PatchBuilder", resource.object.rust_name));
            names.push(format_ident!("{}Create", resource.object.rust_name));
        }
        names.extend(resource.types.keys().map(|name| format_ident!("{}", name)));
        quote! { pub use #module::{#(#names),*}; }
    });
    let patch = has_patch(api).then(|| {
        quote! {
            mod patch;
            pub use patch::{
                escape_token, ListPosition, PatchError, PatchMediaType, PatchOp, PatchOperation, Rule,
                Violation, PATCH_MEDIA_TYPE_V2_0, PATCH_MEDIA_TYPE_V2_1,
            };
        }
    });
    let compute_doc = api.compute.as_ref().map(|_| {
        quote! {
            #![doc = ""]
            #![doc = " The [`compute`] module holds the same images as the Compute API shows them"]
            #![doc = " (Nova's `/v2.1/images`), generated from Nova's own schemas."]
        }
    });
    let compute = api.compute.as_ref().map(|compute| {
        let module = format_ident!("{}", compute.module);
        quote! { pub mod #module; }
    });
    quote! {
        //! Typed documents of the OpenStack Glance (Rackspace Cloud Images) v2 API,
        //! generated from the JSON Schemas the service publishes under `/v2/schemas/`.
        //!
        //! Every type keeps whatever the service sent: `null` and absent keys stay
        //! different, unknown keys are kept in `additional_properties`, and enum values
        //! this version does not know arrive as `Unknown`, so a decode followed by an
        //! encode gives back the same JSON.
        //!
        //! With the `schemars` feature every type implements `schemars::JsonSchema`,
        //! describing what the service's schema says about it.
        #compute_doc
        #![forbid(unsafe_code)]

        mod support;
        #patch
        #(mod #modules;)*
        #compute

        #(#exports)*
    }
}
