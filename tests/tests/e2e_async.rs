//! End to end: the async client against the real Glance. Streamed upload
//! from an `AsyncRead` and from a `Stream`, verified downloads into an
//! `AsyncWrite` and as a `Stream`, paging as streams, waiting for a status,
//! and the same refusals of a badly sized body as the blocking client.

mod e2e;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use cloud_images::ImageStatus;
use cloud_images_runtime::{BodyLengthError, Error, ImageListQuery, Match, TransferOptions};
use cloud_images_tests::OWNER;
use e2e::Session;
use e2e::data::{Generated, raw};
use futures_util::{StreamExt, TryStreamExt, stream};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().expect("tokio")
}

#[test]
fn streams_both_ways_verified() {
    let Some(session) = Session::start("async_streams_both_ways_verified") else {
        return;
    };
    let client = session.async_client(OWNER);
    runtime().block_on(async {
        let length = 2 * 1024 * 1024 + 5;
        let bytes = Generated::bytes(length);

        // From an AsyncRead with a known length, with progress.
        let id = client
            .create_image(&raw(session.unique("async-read")))
            .await
            .expect("create")
            .id
            .expect("id");
        let reported = Arc::new(AtomicU64::new(0));
        let seen = Arc::clone(&reported);
        let options = TransferOptions::new().progress(move |done, total| {
            assert_eq!(total, Some(length as u64));
            seen.store(done, Ordering::Relaxed);
        });
        let uploaded = client
            .upload_image_from(
                &id,
                std::io::Cursor::new(bytes.clone()),
                Some(length as u64),
                &options,
            )
            .await
            .expect("upload");
        assert!(uploaded.verification.is_verified(), "{uploaded:?}");
        assert_eq!(reported.load(Ordering::Relaxed), length as u64);

        // Into an AsyncWrite (a file), verified.
        let path = std::env::temp_dir().join(format!("{}.img", session.unique("download")));
        let file = tokio::fs::File::create(&path).await.expect("file");
        let done = client
            .download_image_to(&id, file, &TransferOptions::default())
            .await
            .expect("download")
            .expect("data");
        assert!(done.verification.is_verified());
        assert_eq!(tokio::fs::read(&path).await.expect("read back"), bytes);
        let _ = tokio::fs::remove_file(&path).await;

        // From a Stream of chunks of unknown length (sent chunked).
        let streamed = client
            .create_image(&raw(session.unique("async-stream")))
            .await
            .expect("create")
            .id
            .expect("id");
        let chunks: Vec<Result<Bytes, std::io::Error>> = bytes
            .chunks(100_000)
            .map(|chunk| Ok(Bytes::copy_from_slice(chunk)))
            .collect();
        let uploaded = client
            .upload_image_stream(
                &streamed,
                stream::iter(chunks),
                None,
                &TransferOptions::default(),
            )
            .await
            .expect("chunked upload");
        assert_eq!(uploaded.bytes, length as u64);
        assert!(uploaded.verification.is_verified());

        // As a Stream of chunks.
        let mut data = client
            .download_image_stream(&streamed, &TransferOptions::default())
            .await
            .expect("download")
            .expect("data");
        let mut received = Vec::new();
        while let Some(chunk) = data.next().await {
            received.extend_from_slice(&chunk.expect("chunk"));
        }
        assert_eq!(received, bytes);
        assert!(data.verification().expect("ended").is_verified());

        // Waiting: active at once, and a queued image times out.
        let image = client
            .wait_for_image(&id, ImageStatus::Active, Duration::from_secs(5))
            .await
            .expect("active");
        assert_eq!(image.status, Some(ImageStatus::Active));
        let queued = client
            .create_image(&raw(session.unique("queued")))
            .await
            .expect("create")
            .id
            .expect("id");
        let started = Instant::now();
        match client
            .wait_for_image(&queued, ImageStatus::Active, Duration::from_millis(600))
            .await
        {
            Err(Error::WaitTimeout {
                id, wanted, last, ..
            }) => {
                assert_eq!(
                    (id.as_str(), wanted.as_str(), last.as_str()),
                    (queued.as_str(), "active", "queued")
                )
            }
            other => panic!("a queued image never becomes active: {other:?}"),
        }
        assert!(started.elapsed() < Duration::from_secs(3));

        // Paging as streams: three images, one per page.
        let query = ImageListQuery {
            name: Some(Match::In(vec![
                client
                    .get_image(&id)
                    .await
                    .expect("get")
                    .name
                    .flatten()
                    .expect("name"),
                client
                    .get_image(&streamed)
                    .await
                    .expect("get")
                    .name
                    .flatten()
                    .expect("name"),
                client
                    .get_image(&queued)
                    .await
                    .expect("get")
                    .name
                    .flatten()
                    .expect("name"),
            ])),
            limit: Some(1),
            ..ImageListQuery::new()
        };
        let pages: Vec<_> = client
            .image_pages(&query)
            .try_collect()
            .await
            .expect("pages");
        assert!(pages.len() >= 3, "{} pages", pages.len());
        let mut ids: Vec<String> = client
            .images(&query)
            .map_ok(|image| image.id.expect("id"))
            .try_collect()
            .await
            .expect("images");
        ids.sort();
        let mut expected = vec![id.clone(), streamed.clone(), queued.clone()];
        expected.sort();
        assert_eq!(ids, expected);

        for id in [id, streamed, queued] {
            client.delete_image(&id).await.expect("delete");
        }
    });
}

#[test]
fn badly_sized_bodies_and_early_answers_end_the_upload() {
    let Some(session) = Session::start("async_badly_sized_bodies_and_early_answers") else {
        return;
    };
    let client = session.async_client(OWNER);
    runtime().block_on(async {
        let id = client
            .create_image(&raw(session.unique("short")))
            .await
            .expect("create")
            .id
            .expect("id");
        let started = Instant::now();
        match client
            .upload_image_from(
                &id,
                std::io::Cursor::new(vec![7u8; 100]),
                Some(1000),
                &TransferOptions::default(),
            )
            .await
        {
            Err(Error::BodyLength(error)) => assert_eq!(
                error,
                BodyLengthError {
                    stated: 1000,
                    actual: 100
                }
            ),
            other => panic!("100 bytes for 1000: {other:?}"),
        }
        assert!(started.elapsed() < Duration::from_secs(5));
        match client
            .upload_image_from(
                &id,
                std::io::Cursor::new(vec![7u8; 5000]),
                Some(1000),
                &TransferOptions::default(),
            )
            .await
        {
            Err(Error::BodyLength(error)) => assert_eq!(
                error,
                BodyLengthError {
                    stated: 1000,
                    actual: 1001
                }
            ),
            other => panic!("5000 bytes for 1000: {other:?}"),
        }
        let status = client.get_image(&id).await.expect("get").status;
        assert_ne!(status, Some(ImageStatus::Active));

        // Glance answers 404 without reading the body: hyper reads the
        // answer while it writes, and the upload ends there.
        let total = 1u64 << 30;
        let sent = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&sent);
        let chunks = stream::iter(0..(total / 65536)).map(move |_| {
            counter.fetch_add(65536, Ordering::Relaxed);
            Ok::<_, std::io::Error>(Bytes::from(vec![1u8; 65536]))
        });
        let started = Instant::now();
        let result = client
            .upload_image_stream(
                "00000000-0000-4000-8000-000000000000",
                chunks,
                Some(total),
                &TransferOptions::default(),
            )
            .await;
        let sent = sent.load(Ordering::Relaxed);
        assert!(
            matches!(result, Err(Error::NotFound(_))),
            "{result:?} after {sent} bytes"
        );
        assert!(sent < total / 4, "the upload went on: {sent} bytes");
        assert!(started.elapsed() < Duration::from_secs(10));
    });
}
