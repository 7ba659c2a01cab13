//! What the numbers were measured on, for the report's header.

use std::path::Path;
use std::process::Command;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Machine {
    pub nproc: String,
    pub cpu: String,
    pub rustc: String,
    pub os: String,
    /// `/proc/loadavg`'s three averages: others' work skews the times.
    pub load: String,
    /// The commit measured, with `+ changes` when the tree differs from it.
    pub commit: String,
    pub date: String,
}

impl Machine {
    /// Facts that cannot be read come out as `unknown`: a missing fact is
    /// worth noting in the report, not worth failing the run.
    pub fn detect(root: &Path) -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let commit = match output("git", &["rev-parse", "--short", "HEAD"], root) {
            Some(head) => {
                let dirty =
                    output("git", &["status", "--porcelain"], root).is_some_and(|s| !s.is_empty());
                if dirty {
                    format!("{head} + uncommitted changes")
                } else {
                    head
                }
            }
            None => "unknown".to_owned(),
        };
        Machine {
            nproc: output("nproc", &[], root).unwrap_or_else(unknown),
            cpu: cpu_model(&cpuinfo).unwrap_or_else(unknown),
            rustc: output("rustc", &["--version"], root).unwrap_or_else(unknown),
            os: output("uname", &["-srm"], root).unwrap_or_else(unknown),
            load: std::fs::read_to_string("/proc/loadavg")
                .ok()
                .map(|text| {
                    text.split_whitespace()
                        .take(3)
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .unwrap_or_else(unknown),
            commit,
            date: output("date", &["-u", "+%Y-%m-%d %H:%M UTC"], root).unwrap_or_else(unknown),
        }
    }
}

impl Machine {
    #[cfg(test)]
    pub fn unknown() -> Self {
        Machine {
            nproc: unknown(),
            cpu: unknown(),
            rustc: unknown(),
            os: unknown(),
            load: unknown(),
            commit: unknown(),
            date: unknown(),
        }
    }
}

fn unknown() -> String {
    "unknown".to_owned()
}

/// The first `model name` of `/proc/cpuinfo`.
pub fn cpu_model(cpuinfo: &str) -> Option<String> {
    cpuinfo.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        (key.trim() == "model name").then(|| value.trim().to_owned())
    })
}

fn output(program: &str, args: &[&str], dir: &Path) -> Option<String> {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_first_model_name() {
        let cpuinfo = "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) Processor\n\
                       processor\t: 1\nmodel name\t: Other\n";
        assert_eq!(
            cpu_model(cpuinfo).as_deref(),
            Some("Intel(R) Xeon(R) Processor")
        );
        assert_eq!(cpu_model("processor\t: 0\n"), None);
    }
}
