//! Doc comments from schema text.
//!
//! Schema text reaches the output only inside `#[doc = "..."]` string
//! literals, which proc-macro2 escapes, so no description can end a comment
//! early or open an item.

use proc_macro2::TokenStream;
use quote::quote;

/// One `#[doc]` attribute per line, each starting with a space so that the
/// formatter prints the familiar `/// text`.
pub fn doc_attrs(text: &str) -> TokenStream {
    let lines = text.lines().map(|line| {
        let line = format!(" {}", link_bare_urls(line.trim_end()));
        quote! { #[doc = #line] }
    });
    quote! { #(#lines)* }
}

/// Joins paragraphs with a blank doc line between them.
pub fn paragraphs<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Quotes schema text for use inside a sentence of a doc comment, where
/// backticks in the text would otherwise break the code span.
pub fn code(text: &str) -> String {
    let fence = if text.contains('`') { "``" } else { "`" };
    let pad = if text.starts_with('`') || text.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// Wraps bare `http(s)://` URLs in angle brackets, which rustdoc renders as
/// links instead of warning about them.
fn link_bare_urls(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for (index, word) in line.split(' ').enumerate() {
        if index > 0 {
            out.push(' ');
        }
        let is_url = word.starts_with("https://") || word.starts_with("http://");
        if is_url && !word.contains(['<', '>', '`']) {
            // Sentence punctuation after a URL is not part of it.
            let url = word.trim_end_matches(['.', ',', ';', ':', ')', '!', '?', '\'', '"']);
            out.push('<');
            out.push_str(url);
            out.push('>');
            out.push_str(&word[url.len()..]);
        } else {
            out.push_str(word);
        }
    }
    out
}
