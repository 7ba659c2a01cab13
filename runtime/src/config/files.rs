//! Finding, parsing and merging `clouds.yaml`, `secure.yaml` and
//! `clouds-public.yaml`.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::error::ConfigError;
use super::sources::Sources;
use super::{CloudConfig, cloud};

const SUFFIXES: [&str; 3] = [".yaml", ".yml", ".json"];

/// The directories searched, in order (see the module docs).
fn search_dirs(sources: &Sources) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(current) = sources.current_dir() {
        dirs.push(current.to_owned());
    }
    match sources.var("XDG_CONFIG_HOME").filter(|dir| !dir.is_empty()) {
        Some(config_home) => dirs.push(Path::new(config_home).join("openstack")),
        None => {
            if let Some(home) = sources.var("HOME").filter(|dir| !dir.is_empty()) {
                dirs.push(Path::new(home).join(".config").join("openstack"));
            }
        }
    }
    dirs.push(PathBuf::from("/etc/openstack"));
    dirs
}

/// Every place `base` (such as `clouds`) may be, in the order tried.
fn candidates(sources: &Sources, base: &str, override_var: Option<&str>) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = override_var
        .and_then(|var| sources.var(var))
        .filter(|path| !path.is_empty())
        .map(PathBuf::from)
        .into_iter()
        .collect();
    for dir in search_dirs(sources) {
        for suffix in SUFFIXES {
            paths.push(dir.join(format!("{base}{suffix}")));
        }
    }
    paths
}

/// One parsed file: its path and its top-level mapping.
#[derive(Debug)]
struct Document {
    path: PathBuf,
    root: Map<String, Value>,
}

impl Document {
    /// The first of `paths` that exists, parsed.
    fn first(sources: &Sources, paths: &[PathBuf]) -> Result<Option<Document>, ConfigError> {
        for path in paths {
            let bytes = match sources.read(path) {
                Ok(Some(bytes)) => bytes,
                Ok(None) => continue,
                Err(source) => {
                    return Err(ConfigError::Read {
                        path: path.clone(),
                        source,
                    });
                }
            };
            return Document::parse(path, &bytes).map(Some);
        }
        Ok(None)
    }

    fn parse(path: &Path, bytes: &[u8]) -> Result<Document, ConfigError> {
        let value: Value = if path.extension().is_some_and(|ext| ext == "json") {
            serde_json::from_slice(bytes).map_err(|error| ConfigError::Syntax {
                path: path.to_owned(),
                line: error.line(),
                column: error.column(),
                message: error.to_string(),
            })?
        } else {
            serde_yaml_ng::from_slice(bytes).map_err(|error| {
                let location = error.location();
                ConfigError::Syntax {
                    path: path.to_owned(),
                    line: location.as_ref().map_or(0, |at| at.line()),
                    column: location.as_ref().map_or(0, |at| at.column()),
                    message: error.to_string(),
                }
            })?
        };
        let root = match value {
            Value::Object(map) => map,
            // An empty file.
            Value::Null => Map::new(),
            other => {
                return Err(ConfigError::Shape {
                    path: path.to_owned(),
                    message: format!("the document is {}, not a mapping", kind(&other)),
                });
            }
        };
        Ok(Document {
            path: path.to_owned(),
            root,
        })
    }

    /// The mapping under `key` (such as `clouds`), empty when absent.
    fn section(&self, key: &str) -> Result<Map<String, Value>, ConfigError> {
        match self.root.get(key) {
            None | Some(Value::Null) => Ok(Map::new()),
            Some(Value::Object(map)) => Ok(map.clone()),
            Some(other) => Err(ConfigError::Shape {
                path: self.path.clone(),
                message: format!("`{key}` is {}, not a mapping of names", kind(other)),
            }),
        }
    }
}

pub(crate) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// The three files, as found.
#[derive(Debug)]
pub(crate) struct ConfigFiles {
    clouds: Option<Document>,
    secure: Option<Document>,
    vendor: Option<Document>,
    searched: Vec<PathBuf>,
}

impl ConfigFiles {
    pub fn load(sources: &Sources) -> Result<ConfigFiles, ConfigError> {
        let searched = candidates(sources, "clouds", Some("OS_CLIENT_CONFIG_FILE"));
        Ok(ConfigFiles {
            clouds: Document::first(sources, &searched)?,
            secure: Document::first(
                sources,
                &candidates(sources, "secure", Some("OS_CLIENT_SECURE_FILE")),
            )?,
            vendor: Document::first(sources, &candidates(sources, "clouds-public", None))?,
            searched,
        })
    }

    pub fn names(&self) -> Vec<String> {
        self.clouds
            .as_ref()
            .and_then(|document| document.section("clouds").ok())
            .map(|clouds| clouds.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// The cloud `name`, merged with its secure part and profile, checked.
    pub fn cloud(&self, name: &str) -> Result<CloudConfig, ConfigError> {
        let Some(clouds_file) = &self.clouds else {
            return Err(ConfigError::NoConfigFile {
                searched: self.searched.clone(),
            });
        };
        let clouds = clouds_file.section("clouds")?;
        let Some(entry) = clouds.get(name) else {
            return Err(ConfigError::UnknownCloud {
                name: name.to_owned(),
                path: clouds_file.path.clone(),
                known: clouds.keys().cloned().collect(),
            });
        };
        let mut merged = normalise(entry.clone());
        if let Some(secure) = &self.secure {
            if let Some(secret_part) = secure.section("clouds")?.get(name) {
                merge(&mut merged, normalise(secret_part.clone()));
            }
        }
        let merged = self.apply_profile(name, merged)?;
        cloud::from_value(name, &merged)
    }

    fn apply_profile(&self, name: &str, cloud: Value) -> Result<Value, ConfigError> {
        let profile = ["profile", "cloud"]
            .iter()
            .find_map(|key| cloud.get(*key).and_then(Value::as_str))
            .map(str::to_owned);
        let Some(profile) = profile else {
            return Ok(cloud);
        };
        let profiles = match &self.vendor {
            Some(vendor) => vendor.section("public-clouds")?,
            None => Map::new(),
        };
        let Some(vendor_entry) = profiles.get(&profile) else {
            return Err(ConfigError::UnknownProfile {
                cloud: name.to_owned(),
                profile,
                known: profiles.keys().cloned().collect(),
            });
        };
        // A profile may nest its settings under `profile:` as openstacksdk's
        // vendor files do, or give them directly.
        let vendor_settings = match vendor_entry.get("profile") {
            Some(inner @ Value::Object(_)) => inner.clone(),
            _ => vendor_entry.clone(),
        };
        let mut merged = normalise(vendor_settings);
        merge(&mut merged, cloud);
        Ok(merged)
    }
}

/// Merges `over` into `base`, mapping by mapping; anything else in `over`
/// replaces what `base` had.
fn merge(base: &mut Value, over: Value) {
    match (base, over) {
        (Value::Object(base), Value::Object(over)) => {
            for (key, value) in over {
                match base.get_mut(&key) {
                    Some(existing) => merge(existing, value),
                    None => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (base, over) => *base = over,
    }
}

/// `-` in keys becomes `_` (openstacksdk accepts both), and the v2-era
/// `tenant_*` keys become `project_*`, at the top level and in `auth`.
pub(crate) fn normalise(value: Value) -> Value {
    fn keys(map: Map<String, Value>) -> Map<String, Value> {
        map.into_iter()
            .map(|(key, value)| {
                let key = key.replace('-', "_");
                let key = match key.as_str() {
                    "tenant_name" => "project_name".to_owned(),
                    "tenant_id" => "project_id".to_owned(),
                    _ => key,
                };
                (key, value)
            })
            .collect()
    }
    match value {
        Value::Object(map) => {
            let mut map = keys(map);
            match map.remove("auth") {
                Some(Value::Object(auth)) => {
                    map.insert("auth".to_owned(), Value::Object(keys(auth)));
                }
                Some(other) => {
                    map.insert("auth".to_owned(), other);
                }
                None => {}
            }
            Value::Object(map)
        }
        other => other,
    }
}
