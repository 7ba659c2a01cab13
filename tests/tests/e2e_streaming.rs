//! End to end: streamed uploads that go wrong. A reader shorter or longer
//! than the stated length fails at once with both counts, and Glance's
//! answer before the body is done ends the upload.

mod e2e;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use cloud_images::ImageStatus;
use cloud_images_runtime::{BodyLengthError, Error, TransferOptions, TransportErrorKind};
use cloud_images_tests::OWNER;
use e2e::data::{Generated, raw};
use e2e::proxy::{Fault, FaultProxy};
use e2e::{Glance, Session};

fn raw_image(session: &Session, glance: &Glance, label: &str) -> String {
    glance
        .create_image(&raw(session.unique(label)))
        .expect("create")
        .id
        .expect("id")
}

#[test]
fn a_reader_shorter_or_longer_than_stated_fails_at_once() {
    let Some(session) = Session::start("a_reader_shorter_or_longer_than_stated_fails_at_once")
    else {
        return;
    };
    let glance = session.client(OWNER);
    let id = raw_image(&session, &glance, "short");
    let started = Instant::now();
    let short = glance.upload_image_from(
        &id,
        &[7u8; 100][..],
        Some(1000),
        &TransferOptions::default(),
    );
    match short {
        Err(Error::BodyLength(error)) => {
            assert_eq!(
                error,
                BodyLengthError {
                    stated: 1000,
                    actual: 100
                }
            );
            assert!(error.to_string().contains("100 of the 1000"), "{error}");
        }
        other => panic!("a reader of 100 bytes for 1000: {other:?}"),
    }
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    let status = glance.get_image(&id).expect("get").status;
    assert_ne!(
        status,
        Some(ImageStatus::Active),
        "a cut-off upload stored nothing"
    );

    let id = raw_image(&session, &glance, "long");
    let (reader, _) = Generated::new(5000);
    match glance.upload_image_from(&id, reader, Some(1000), &TransferOptions::default()) {
        Err(Error::BodyLength(error)) => {
            assert_eq!(
                error,
                BodyLengthError {
                    stated: 1000,
                    actual: 1001
                }
            );
            assert!(!error.ended_early());
        }
        other => panic!("a reader of 5000 bytes for 1000: {other:?}"),
    }
    assert_ne!(
        glance.get_image(&id).expect("get").status,
        Some(ImageStatus::Active)
    );
}

#[test]
fn an_answer_before_the_body_is_done_ends_the_upload() {
    let Some(session) = Session::start("an_answer_before_the_body_is_done_ends_the_upload") else {
        return;
    };
    let glance = session.client(OWNER);
    // Glance refuses data for an image that does not exist without reading it.
    let total = 1u64 << 30;
    let (reader, read) = Generated::new(total);
    let started = Instant::now();
    let result = glance.upload_image_from(
        "00000000-0000-4000-8000-000000000000",
        reader,
        Some(total),
        &TransferOptions::default(),
    );
    let elapsed = started.elapsed();
    let sent = read.load(Ordering::Relaxed);
    match result {
        Err(Error::NotFound(error)) => assert!(
            error.message.contains("not found") || error.message.contains("No image"),
            "{error}"
        ),
        other => panic!("upload to a missing image: {other:?} after {sent} bytes"),
    }
    assert!(
        sent < total / 4,
        "the upload went on after Glance answered: {sent} bytes read"
    );
    assert!(elapsed < Duration::from_secs(10), "took {elapsed:?}");
}

#[test]
fn chunked_upload_of_unknown_length_is_verified() {
    let Some(session) = Session::start("chunked_upload_of_unknown_length_is_verified") else {
        return;
    };
    let glance = session.client(OWNER);
    let id = raw_image(&session, &glance, "chunked");
    let length = 3 * 1024 * 1024 + 11;
    let (reader, _) = Generated::new(length);
    // Glance inspects the start of the data for a disk format; these bytes are none.
    let uploaded = glance
        .upload_image_from(&id, reader, None, &TransferOptions::default())
        .expect("chunked upload");
    assert_eq!(uploaded.bytes, length);
    assert!(uploaded.verification.is_verified(), "{uploaded:?}");
    let image = glance.get_image(&id).expect("get");
    assert_eq!(image.size, Some(Some(length)));
}

/// A refusal part-way through the body (Glance's size cap or a quota: uWSGI
/// answers and closes with the body unread, which resets the connection)
/// cannot be read by either HTTP stack: the upload ends at once as a
/// `Reset` transport error that may have reached the server, without
/// reading the rest of the caller's data. `runtime/docs/glance-behaviour.md` says why.
#[test]
fn a_refusal_mid_body_ends_the_upload_as_a_reset() {
    let Some(session) = Session::start("a_refusal_mid_body_ends_the_upload_as_a_reset") else {
        return;
    };
    let glance = session.client(OWNER);
    let id = raw_image(&session, &glance, "mid-body");
    let total = 64u64 << 20;
    let refuse = || FaultProxy::start(session.url(), Fault::RefuseMidBody { after: 4 << 20 }, 1);
    let expect_reset = |result: Result<_, Error>, client: &str| match result {
        Err(Error::Transport(error)) => {
            assert_eq!(error.kind(), TransportErrorKind::Reset, "{client}: {error}");
            assert!(error.may_have_reached_server(), "{client}: {error}");
        }
        other => panic!("{client}: a refusal mid-body: {other:?}"),
    };

    let proxy = refuse();
    let client = session
        .blocking_builder(OWNER, &proxy.url())
        .build()
        .expect("client");
    let (reader, read) = Generated::new(total);
    let result = client.upload_image_from(&id, reader, Some(total), &TransferOptions::default());
    expect_reset(result, "blocking");
    let sent = read.load(Ordering::Relaxed);
    assert!(
        sent < total / 2,
        "blocking: read {sent} of {total} bytes after the refusal"
    );
    assert_eq!(proxy.seen().len(), 1, "an upload is never retried");

    let proxy = refuse();
    let client = session
        .async_builder(OWNER, &proxy.url())
        .build()
        .expect("client");
    let runtime = tokio::runtime::Runtime::new().expect("tokio");
    let reader = tokio::io::AsyncReadExt::take(tokio::io::repeat(7), total);
    let result = runtime.block_on(client.upload_image_from(
        &id,
        reader,
        Some(total),
        &TransferOptions::default(),
    ));
    expect_reset(result, "async");
    assert_eq!(proxy.seen().len(), 1, "an upload is never retried");
}
