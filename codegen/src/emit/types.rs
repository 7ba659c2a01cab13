//! Structs and enums for a resource's documents.

use crate::generated_crate::RESERVED_METHODS;
use crate::generated_crate::items::{
    DESERIALIZE_OBJECT, ENTRIES, FROM_MAP, KEY, NULLABLE_SERDE, PROPERTIES, REQUIRED, STRING_ENUM,
};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::emit::docs::{code, doc_attrs, paragraphs};
use crate::emit::idents::ident;
use crate::emit::schema_attrs;
use crate::emit::sharing::Sharing;
use crate::lower::ADDITIONAL_FIELD;
use crate::model::{Additional, Api, Enumeration, NamedType, Object, Property, Resource, Shape};

/// The Rust type of a value of this shape, without optionality.
pub fn shape_type(api: &Api, shape: &Shape) -> TokenStream {
    match shape {
        Shape::String(_) => quote!(String),
        // A count or a size the service never lets go below zero is
        // unsigned, so that the type says so.
        Shape::Integer(rules) if rules.minimum.is_some_and(|min| min >= 0) => quote!(u64),
        Shape::Integer(_) => quote!(i64),
        // A JSON number kept exactly as sent: `0` stays `0` and `0.5` stays
        // `0.5`, where an `f64` would send `0` back as `0.0`.
        Shape::Number => quote!(serde_json::Number),
        Shape::Boolean => quote!(bool),
        Shape::Enum(name) | Shape::Object(name) => {
            let name = format_ident!("{}", name);
            quote!(#name)
        }
        Shape::Array(items, _) => {
            let items = shape_type(api, items);
            quote!(Vec<#items>)
        }
        Shape::Resource(name) => {
            let rust = api
                .resources
                .get(name)
                .map_or_else(|| name.clone(), |r| r.object.rust_name.clone());
            let rust = format_ident!("{}", rust);
            quote!(crate::#rust)
        }
        Shape::FreeFormObject => quote!(serde_json::Map<String, serde_json::Value>),
        Shape::Map(values, rules) => {
            let values = shape_type(api, values);
            if rules.nullable_values {
                quote!(std::collections::BTreeMap<String, Option<#values>>)
            } else {
                quote!(std::collections::BTreeMap<String, #values>)
            }
        }
        Shape::Any | Shape::Union(..) => quote!(serde_json::Value),
    }
}

/// The field type: absent keys are `None`; nullable keys that may also be
/// absent need a second layer so that `null` and absent stay different.
pub fn field_type(api: &Api, property: &Property) -> TokenStream {
    let inner = shape_type(api, &property.shape);
    match (property.required, property.nullable) {
        (true, false) => inner,
        (true, true) | (false, false) => quote!(Option<#inner>),
        (false, true) => quote!(Option<Option<#inner>>),
    }
}

/// The items of a service module such as `compute`: its module doc, then
/// its types.
pub fn module_items(api: &Api, resource: &Resource) -> TokenStream {
    let items = resource_items(api, resource, &Sharing::default());
    quote! {
        #![doc = " Images as the Compute API (Nova's `/v2.1/images`) shows them, generated from"]
        #![doc = " the JSON Schemas in Nova's source. Nova answers these calls by asking Glance,"]
        #![doc = " so each `Image` here is a Glance image in Nova's words."]
        #![doc = ""]
        #![doc = " As everywhere in this crate, every type keeps what the service sent: keys the"]
        #![doc = " schema forbids and values it does not list are kept, so a newer Nova never"]
        #![doc = " breaks decoding and a round trip gives back the same JSON."]
        #items
    }
}

pub fn resource_items(api: &Api, resource: &Resource, sharing: &Sharing) -> TokenStream {
    let root = object_item(api, resource, &resource.object);
    let nested = resource.types.iter().map(|(name, ty)| {
        if let Some(canonical) = sharing.alias_of(resource, name) {
            return alias_item(resource, name, canonical);
        }
        match ty {
            NamedType::Object(object) => object_item(api, resource, object),
            NamedType::Enum(enumeration) => enum_item(enumeration),
        }
    });
    quote! { #root #(#nested)* }
}

/// A type whose definition this schema repeats from another: one type
/// under both names.
fn alias_item(resource: &Resource, name: &str, canonical: &str) -> TokenStream {
    let doc = doc_attrs(&format!(
        "The `{}` schema repeats the definition of [`{canonical}`](crate::{canonical}), so this is the same type.",
        resource.name
    ));
    let name = format_ident!("{}", name);
    let canonical = format_ident!("{}", canonical);
    quote! {
        #doc
        pub type #name = crate::#canonical;
    }
}

fn object_item(api: &Api, resource: &Resource, object: &Object) -> TokenStream {
    let name = format_ident!("{}", object.rust_name);
    let fallback = format!(
        "A `{}` object of the `{}` schema.",
        object.rust_name, resource.name
    );
    let doc = doc_attrs(
        object
            .doc
            .as_deref()
            .filter(|d| !d.trim().is_empty())
            .unwrap_or(&fallback),
    );
    let fields = object.properties.values().map(|p| field(api, p));
    let extra_doc = doc_attrs(&additional_doc(&object.additional));
    let extra = ident(ADDITIONAL_FIELD);
    let default = is_defaultable(resource, object).then(|| quote!(Default,));
    let schemars_derive = schema_attrs::derive();
    let schemars_object = schema_attrs::object(&object.additional);
    let schemars_extra = schema_attrs::additional_field(api, &object.additional);
    let deserialize = deserialize_item(object);
    let accessors = string_map_accessors(object);
    let readers = readers(api, object);
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, #default serde::Serialize)]
        #schemars_derive
        #schemars_object
        pub struct #name {
            #(#fields)*
            #extra_doc
            #[serde(flatten)]
            #schemars_extra
            pub #extra: #PROPERTIES,
        }
        #deserialize
        #readers
        #accessors
    }
}

/// One reader per declared property, for the common case of reading a
/// value: absent and `null` both read as `None`, strings as `&str`, lists
/// as slices, numbers by value. The fields stay public and lossless, for
/// callers who need to tell `null` from absent.
fn readers(api: &Api, object: &Object) -> TokenStream {
    let methods = object
        .properties
        .values()
        .filter(|p| !RESERVED_METHODS.contains(&p.rust_name.as_str()))
        .map(|p| reader(api, object, p));
    let name = format_ident!("{}", object.rust_name);
    quote! {
        /// Readers: each returns the property's value, treating an absent key and
        /// `null` alike. The public fields keep the difference.
        impl #name {
            #(#methods)*
        }
    }
}

fn reader(api: &Api, object: &Object, property: &Property) -> TokenStream {
    let method = ident(&property.rust_name);
    let field = ident(&property.rust_name);
    let json = code(&property.json_name);
    /// How a value is lent out: copied, dereferenced (`&String` to
    /// `&str`, `&Vec<T>` to `&[T]`) or borrowed.
    enum Lend {
        Copy,
        Deref,
        Borrow,
    }
    let (ty, lend) = match &property.shape {
        Shape::String(_) => (quote!(&str), Lend::Deref),
        Shape::Integer(_) | Shape::Boolean => {
            let ty = shape_type(api, &property.shape);
            (quote!(#ty), Lend::Copy)
        }
        Shape::Array(items, _) => {
            let item = shape_type(api, items);
            (quote!(&[#item]), Lend::Deref)
        }
        shape => {
            let ty = shape_type(api, shape);
            (quote!(&#ty), Lend::Borrow)
        }
    };
    let (returns, body) = match (property.required, property.nullable, lend) {
        (true, false, Lend::Copy) => (ty, quote!(self.#field)),
        (true, false, _) => (ty, quote!(&self.#field)),
        (_, _, Lend::Copy) if property.required || !property.nullable => {
            (quote!(Option<#ty>), quote!(self.#field))
        }
        (_, _, Lend::Copy) => (quote!(Option<#ty>), quote!(self.#field.flatten())),
        (_, _, Lend::Deref) if property.required || !property.nullable => {
            (quote!(Option<#ty>), quote!(self.#field.as_deref()))
        }
        (_, _, Lend::Deref) => (
            quote!(Option<#ty>),
            quote!(self.#field.as_ref().and_then(Option::as_deref)),
        ),
        (_, _, Lend::Borrow) if property.required || !property.nullable => {
            (quote!(Option<#ty>), quote!(self.#field.as_ref()))
        }
        (_, _, Lend::Borrow) => (
            quote!(Option<#ty>),
            quote!(self.#field.as_ref().and_then(Option::as_ref)),
        ),
    };
    let about = match (property.required, property.nullable) {
        (true, false) => format!("The {json} property."),
        (true, true) => format!("The {json} property; `None` when it is `null`."),
        (false, false) => format!("The {json} property; `None` when it is absent."),
        (false, true) => format!("The {json} property; `None` when it is absent or `null`."),
    };
    let doc = doc_attrs(&about);
    let timestamp = timestamp_reader(object, property);
    quote! {
        #doc
        pub fn #method(&self) -> #returns {
            #body
        }
        #timestamp
    }
}

/// For a timestamp, a reader that parses it, with the `jiff` feature; the
/// text reader and the field keep the service's text as sent.
fn timestamp_reader(object: &Object, property: &Property) -> Option<TokenStream> {
    let Shape::String(rules) = &property.shape else {
        return None;
    };
    if !rules.timestamp {
        return None;
    }
    let name = format!("{}_time", property.rust_name);
    if object.properties.values().any(|p| p.rust_name == name)
        || RESERVED_METHODS.contains(&name.as_str())
    {
        return None;
    }
    let method = ident(&name);
    let text = ident(&property.rust_name);
    let doc = doc_attrs(&format!(
        "The {} property as a typed time: `Ok(None)` when it is absent, an error when the \
         service sent text that is not an RFC 3339 timestamp.",
        code(&property.json_name)
    ));
    let body = if property.required && !property.nullable {
        quote!(self.#text().parse().map(Some))
    } else {
        quote!(self.#text().map(str::parse).transpose())
    };
    Some(quote! {
        #doc
        #[cfg(feature = "jiff")]
        pub fn #method(&self) -> Result<Option<jiff::Timestamp>, jiff::Error> {
            #body
        }
    })
}

/// `Deserialize` through the support module's `FromMap`: each declared key is
/// read straight into its field and any other key is kept; the support
/// template says why this replaces a derive with `flatten`.
fn deserialize_item(object: &Object) -> TokenStream {
    let name = format_ident!("{}", object.rust_name);
    let expecting = format!("a JSON object for {}", object.rust_name);
    // The fields are locals of `from_map`, which needs two locals of its own.
    let taken: Vec<&str> = object
        .properties
        .values()
        .map(|p| p.rust_name.as_str())
        .collect();
    let map = ident(&free_name("map", &taken));
    let key = ident(&free_name("key", &taken));
    let extra = ident(ADDITIONAL_FIELD);
    let properties: Vec<&Property> = object.properties.values().collect();
    let locals: Vec<_> = properties.iter().map(|p| ident(&p.rust_name)).collect();
    let keys: Vec<&str> = properties.iter().map(|p| p.json_name.as_str()).collect();
    let values = properties.iter().zip(&locals).map(|(p, local)| {
        let json = &p.json_name;
        if p.required {
            quote!(#local: #REQUIRED(#local, #json)?)
        } else {
            quote!(#local)
        }
    });
    quote! {
        impl #FROM_MAP for #name {
            const EXPECTING: &'static str = #expecting;

            fn from_map<'de, A: serde::de::MapAccess<'de>>(mut #map: A) -> Result<Self, A::Error> {
                use #ENTRIES as _;

                #(let mut #locals = None;)*
                let mut #extra = #PROPERTIES::new();
                while let Some(#key) = #map.next_key::<#KEY<'de>>()? {
                    match #key.as_str() {
                        #(#keys => #map.field(&mut #locals, #keys)?,)*
                        _ => #map.keep(&mut #extra, #key)?,
                    }
                }
                Ok(Self {
                    #(#values,)*
                    #extra,
                })
            }
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                #DESERIALIZE_OBJECT(deserializer)
            }
        }
    }
}

/// `base`, with underscores added until no field has the name.
fn free_name(base: &str, taken: &[&str]) -> String {
    let mut name = base.to_owned();
    while taken.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

fn additional_doc(additional: &Additional) -> String {
    match additional {
        Additional::Any => {
            "Keys the schema does not declare, with their values as sent.".to_owned()
        }
        Additional::Forbidden => {
            "Keys the schema forbids (`additionalProperties: false`). The service should \
                                  never send any; they are kept so that a round trip loses nothing."
                .to_owned()
        }
        Additional::Typed(shape) => format!(
            "Keys the schema does not declare. The schema says their values are {}; values of \
             other JSON types that the service sends anyway (such as `null`) are kept as sent.",
            shape_words(shape)
        ),
    }
}

fn shape_words(shape: &Shape) -> &'static str {
    match shape {
        Shape::String(_) => "strings",
        Shape::Integer(_) => "integers",
        Shape::Number => "numbers",
        Shape::Boolean => "booleans",
        Shape::Enum(_) => "values of an enum",
        Shape::Array(..) => "arrays",
        Shape::Object(_) | Shape::Resource(_) | Shape::FreeFormObject | Shape::Map(..) => "objects",
        Shape::Any | Shape::Union(..) => "any JSON value",
    }
}

/// Typed access to undeclared keys whose values the schema says are strings
/// (Glance's custom image properties).
fn string_map_accessors(object: &Object) -> Option<TokenStream> {
    let Additional::Typed(shape) = &object.additional else {
        return None;
    };
    if !matches!(**shape, Shape::String(_)) {
        return None;
    }
    let name = format_ident!("{}", object.rust_name);
    let extra = ident(ADDITIONAL_FIELD);
    Some(quote! {
        impl #name {
            /// The string value of an undeclared property, or `None` when it
            /// is absent or not a string.
            pub fn property(&self, key: &str) -> Option<&str> {
                self.#extra.get_str(key)
            }

            /// Sets an undeclared property to a string value.
            pub fn set_property(&mut self, key: impl AsRef<str>, value: impl AsRef<str>) {
                self.#extra.insert(key.as_ref(), value.as_ref());
            }

            /// Removes an undeclared property, returning its value as sent.
            pub fn remove_property(&mut self, key: &str) -> Option<serde_json::Value> {
                self.#extra.remove(key)
            }

            /// The undeclared properties whose values are strings, in the
            /// order they were sent.
            pub fn properties(&self) -> impl Iterator<Item = (&str, &str)> {
                self.#extra.strings()
            }
        }
    })
}

/// The schema's description of a property, or, when it has none, a
/// sentence naming its JSON key: every public field has docs.
pub fn description(property: &Property) -> String {
    match property.doc.as_deref().filter(|d| !d.trim().is_empty()) {
        Some(doc) => doc.to_owned(),
        None => format!("The {} property.", code(&property.json_name)),
    }
}

/// A declared property's field. The serde attributes drive `Serialize` and
/// tell schemars which keys are required; decoding is `deserialize_item`.
fn field(api: &Api, property: &Property) -> TokenStream {
    let doc = doc_attrs(&property_doc(property));
    let name = ident(&property.rust_name);
    let ty = field_type(api, property);
    let json = &property.json_name;
    let rename = (property.rust_name != *json).then(|| quote!(rename = #json,));
    let serde = match (property.required, property.nullable) {
        (true, _) => rename.map(|r| quote!(#[serde(#r)])),
        (false, false) => {
            Some(quote!(#[serde(#rename default, skip_serializing_if = "Option::is_none")]))
        }
        (false, true) => {
            let serialize = format!("{}::serialize", NULLABLE_SERDE.path_string());
            Some(quote!(
                #[serde(
                    #rename default,
                    skip_serializing_if = "Option::is_none",
                    serialize_with = #serialize
                )]
            ))
        }
    };
    let schemars = schema_attrs::field(api, property);
    quote! {
        #doc
        #serde
        #schemars
        pub #name: #ty,
    }
}

/// The field's doc: the schema's description, then the facts a user needs
/// that the type alone does not show.
pub fn property_doc(property: &Property) -> String {
    let mut facts = Vec::new();
    if property.read_only {
        facts.push("Read-only: set by the service.".to_owned());
    }
    if property.write_only {
        facts.push("Write-only: sent by clients, never returned.".to_owned());
    }
    if !property.is_base {
        facts.push("A custom property (`is_base: false`): it can be added and removed.".to_owned());
    }
    match (property.required, property.nullable) {
        (false, true) => {
            facts.push("`None` when the key is absent, `Some(None)` when it is `null`.".to_owned())
        }
        (true, true) => facts.push("`None` when the value is `null`.".to_owned()),
        _ => {}
    }
    facts.extend(constraint_facts(property));
    let facts = facts.join(" ");
    let key = format!("JSON key: {}.", code(&property.json_name));
    let key = if property.rust_name == property.json_name {
        ""
    } else {
        key.as_str()
    };
    paragraphs([&description(property), facts.as_str(), key])
}

/// The constraints of the schema on a property's value, as sentences.
pub fn constraint_facts(property: &Property) -> Vec<String> {
    shape_facts(&property.shape)
}

/// The constraints of a shape, as sentences.
fn shape_facts(shape: &Shape) -> Vec<String> {
    let mut facts = Vec::new();
    if let Shape::String(rules) | Shape::Union(_, crate::model::UnionRules { string: rules, .. }) =
        shape
    {
        match rules.constants.as_slice() {
            [] => {}
            [one] => facts.push(format!("The schema fixes the value: {}.", code(one))),
            several => facts.push(format!(
                "The schema allows {}; other values a newer service sends are kept as sent.",
                several
                    .iter()
                    .map(|c| code(c))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
        if let Some(format) = &rules.format {
            facts.push(format_words(format));
        }
        match (rules.min_length, rules.max_length) {
            (Some(min), Some(max)) if min == max => {
                facts.push(format!("Exactly {max} characters."))
            }
            (Some(min), Some(max)) => facts.push(format!("From {min} to {max} characters.")),
            (Some(min), None) => facts.push(format!("At least {min} characters.")),
            (None, Some(max)) => facts.push(format!("At most {max} characters.")),
            (None, None) => {}
        }
        if let Some(pattern) = &rules.pattern {
            facts.push(format!("Matches {}.", code(pattern)));
        }
    }
    if let Shape::Integer(rules)
    | Shape::Union(_, crate::model::UnionRules { integer: rules, .. }) = shape
    {
        if !rules.one_of.is_empty() {
            let values: Vec<String> = rules.one_of.iter().map(i64::to_string).collect();
            facts.push(format!(
                "The schema lists {}; another value a newer service sends still decodes.",
                values.join(", ")
            ));
        }
        match (rules.minimum, rules.maximum) {
            (Some(min), Some(max)) => facts.push(format!("From {min} to {max}.")),
            (Some(min), None) => facts.push(format!("At least {min}.")),
            (None, Some(max)) => facts.push(format!("At most {max}.")),
            (None, None) => {}
        }
    }
    match shape {
        Shape::Union(types, _) => facts.insert(
            0,
            format!(
                "The schema allows a value of any of these JSON types: {}; it is kept as sent.",
                types.join(", ")
            ),
        ),
        Shape::Map(values, rules) => {
            if let Some(pattern) = &rules.key_pattern {
                facts.push(format!(
                    "The schema says keys match {}; keys that do not are kept too.",
                    code(pattern)
                ));
            }
            match (rules.min_properties, rules.max_properties) {
                (Some(1), Some(1)) => facts.push("Exactly one key.".to_owned()),
                (Some(min), Some(max)) if min == max => facts.push(format!("Exactly {max} keys.")),
                (Some(min), Some(max)) => facts.push(format!("From {min} to {max} keys.")),
                (Some(min), None) => facts.push(format!("At least {min} keys.")),
                (None, Some(max)) => facts.push(format!("At most {max} keys.")),
                (None, None) => {}
            }
            if rules.nullable_values {
                facts.push("A value may be `null`.".to_owned());
            }
            let values = shape_facts(values);
            if !values.is_empty() {
                facts.push(format!("Values: {}", values.join(" ")));
            }
        }
        Shape::Array(items, rules) => {
            if !rules.positions.is_empty() {
                facts.push(format!(
                    "The schema fixes the items in this order: {}.",
                    rules.positions.join("; then ")
                ));
            }
            match (rules.min_items, rules.max_items) {
                (Some(min), Some(max)) if min == max => {
                    facts.push(format!("The schema says exactly {max} items."))
                }
                (Some(min), Some(max)) => {
                    facts.push(format!("The schema says from {min} to {max} items."))
                }
                (Some(min), None) => facts.push(format!("The schema says at least {min} items.")),
                (None, Some(max)) => facts.push(format!("The schema says at most {max} items.")),
                (None, None) => {}
            }
            if let Shape::Array(..) | Shape::Map(..) | Shape::Union(..) = **items {
                let items = shape_facts(items);
                if !items.is_empty() {
                    facts.push(format!("Items: {}", items.join(" ")));
                }
            }
        }
        _ => {}
    }
    facts
}

/// What a string `format` means, as a sentence.
fn format_words(format: &str) -> String {
    match format {
        "uuid" => "A UUID.".to_owned(),
        "date-time" => "A date and time in ISO 8601 (RFC 3339), kept as the text sent.".to_owned(),
        "date" => "A date in ISO 8601, kept as the text sent.".to_owned(),
        "uri" => "An absolute URI.".to_owned(),
        other => format!("Format {}.", code(other)),
    }
}

fn is_defaultable(resource: &Resource, object: &Object) -> bool {
    object
        .properties
        .values()
        .all(|p| !p.required || p.nullable || shape_defaultable(resource, &p.shape, 0))
}

fn shape_defaultable(resource: &Resource, shape: &Shape, depth: usize) -> bool {
    match shape {
        Shape::Enum(_) | Shape::Resource(_) => false,
        Shape::Object(name) if depth < 16 => match resource.types.get(name) {
            Some(NamedType::Object(object)) => object.properties.values().all(|p| {
                !p.required || p.nullable || shape_defaultable(resource, &p.shape, depth + 1)
            }),
            _ => false,
        },
        Shape::Object(_) => false,
        _ => true,
    }
}

fn enum_item(enumeration: &Enumeration) -> TokenStream {
    let name = format_ident!("{}", enumeration.rust_name);
    let other = format_ident!("{}", enumeration.catch_all);
    let arrive = format!(
        "Values this version of the schema does not list arrive as `{}`, so that\n\
         a newer service never breaks decoding.",
        enumeration.catch_all
    );
    let doc = doc_attrs(&paragraphs([
        enumeration.doc.as_deref().unwrap_or(""),
        arrive.as_str(),
    ]));
    let macro_call = if enumeration.catch_all == crate::lower::UNKNOWN_VARIANT {
        quote!(#STRING_ENUM!(#name);)
    } else {
        quote!(#STRING_ENUM!(#name, #other);)
    };
    let variants: Vec<_> = enumeration
        .variants
        .iter()
        .map(|v| format_ident!("{}", v.rust_name))
        .collect();
    let values: Vec<&str> = enumeration
        .variants
        .iter()
        .map(|v| v.json_value.as_str())
        .collect();
    let variant_docs = values.iter().map(|v| doc_attrs(&code(v)));
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #name {
            #( #variant_docs #variants, )*
            /// A value this version of the schema does not list, kept as sent.
            #other(String),
        }

        impl #name {
            /// The values the schema lists, in its order.
            pub const KNOWN_VALUES: &'static [&'static str] = &[#(#values),*];

            /// The value as it appears in JSON.
            pub fn as_str(&self) -> &str {
                match self {
                    #( Self::#variants => #values, )*
                    Self::#other(value) => value,
                }
            }

            /// Whether the schema lists this value.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::#other(_))
            }

            fn from_known(value: &str) -> Option<Self> {
                match value {
                    #( #values => Some(Self::#variants), )*
                    _ => None,
                }
            }
        }

        #macro_call
    }
}
