//! Emitting: the model in, formatted Rust files out.

mod checks;
mod create;
mod docs;
mod idents;
mod patch;
mod schema_attrs;
mod sharing;
mod types;
mod validation;

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::error::Error;
use crate::format::{format_file, with_header};
use crate::generated_crate::{
    PATCH, PATCH_EXPORTS, PROPERTIES, PROPERTIES_EXPORTS, TEMPLATES, patch_types,
};
use crate::model::{Api, Resource};

/// The generated crate's files, by path relative to the crate root.
pub fn emit(api: &Api, command: &str, crate_name: &str) -> Result<BTreeMap<String, String>, Error> {
    let mut files = BTreeMap::new();
    let sources: Vec<&str> = api.resources.values().map(|r| r.file.as_str()).collect();
    files.insert(
        "src/lib.rs".to_owned(),
        format_file(
            &lib_rs(api, crate_name),
            command,
            &sources.join(", "),
            "src/lib.rs",
        )?,
    );
    for template in TEMPLATES.iter().filter(|t| !t.patch_only || has_patch(api)) {
        let source = format!("the generator's {} template", template.module);
        files.insert(
            format!("src/{}.rs", template.module),
            with_header(template.source, command, &source),
        );
    }
    let sharing = sharing::Sharing::of(api);
    for resource in api.resources.values() {
        let path = format!("src/{}.rs", resource.module);
        let mut tokens = types::resource_items(api, resource, &sharing);
        if checks_values(resource) {
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
            let validators = validation::validators(&mut checks, &sharing);
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

/// Whether any resource needs the patch template: its builder, or its
/// create body's checks.
fn has_patch(api: &Api) -> bool {
    api.resources.values().any(checks_values)
}

/// Whether a resource's module checks values before they are sent: it has
/// a patch builder or a create body, and so the pattern statics and the
/// `validate` methods of its nested types.
fn checks_values(resource: &Resource) -> bool {
    resource.patch.is_some() || resource.create.is_some()
}

fn lib_rs(api: &Api, crate_name: &str) -> TokenStream {
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
        if let Some(rules) = &resource.create {
            names.push(format_ident!("{create}"));
            if rules.put_update {
                names.push(format_ident!("{}Update", resource.object.rust_name));
            }
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
    let compute = api.compute.as_ref().map(|compute| {
        let module = format_ident!("{}", compute.module);
        quote! { pub mod #module; }
    });
    let properties = format_ident!("{}", PROPERTIES.module);
    let properties_exports = PROPERTIES_EXPORTS
        .iter()
        .map(|name| format_ident!("{}", name));
    let docs = crate_docs(api, crate_name).into_iter().map(|line| {
        let line = if line.is_empty() {
            line
        } else {
            format!(" {line}")
        };
        quote!(#![doc = #line])
    });
    quote! {
        #(#docs)*
        #![cfg_attr(docsrs, feature(doc_cfg))]
        #![forbid(unsafe_code)]
        #![warn(missing_docs)]

        mod support;
        mod #properties;
        pub use #properties::{#(#properties_exports),*};
        #patch
        #(mod #modules;)*
        #compute

        #(#exports)*
    }
}

/// The crate's own docs, line by line. The example needs the Glance image
/// with its patch builder, and is given only to the checked-in crate:
/// crates generated elsewhere keep schema-independent doctests to their
/// support modules.
fn crate_docs(api: &Api, crate_name: &str) -> Vec<String> {
    let mut lines: Vec<String> = [
        "Typed documents of the OpenStack Glance (Rackspace Cloud Images) v2 API,",
        "generated from the JSON Schemas the service publishes under `/v2/schemas/`.",
        "",
        "Every type keeps whatever the service sent: `null` and absent keys stay",
        "different, unknown keys are kept in `additional_properties` (a [`Properties`],",
        "in the order they were sent), and enum values this version does not know",
        "arrive as `Unknown`, so a decode followed by an encode gives back the same",
        "JSON. Each property also has a reader method that",
        "treats an absent key and `null` alike, which is what most code wants.",
        "",
        "This crate holds the documents only. To send them to a cloud, use the runtime",
        "crate, `cloud-images-runtime`, which builds every request of the API (without",
        "I/O, or through its clients) and decodes each answer into these types.",
        "",
        "Features: `schemars` makes every type implement `schemars::JsonSchema`,",
        "describing what the service's schema says about it; `jiff` reads timestamps",
        "as `jiff::Timestamp`.",
    ]
    .map(str::to_owned)
    .to_vec();
    if api.compute.is_some() {
        lines.extend(
            [
                "",
                "The [`compute`] module holds the same images as the Compute API shows them",
                "(Nova's `/v2.1/images`), generated from Nova's own schemas.",
            ]
            .map(str::to_owned),
        );
    }
    let image = api.resources.get("image").filter(|r| {
        r.object.rust_name == "Image"
            && r.patch.is_some()
            && ["id", "name", "size", "tags"]
                .iter()
                .all(|p| r.object.properties.contains_key(*p))
    });
    if image.is_none() || crate_name != crate::DEFAULT_CRATE_NAME {
        return lines;
    }
    let example = format!(
        r##"
# Example

```
use {crate_name}::{{Image, ImagePatch}};

let image: Image = serde_json::from_str(
    r#"{{"id": "1bea47ed-f6a9-463b-b423-14b9cca9ad27", "name": null, "size": 1024, "tags": ["base"]}}"#,
)?;
assert_eq!(image.id(), Some("1bea47ed-f6a9-463b-b423-14b9cca9ad27"));
assert_eq!(image.name(), None);
// The field still knows the service sent `null` rather than nothing.
assert_eq!(image.name, Some(None));
assert_eq!(image.size(), Some(1024));
assert_eq!(image.tags(), Some(&["base".to_owned()][..]));

// Only the operations the service accepts exist, and values are checked.
let patch = ImagePatch::builder()
    .replace_name(Some("cirros"))
    .add_property("hw_disk_bus", "virtio")
    .build()?;
assert_eq!(patch.len(), 2);
# Ok::<(), Box<dyn std::error::Error>>(())
```"##
    );
    lines.extend(example.lines().map(str::to_owned));
    lines
}
