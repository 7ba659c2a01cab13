//! Verifying image data against the image record.
//!
//! Glance computes two digests of the data it stores: `checksum`, always
//! md5, and `os_hash_value`, with the algorithm its `hashing_algorithm`
//! option names (sha512 unless changed) recorded in `os_hash_algo`. Glance
//! passes that name to Python's `hashlib.new`, so it can be any algorithm
//! hashlib offers; [`HashAlgorithm`] covers each of those that RustCrypto
//! implements. Downloads and uploads hash the bytes as they stream and
//! compare with the record, and with `size`, at the end. A download hashes
//! its two digests on two threads (see `parallel`), since one core cannot
//! hash both as fast as loopback moves the data.

mod parallel;

use std::fmt;

use cloud_images::Image;
use md5::Md5;
use sha2::digest::DynDigest;

pub(crate) use parallel::HashRing;
#[cfg(feature = "async")]
pub(crate) use parallel::spawn_hasher;

/// A digest algorithm Glance's `hashing_algorithm` can name, by hashlib's
/// name for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HashAlgorithm {
    /// `md5` (also what `checksum` always uses).
    Md5,
    /// `sha1`.
    Sha1,
    /// `sha224`.
    Sha224,
    /// `sha256`.
    Sha256,
    /// `sha384`.
    Sha384,
    /// `sha512`, Glance's default.
    Sha512,
    /// `sha512_224`.
    Sha512_224,
    /// `sha512_256`.
    Sha512_256,
    /// `sha3_224`.
    Sha3_224,
    /// `sha3_256`.
    Sha3_256,
    /// `sha3_384`.
    Sha3_384,
    /// `sha3_512`.
    Sha3_512,
    /// `blake2b` (64-byte digest, hashlib's default).
    Blake2b,
    /// `blake2s` (32-byte digest, hashlib's default).
    Blake2s,
}

impl HashAlgorithm {
    /// Every algorithm, in the order of the list above.
    pub const ALL: [HashAlgorithm; 14] = [
        HashAlgorithm::Md5,
        HashAlgorithm::Sha1,
        HashAlgorithm::Sha224,
        HashAlgorithm::Sha256,
        HashAlgorithm::Sha384,
        HashAlgorithm::Sha512,
        HashAlgorithm::Sha512_224,
        HashAlgorithm::Sha512_256,
        HashAlgorithm::Sha3_224,
        HashAlgorithm::Sha3_256,
        HashAlgorithm::Sha3_384,
        HashAlgorithm::Sha3_512,
        HashAlgorithm::Blake2b,
        HashAlgorithm::Blake2s,
    ];

    /// hashlib's name, as Glance records it in `os_hash_algo`.
    pub fn name(self) -> &'static str {
        match self {
            HashAlgorithm::Md5 => "md5",
            HashAlgorithm::Sha1 => "sha1",
            HashAlgorithm::Sha224 => "sha224",
            HashAlgorithm::Sha256 => "sha256",
            HashAlgorithm::Sha384 => "sha384",
            HashAlgorithm::Sha512 => "sha512",
            HashAlgorithm::Sha512_224 => "sha512_224",
            HashAlgorithm::Sha512_256 => "sha512_256",
            HashAlgorithm::Sha3_224 => "sha3_224",
            HashAlgorithm::Sha3_256 => "sha3_256",
            HashAlgorithm::Sha3_384 => "sha3_384",
            HashAlgorithm::Sha3_512 => "sha3_512",
            HashAlgorithm::Blake2b => "blake2b",
            HashAlgorithm::Blake2s => "blake2s",
        }
    }

    /// The algorithm hashlib knows by `name` (case-insensitive, as hashlib
    /// is; OpenSSL's spellings `sha512-224` and `sha3-256` are accepted too).
    pub fn from_name(name: &str) -> Option<HashAlgorithm> {
        let normal = name.trim().to_ascii_lowercase().replace('-', "_");
        let normal = match normal.as_str() {
            "blake2b512" => "blake2b",
            "blake2s256" => "blake2s",
            other => other,
        };
        HashAlgorithm::ALL
            .into_iter()
            .find(|algorithm| algorithm.name() == normal)
    }

    fn hasher(self) -> Box<dyn DynDigest + Send + Sync> {
        match self {
            HashAlgorithm::Md5 => Box::new(Md5::default()),
            HashAlgorithm::Sha1 => Box::new(sha1::Sha1::default()),
            HashAlgorithm::Sha224 => Box::new(sha2::Sha224::default()),
            HashAlgorithm::Sha256 => Box::new(sha2::Sha256::default()),
            HashAlgorithm::Sha384 => Box::new(sha2::Sha384::default()),
            HashAlgorithm::Sha512 => Box::new(sha2::Sha512::default()),
            HashAlgorithm::Sha512_224 => Box::new(sha2::Sha512_224::default()),
            HashAlgorithm::Sha512_256 => Box::new(sha2::Sha512_256::default()),
            HashAlgorithm::Sha3_224 => Box::new(sha3::Sha3_224::default()),
            HashAlgorithm::Sha3_256 => Box::new(sha3::Sha3_256::default()),
            HashAlgorithm::Sha3_384 => Box::new(sha3::Sha3_384::default()),
            HashAlgorithm::Sha3_512 => Box::new(sha3::Sha3_512::default()),
            HashAlgorithm::Blake2b => Box::new(blake2::Blake2b512::default()),
            HashAlgorithm::Blake2s => Box::new(blake2::Blake2s256::default()),
        }
    }
}

impl fmt::Display for HashAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Running digests of a stream of image data: md5 for `checksum`, and the
/// `os_hash_algo` digest.
pub struct Digests(Hashing);

enum Hashing {
    /// Both digests on the caller's thread.
    Here {
        length: u64,
        md5: Md5,
        os_hash: Option<(HashAlgorithm, Box<dyn DynDigest + Send + Sync>)>,
    },
    /// md5 on the caller's thread, the other digest on a hasher thread that
    /// is handed a copy of each chunk (see [`HashRing`]).
    Ring(HashRing),
}

/// The size of the copies [`Digests::with_hasher_thread`] hands its
/// hasher thread: large enough that the hand-over costs little next to
/// hashing, small enough that the ring's buffers stay a few hundred KiB.
const RING_BUFFER: usize = 128 * 1024;

impl fmt::Debug for Digests {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Hashing::Here {
                length, os_hash, ..
            } => f
                .debug_struct("Digests")
                .field("length", length)
                .field(
                    "os_hash_algo",
                    &os_hash.as_ref().map(|(algorithm, _)| algorithm),
                )
                .finish_non_exhaustive(),
            Hashing::Ring(ring) => f.debug_tuple("Digests").field(ring).finish(),
        }
    }
}

impl Digests {
    /// md5, and `os_hash` when given, both on the caller's thread.
    pub fn new(os_hash: Option<HashAlgorithm>) -> Digests {
        use md5::Digest;
        Digests(Hashing::Here {
            length: 0,
            md5: Md5::new(),
            os_hash: os_hash.map(|algorithm| (algorithm, algorithm.hasher())),
        })
    }

    /// md5 on the caller's thread and `os_hash` on a thread of its own, so
    /// that the two run side by side: each costs about as much CPU per byte
    /// (roughly 500 MiB per CPU-second each for md5 and sha512 on the
    /// bench's machine), so one thread doing both moves data at half the
    /// speed of either. Each chunk is copied once for the hasher thread
    /// (a copy costs a small fraction of hashing it), through a ring of a
    /// few reused buffers: the caller waits when the hasher is that far
    /// behind, no longer than it would have spent hashing the chunk itself.
    /// Fails only if the thread cannot be started.
    pub fn with_hasher_thread(os_hash: HashAlgorithm) -> std::io::Result<Digests> {
        Ok(Digests(Hashing::Ring(HashRing::new(
            Some(os_hash),
            RING_BUFFER,
        )?)))
    }

    /// Takes in the next bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        use md5::Digest;
        match &mut self.0 {
            Hashing::Here {
                length,
                md5,
                os_hash,
            } => {
                *length += bytes.len() as u64;
                Digest::update(md5, bytes);
                if let Some((_, hasher)) = os_hash {
                    hasher.update(bytes);
                }
            }
            Hashing::Ring(ring) => {
                for piece in bytes.chunks(RING_BUFFER) {
                    let mut buffer = ring.buffer();
                    buffer[..piece.len()].copy_from_slice(piece);
                    ring.hash(buffer, piece.len());
                }
            }
        }
    }

    /// The lengths and hex digests of everything taken in.
    pub fn finish(self) -> Computed {
        use md5::Digest;
        match self.0 {
            Hashing::Here {
                length,
                md5,
                os_hash,
            } => Computed {
                size: length,
                checksum: hex(&Digest::finalize(md5)),
                os_hash: os_hash.map(|(algorithm, hasher)| (algorithm, hex(&hasher.finalize()))),
            },
            Hashing::Ring(ring) => ring.finish(),
        }
    }
}

/// What was computed over a stream of image data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Computed {
    /// Bytes seen.
    pub size: u64,
    /// md5, lower-case hex, as Glance writes `checksum`.
    pub checksum: String,
    /// The `os_hash_algo` digest, lower-case hex, when one was computed.
    pub os_hash: Option<(HashAlgorithm, String)>,
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, byte| {
            let _ = write!(out, "{byte:02x}");
            out
        })
}

/// Which recorded value a stream of data did not match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntegrityCheck {
    /// The image's `size`.
    Size,
    /// The image's `checksum` (md5).
    Checksum,
    /// The image's `os_hash_value`, computed with this algorithm.
    OsHash(HashAlgorithm),
}

impl fmt::Display for IntegrityCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IntegrityCheck::Size => f.write_str("size"),
            IntegrityCheck::Checksum => f.write_str("checksum (md5)"),
            IntegrityCheck::OsHash(algorithm) => write!(f, "os_hash_value ({algorithm})"),
        }
    }
}

/// Image data that does not match its image record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntegrityError {
    /// The image.
    pub image_id: String,
    /// What did not match.
    pub check: IntegrityCheck,
    /// The value in the image record.
    pub expected: String,
    /// The value computed over the bytes.
    pub actual: String,
}

impl fmt::Display for IntegrityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "image {} data does not match its {}: expected {}, got {}",
            self.image_id, self.check, self.expected, self.actual
        )
    }
}

impl std::error::Error for IntegrityError {}

/// Why a transfer was not (fully) verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unverified {
    /// The caller turned verification off for this call.
    Disabled,
    /// The image record has no `os_hash_value`, `checksum` or `size` to compare with.
    NothingRecorded,
    /// `os_hash_algo` names an algorithm this crate does not implement; the
    /// size and md5 `checksum` were still checked.
    UnsupportedAlgorithm(String),
    /// The image was not `active` after the upload (for example, it is
    /// being imported), so Glance had not recorded digests to compare.
    NotActive(String),
}

/// Whether the bytes moved were checked against the image record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// The size, the md5 `checksum` and the `os_hash_value` all matched.
    Verified {
        /// The `os_hash_algo` the data was checked with.
        algorithm: HashAlgorithm,
    },
    /// Not (fully) checked, and why.
    Unverified(Unverified),
}

impl Verification {
    /// Whether every recorded value was checked and matched.
    pub fn is_verified(&self) -> bool {
        matches!(self, Verification::Verified { .. })
    }
}

/// What the image record says the data should be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    image_id: String,
    size: Option<u64>,
    checksum: Option<String>,
    os_hash: Option<(String, String)>,
}

impl Expected {
    /// The recorded size and digests of `image`.
    pub fn from_image(image: &Image) -> Expected {
        Expected {
            image_id: image.id.clone().unwrap_or_default(),
            size: image.size(),
            checksum: image.checksum.clone().flatten(),
            os_hash: image
                .os_hash_algo
                .clone()
                .flatten()
                .zip(image.os_hash_value.clone().flatten()),
        }
    }

    /// The algorithm to hash a download with, when this crate implements it.
    pub fn algorithm(&self) -> Option<HashAlgorithm> {
        self.os_hash
            .as_ref()
            .and_then(|(name, _)| HashAlgorithm::from_name(name))
    }

    /// The recorded size, for progress reports.
    pub fn size(&self) -> Option<u64> {
        self.size
    }

    /// The error for a download whose body ended after `received` bytes,
    /// before the recorded size: Glance states the recorded size as
    /// `Content-Length` and closes the connection when its stored file (or
    /// the network) gives out, so a short body arrives as a connection
    /// closed mid-body. It is the data that is wrong either way: `None`
    /// only when no size is recorded or `received` is not short of it.
    pub fn cut_short(&self, received: u64) -> Option<IntegrityError> {
        let size = self.size.filter(|size| received < *size)?;
        Some(IntegrityError {
            image_id: self.image_id.clone(),
            check: IntegrityCheck::Size,
            expected: size.to_string(),
            actual: received.to_string(),
        })
    }

    /// Compares what was computed with the record: the first mismatch is
    /// an error naming both values; otherwise says how much was checked.
    pub fn check(&self, computed: &Computed) -> Result<Verification, IntegrityError> {
        let mismatch = |check, expected: String, actual: String| IntegrityError {
            image_id: self.image_id.clone(),
            check,
            expected,
            actual,
        };
        if let Some(size) = self.size
            && size != computed.size
        {
            return Err(mismatch(
                IntegrityCheck::Size,
                size.to_string(),
                computed.size.to_string(),
            ));
        }
        if let Some(checksum) = &self.checksum
            && !checksum.eq_ignore_ascii_case(&computed.checksum)
        {
            return Err(mismatch(
                IntegrityCheck::Checksum,
                checksum.clone(),
                computed.checksum.clone(),
            ));
        }
        let Some((name, value)) = &self.os_hash else {
            return Ok(Verification::Unverified(Unverified::NothingRecorded));
        };
        let Some(algorithm) = HashAlgorithm::from_name(name) else {
            return Ok(Verification::Unverified(Unverified::UnsupportedAlgorithm(
                name.clone(),
            )));
        };
        match &computed.os_hash {
            Some((used, actual)) if *used == algorithm => {
                if value.eq_ignore_ascii_case(actual) {
                    Ok(Verification::Verified { algorithm })
                } else {
                    Err(mismatch(
                        IntegrityCheck::OsHash(algorithm),
                        value.clone(),
                        actual.clone(),
                    ))
                }
            }
            // Hashed with another algorithm than Glance recorded (an upload
            // guessed it before Glance said): size and md5 were checked.
            _ => Ok(Verification::Unverified(Unverified::UnsupportedAlgorithm(
                name.clone(),
            ))),
        }
    }
}

/// A download's body failure, as the integrity error it is when verifying
/// and the body ended short of the recorded size; otherwise as it was.
pub(crate) fn cut_short(
    error: crate::Error,
    expected: Option<&Expected>,
    received: u64,
) -> crate::Error {
    let short = matches!(
        &error,
        crate::Error::Transport(transport)
            if transport.kind() == crate::TransportErrorKind::ResetMidBody
    );
    match expected.and_then(|expected| expected.cut_short(received)) {
        Some(integrity) if short => crate::Error::Integrity(integrity),
        _ => error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digests() {
        // Digests of "abc" from the algorithms' published test vectors.
        let mut digests = Digests::new(Some(HashAlgorithm::Sha256));
        digests.update(b"a");
        digests.update(b"bc");
        let computed = digests.finish();
        assert_eq!(computed.size, 3);
        assert_eq!(computed.checksum, "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(
            computed.os_hash,
            Some((
                HashAlgorithm::Sha256,
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad".to_owned()
            ))
        );
    }

    #[test]
    fn every_algorithm_round_trips_its_name() {
        for algorithm in HashAlgorithm::ALL {
            assert_eq!(HashAlgorithm::from_name(algorithm.name()), Some(algorithm));
        }
        assert_eq!(
            HashAlgorithm::from_name("SHA512"),
            Some(HashAlgorithm::Sha512)
        );
        assert_eq!(
            HashAlgorithm::from_name("sha3-256"),
            Some(HashAlgorithm::Sha3_256)
        );
        assert_eq!(HashAlgorithm::from_name("shake_128"), None);
    }

    fn expected(size: u64, checksum: &str, algo: &str, value: &str) -> Expected {
        Expected {
            image_id: "i".into(),
            size: Some(size),
            checksum: Some(checksum.into()),
            os_hash: Some((algo.into(), value.into())),
        }
    }

    #[test]
    fn mismatches_name_expected_and_actual() {
        let mut digests = Digests::new(Some(HashAlgorithm::Sha256));
        digests.update(b"abc");
        let computed = digests.finish();
        let sha = computed.os_hash.clone().unwrap().1;
        let good = expected(3, &computed.checksum, "sha256", &sha);
        assert_eq!(
            good.check(&computed),
            Ok(Verification::Verified {
                algorithm: HashAlgorithm::Sha256
            })
        );

        let error = expected(4, &computed.checksum, "sha256", &sha)
            .check(&computed)
            .unwrap_err();
        assert_eq!(
            (error.check, error.expected.as_str(), error.actual.as_str()),
            (IntegrityCheck::Size, "4", "3")
        );

        let error = expected(3, "00", "sha256", &sha)
            .check(&computed)
            .unwrap_err();
        assert_eq!(error.check, IntegrityCheck::Checksum);

        let error = expected(3, &computed.checksum, "sha256", "ff")
            .check(&computed)
            .unwrap_err();
        assert_eq!(error.check, IntegrityCheck::OsHash(HashAlgorithm::Sha256));
        assert_eq!(error.actual, sha);

        let other = expected(3, &computed.checksum, "whirlpool", "ff").check(&computed);
        assert_eq!(
            other,
            Ok(Verification::Unverified(Unverified::UnsupportedAlgorithm(
                "whirlpool".into()
            )))
        );
    }
}
