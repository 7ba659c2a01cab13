//! [`Sources`]: the environment variables, current directory and files the
//! configuration is read from, injectable so that tests never touch the
//! real ones.

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Reads a file, answering `Ok(None)` when there is none.
pub trait FileSource: Send + Sync {
    /// The bytes of the file at `path`; `Ok(None)` when it does not exist,
    /// and an error only when it exists but cannot be read.
    fn read(&self, path: &Path) -> io::Result<Option<Vec<u8>>>;
}

/// The real file system.
struct RealFiles;

impl FileSource for RealFiles {
    fn read(&self, path: &Path) -> io::Result<Option<Vec<u8>>> {
        match std::fs::read(path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(error),
        }
    }
}

/// Files held in memory, by path.
impl FileSource for BTreeMap<PathBuf, String> {
    fn read(&self, path: &Path) -> io::Result<Option<Vec<u8>>> {
        Ok(self.get(path).map(|text| text.clone().into_bytes()))
    }
}

/// Where configuration comes from. `Debug` lists the variable names only,
/// since `OS_PASSWORD` and friends hold secrets.
#[derive(Clone)]
pub struct Sources {
    vars: BTreeMap<String, String>,
    current_dir: Option<PathBuf>,
    files: Arc<dyn FileSource>,
}

impl Sources {
    /// The process's environment, current directory and file system.
    pub fn system() -> Sources {
        Sources {
            vars: std::env::vars_os()
                .filter_map(|(key, value)| {
                    Some((key.into_string().ok()?, value.into_string().ok()?))
                })
                .collect(),
            current_dir: std::env::current_dir().ok(),
            files: Arc::new(RealFiles),
        }
    }

    /// Exactly these variables, current directory and files.
    pub fn new<K: Into<String>, V: Into<String>>(
        vars: impl IntoIterator<Item = (K, V)>,
        current_dir: Option<PathBuf>,
        files: impl FileSource + 'static,
    ) -> Sources {
        Sources {
            vars: vars
                .into_iter()
                .map(|(key, value)| (key.into(), value.into()))
                .collect(),
            current_dir,
            files: Arc::new(files),
        }
    }

    /// These variables and in-memory files, with no current directory.
    pub fn in_memory<K: Into<String>, V: Into<String>>(
        vars: impl IntoIterator<Item = (K, V)>,
        files: impl IntoIterator<Item = (PathBuf, String)>,
    ) -> Sources {
        Sources::new(vars, None, files.into_iter().collect::<BTreeMap<_, _>>())
    }

    /// These variables, with the real current directory and files (for a
    /// test or tool that sets `OS_CLIENT_CONFIG_FILE` without changing the
    /// process's environment).
    pub fn with_vars<K: Into<String>, V: Into<String>>(
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Sources {
        Sources::new(vars, std::env::current_dir().ok(), RealFiles)
    }

    /// The environment variable `name`; `None` when it is unset (or, for
    /// [`Sources::system`], not valid Unicode).
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    pub(crate) fn vars(&self) -> impl Iterator<Item = (&str, &str)> {
        self.vars
            .iter()
            .map(|(key, value)| (key.as_str(), value.as_str()))
    }

    /// The current directory, searched for the configuration files right
    /// after `OS_CLIENT_CONFIG_FILE`; `None` when there is none (in-memory
    /// sources, or a current directory that no longer exists), and then it
    /// is skipped.
    pub fn current_dir(&self) -> Option<&Path> {
        self.current_dir.as_deref()
    }

    /// The file at `path`, as [`FileSource::read`] answers.
    pub fn read(&self, path: &Path) -> io::Result<Option<Vec<u8>>> {
        self.files.read(path)
    }
}

impl fmt::Debug for Sources {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sources")
            .field("vars", &self.vars.keys().collect::<Vec<_>>())
            .field("current_dir", &self.current_dir)
            .finish_non_exhaustive()
    }
}
