//! The Compute API's image calls against a real nova-api 34, which asks a
//! real Glance 33 with the caller's Keystone token, as `cargo xtask lab
//! start` runs them. Every image is made through Glance for the test, and
//! every effect is checked through Glance's own API.
//!
//! The lab is found as every end-to-end test finds it
//! (`cloud_images_tests::Lab`: `CLOUD_IMAGES_LAB_DIR`, else `target/lab`),
//! with `CLOUD_IMAGES_NOVA_URL` overriding its nova-api URL. Without a lab
//! the tests skip with one line; with `CI` set they fail.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cloud_images::compute::{Image as NovaImage, MetadataUpdate, Status};
use cloud_images::{ImageContainerFormat, ImageDiskFormat};
use cloud_images_runtime::blocking::{Client, ComputeClient};
use cloud_images_runtime::compute::{ListQuery, Microversion};
use cloud_images_runtime::{Error, ImageCreate};
use cloud_images_tests::{CONSUMER, OWNER};

/// The lab (found as every end-to-end test finds it) and the URLs of the
/// two services these tests call.
struct Lab {
    shared: cloud_images_tests::Lab,
    nova: String,
    glance: String,
}

impl Lab {
    fn find(test: &str) -> Option<Lab> {
        let shared = cloud_images_tests::Lab::find(test)?;
        let nova = std::env::var("CLOUD_IMAGES_NOVA_URL")
            .ok()
            .filter(|url| !url.is_empty())
            .unwrap_or_else(|| shared.get("NOVA_URL").to_owned());
        Some(Lab {
            glance: shared.glance_url(),
            nova,
            shared,
        })
    }

    /// A project-scoped Keystone token of alice (alpha) or bob (beta).
    fn token(&self, user: &str) -> String {
        let identity = match user {
            "alice" => OWNER,
            "bob" => CONSUMER,
            other => panic!("no user {other}"),
        };
        self.shared.token(identity)
    }

    fn nova(&self, token: &str) -> ComputeClient {
        Client::builder(&self.nova)
            .token(token)
            .header("connection", "close")
            .build_compute()
            .expect("compute client")
    }

    fn glance(&self, token: &str) -> Client {
        Client::builder(&self.glance)
            .token(token)
            .header("connection", "close")
            .build()
            .expect("glance client")
    }
}

/// What each test starts from: the lab and alice's clients.
struct Session {
    lab: Lab,
    token: String,
    nova: ComputeClient,
    glance: Client,
}

fn session(test: &str) -> Option<Session> {
    let lab = Lab::find(test)?;
    let token = lab.token("alice");
    let nova = lab.nova(&token);
    let glance = lab.glance(&token);
    Some(Session {
        lab,
        token,
        nova,
        glance,
    })
}

/// A name, uuid-like value or number no other run uses.
fn unique(label: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("e2e-compute-{label}-{}-{nanos:x}", std::process::id())
}

fn fresh_uuid() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let hex = format!("{:032x}", nanos ^ (u128::from(std::process::id()) << 64));
    format!(
        "{}-{}-4{}-8{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

fn fresh_number() -> u64 {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    100_000 + (nanos % 1_000_000_000) as u64
}

/// Makes an image through Glance, uploads data when asked, and deletes it
/// when dropped.
struct GlanceImage<'a> {
    glance: &'a Client,
    id: String,
}

impl Drop for GlanceImage<'_> {
    fn drop(&mut self) {
        let _ = self.glance.delete_image(&self.id);
    }
}

fn create<'a>(
    glance: &'a Client,
    name: &str,
    min_disk: u64,
    min_ram: u64,
    properties: &[(&str, &str)],
    upload: bool,
) -> GlanceImage<'a> {
    let mut create = ImageCreate {
        name: Some(name.to_owned()),
        min_disk: Some(min_disk),
        min_ram: Some(min_ram),
        disk_format: Some(ImageDiskFormat::Raw),
        container_format: Some(ImageContainerFormat::Bare),
        ..ImageCreate::new()
    };
    for (key, value) in properties {
        // `instance_uuid` is declared in Glance's image schema, so it has a
        // field; the others are free-form properties.
        if *key == "instance_uuid" {
            create.instance_uuid = Some((*value).to_owned());
        } else {
            create = create.with_property(*key, *value);
        }
    }
    let image = glance
        .create_image(&create)
        .expect("Glance creates the image");
    let id = image.id.expect("an id");
    let image = GlanceImage { glance, id };
    if upload {
        glance
            .upload_image(&image.id, vec![7; 1024])
            .expect("upload");
    }
    image
}

/// A chunked upload that trickles data until stopped, so that Glance keeps
/// the image `saving` (the way an upload from a slow client looks).
struct SlowUpload {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl SlowUpload {
    fn start(glance_url: &str, token: &str, id: &str) -> SlowUpload {
        let authority = glance_url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        let mut stream = TcpStream::connect(&authority).expect("connect to Glance");
        let head = format!(
            "PUT /v2/images/{id}/file HTTP/1.1\r\nHost: {authority}\r\nX-Auth-Token: {token}\r\n\
             Content-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        );
        stream.write_all(head.as_bytes()).expect("request head");
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                if stream
                    .write_all(b"400\r\n")
                    .and_then(|()| stream.write_all(&[b's'; 1024]))
                    .and_then(|()| stream.write_all(b"\r\n"))
                    .is_err()
                {
                    return;
                }
                std::thread::sleep(Duration::from_millis(300));
            }
            let _ = stream.write_all(b"0\r\n\r\n");
            let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
            let _ = std::io::Read::read(&mut stream, &mut [0; 4096]);
        });
        SlowUpload {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for SlowUpload {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Waits until Glance shows the image with this status.
fn wait_for_glance_status(glance: &Client, id: &str, status: &str) {
    for _ in 0..100 {
        let image = glance.get_image(id).expect("Glance shows the image");
        if image.status.as_ref().map(|s| s.as_str()) == Some(status) {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("image {id} never became {status} in Glance");
}

/// The ids a detail listing returns, every page.
fn ids(nova: &ComputeClient, query: &ListQuery) -> BTreeSet<String> {
    nova.images_detail(query)
        .map(|image| image.expect("Nova lists").id)
        .collect()
}

fn index_ids(nova: &ComputeClient, query: &ListQuery) -> BTreeSet<String> {
    nova.list_images(query)
        .expect("Nova lists")
        .images
        .into_iter()
        .map(|i| i.id)
        .collect()
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| (*s).to_owned()).collect()
}

fn shown(nova: &ComputeClient, id: &str) -> NovaImage {
    nova.get_image(id).expect("Nova shows the image").image
}

#[test]
fn every_filter_alone_and_combined() {
    let Some(Session {
        lab,
        token,
        nova,
        glance,
    }) = session("every_filter_alone_and_combined")
    else {
        return;
    };

    let (disk, ram) = (fresh_number(), fresh_number());
    let server = fresh_uuid();
    let names: Vec<String> = ["snap", "base", "deactivated", "saving", "queued"]
        .iter()
        .map(|l| unique(l))
        .collect();
    let before = glance.get_schema("image").map(|_| ()).and_then(|()| {
        // Glance's clock, in the form `changes-since` takes.
        let probe = create(&glance, &unique("clock"), 0, 0, &[], false);
        Ok(glance.get_image(&probe.id)?.created_at.expect("created_at"))
    });
    let before = before.expect("the clock probe");
    let snap = create(
        &glance,
        &names[0],
        disk,
        ram,
        &[
            ("instance_uuid", &server),
            ("image_type", "snapshot"),
            ("auto_disk_config", "True"),
        ],
        true,
    );
    let base = create(&glance, &names[1], disk, ram + 1, &[], true);
    let deactivated = create(&glance, &names[2], 0, 0, &[], true);
    glance
        .deactivate_image(&deactivated.id)
        .expect("deactivate");
    let saving = create(&glance, &names[3], 0, 0, &[], false);
    let queued = create(&glance, &names[4], 0, 0, &[], false);
    let upload = SlowUpload::start(&lab.glance, &token, &saving.id);
    wait_for_glance_status(&glance, &saving.id, "saving");

    // What each image looks like through Nova.
    let image = shown(&nova, &snap.id);
    assert_eq!(
        (image.status.clone(), image.progress),
        (Status::Active, 100)
    );
    assert_eq!(
        image.server.as_ref().map(|s| s.id.as_str()),
        Some(server.as_str())
    );
    assert_eq!(
        image.os_dcf_disk_config.as_ref().map(|d| d.as_str()),
        Some("AUTO")
    );
    assert_eq!(
        image.metadata.get("image_type"),
        Some(&serde_json::json!("snapshot"))
    );
    assert_eq!(
        (image.min_disk, image.min_ram, image.os_ext_img_size_size),
        (disk, ram, 1024)
    );
    let image = shown(&nova, &deactivated.id);
    assert_eq!((image.status, image.progress), (Status::Unknown, 0));
    let image = shown(&nova, &saving.id);
    assert_eq!(
        (image.status, image.progress, image.os_ext_img_size_size),
        (Status::Saving, 50, 0)
    );
    let image = shown(&nova, &queued.id);
    assert_eq!(
        (image.status, image.progress, image.os_ext_img_size_size),
        (Status::Saving, 25, 0)
    );
    assert!(
        shown(&nova, &base.id).server.is_none(),
        "no instance_uuid, no server"
    );

    let query = |f: &dyn Fn(&mut ListQuery)| {
        let mut q = ListQuery::default();
        f(&mut q);
        q
    };
    let ours = set(&[&snap.id, &base.id, &deactivated.id, &saving.id, &queued.id]);
    let of_ours = |found: BTreeSet<String>| -> BTreeSet<String> {
        found.intersection(&ours).cloned().collect()
    };

    // server: the id, or a URL ending in it; exact.
    assert_eq!(
        ids(&nova, &query(&|q| q.server = Some(server.clone()))),
        set(&[&snap.id])
    );
    let url = format!("{}/servers/{server}", lab.nova);
    assert_eq!(
        ids(&nova, &query(&|q| q.server = Some(url.clone()))),
        set(&[&snap.id])
    );
    assert_eq!(
        ids(&nova, &query(&|q| q.server = Some(fresh_uuid()))),
        set(&[])
    );
    // name: exact, not a prefix.
    assert_eq!(
        ids(&nova, &query(&|q| q.name = Some(names[1].clone()))),
        set(&[&base.id])
    );
    assert_eq!(
        index_ids(&nova, &query(&|q| q.name = Some(names[1].clone()))),
        set(&[&base.id])
    );
    assert_eq!(
        ids(
            &nova,
            &query(&|q| q.name = Some(names[1][..names[1].len() - 2].to_owned()))
        ),
        set(&[])
    );
    // status: lowercased to Glance.
    assert_eq!(
        of_ours(ids(&nova, &query(&|q| q.status = Some(Status::Active)))),
        set(&[&snap.id, &base.id])
    );
    assert_eq!(
        of_ours(ids(&nova, &query(&|q| q.status = Some(Status::Saving)))),
        set(&[&saving.id]),
        "queued images show as SAVING but are not found by it"
    );
    assert_eq!(
        ids(&nova, &query(&|q| q.status = Some(Status::Unknown))),
        set(&[]),
        "UNKNOWN is no Glance status"
    );
    assert_eq!(
        of_ours(ids(
            &nova,
            &query(&|q| q.status = Some(Status::from("deactivated")))
        )),
        set(&[&deactivated.id])
    );
    assert_eq!(
        of_ours(ids(
            &nova,
            &query(&|q| q.status = Some(Status::from("queued")))
        )),
        set(&[&queued.id])
    );
    // changes-since: inclusive, ISO 8601.
    assert_eq!(
        of_ours(ids(
            &nova,
            &query(&|q| q.changes_since = Some(before.clone()))
        )),
        ours
    );
    assert_eq!(
        ids(
            &nova,
            &query(&|q| q.changes_since = Some("2999-01-01T00:00:00Z".to_owned()))
        ),
        set(&[])
    );
    let error = nova
        .list_images_detail(&query(&|q| q.changes_since = Some("yesterday".to_owned())))
        .expect_err("400");
    assert!(
        matches!(&error, Error::BadRequest(e) if e.message.contains("Bad \"updated_at\" query filter format")),
        "{error}"
    );
    // type: case-sensitive image_type.
    assert_eq!(
        of_ours(ids(
            &nova,
            &query(&|q| q.image_type = Some("snapshot".to_owned()))
        )),
        set(&[&snap.id])
    );
    assert_eq!(
        of_ours(ids(
            &nova,
            &query(&|q| q.image_type = Some("SNAPSHOT".to_owned()))
        )),
        set(&[])
    );
    assert_eq!(
        of_ours(ids(
            &nova,
            &query(&|q| q.image_type = Some("BASE".to_owned()))
        )),
        set(&[])
    );
    // minDisk and minRam: equality, not "at least".
    assert_eq!(
        ids(&nova, &query(&|q| q.min_disk = Some(disk))),
        set(&[&snap.id, &base.id])
    );
    assert_eq!(
        ids(&nova, &query(&|q| q.min_disk = Some(disk - 1)))
            .intersection(&ours)
            .count(),
        0
    );
    assert_eq!(
        ids(&nova, &query(&|q| q.min_ram = Some(ram))),
        set(&[&snap.id])
    );
    assert_eq!(
        ids(&nova, &query(&|q| q.min_ram = Some(ram + 1))),
        set(&[&base.id])
    );
    // property-<key>: passed through when Nova's lstrip keeps the key.
    let by_property = query(&|q| {
        q.properties
            .insert("instance_uuid".to_owned(), server.clone());
    });
    assert_eq!(ids(&nova, &by_property), set(&[&snap.id]));
    let mangled = query(&|q| {
        q.properties
            .insert("os_distro".to_owned(), "cirros".to_owned());
    });
    assert!(
        matches!(nova.list_images_detail(&mangled), Err(Error::InvalidRequest(m)) if m.contains("s_distro"))
    );
    // Combined: AND.
    let combined = query(&|q| {
        q.server = Some(server.clone());
        q.status = Some(Status::Active);
        q.image_type = Some("snapshot".to_owned());
        q.min_disk = Some(disk);
        q.min_ram = Some(ram);
        q.name = Some(names[0].clone());
        q.changes_since = Some(before.clone());
    });
    assert_eq!(ids(&nova, &combined), set(&[&snap.id]));
    assert_eq!(index_ids(&nova, &combined), set(&[&snap.id]));
    assert_eq!(
        ids(
            &nova,
            &query(&|q| {
                q.name = Some(names[1].clone());
                q.min_ram = Some(ram);
            })
        ),
        set(&[]),
        "name of one image and minRam of the other match nothing together"
    );
    assert_eq!(
        ids(
            &nova,
            &query(&|q| {
                q.min_disk = Some(disk);
                q.status = Some(Status::Active);
                q.image_type = Some("snapshot".to_owned());
            })
        ),
        set(&[&snap.id])
    );
    drop(upload);
}

#[test]
fn paging_follows_images_links_across_pages_and_stops_on_the_empty_last_page() {
    let Some(Session { nova, glance, .. }) = session("paging") else {
        return;
    };
    let batch = unique("batch");
    let images: Vec<GlanceImage> = (0..6)
        .map(|i| {
            create(
                &glance,
                &format!("{batch}-{i}"),
                0,
                0,
                &[("batch_tag", &batch)],
                false,
            )
        })
        .collect();
    let query = ListQuery {
        limit: Some(2),
        properties: BTreeMap::from([("batch_tag".to_owned(), batch.clone())]),
        ..ListQuery::default()
    };
    let pages: Vec<_> = nova
        .image_detail_pages(&query)
        .map(|p| p.expect("a page"))
        .collect();
    let sizes: Vec<usize> = pages.iter().map(|p| p.images.len()).collect();
    // Six images at two per page: three full pages, each with a next link,
    // and then the empty page Nova links to from the third.
    assert_eq!(sizes, [2, 2, 2, 0]);
    assert!(pages[..3].iter().all(|p| p.images_links.is_some()));
    assert!(pages[3].images_links.is_none());
    let listed: BTreeSet<String> = pages
        .into_iter()
        .flat_map(|p| p.images)
        .map(|i| i.id)
        .collect();
    let made: BTreeSet<String> = images.iter().map(|i| i.id.clone()).collect();
    assert_eq!(listed, made);
    let index: Vec<usize> = nova
        .image_index_pages(&query)
        .map(|p| p.expect("a page").images.len())
        .collect();
    assert_eq!(index, [2, 2, 2, 0]);
    let five = ListQuery {
        limit: Some(5),
        ..query.clone()
    };
    let sizes: Vec<usize> = nova
        .image_index_pages(&five)
        .map(|p| p.expect("a page").images.len())
        .collect();
    assert_eq!(sizes, [5, 1], "a short page has no next link");
}

#[test]
fn show_delete_and_the_404_after() {
    let Some(Session {
        lab, nova, glance, ..
    }) = session("show_delete")
    else {
        return;
    };
    let image = create(&glance, &unique("delete-me"), 0, 0, &[], true);
    let shown = shown(&nova, &image.id);
    assert_eq!(shown.id, image.id);
    assert_eq!(
        shown
            .links
            .iter()
            .map(|l| l.rel.as_str())
            .collect::<Vec<_>>(),
        ["self", "bookmark", "alternate"]
    );

    // Another project cannot delete it, and it is not even visible to it.
    let bob = lab.nova(&lab.token("bob"));
    assert!(matches!(bob.get_image(&image.id), Err(Error::NotFound(_))));

    nova.delete_image(&image.id)
        .expect("Nova deletes the image");
    match nova.get_image(&image.id) {
        Err(Error::NotFound(error)) => assert_eq!(error.message, "Image not found."),
        other => panic!("expected NotFound, got {other:?}"),
    }
    assert!(
        matches!(glance.get_image(&image.id), Err(Error::NotFound(_))),
        "Glance no longer has it"
    );
    assert!(
        matches!(nova.delete_image(&image.id), Err(Error::NotFound(_))),
        "a second delete is 404"
    );
}

#[test]
fn every_metadata_call_changes_what_glance_shows() {
    let Some(Session {
        lab, nova, glance, ..
    }) = session("metadata")
    else {
        return;
    };
    let image = create(
        &glance,
        &unique("metadata"),
        0,
        0,
        &[("alpha", "1"), ("beta", "2")],
        true,
    );
    let id = image.id.as_str();
    let in_glance = |key: &str| {
        glance
            .get_image(id)
            .expect("Glance shows it")
            .property(key)
            .map(str::to_owned)
    };
    let update = |pairs: &[(&str, &str)]| MetadataUpdate {
        metadata: pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        ..MetadataUpdate::default()
    };
    let values = |metadata: BTreeMap<String, Option<String>>| -> BTreeMap<String, String> {
        metadata
            .into_iter()
            .map(|(k, v)| (k, v.unwrap_or_default()))
            .collect()
    };
    let expect = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    };

    assert_eq!(
        values(nova.get_metadata(id).expect("get all").metadata),
        expect(&[("alpha", "1"), ("beta", "2")])
    );

    let merged = nova
        .merge_metadata(id, &update(&[("beta", "20"), ("gamma", "3")]))
        .expect("merge");
    assert_eq!(
        values(merged.metadata),
        expect(&[("alpha", "1"), ("beta", "20"), ("gamma", "3")])
    );
    assert_eq!(
        (in_glance("beta"), in_glance("gamma")),
        (Some("20".into()), Some("3".into()))
    );

    let item = nova.get_metadata_item(id, "gamma").expect("get one");
    assert_eq!(
        item.meta,
        BTreeMap::from([("gamma".to_owned(), Some("3".to_owned()))])
    );

    let set = nova.set_metadata_item(id, "delta", "4").expect("set one");
    assert_eq!(
        set.meta,
        BTreeMap::from([("delta".to_owned(), Some("4".to_owned()))])
    );
    assert_eq!(in_glance("delta"), Some("4".into()));

    nova.delete_metadata_item(id, "alpha").expect("delete one");
    assert_eq!(in_glance("alpha"), None);
    assert!(matches!(
        nova.get_metadata_item(id, "alpha"),
        Err(Error::NotFound(_))
    ));
    assert!(matches!(
        nova.delete_metadata_item(id, "alpha"),
        Err(Error::NotFound(_))
    ));

    let replaced = nova
        .replace_metadata(id, &update(&[("omega", "9")]))
        .expect("replace all");
    assert_eq!(values(replaced.metadata), expect(&[("omega", "9")]));
    for gone in ["beta", "gamma", "delta"] {
        assert_eq!(in_glance(gone), None, "{gone} is gone after replace");
    }
    assert_eq!(in_glance("omega"), Some("9".into()));

    // A key Nova would refuse is refused before sending.
    assert!(matches!(
        nova.set_metadata_item(id, "bad/key", "x"),
        Err(Error::InvalidRequest(_))
    ));
    // Another project cannot write it: its Glance does not show the image.
    let bob = lab.nova(&lab.token("bob"));
    let refused = bob
        .set_metadata_item(id, "omega", "stolen")
        .expect_err("refused");
    assert!(
        matches!(refused, Error::NotFound(_) | Error::Forbidden(_)),
        "{refused:?}"
    );
    assert_eq!(in_glance("omega"), Some("9".into()));
}

#[test]
fn a_microversion_without_the_calls_is_a_typed_error() {
    let Some(Session {
        lab, token, glance, ..
    }) = session("microversion")
    else {
        return;
    };
    let image = create(&glance, &unique("versions"), 0, 0, &[("kept", "yes")], true);

    // The newest versions that still serve the calls work.
    let at_35 = lab
        .nova(&token)
        .with_microversion(Microversion::IMAGES_LAST)
        .expect("2.35");
    assert_eq!(
        at_35.get_image(&image.id).expect("served at 2.35").image.id,
        image.id
    );
    let at_38 = lab
        .nova(&token)
        .with_microversion(Microversion::METADATA_LAST)
        .expect("2.38");
    assert_eq!(
        at_38
            .get_metadata(&image.id)
            .expect("served at 2.38")
            .metadata
            .get("kept"),
        Some(&Some("yes".to_owned()))
    );

    // Later ones are refused before sending, naming the last good version.
    let at_36 = lab
        .nova(&token)
        .with_microversion(Microversion::new(2, 36))
        .expect("2.36");
    match at_36.list_images_detail(&ListQuery::default()) {
        Err(Error::ComputeMicroversion {
            requested, last, ..
        }) => assert_eq!((requested.as_str(), last), ("2.36", "2.35")),
        other => panic!("expected ComputeMicroversion, got {other:?}"),
    }
    let at_39 = lab
        .nova(&token)
        .with_microversion(Microversion::new(2, 39))
        .expect("2.39");
    assert!(matches!(
        at_39.get_metadata(&image.id),
        Err(Error::ComputeMicroversion { last: "2.38", .. })
    ));

    // A version header set by hand still gets the typed error, from the
    // version Nova says it served with its 404.
    for header in ["2.36", "latest"] {
        let by_hand = Client::builder(&lab.nova)
            .token(&token)
            .header("connection", "close")
            .header("X-OpenStack-Nova-API-Version", header)
            .build_compute()
            .expect("client");
        // The builder's own header comes after the hand-set one; send the
        // hand-set version on the operation itself.
        let mut operation = by_hand.api().get_image(&image.id).expect("built at 2.1");
        let headers = operation.request_mut().headers_mut();
        headers.insert("x-openstack-nova-api-version", header.parse().unwrap());
        headers.insert(
            "openstack-api-version",
            format!("compute {header}").parse().unwrap(),
        );
        match by_hand.execute(operation) {
            Err(Error::ComputeMicroversion {
                requested,
                last: "2.35",
                ..
            }) => assert_ne!(requested, "2.1", "{header}"),
            other => panic!("{header}: expected ComputeMicroversion, got {other:?}"),
        }
    }
}
