//! Turning schema text into Rust identifiers.
//!
//! Schema names are outside input: they may be keywords, start with a digit,
//! hold punctuation, non-ASCII letters or control characters. Only ASCII
//! letters, digits and `_` ever reach an identifier, so nothing in a name can
//! change the meaning of the generated code. The JSON key itself survives as a
//! string literal in a serde rename.

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Words that can never be identifiers, not even as raw identifiers.
const NOT_EVEN_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Keywords of every edition up to 2024, which can be used as raw identifiers.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "static", "struct", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use",
    "virtual", "where", "while", "yield",
];

/// Names of the Rust prelude (2024 edition). Generated code and the support
/// template use many of them unqualified (`Option`, `String`, `Vec`, `From`,
/// `Iterator`, ...), so a generated type must not shadow any of them.
pub const PRELUDE: &[&str] = &[
    "AsMut",
    "AsRef",
    "AsyncFn",
    "AsyncFnMut",
    "AsyncFnOnce",
    "Box",
    "Clone",
    "Copy",
    "Default",
    "DoubleEndedIterator",
    "Drop",
    "Eq",
    "Err",
    "ExactSizeIterator",
    "Extend",
    "Fn",
    "FnMut",
    "FnOnce",
    "From",
    "FromIterator",
    "Future",
    "Into",
    "IntoFuture",
    "IntoIterator",
    "Iterator",
    "None",
    "Ok",
    "Option",
    "Ord",
    "PartialEq",
    "PartialOrd",
    "Result",
    "Send",
    "Sized",
    "Some",
    "String",
    "Sync",
    "ToOwned",
    "ToString",
    "TryFrom",
    "TryInto",
    "Unpin",
    "Vec",
];

/// Replaces everything that is not an ASCII letter or digit with a word break,
/// so that heck sees `com.rackspace__1__build` as the words `com rackspace 1 build`.
fn ascii_words(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect()
}

/// A snake_case field or method name for a schema property, or `None` when the
/// name holds no ASCII letter or digit at all.
pub fn field_name(json_name: &str) -> Option<String> {
    let snake = ascii_words(json_name).to_snake_case();
    if snake.is_empty() {
        return None;
    }
    Some(escape_word(snake, "field_"))
}

/// An UpperCamelCase type or variant name, or `None` as for [`field_name`].
pub fn type_name(json_name: &str) -> Option<String> {
    let camel = ascii_words(json_name).to_upper_camel_case();
    if camel.is_empty() {
        return None;
    }
    Some(escape_word(camel, "V"))
}

fn escape_word(word: String, digit_prefix: &str) -> String {
    if word.starts_with(|c: char| c.is_ascii_digit()) {
        return format!("{digit_prefix}{word}");
    }
    if NOT_EVEN_RAW.contains(&word.as_str()) {
        return format!("{word}_");
    }
    word
}

/// Whether an identifier must be written as a raw identifier (`r#type`).
pub fn needs_raw(ident: &str) -> bool {
    KEYWORDS.contains(&ident)
}

/// The singular of a plural property name, used to name the item type of an
/// array (`locations` holds `Location`s). Names that do not look plural get
/// an `Item` suffix instead of a guess.
pub fn singular(json_name: &str) -> String {
    if let Some(stem) = json_name.strip_suffix('s') {
        if !stem.is_empty() && !stem.ends_with('s') {
            return stem.to_owned();
        }
    }
    format!("{json_name}_item")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_and_punctuation_become_identifiers() {
        assert_eq!(field_name("self").as_deref(), Some("self_"));
        assert_eq!(field_name("Self").as_deref(), Some("self_"));
        assert_eq!(field_name("type").as_deref(), Some("type"));
        assert!(needs_raw("type"));
        assert_eq!(field_name("os-distro").as_deref(), Some("os_distro"));
        assert_eq!(
            field_name("com.rackspace__1__build_core").as_deref(),
            Some("com_rackspace_1_build_core")
        );
        assert_eq!(field_name("9lives").as_deref(), Some("field_9lives"));
        assert_eq!(field_name("größe").as_deref(), Some("gr_e"));
        assert_eq!(field_name("日本"), None);
        assert_eq!(field_name(""), None);
        assert_eq!(
            type_name("pending_delete").as_deref(),
            Some("PendingDelete")
        );
        assert_eq!(type_name("2fa").as_deref(), Some("V2fa"));
    }

    #[test]
    fn plural_names_lose_their_s() {
        assert_eq!(singular("locations"), "location");
        assert_eq!(singular("tags"), "tag");
        assert_eq!(singular("class"), "class_item");
        assert_eq!(singular("data"), "data_item");
    }
}
