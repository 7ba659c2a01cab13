//! The async client's download digests: md5 and the `os_hash_algo` digest
//! each on a hasher thread of its own, fed the received chunks through
//! bounded channels. A chunk is a reference-counted `Bytes`, so handing it
//! to two threads copies nothing, and no hashing runs on the runtime's
//! threads (hashing 64 KiB takes a few hundred microseconds, far past what
//! a task should hold a worker for).

use std::thread::JoinHandle;

use bytes::Bytes;
use tokio::sync::{mpsc, oneshot};

use crate::error::Error;
use crate::integrity::{Computed, HashAlgorithm, spawn_hasher};

/// Chunks waiting for each hasher thread before the download waits for it.
const QUEUE: usize = 8;

/// The digests of a download in progress.
pub(super) struct ChunkHashers {
    length: u64,
    md5: Hasher,
    os_hash: Option<Hasher>,
}

struct Hasher {
    algorithm: HashAlgorithm,
    chunks: mpsc::Sender<Bytes>,
    digest: oneshot::Receiver<String>,
    thread: JoinHandle<()>,
}

impl Hasher {
    fn spawn(algorithm: HashAlgorithm) -> Result<Hasher, Error> {
        let (chunks, mut queued) = mpsc::channel::<Bytes>(QUEUE);
        let (deliver, digest) = oneshot::channel();
        let thread = spawn_hasher(
            algorithm,
            move || queued.blocking_recv(),
            drop,
            move |hex| {
                let _ = deliver.send(hex);
            },
        )
        .map_err(Error::Io)?;
        Ok(Hasher {
            algorithm,
            chunks,
            digest,
            thread,
        })
    }

    async fn finish(self) -> String {
        let Hasher {
            chunks,
            digest,
            thread,
            ..
        } = self;
        drop(chunks);
        match digest.await {
            Ok(hex) => hex,
            // The thread dropped its sender without one: it panicked, and
            // is unwinding; joining it takes no longer than that.
            Err(_) => match thread.join() {
                Err(panic) => std::panic::resume_unwind(panic),
                Ok(()) => unreachable!("a hasher thread that returns gives its digest first"),
            },
        }
    }
}

impl ChunkHashers {
    /// md5, and `os_hash` when given, each on its own thread.
    pub(super) fn new(os_hash: Option<HashAlgorithm>) -> Result<ChunkHashers, Error> {
        Ok(ChunkHashers {
            length: 0,
            md5: Hasher::spawn(HashAlgorithm::Md5)?,
            os_hash: os_hash.map(Hasher::spawn).transpose()?,
        })
    }

    /// Queues `chunk` for each hasher, waiting while a queue is full.
    pub(super) async fn hash(&mut self, chunk: &Bytes) {
        self.length += chunk.len() as u64;
        for hasher in std::iter::once(&self.md5).chain(&self.os_hash) {
            // A send fails only if the thread is gone, which `finish` reports.
            let _ = hasher.chunks.send(chunk.clone()).await;
        }
    }

    /// Waits for both hashers and gives what was computed.
    pub(super) async fn finish(self) -> Computed {
        let checksum = self.md5.finish().await;
        let os_hash = match self.os_hash {
            Some(hasher) => Some((hasher.algorithm, hasher.finish().await)),
            None => None,
        };
        Computed {
            size: self.length,
            checksum,
            os_hash,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::integrity::Digests;

    /// Two hasher threads compute what hashing in one thread computes, over
    /// chunks of many sizes and more chunks than the queues hold.
    #[tokio::test]
    async fn hashers_agree_with_one_thread() {
        let input: Vec<u8> = (0..1 << 20).map(|n: u32| (n * 7 % 251) as u8).collect();
        for algorithm in [
            None,
            Some(HashAlgorithm::Sha512),
            Some(HashAlgorithm::Blake2b),
        ] {
            let mut hashers = ChunkHashers::new(algorithm).unwrap();
            let mut alone = Digests::new(algorithm);
            let mut rest = Bytes::from(input.clone());
            let mut step = 1;
            while !rest.is_empty() {
                let chunk = rest.split_to(step.min(rest.len()));
                alone.update(&chunk);
                hashers.hash(&chunk).await;
                step = step * 3 % 5000 + 1;
            }
            assert_eq!(hashers.finish().await, alone.finish());
        }
    }
}
