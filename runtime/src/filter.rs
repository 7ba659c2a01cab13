//! Filter values in Glance's query syntax: `eq:`/`in:` matches and
//! timestamp comparisons.

use std::fmt;

use crate::error::Error;

/// A match on `name`, `id`, `status`, `disk_format` or `container_format`.
///
/// Glance reads these values as `<operator>:<value>` when they contain a
/// colon, so a plain value with a colon is sent as `eq:<value>`; values
/// without one are sent as they are (`name=page-c`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Match<T> {
    /// Exactly this value.
    Eq(T),
    /// Any of these values: `in:a,b`. A value containing a comma
    /// is sent in double quotes; a value containing a double quote cannot be
    /// expressed in Glance's syntax and is refused before sending.
    In(Vec<T>),
}

impl<T> Match<T> {
    /// Matches exactly `value`.
    pub fn eq(value: impl Into<T>) -> Self {
        Match::Eq(value.into())
    }

    /// Matches any of `values`.
    pub fn any_of<I: IntoIterator<Item = V>, V: Into<T>>(values: I) -> Self {
        Match::In(values.into_iter().map(Into::into).collect())
    }
}

impl<T: fmt::Display> Match<T> {
    pub(crate) fn render(&self, key: &str) -> Result<String, Error> {
        match self {
            Match::Eq(value) => {
                let value = value.to_string();
                Ok(if value.contains(':') {
                    format!("eq:{value}")
                } else {
                    value
                })
            }
            Match::In(values) => {
                let mut rendered = Vec::with_capacity(values.len());
                for value in values {
                    let value = value.to_string();
                    if value.contains('"') {
                        return Err(Error::InvalidRequest(format!(
                            "`{key}=in:` cannot express the value `{value}`: Glance has no escape for `\"`"
                        )));
                    }
                    rendered.push(if value.contains(',') {
                        format!("\"{value}\"")
                    } else {
                        value
                    });
                }
                Ok(format!("in:{}", rendered.join(",")))
            }
        }
    }
}

/// A comparison operator for `created_at` and `updated_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeOp {
    /// Later than (`gt:`).
    Gt,
    /// At or later than (`gte:`).
    Gte,
    /// Earlier than (`lt:`).
    Lt,
    /// At or earlier than (`lte:`).
    Lte,
    /// Exactly at (`eq:`).
    Eq,
    /// Not at (`neq:`).
    Neq,
}

impl TimeOp {
    /// The operator as Glance spells it before the colon, such as `gte`.
    pub fn as_str(self) -> &'static str {
        match self {
            TimeOp::Gt => "gt",
            TimeOp::Gte => "gte",
            TimeOp::Lt => "lt",
            TimeOp::Lte => "lte",
            TimeOp::Eq => "eq",
            TimeOp::Neq => "neq",
        }
    }
}

/// `created_at=gte:2026-11-28T00:00:00Z`. The timestamp is ISO
/// 8601 as Glance writes it; Glance answers 400 for anything else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeFilter {
    /// How the timestamp compares.
    pub op: TimeOp,
    /// An ISO 8601 timestamp, such as `2026-11-28T00:00:00Z`.
    pub timestamp: String,
}

impl TimeFilter {
    /// `op` applied to `timestamp`.
    pub fn new(op: TimeOp, timestamp: impl Into<String>) -> Self {
        TimeFilter {
            op,
            timestamp: timestamp.into(),
        }
    }

    pub(crate) fn render(&self) -> String {
        format!("{}:{}", self.op.as_str(), self.timestamp)
    }
}

/// A sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortDir {
    /// Smallest first.
    Asc,
    /// Largest first: Glance's default.
    Desc,
}

impl SortDir {
    /// `asc` or `desc`, as sent.
    pub fn as_str(self) -> &'static str {
        match self {
            SortDir::Asc => "asc",
            SortDir::Desc => "desc",
        }
    }
}
