//! One whole-operation workload with gtema's `openstack_sdk`, run by
//! `cargo xtask bench` as a process of its own beside cloud-images,
//! python-glanceclient and openstacksdk doing the same work.
//!
//! ```text
//! openstack-sdk-workload <workload> <cloud> [<argument>]
//! ```
//!
//! It logs in as the SDK's users do, from the cloud `<cloud>` of a
//! `clouds.yaml`. The SDK looks for that file where openstacksdk does but
//! reads `OS_CLIENT_CONFIG_PATH`, not openstacksdk's `OS_CLIENT_CONFIG_FILE`;
//! the file `OS_CLIENT_CONFIG_FILE` names is handed to it as a user-given
//! configuration, as its command-line client does with
//! `--os-client-config-file`. The on-disk token cache is off, so that each
//! run logs in as every other client does.
//!
//! Workloads: `noop` (start up and read the configuration, no request),
//! `list <expected count>`, `patch <image id>`, `transfer <file>`. Prints
//! `OK <what it checked>`; any error exits non-zero.

use std::borrow::Cow;
use std::process::ExitCode;

use futures_util::io::AsyncReadExt;
use futures_util::stream::TryStreamExt;
use openstack_sdk::AsyncOpenStack;
use openstack_sdk::api::image::v2::image::{create, delete, file, list, patch};
use openstack_sdk::api::{Pagination, QueryAsync, download, ignore, paged, raw_with_body};
use openstack_sdk::config::{CloudConfig, ConfigFile};
use openstack_sdk::types::{BoxedAsyncRead, ServiceType};
use serde_json::{Value, json};
use tokio_util::compat::TokioAsyncReadCompatExt;

/// Images are listed in pages of this many.
const PAGE: i32 = 200;
/// PATCH requests in the `patch` workload, each changing three properties.
const UPDATES: usize = 200;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // One task at a time: a current-thread runtime, as for cloud-images'
    // async client.
    let outcome = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(Into::into)
        .and_then(|runtime| runtime.block_on(run(&args)));
    match outcome {
        Ok(done) => {
            println!("OK {done}");
            println!("PEAK_RSS_KIB {}", peak_rss_kib());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("openstack-sdk-workload: {error}");
            // The last line is the reason the bench reports: one line.
            let text = error.to_string();
            let reason: Vec<&str> = text.split_whitespace().collect();
            println!("{}", reason.join(" "));
            ExitCode::FAILURE
        }
    }
}

/// The most memory this process has held (Linux's `VmHWM`, 0 elsewhere),
/// which the bench cannot take from `wait4` (see `bench_workload.rs`).
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
            line.split_whitespace().nth(1)?.parse().ok()
        })
        .unwrap_or(0)
}

fn cloud_config(cloud: &str) -> Result<CloudConfig> {
    let file = std::env::var_os("OS_CLIENT_CONFIG_FILE");
    let config = ConfigFile::new_with_user_specified_configs(file.as_ref(), None::<&str>)?;
    config
        .get_cloud_config(cloud)?
        .ok_or_else(|| format!("no cloud `{cloud}` in clouds.yaml").into())
}

async fn run(args: &[String]) -> Result<String> {
    let [workload, cloud, rest @ ..] = args else {
        return Err("usage: openstack-sdk-workload <workload> <cloud> [<argument>]".into());
    };
    let config = cloud_config(cloud)?;
    if workload == "noop" {
        return Ok("configuration read".to_owned());
    }
    let client = AsyncOpenStack::builder(&config)
        .disable_auth_cache(true)
        .connect()
        .await?;
    // The catalog names Glance's root; the SDK finds `/v2` only when asked,
    // as its README shows (one GET of the root).
    client
        .discover_service_endpoint(&ServiceType::Image)
        .await?;
    match (workload.as_str(), rest) {
        ("list", [expected]) => list(&client, expected.parse()?).await,
        ("patch", [id]) => update(&client, id).await,
        ("transfer", [path]) => transfer(&client, path).await,
        _ => Err(format!("unknown workload `{workload}` or wrong arguments").into()),
    }
}

async fn list(client: &AsyncOpenStack, expected: usize) -> Result<String> {
    let request = list::Request::builder().limit(PAGE).build()?;
    let pages = paged(request, Pagination::All);
    let images: Vec<Value> = pages.iter_async(client).try_collect().await?;
    if images.len() != expected {
        return Err(format!("listed {} images, expected {expected}", images.len()).into());
    }
    Ok(format!("{} images", images.len()))
}

async fn update(client: &AsyncOpenStack, id: &str) -> Result<String> {
    for round in 0..UPDATES {
        let value = format!("value-{round}");
        let operations: json_patch::Patch = serde_json::from_value(json!([
            {"op": "add", "path": "/bench_a", "value": value},
            {"op": "add", "path": "/bench_b", "value": value},
            {"op": "add", "path": "/bench_c", "value": value},
        ]))?;
        let request = patch::Request::builder().id(id).patch(operations).build()?;
        let image: Value = request.query_async(client).await?;
        if image.get("bench_c").and_then(Value::as_str) != Some(value.as_str()) {
            return Err(format!("update {round} was not applied").into());
        }
    }
    Ok(format!("{UPDATES} updates"))
}

async fn transfer(client: &AsyncOpenStack, path: &str) -> Result<String> {
    let length = tokio::fs::metadata(path).await?.len();
    let request = create::Request::builder()
        .name(Some(Cow::Borrowed("bench-transfer")))
        .disk_format(create::DiskFormat::Raw)
        .container_format(create::ContainerFormat::Bare)
        .build()?;
    let image: Value = request.query_async(client).await?;
    let id = image
        .get("id")
        .and_then(Value::as_str)
        .ok_or("the created image has no id")?
        .to_owned();
    let outcome = up_and_down(client, &id, path).await;
    ignore(delete::Request::builder().id(id.as_str()).build()?)
        .query_async(client)
        .await?;
    let received = outcome?;
    if received != length {
        return Err(format!("downloaded {received} bytes of {length}").into());
    }
    Ok(format!("{length} bytes up and down"))
}

/// Uploads the file (the SDK streams it without a length, in chunked
/// transfer encoding) and downloads it again, counting the bytes.
async fn up_and_down(client: &AsyncOpenStack, id: &str, path: &str) -> Result<u64> {
    let file = tokio::fs::File::open(path).await?;
    let upload = file::upload::Request::builder()
        .image_id(id)
        .header(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/octet-stream"),
        )
        .build()?;
    let _: http::Response<_> = raw_with_body(upload, BoxedAsyncRead::new(file.compat()))
        .query_async(client)
        .await?;
    let request = file::download::Request::builder().image_id(id).build()?;
    let (_, mut body) = download(request).query_async(client).await?;
    let mut buffer = vec![0; 64 * 1024];
    let mut received = 0u64;
    loop {
        let read = body.read(&mut buffer).await?;
        if read == 0 {
            return Ok(received);
        }
        received += read as u64;
    }
}
