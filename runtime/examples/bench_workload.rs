//! One whole-operation workload with the blocking or the async client, run
//! by `cargo xtask bench` as a process of its own so that its CPU time and
//! peak memory can be read from the operating system, beside
//! python-glanceclient, openstacksdk and gtema's `openstack_sdk` doing the
//! same (`xtask/bench/workload.py`, `xtask/bench/openstack-sdk-workload`).
//!
//! ```text
//! bench_workload <blocking|async> <workload> <cloud> [<argument>]
//! ```
//!
//! Each client logs in as its users do: from the cloud `<cloud>` of the
//! `clouds.yaml` that `OS_CLIENT_CONFIG_FILE` names.
//!
//! Workloads: `noop` (start up and read the cloud's configuration, no
//! request), `list <expected count>`, `patch <image id>`,
//! `transfer <file> [noverify]`; and, blocking only, for the set-up: `seed <count>`
//! (make the project own exactly `count` listing images and nothing else)
//! and `image` (print the id of the image the `patch` workload updates).
//! Each prints one line, `OK <what it checked>`, and exits non-zero on any
//! error.

use std::fs::File;
use std::io::{self, Write};
use std::process::ExitCode;

use cloud_images::{
    ImageContainerFormat, ImageCreate, ImageDiskFormat, ImagePatch, PatchMediaType,
};
use cloud_images_runtime::config::{CloudConfig, Sources};
use cloud_images_runtime::{ImageListQuery, Match, TransferOptions, asynchronous, blocking};

/// Images are listed in pages of this many.
const PAGE: u32 = 200;
/// PATCH requests in the `patch` workload, each changing three properties.
const UPDATES: usize = 200;
/// The names of the listed images start with this; the image the `patch`
/// workload updates is the first of them.
const LISTED: &str = "bench-list-";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(done) => {
            println!("OK {done}");
            println!("PEAK_RSS_KIB {}", peak_rss_kib());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("bench_workload: {error}");
            // The last line is the reason the bench reports.
            println!("{error}");
            ExitCode::FAILURE
        }
    }
}

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The most memory this process has held (Linux's `VmHWM`, 0 elsewhere).
/// The bench cannot take it from `wait4`: a child's `ru_maxrss` starts at
/// the resident size of the process that spawned it.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
            line.split_whitespace().nth(1)?.parse().ok()
        })
        .unwrap_or(0)
}

fn run(args: &[String]) -> Result<String> {
    let [kind, workload, cloud, rest @ ..] = args else {
        return Err(
            "usage: bench_workload <blocking|async> <workload> <cloud> [<argument>]".into(),
        );
    };
    if workload == "noop" {
        // What every client does before its first request: read clouds.yaml
        // and set itself up. Logging in is the first request.
        let config = CloudConfig::load(cloud, &Sources::system())?;
        return match kind.as_str() {
            "blocking" => {
                drop(blocking::ClientBuilder::from_config(&config));
                Ok("configuration read".to_owned())
            }
            "async" => {
                drop(asynchronous::ClientBuilder::from_config(&config));
                Ok("configuration read".to_owned())
            }
            _ => Err(format!("unknown client `{kind}`").into()),
        };
    }
    match kind.as_str() {
        "blocking" => blocking_workload(&blocking::Client::from_cloud(cloud)?, workload, rest),
        "async" => {
            // One task at a time: a current-thread runtime, as a program
            // that does one thing after another would choose.
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let client = asynchronous::Client::from_cloud(cloud).await?;
                async_workload(&client, workload, rest).await
            })
        }
        _ => Err(format!("unknown client `{kind}`").into()),
    }
}

fn blocking_workload(client: &blocking::Client, workload: &str, rest: &[String]) -> Result<String> {
    match (workload, rest) {
        ("seed", [count]) => seed(client, count.parse()?),
        ("image", []) => patched_image(client),
        ("list", [expected]) => {
            let mut counted = Counted::default();
            for page in client.image_pages(&page_query()) {
                counted.page(page?.images.map_or(0, |images| images.len()));
            }
            counted.check(expected)
        }
        ("patch", [id]) => {
            for round in 0..UPDATES {
                let (value, patch) = update(round)?;
                let image = client.patch_image(id, &patch, PatchMediaType::V2_1)?;
                applied(&image, &value, round)?;
            }
            Ok(format!("{UPDATES} updates"))
        }
        ("transfer", [path, mode @ ..]) => {
            let (options, verify) = transfer_options(mode)?;
            let length = std::fs::metadata(path)?.len();
            let id = created(client.create_image(&transfer_body())?)?;
            let uploaded =
                client.upload_image_from(&id, File::open(path)?, Some(length), &options)?;
            let mut sink = Sink(0);
            let downloaded = client.download_image_to(&id, &mut sink, &options)?;
            client.delete_image(&id)?;
            transferred(
                length,
                verify,
                uploaded.verification.is_verified(),
                downloaded.map(|done| (done.bytes, done.verification.is_verified())),
                sink.0,
            )
        }
        _ => Err(format!("unknown workload `{workload}` or wrong arguments").into()),
    }
}

async fn async_workload(
    client: &asynchronous::Client,
    workload: &str,
    rest: &[String],
) -> Result<String> {
    use futures_util::StreamExt;

    match (workload, rest) {
        ("list", [expected]) => {
            let mut counted = Counted::default();
            let pages = client.image_pages(&page_query());
            let mut pages = std::pin::pin!(pages);
            while let Some(page) = pages.next().await {
                counted.page(page?.images.map_or(0, |images| images.len()));
            }
            counted.check(expected)
        }
        ("patch", [id]) => {
            for round in 0..UPDATES {
                let (value, patch) = update(round)?;
                let image = client.patch_image(id, &patch, PatchMediaType::V2_1).await?;
                applied(&image, &value, round)?;
            }
            Ok(format!("{UPDATES} updates"))
        }
        ("transfer", [path, mode @ ..]) => {
            let (options, verify) = transfer_options(mode)?;
            let length = tokio::fs::metadata(path).await?.len();
            let id = created(client.create_image(&transfer_body()).await?)?;
            let file = tokio::fs::File::open(path).await?;
            let uploaded = client
                .upload_image_from(&id, file, Some(length), &options)
                .await?;
            let mut sink = AsyncSink(0);
            let downloaded = client.download_image_to(&id, &mut sink, &options).await?;
            client.delete_image(&id).await?;
            transferred(
                length,
                verify,
                uploaded.verification.is_verified(),
                downloaded.map(|done| (done.bytes, done.verification.is_verified())),
                sink.0,
            )
        }
        _ => Err(format!("unknown workload `{workload}` or wrong arguments").into()),
    }
}

/// The transfer's options from what follows its file: nothing, verified
/// both ways (the default, beyond python-glanceclient's md5 of the
/// download), or `noverify`, hashing nothing, as gtema's SDK does.
fn transfer_options(mode: &[String]) -> Result<(TransferOptions, bool)> {
    let verify = match mode {
        [] => true,
        [mode] if mode == "noverify" => false,
        other => {
            return Err(format!("the transfer takes `noverify` or nothing, not {other:?}").into());
        }
    };
    Ok((TransferOptions::new().verify(verify), verify))
}

fn page_query() -> ImageListQuery {
    ImageListQuery {
        limit: Some(PAGE),
        ..ImageListQuery::default()
    }
}

/// Images and pages of a listing, checked against the count expected.
#[derive(Default)]
struct Counted {
    images: usize,
    pages: usize,
}

impl Counted {
    fn page(&mut self, images: usize) {
        self.images += images;
        self.pages += 1;
    }

    fn check(&self, expected: &str) -> Result<String> {
        let expected: usize = expected.parse()?;
        if self.images != expected {
            return Err(format!("listed {} images, expected {expected}", self.images).into());
        }
        Ok(format!("{} images in {} pages", self.images, self.pages))
    }
}

/// Round `round`'s value and the patch that sets three properties to it.
fn update(round: usize) -> Result<(String, ImagePatch)> {
    let value = format!("value-{round}");
    let patch = ImagePatch::builder()
        .add_property("bench_a", value.as_str())
        .add_property("bench_b", value.as_str())
        .add_property("bench_c", value.as_str())
        .build()?;
    Ok((value, patch))
}

fn applied(image: &cloud_images::Image, value: &str, round: usize) -> Result<()> {
    if image.property("bench_c") == Some(value) {
        Ok(())
    } else {
        Err(format!("update {round} was not applied").into())
    }
}

fn transfer_body() -> ImageCreate {
    ImageCreate {
        name: Some("bench-transfer".to_owned()),
        disk_format: Some(ImageDiskFormat::Raw),
        container_format: Some(ImageContainerFormat::Bare),
        ..ImageCreate::new()
    }
}

fn created(image: cloud_images::Image) -> Result<String> {
    image.id.ok_or_else(|| "the created image has no id".into())
}

/// Checks a transfer: both directions verified as asked (and not when
/// not asked) and every byte counted.
fn transferred(
    length: u64,
    verify: bool,
    upload_verified: bool,
    download: Option<(u64, bool)>,
    received: u64,
) -> Result<String> {
    let done = if verify { "verified" } else { "not verified" };
    if upload_verified != verify {
        return Err(format!("the upload was not {done}").into());
    }
    match download {
        Some((_, verified)) if verified != verify => {
            Err(format!("the download was not {done}").into())
        }
        Some((bytes, _)) if bytes == length && received == length => {
            Ok(format!("{length} bytes up and down, {done}"))
        }
        _ => Err(format!("downloaded {received} bytes of {length}").into()),
    }
}

/// Makes the bench project own exactly `count` images named
/// `bench-list-NNNN` and nothing else, so that every client lists the same
/// images: leftovers of an interrupted run are deleted. Prints how many
/// images the project's user sees, which is what a listing returns.
fn seed(client: &blocking::Client, count: usize) -> Result<String> {
    let project = client_project(client).ok_or("the token is scoped to no project")?;
    let owned = ImageListQuery {
        owner: Some(project),
        ..page_query()
    };
    let mut have = std::collections::BTreeSet::new();
    let mut deleted = 0;
    for image in client.images(&owned) {
        let image = image?;
        let Some(id) = image.id else { continue };
        let name = image.name.flatten();
        match name.as_deref().and_then(|name| name.strip_prefix(LISTED)) {
            Some(index) if index.parse::<usize>().is_ok_and(|i| i < count) => {
                have.insert(index.to_owned());
            }
            _ => {
                client.delete_image(&id)?;
                deleted += 1;
            }
        }
    }
    let missing: Vec<String> = (0..count)
        .map(|index| format!("{index:04}"))
        .filter(|index| !have.contains(index))
        .collect();
    let created = missing.len();
    // A few creates at a time: the lab's Glance keeps its data in
    // PostgreSQL, which takes concurrent writes, and 2,000 creates one
    // after another take minutes.
    let per_thread = missing.len().div_ceil(SEED_CONCURRENCY).max(1);
    std::thread::scope(|scope| {
        let workers: Vec<_> = missing
            .chunks(per_thread)
            .map(|chunk| scope.spawn(move || create_listed(client, chunk)))
            .collect();
        workers
            .into_iter()
            .map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|_| Err("a seeding thread panicked".into()))
            })
            .collect::<std::result::Result<Vec<()>, String>>()
    })?;
    let visible = client.images(&page_query()).count();
    Ok(format!(
        "{visible} visible ({count} listing images, {created} created, {deleted} leftovers deleted)"
    ))
}

/// How many images `seed` creates at a time.
const SEED_CONCURRENCY: usize = 8;

/// Creates the listing images with these indexes, one after another.
fn create_listed(client: &blocking::Client, indexes: &[String]) -> std::result::Result<(), String> {
    for index in indexes {
        let body = ImageCreate::new()
            .with_property("bench_seed", index.as_str())
            .with_property("com.rackspace__1__build_core", "1")
            .with_property("org.openstack__1__os_distro", "org.ubuntu");
        let body = ImageCreate {
            name: Some(format!("{LISTED}{index}")),
            disk_format: Some(ImageDiskFormat::Raw),
            container_format: Some(ImageContainerFormat::Bare),
            ..body
        };
        client
            .create_image(&body)
            .map_err(|e| format!("creating {LISTED}{index}: {e}"))?;
    }
    Ok(())
}

/// The project the client's token is scoped to.
fn client_project(client: &blocking::Client) -> Option<String> {
    client.session()?.token()?.project_id
}

/// The first listing image, which the `patch` workload updates.
fn patched_image(client: &blocking::Client) -> Result<String> {
    let query = ImageListQuery {
        name: Some(Match::Eq(format!("{LISTED}0000"))),
        ..ImageListQuery::default()
    };
    client
        .images(&query)
        .next()
        .ok_or("no listing image: run `seed` first")??
        .id
        .ok_or_else(|| "the listed image has no id".into())
}

/// Counts what is written and keeps none of it.
struct Sink(u64);

impl Write for Sink {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0 += bytes.len() as u64;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// [`Sink`] for the async client.
struct AsyncSink(u64);

impl tokio::io::AsyncWrite for AsyncSink {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
        bytes: &[u8],
    ) -> std::task::Poll<io::Result<usize>> {
        self.0 += bytes.len() as u64;
        std::task::Poll::Ready(Ok(bytes.len()))
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
}
