//! Draws a progress bar with `indicatif` while an image downloads, then
//! while it uploads again, from the `(done, total)` reports of
//! [`TransferOptions::progress`].
//!
//! ```text
//! CLOUD_IMAGES_GLANCE_URL=http://127.0.0.1:19292 \
//!     cargo run -p cloud-images-runtime --features blocking --example progress -- <image-id>
//! ```
//! Without Keystone in front, the example sends Glance's identity headers.

use std::fs::File;

use cloud_images_runtime::blocking::Client;
use cloud_images_runtime::{Error, ImageCreate, TransferOptions};
use indicatif::{ProgressBar, ProgressStyle};

fn bar() -> ProgressBar {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} {eta}")
            .expect("a valid template"),
    );
    bar
}

/// Options that move `bar` with each report.
fn reporting_to(bar: &ProgressBar) -> TransferOptions {
    let bar = bar.clone();
    TransferOptions::new().progress(move |done, total| {
        if let Some(total) = total {
            bar.set_length(total);
        }
        bar.set_position(done);
    })
}

fn main() -> Result<(), Error> {
    let url = std::env::var("CLOUD_IMAGES_GLANCE_URL")
        .unwrap_or_else(|_| "http://127.0.0.1:19292".into());
    let id = std::env::args().nth(1).expect("usage: progress <image-id>");
    let client = Client::builder(url)
        .header("X-Identity-Status", "Confirmed")
        .header("X-Project-Id", "tenant-owner")
        .header("X-User-Id", "user-owner")
        .header("X-Roles", "member,reader")
        .build()?;

    let path = std::env::temp_dir().join(format!("{id}.img"));
    let file = File::create(&path).map_err(Error::Io)?;
    let downloading = bar();
    let done = client.download_image_to(&id, file, &reporting_to(&downloading))?;
    downloading.finish();
    println!("downloaded: {done:?}");

    let copy = client.create_image(&ImageCreate {
        name: Some(format!("copy of {id}")),
        disk_format: Some(cloud_images::ImageDiskFormat::Raw),
        container_format: Some(cloud_images::ImageContainerFormat::Bare),
        ..ImageCreate::default()
    })?;
    let copy_id = copy.id.unwrap_or_default();
    let file = File::open(&path).map_err(Error::Io)?;
    let length = file.metadata().map_err(Error::Io)?.len();
    let uploading = bar();
    let uploaded =
        client.upload_image_from(&copy_id, file, Some(length), &reporting_to(&uploading))?;
    uploading.finish();
    println!("uploaded {copy_id}: {uploaded:?}");
    let _ = std::fs::remove_file(path);
    Ok(())
}
