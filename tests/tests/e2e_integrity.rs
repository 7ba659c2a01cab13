//! End to end: downloads are verified against the image record. The test
//! corrupts the data in the test Glance's file store (one flipped byte,
//! then a truncated file) and both clients refuse the download with the
//! integrity error; with verification off they hand the bytes over and say
//! so.

mod e2e;

use std::fs::OpenOptions;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::PathBuf;

use cloud_images_runtime::integrity::{HashAlgorithm, IntegrityCheck, IntegrityError};
use cloud_images_runtime::{Error, TransferOptions, Unverified, Verification};
use cloud_images_tests::{OWNER, glance_store_dir};
use e2e::Session;
use e2e::data::{Generated, raw};

const LENGTH: usize = 256 * 1024 + 3;

fn stored_file(id: &str) -> PathBuf {
    let path = glance_store_dir().join(id);
    assert!(
        path.is_file(),
        "no stored data at {} (set CLOUD_IMAGES_GLANCE_STORE_DIR)",
        path.display()
    );
    path
}

fn flip_byte(path: &PathBuf, at: u64) {
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .expect("open stored file");
    file.seek(SeekFrom::Start(at)).expect("seek");
    let mut byte = [0u8; 1];
    file.read_exact(&mut byte).expect("read");
    file.seek(SeekFrom::Start(at)).expect("seek");
    file.write_all(&[byte[0] ^ 0x01]).expect("write");
}

fn truncate(path: &PathBuf, length: u64) {
    OpenOptions::new()
        .write(true)
        .open(path)
        .expect("open")
        .set_len(length)
        .expect("truncate");
}

#[track_caller]
fn assert_integrity(
    result: Result<Option<cloud_images_runtime::Transferred>, Error>,
    check: IntegrityCheck,
) -> IntegrityError {
    match result {
        Err(Error::Integrity(error)) => {
            assert_eq!(error.check, check, "{error}");
            assert_ne!(error.expected, error.actual);
            error
        }
        other => panic!("expected an integrity error about {check}, got {other:?}"),
    }
}

#[test]
fn corrupted_and_truncated_data_fail_both_clients() {
    let Some(session) = Session::start("corrupted_and_truncated_data_fail_both_clients") else {
        return;
    };
    let glance = session.client(OWNER);
    let runtime = tokio::runtime::Runtime::new().expect("tokio");
    let async_client = session.async_client(OWNER);
    let bytes = Generated::bytes(LENGTH);
    let upload = |label: &str| {
        let id = glance
            .create_image(&raw(session.unique(label)))
            .expect("create")
            .id
            .expect("id");
        let uploaded = glance
            .upload_image_from(
                &id,
                &bytes[..],
                Some(LENGTH as u64),
                &TransferOptions::default(),
            )
            .expect("upload");
        assert!(uploaded.verification.is_verified(), "{uploaded:?}");
        id
    };

    // Intact: both verified. On an image of its own: the lab's Glance keeps
    // a copy of what it served in its image cache, and would serve that
    // copy, not the stored file, once it has been downloaded.
    let intact = upload("integrity-intact");
    let mut sink = Vec::new();
    let done = glance
        .download_image_to(&intact, &mut sink, &TransferOptions::default())
        .expect("download")
        .expect("data");
    assert_eq!(
        done.verification,
        Verification::Verified {
            algorithm: HashAlgorithm::Sha512
        }
    );
    let done = runtime
        .block_on(async_client.download_image_to(&intact, Vec::new(), &TransferOptions::default()))
        .expect("download")
        .expect("data");
    assert!(done.verification.is_verified());

    // One flipped byte in the middle of an image never downloaded: same
    // size, other digests. (Glance checks the checksum of what it caches
    // and keeps no copy of corrupted data, so the cache stays out of this.)
    let id = upload("integrity-corrupted");
    let path = stored_file(&id);
    flip_byte(&path, LENGTH as u64 / 2);
    let blocking = assert_integrity(
        glance.download_image_to(&id, Vec::new(), &TransferOptions::default()),
        IntegrityCheck::Checksum,
    );
    assert_eq!(blocking.image_id, id);
    let asynchronous = assert_integrity(
        runtime.block_on(async_client.download_image_to(
            &id,
            Vec::new(),
            &TransferOptions::default(),
        )),
        IntegrityCheck::Checksum,
    );
    assert_eq!(blocking, asynchronous);
    // The streaming form ends with the error as its last item.
    let last = runtime.block_on(async {
        use futures_util::StreamExt;
        let mut data = async_client
            .download_image_stream(&id, &TransferOptions::default())
            .await
            .expect("download")
            .expect("data");
        let mut last = None;
        while let Some(item) = data.next().await {
            last = Some(item);
        }
        (last, data.verification())
    });
    assert!(
        matches!(last, (Some(Err(Error::Integrity(_))), None)),
        "{last:?}"
    );

    // Off per call: the bytes arrive, and the result says unverified.
    let mut corrupted = Vec::new();
    let done = glance
        .download_image_to(&id, &mut corrupted, &TransferOptions::new().verify(false))
        .expect("unverified download")
        .expect("data");
    assert_eq!(
        done.verification,
        Verification::Unverified(Unverified::Disabled)
    );
    assert_eq!(corrupted.len(), LENGTH);
    assert_ne!(corrupted, bytes);

    // Truncated: shorter than the recorded size.
    truncate(&path, LENGTH as u64 - 1000);
    for (client, result) in [
        (
            "blocking",
            glance.download_image_to(&id, Vec::new(), &TransferOptions::default()),
        ),
        (
            "async",
            runtime.block_on(async_client.download_image_to(
                &id,
                Vec::new(),
                &TransferOptions::default(),
            )),
        ),
    ] {
        let error = match result {
            Err(Error::Integrity(error)) => error,
            other => panic!("{client}: a truncated file: {other:?}"),
        };
        assert_eq!(error.check, IntegrityCheck::Size, "{client}: {error}");
        assert_eq!(error.expected, LENGTH.to_string(), "{client}");
        assert_eq!(error.actual, (LENGTH - 1000).to_string(), "{client}");
    }
    glance.delete_image(&id).expect("delete");
}
