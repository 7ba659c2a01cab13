//! Emitting: the model in, formatted Rust files out.

mod checks;
mod create;
mod docs;
mod idents;
mod patch;
mod schema_attrs;
mod types;
mod validation;

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::error::Error;
use crate::format::{format_file, with_header};
use crate::generated_crate::{PATCH, PATCH_EXPORTS, PROPERTIES, PROPERTIES_EXPORTS, TEMPLATES, patch_types};
use crate::model::Api;

/// The generated crate's files, by path relative to the crate root.
pub fn emit(api: &Api, command: &str) -> Result<BTreeMap<String, String>, Error> {
    let mut files = BTreeMap::new();
    let sources: Vec<&str> = api.resources.values().map(|r| r.file.as_str()).collect();
    files.insert(
        "src/lib.rs".to_owned(),
        format_file(&lib_rs(api), command, &sources.join(", "), "src/lib.rs")?,
    );
    for template in TEMPLATES.iter().filter(|t| !t.patch_only || has_patch(api)) {
        let source = format!("the generator's {} template", template.module);
        files.insert(
            format!("src/{}.rs", template.module),
            with_header(template.source, command, &source),
        );
    }
    for resource in api.resources.values() {
        let path = format!("src/{}.rs", resource.module);
        let mut tokens = types::resource_items(api, resource);
        if resource.patch.is_some() || resource.create.is_some() {
            // One set of pattern statics serves the patch builder and the
            // create body, so that each pattern is compiled once.
            let mut checks = checks::Checks {
                resource,
                patterns: checks::Patterns::of(resource),
            };
            let patch = resource
                .patch
                .as_ref()
                .map(|rules| patch::patch_items(api, resource, rules, &mut checks));
            let create = resource
                .create
                .as_ref()
                .map(|rules| create::create_items(api, rules, &mut checks));
            let validators = validation::validators(&mut checks);
            tokens.extend(checks.patterns.statics());
            tokens.extend(patch);
            tokens.extend(create);
            tokens.extend(validators);
        }
        files.insert(
            path.clone(),
            format_file(&tokens, command, &resource.file, &path)?,
        );
    }
    Ok(files)
}

/// Whether any resource needs the patch template: its builder, or its
/// create body's checks.
fn has_patch(api: &Api) -> bool {
    api.resources
        .values()
        .any(|r| r.patch.is_some() || r.create.is_some())
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
        let [patch, builder, create] = patch_types(&resource.object.rust_name);
        if resource.patch.is_some() {
            names.push(format_ident!("{patch}"));
            names.push(format_ident!("{builder}"));
        }
        if resource.create.is_some() {
            names.push(format_ident!("{create}"));
        }
        names.extend(resource.types.keys().map(|name| format_ident!("{}", name)));
        quote! { pub use #module::{#(#names),*}; }
    });
    let patch = has_patch(api).then(|| {
        let module = format_ident!("{}", PATCH.module);
        let exports = PATCH_EXPORTS.iter().map(|name| format_ident!("{}", name));
        quote! {
            mod #module;
            pub use #module::{#(#exports),*};
        }
    });
    let properties = format_ident!("{}", PROPERTIES.module);
    let properties_exports = PROPERTIES_EXPORTS.iter().map(|name| format_ident!("{}", name));
    quote! {
        //! Typed documents of the OpenStack Glance (Rackspace Cloud Images) v2 API,
        //! generated from the JSON Schemas the service publishes under `/v2/schemas/`.
        //!
        //! Every type keeps whatever the service sent: `null` and absent keys stay
        //! different, unknown keys are kept in `additional_properties` (a [`Properties`],
        //! in the order they were sent), and enum values this version does not know
        //! arrive as `Unknown`, so a decode followed by an encode gives back the same JSON.
        //!
        //! With the `schemars` feature every type implements `schemars::JsonSchema`,
        //! describing what the service's schema says about it.
        #![forbid(unsafe_code)]

        mod support;
        mod #properties;
        pub use #properties::{#(#properties_exports),*};
        #patch
        #(mod #modules;)*

        #(#exports)*
    }
}
