//! Running cargo from a command without the rebuilds its environment causes.
//!
//! `cargo xtask` is `cargo run`, and cargo hands the program it runs a set
//! of variables describing the xtask package (`CARGO_MANIFEST_DIR`,
//! `CARGO_PKG_NAME`, ...). An inner cargo that inherits them passes them on
//! to build scripts, and build scripts that track them (ring's does, with
//! `rerun-if-env-changed=CARGO_MANIFEST_DIR`) then see a "changed"
//! environment: switching between `cargo xtask test` and a plain
//! `cargo test` rebuilt ring, rustls, ureq and everything above them every
//! time. The inner cargo therefore starts from the user's environment, as if
//! typed at the shell.

use std::process::Command;

/// Variables cargo sets for a program it runs (`cargo run`, a test, a build
/// script), which are not the user's configuration. Prefixes end in `_`.
/// `CARGO_HOME`, `CARGO_TARGET_DIR`, `CARGO_BUILD_*`, `CARGO_TERM_*`,
/// `RUSTFLAGS`, `RUSTC_WRAPPER` and the like are the user's and are kept.
const SET_BY_CARGO: &[&str] = &[
    "CARGO",
    "CARGO_MANIFEST_DIR",
    "CARGO_MANIFEST_PATH",
    "CARGO_MANIFEST_LINKS",
    "CARGO_PKG_",
    "CARGO_CRATE_NAME",
    "CARGO_BIN_NAME",
    "CARGO_BIN_EXE_",
    "CARGO_PRIMARY_PACKAGE",
    "CARGO_TARGET_TMPDIR",
    "CARGO_RUSTC_CURRENT_DIR",
    "CARGO_CFG_",
    "CARGO_FEATURE_",
    "CARGO_MAKEFLAGS",
    "OUT_DIR",
    // Set by `cargo clippy` for the crates it lints; an inner plain build
    // must not inherit clippy as its compiler.
    "RUSTC_WORKSPACE_WRAPPER",
    "CLIPPY_ARGS",
    "CLIPPY_CONF_DIR",
];

/// Whether cargo, not the user, set the variable `name`.
pub fn set_by_cargo(name: &str) -> bool {
    SET_BY_CARGO.iter().any(|known| {
        if known.ends_with('_') {
            name.starts_with(known)
        } else {
            name == *known
        }
    })
}

/// A `cargo` command (the same toolchain as the one running xtask) with
/// the variables cargo set for xtask removed.
pub fn cargo() -> Command {
    let program = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(program);
    for (name, _) in std::env::vars_os() {
        if name.to_str().is_some_and(set_by_cargo) {
            command.env_remove(&name);
        }
    }
    command
}

#[cfg(test)]
mod tests {
    use super::set_by_cargo;

    #[test]
    fn package_variables_go_and_user_configuration_stays() {
        for gone in [
            "CARGO",
            "CARGO_MANIFEST_DIR",
            "CARGO_PKG_NAME",
            "CARGO_PKG_VERSION_MAJOR",
            "CARGO_BIN_EXE_xtask",
            "OUT_DIR",
            "RUSTC_WORKSPACE_WRAPPER",
        ] {
            assert!(set_by_cargo(gone), "{gone} should be removed");
        }
        for kept in [
            "CARGO_HOME",
            "CARGO_TARGET_DIR",
            "CARGO_BUILD_JOBS",
            "CARGO_TERM_COLOR",
            "CARGO_INCREMENTAL",
            "CARGO_PKG",
            "CARGOX",
            "RUSTFLAGS",
            "RUSTC_WRAPPER",
            "PATH",
        ] {
            assert!(!set_by_cargo(kept), "{kept} should be kept");
        }
    }
}
