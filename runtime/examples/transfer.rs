//! One timed image transfer, for `cargo xtask bench`: each run is its own
//! process so that its peak memory is that of one client doing one thing.
//!
//! ```text
//! transfer create <url>                                  → prints the new image id
//! transfer upload <blocking|async> <verify|noverify> <url> <id> <file>
//! transfer download <blocking|async> <verify|noverify> <url> <id>
//! transfer delete <url> <id>
//! ```
//! Upload and download print `RESULT bytes=N seconds=S peak_rss_kib=K
//! verified=true|false`. The download goes to a sink, as `curl -o
//! /dev/null` would.

use std::time::Instant;

use cloud_images_runtime::{Error, ImageCreate, TransferOptions, Transferred};

fn builder<C>(
    builder: cloud_images_runtime::ClientBuilder<C>,
) -> cloud_images_runtime::ClientBuilder<C> {
    builder
        .header("X-Identity-Status", "Confirmed")
        .header("X-Project-Id", "bench")
        .header("X-User-Id", "bench")
        .header("X-Roles", "member,reader")
}

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

fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let blocking =
        |url: &str| builder(cloud_images_runtime::blocking::Client::builder(url)).build();
    match args.as_slice() {
        ["create", url] => {
            let image = blocking(url)?.create_image(&ImageCreate {
                name: Some("bench-transfer".into()),
                disk_format: Some(cloud_images::ImageDiskFormat::Raw),
                container_format: Some(cloud_images::ImageContainerFormat::Bare),
                ..ImageCreate::default()
            })?;
            println!("{}", image.id.unwrap_or_default());
        }
        ["delete", url, id] => blocking(url)?.delete_image(id)?,
        [
            op @ ("upload" | "download"),
            client,
            verify,
            url,
            id,
            rest @ ..,
        ] => {
            let options = TransferOptions::new().verify(*verify == "verify");
            let started = Instant::now();
            let done = match (*op, *client) {
                ("upload", "blocking") => {
                    let file = std::fs::File::open(rest[0]).map_err(Error::Io)?;
                    let length = file.metadata().map_err(Error::Io)?.len();
                    blocking(url)?.upload_image_from(id, file, Some(length), &options)?
                }
                ("download", "blocking") => blocking(url)?
                    .download_image_to(id, std::io::sink(), &options)?
                    .expect("the image has data"),
                (op, "async") => {
                    let runtime = tokio::runtime::Builder::new_multi_thread()
                        .worker_threads(2)
                        .enable_all()
                        .build()
                        .map_err(Error::Io)?;
                    let client = builder(cloud_images_runtime::asynchronous::Client::builder(*url))
                        .build()?;
                    runtime.block_on(async {
                        if op == "upload" {
                            let file = tokio::fs::File::open(rest[0]).await.map_err(Error::Io)?;
                            let length = file.metadata().await.map_err(Error::Io)?.len();
                            client
                                .upload_image_from(id, file, Some(length), &options)
                                .await
                        } else {
                            Ok(client
                                .download_image_to(id, tokio::io::sink(), &options)
                                .await?
                                .expect("the image has data"))
                        }
                    })?
                }
                _ => panic!("unknown client `{client}`"),
            };
            report(started, done);
        }
        _ => {
            eprintln!("usage: see the comment at the top of runtime/examples/transfer.rs");
            std::process::exit(2);
        }
    }
    Ok(())
}
