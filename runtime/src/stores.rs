//! An image's data in one store: upload into a chosen store, and delete
//! the copy in one store while the image keeps its others. Both need a
//! Glance with several stores (`enabled_backends`).

use http::{HeaderValue, Method};

use crate::api::Api;
use crate::encode::segment;
use crate::error::Error;
use crate::operation::Operation;

/// The header that names the store of an upload (and, for an import
/// without `stores` in its body, of the import).
pub const STORE_HEADER: &str = "x-image-meta-store";

impl Api {
    /// `DELETE /v2/stores/{store_id}/{image_id}` → 204: removes the image's
    /// data from one store, and that store's location from the image.
    ///
    /// Glance refuses with 409 when the image is not `active` or the store
    /// is not one of its stores' ids ("The selected store ... is not
    /// available on this node."), 404 when the image is not in that store,
    /// and 403 when it is the image's last store (delete the image
    /// instead) or the caller may not delete locations (policy
    /// `delete_image_location`: **admin only** by default).
    pub fn delete_image_from_store(
        &self,
        store_id: &str,
        image_id: &str,
    ) -> Result<Operation<()>, Error> {
        let path = format!("/v2/stores/{}/{}", segment(store_id), segment(image_id));
        self.no_content(Method::DELETE, &path)
    }

    /// `PUT /v2/images/{id}/file` with `X-Image-Meta-Store: {store_id}` → 204:
    /// uploads into a chosen store instead of the default one; an unknown
    /// store is 400 "Store for identifier ... not found". Streamed uploads
    /// choose their store with [`crate::TransferOptions::store`].
    pub fn upload_image_to_store(
        &self,
        id: &str,
        store_id: &str,
        data: Vec<u8>,
    ) -> Result<Operation<()>, Error> {
        let mut operation = self.upload_image(id, data)?;
        name_store(&mut operation, store_id)?;
        Ok(operation)
    }
}

/// Sets `X-Image-Meta-Store: store_id` on an upload.
pub(crate) fn name_store<T, B>(
    operation: &mut Operation<T, B>,
    store_id: &str,
) -> Result<(), Error> {
    let store = HeaderValue::from_str(store_id).map_err(|error| {
        Error::InvalidRequest(format!("store id `{store_id}` cannot be a header: {error}"))
    })?;
    operation
        .request_mut()
        .headers_mut()
        .insert(STORE_HEADER, store);
    Ok(())
}
