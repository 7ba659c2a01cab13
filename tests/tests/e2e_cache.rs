//! End to end: the image cache API (`/v2/cache`), which is admin only.
//!
//! What fills the lab's cache: a download (the `cache` filter of Glance's
//! pipeline keeps a copy of what it serves), and `PUT /v2/cache/{id}`,
//! which queues the image for a worker thread in glance-api that fetches it
//! at once, so the queue is only ever seen for a moment. (An image whose
//! data file is gone would stay queued, but it also ends that thread for
//! good, a Glance 33 bug, so no test here does that.)

mod e2e;

use std::thread::sleep;
use std::time::{Duration, Instant};

use cloud_images_runtime::blocking::Client;
use cloud_images_runtime::{CacheClearTarget, CacheState, Error};
use cloud_images_tests::{ADMIN, OWNER};
use e2e::Session;
use e2e::data::Generated;
use e2e::stores::{SETTLE, raw_image};

fn active_image(session: &Session, label: &str) -> String {
    let owner = session.client(OWNER);
    let id = raw_image(session, &owner, label);
    owner
        .upload_image(&id, Generated::bytes(40 * 1024))
        .expect("upload");
    id
}

/// Polls the cache until `done` holds.
fn wait_for(admin: &Client, what: &str, done: impl Fn(&CacheState) -> bool) -> CacheState {
    let start = Instant::now();
    loop {
        let state = admin.get_cache_state().expect("cache state");
        if done(&state) {
            return state;
        }
        assert!(start.elapsed() < SETTLE, "{what}: {state:?}");
        sleep(Duration::from_millis(200));
    }
}

#[test]
fn queue_list_delete_and_clear() {
    let Some(session) = Session::start("queue_list_delete_and_clear") else {
        return;
    };
    let admin = session.client(ADMIN);
    let admin = admin.client();
    let queued = active_image(&session, "queued");
    let downloaded = active_image(&session, "downloaded");

    // Queued by the API: the worker caches it.
    admin.queue_image_for_cache(&queued).expect("queue");
    let state = wait_for(admin, "the queued image is cached", |state| {
        state.is_cached(&queued)
    });
    assert!(!state.is_queued(&queued), "cached images leave the queue");
    let entry = state
        .cached_images
        .iter()
        .find(|image| image.image_id == queued)
        .expect("entry");
    assert_eq!(entry.size, Some(40 * 1024));
    assert_eq!(entry.hits, Some(0));

    // Cached by a download; a second download is a hit.
    let owner = session.client(OWNER);
    for _ in 0..2 {
        owner.download_image(&downloaded).expect("download");
    }
    let state = wait_for(admin, "the downloaded image is cached", |state| {
        state.is_cached(&downloaded)
    });
    let entry = state
        .cached_images
        .iter()
        .find(|image| image.image_id == downloaded)
        .expect("entry");
    assert_eq!(entry.hits, Some(1), "{entry:?}");
    assert!(entry.last_accessed >= entry.last_modified, "{entry:?}");

    // One entry out.
    admin.delete_cached_image(&queued).expect("delete entry");
    let state = admin.get_cache_state().expect("cache state");
    assert!(!state.is_cached(&queued) && state.is_cached(&downloaded));
    // Glance answers 204 for an image that is in neither the cache nor the queue.
    admin
        .delete_cached_image(&queued)
        .expect("delete an entry that is gone");

    // Clearing the queue leaves the cache; clearing the cache empties it.
    admin
        .clear_cache(CacheClearTarget::Queue)
        .expect("clear queue");
    assert!(
        admin
            .get_cache_state()
            .expect("cache state")
            .is_cached(&downloaded)
    );
    admin
        .clear_cache(CacheClearTarget::Cache)
        .expect("clear cache");
    let state = admin.get_cache_state().expect("cache state");
    assert!(state.cached_images.is_empty(), "{state:?}");
    admin
        .clear_cache(CacheClearTarget::Both)
        .expect("clear both");
    let state = admin.get_cache_state().expect("cache state");
    assert!(state.cached_images.is_empty() && state.queued_images.is_empty());

    for id in [queued, downloaded] {
        owner.delete_image(&id).expect("delete image");
    }
}

/// What Glance refuses of an admin: queueing an image that is not active
/// or does not exist, and a clear target it does not know (which
/// `CacheClearTarget` cannot name, so the header is set by hand).
#[test]
fn refused_queueing_and_clearing() {
    let Some(session) = Session::start("refused_queueing_and_clearing") else {
        return;
    };
    let owner = session.client(OWNER);
    let id = raw_image(&session, &owner, "queued-status");
    let admin = session.client(ADMIN);
    match admin.client().queue_image_for_cache(&id) {
        Err(Error::BadRequest(error)) => assert_eq!(
            error.message,
            "Only images with status active can be targeted for queueing"
        ),
        other => panic!("queueing a queued image: {other:?}"),
    }
    match admin
        .client()
        .queue_image_for_cache("00000000-0000-0000-0000-000000000000")
    {
        Err(Error::NotFound(_)) => {}
        other => panic!("queueing no image: {other:?}"),
    }
    let mut clear = admin
        .api()
        .clear_cache(CacheClearTarget::Both)
        .expect("operation");
    clear.request_mut().headers_mut().insert(
        cloud_images_runtime::CLEAR_TARGET_HEADER,
        http::HeaderValue::from_static("everything"),
    );
    match admin.execute(clear) {
        Err(Error::BadRequest(error)) => assert_eq!(
            error.message,
            "If provided 'x-image-cache-clear-target' must be 'cache', 'queue' or empty string."
        ),
        other => panic!("clearing an unknown target: {other:?}"),
    }
    owner.delete_image(&id).expect("delete");
}

/// Every cache call is refused to a project member, with the policy's name.
#[test]
fn the_cache_api_is_admin_only() {
    let Some(session) = Session::start("the_cache_api_is_admin_only") else {
        return;
    };
    let id = active_image(&session, "forbidden");
    let owner = session.client(OWNER);
    let client = owner.client();
    let refusals = [
        ("cache_list", client.get_cache_state().map(drop)),
        ("cache_image", client.queue_image_for_cache(&id)),
        ("cache_delete", client.delete_cached_image(&id)),
        ("cache_delete", client.clear_cache(CacheClearTarget::Both)),
    ];
    for (policy, result) in refusals {
        match result {
            Err(Error::Forbidden(_)) => {}
            other => panic!("{policy} as a member: {other:?}"),
        }
    }
    owner.delete_image(&id).expect("delete");
}
