//! [`Secret`]: a password, API key, application-credential secret or token
//! that never shows up in `Debug` output or error messages.

use std::fmt;

/// Text that must not be printed. `Debug` writes `<redacted>`, and there is
/// no `Display`: the only way to the value is [`Secret::expose`], which the
/// request builders call when they put it on the wire.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps `value`; from here on `Debug` prints it as `<redacted>`.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value itself, for sending it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Secret {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Secret {
        Secret(value.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_value() {
        let secret = Secret::new("hunter2");
        assert_eq!(format!("{secret:?}"), "<redacted>");
        assert_eq!(
            format!("{:#?}", Some(secret.clone())),
            "Some(\n    <redacted>,\n)"
        );
        assert_eq!(secret.expose(), "hunter2");
    }
}
