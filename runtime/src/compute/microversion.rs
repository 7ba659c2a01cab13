//! Compute API microversions, and which of them still serve the image calls.

use std::fmt;
use std::str::FromStr;

use crate::error::Error;

/// A Compute API microversion, such as `2.1` or `2.35`.
///
/// Nova removed its image proxy in two steps: every `/images` route answers
/// 404 from [`Microversion::IMAGES_LAST`]` + 1` (2.36) on, and the
/// `/images/{id}/metadata` routes from [`Microversion::METADATA_LAST`]` + 1`
/// (2.39) on. [`crate::compute::Api`] sends [`Microversion::DEFAULT`] unless
/// told otherwise, and refuses to build a call for a version that no longer
/// serves it, with [`Error::ComputeMicroversion`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Microversion {
    /// The major version: 2 for every microversion Nova has.
    pub major: u16,
    /// The minor version: 35 in `2.35`. Compared as a number, so 2.4 comes
    /// before 2.36.
    pub minor: u16,
}

impl Microversion {
    /// 2.1, the base of the Compute API v2.1, which every Nova serves.
    pub const DEFAULT: Microversion = Microversion::new(2, 1);
    /// The last microversion that serves list, detail, show and delete.
    pub const IMAGES_LAST: Microversion = Microversion::new(2, 35);
    /// The last microversion that serves the image metadata calls.
    pub const METADATA_LAST: Microversion = Microversion::new(2, 38);

    /// `major.minor`, such as `Microversion::new(2, 35)` for 2.35.
    pub const fn new(major: u16, minor: u16) -> Self {
        Microversion { major, minor }
    }
}

impl fmt::Display for Microversion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl FromStr for Microversion {
    type Err = Error;

    /// Parses `2.35`. `latest` is refused: it means whatever the server's
    /// newest is, where the image calls are gone.
    fn from_str(text: &str) -> Result<Self, Error> {
        let invalid = || {
            Error::InvalidRequest(format!(
                "microversion `{text}` is not of the form 2.35 (`latest` is refused: the image calls are gone there)"
            ))
        };
        let (major, minor) = text.trim().split_once('.').ok_or_else(invalid)?;
        let number = |part: &str| {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid());
            }
            part.parse::<u16>().map_err(|_| invalid())
        };
        Ok(Microversion::new(number(major)?, number(minor)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_orders_numerically() {
        let v: Microversion = "2.35".parse().unwrap();
        assert_eq!(v, Microversion::IMAGES_LAST);
        assert!("2.4".parse::<Microversion>().unwrap() < "2.36".parse().unwrap());
        assert_eq!(Microversion::new(2, 38).to_string(), "2.38");
        for bad in ["latest", "2", "2.", ".1", "2.x", "-2.1", "2.1.1", "99999.1"] {
            assert!(
                matches!(bad.parse::<Microversion>(), Err(Error::InvalidRequest(_))),
                "{bad}"
            );
        }
    }
}
