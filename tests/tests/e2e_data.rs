//! End to end: image data. Upload, the checksums Glance computes, download
//! (whole and streamed), deactivation, and deletion (f-*).

mod e2e;

use cloud_images::{
    ImageContainerFormat, ImageDiskFormat, ImagePatch, ImageStatus, PatchMediaType,
};
use cloud_images_runtime::integrity::HashAlgorithm;
use cloud_images_runtime::{Error, ImageCreate, TransferOptions, Verification};
use cloud_images_tests::OWNER;
use e2e::rng::Rng;
use e2e::{Glance, Session};
use md5::Md5;
use sha2::{Digest, Sha512};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Pseudo-random bytes that no format inspector mistakes for a disk
/// format: Glance refuses data that does not match the declared `raw` (f-15).
fn data(rng: &mut Rng, length: usize) -> Vec<u8> {
    let mut bytes = rng.bytes(length);
    bytes[..8].copy_from_slice(b"e2e-raw\0");
    bytes
}

fn raw_image(session: &Session, glance: &Glance, label: &str) -> String {
    glance
        .create_image(&ImageCreate {
            name: Some(session.unique(label)),
            disk_format: Some(ImageDiskFormat::Raw),
            container_format: Some(ImageContainerFormat::Bare),
            ..ImageCreate::default()
        })
        .expect("create")
        .id
        .expect("id")
}

/// The image is active with the size and the digests of `bytes`.
#[track_caller]
fn assert_active_with(glance: &Glance, id: &str, bytes: &[u8]) {
    let image = glance.get_image(id).expect("get");
    assert_eq!(image.status, Some(ImageStatus::Active));
    let length = u64::try_from(bytes.len()).expect("small");
    assert_eq!(image.size, Some(Some(length)));
    assert_eq!(image.checksum, Some(Some(hex(&Md5::digest(bytes)))));
    assert_eq!(image.os_hash_algo, Some(Some("sha512".to_owned())));
    assert_eq!(image.os_hash_value, Some(Some(hex(&Sha512::digest(bytes)))));
    // A raw image is as large virtually as it is on disk (f-19).
    assert_eq!(image.virtual_size, Some(Some(length)));
}

#[test]
fn upload_download_deactivate_delete() {
    let Some(session) = Session::start("upload_download_deactivate_delete") else {
        return;
    };
    let glance = session.client(OWNER);
    let mut rng = Rng::new(Rng::seed_from_env());
    let bytes = data(&mut rng, 300 * 1024 + 7);
    let id = raw_image(&session, &glance, "data");

    // Before any upload there is no data: 204, which the runtime reads as None.
    assert_eq!(glance.download_image(&id).expect("download"), None);

    glance.upload_image(&id, bytes.clone()).expect("upload");
    assert_active_with(&glance, &id, &bytes);
    assert_eq!(
        glance.download_image(&id).expect("download").as_deref(),
        Some(&bytes[..])
    );
    let mut streamed = Vec::new();
    let written = glance
        .download_image_to(&id, &mut streamed, &TransferOptions::default())
        .expect("stream")
        .expect("the image has data");
    assert_eq!(written.bytes, bytes.len() as u64);
    assert_eq!(
        written.verification,
        Verification::Verified {
            algorithm: HashAlgorithm::Sha512
        }
    );
    assert_eq!(streamed, bytes);

    // Active images take no more data and keep their formats (f-06, f-07).
    match glance.upload_image(&id, b"again".to_vec()) {
        Err(Error::Conflict(error)) => assert_eq!(
            error.message,
            "Image status transition from active to saving is not allowed"
        ),
        other => panic!("a second upload: {other:?}"),
    }
    let reformat = ImagePatch::builder()
        .replace_disk_format(Some(ImageDiskFormat::Qcow2))
        .build()
        .expect("valid");
    match glance.patch_image(&id, &reformat, PatchMediaType::V2_1) {
        Err(Error::Forbidden(error)) => assert_eq!(
            error.message,
            "Attribute disk_format can be only replaced for a queued image."
        ),
        other => panic!("disk_format of an active image: {other:?}"),
    }

    glance.deactivate_image(&id).expect("deactivate");
    let image = glance.get_image(&id).expect("get");
    assert_eq!(image.status, Some(ImageStatus::Deactivated));
    match glance.download_image(&id) {
        Err(Error::Forbidden(error)) => assert_eq!(
            error.message,
            "The requested image has been deactivated. Image data download is forbidden."
        ),
        other => panic!("download while deactivated: {other:?}"),
    }
    glance.reactivate_image(&id).expect("reactivate");
    assert_eq!(
        glance.get_image(&id).expect("get").status,
        Some(ImageStatus::Active)
    );
    assert_eq!(
        glance.download_image(&id).expect("download").as_deref(),
        Some(&bytes[..])
    );

    glance.delete_image(&id).expect("delete");
    assert!(matches!(glance.get_image(&id), Err(Error::NotFound(_))));
    assert!(matches!(
        glance.download_image(&id),
        Err(Error::NotFound(_))
    ));
}

#[test]
fn streamed_upload_and_refused_uploads() {
    let Some(session) = Session::start("streamed_upload_and_refused_uploads") else {
        return;
    };
    let glance = session.client(OWNER);
    let mut rng = Rng::new(Rng::seed_from_env());
    let bytes = data(&mut rng, 200 * 1024 + 1);
    let id = raw_image(&session, &glance, "streamed");
    let uploaded = glance
        .upload_image_from(
            &id,
            &bytes[..],
            Some(bytes.len() as u64),
            &TransferOptions::default(),
        )
        .expect("streamed upload");
    assert_eq!(uploaded.bytes, bytes.len() as u64);
    assert!(uploaded.verification.is_verified(), "{uploaded:?}");
    assert_active_with(&glance, &id, &bytes);
    glance.delete_image(&id).expect("delete");

    // No formats, no data (f-21).
    let bare = glance
        .create_image(&ImageCreate {
            name: Some(session.unique("no-formats")),
            ..ImageCreate::default()
        })
        .expect("create")
        .id
        .expect("id");
    match glance.upload_image(&bare, bytes.clone()) {
        Err(Error::BadRequest(error)) => assert_eq!(
            error.message,
            "Properties disk_format, container_format must be set prior to saving data."
        ),
        other => panic!("upload without formats: {other:?}"),
    }
    assert_eq!(
        glance.get_image(&bare).expect("get").status,
        Some(ImageStatus::Queued)
    );
    glance.delete_image(&bare).expect("delete");
}
