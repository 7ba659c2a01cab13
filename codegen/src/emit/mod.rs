//! Emitting: the model in, formatted Rust files out.

mod docs;
mod idents;
mod types;

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::error::Error;
use crate::format::format_file;
use crate::model::Api;

/// Support code that does not depend on the schemas, emitted verbatim.
const SUPPORT: &str = include_str!("../../templates/support.rs");

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
    for resource in api.resources.values() {
        let path = format!("src/{}.rs", resource.module);
        let tokens = types::resource_items(api, resource);
        files.insert(path.clone(), format_file(&tokens, command, &resource.file, &path)?);
    }
    Ok(files)
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
        names.extend(resource.types.keys().map(|name| format_ident!("{}", name)));
        quote! { pub use #module::{#(#names),*}; }
    });
    quote! {
        //! Typed documents of the OpenStack Glance (Rackspace Cloud Images) v2 API,
        //! generated from the JSON Schemas the service publishes under `/v2/schemas/`.
        //!
        //! Every type keeps whatever the service sent: `null` and absent keys stay
        //! different, unknown keys are kept in `additional_properties`, and enum values
        //! this version does not know arrive as `Unknown`, so a decode followed by an
        //! encode gives back the same JSON.
        #![forbid(unsafe_code)]

        mod support;
        #(mod #modules;)*

        #(#exports)*
    }
}
