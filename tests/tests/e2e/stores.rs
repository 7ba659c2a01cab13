//! What the store, cache and locations tests share: the folders of the
//! lab's file stores, waiting for an import to let go of its image, and
//! the ids of the stores an image is in.

use std::path::PathBuf;
use std::thread::sleep;
use std::time::{Duration, Instant};

use cloud_images::{Image, ImageStatus};
use cloud_images_runtime::ImageImport;
use cloud_images_tests::Lab;

use super::data::raw;
use super::{Glance, Session};

/// How long an import of a small image may take on a busy 2-core machine.
pub const SETTLE: Duration = Duration::from_secs(90);

/// The file Glance keeps image `id`'s data in, in the lab's store `store`
/// (`GLANCE_STORE_DIR_FS`, `GLANCE_STORE_DIR_ARCHIVE` in `lab.env`).
pub fn store_file(lab: &Lab, store: &str, id: &str) -> PathBuf {
    PathBuf::from(lab.get(&format!("GLANCE_STORE_DIR_{}", store.to_uppercase()))).join(id)
}

/// The store ids of `image`'s `stores`, sorted.
pub fn stores_of(image: &Image) -> Vec<String> {
    let mut stores: Vec<String> = image
        .stores
        .iter()
        .flat_map(|stores| stores.split(','))
        .filter(|store| !store.is_empty())
        .map(str::to_owned)
        .collect();
    stores.sort();
    stores
}

/// Polls until Glance has released the import lock
/// (`os_glance_import_task`, which it removes last) and the image is no
/// longer `importing`: the state after any import or added location, done
/// or failed.
pub fn settled(glance: &Glance, id: &str) -> Image {
    let start = Instant::now();
    loop {
        let image = glance.get_image(id).expect("get image");
        let locked = image.property("os_glance_import_task").is_some();
        if !locked && image.status != Some(ImageStatus::Importing) {
            return image;
        }
        assert!(
            start.elapsed() < SETTLE,
            "image {id} still {:?}, lock {:?}",
            image.status,
            image.property("os_glance_import_task")
        );
        sleep(Duration::from_millis(250));
    }
}

/// A new raw, bare image without data, named after `label`: its id.
pub fn raw_image(session: &Session, glance: &Glance, label: &str) -> String {
    glance
        .create_image(&raw(session.unique(label)))
        .expect("create")
        .id
        .expect("id")
}

/// A new raw image with `data` staged and imported with `import`, once
/// the import has settled.
pub fn imported(
    session: &Session,
    glance: &Glance,
    label: &str,
    data: Vec<u8>,
    import: &ImageImport,
) -> Image {
    let id = raw_image(session, glance, label);
    glance.stage_image(&id, data).expect("stage");
    glance.import_image(&id, import).expect("import");
    settled(glance, &id)
}
