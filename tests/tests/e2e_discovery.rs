//! End to end: version discovery (`GET /`) in both clients.

mod e2e;

use cloud_images_runtime::{Api, VersionStatus};
use e2e::Session;

#[test]
fn the_root_lists_the_versions_with_300() {
    let Some(session) = Session::start("the_root_lists_the_versions_with_300") else {
        return;
    };
    // The status itself: 300, which the decoder takes as the answer.
    let api = Api::new(session.url()).unwrap();
    let response = session
        .anonymous()
        .client()
        .send(api.get_versions().unwrap().into_request())
        .expect("GET /");
    assert_eq!(response.status(), 300);

    // No token needed; both clients decode the same document.
    let versions = session
        .anonymous()
        .client()
        .get_versions()
        .expect("versions");
    let current = versions.current().expect("a CURRENT version");
    assert!(current.id.starts_with("v2."), "{}", current.id);
    let root = current.self_href().expect("a self link");
    assert_eq!(root, format!("{}/v2/", session.lab().get("GLANCE_URL")));
    assert!(
        versions
            .versions
            .iter()
            .all(|version| version.status.is_known()),
        "Glance 33 uses only the statuses this crate names: {versions:?}"
    );
    assert_eq!(
        versions
            .versions
            .iter()
            .filter(|version| version.status == VersionStatus::Current)
            .count(),
        1
    );

    let runtime = tokio::runtime::Runtime::new().expect("tokio");
    let asynchronous = session.async_client(cloud_images_tests::OWNER);
    let again = runtime
        .block_on(asynchronous.get_versions())
        .expect("versions, async");
    assert_eq!(again, versions);
}
