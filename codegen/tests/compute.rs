//! Nova's image schemas (`schemas/compute/`): they generate the `compute`
//! module with the built-in overlay, and each way the files and the
//! overlay's `compute` entry can disagree is refused with the file, the
//! pointer and the reason.

mod common;

use cloud_images_codegen::{Options, Overlay, SchemaSource, generate_with_compute};

use common::{compute_sources, json_files, source, workspace_root};

fn glance_sources() -> Vec<SchemaSource> {
    json_files(&workspace_root().join("schemas"))
        .iter()
        .map(|p| source(p))
        .collect()
}

fn options() -> Options {
    Options::glance().expect("the built-in overlay parses")
}

fn compute_module(
    sources: &[SchemaSource],
    options: &Options,
) -> Result<String, cloud_images_codegen::Error> {
    let mut files = generate_with_compute(&glance_sources(), sources, options)?;
    Ok(files.remove("src/compute.rs").expect("src/compute.rs"))
}

#[test]
fn nova_schemas_give_the_compute_module() {
    let module = compute_module(&compute_sources(), &options()).expect("generates");
    let file = syn::parse_file(&module).expect("parses");
    let mut names: Vec<String> = file
        .items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(s) => Some(s.ident.to_string()),
            syn::Item::Enum(e) => Some(e.ident.to_string()),
            _ => None,
        })
        .collect();
    names.sort();
    let expected = [
        "DiskConfig",
        "Image",
        "ImageDetailPage",
        "ImageIndexPage",
        "ImageShow",
        "ImageSummary",
        "Link",
        "Metadata",
        "MetadataItem",
        "MetadataItemUpdate",
        "MetadataUpdate",
        "PageLink",
        "Server",
        "ServerLink",
        "Status",
    ];
    assert_eq!(names, expected);
}

#[test]
fn a_file_the_overlay_does_not_name_is_refused() {
    let mut sources = compute_sources();
    sources.push(SchemaSource::new(
        "schemas/compute/images.new_response.json",
        r#"{"type": "object"}"#,
    ));
    let error = compute_module(&sources, &options()).expect_err("refused");
    assert_eq!(error.file, "schemas/compute/images.new_response.json");
    assert_eq!(error.pointer, "");
    assert!(
        error.reason.contains("has no entry `images.new_response`"),
        "{error}"
    );
}

#[test]
fn an_overlay_entry_without_its_file_is_refused() {
    let sources: Vec<SchemaSource> = compute_sources()
        .into_iter()
        .filter(|s| !s.file.ends_with("images.show_response.json"))
        .collect();
    let error = compute_module(&sources, &options()).expect_err("refused");
    assert_eq!(error.file, "codegen/overlay.json");
    assert_eq!(error.pointer, "/compute/files/images.show_response");
    assert!(
        error
            .reason
            .contains("no schema file `images.show_response.json`"),
        "{error}"
    );
}

#[test]
fn two_files_naming_one_type_must_agree() {
    let mut sources = compute_sources();
    let metadata = sources
        .iter_mut()
        .find(|s| s.file.ends_with("image_metadata.create_response.json"))
        .expect("the file");
    metadata.text = r#"{"type": "object", "properties": {"metadata": {"type": "string"}}, "required": ["metadata"]}"#.to_owned();
    let error = compute_module(&sources, &options()).expect_err("refused");
    // Files are read in name order: the changed file defines `Metadata`
    // first, and the next file that names it is the one refused.
    assert_eq!(
        error.file,
        "schemas/compute/image_metadata.index_response.json"
    );
    assert_eq!(error.pointer, "/properties/metadata");
    assert!(
        error.reason.contains("schemas/compute/image_metadata.create_response.json would both define the Rust type `Metadata`, differently"),
        "{error}"
    );
}

#[test]
fn a_fact_about_a_missing_property_is_refused() {
    let mut overlay: serde_json::Value =
        serde_json::from_str(include_str!("../overlay.json")).expect("the overlay is JSON");
    overlay["compute"]["facts"]["Image"]["nope"] =
        serde_json::json!({"doc": "d", "why": "w", "evidence": ["e"]});
    let mut options = options();
    options.overlay = Overlay::parse(&overlay.to_string()).expect("parses");
    let error = compute_module(&compute_sources(), &options).expect_err("refused");
    assert_eq!(error.file, "codegen/overlay.json");
    assert_eq!(error.pointer, "/compute/facts/Image/nope");
    assert!(
        error.reason.contains("`Image` has no property `nope`"),
        "{error}"
    );
}

#[test]
fn a_fact_without_evidence_is_refused() {
    let text = r#"{"compute": {"facts": {"Image": {"status": {"doc": "d", "why": "w"}}}}}"#;
    let error = Overlay::parse(text).expect_err("refused");
    assert_eq!(error.pointer, "/compute/facts/Image/status");
    assert!(
        error.reason.contains("needs `why` and `evidence`"),
        "{error}"
    );
}

/// The drift report covers the `compute` module like any resource: a new
/// status value, a new link position and a map whose values become typed
/// are each reported with their class.
#[test]
fn drift_reports_changes_of_nova_schemas() {
    let overlay = options().overlay;
    let old =
        cloud_images_codegen::lower_with_compute(&glance_sources(), &compute_sources(), &overlay)
            .expect("old");
    // Nova's files are dumped from one Python dict, so a change shows in
    // `_image_response` and in its copies in the detail and show responses.
    fn change(node: &mut serde_json::Value) {
        if let Some(status) = node
            .pointer_mut("/properties/status/enum")
            .and_then(|v| v.as_array_mut())
        {
            status.push("QUEUED".into());
            let progress = node
                .pointer_mut("/properties/progress/enum")
                .and_then(|v| v.as_array_mut())
                .expect("progress");
            progress.push(75.into());
            return;
        }
        match node {
            serde_json::Value::Object(map) => map.values_mut().for_each(change),
            serde_json::Value::Array(items) => items.iter_mut().for_each(change),
            _ => {}
        }
    }
    let mut changed = compute_sources();
    for source in &mut changed {
        let mut schema: serde_json::Value = serde_json::from_str(&source.text).expect("JSON");
        change(&mut schema);
        source.text = schema.to_string();
    }
    let new = cloud_images_codegen::lower_with_compute(&glance_sources(), &changed, &overlay)
        .expect("new");
    let report = cloud_images_codegen::drift::diff(&old, &new).to_text();
    assert!(
        report.contains("enum `Status`")
            && report.contains("gains value `QUEUED` (variant `Queued`)"),
        "{report}"
    );
    assert!(report.contains("no longer decodes as `Other`"), "{report}");
    assert!(
        report.contains(
            "`progress` allowed values: `0`, `25`, `50`, `100` → `0`, `25`, `50`, `100`, `75`"
        ),
        "{report}"
    );
    assert!(report.starts_with("compute:"), "{report}");
}
