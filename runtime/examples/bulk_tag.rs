//! A bulk job with bounded concurrency: add a tag to many images, first one
//! at a time, then 16 at a time, and report both times.
//!
//! ```text
//! OS_CLIENT_CONFIG_FILE=target/lab/clouds.yaml OS_CLOUD=lab-alpha \
//!     cargo run --release -p cloud-images-runtime --features async --example bulk_tag -- 500 16
//! ```
//! It logs in as `OS_CLOUD` (or the `OS_*` variables) say, creates the
//! images, tags them, and deletes them again; every task shares the one
//! token. The last line is `RESULT ...` for `cargo xtask bench`.

use std::time::{Duration, Instant};

use cloud_images_runtime::asynchronous::Client;
use cloud_images_runtime::{Error, ImageCreate};
use futures_util::stream::{self, StreamExt, TryStreamExt};

/// Runs `job` on every id, at most `concurrency` at once.
async fn each(
    ids: &[String],
    concurrency: usize,
    job: impl AsyncFn(&str) -> Result<(), Error>,
) -> Result<Duration, Error> {
    let started = Instant::now();
    stream::iter(ids.iter().map(|id| job(id)))
        .buffer_unordered(concurrency)
        .try_collect::<()>()
        .await?;
    Ok(started.elapsed())
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let count: usize = args
        .next()
        .map_or(500, |n| n.parse().expect("a number of images"));
    let concurrency: usize = args
        .next()
        .map_or(16, |n| n.parse().expect("a concurrency"));
    let client = Client::from_env().await?;

    let run = std::process::id();
    let ids: Vec<String> = stream::iter(0..count)
        .map(|n| {
            let client = &client;
            async move {
                let image = ImageCreate {
                    name: Some(format!("bulk-{run}-{n}")),
                    ..ImageCreate::default()
                };
                Ok::<_, Error>(client.create_image(&image).await?.id.unwrap_or_default())
            }
        })
        .buffer_unordered(concurrency)
        .try_collect()
        .await?;

    let sequential = each(&ids, 1, async |id| client.add_tag(id, "sequential").await).await?;
    let concurrent = each(&ids, concurrency, async |id| {
        client.add_tag(id, "concurrent").await
    })
    .await?;
    println!(
        "tagged {count} images one at a time in {:.2} s",
        sequential.as_secs_f64()
    );
    println!(
        "tagged {count} images {concurrency} at a time in {:.2} s",
        concurrent.as_secs_f64()
    );
    let ratio = sequential.as_secs_f64() / concurrent.as_secs_f64();
    println!("concurrent is {ratio:.2}x the sequential speed");

    each(&ids, concurrency, async |id| client.delete_image(id).await).await?;
    println!(
        "RESULT images={count} concurrency={concurrency} sequential_s={:.3} concurrent_s={:.3}",
        sequential.as_secs_f64(),
        concurrent.as_secs_f64()
    );
    Ok(())
}
