//! No code injection: the schemas in `tests/hostile/` put text meant to
//! break out of comments, string literals, doc code blocks and identifiers
//! into every place schema text reaches (descriptions, enum values,
//! patterns, property names, definition names and the resource `name`).
//!
//! The generated files must declare exactly the expected items, show the
//! hostile text verbatim as documentation, never hold an invisible or
//! direction-changing character outside an escaped string literal, and
//! never give rustdoc a code block to run. That the crate compiles is
//! checked by `tests/tests/generated_crates_compile.rs`, which builds it with
//! `cargo xtask regenerate`.

use std::collections::{BTreeMap, BTreeSet};

mod common;

use cloud_images_codegen::{Options, generate};
use common::folder_sources;
use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use serde_json::Value;
use syn::punctuated::Punctuated;

fn generate_folder(folder: &str) -> BTreeMap<String, String> {
    // The built-in overlay, as `cargo xtask regenerate` uses: the hostile
    // `image` schema gets the patch builder too.
    let options = Options::glance().expect("the built-in overlay loads");
    generate(&folder_sources(folder), &options)
        .unwrap_or_else(|e| panic!("{folder} must generate: {e}"))
}

fn generate_hostile() -> BTreeMap<String, String> {
    generate_folder("codegen/tests/hostile")
}

fn parse(path: &str, text: &str) -> syn::File {
    syn::parse_file(text).unwrap_or_else(|e| panic!("{path} does not parse: {e}\n{text}"))
}

fn last_segment(path: &syn::Path) -> String {
    path.segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default()
}

fn type_name(ty: &syn::Type) -> String {
    match ty {
        syn::Type::Path(p) => last_segment(&p.path),
        other => other.to_token_stream().to_string(),
    }
}

/// `use a::{b, c::d}` as `use a::b` and `use a::c::d`.
fn flatten_use(tree: &syn::UseTree, prefix: &str, out: &mut Vec<String>) {
    match tree {
        syn::UseTree::Path(p) => flatten_use(&p.tree, &format!("{prefix}{}::", p.ident), out),
        syn::UseTree::Name(n) => out.push(format!("use {prefix}{}", n.ident)),
        syn::UseTree::Rename(r) => out.push(format!("use {prefix}{} as {}", r.ident, r.rename)),
        syn::UseTree::Glob(_) => out.push(format!("use {prefix}*")),
        syn::UseTree::Group(g) => g.items.iter().for_each(|t| flatten_use(t, prefix, out)),
    }
}

/// What a file declares at module level, one line per item.
fn items(file: &syn::File) -> Vec<String> {
    let mut out = Vec::new();
    for item in &file.items {
        match item {
            syn::Item::Struct(s) => out.push(format!("struct {}", s.ident)),
            syn::Item::Enum(e) => out.push(format!("enum {}", e.ident)),
            syn::Item::Impl(i) => {
                let self_type = type_name(&i.self_ty);
                match &i.trait_ {
                    Some((path, _)) => {
                        // With its arguments: `From<&ImagePatch>` and `From<ImagePatch>` are two items.
                        let trait_ = path
                            .segments
                            .last()
                            .map(|s| s.to_token_stream().to_string())
                            .unwrap_or_default();
                        out.push(format!("impl {} for {self_type}", trait_.replace(' ', "")));
                    }
                    None => out.push(format!("impl {self_type}")),
                }
            }
            syn::Item::Fn(f) => out.push(format!("fn {}", f.sig.ident)),
            syn::Item::Static(s) => out.push(format!("static {}", s.ident)),
            syn::Item::Const(c) => out.push(format!("const {}", c.ident)),
            syn::Item::Macro(m) => match &m.ident {
                Some(name) => out.push(format!("macro_rules! {name}")),
                None => out.push(format!("{}!({})", last_segment(&m.mac.path), m.mac.tokens)),
            },
            syn::Item::Mod(m) => out.push(format!("mod {}", m.ident)),
            syn::Item::Use(u) => flatten_use(&u.tree, "", &mut out),
            other => out.push(format!("unexpected item: {}", other.to_token_stream())),
        }
    }
    out.sort();
    out
}

/// The expected items of each file generated from a schema; the
/// templates (`support.rs`, `patch.rs`) are compared with the real
/// schemas' output instead.
fn expected_items() -> BTreeMap<&'static str, Vec<&'static str>> {
    let mut expected = BTreeMap::new();
    expected.insert("src/lib.rs", EXPECTED_LIB.to_vec());
    expected.insert("src/image.rs", EXPECTED_IMAGE.to_vec());
    expected.insert("src/hostile_fn_main_r.rs", EXPECTED_HOSTILE.to_vec());
    expected
}

const EXPECTED_LIB: &[&str] = &[
    "mod hostile_fn_main_r",
    "mod image",
    "mod patch",
    "mod support",
    "use hostile_fn_main_r::HostileFnMainR",
    "use hostile_fn_main_r::HostileFnMainRListItem",
    "use hostile_fn_main_r::HostileFnMainRListItemX",
    "use image::FnEvil",
    "use image::Image",
    "use image::ImageCreate",
    "use image::ImageLocation",
    "use image::ImageNested",
    "use image::ImagePatch",
    "use image::ImagePatchBuilder",
    "use image::ImageRRaw",
    "use patch::ListPosition",
    "use patch::PATCH_MEDIA_TYPE_V2_0",
    "use patch::PATCH_MEDIA_TYPE_V2_1",
    "use patch::PatchError",
    "use patch::PatchMediaType",
    "use patch::PatchOp",
    "use patch::PatchOperation",
    "use patch::Rule",
    "use patch::Violation",
    "use patch::escape_token",
];

/// `FnEvil` is the definition named `} fn evil() {`: a sanitised type name,
/// not a function.
const EXPECTED_IMAGE: &[&str] = &[
    "const IMAGE_CREATE_FREE_FORM_KEYS",
    "const IMAGE_FREE_FORM_KEYS",
    "enum FnEvil",
    "enum ImageRRaw",
    "impl Deserialize<'de> for Image",
    "impl Deserialize<'de> for ImageLocation",
    "impl Deserialize<'de> for ImageNested",
    "impl FnEvil",
    "impl From<&ImagePatch> for Patch",
    "impl From<ImagePatch> for Patch",
    "impl FromMap for Image",
    "impl FromMap for ImageLocation",
    "impl FromMap for ImageNested",
    "impl Image",
    "impl ImageCreate",
    "impl ImageLocation",
    "impl ImageNested",
    "impl ImagePatch",
    "impl ImagePatchBuilder",
    "impl ImageRRaw",
    "impl Serialize for ImagePatch",
    "static FN_EVIL_PATTERN",
    // The nested `fn evil` property has its own pattern and the same Rust name.
    "static FN_EVIL_PATTERN_2",
    "static FREE_FORM_PATTERN",
    // `id` is checked only by the create body: PATCH refuses it.
    "static ID_PATTERN",
    "string_enum!(FnEvil)",
    "string_enum!(ImageRRaw)",
    "struct Image",
    "struct ImageCreate",
    "struct ImageLocation",
    "struct ImageNested",
    "struct ImagePatch",
    "struct ImagePatchBuilder",
];

const EXPECTED_HOSTILE: &[&str] = &[
    "enum HostileFnMainRListItemX",
    "impl Deserialize<'de> for HostileFnMainR",
    "impl Deserialize<'de> for HostileFnMainRListItem",
    "impl FromMap for HostileFnMainR",
    "impl FromMap for HostileFnMainRListItem",
    "impl HostileFnMainRListItemX",
    "string_enum!(HostileFnMainRListItemX)",
    "struct HostileFnMainR",
    "struct HostileFnMainRListItem",
];

#[test]
fn declares_exactly_the_expected_items() {
    let files = generate_hostile();
    let expected = expected_items();
    let generated: BTreeSet<&str> = files.keys().map(String::as_str).collect();
    let wanted: BTreeSet<&str> = expected
        .keys()
        .copied()
        .chain(["src/support.rs", "src/patch.rs"])
        .collect();
    assert_eq!(generated, wanted, "the generated files");
    let mut differences = Vec::new();
    for (path, want) in &expected {
        let got = items(&parse(path, &files[*path]));
        let mut want: Vec<String> = want.iter().map(|s| (*s).to_owned()).collect();
        want.sort();
        if got != want {
            differences.push(format!(
                "{path}: expected\n  {}\ngot\n  {}",
                want.join("\n  "),
                got.join("\n  ")
            ));
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n\n"));
}

/// Schema text never reaches the files emitted from templates.
#[test]
fn templates_are_untouched() {
    let hostile = generate_hostile();
    let real = generate_folder("schemas");
    for path in ["src/support.rs", "src/patch.rs"] {
        assert_eq!(
            hostile.get(path),
            real.get(path),
            "{path} differs from the one generated from schemas/"
        );
    }
}

/// No identifier anywhere (items, methods, fields, statements) comes from
/// hostile text: `fn evil() {` and friends stay inside literals and docs.
#[test]
fn no_identifier_comes_from_the_payloads() {
    fn idents(stream: TokenStream, out: &mut BTreeSet<String>) {
        for tree in stream {
            match tree {
                TokenTree::Ident(ident) => {
                    out.insert(ident.to_string());
                }
                TokenTree::Group(group) => idents(group.stream(), out),
                _ => {}
            }
        }
    }
    let files = generate_hostile();
    for (path, text) in files
        .iter()
        .filter(|(path, _)| !matches!(path.as_str(), "src/support.rs" | "src/patch.rs"))
    {
        let stream: TokenStream = text
            .parse()
            .unwrap_or_else(|e| panic!("{path} does not tokenize: {e}"));
        let mut found = BTreeSet::new();
        idents(stream, &mut found);
        for payload in ["evil", "exit", "abort", "process", "warnings", "main"] {
            assert!(
                !found.contains(payload),
                "{path} has the identifier `{payload}` from hostile text"
            );
        }
    }
}

/// The text of a doc attribute: a string literal, or the `concat!` of
/// string literals the generator uses to keep escapes.
fn doc_value(attr: &syn::Attribute) -> Option<String> {
    if !attr.path().is_ident("doc") {
        return None;
    }
    let syn::Meta::NameValue(meta) = &attr.meta else {
        panic!(
            "a doc attribute that is not `doc = ...`: {}",
            attr.to_token_stream()
        );
    };
    match &meta.value {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Some(s.value()),
        syn::Expr::Macro(m) if m.mac.path.is_ident("concat") => {
            let parts = m
                .mac
                .parse_body_with(Punctuated::<syn::LitStr, syn::Token![,]>::parse_terminated)
                .unwrap_or_else(|e| panic!("concat! of something other than string literals: {e}"));
            Some(parts.iter().map(syn::LitStr::value).collect())
        }
        _ => panic!("an unexpected doc value: {}", attr.to_token_stream()),
    }
}

/// An item's documentation as rustdoc reads it, without the one leading
/// space per line the generator adds.
fn doc_text(attrs: &[syn::Attribute]) -> String {
    attrs
        .iter()
        .filter_map(doc_value)
        .map(|line| line.strip_prefix(' ').map(str::to_owned).unwrap_or(line))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every documented thing in a file (items, fields, variants, methods),
/// by a name for messages.
fn docs(file: &syn::File) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut push = |name: String, attrs: &[syn::Attribute]| {
        let text = doc_text(attrs);
        if !text.is_empty() {
            out.push((name, text));
        }
    };
    push("the file".to_owned(), &file.attrs);
    for item in &file.items {
        match item {
            syn::Item::Struct(s) => {
                push(s.ident.to_string(), &s.attrs);
                for field in &s.fields {
                    let name = field
                        .ident
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default();
                    push(format!("{}.{name}", s.ident), &field.attrs);
                }
            }
            syn::Item::Enum(e) => {
                push(e.ident.to_string(), &e.attrs);
                for variant in &e.variants {
                    push(format!("{}::{}", e.ident, variant.ident), &variant.attrs);
                }
            }
            syn::Item::Impl(i) => {
                for member in &i.items {
                    match member {
                        syn::ImplItem::Fn(f) => push(
                            format!("{}::{}", type_name(&i.self_ty), f.sig.ident),
                            &f.attrs,
                        ),
                        syn::ImplItem::Const(c) => {
                            push(format!("{}::{}", type_name(&i.self_ty), c.ident), &c.attrs)
                        }
                        _ => {}
                    }
                }
                push(format!("impl {}", type_name(&i.self_ty)), &i.attrs);
            }
            syn::Item::Fn(f) => push(f.sig.ident.to_string(), &f.attrs),
            syn::Item::Static(s) => push(s.ident.to_string(), &s.attrs),
            syn::Item::Const(c) => push(c.ident.to_string(), &c.attrs),
            _ => {}
        }
    }
    out
}

/// Every string of the schema that is documentation or that the docs quote:
/// descriptions, enum values, patterns and property names, with where they
/// are, and the resource name.
fn schema_texts(value: &Value, pointer: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let at = format!("{pointer}/{key}");
                match (key.as_str(), child) {
                    ("description" | "pattern" | "name", Value::String(text)) => {
                        out.push((at.clone(), text.clone()))
                    }
                    ("enum", Value::Array(values)) => out.extend(
                        values
                            .iter()
                            .filter_map(Value::as_str)
                            .map(|v| (at.clone(), v.to_owned())),
                    ),
                    ("properties", Value::Object(properties)) => out.extend(
                        properties
                            .keys()
                            .filter(|k| !is_identifier(k))
                            .map(|k| (format!("{at}/{k}"), k.clone())),
                    ),
                    _ => {}
                }
                schema_texts(child, &at, out);
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                schema_texts(child, &format!("{pointer}/{index}"), out);
            }
        }
        _ => {}
    }
}

/// Property names that are their own Rust field name are not repeated in
/// the docs.
fn is_identifier(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Each hostile text appears in the documentation exactly as the schema
/// has it: lowering only trims a description and makes its line breaks `\n`.
#[test]
fn hostile_text_is_documented_verbatim() {
    let files = generate_hostile();
    let modules = [
        ("codegen/tests/hostile/image.json", "src/image.rs"),
        (
            "codegen/tests/hostile/hostile.json",
            "src/hostile_fn_main_r.rs",
        ),
    ];
    let mut checked = 0;
    for source in folder_sources("codegen/tests/hostile") {
        let (_, path) = modules
            .iter()
            .find(|(file, _)| *file == source.file)
            .unwrap_or_else(|| panic!("{} has no expected module", source.file));
        let documented = docs(&parse(path, &files[*path]));
        let schema: Value =
            serde_json::from_str(&source.text).expect("the hostile schemas are JSON");
        let mut texts = Vec::new();
        schema_texts(&schema, "", &mut texts);
        checked += texts.len();
        for (pointer, text) in texts {
            // The resource name `image` is the overlay's; the free-form
            // value pattern is enforced, not documented.
            if (pointer == "/name" && text == "image")
                || pointer.starts_with("/additionalProperties")
            {
                continue;
            }
            let shown = text.trim();
            assert!(
                documented.iter().any(|(_, doc)| doc.contains(shown)),
                "{} at {pointer}: {shown:?} is not in the docs of {path}",
                source.file
            );
        }
    }
    assert!(checked >= 30, "only {checked} hostile texts were checked");
}

/// Control characters, and Unicode's invisible formatting characters
/// (bidirectional overrides and marks, zero-width spaces, separators).
fn is_invisible(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(c, '\u{00ad}' | '\u{061c}' | '\u{180e}' | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{206f}' | '\u{feff}')
}

/// rustc refuses bidirectional overrides in comments and a bare carriage
/// return in doc comments; the others would make the source read unlike
/// what it does. They must only ever appear escaped.
#[test]
fn no_raw_invisible_characters() {
    let files = generate_hostile();
    let docs_with_them = files
        .iter()
        .flat_map(|(path, text)| {
            docs(&parse(path, text))
                .into_iter()
                .map(move |(name, doc)| (path, name, doc))
        })
        .filter(|(_, _, doc)| doc.chars().any(is_invisible))
        .count();
    assert!(
        docs_with_them >= 5,
        "the hostile docs should hold invisible characters (escaped); found {docs_with_them}"
    );
    for (path, text) in &files {
        for (number, line) in text.lines().enumerate() {
            if let Some(c) = line.chars().find(|c| is_invisible(*c)) {
                panic!("{path}:{}: raw U+{:04X} in {line:?}", number + 1, c as u32);
            }
        }
    }
}

/// Checks that a doc holds no code block rustdoc would compile: every
/// fenced block is marked `text`, and no line outside one is indented
/// enough to be an indented code block.
fn assert_no_runnable_code(name: &str, doc: &str) {
    let mut open: Option<(char, usize)> = None;
    for line in doc.lines() {
        let trimmed = line.trim_start_matches(' ');
        let indent = line.len() - trimmed.len();
        let marker = trimmed.chars().next().filter(|c| *c == '`' || *c == '~');
        let run = marker.map_or(0, |m| trimmed.chars().take_while(|c| *c == m).count());
        match open {
            Some((fence, length)) => {
                if indent < 4
                    && marker == Some(fence)
                    && run >= length
                    && trimmed[run..].trim().is_empty()
                {
                    open = None;
                }
            }
            None if indent < 4 && run >= 3 => {
                let info = trimmed[run..].trim();
                assert_eq!(
                    info, "text",
                    "{name}: a code block rustdoc would run:\n{doc}"
                );
                open = marker.map(|m| (m, run));
            }
            None => assert!(
                indent < 4 && !line.starts_with('\t'),
                "{name}: an indented code block rustdoc would run: {line:?}\n{doc}"
            ),
        }
    }
    assert!(open.is_none(), "{name}: a code block is left open:\n{doc}");
}

#[test]
fn no_doc_holds_a_runnable_code_block() {
    let files = generate_hostile();
    let mut fenced = 0;
    for (path, text) in &files {
        for (name, doc) in docs(&parse(path, text)) {
            if doc.contains("```text") {
                fenced += 1;
            }
            assert_no_runnable_code(&format!("{path}: {name}"), &doc);
        }
    }
    assert!(
        fenced >= 4,
        "the hostile docs with code fences should be fenced as text; found {fenced}"
    );
}
