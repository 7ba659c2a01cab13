//! `cargo xtask diff-schemas <old-dir> <new-dir> [--format text|json] [--fail-on breaking]`
//!
//! Reports what a change of the schemas means for users of the generated
//! crate (see `cloud_images_codegen::drift` for the rules). `regenerate`
//! also calls [`print_drift_since_head`] so that a schema update shows its
//! consequences right away.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use cloud_images_codegen::drift::{self, DriftReport};
use cloud_images_codegen::model::Api;
use cloud_images_codegen::{Overlay, SchemaSource};

use crate::project_root;
use crate::regenerate::{read_compute_schemas, read_schemas};

pub const USAGE: &str = "\
usage: cargo xtask diff-schemas <old-dir> <new-dir> [--format text|json] [--fail-on breaking]

Reports what changing the schemas in <old-dir> to those in <new-dir> means for
users of the generated crate: breaking, additive and description changes.

  --format json        for tools (default: text)
  --fail-on breaking   exit 1 when anything can break users' code";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Text,
    Json,
}

struct Args {
    old: PathBuf,
    new: PathBuf,
    format: Format,
    fail_on_breaking: bool,
}

fn parse_args(args: &[String]) -> Result<Args, String> {
    let mut dirs = Vec::new();
    let mut format = Format::Text;
    let mut fail_on_breaking = false;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--format" => {
                format = match rest.next().map(String::as_str) {
                    Some("text") => Format::Text,
                    Some("json") => Format::Json,
                    _ => return Err(format!("`--format` takes `text` or `json`\n{USAGE}")),
                }
            }
            "--fail-on" => match rest.next().map(String::as_str) {
                Some("breaking") => fail_on_breaking = true,
                _ => return Err(format!("`--fail-on` takes `breaking`\n{USAGE}")),
            },
            flag if flag.starts_with("--") => {
                return Err(format!("diff-schemas: unknown argument `{flag}`\n{USAGE}"));
            }
            dir => dirs.push(PathBuf::from(dir)),
        }
    }
    let [old, new]: [PathBuf; 2] = dirs
        .try_into()
        .map_err(|_| format!("diff-schemas needs two schema directories\n{USAGE}"))?;
    Ok(Args {
        old,
        new,
        format,
        fail_on_breaking,
    })
}

pub fn run(args: &[String]) -> Result<(), String> {
    let args = parse_args(args)?;
    let old = load("old", &args.old)?;
    let new = load("new", &args.new)?;
    let report = drift::diff(&old, &new);
    let text = match args.format {
        Format::Text => report.to_text(),
        // `{:#}` is serde_json's pretty form.
        Format::Json => format!("{:#}\n", report.to_json()),
    };
    // A reader that stops early (`| head`) is not an error of the report.
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    if args.fail_on_breaking && report.has_breaking() {
        return Err(format!(
            "{} breaking change(s) between {} and {}",
            report.count(drift::Class::Breaking),
            args.old.display(),
            args.new.display()
        ));
    }
    Ok(())
}

fn load(side: &str, dir: &Path) -> Result<Api, String> {
    let sources = read_schemas(dir).map_err(|e| format!("cannot load the {side} schemas: {e}"))?;
    let compute =
        read_compute_schemas(dir).map_err(|e| format!("cannot load the {side} schemas: {e}"))?;
    lower(side, dir, sources, compute)
}

/// Lowers one side, with its `compute/` folder when it has one; the
/// generator's error already names the file, the JSON pointer and the reason.
fn lower(
    side: &str,
    dir: &Path,
    sources: Vec<SchemaSource>,
    compute: Vec<SchemaSource>,
) -> Result<Api, String> {
    let overlay = Overlay::glance().map_err(|e| e.to_string())?;
    cloud_images_codegen::lower_with_compute(&sources, &compute, &overlay)
        .map_err(|e| format!("cannot load the {side} schemas ({}): {e}", dir.display()))
}

/// After `cargo xtask regenerate`: the drift between the schemas as
/// committed at `HEAD` and the working tree's `schemas/`.
pub fn print_drift_since_head() {
    match drift_since_head(&project_root()) {
        Some(text) => print!("{text}"),
        None => println!("schema drift since HEAD: none"),
    }
}

/// Nothing when git or the committed schemas are unavailable, or when
/// nothing drifted.
fn drift_since_head(root: &Path) -> Option<String> {
    let mut old = schemas_at_head(root, "schemas/")?;
    for folder in crate::regenerate::SCHEMA_FOLDERS {
        let sources = schemas_at_head(root, &format!("schemas/{folder}/")).unwrap_or_default();
        old.extend(sources.into_iter().map(|s| s.in_folder(folder)));
    }
    let old_compute = schemas_at_head(root, "schemas/compute/").unwrap_or_default();
    let dir = root.join("schemas");
    let new = read_schemas(&dir).ok()?;
    let new_compute = read_compute_schemas(&dir).ok()?;
    match (
        lower("HEAD", Path::new("HEAD:schemas"), old, old_compute),
        lower("new", &dir, new, new_compute),
    ) {
        (Ok(old), Ok(new)) => {
            let report = drift::diff(&old, &new);
            (report != DriftReport::default())
                .then(|| format!("schema drift since HEAD:\n{}", report.to_text()))
        }
        (Err(e), _) | (_, Err(e)) => Some(format!("no schema drift report: {e}\n")),
    }
}

/// The `schemas/*.json` files of the `HEAD` commit, named `HEAD:schemas/...`.
fn schemas_at_head(root: &Path, folder: &str) -> Option<Vec<SchemaSource>> {
    let listing = git(root, &["ls-tree", "--name-only", "HEAD", "--", folder])?;
    let sources: Vec<SchemaSource> = listing
        .lines()
        .filter(|path| path.ends_with(".json"))
        .map(|path| {
            Some(SchemaSource::new(
                format!("HEAD:{path}"),
                git(root, &["show", &format!("HEAD:{path}")])?,
            ))
        })
        .collect::<Option<_>>()?;
    (!sources.is_empty()).then_some(sources)
}

fn git(root: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    String::from_utf8(output.stdout).ok()
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    const MEMBER: &str = r#"{"name": "member", "properties": {"status": {"type": "string", "enum": ["pending", "accepted"]}}}"#;

    /// A throwaway repository with one committed schema, changed in the
    /// working tree. Skipped where git is not installed.
    #[test]
    fn drift_since_head_compares_the_committed_schemas_with_the_working_tree() {
        let root = std::env::temp_dir().join(format!("xtask-drift-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(root.join("schemas")).unwrap();
        if git(&root, &["init", "-q"]).is_none() {
            eprintln!("git is not available; skipped");
            return;
        }
        assert_eq!(
            drift_since_head(&root),
            None,
            "no commit yet: nothing to compare with"
        );

        fs::write(root.join("schemas/member.json"), MEMBER).unwrap();
        git(&root, &["add", "schemas"]).unwrap();
        git(
            &root,
            &[
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@example.invalid",
                "commit",
                "-qm",
                "schemas",
            ],
        )
        .unwrap();
        assert_eq!(
            drift_since_head(&root),
            None,
            "an unchanged tree has no drift"
        );

        fs::write(
            root.join("schemas/member.json"),
            MEMBER.replace(r#""accepted"]"#, r#""accepted", "rejected"]"#),
        )
        .unwrap();
        let text = drift_since_head(&root).expect("a drift report");
        assert!(
            text.starts_with("schema drift since HEAD:\nmember: 1 breaking"),
            "{text}"
        );
        assert!(text.contains("gains value `rejected`"), "{text}");

        fs::write(root.join("schemas/member.json"), "{").unwrap();
        let text = drift_since_head(&root).expect("an explanation");
        assert!(
            text.starts_with("no schema drift report: cannot load the new schemas"),
            "{text}"
        );
        let _ = fs::remove_dir_all(&root);
    }
}
