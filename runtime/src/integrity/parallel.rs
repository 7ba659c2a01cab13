//! The two digests of a transfer computed side by side.
//!
//! md5 and the `os_hash_algo` digest (sha512 by default) each run at a few
//! hundred MiB/s on one core, so hashing both on the thread that receives
//! the data caps a verified download far below what the network moves. Here
//! each digest runs on its own thread: the blocking client hashes md5 itself
//! and hands each buffer to a hasher thread for the other digest, through a
//! small ring of reused buffers; the async client hands each chunk (a
//! reference-counted `Bytes`, never copied) to one hasher thread per digest,
//! so that no hashing runs on the async runtime's threads at all. Uploads,
//! in both clients, hash md5 on the sending thread and copy each chunk into
//! the ring for the other digest ([`super::Digests::with_hasher_thread`]).
//! Memory stays bounded by the ring or by the channels' capacity: the
//! receiving (or sending) side waits when a hasher falls behind.

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use md5::Md5;
use sha2::digest::DynDigest;

use super::{Computed, HashAlgorithm, hex};

/// Hashes each item `next` gives with `algorithm` on a new thread, handing
/// each item to `after` once hashed, until `next` gives `None`; then gives
/// the lower-case hex digest to `finish`.
pub(crate) fn spawn_hasher<T, N, A, F>(
    algorithm: HashAlgorithm,
    mut next: N,
    mut after: A,
    finish: F,
) -> std::io::Result<JoinHandle<()>>
where
    T: AsRef<[u8]>,
    N: FnMut() -> Option<T> + Send + 'static,
    A: FnMut(T) + Send + 'static,
    F: FnOnce(String) + Send + 'static,
{
    std::thread::Builder::new()
        .name(format!("cloud-images-{algorithm}"))
        .spawn(move || {
            let mut hasher: Box<dyn DynDigest + Send + Sync> = algorithm.hasher();
            while let Some(item) = next() {
                hasher.update(item.as_ref());
                after(item);
            }
            finish(hex(&hasher.finalize()));
        })
}

/// How many buffers circulate between the receiving thread and the hasher
/// thread: one being filled, the rest queued or being hashed.
const RING: usize = 4;

/// md5 on the caller's thread and the `os_hash_algo` digest on a hasher
/// thread, fed through a ring of [`RING`] reused buffers (the blocking
/// client's download, and both clients' uploads).
pub(crate) struct HashRing {
    length: u64,
    md5: Md5,
    buffer_size: usize,
    /// Buffers made so far; new ones are made until the ring is full.
    made: usize,
    /// The buffer to fill next when no hasher thread holds the others.
    spare: Option<Vec<u8>>,
    os_hash: Option<RingHasher>,
}

struct RingHasher {
    algorithm: HashAlgorithm,
    /// Filled buffers, with how many of their bytes count.
    full: SyncSender<Filled>,
    /// Buffers the hasher is done with.
    free: Receiver<Vec<u8>>,
    digest: Receiver<String>,
    thread: JoinHandle<()>,
}

impl HashRing {
    /// A ring of buffers of `buffer_size` bytes, hashing md5 and, on its own
    /// thread, `os_hash` when given.
    pub fn new(os_hash: Option<HashAlgorithm>, buffer_size: usize) -> std::io::Result<HashRing> {
        use md5::Digest;
        let os_hash = match os_hash {
            Some(algorithm) => {
                let (full, filled) = sync_channel::<Filled>(RING);
                let (give_back, free) = sync_channel(RING);
                let (deliver, digest) = sync_channel(1);
                let thread = spawn_hasher(
                    algorithm,
                    move || filled.recv().ok(),
                    move |Filled(buffer, _)| {
                        // The receiving side may have stopped: nothing to do.
                        let _ = give_back.send(buffer);
                    },
                    move |hex| {
                        let _ = deliver.send(hex);
                    },
                )?;
                Some(RingHasher {
                    algorithm,
                    full,
                    free,
                    digest,
                    thread,
                })
            }
            None => None,
        };
        Ok(HashRing {
            length: 0,
            md5: Md5::new(),
            buffer_size,
            made: 0,
            spare: None,
            os_hash,
        })
    }

    /// A buffer to read the next bytes into: a new one while the ring is
    /// not full, then one the hasher is done with (waiting for it).
    pub fn buffer(&mut self) -> Vec<u8> {
        if let Some(buffer) = self.spare.take() {
            return buffer;
        }
        if let Some(hasher) = &self.os_hash
            && self.made >= RING
            && let Ok(buffer) = hasher.free.recv()
        {
            return buffer;
        }
        self.made += 1;
        vec![0; self.buffer_size]
    }

    /// Hashes the first `n` bytes of `buffer`, which came from
    /// [`HashRing::buffer`], and passes it on to the hasher thread.
    pub fn hash(&mut self, buffer: Vec<u8>, n: usize) {
        use md5::Digest;
        self.length += n as u64;
        Digest::update(&mut self.md5, &buffer[..n]);
        match &self.os_hash {
            // A send fails only if the hasher thread is gone, which `finish`
            // reports.
            Some(hasher) => drop(hasher.full.send(Filled(buffer, n))),
            None => self.spare = Some(buffer),
        }
    }

    /// Waits for the hasher thread and gives what was computed.
    pub fn finish(self) -> Computed {
        use md5::Digest;
        let os_hash = self.os_hash.map(|hasher| {
            let RingHasher {
                algorithm,
                full,
                digest,
                thread,
                ..
            } = hasher;
            drop(full);
            let value = digest.recv();
            if let Err(panic) = thread.join() {
                std::panic::resume_unwind(panic);
            }
            (
                algorithm,
                value.expect("a hasher thread that ended normally gave its digest"),
            )
        });
        Computed {
            size: self.length,
            checksum: hex(&Digest::finalize(self.md5)),
            os_hash,
        }
    }
}

/// A buffer whose first bytes, so many, were received.
struct Filled(Vec<u8>, usize);

impl AsRef<[u8]> for Filled {
    fn as_ref(&self) -> &[u8] {
        &self.0[..self.1]
    }
}

impl std::fmt::Debug for HashRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HashRing")
            .field("length", &self.length)
            .field(
                "os_hash_algo",
                &self.os_hash.as_ref().map(|hasher| hasher.algorithm),
            )
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::integrity::Digests;

    fn data(len: usize) -> Vec<u8> {
        (0..len).map(|n| (n * 7 % 251) as u8).collect()
    }

    /// The ring computes what hashing in one thread computes, over reads of
    /// every size, with more reads than buffers.
    #[test]
    fn ring_agrees_with_one_thread() {
        let input = data(1 << 20);
        for algorithm in [
            None,
            Some(HashAlgorithm::Sha512),
            Some(HashAlgorithm::Sha3_256),
        ] {
            let mut ring = HashRing::new(algorithm, 4096).unwrap();
            let mut alone = Digests::new(algorithm);
            let mut rest = &input[..];
            let mut step = 1;
            while !rest.is_empty() {
                let mut buffer = ring.buffer();
                let n = step.min(rest.len()).min(buffer.len());
                buffer[..n].copy_from_slice(&rest[..n]);
                alone.update(&rest[..n]);
                ring.hash(buffer, n);
                rest = &rest[n..];
                step = step * 3 % 5000 + 1;
            }
            assert_eq!(ring.finish(), alone.finish());
        }
    }

    /// Digests with a hasher thread compute what one thread computes, for
    /// updates smaller and larger than the ring's buffers.
    #[test]
    fn digests_on_a_hasher_thread_agree_with_one_thread() {
        let input = data(3 << 20);
        for algorithm in [HashAlgorithm::Sha512, HashAlgorithm::Sha256] {
            let mut threaded = Digests::with_hasher_thread(algorithm).unwrap();
            let mut alone = Digests::new(Some(algorithm));
            let mut rest = &input[..];
            let mut step = 1;
            while !rest.is_empty() {
                let n = step.min(rest.len());
                threaded.update(&rest[..n]);
                alone.update(&rest[..n]);
                rest = &rest[n..];
                step = step * 7 % 700_000 + 1;
            }
            assert_eq!(threaded.finish(), alone.finish());
        }
        let empty = Digests::with_hasher_thread(HashAlgorithm::Sha512).unwrap();
        assert_eq!(
            empty.finish(),
            Digests::new(Some(HashAlgorithm::Sha512)).finish()
        );
    }

    #[test]
    fn empty_data_has_the_empty_digests() {
        let ring = HashRing::new(Some(HashAlgorithm::Sha256), 16).unwrap();
        let computed = ring.finish();
        assert_eq!(computed.size, 0);
        assert_eq!(computed.checksum, "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(
            computed.os_hash.unwrap().1,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
