//! Identifiers for names that lowering has already sanitised.

use proc_macro2::{Ident, Span};

use crate::names::needs_raw;

/// A field, method or module identifier; keywords become raw identifiers.
pub fn ident(name: &str) -> Ident {
    if needs_raw(name) {
        Ident::new_raw(name, Span::call_site())
    } else {
        Ident::new(name, Span::call_site())
    }
}

/// An identifier built from a prefix and a sanitised name, such as
/// `replace_` + `type`, which is never a keyword.
pub fn prefixed(prefix: &str, name: &str) -> Ident {
    Ident::new(&format!("{prefix}{name}"), Span::call_site())
}
