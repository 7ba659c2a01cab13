//! One timed image transfer, for `cargo xtask bench`: each run is its own
//! process so that its peak memory is that of one client doing one thing.
//!
//! ```text
//! transfer create                                  → prints the new image id
//! transfer upload <blocking|async> <verify|noverify> <id> <file>
//! transfer download <blocking|async> <verify|noverify> <id>
//! transfer delete <id>
//! ```
//! It logs in as `OS_CLOUD` (or the `OS_*` variables) say, as the
//! `openstack` command would, for example with
//! `OS_CLIENT_CONFIG_FILE=target/lab/clouds.yaml OS_CLOUD=lab-alpha`.
//! Upload and download print `RESULT bytes=N seconds=S peak_rss_kib=K
//! verified=true|false`; the time leaves out the login. The download goes
//! to a sink, as `curl -o /dev/null` would.

use std::time::Instant;

use cloud_images_runtime::{Error, ImageCreate, TransferOptions, Transferred};

/// The most memory this process has held, from Linux's `VmHWM`.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
            line.split_whitespace().nth(1)?.parse().ok()
        })
        .unwrap_or(0)
}

fn report(started: Instant, done: Transferred) {
    println!(
        "RESULT bytes={} seconds={:.3} peak_rss_kib={} verified={}",
        done.bytes,
        started.elapsed().as_secs_f64(),
        peak_rss_kib(),
        done.verification.is_verified()
    );
}

fn blocking_run(
    op: &str,
    id: &str,
    file: Option<&str>,
    options: &TransferOptions,
) -> Result<(), Error> {
    let client = cloud_images_runtime::blocking::Client::from_env()?;
    let started = Instant::now();
    let done = match (op, file) {
        ("upload", Some(file)) => {
            let file = std::fs::File::open(file).map_err(Error::Io)?;
            let length = file.metadata().map_err(Error::Io)?.len();
            client.upload_image_from(id, file, Some(length), options)?
        }
        _ => client
            .download_image_to(id, std::io::sink(), options)?
            .expect("the image has data"),
    };
    report(started, done);
    Ok(())
}

async fn async_run(
    op: &str,
    id: &str,
    file: Option<&str>,
    options: &TransferOptions,
) -> Result<(), Error> {
    let client = cloud_images_runtime::asynchronous::Client::from_env().await?;
    let started = Instant::now();
    let done = match (op, file) {
        ("upload", Some(file)) => {
            let file = tokio::fs::File::open(file).await.map_err(Error::Io)?;
            let length = file.metadata().await.map_err(Error::Io)?.len();
            client
                .upload_image_from(id, file, Some(length), options)
                .await?
        }
        _ => client
            .download_image_to(id, tokio::io::sink(), options)
            .await?
            .expect("the image has data"),
    };
    report(started, done);
    Ok(())
}

fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["create"] => {
            let image =
                cloud_images_runtime::blocking::Client::from_env()?.create_image(&ImageCreate {
                    name: Some("bench-transfer".into()),
                    disk_format: Some(cloud_images::ImageDiskFormat::Raw),
                    container_format: Some(cloud_images::ImageContainerFormat::Bare),
                    ..ImageCreate::default()
                })?;
            println!("{}", image.id.unwrap_or_default());
        }
        ["delete", id] => cloud_images_runtime::blocking::Client::from_env()?.delete_image(id)?,
        [
            op @ ("upload" | "download"),
            client @ ("blocking" | "async"),
            verify @ ("verify" | "noverify"),
            id,
            rest @ ..,
        ] => {
            let options = TransferOptions::new().verify(*verify == "verify");
            let file = rest.first().copied();
            if *client == "blocking" {
                blocking_run(op, id, file, &options)?;
            } else {
                tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .map_err(Error::Io)?
                    .block_on(async_run(op, id, file, &options))?;
            }
        }
        _ => {
            eprintln!("usage: see the comment at the top of runtime/examples/transfer.rs");
            std::process::exit(2);
        }
    }
    Ok(())
}
