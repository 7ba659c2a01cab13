//! The clients of the whole-operation bench: how each is built or installed,
//! and the command that runs one workload with it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::WORKLOADS;
use crate::cargo::cargo;

/// The Python clients, pinned so that runs on different days time the same code.
pub const PYTHON_CLIENTS: &[&str] = &["python-glanceclient==4.13.0", "openstacksdk==4.22.0"];

/// gtema's SDK as `xtask/bench/openstack-sdk-workload/Cargo.toml` pins it.
pub const OPENSTACK_SDK: &str = "openstack_sdk 0.22.8";

/// The workload program of gtema's SDK: a cargo project of its own, outside
/// the workspace, so that only this bench ever builds the SDK.
const OPENSTACK_SDK_PROJECT: &str = "xtask/bench/openstack-sdk-workload";

/// One client, as the report names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Client {
    /// The name in measurement keys.
    pub key: &'static str,
    /// The name in the report.
    pub label: &'static str,
    /// Whether it is one of cloud-images' clients, which the targets are for.
    pub ours: bool,
    /// The workloads it runs: every one, or only `transfer` for the
    /// variants of ours that differ from the others only there.
    pub workloads: &'static [&'static str],
}

/// The transfer workload alone.
const TRANSFER_ONLY: &[&str] = &["transfer"];

/// Every client, ours first, in the report's order. cloud-images verifies
/// what it uploads and downloads by default; the peers hash less (see the
/// report's inputs), so ours also run the transfer with verification off,
/// to compare like with like.
pub const CLIENTS: &[Client] = &[
    Client {
        key: "cloud-images",
        label: "cloud-images, blocking",
        ours: true,
        workloads: WORKLOADS,
    },
    Client {
        key: "cloud-images-noverify",
        label: "cloud-images, blocking, not verified",
        ours: true,
        workloads: TRANSFER_ONLY,
    },
    Client {
        key: "cloud-images-async",
        label: "cloud-images, async",
        ours: true,
        workloads: WORKLOADS,
    },
    Client {
        key: "cloud-images-async-noverify",
        label: "cloud-images, async, not verified",
        ours: true,
        workloads: TRANSFER_ONLY,
    },
    Client {
        key: "glanceclient",
        label: "python-glanceclient",
        ours: false,
        workloads: WORKLOADS,
    },
    Client {
        key: "openstacksdk",
        label: "openstacksdk",
        ours: false,
        workloads: WORKLOADS,
    },
    Client {
        key: "openstack_sdk",
        label: "gtema's openstack_sdk",
        ours: false,
        workloads: WORKLOADS,
    },
];

/// The built or installed programs, each `Err` with the reason when it
/// could not be had.
pub struct Programs {
    /// `runtime/examples/bench_workload.rs`, built in release.
    pub rust: PathBuf,
    /// The bench venv's Python, and `xtask/bench/workload.py`.
    python: Result<(PathBuf, PathBuf), String>,
    /// The SDK's workload program, built in release.
    openstack_sdk: Result<PathBuf, String>,
}

impl Programs {
    /// Builds and installs every client. Only cloud-images' own client is
    /// required: a peer that cannot be had is a row that says why.
    pub fn get(root: &Path) -> Result<Programs, String> {
        let rust = build_rust_client(root)?;
        let python = crate::bench::python::venv(root, PYTHON_CLIENTS)
            .map(|python| (python, root.join("xtask/bench/workload.py")));
        let openstack_sdk = build_openstack_sdk(root);
        Ok(Programs {
            rust,
            python,
            openstack_sdk,
        })
    }

    /// Programs at made-up paths, for tests of the commands.
    #[cfg(test)]
    pub fn for_tests() -> Programs {
        Programs {
            rust: PathBuf::from("bench_workload"),
            python: Ok((PathBuf::from("python"), PathBuf::from("workload.py"))),
            openstack_sdk: Ok(PathBuf::from("openstack-sdk-workload")),
        }
    }

    /// The command that runs `workload` with `client` as the user of
    /// `cloud`, with the workload's `argument`, or why it cannot run.
    pub fn command(
        &self,
        client: &Client,
        workload: &str,
        cloud: &str,
        argument: Option<&str>,
    ) -> Result<Command, String> {
        let mut command = match client.key {
            "cloud-images"
            | "cloud-images-noverify"
            | "cloud-images-async"
            | "cloud-images-async-noverify" => {
                let mut command = Command::new(&self.rust);
                let kind = if client.key.starts_with("cloud-images-async") {
                    "async"
                } else {
                    "blocking"
                };
                command.args([kind, workload]);
                command
            }
            "glanceclient" | "openstacksdk" => {
                let (python, script) = self.python.as_ref().map_err(Clone::clone)?;
                let mut command = Command::new(python);
                command.arg(script).args([client.key, workload]);
                command
            }
            "openstack_sdk" => {
                let program = self.openstack_sdk.as_ref().map_err(Clone::clone)?;
                let mut command = Command::new(program);
                command.arg(workload);
                command
            }
            other => return Err(format!("no program for the client `{other}`")),
        };
        command.arg(cloud).args(argument);
        if client.key.ends_with("-noverify") {
            command.arg("noverify");
        }
        Ok(command)
    }
}

/// Builds the Rust workload in release mode and returns its path.
fn build_rust_client(root: &Path) -> Result<PathBuf, String> {
    let status = cargo()
        .args([
            "build",
            "--quiet",
            "--release",
            "-p",
            "cloud-images-runtime",
        ])
        .args([
            "--features",
            "blocking,async",
            "--example",
            "bench_workload",
        ])
        .current_dir(root)
        .status()
        .map_err(|e| format!("could not run cargo build: {e}"))?;
    if !status.success() {
        return Err(format!(
            "building the bench_workload example failed ({status})"
        ));
    }
    let target_dir =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    Ok(target_dir.join("release/examples/bench_workload"))
}

/// Builds gtema's SDK workload into `target/bench-build` with the versions
/// its Cargo.lock pins; on failure, the reason is the compiler's last error.
fn build_openstack_sdk(root: &Path) -> Result<PathBuf, String> {
    let target = root.join("target/bench-build");
    println!("    building {OPENSTACK_SDK} ({OPENSTACK_SDK_PROJECT}, release)");
    let output = cargo()
        .args([
            "build",
            "--quiet",
            "--release",
            "--locked",
            "--manifest-path",
        ])
        .arg(root.join(OPENSTACK_SDK_PROJECT).join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&target)
        .current_dir(root)
        .stdout(Stdio::null())
        .output()
        .map_err(|e| format!("could not run cargo build: {e}"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let reason = stderr
            .lines()
            .find(|line| line.starts_with("error"))
            .unwrap_or("cargo build failed")
            .trim()
            .to_owned();
        println!("    {OPENSTACK_SDK} does not build: {reason}");
        return Err(format!("does not build here: {reason}"));
    }
    Ok(target.join("release/openstack-sdk-workload"))
}
