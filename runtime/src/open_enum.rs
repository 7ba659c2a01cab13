//! Enums over the open sets of names Glance answers with (version
//! statuses, store types, import methods): the names known today are
//! variants, and any other name decodes to `Other` and is sent back as it
//! came, so that a newer Glance never breaks decoding.

/// `open_enum! { /// docs  pub enum Name { /// docs  Variant = "text", ... } }`
/// defines the enum with an `Other(String)` variant, `as_str`,
/// `is_known`, `KNOWN_VALUES`, `Display`, `From<&str>` and serde as a string.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = $text:literal,)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
            /// A name this crate does not know, kept as sent.
            Other(String),
        }

        impl $name {
            /// The names this crate knows.
            pub const KNOWN_VALUES: &'static [&'static str] = &[$($text),*];

            /// The name as Glance writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)*
                    $name::Other(text) => text,
                }
            }

            /// Whether this is one of [`Self::KNOWN_VALUES`].
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Other(_))
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                match text {
                    $($text => $name::$variant,)*
                    other => $name::Other(other.to_owned()),
                }
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
                let text = String::deserialize(deserializer)?;
                Ok($name::from(text.as_str()))
            }
        }
    };
}

pub(crate) use open_enum;
