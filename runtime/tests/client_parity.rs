//! Both clients offer the same methods. The plain operations come from one
//! list per API (`Client::OPERATIONS`, `ComputeClient::OPERATIONS`); the
//! login constructors, the data, paging and waiting methods are written
//! per client, so this lists the public methods of each client's source
//! and compares the two sets.
#![cfg(all(feature = "blocking", feature = "async"))]

use std::collections::BTreeSet;
use std::path::Path;

use cloud_images_runtime::{asynchronous, blocking};

/// Methods only the async client has, and why.
const ASYNC_ONLY: &[(&str, &str)] = &[
    ("upload_image_stream", "a Stream of chunks is an async type"),
    (
        "download_image_stream",
        "a Stream of chunks is an async type",
    ),
    (
        "verification",
        "a method of ImageData, the stream download_image_stream returns",
    ),
    (
        "connect",
        "a builder that logs in awaits its first login; blocking `build` logs in itself",
    ),
];

/// `pub fn` and `pub async fn` names in the `.rs` files under `dir`.
fn public_methods(dir: &Path) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for entry in std::fs::read_dir(dir).expect("client source folder") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|ext| ext != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("source");
        for line in text.lines() {
            let line = line.trim_start();
            let rest = line
                .strip_prefix("pub async fn ")
                .or_else(|| line.strip_prefix("pub fn "));
            if let Some(rest) = rest {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                names.insert(name);
            }
        }
    }
    names
}

#[test]
fn both_clients_offer_the_same_methods() {
    assert_eq!(
        blocking::Client::OPERATIONS,
        asynchronous::Client::OPERATIONS
    );
    assert_eq!(blocking::Client::OPERATIONS.len(), 64);
    assert_eq!(
        blocking::ComputeClient::OPERATIONS,
        asynchronous::ComputeClient::OPERATIONS
    );
    assert_eq!(blocking::ComputeClient::OPERATIONS.len(), 10);

    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut blocking: BTreeSet<String> = public_methods(&src.join("blocking"));
    let mut asynchronous: BTreeSet<String> = public_methods(&src.join("asynchronous"));
    let listed = blocking::Client::OPERATIONS
        .iter()
        .chain(blocking::ComputeClient::OPERATIONS);
    for operation in listed {
        blocking.insert((*operation).to_owned());
        asynchronous.insert((*operation).to_owned());
    }
    for (name, _why) in ASYNC_ONLY {
        assert!(
            asynchronous.remove(*name),
            "{name} is listed as async-only but missing"
        );
    }
    let only_blocking: Vec<_> = blocking.difference(&asynchronous).collect();
    let only_async: Vec<_> = asynchronous.difference(&blocking).collect();
    assert!(
        only_blocking.is_empty() && only_async.is_empty(),
        "only in blocking: {only_blocking:?}; only in async: {only_async:?}"
    );
    for expected in [
        "upload_image_from",
        "stage_image_from",
        "download_image",
        "download_image_to",
        "image_pages",
        "images",
        "task_pages",
        "tasks",
        "wait_for_image",
        "wait_for_task",
        "execute",
        "send",
        "from_cloud",
        "from_env",
        "login",
        "session",
        "build_compute",
        "image_detail_pages",
        "images_detail",
        "with_microversion",
    ] {
        assert!(blocking.contains(expected), "{expected}");
    }
}
