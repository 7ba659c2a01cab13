//! Support code shared by the generated types. The generator emits this file
//! verbatim; it does not depend on any schema.

use std::borrow::Cow;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess};

/// Serializing properties that may be absent, `null`, or a value.
///
/// The field is `Option<Option<T>>`, skipped when `None` (absent); the inner
/// option is written as is, so `null` is written back as `null`. Decoding
/// needs no glue: [`FromMap`] reads an `Option<T>` for such a key, which
/// turns `null` into `Some(None)`.
#[allow(
    dead_code,
    reason = "schemas without an optional nullable property do not use it"
)]
pub(crate) mod nullable {
    use serde::{Serialize, Serializer};

    pub fn serialize<T, S>(value: &Option<Option<T>>, serializer: S) -> Result<S::Ok, S::Error>
    where
        T: Serialize,
        S: Serializer,
    {
        match value {
            Some(inner) => inner.serialize(serializer),
            None => serializer.serialize_none(),
        }
    }
}

/// The schema of a key that is required but may be `null`: nullable like
/// `Option<T>`, yet not optional, which schemars would make of an `Option`.
#[cfg(feature = "schemars")]
#[allow(
    dead_code,
    reason = "only named as a type in `schemars(with = ...)`, never built"
)]
pub(crate) struct Nullable<T>(PhantomData<T>);

#[cfg(feature = "schemars")]
impl<T: schemars::JsonSchema> schemars::JsonSchema for Nullable<T> {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        <Option<T>>::schema_name()
    }

    fn schema_id() -> Cow<'static, str> {
        Cow::Owned(format!("{}::Nullable<{}>", module_path!(), T::schema_id()))
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        <Option<T>>::json_schema(generator)
    }
}

/// An object key, borrowed from the input when the input allows it, so that
/// matching declared keys allocates nothing.
pub(crate) struct Key<'de>(Cow<'de, str>);

impl Key<'_> {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;

        impl<'de> de::Visitor<'de> for Visitor {
            type Value = Key<'de>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string key")
            }

            fn visit_borrowed_str<E: de::Error>(self, key: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(key)))
            }

            fn visit_str<E: de::Error>(self, key: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(key.to_owned())))
            }

            fn visit_string<E: de::Error>(self, key: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(key)))
            }
        }

        deserializer.deserialize_str(Visitor)
    }
}

/// Reading the entries of a JSON object into the fields of a generated
/// struct, for [`FromMap`] implementations.
pub(crate) trait Entries<'de>: MapAccess<'de> {
    /// Reads the value of a declared key into its slot. A key sent twice is
    /// an error, as with serde's derive; it is raised while reading the
    /// second value so that `serde_path_to_error` names the key in the path.
    fn field<T: Deserialize<'de>>(
        &mut self,
        slot: &mut Option<T>,
        key: &'static str,
    ) -> Result<(), Self::Error> {
        if slot.is_some() {
            return self.next_value_seed(Duplicate(key));
        }
        *slot = Some(self.next_value()?);
        Ok(())
    }

    /// Keeps the value of an undeclared key. A key sent twice keeps its last
    /// value, as `serde_json::Value` does.
    fn keep(
        &mut self,
        additional: &mut crate::Properties,
        key: Key<'de>,
    ) -> Result<(), Self::Error> {
        additional.read_value(self, key.as_str())
    }
}

impl<'de, A: MapAccess<'de>> Entries<'de> for A {}

struct Duplicate(&'static str);

impl<'de> DeserializeSeed<'de> for Duplicate {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, _: D) -> Result<(), D::Error> {
        Err(de::Error::duplicate_field(self.0))
    }
}

/// The value of a key the schema lists in `required`.
#[allow(
    dead_code,
    reason = "schemas without a required property do not use it"
)]
pub(crate) fn required<T, E: de::Error>(slot: Option<T>, key: &'static str) -> Result<T, E> {
    slot.ok_or_else(|| E::missing_field(key))
}

/// `Deserialize` for a generated struct, which implements [`FromMap`]:
/// each declared key is decoded straight into its field with the field's own
/// type, and every other key is kept in `additional_properties`.
///
/// This replaces serde's `#[serde(flatten)]` for decoding, which buffers
/// every value before deciding where it goes. Reading each value in place is
/// faster, and a value of the wrong JSON type is an error at its own key.
/// Nothing is coerced: `null` is accepted only where the field type can hold
/// it (`Option<Option<T>>`, or a required nullable `Option<T>`), so a decoded
/// document encodes back to the same JSON.
pub(crate) fn deserialize_object<'de, T: FromMap, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    deserializer.deserialize_map(ObjectVisitor(PhantomData))
}

/// A generated struct, read from the entries of a JSON object.
pub(crate) trait FromMap: Sized {
    /// What a decode error says was expected instead.
    const EXPECTING: &'static str;

    fn from_map<'de, A: MapAccess<'de>>(map: A) -> Result<Self, A::Error>;
}

struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: FromMap> de::Visitor<'de> for ObjectVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(T::EXPECTING)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::from_map(map)
    }
}

/// Conversions and serde impls for a string enum with an `Unknown(String)`
/// variant (or another name for it, when the schema lists a value that is
/// itself `Unknown`). The enum provides `as_str` and `from_known`.
#[allow(unused_macros, reason = "schemas without an enum do not use it")]
macro_rules! string_enum {
    ($name:ident) => {
        crate::support::string_enum!($name, Unknown);
    };
    ($name:ident, $other:ident) => {
        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self::from_known(value).unwrap_or_else(|| Self::$other(value.to_owned()))
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self::from_known(&value).unwrap_or(Self::$other(value))
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Visitor;

                impl serde::de::Visitor<'_> for Visitor {
                    type Value = $name;

                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str("a string")
                    }

                    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<$name, E> {
                        Ok($name::from(value))
                    }

                    fn visit_string<E: serde::de::Error>(self, value: String) -> Result<$name, E> {
                        Ok($name::from(value))
                    }
                }

                deserializer.deserialize_str(Visitor)
            }
        }

        /// The schema describes what the service's schema promises: a string
        /// among the known values. The Rust type accepts any string on
        /// purpose, keeping values a newer service sends as `Unknown`, so a
        /// document this schema rejects for its enum value still decodes.
        #[cfg(feature = "schemars")]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }

            fn schema_id() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(concat!(module_path!(), "::", stringify!($name)))
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({
                    "type": "string",
                    "enum": $name::KNOWN_VALUES,
                })
            }
        }
    };
}

#[allow(unused_imports, reason = "schemas without an enum do not use it")]
pub(crate) use string_enum;
