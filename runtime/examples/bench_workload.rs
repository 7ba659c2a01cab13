//! One whole-operation workload with the blocking client, run by
//! `cargo xtask bench` as a process of its own so that its CPU time and
//! peak memory can be read from the operating system, beside python-glanceclient
//! and openstacksdk doing the same (`xtask/bench/workload.py`).
//!
//! ```text
//! bench_workload <workload> <glance url> <project> [<argument>]
//! ```
//!
//! Workloads: `noop` (start up and build the client), `list`,
//! `patch <image id>`, `transfer <file>`; and for the set-up, `seed <count>`
//! (create images until the project has `count`) and `image` (create one
//! image and print its id). Each prints one line,
//! `OK <what it checked>`, and exits non-zero on any error.

use std::fs::File;
use std::io::{self, Write};
use std::process::ExitCode;

use cloud_images::{
    ImageContainerFormat, ImageCreate, ImageDiskFormat, ImagePatch, PatchMediaType,
};
use cloud_images_runtime::blocking::Client;
use cloud_images_runtime::{ImageListQuery, TransferOptions};

/// Images are listed in pages of this many.
const PAGE: u32 = 200;
/// PATCH requests in the `patch` workload, each changing three properties.
const UPDATES: usize = 200;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(done) => {
            println!("OK {done}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("bench_workload: {error}");
            ExitCode::FAILURE
        }
    }
}

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn run(args: &[String]) -> Result<String> {
    let [workload, url, project, rest @ ..] = args else {
        return Err("usage: bench_workload <workload> <url> <project> [<argument>]".into());
    };
    let client = client(url, project)?;
    match (workload.as_str(), rest) {
        ("noop", []) => Ok("client built".to_owned()),
        ("seed", [count]) => seed(&client, count.parse()?),
        ("image", []) => image(&client),
        ("list", []) => list(&client),
        ("patch", [id]) => patch(&client, id),
        ("transfer", [file]) => transfer(&client, file),
        _ => Err(format!("unknown workload `{workload}` or wrong arguments").into()),
    }
}

/// The header-identity Glance trusts these headers in place of a token; a
/// Keystone-backed Glance would take `.token(...)` instead.
fn client(url: &str, project: &str) -> Result<Client> {
    Ok(Client::builder(url)
        .header("X-Identity-Status", "Confirmed")
        .header("X-Project-Id", project)
        .header("X-User-Id", format!("user-{project}"))
        .header("X-Roles", "member,reader")
        .build()?)
}

fn page_query() -> ImageListQuery {
    ImageListQuery {
        limit: Some(PAGE),
        ..ImageListQuery::default()
    }
}

/// Creates images until the project owns `count`.
fn seed(client: &Client, count: usize) -> Result<String> {
    let have = client.images(&page_query()).count();
    for index in have..count {
        let body = ImageCreate::new()
            .with_property("bench_seed", index.to_string())
            .with_property("com.rackspace__1__build_core", "1")
            .with_property("org.openstack__1__os_distro", "org.ubuntu");
        let body = ImageCreate {
            name: Some(format!("bench-list-{index:04}")),
            disk_format: Some(ImageDiskFormat::Raw),
            container_format: Some(ImageContainerFormat::Bare),
            ..body
        };
        client.create_image(&body)?;
    }
    Ok(format!(
        "{} images (created {})",
        count.max(have),
        count.saturating_sub(have)
    ))
}

fn image(client: &Client) -> Result<String> {
    let body = ImageCreate {
        name: Some("bench-patch".to_owned()),
        ..ImageCreate::new()
    };
    client
        .create_image(&body)?
        .id
        .ok_or_else(|| "the created image has no id".into())
}

fn list(client: &Client) -> Result<String> {
    let mut images = 0;
    let mut pages = 0;
    for page in client.image_pages(&page_query()) {
        pages += 1;
        images += page?.images.map_or(0, |images| images.len());
    }
    Ok(format!("{images} images in {pages} pages"))
}

fn patch(client: &Client, id: &str) -> Result<String> {
    for round in 0..UPDATES {
        let value = format!("value-{round}");
        let patch = ImagePatch::builder()
            .add_property("bench_a", value.as_str())
            .add_property("bench_b", value.as_str())
            .add_property("bench_c", value.as_str())
            .build()?;
        let image = client.patch_image(id, &patch, PatchMediaType::V2_1)?;
        if image.property("bench_c") != Some(value.as_str()) {
            return Err(format!("update {round} was not applied").into());
        }
    }
    Ok(format!("{UPDATES} updates"))
}

fn transfer(client: &Client, path: &str) -> Result<String> {
    let length = std::fs::metadata(path)?.len();
    let body = ImageCreate {
        name: Some("bench-transfer".to_owned()),
        disk_format: Some(ImageDiskFormat::Raw),
        container_format: Some(ImageContainerFormat::Bare),
        ..ImageCreate::new()
    };
    let image = client.create_image(&body)?;
    let id = image.id.ok_or("the created image has no id")?;
    // Verified both ways, by default, as python-glanceclient verifies.
    let options = TransferOptions::default();
    let uploaded = client.upload_image_from(&id, File::open(path)?, Some(length), &options)?;
    if !uploaded.verification.is_verified() {
        return Err("the upload was not verified".into());
    }
    let mut counted = Counted(0);
    let downloaded = client
        .download_image_to(&id, &mut counted, &options)?
        .map(|done| done.bytes);
    client.delete_image(&id)?;
    if downloaded != Some(length) || counted.0 != length {
        return Err(format!("downloaded {downloaded:?} bytes of {length}").into());
    }
    Ok(format!("{length} bytes up and down"))
}

/// Counts what is written and keeps none of it.
struct Counted(u64);

impl Write for Counted {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0 += bytes.len() as u64;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
