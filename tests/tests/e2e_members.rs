//! End to end: sharing an image with another project through members, as
//! the owner and as the consumer (`runtime/docs/glance-behaviour.md`,
//! "Members"; the `e-*` exchanges of `tests/fixtures/transcripts/e_members.txt`).

mod e2e;

use cloud_images::{ImageVisibility, MemberStatus};
use cloud_images_runtime::{
    Error, ImageCreate, ImageListQuery, Match, MemberStatusFilter, VisibilityFilter,
};
use cloud_images_tests::{CONSUMER, OWNER};
use e2e::{Glance, Session};

/// The ids of the images named `name` that `glance` lists with this
/// membership filter.
fn listed(glance: &Glance, name: &str, member_status: Option<MemberStatusFilter>) -> Vec<String> {
    let query = ImageListQuery {
        name: Some(Match::eq(name)),
        member_status,
        visibility: Some(VisibilityFilter::Only(ImageVisibility::Shared)),
        ..ImageListQuery::default()
    };
    glance
        .images(&query)
        .expect("list")
        .into_iter()
        .filter_map(|image| image.id)
        .collect()
}

/// The ids of the images named `name` in the consumer's default listing.
fn listed_by_default(glance: &Glance, name: &str) -> Vec<String> {
    let query = ImageListQuery {
        name: Some(Match::eq(name)),
        ..ImageListQuery::default()
    };
    glance
        .images(&query)
        .expect("list")
        .into_iter()
        .filter_map(|image| image.id)
        .collect()
}

#[test]
fn owner_shares_and_consumer_accepts() {
    let Some(session) = Session::start("owner_shares_and_consumer_accepts") else {
        return;
    };
    let owner = session.client(OWNER);
    let consumer = session.client(CONSUMER);
    let beta = session.project_id(CONSUMER);
    let beta = beta.as_str();
    let name = session.unique("shared");
    let id = owner
        .create_image(&ImageCreate {
            name: Some(name.clone()),
            visibility: Some(ImageVisibility::Shared),
            ..ImageCreate::default()
        })
        .expect("create")
        .id
        .expect("id");
    let only = |status| Some(MemberStatusFilter::Only(status));
    let just_it = std::slice::from_ref(&id);

    let member = owner.add_member(&id, beta).expect("add member");
    assert_eq!(member.status, Some(MemberStatus::Pending));
    assert_eq!(member.member_id.as_deref(), Some(beta));
    assert_eq!(member.image_id.as_deref(), Some(id.as_str()));
    match owner.add_member(&id, beta) {
        Err(Error::Conflict(error)) => assert_eq!(
            error.message,
            format!("Member {beta} is duplicated for image {id}")
        ),
        other => panic!("the same member twice: {other:?}"),
    }

    // Pending: listed only when asked for, not by default (e-12, e-13).
    assert_eq!(
        listed(&consumer, &name, only(MemberStatus::Pending)),
        just_it
    );
    assert!(listed(&consumer, &name, only(MemberStatus::Accepted)).is_empty());
    assert!(listed_by_default(&consumer, &name).is_empty());
    let own = consumer.get_member(&id, beta).expect("own member record");
    assert_eq!(own.status, Some(MemberStatus::Pending));

    // Only the member's own project may answer (e-18).
    match owner.update_member(&id, beta, MemberStatus::Accepted) {
        Err(Error::Forbidden(error)) => assert_eq!(
            error.message,
            "You are not authorized to complete modify_member action."
        ),
        other => panic!("the owner accepting: {other:?}"),
    }

    let rejected = consumer
        .update_member(&id, beta, MemberStatus::Rejected)
        .expect("reject");
    assert_eq!(rejected.status, Some(MemberStatus::Rejected));
    assert_eq!(
        listed(&consumer, &name, only(MemberStatus::Rejected)),
        just_it
    );
    assert!(listed_by_default(&consumer, &name).is_empty());

    let accepted = consumer
        .update_member(&id, beta, MemberStatus::Accepted)
        .expect("accept");
    assert_eq!(accepted.status, Some(MemberStatus::Accepted));
    assert_eq!(
        listed(&consumer, &name, only(MemberStatus::Accepted)),
        just_it
    );
    assert!(listed(&consumer, &name, only(MemberStatus::Pending)).is_empty());
    assert_eq!(
        listed(&consumer, &name, Some(MemberStatusFilter::All)),
        just_it
    );
    assert_eq!(listed_by_default(&consumer, &name), just_it, "e-23");

    let members = owner.list_members(&id).expect("list members");
    let members = members.members.expect("members");
    assert_eq!(members.len(), 1, "{members:?}");
    assert_eq!(members[0].member_id.as_deref(), Some(beta));
    assert_eq!(members[0].status, Some(MemberStatus::Accepted));
    let fetched = owner.get_member(&id, beta).expect("get member");
    assert_eq!(fetched, members[0]);

    // Only the owner may remove a member (e-28, e-34).
    match consumer.delete_member(&id, beta) {
        Err(Error::Forbidden(error)) => assert_eq!(
            error.message,
            "You are not authorized to complete delete_member action."
        ),
        other => panic!("the consumer deleting its membership: {other:?}"),
    }
    owner.delete_member(&id, beta).expect("delete member");
    match owner.get_member(&id, beta) {
        Err(Error::NotFound(error)) => assert_eq!(
            error.message,
            format!("{} not found in the member list of the image {id}.", beta)
        ),
        other => panic!("a deleted member: {other:?}"),
    }
    assert!(
        matches!(consumer.get_image(&id), Err(Error::NotFound(_))),
        "the image is no longer visible to the former member (e-37)"
    );
    assert!(
        owner
            .list_members(&id)
            .expect("list")
            .members
            .expect("members")
            .is_empty()
    );
    owner.delete_image(&id).expect("delete");
}

#[test]
fn only_shared_images_have_members() {
    let Some(session) = Session::start("only_shared_images_have_members") else {
        return;
    };
    let owner = session.client(OWNER);
    let id = owner
        .create_image(&ImageCreate {
            name: Some(session.unique("private")),
            visibility: Some(ImageVisibility::Private),
            ..ImageCreate::default()
        })
        .expect("create")
        .id
        .expect("id");
    match owner.add_member(&id, &session.project_id(CONSUMER)) {
        Err(Error::Forbidden(error)) => assert_eq!(
            error.message,
            format!("Not allowed to create members for image {id}.")
        ),
        other => panic!("a member of a private image: {other:?}"),
    }
    match owner.list_members(&id) {
        Err(Error::Forbidden(error)) => assert_eq!(
            error.message,
            format!("Not allowed to list members for image {id}: Only shared images have members.")
        ),
        other => panic!("members of a private image: {other:?}"),
    }
    owner.delete_image(&id).expect("delete");
}
