//! Running the lab's programs with their output in a log file, and quoting
//! the end of that log when they fail.

use std::fs;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Runs `command` with stdout and stderr appended to `log`; on failure the
/// error names `what`, the log, and quotes its last lines.
pub fn logged(what: &str, command: &mut Command, log: &Path) -> Result<(), String> {
    let file = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .map_err(|e| format!("cannot open {}: {e}", log.display()))?;
    let err = file.try_clone().map_err(|e| e.to_string())?;
    let status = command
        .stdin(Stdio::null())
        .stdout(file)
        .stderr(err)
        .status()
        .map_err(|e| format!("{what}: cannot run {:?}: {e}", command.get_program()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed ({status}); last lines of {}:\n{}",
            log.display(),
            tail(&fs::read_to_string(log).unwrap_or_default(), 25)
        ))
    }
}

/// Runs the jobs at once, each on its own thread, and waits for all of
/// them; the error lists every job's error, not only the first.
pub fn all_at_once<F>(jobs: impl IntoIterator<Item = F>) -> Result<(), String>
where
    F: FnOnce() -> Result<(), String> + Send,
{
    let errors: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = jobs.into_iter().map(|job| scope.spawn(job)).collect();
        handles
            .into_iter()
            .filter_map(|handle| match handle.join() {
                Ok(result) => result.err(),
                Err(_) => Some("a set-up thread panicked".to_owned()),
            })
            .collect()
    });
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("\n"))
    }
}

pub fn combined(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

pub fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// A path as text for a configuration file; the lab's paths must be UTF-8.
pub fn utf8(path: &Path) -> Result<&str, String> {
    path.to_str()
        .ok_or_else(|| format!("the path {} is not UTF-8", path.display()))
}
