//! String and integer constraints: lengths, patterns and ranges.

use serde_json::{Map, Value};

use crate::error::{Error, child_pointer};
use crate::model::{IntegerRules, StringRules};

use super::Lowerer;

impl Lowerer<'_> {
    pub(super) fn string_rules(
        &self,
        schema: &Map<String, Value>,
        pointer: &str,
    ) -> Result<StringRules, Error> {
        let min_length = self.length(schema, pointer, "minLength")?;
        let max_length = self.length(schema, pointer, "maxLength")?;
        if let (Some(min), Some(max)) = (min_length, max_length) {
            if min > max {
                return Err(self.error(
                    &child_pointer(pointer, "minLength"),
                    format!("minLength {min} is greater than maxLength {max}, so no string fits"),
                ));
            }
        }
        let pattern = schema
            .get("pattern")
            .and_then(Value::as_str)
            .map(str::to_owned);
        if let Some(pattern) = &pattern {
            if let Err(e) = regex::Regex::new(pattern) {
                return Err(self.error(
                    &child_pointer(pointer, "pattern"),
                    format!("the pattern cannot be compiled by the regex crate, so values could not be checked: {e}"),
                ));
            }
        }
        Ok(StringRules {
            min_length,
            max_length,
            pattern,
            format: self.format(schema, pointer)?,
            constants: Vec::new(),
        })
    }

    pub(super) fn length(
        &self,
        schema: &Map<String, Value>,
        pointer: &str,
        key: &str,
    ) -> Result<Option<u64>, Error> {
        match schema.get(key) {
            None => Ok(None),
            Some(v) => v.as_u64().map(Some).ok_or_else(|| {
                self.error(
                    &child_pointer(pointer, key),
                    format!("`{key}` must be a non-negative whole number"),
                )
            }),
        }
    }

    pub(super) fn integer_rules(
        &self,
        schema: &Map<String, Value>,
        pointer: &str,
    ) -> Result<IntegerRules, Error> {
        let bound = |key: &str| -> Result<Option<i64>, Error> {
            match schema.get(key) {
                None => Ok(None),
                Some(v) => v.as_i64().map(Some).ok_or_else(|| {
                    self.error(
                        &child_pointer(pointer, key),
                        format!("`{key}` must be a whole number that fits in 64 bits"),
                    )
                }),
            }
        };
        let minimum = bound("minimum")?;
        let maximum = bound("maximum")?;
        if let (Some(min), Some(max)) = (minimum, maximum) {
            if min > max {
                return Err(self.error(
                    &child_pointer(pointer, "minimum"),
                    format!("minimum {min} is greater than maximum {max}, so no value fits"),
                ));
            }
        }
        Ok(IntegerRules {
            minimum,
            maximum,
            one_of: Vec::new(),
        })
    }

    /// `format`: one of the formats JSON Schema defines. An unknown name is
    /// refused rather than dropped: it may say something the docs should show.
    pub(super) fn format(
        &self,
        schema: &Map<String, Value>,
        pointer: &str,
    ) -> Result<Option<String>, Error> {
        let Some(value) = schema.get("format") else {
            return Ok(None);
        };
        let at = child_pointer(pointer, "format");
        let name = value.as_str().ok_or_else(|| {
            self.error(
                &at,
                format!(
                    "`format` must be a string, found {}",
                    crate::load::json_kind(value)
                ),
            )
        })?;
        if !KNOWN_FORMATS.contains(&name) {
            return Err(self.error(
                &at,
                format!(
                    "unknown format `{name}`; the generator knows {}. Drop it or ask for support",
                    KNOWN_FORMATS.join(", ")
                ),
            ));
        }
        Ok(Some(name.to_owned()))
    }
}

/// The string formats of JSON Schema (draft 2020-12, section 7.3).
pub const KNOWN_FORMATS: &[&str] = &[
    "date-time",
    "date",
    "time",
    "duration",
    "email",
    "idn-email",
    "hostname",
    "idn-hostname",
    "ipv4",
    "ipv6",
    "uri",
    "uri-reference",
    "iri",
    "iri-reference",
    "uuid",
    "uri-template",
    "json-pointer",
    "relative-json-pointer",
    "regex",
];
