//! Image members: sharing an image with another
//! project, and that project accepting or rejecting it.

use cloud_images::{Member, MemberList, MemberStatus};
use http::Method;
use serde::Serialize;

use crate::api::{Api, Body, JSON};
use crate::encode::{Query, segment};
use crate::error::Error;
use crate::images::image_path;
use crate::operation::{Decoder, Operation, json};

/// The body of `PUT /v2/images/{id}/members/{member}`: `{"status": "accepted"}`.
///
/// Only the three statuses Glance knows can be built; any other gets 400
/// from Glance, so it is refused here instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberStatusUpdate {
    status: MemberStatus,
}

impl MemberStatusUpdate {
    /// The body `{"status": ...}`, or [`Error::InvalidRequest`] for a status
    /// Glance does not know (one decoded from a newer server).
    pub fn new(status: MemberStatus) -> Result<Self, Error> {
        if status.is_known() {
            Ok(MemberStatusUpdate { status })
        } else {
            Err(Error::InvalidRequest(format!(
                "member status `{status}` is not one of {}",
                MemberStatus::KNOWN_VALUES.join(", ")
            )))
        }
    }

    /// The status this update sets.
    pub fn status(&self) -> &MemberStatus {
        &self.status
    }
}

#[derive(Serialize)]
struct MemberAdd<'a> {
    member: &'a str,
}

fn members_path(image_id: &str) -> String {
    format!("{}/members", image_path(image_id))
}

fn member_path(image_id: &str, member_id: &str) -> String {
    format!("{}/members/{}", image_path(image_id), segment(member_id))
}

impl Api {
    /// `POST /v2/images/{id}/members` with `{"member": ...}` → 200 [`Member`]
    /// in status `pending`. Only `shared` images have members.
    pub fn add_member(&self, image_id: &str, member_id: &str) -> Result<Operation<Member>, Error> {
        let body = Body::json(&MemberAdd { member: member_id })?;
        self.operation(
            Method::POST,
            &members_path(image_id),
            Query::default(),
            body,
            JSON,
            Decoder::new(json),
        )
    }

    /// `GET /v2/images/{id}/members` → 200 [`MemberList`].
    pub fn list_members(&self, image_id: &str) -> Result<Operation<MemberList>, Error> {
        let path = members_path(image_id);
        self.get_json(&path, Query::default())
    }

    /// `GET /v2/images/{id}/members/{member}` → 200 [`Member`].
    pub fn get_member(&self, image_id: &str, member_id: &str) -> Result<Operation<Member>, Error> {
        let path = member_path(image_id, member_id);
        self.get_json(&path, Query::default())
    }

    /// `PUT /v2/images/{id}/members/{member}` with `{"status": ...}` → 200
    /// [`Member`]. Only the member's own project may do this.
    pub fn update_member(
        &self,
        image_id: &str,
        member_id: &str,
        status: MemberStatus,
    ) -> Result<Operation<Member>, Error> {
        let body = Body::json(&MemberStatusUpdate::new(status)?)?;
        let path = member_path(image_id, member_id);
        self.operation(
            Method::PUT,
            &path,
            Query::default(),
            body,
            JSON,
            Decoder::new(json),
        )
    }

    /// `DELETE /v2/images/{id}/members/{member}` → 204. Only the
    /// image owner may do this.
    pub fn delete_member(&self, image_id: &str, member_id: &str) -> Result<Operation<()>, Error> {
        let path = member_path(image_id, member_id);
        self.no_content(Method::DELETE, &path)
    }
}
