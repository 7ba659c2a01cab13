//! Doc comments from schema text.
//!
//! Schema text reaches the output only inside `#[doc = "..."]` string
//! literals, which proc-macro2 escapes, so no description can end a comment
//! early or open an item. Two more ways out are closed here: rustdoc runs
//! code blocks in docs as doctests, so text that could open one is fenced as
//! plain text; and the formatter prints a one-line doc literal as a `///`
//! comment, unescaped, so lines with invisible or direction-changing
//! characters are kept inside a string literal instead.

use proc_macro2::TokenStream;
use quote::quote;

/// One `#[doc]` attribute per line, each starting with a space so that the
/// formatter prints the familiar `/// text`.
pub fn doc_attrs(text: &str) -> TokenStream {
    let lines: Vec<String> = match plain_text_fence(text) {
        Some(fence) => std::iter::once(format!("{fence}text"))
            .chain(text.lines().map(|line| line.trim_end().to_owned()))
            .chain(std::iter::once(fence))
            .collect(),
        None => text
            .lines()
            .map(|line| link_bare_urls(line.trim_end()))
            .collect(),
    };
    let attrs = lines.iter().map(|line| {
        let line = format!(" {line}");
        if line.chars().any(is_invisible) {
            // The formatter prints `concat!` as written, keeping the
            // escapes; rustc refuses some of these characters raw in a
            // comment (a bare CR, the bidirectional overrides) and the
            // rest would make the source read differently from the docs.
            quote! { #[doc = concat!(#line)] }
        } else {
            quote! { #[doc = #line] }
        }
    });
    quote! { #(#attrs)* }
}

/// The backtick fence that shows `text` as a plain-text block, when the text
/// holds anything markdown could read as a code block (a fence, or an
/// indentation of four columns), which rustdoc would compile and run as a
/// doctest. The fence is longer than any run of backticks in the text, so
/// nothing inside can close it.
fn plain_text_fence(text: &str) -> Option<String> {
    let risky = ["```", "~~~", "    ", "\t"];
    if !risky.iter().any(|marker| text.contains(marker)) {
        return None;
    }
    let longest_run = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    Some("`".repeat(longest_run.max(2) + 1))
}

/// Control characters and the invisible formatting characters of Unicode
/// (bidirectional marks and overrides, zero-width spaces, line separators).
fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00ad}'
                | '\u{061c}'
                | '\u{180e}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{206f}'
                | '\u{feff}'
                | '\u{fff9}'..='\u{fffb}'
        )
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
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
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
