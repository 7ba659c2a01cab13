//! Image data for the data tests: generated on the fly, and raw images to
//! put it in.

use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use cloud_images::{ImageContainerFormat, ImageDiskFormat};
use cloud_images_runtime::ImageCreate;

/// `length` bytes made on the fly, never held in memory, counting what was
/// read so that a test can tell how far an upload got. No disk format
/// inspector mistakes them for a format (Glance refuses data that does not
/// match the declared `raw`).
pub struct Generated {
    left: u64,
    read: Arc<AtomicU64>,
}

impl Generated {
    pub fn new(length: u64) -> (Generated, Arc<AtomicU64>) {
        let read = Arc::new(AtomicU64::new(0));
        (
            Generated {
                left: length,
                read: Arc::clone(&read),
            },
            read,
        )
    }

    /// The same bytes, in memory.
    pub fn bytes(length: usize) -> Vec<u8> {
        let (mut reader, _) = Generated::new(length as u64);
        let mut bytes = Vec::with_capacity(length);
        reader.read_to_end(&mut bytes).expect("in memory");
        bytes
    }
}

impl Read for Generated {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let offset = self.read.load(Ordering::Relaxed);
        for (index, byte) in buf[..n].iter_mut().enumerate() {
            *byte = ((offset + index as u64) % 251) as u8;
        }
        self.left -= n as u64;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// The body of a raw, bare image named `name`.
pub fn raw(name: String) -> ImageCreate {
    ImageCreate {
        name: Some(name),
        disk_format: Some(ImageDiskFormat::Raw),
        container_format: Some(ImageContainerFormat::Bare),
        ..ImageCreate::default()
    }
}
