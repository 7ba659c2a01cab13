//! End to end: retries through a fault-injecting proxy in front of the real
//! Glance. Requests that are safe to repeat come through resets, 503s and
//! stalls; the others fail typed, and reach Glance at most once, which the
//! proxy counts.

mod e2e;

use std::time::Duration;

use cloud_images_runtime::{Error, ImageListQuery, Match, RetryPolicy, TransportErrorKind};
use cloud_images_tests::OWNER;
use e2e::Session;
use e2e::data::raw;
use e2e::proxy::{Fault, FaultProxy};

/// Quick retries, so that the tests do not wait on backoff.
fn quick() -> RetryPolicy {
    RetryPolicy {
        max_retries: 3,
        initial_backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(100),
        ..RetryPolicy::default()
    }
}

fn through(session: &Session, proxy: &FaultProxy) -> cloud_images_runtime::blocking::Client {
    session
        .blocking_builder(OWNER, &proxy.url())
        .retry(quick())
        .read_timeout(Some(Duration::from_millis(700)))
        .build()
        .expect("client")
}

fn image_id(session: &Session, label: &str) -> String {
    session
        .client(OWNER)
        .create_image(&raw(session.unique(label)))
        .expect("create")
        .id
        .expect("id")
}

#[test]
fn reads_come_through_resets_503s_and_stalls() {
    let Some(session) = Session::start("reads_come_through_resets_503s_and_stalls") else {
        return;
    };
    let id = image_id(&session, "retried-reads");
    for (fault, first) in [
        (Fault::Reset, 2),
        (Fault::ServiceUnavailable, 3),
        (Fault::Stall(Duration::from_secs(2)), 1),
    ] {
        let proxy = FaultProxy::start(session.url(), fault, first);
        let image = through(&session, &proxy)
            .get_image(&id)
            .unwrap_or_else(|error| panic!("{fault:?}: {error}"));
        assert_eq!(image.id.as_deref(), Some(id.as_str()));
        assert_eq!(
            proxy.seen().len(),
            first as usize + 1,
            "{fault:?}: {:?}",
            proxy.seen()
        );
        assert_eq!(proxy.reached("GET"), 1, "{fault:?}");
    }

    // One fault more than the retries allow: the typed failure.
    let proxy = FaultProxy::start(session.url(), Fault::ServiceUnavailable, 4);
    match through(&session, &proxy).get_image(&id) {
        Err(Error::ServerError(error)) => assert_eq!(error.status, 503),
        other => panic!("four 503s: {other:?}"),
    }
    assert_eq!(proxy.seen().len(), 4);
    let proxy = FaultProxy::start(session.url(), Fault::Reset, 4);
    match through(&session, &proxy).get_image(&id) {
        Err(Error::Transport(error)) => {
            assert_eq!(error.kind(), TransportErrorKind::Reset, "{error}");
            assert!(
                error.url().ends_with(&format!("/v2/images/{id}")),
                "{error}"
            );
        }
        other => panic!("four resets: {other:?}"),
    }

    // Retrying off: the first reset is the answer.
    let proxy = FaultProxy::start(session.url(), Fault::Reset, 1);
    let client = session
        .blocking_builder(OWNER, &proxy.url())
        .retry(RetryPolicy::none())
        .build()
        .expect("client");
    assert!(matches!(client.get_image(&id), Err(Error::Transport(_))));
    assert_eq!(proxy.seen().len(), 1);
}

#[test]
fn writes_are_sent_at_most_once() {
    let Some(session) = Session::start("writes_are_sent_at_most_once") else {
        return;
    };
    // 503: not retried, never reached Glance.
    let proxy = FaultProxy::start(session.url(), Fault::ServiceUnavailable, 1);
    let name = session.unique("once-503");
    match through(&session, &proxy).create_image(&raw(name)) {
        Err(Error::ServerError(error)) => assert_eq!(error.status, 503),
        other => panic!("POST answered 503: {other:?}"),
    }
    assert_eq!((proxy.seen().len(), proxy.reached("POST")), (1, 0));

    // A stall past the read timeout: not retried, and the error says the
    // request may have reached the server.
    let proxy = FaultProxy::start(session.url(), Fault::Stall(Duration::from_secs(2)), 1);
    match through(&session, &proxy).create_image(&raw(session.unique("once-stall"))) {
        Err(Error::Transport(error)) => {
            assert_eq!(error.kind(), TransportErrorKind::Timeout, "{error}");
            assert!(error.may_have_reached_server());
        }
        other => panic!("POST stalled: {other:?}"),
    }
    assert_eq!(proxy.seen().len(), 1);

    // Glance creates the image but the answer is lost: the POST is not
    // sent again, so there is exactly one image.
    let proxy = FaultProxy::start(session.url(), Fault::LoseAnswer, 1);
    let name = session.unique("once-lost");
    match through(&session, &proxy).create_image(&raw(name.clone())) {
        Err(Error::Transport(error)) => {
            assert_eq!(error.kind(), TransportErrorKind::Reset, "{error}");
            assert!(error.may_have_reached_server(), "{error}");
            assert!(
                error.to_string().contains("may have reached the server"),
                "{error}"
            );
        }
        other => panic!("POST whose answer was lost: {other:?}"),
    }
    assert_eq!(proxy.reached("POST"), 1);
    let query = ImageListQuery {
        name: Some(Match::eq(&name)),
        ..ImageListQuery::new()
    };
    let created = session.client(OWNER).images(&query).expect("list");
    assert_eq!(created.len(), 1, "the lost POST created exactly one image");
    let id = created[0].id.clone().expect("id");

    // A tag PUT whose answer was lost is sent again, and the tag is there once.
    let proxy = FaultProxy::start(session.url(), Fault::LoseAnswer, 1);
    through(&session, &proxy)
        .add_tag(&id, "retried")
        .expect("tag");
    assert_eq!(proxy.reached("PUT"), 2);
    let tags = session.client(OWNER).get_image(&id).expect("get").tags;
    assert_eq!(tags, Some(vec!["retried".to_owned()]));

    // A DELETE whose answer was lost is sent again; its 404 means done.
    let proxy = FaultProxy::start(session.url(), Fault::LoseAnswer, 1);
    through(&session, &proxy)
        .delete_image(&id)
        .expect("a retried delete that finds nothing is done");
    assert_eq!(proxy.reached("DELETE"), 2);
    assert!(matches!(
        session.client(OWNER).get_image(&id),
        Err(Error::NotFound(_))
    ));
    // Without a retry, a 404 stays a 404.
    assert!(matches!(
        session.client(OWNER).delete_image(&id),
        Err(Error::NotFound(_))
    ));
}

#[test]
fn the_async_client_retries_alike() {
    let Some(session) = Session::start("the_async_client_retries_alike") else {
        return;
    };
    let id = image_id(&session, "async-retried");
    let runtime = tokio::runtime::Runtime::new().expect("tokio");
    let client = |proxy: &FaultProxy| {
        session
            .async_builder(OWNER, &proxy.url())
            .retry(quick())
            .read_timeout(Some(Duration::from_millis(700)))
            .build()
            .expect("client")
    };
    for (fault, first) in [
        (Fault::Reset, 2),
        (Fault::ServiceUnavailable, 2),
        (Fault::Stall(Duration::from_secs(2)), 1),
    ] {
        let proxy = FaultProxy::start(session.url(), fault, first);
        let image = runtime
            .block_on(client(&proxy).get_image(&id))
            .unwrap_or_else(|error| panic!("{fault:?}: {error}"));
        assert_eq!(image.id.as_deref(), Some(id.as_str()));
        assert_eq!(proxy.reached("GET"), 1, "{fault:?}");
    }
    let proxy = FaultProxy::start(session.url(), Fault::LoseAnswer, 1);
    let name = session.unique("async-once");
    match runtime.block_on(client(&proxy).create_image(&raw(name))) {
        Err(Error::Transport(error)) => assert!(error.may_have_reached_server(), "{error}"),
        other => panic!("POST whose answer was lost: {other:?}"),
    }
    assert_eq!(proxy.reached("POST"), 1);
    let proxy = FaultProxy::start(session.url(), Fault::Stall(Duration::from_secs(2)), 1);
    match runtime.block_on(client(&proxy).create_image(&raw(session.unique("async-stall")))) {
        Err(Error::Transport(error)) => {
            assert_eq!(error.kind(), TransportErrorKind::Timeout, "{error}")
        }
        other => panic!("POST stalled: {other:?}"),
    }
    assert_eq!(proxy.seen().len(), 1);
}

/// A rate limiter in front of Glance answers 429 with `Retry-After`: reads
/// wait as long as it asks and come through; writes are never repeated;
/// a wait longer than the policy allows is the caller's answer at once.
#[test]
fn rate_limits_are_waited_out_for_reads_only() {
    let Some(session) = Session::start("rate_limits_are_waited_out_for_reads_only") else {
        return;
    };
    let id = image_id(&session, "rate-limited");
    let limited = |first| {
        FaultProxy::start(
            session.url(),
            Fault::TooManyRequests { retry_after_s: 1 },
            first,
        )
    };

    // The backoff of `quick` is at most 100 ms: only `Retry-After` explains
    // a second between attempts.
    let proxy = limited(2);
    let image = through(&session, &proxy)
        .get_image(&id)
        .expect("a GET after two 429s");
    assert_eq!(image.id.as_deref(), Some(id.as_str()));
    assert_eq!(proxy.seen().len(), 3, "{:?}", proxy.seen());
    assert_eq!(proxy.reached("GET"), 1);
    for gap in proxy.gaps() {
        assert!(
            gap >= Duration::from_millis(950),
            "retried after {gap:?}, asked 1 s"
        );
    }

    // POST and PATCH: the 429 is the answer, and nothing reached Glance.
    let proxy = limited(2);
    let client = through(&session, &proxy);
    match client.create_image(&raw(session.unique("limited-post"))) {
        Err(Error::Other(error)) => assert_eq!(error.status, 429),
        other => panic!("POST answered 429: {other:?}"),
    }
    let rename = serde_json::json!([{"op": "replace", "path": "/name", "value": "limited"}]);
    match client.update_image(&id, rename, "application/openstack-images-v2.1-json-patch") {
        Err(Error::Other(error)) => assert_eq!(error.status, 429),
        other => panic!("PATCH answered 429: {other:?}"),
    }
    assert_eq!(proxy.seen().len(), 2, "{:?}", proxy.seen());
    assert!(proxy.seen()[1].starts_with("PATCH "), "{:?}", proxy.seen());
    assert!(proxy.reached_glance().is_empty());

    // Asked to wait longer than the policy's `max_retry_after`: no wait.
    let proxy = limited(1);
    let impatient = session
        .blocking_builder(OWNER, &proxy.url())
        .retry(RetryPolicy {
            max_retry_after: Duration::from_millis(500),
            ..quick()
        })
        .build()
        .expect("client");
    let started = std::time::Instant::now();
    match impatient.get_image(&id) {
        Err(Error::Other(error)) => assert_eq!(error.status, 429),
        other => panic!("a 429 asking for longer than allowed: {other:?}"),
    }
    assert!(started.elapsed() < Duration::from_millis(900));
    assert_eq!(proxy.seen().len(), 1);

    // The async client waits alike.
    let proxy = limited(1);
    let client = session
        .async_builder(OWNER, &proxy.url())
        .retry(quick())
        .build()
        .expect("client");
    let runtime = tokio::runtime::Runtime::new().expect("tokio");
    let image = runtime
        .block_on(client.get_image(&id))
        .expect("an async GET after a 429");
    assert_eq!(image.id.as_deref(), Some(id.as_str()));
    assert_eq!(proxy.reached("GET"), 1);
    assert!(
        proxy.gaps()[0] >= Duration::from_millis(950),
        "{:?}",
        proxy.gaps()
    );
}
