//! `cargo xtask fetch-schemas (--url <glance endpoint> [--token T]
//! [--header 'Name: value']... | --cloud NAME) [--out DIR]`
//!
//! Downloads the schemas Glance serves under `/v2/schemas/` and writes
//! them to `schemas/` (or `--out`): the six of images, members and tasks at
//! the top, and the ten of metadata definitions under `metadefs/`, as the
//! service's URLs nest them (`/v2/schemas/metadefs/namespace` is
//! `schemas/metadefs/namespace.json`). The generator takes the `Metadef`
//! prefix of their types from that folder.
//!
//! **The files are the served bytes, verbatim.** Glance builds each schema
//! from Python dicts, which keep insertion order, filled from its code and
//! from `schema-image.json` in file order, and serialises them with
//! `json.dumps` without sorting; no set is involved anywhere on that path
//! (glance 33.0.0: `glance/schema.py`, `glance/api/v2/{images,
//! image_members,tasks,schemas}.py`). So one server version with one
//! configuration always sends the same bytes, and re-fetching changes no
//! byte. Keeping them verbatim means `schemas/` stays exactly what the
//! service says, comparable with `cmp` against any capture; normalising
//! would rewrite every checked-in file for no gain, since the generator does
//! not depend on key order. That premise is checked on every run rather than
//! trusted: each schema is fetched twice, and differing bytes are an error
//! instead of a noisy diff.
//!
//! The requests go through the runtime crate's blocking client (ureq with
//! rustls), so the base URL is read by the same parser as every other call
//! of the project, and `https://` works as well as `http://`. With
//! `--cloud`, the client logs in from `clouds.yaml` exactly as a user's
//! program does (`Client::from_cloud`) and finds Glance in the catalog.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use cloud_images_codegen::SchemaSource;
use cloud_images_runtime::Error;
use cloud_images_runtime::blocking::{Client, ClientBuilder};
use cloud_images_runtime::config::{CloudConfig, Sources};

use crate::project_root;

pub const USAGE: &str = "\
usage: cargo xtask fetch-schemas --url URL [--token T] [--header 'Name: value']... [--out DIR]
       cargo xtask fetch-schemas --cloud NAME [--out DIR]

Downloads the schemas a Glance serves under /v2/schemas/ (image, images,
member, members, task, tasks, and the ten metadefs/ schemas: namespace(s),
object(s), property/properties, resource_type(s), tag(s)) and writes the
served bytes to DIR (default: schemas/), metadefs/ as a folder of its own.
URL is the service root or its /v2 root, http or https.

  --cloud NAME             log in as the cloud NAME of clouds.yaml (found as
                           openstacksdk finds it: OS_CLIENT_CONFIG_FILE, the
                           current directory, ~/.config/openstack,
                           /etc/openstack) and fetch from its image endpoint

  --token T                sent as X-Auth-Token
  --header 'Name: value'   sent with every request; repeat for several, e.g. the
                           identity headers of a Glance that runs without Keystone";

/// One schema Glance serves under `/v2/schemas/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Served {
    /// The path under `/v2/schemas/`, which is also the file's path under
    /// the output folder, without `.json`.
    pub path: &'static str,
    /// The `name` the schema gives itself. For most it is the last segment
    /// of the path; Glance names the two resource-type schemas after what
    /// they describe, an association (glance 33.0.0,
    /// `glance/api/v2/metadef_resource_types.py`).
    pub name: &'static str,
}

const fn served(path: &'static str, name: &'static str) -> Served {
    Served { path, name }
}

/// The schemas Glance serves under `/v2/schemas/`.
pub const SCHEMAS: [Served; 16] = [
    served("image", "image"),
    served("images", "images"),
    served("member", "member"),
    served("members", "members"),
    served("task", "task"),
    served("tasks", "tasks"),
    served("metadefs/namespace", "namespace"),
    served("metadefs/namespaces", "namespaces"),
    served("metadefs/object", "object"),
    served("metadefs/objects", "objects"),
    served("metadefs/property", "property"),
    served("metadefs/properties", "properties"),
    served("metadefs/resource_type", "resource_type_association"),
    served("metadefs/resource_types", "resource_type_associations"),
    served("metadefs/tag", "tag"),
    served("metadefs/tags", "tags"),
];

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const IO_TIMEOUT: Duration = Duration::from_secs(30);
const EXCERPT: usize = 400;

struct Args {
    source: Source,
    out: PathBuf,
}

/// Where the schemas come from.
enum Source {
    /// A Glance URL, with the credentials given on the command line.
    Url(String, Credentials),
    /// A cloud of `clouds.yaml`, logged in to as a user's program would.
    Cloud(String),
}

impl Source {
    fn client(&self) -> Result<Client, String> {
        match self {
            Source::Url(url, credentials) => credentials.client(url),
            Source::Cloud(name) => {
                let cloud =
                    CloudConfig::load(name, &Sources::system()).map_err(|e| e.to_string())?;
                ClientBuilder::from_config(&cloud)
                    .connect_timeout(Some(CONNECT_TIMEOUT))
                    .read_timeout(Some(IO_TIMEOUT))
                    .write_timeout(Some(IO_TIMEOUT))
                    .build()
                    .map_err(|e| format!("cloud `{name}`: {e}"))
            }
        }
    }
}

/// How requests authenticate: everything that adds headers to them, kept
/// together so that another source of credentials (a `clouds.yaml` entry)
/// fills the same struct.
#[derive(Default)]
struct Credentials {
    token: Option<String>,
    headers: Vec<(String, String)>,
}

impl Credentials {
    fn client(&self, url: &str) -> Result<Client, String> {
        let mut builder = Client::builder(url)
            .connect_timeout(Some(CONNECT_TIMEOUT))
            .read_timeout(Some(IO_TIMEOUT))
            .write_timeout(Some(IO_TIMEOUT));
        if let Some(token) = &self.token {
            builder = builder.token(token);
        }
        for (name, value) in &self.headers {
            builder = builder.header(name, value);
        }
        // The runtime's messages name the URL where that is safe; one with
        // credentials in it is not repeated.
        builder.build().map_err(|e| e.to_string())
    }
}

fn parse_args(args: &[String]) -> Result<Args, String> {
    let mut url = None;
    let mut cloud = None;
    let mut credentials = Credentials::default();
    let mut out = project_root().join("schemas");
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let mut value = || {
            rest.next()
                .ok_or_else(|| format!("`{arg}` needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "--url" => url = Some(value()?.clone()),
            "--cloud" => cloud = Some(value()?.clone()),
            "--token" => credentials.token = Some(value()?.clone()),
            "--header" => credentials.headers.push(parse_header(value()?)?),
            "--out" => out = PathBuf::from(value()?),
            other => {
                return Err(format!(
                    "fetch-schemas: unknown argument `{other}`\n{USAGE}"
                ));
            }
        }
    }
    let given_credentials = credentials.token.is_some() || !credentials.headers.is_empty();
    let source = match (url, cloud) {
        (Some(url), None) => Source::Url(url, credentials),
        (None, Some(cloud)) if !given_credentials => Source::Cloud(cloud),
        (None, Some(_)) => {
            return Err(format!(
                "`--cloud` logs in by itself: it takes no `--token` or `--header`\n{USAGE}"
            ));
        }
        (Some(_), Some(_)) => {
            return Err(format!("give `--url` or `--cloud`, not both\n{USAGE}"));
        }
        (None, None) => return Err(format!("fetch-schemas needs `--url` or `--cloud`\n{USAGE}")),
    };
    Ok(Args { source, out })
}

fn parse_header(text: &str) -> Result<(String, String), String> {
    let (name, value) = text
        .split_once(':')
        .ok_or_else(|| format!("`--header {text}`: expected `Name: value`"))?;
    let (name, value) = (name.trim(), value.trim());
    let token_char = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if name.is_empty() || !name.chars().all(token_char) {
        return Err(format!(
            "`--header {text}`: `{name}` is not a valid header name"
        ));
    }
    if value.contains(['\r', '\n']) {
        return Err(format!(
            "`--header {name}`: the value may not contain line breaks"
        ));
    }
    Ok((name.to_owned(), value.to_owned()))
}

pub fn run(args: &[String]) -> Result<(), String> {
    let args = parse_args(args)?;
    let client = args.source.client()?;
    // Everything is fetched and checked before anything is written, so a
    // failure leaves the directory as it was.
    let mut fetched = Vec::new();
    for schema in SCHEMAS {
        let (url, body) = fetch_schema(&client, schema)?;
        let (_, again) = fetch_schema(&client, schema)?;
        if again != body {
            return Err(format!(
                "{url}: two fetches returned different bytes; this command keeps the served bytes \
                 verbatim and relies on them being stable (see xtask/src/fetch_schemas.rs)"
            ));
        }
        fetched.push((schema.path, body));
    }
    for (name, body) in fetched {
        let path = args.out.join(format!("{name}.json"));
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        if fs::read(&path).is_ok_and(|old| old == body.as_bytes()) {
            println!("unchanged {}", path.display());
        } else {
            write_replacing(&path, body.as_bytes())?;
            println!("wrote {}", path.display());
        }
    }
    Ok(())
}

/// GETs one schema and checks that it is one: a JSON object with the
/// `name` it is known to give itself and an object of `properties`.
/// Returns the URL it was fetched from and the served text.
fn fetch_schema(client: &Client, schema: Served) -> Result<(String, String), String> {
    let name = schema.name;
    let operation = client
        .api()
        .get_schema(schema.path)
        .map_err(|e| e.to_string())?;
    let url = operation.uri().to_string();
    let response = client
        .send(operation.into_request())
        .map_err(|e| format!("GET {url}: {e}"))?;
    if !response.status().is_success() {
        let refusal = Error::from_response(response.status(), response.headers(), response.body());
        return Err(format!("GET {url}: {}", excerpt(&refusal.to_string())));
    }
    let body = String::from_utf8(response.into_body())
        .map_err(|_| format!("GET {url}: the body is not UTF-8"))?;
    let not_a_schema = |why: String| format!("GET {url}: not a schema ({why}): {}", excerpt(&body));
    let schema = cloud_images_codegen::load::load(&SchemaSource::new(url.clone(), body.clone()))
        .map_err(|e| not_a_schema(e.reason))?;
    match schema.get("name").and_then(|n| n.as_str()) {
        Some(served) if served == name => {}
        Some(other) => {
            return Err(not_a_schema(format!(
                "its `name` is `{other}`, expected `{name}`"
            )));
        }
        None => return Err(not_a_schema("no string `name`".to_owned())),
    }
    if !schema.get("properties").is_some_and(|p| p.is_object()) {
        return Err(not_a_schema("no `properties` object".to_owned()));
    }
    Ok((url, body))
}

fn excerpt(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(EXCERPT) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None if text.is_empty() => "(empty body)".to_owned(),
        None => text.to_owned(),
    }
}

/// Writes through a temporary file and a rename, so that a reader never
/// sees half a file, and checked-in files marked read-only are replaced too.
fn write_replacing(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let temp = path.with_file_name(format!(".{file_name}.fetching"));
    fs::write(&temp, bytes).map_err(|e| format!("cannot write {}: {e}", temp.display()))?;
    fs::rename(&temp, path).map_err(|e| {
        let _ = fs::remove_file(&temp);
        format!("cannot replace {}: {e}", path.display())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema_url(base: &str, name: &str) -> String {
        let client = Credentials::default().client(base).unwrap();
        client.api().get_schema(name).unwrap().uri().to_string()
    }

    #[test]
    fn schemas_are_fetched_under_the_service_root_or_its_v2_root() {
        assert_eq!(
            schema_url("http://127.0.0.1:19292", "image"),
            "http://127.0.0.1:19292/v2/schemas/image"
        );
        assert_eq!(
            schema_url("http://127.0.0.1:19292/v2/", "image"),
            "http://127.0.0.1:19292/v2/schemas/image"
        );
        assert_eq!(
            schema_url("http://[::1]:9292/glance", "tasks"),
            "http://[::1]:9292/glance/v2/schemas/tasks"
        );
        assert_eq!(
            schema_url("https://glance.example", "member"),
            "https://glance.example/v2/schemas/member"
        );
        let refused = Credentials::default()
            .client("http://user:pw@host")
            .unwrap_err();
        assert!(
            !refused.contains("pw"),
            "the password is not repeated: {refused}"
        );
        assert!(Credentials::default().client("glance.example").is_err());
    }

    #[test]
    fn headers_must_be_one_name_and_one_line() {
        assert_eq!(
            parse_header("X-Roles: member,reader").unwrap(),
            ("X-Roles".to_owned(), "member,reader".to_owned())
        );
        assert!(parse_header("no colon").is_err());
        assert!(parse_header("Bad Name: x").is_err());
        assert!(parse_header("X-A: one\r\nX-B: two").is_err());
    }
}
