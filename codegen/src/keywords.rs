//! Every schema keyword the generator knows, in one place.
//!
//! A keyword is either modelled (it reaches the typed model) or ignored on
//! purpose, with the reason here. Any other keyword is rejected, because
//! dropping a keyword we do not understand could change what a document means.

/// Keywords that the lowering turns into the model.
pub const MODELLED: &[&str] = &[
    "type",
    "enum",
    "properties",
    "additionalProperties",
    "items",
    "required",
    "readOnly",
    "writeOnly",
    "is_base",
    "description",
    "name",
    "title",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "minItems",
    "maxItems",
    "uniqueItems",
    "$ref",
    "definitions",
    "$defs",
    "const",
    "format",
    "prefixItems",
    "patternProperties",
    "minProperties",
    "maxProperties",
    "allOf",
];

/// Keywords that are ignored on purpose, each with the reason it is safe.
pub const IGNORED: &[(&str, &str)] = &[
    (
        "links",
        "hypermedia hints: Glance's `links` only point at the `self`, `file` and `schema` \
         properties, which are modelled as plain strings",
    ),
    (
        "$schema",
        "names the dialect; the generator reads Glance's dialect whatever it says",
    ),
    (
        "$comment",
        "a note for schema authors; it never constrains a value",
    ),
    (
        "default",
        "annotation only: a default never makes a document invalid",
    ),
    ("examples", "annotation only"),
];

/// Why a keyword is ignored, or `None` when it is not on the list.
pub fn ignored_reason(keyword: &str) -> Option<&'static str> {
    IGNORED
        .iter()
        .find(|(name, _)| *name == keyword)
        .map(|(_, reason)| *reason)
}

pub fn is_known(keyword: &str) -> bool {
    MODELLED.contains(&keyword) || ignored_reason(keyword).is_some()
}
