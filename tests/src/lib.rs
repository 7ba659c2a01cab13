//! Cross-crate and end-to-end tests live under `tests/`.
