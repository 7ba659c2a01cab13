//! The one list of the operations both clients offer as plain calls: each
//! builds the [`crate::Api`] operation of the same name and executes it.
//! `blocking::Client` and `asynchronous::Client` are both generated from
//! this list, so neither can gain or lose one without the other.
//!
//! The data calls (streamed upload and download), paging and waiting are
//! written by hand in each client, as their types differ (`Read` and
//! `AsyncRead`, `Iterator` and `Stream`); `tests/client_parity.rs` lists
//! both clients' methods to keep those in step too.

/// Calls `$callback! { ... }` with every operation as
/// `/// docs  name(arg: Type, ...) -> Output;`.
macro_rules! operations {
    ($callback:ident) => {
        $callback! {
            /// One page of images (`GET /v2/images`); see [`crate::Api::list_images`].
            list_images(query: &crate::ImageListQuery) -> cloud_images::ImageList;
            /// One image (`GET /v2/images/{id}`).
            get_image(id: &str) -> cloud_images::Image;
            /// Creates an image record (`POST /v2/images`); see [`crate::Api::create_image`].
            create_image(image: &crate::ImageCreate) -> cloud_images::Image;
            /// Patches an image with any JSON body and media type; see [`crate::Api::update_image`].
            update_image(id: &str, patch_body: serde_json::Value, media_type: &str) -> cloud_images::Image;
            /// Patches an image with a checked patch; see [`crate::Api::patch_image`].
            patch_image(id: &str, patch: &cloud_images::ImagePatch, media_type: cloud_images::PatchMediaType) -> cloud_images::Image;
            /// Deletes an image. Retried like every `DELETE`: a 404 to a retry counts as done.
            delete_image(id: &str) -> ();
            /// Deactivates an image.
            deactivate_image(id: &str) -> ();
            /// Reactivates an image.
            reactivate_image(id: &str) -> ();
            /// Adds a tag (`PUT`, retried: adding a tag twice leaves one).
            add_tag(id: &str, tag: &str) -> ();
            /// Removes a tag.
            delete_tag(id: &str, tag: &str) -> ();
            /// Uploads image data held in memory, unverified (see `upload_image_from`). Never retried.
            upload_image(id: &str, data: Vec<u8>) -> ();
            /// Stages image data held in memory for a `glance-direct` import. Never retried.
            stage_image(id: &str, data: Vec<u8>) -> ();
            /// Starts an import (`POST /v2/images/{id}/import`). Never retried.
            import_image(id: &str, import: &crate::ImageImport) -> ();
            /// The image's import tasks.
            list_image_tasks(id: &str) -> cloud_images::TaskList;
            /// Shares an image with a project.
            add_member(image_id: &str, member_id: &str) -> cloud_images::Member;
            /// The projects an image is shared with.
            list_members(image_id: &str) -> cloud_images::MemberList;
            /// One member of an image.
            get_member(image_id: &str, member_id: &str) -> cloud_images::Member;
            /// Accepts or rejects a shared image, as its member.
            update_member(image_id: &str, member_id: &str, status: cloud_images::MemberStatus) -> cloud_images::Member;
            /// Stops sharing an image with a project.
            delete_member(image_id: &str, member_id: &str) -> ();
            /// Creates a task (`POST /v2/tasks`). Never retried.
            create_task(task: &crate::TaskCreate) -> cloud_images::Task;
            /// One page of tasks.
            list_tasks(query: &crate::TaskListQuery) -> cloud_images::TaskList;
            /// One task.
            get_task(id: &str) -> cloud_images::Task;
            /// A JSON Schema the service publishes; see [`crate::Api::get_schema`].
            get_schema(name: &str) -> serde_json::Value;

            // Discovery, info, stores, cache and locations.
            /// The API versions the service offers (`GET /`, answered with 300).
            get_versions() -> crate::VersionList;
            /// The enabled import methods (`GET /v2/info/import`).
            get_import_info() -> crate::ImportInfo;
            /// The stores (`GET /v2/info/stores`).
            list_stores() -> crate::StoreList;
            /// The stores with their drivers' details (`GET /v2/info/stores/detail`). Admin only.
            list_stores_detail() -> crate::StoreList;
            /// The project's quota usage (`GET /v2/info/usage`).
            get_usage() -> crate::Usage;
            /// Deletes an image's data from one store (`DELETE /v2/stores/{store}/{image}`). Admin only by default.
            delete_image_from_store(store_id: &str, image_id: &str) -> ();
            /// Uploads image data held in memory into a chosen store (`X-Image-Meta-Store`). Never retried.
            upload_image_to_store(id: &str, store_id: &str, data: Vec<u8>) -> ();
            /// The cached and queued images of the node that answers (`GET /v2/cache`). Admin only.
            get_cache_state() -> crate::CacheState;
            /// Queues an active image for caching (`PUT /v2/cache/{id}`). Admin only.
            queue_image_for_cache(image_id: &str) -> ();
            /// Drops an image from the cache and its queue (`DELETE /v2/cache/{id}`). Admin only.
            delete_cached_image(image_id: &str) -> ();
            /// Clears the cache, the queue or both (`DELETE /v2/cache`). Admin only.
            clear_cache(target: crate::CacheClearTarget) -> ();
            /// Adds a location to a queued image (`POST /v2/images/{id}/locations`). Never retried.
            add_location(id: &str, location: &crate::LocationAdd) -> ();
            /// An image's locations (`GET /v2/images/{id}/locations`). Service or admin only.
            list_locations(id: &str) -> Vec<cloud_images::ImageLocation>;
            // Metadata definitions (metadefs). Reads are open to
            // every user; every write is admin only (Glance's `metadef_admin`).
            /// One page of metadef namespaces; see [`crate::Api::list_metadef_namespaces`].
            list_metadef_namespaces(query: &crate::metadefs::NamespaceListQuery) -> cloud_images::MetadefNamespaceList;
            /// One namespace with its contents; see [`crate::Api::get_metadef_namespace`].
            get_metadef_namespace(namespace: &str, resource_type: Option<&str>) -> cloud_images::MetadefNamespace;
            /// Creates a namespace. Admin only. Never retried.
            create_metadef_namespace(namespace: &cloud_images::MetadefNamespaceCreate) -> cloud_images::MetadefNamespace;
            /// Replaces a namespace's fields (`PUT`). Admin only.
            update_metadef_namespace(namespace: &str, update: &cloud_images::MetadefNamespaceUpdate) -> cloud_images::MetadefNamespace;
            /// Deletes a namespace and its contents. Admin only; refused while protected.
            delete_metadef_namespace(namespace: &str) -> ();
            /// The objects of a namespace.
            list_metadef_objects(namespace: &str) -> cloud_images::MetadefObjectList;
            /// One object.
            get_metadef_object(namespace: &str, object: &str) -> cloud_images::MetadefObject;
            /// Creates an object. Admin only. Never retried.
            create_metadef_object(namespace: &str, object: &cloud_images::MetadefObjectCreate) -> cloud_images::MetadefObject;
            /// Replaces an object (`PUT`). Admin only.
            update_metadef_object(namespace: &str, object: &str, update: &cloud_images::MetadefObjectUpdate) -> cloud_images::MetadefObject;
            /// Deletes an object. Admin only.
            delete_metadef_object(namespace: &str, object: &str) -> ();
            /// Deletes every object of a namespace. Admin only.
            delete_metadef_objects(namespace: &str) -> ();
            /// The properties of a namespace, by name.
            list_metadef_properties(namespace: &str) -> cloud_images::MetadefPropertyList;
            /// One property; see [`crate::Api::get_metadef_property`].
            get_metadef_property(namespace: &str, property: &str, resource_type: Option<&str>) -> cloud_images::MetadefProperty;
            /// Creates a property. Admin only. Never retried.
            create_metadef_property(namespace: &str, property: &cloud_images::MetadefPropertyCreate) -> cloud_images::MetadefProperty;
            /// Replaces a property (`PUT`). Admin only.
            update_metadef_property(namespace: &str, property: &str, update: &cloud_images::MetadefPropertyUpdate) -> cloud_images::MetadefProperty;
            /// Deletes a property. Admin only.
            delete_metadef_property(namespace: &str, property: &str) -> ();
            /// Deletes every property of a namespace. Admin only.
            delete_metadef_properties(namespace: &str) -> ();
            /// The tags of a namespace.
            list_metadef_tags(namespace: &str) -> cloud_images::MetadefTagList;
            /// One tag.
            get_metadef_tag(namespace: &str, tag: &str) -> cloud_images::MetadefTag;
            /// Creates one tag. Admin only. Never retried.
            create_metadef_tag(namespace: &str, tag: &str) -> cloud_images::MetadefTag;
            /// Creates several tags, replacing or appending; see [`crate::Api::create_metadef_tags`]. Admin only. Never retried.
            create_metadef_tags(namespace: &str, tags: &crate::metadefs::TagsCreate) -> cloud_images::MetadefTagList;
            /// Renames a tag. Admin only.
            update_metadef_tag(namespace: &str, tag: &str, new_name: &str) -> cloud_images::MetadefTag;
            /// Deletes a tag. Admin only.
            delete_metadef_tag(namespace: &str, tag: &str) -> ();
            /// Deletes every tag of a namespace. Admin only.
            delete_metadef_tags(namespace: &str) -> ();
            /// Every resource type Glance knows.
            list_metadef_resource_types() -> cloud_images::MetadefResourceTypeAssociationList;
            /// The resource types a namespace is associated with.
            list_metadef_resource_type_associations(namespace: &str) -> cloud_images::MetadefResourceTypeAssociationList;
            /// Associates a resource type with a namespace. Admin only. Never retried.
            associate_metadef_resource_type(namespace: &str, association: &cloud_images::MetadefResourceTypeAssociationCreate) -> cloud_images::MetadefResourceTypeAssociation;
            /// Dissociates a resource type from a namespace. Admin only.
            dissociate_metadef_resource_type(namespace: &str, resource_type: &str) -> ();
        }
    };
}

pub(crate) use operations;

/// `pub const OPERATIONS: &[&str]`: the names of the listed operations.
macro_rules! operation_names {
    ($($(#[$doc:meta])* $name:ident($($arg:ident: $ty:ty),*) -> $out:ty;)*) => {
        /// The operations generated from the shared list, by name.
        pub const OPERATIONS: &[&str] = &[$(stringify!($name)),*];
    };
}

pub(crate) use operation_names;

/// The second list: the Compute API's image calls, which both clients'
/// `ComputeClient`s are generated from, as `operations!` is for `Client`.
macro_rules! compute_operations {
    ($callback:ident) => {
        $callback! {
            /// One page of images, ids and names only (`GET /images`).
            list_images(query: &crate::compute::ListQuery) -> cloud_images::compute::ImageIndexPage;
            /// One page of images with details (`GET /images/detail`).
            list_images_detail(query: &crate::compute::ListQuery) -> cloud_images::compute::ImageDetailPage;
            /// One image (`GET /images/{id}`).
            get_image(id: &str) -> cloud_images::compute::ImageShow;
            /// Deletes an image (`DELETE /images/{id}`).
            delete_image(id: &str) -> ();
            /// All of an image's metadata.
            get_metadata(id: &str) -> cloud_images::compute::Metadata;
            /// Replaces all of an image's metadata (`PUT`).
            replace_metadata(id: &str, metadata: &cloud_images::compute::MetadataUpdate) -> cloud_images::compute::Metadata;
            /// Merges keys into an image's metadata (`POST`). Never retried.
            merge_metadata(id: &str, metadata: &cloud_images::compute::MetadataUpdate) -> cloud_images::compute::Metadata;
            /// One metadata key.
            get_metadata_item(id: &str, key: &str) -> cloud_images::compute::MetadataItem;
            /// Sets one metadata key (`PUT`).
            set_metadata_item(id: &str, key: &str, value: &str) -> cloud_images::compute::MetadataItem;
            /// Deletes one metadata key.
            delete_metadata_item(id: &str, key: &str) -> ();
        }
    };
}

pub(crate) use compute_operations;
