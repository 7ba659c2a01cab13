//! End to end: listing images. Paging through `next` links with the
//! client's pager, and every filter and sort of `ImageListQuery`, each in a
//! fresh project so that the expected images are exactly known (g-*).

mod e2e;

use std::collections::BTreeSet;
use std::thread::sleep;
use std::time::Duration;

use cloud_images::{
    Image, ImageContainerFormat, ImageDiskFormat, ImagePatch, ImageStatus, ImageVisibility,
    MemberStatus, PatchMediaType,
};
use cloud_images_runtime::{
    ImageCreate, ImageListQuery, Match, MemberStatusFilter, Sort, SortDir, SortKey, TimeFilter,
    TimeOp, VisibilityFilter,
};
use cloud_images_tests::ADMIN;
use e2e::rng::Rng;
use e2e::{Glance, Session};

/// Glance's timestamps have whole seconds: waiting longer than one puts
/// later images strictly after earlier ones.
const TICK: Duration = Duration::from_millis(1100);

fn id(image: &Image) -> String {
    image.id.clone().expect("an image has an id")
}

fn ids(glance: &Glance, query: &ImageListQuery) -> BTreeSet<String> {
    ordered(glance, query).into_iter().collect()
}

fn ordered(glance: &Glance, query: &ImageListQuery) -> Vec<String> {
    glance
        .images(query)
        .unwrap_or_else(|error| panic!("{query:?}: {error}"))
        .iter()
        .map(id)
        .collect()
}

#[test]
fn pager_follows_next_through_every_page() {
    let Some(session) = Session::start("pager_follows_next_through_every_page") else {
        return;
    };
    let project = session.fresh_project("paging");
    let glance = session.member_of(&project);
    let created: BTreeSet<String> = (0..7)
        .map(|n| {
            let image = glance
                .create_image(&ImageCreate {
                    name: Some(session.unique(&format!("page-{n}"))),
                    ..ImageCreate::default()
                })
                .expect("create");
            id(&image)
        })
        .collect();
    let query = ImageListQuery {
        owner: Some(project.clone()),
        limit: Some(2),
        ..ImageListQuery::default()
    };
    let pages = glance.image_pages(&query).expect("pages");
    let sizes: Vec<usize> = pages
        .iter()
        .map(|page| page.images.as_ref().map_or(0, Vec::len))
        .collect();
    assert_eq!(sizes, [2, 2, 2, 1], "7 images, 2 a page");
    assert!(pages[..3].iter().all(|page| page.next.is_some()));
    assert!(
        pages[3].next.is_none(),
        "a page that is not full is the last"
    );
    let listed: Vec<String> = pages
        .into_iter()
        .flat_map(|page| page.images.unwrap_or_default())
        .map(|image| id(&image))
        .collect();
    assert_eq!(listed.len(), 7, "each image once: {listed:?}");
    assert_eq!(listed.iter().cloned().collect::<BTreeSet<_>>(), created);
    // The item iterator walks the same pages in the same order.
    assert_eq!(ordered(&glance, &query), listed);

    // A full last page still links on, to an empty page (g-06..g-17).
    let exact = ImageListQuery {
        limit: Some(7),
        ..query
    };
    let pages = glance.image_pages(&exact).expect("pages");
    let sizes: Vec<usize> = pages
        .iter()
        .map(|page| page.images.as_ref().map_or(0, Vec::len))
        .collect();
    assert_eq!(sizes, [7, 0]);

    for id in created {
        glance.delete_image(&id).expect("delete");
    }
}

/// The images of the filter test, owned by one fresh project.
struct Fixture {
    project: String,
    sharer: String,
    tags: [String; 2],
    distro: String,
    bus: String,
    /// private; tags red+blue; raw/bare; os_distro, hw_disk_bus; 1000 bytes.
    a: Image,
    /// shared; tag red; qcow2/ovf; queued.
    b: Image,
    /// community; protected; iso/bare; queued.
    c: Image,
    /// private; raw/bare; 5000 bytes.
    d: Image,
    /// public, created by the admin for the project; vhd/bare.
    e: Image,
    /// shared; created a second after the others.
    f: Image,
    /// private; hidden from default listings.
    g: Image,
    /// shared by another project with this one, membership pending.
    s: Image,
}

impl Fixture {
    /// Creates the images as `glance`, a member of `project`.
    fn build(
        session: &Session,
        project: &str,
        glance: &Glance,
        admin: &Glance,
        rng: &mut Rng,
    ) -> Fixture {
        let project = project.to_owned();
        let sharer = session.fresh_project("sharer");
        let tags = [session.unique("red"), session.unique("blue")];
        let (distro, bus) = (session.unique("distro"), session.unique("bus"));
        let base = session.unique("filter");
        let new = |suffix: &str, visibility: ImageVisibility| ImageCreate {
            name: Some(format!("{base}-{suffix}")),
            visibility: Some(visibility),
            disk_format: Some(ImageDiskFormat::Raw),
            container_format: Some(ImageContainerFormat::Bare),
            ..ImageCreate::default()
        };
        let create = |request: ImageCreate| glance.create_image(&request).expect("create");
        let a = create(
            ImageCreate {
                tags: Some(tags.to_vec()),
                os_distro: Some(distro.clone()),
                ..new("a", ImageVisibility::Private)
            }
            .with_property("hw_disk_bus", bus.as_str()),
        );
        let b = create(ImageCreate {
            tags: Some(vec![tags[0].clone()]),
            disk_format: Some(ImageDiskFormat::Qcow2),
            container_format: Some(ImageContainerFormat::Ovf),
            ..new("b", ImageVisibility::Shared)
        });
        let c = create(ImageCreate {
            protected: Some(true),
            disk_format: Some(ImageDiskFormat::Iso),
            ..new("c", ImageVisibility::Community)
        });
        let d = create(new("d", ImageVisibility::Private));
        let e = admin
            .create_image(&ImageCreate {
                owner: Some(project.clone()),
                disk_format: Some(ImageDiskFormat::Vhd),
                ..new("e", ImageVisibility::Public)
            })
            .expect("admin creates a public image for the project");
        let g = create(ImageCreate {
            os_hidden: Some(true),
            ..new("g", ImageVisibility::Private)
        });
        let mut data = rng.bytes(5000);
        data[..8].copy_from_slice(b"e2e-raw\0");
        glance
            .upload_image(&id(&a), data[..1000].to_vec())
            .expect("upload a");
        glance.upload_image(&id(&d), data).expect("upload d");
        let a = glance.get_image(&id(&a)).expect("get a");
        let d = glance.get_image(&id(&d)).expect("get d");

        let other = session.member_of(&sharer);
        let s = other
            .create_image(&ImageCreate {
                name: Some(format!("{base}-s")),
                visibility: Some(ImageVisibility::Shared),
                ..ImageCreate::default()
            })
            .expect("create s");
        other.add_member(&id(&s), &project).expect("share s");

        sleep(TICK);
        let f = create(new("f", ImageVisibility::Shared));
        Fixture {
            project,
            sharer,
            tags,
            distro,
            bus,
            a,
            b,
            c,
            d,
            e,
            f,
            g,
            s,
        }
    }

    fn set(images: &[&Image]) -> BTreeSet<String> {
        images.iter().map(|image| id(image)).collect()
    }

    /// The project's images, any visibility, as default listings show them
    /// (without `g`, which is hidden).
    fn owned(&self) -> ImageListQuery {
        ImageListQuery {
            owner: Some(self.project.clone()),
            visibility: Some(VisibilityFilter::All),
            ..ImageListQuery::default()
        }
    }
}

#[test]
fn every_list_filter_selects_the_right_images() {
    let Some(session) = Session::start("every_list_filter_selects_the_right_images") else {
        return;
    };
    let mut rng = Rng::new(Rng::seed_from_env());
    let admin = session.client(ADMIN);
    let project = session.fresh_project("filters");
    let glance = session.member_of(&project);
    let mut fx = Fixture::build(&session, &project, &glance, &admin, &mut rng);
    let set = Fixture::set;
    let (a, b, c, d, e, f, g) = (&fx.a, &fx.b, &fx.c, &fx.d, &fx.e, &fx.f, &fx.g);
    let all = fx.owned();
    let check = |label: &str, query: ImageListQuery, expected: BTreeSet<String>| {
        assert_eq!(ids(&glance, &query), expected, "{label}: {query:?}");
    };

    check("owner", all.clone(), set(&[a, b, c, d, e, f]));
    let name = |image: &Image| image.name.clone().flatten().expect("named");
    check(
        "name",
        ImageListQuery {
            name: Some(Match::eq(name(a))),
            ..ImageListQuery::default()
        },
        set(&[a]),
    );
    check(
        "name=in:",
        ImageListQuery {
            name: Some(Match::any_of([name(a), name(d)])),
            ..ImageListQuery::default()
        },
        set(&[a, d]),
    );
    check(
        "id=in:",
        ImageListQuery {
            id: Some(Match::any_of([id(a), id(c)])),
            ..all.clone()
        },
        set(&[a, c]),
    );

    // Visibility, without an owner filter for the kinds only the project sees.
    let visibility = |visibility: ImageVisibility, owner: Option<String>| ImageListQuery {
        visibility: Some(VisibilityFilter::Only(visibility)),
        owner,
        ..ImageListQuery::default()
    };
    check(
        "private",
        visibility(ImageVisibility::Private, None),
        set(&[a, d]),
    );
    check(
        "shared",
        visibility(ImageVisibility::Shared, None),
        set(&[b, f]),
    );
    let owner = Some(fx.project.clone());
    check(
        "community",
        visibility(ImageVisibility::Community, owner.clone()),
        set(&[c]),
    );
    check(
        "public",
        visibility(ImageVisibility::Public, owner),
        set(&[e]),
    );

    check(
        "status=active",
        ImageListQuery {
            status: Some(Match::eq(ImageStatus::Active)),
            ..all.clone()
        },
        set(&[a, d]),
    );
    check(
        "status=in:",
        ImageListQuery {
            status: Some(Match::any_of([ImageStatus::Queued, ImageStatus::Killed])),
            ..all.clone()
        },
        set(&[b, c, e, f]),
    );
    check("tag", all.clone().tag(&fx.tags[0]), set(&[a, b]));
    check(
        "tags are ANDed",
        all.clone().tag(&fx.tags[0]).tag(&fx.tags[1]),
        set(&[a]),
    );
    check(
        "size_min",
        ImageListQuery {
            size_min: Some(2000),
            ..all.clone()
        },
        set(&[d]),
    );
    check(
        "size_max",
        ImageListQuery {
            size_max: Some(2000),
            ..all.clone()
        },
        set(&[a]),
    );
    check(
        "size range",
        ImageListQuery {
            size_min: Some(1000),
            size_max: Some(5000),
            ..all.clone()
        },
        set(&[a, d]),
    );
    check(
        "os_hidden=true",
        ImageListQuery {
            os_hidden: Some(true),
            ..all.clone()
        },
        set(&[g]),
    );
    check(
        "os_hidden=false",
        ImageListQuery {
            os_hidden: Some(false),
            ..all.clone()
        },
        set(&[a, b, c, d, e, f]),
    );
    check(
        "protected",
        ImageListQuery {
            protected: Some(true),
            ..all.clone()
        },
        set(&[c]),
    );
    check(
        "disk_format",
        ImageListQuery {
            disk_format: Some(Match::eq(ImageDiskFormat::Qcow2)),
            ..all.clone()
        },
        set(&[b]),
    );
    check(
        "disk_format=in:",
        ImageListQuery {
            disk_format: Some(Match::any_of([ImageDiskFormat::Iso, ImageDiskFormat::Vhd])),
            ..all.clone()
        },
        set(&[c, e]),
    );
    check(
        "container_format",
        ImageListQuery {
            container_format: Some(Match::eq(ImageContainerFormat::Ovf)),
            ..all.clone()
        },
        set(&[b]),
    );
    check(
        "os_distro",
        ImageListQuery::new().property("os_distro", &fx.distro),
        set(&[a]),
    );
    check(
        "free-form property",
        ImageListQuery::new().property("hw_disk_bus", &fx.bus),
        set(&[a]),
    );
    check(
        "checksum and os_hash_value",
        ImageListQuery {
            checksum: a.checksum.clone().flatten(),
            os_hash_value: a.os_hash_value.clone().flatten(),
            ..all.clone()
        },
        set(&[a]),
    );

    // f was created a tick after the others.
    let f_created = f.created_at.clone().expect("created_at");
    check(
        "created_at=gte:",
        ImageListQuery {
            created_at: Some(TimeFilter::new(TimeOp::Gte, &f_created)),
            ..all.clone()
        },
        set(&[f]),
    );
    check(
        "created_at=lt:",
        ImageListQuery {
            created_at: Some(TimeFilter::new(TimeOp::Lt, &f_created)),
            ..all.clone()
        },
        set(&[a, b, c, d, e]),
    );
    sleep(TICK);
    let touch = ImagePatch::builder()
        .replace_min_ram(64)
        .build()
        .expect("valid");
    fx.d = glance
        .patch_image(&id(&fx.d), &touch, PatchMediaType::V2_1)
        .expect("touch d");
    let d_updated = fx.d.updated_at.clone().expect("updated_at");
    check(
        "updated_at=gte:",
        ImageListQuery {
            updated_at: Some(TimeFilter::new(TimeOp::Gte, &d_updated)),
            ..all.clone()
        },
        set(&[&fx.d]),
    );
    check(
        "updated_at=lt:",
        ImageListQuery {
            updated_at: Some(TimeFilter::new(TimeOp::Lt, &d_updated)),
            ..all.clone()
        },
        set(&[&fx.a, &fx.b, &fx.c, &fx.e, &fx.f]),
    );
    // Glance stores microseconds but shows whole seconds, so `eq:` with the
    // timestamp it shows matches nothing (and `neq:` everything).
    check(
        "updated_at=eq:",
        ImageListQuery {
            updated_at: Some(TimeFilter::new(TimeOp::Eq, &d_updated)),
            ..all.clone()
        },
        BTreeSet::new(),
    );

    member_status_filters(&session, &glance, &fx);
    sorting_and_markers(&glance, &fx);

    for image in [&fx.a, &fx.b, &fx.d, &fx.e, &fx.f, &fx.g] {
        admin.delete_image(&id(image)).expect("delete");
    }
    let unprotect = ImagePatch::builder()
        .replace_protected(false)
        .build()
        .expect("valid");
    admin
        .patch_image(&id(&fx.c), &unprotect, PatchMediaType::V2_1)
        .expect("unprotect c");
    admin.delete_image(&id(&fx.c)).expect("delete c");
    session
        .member_of(&fx.sharer)
        .delete_image(&id(&fx.s))
        .expect("delete s");
}

/// `member_status` selects images shared with the caller by its answer.
fn member_status_filters(session: &Session, glance: &Glance, fx: &Fixture) {
    let shared_by = |status: MemberStatusFilter| ImageListQuery {
        owner: Some(fx.sharer.clone()),
        member_status: Some(status),
        visibility: Some(VisibilityFilter::Only(ImageVisibility::Shared)),
        ..ImageListQuery::default()
    };
    let s = Fixture::set(&[&fx.s]);
    let none = BTreeSet::new();
    let only = MemberStatusFilter::Only;
    assert_eq!(ids(glance, &shared_by(only(MemberStatus::Pending))), s);
    assert_eq!(ids(glance, &shared_by(only(MemberStatus::Accepted))), none);
    glance
        .update_member(&id(&fx.s), &fx.project, MemberStatus::Accepted)
        .expect("accept s");
    assert_eq!(ids(glance, &shared_by(only(MemberStatus::Accepted))), s);
    assert_eq!(ids(glance, &shared_by(only(MemberStatus::Pending))), none);
    assert_eq!(ids(glance, &shared_by(MemberStatusFilter::All)), s);
    // Another project sees none of it.
    let stranger = session.member_of(&session.fresh_project("stranger"));
    assert_eq!(ids(&stranger, &shared_by(MemberStatusFilter::All)), none);
}

/// Both sort syntaxes, checked against the order computed here, and paging
/// by hand with `marker` and `limit`.
fn sorting_and_markers(glance: &Glance, fx: &Fixture) {
    let listed: Vec<Image> = glance.images(&fx.owned()).expect("list");
    let key = |image: &Image| {
        (
            image.status.clone().expect("status").as_str().to_owned(),
            image.name.clone().flatten().expect("name"),
        )
    };
    let mut by_name: Vec<&Image> = listed.iter().collect();
    by_name.sort_by_key(|image| key(image).1);
    let by_name: Vec<String> = by_name.into_iter().map(id).collect();
    let mut reversed = by_name.clone();
    reversed.reverse();
    let sorted = |sort: Sort| ImageListQuery {
        sort: Some(sort),
        ..fx.owned()
    };

    let key_dir = sorted(Sort::KeyDir(vec![(SortKey::Name, SortDir::Asc)]));
    assert_eq!(
        ordered(glance, &key_dir),
        by_name,
        "sort_key=name&sort_dir=asc"
    );
    let combined = sorted(Sort::Combined(vec![(SortKey::Name, Some(SortDir::Desc))]));
    assert_eq!(ordered(glance, &combined), reversed, "sort=name:desc");

    // Status ascending, then name descending, in both syntaxes.
    let mut two_keys: Vec<&Image> = listed.iter().collect();
    two_keys.sort_by(|left, right| {
        let (left, right) = (key(left), key(right));
        left.0.cmp(&right.0).then(right.1.cmp(&left.1))
    });
    let two_keys: Vec<String> = two_keys.into_iter().map(id).collect();
    assert_ne!(two_keys, by_name, "the second key matters for this fixture");
    let key_dir = sorted(Sort::KeyDir(vec![
        (SortKey::Status, SortDir::Asc),
        (SortKey::Name, SortDir::Desc),
    ]));
    assert_eq!(
        ordered(glance, &key_dir),
        two_keys,
        "sort_key/sort_dir twice"
    );
    let combined = sorted(Sort::Combined(vec![
        (SortKey::Status, Some(SortDir::Asc)),
        (SortKey::Name, Some(SortDir::Desc)),
    ]));
    assert_eq!(
        ordered(glance, &combined),
        two_keys,
        "sort=status:asc,name:desc"
    );

    // marker and limit by hand: one page at a time, in name order.
    let page = |marker: Option<String>| ImageListQuery {
        limit: Some(2),
        marker,
        ..sorted(Sort::KeyDir(vec![(SortKey::Name, SortDir::Asc)]))
    };
    let first = glance.list_images(&page(None)).expect("first page");
    let first: Vec<String> = first.images.expect("images").iter().map(id).collect();
    assert_eq!(first, by_name[..2]);
    let second = glance
        .list_images(&page(Some(first[1].clone())))
        .expect("second page");
    let second: Vec<String> = second.images.expect("images").iter().map(id).collect();
    assert_eq!(second, by_name[2..4]);
}
