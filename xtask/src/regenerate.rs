//! `cargo xtask regenerate [--check] [--schemas DIR] [--out DIR]`
//!
//! Rewrites the generated crate from the schemas, in the manner of
//! rust-analyzer's `ensure_file_contents`: a stale file is rewritten, or,
//! under `--check`, reported with the command that fixes it.

use std::fs;
use std::path::{Path, PathBuf};

use cloud_images_codegen::{Options, SchemaSource};

use crate::project_root;

pub const USAGE: &str = "\
usage: cargo xtask regenerate [--check] [--schemas DIR] [--out DIR]

Generates the cloud-images crate from the JSON Schemas in DIR (default:
schemas/) into --out (default: generated/), writing only the files whose
text changed, and says which. For generated/, it then prints the schema
drift since HEAD: what the schema change means for users of the crate.

  --check   write nothing; fail, naming the stale files, if any would change
  --out DIR a standalone crate (a Cargo.toml is written if none exists)";

struct Args {
    check: bool,
    schemas: PathBuf,
    out: PathBuf,
}

fn parse_args(args: &[String]) -> Result<Args, String> {
    let root = project_root();
    let mut parsed = Args {
        check: false,
        schemas: root.join("schemas"),
        out: root.join("generated"),
    };
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--check" => parsed.check = true,
            "--schemas" | "--out" => {
                let value = rest
                    .next()
                    .ok_or_else(|| format!("`{arg}` needs a directory"))?;
                let path = PathBuf::from(value);
                if arg == "--schemas" {
                    parsed.schemas = path;
                } else {
                    parsed.out = path;
                }
            }
            other => return Err(format!("regenerate: unknown argument `{other}`\n{USAGE}")),
        }
    }
    Ok(parsed)
}

pub fn run(args: &[String]) -> Result<(), String> {
    let args = parse_args(args)?;
    let command = regenerate_command(&args);
    generate(args.check, &args.schemas, &args.out, &command)?;
    if !args.check && command == cloud_images_codegen::DEFAULT_COMMAND {
        crate::diff_schemas::print_drift_since_head();
    }
    Ok(())
}

/// The command that rebuilds this output, as the header and the `--check`
/// message name it.
fn regenerate_command(args: &Args) -> String {
    let root = project_root();
    if args.schemas == root.join("schemas") && args.out == root.join("generated") {
        return cloud_images_codegen::DEFAULT_COMMAND.to_owned();
    }
    format!(
        "cargo xtask regenerate --schemas {} --out {}",
        display_path(&args.schemas),
        display_path(&args.out)
    )
}

/// Paths inside the project are shown relative to it, so that generated
/// headers are the same on every machine.
fn display_path(path: &Path) -> String {
    let root = project_root();
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    };
    absolute
        .strip_prefix(&root)
        .map(Path::to_path_buf)
        .unwrap_or(absolute)
        .to_string_lossy()
        .replace('\\', "/")
}

/// The folders of a schema directory whose files Glance serves under a
/// path of their own (`/v2/schemas/metadefs/...`); their types take the
/// folder's prefix (`MetadefNamespace`).
pub const SCHEMA_FOLDERS: [&str; 1] = ["metadefs"];

/// Glance's schemas: every `*.json` file of a schema directory, then those
/// of each of its [`SCHEMA_FOLDERS`] that exists, in name order.
pub fn read_schemas(dir: &Path) -> Result<Vec<SchemaSource>, String> {
    let mut sources = read_folder(dir)?;
    for folder in SCHEMA_FOLDERS {
        let sub = dir.join(folder);
        if sub.is_dir() {
            sources.extend(
                read_folder(&sub)?
                    .into_iter()
                    .map(|source| source.in_folder(folder)),
            );
        }
    }
    Ok(sources)
}

/// Reads every `*.json` file of one directory, in name order.
fn read_folder(dir: &Path) -> Result<Vec<SchemaSource>, String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err(format!("{} holds no *.json schema files", dir.display()));
    }
    paths
        .iter()
        .map(|path| {
            let text = fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            Ok(SchemaSource::new(display_path(path), text))
        })
        .collect()
}

/// The folder of Nova's image schemas inside a schema folder.
pub const COMPUTE_DIR: &str = "compute";

/// Nova's image schemas (`<schemas>/compute/*.json`), or none when the
/// folder is absent (a schema set of Glance alone).
pub fn read_compute_schemas(schemas: &Path) -> Result<Vec<SchemaSource>, String> {
    let dir = schemas.join(COMPUTE_DIR);
    if dir.is_dir() {
        read_folder(&dir)
    } else {
        Ok(Vec::new())
    }
}

fn generate(check: bool, schemas: &Path, out: &Path, command: &str) -> Result<(), String> {
    let sources = read_schemas(schemas)?;
    let compute = read_compute_schemas(schemas)?;
    let mut options = Options::glance().map_err(|e| e.to_string())?;
    options.command = command.to_owned();
    if out != project_root().join("generated") {
        options.crate_name = package_name(out).replace('-', "_");
    }
    let files = cloud_images_codegen::generate_with_compute(&sources, &compute, &options)
        .map_err(|e| e.to_string())?;

    let mut stale = Vec::new();
    if out != project_root().join("generated") {
        let manifest = out.join("Cargo.toml");
        if !manifest.exists() {
            ensure_file_contents(&manifest, &standalone_manifest(out), check, &mut stale)?;
        }
    }
    for (path, contents) in &files {
        ensure_file_contents(&out.join(path), contents, check, &mut stale)?;
    }
    remove_orphans(&out.join("src"), &files, out, check, &mut stale)?;

    let shown = display_path(out);
    if stale.is_empty() {
        println!(
            "{shown} is up to date ({} generated files, none written)",
            files.len()
        );
        return Ok(());
    }
    if check {
        return Err(format!(
            "generated files are stale:\n{}\nrun `{command}` to update them",
            stale
                .iter()
                .map(|p| format!("  {p}"))
                .collect::<Vec<_>>()
                .join("\n")
        ));
    }
    println!(
        "{shown}: {} of {} generated files written:",
        stale.len(),
        files.len()
    );
    for path in &stale {
        println!("  {path}");
    }
    Ok(())
}

fn ensure_file_contents(
    path: &Path,
    contents: &str,
    check: bool,
    stale: &mut Vec<String>,
) -> Result<(), String> {
    if fs::read_to_string(path).is_ok_and(|old| old == contents) {
        return Ok(());
    }
    stale.push(display_path(path));
    if check {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    fs::write(path, contents).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Generated files the schemas no longer produce (a removed schema) are
/// deleted; hand-written files, which lack the header, are left alone.
fn remove_orphans(
    src: &Path,
    files: &std::collections::BTreeMap<String, String>,
    out: &Path,
    check: bool,
    stale: &mut Vec<String>,
) -> Result<(), String> {
    let Ok(entries) = fs::read_dir(src) else {
        return Ok(());
    };
    let mut orphans: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|path| {
            let relative = path
                .strip_prefix(out)
                .map(|p| p.to_string_lossy().replace('\\', "/"));
            relative.is_ok_and(|r| !files.contains_key(&r))
                && fs::read_to_string(path).is_ok_and(|text| text.starts_with("// @generated"))
        })
        .collect();
    orphans.sort();
    for path in orphans {
        stale.push(format!("{} (no longer generated)", display_path(&path)));
        if !check {
            fs::remove_file(&path).map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
        }
    }
    Ok(())
}

/// A manifest for a crate generated outside the workspace, so that it builds
/// on its own.
fn standalone_manifest(out: &Path) -> String {
    let name = package_name(out);
    // The dependencies and features come from the generator's one list,
    // which a test keeps in step with `generated/Cargo.toml`.
    cloud_images_codegen::generated_crate::standalone_manifest(&name)
}

/// The package name of a crate generated outside the workspace: its
/// directory's name.
fn package_name(out: &Path) -> String {
    out.file_name()
        .map(|n| n.to_string_lossy().to_string())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "glance-images".to_owned())
}
