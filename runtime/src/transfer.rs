//! What a data transfer is asked to do besides moving bytes, and what it
//! reports.

use crate::body::Progress;
use crate::integrity::Verification;

/// Per-call options of an upload or download.
#[derive(Debug, Clone)]
pub struct TransferOptions {
    pub(crate) verify: bool,
    pub(crate) progress: Option<Progress>,
}

impl Default for TransferOptions {
    /// Verified, without progress reports.
    fn default() -> Self {
        TransferOptions {
            verify: true,
            progress: None,
        }
    }
}

impl TransferOptions {
    /// Verified, without progress reports.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether to hash the data and compare with the image record (on by
    /// default). Off, the result is [`Verification::Unverified`].
    pub fn verify(mut self, verify: bool) -> Self {
        self.verify = verify;
        self
    }

    /// Reports `(bytes done, bytes total)` as the data moves; the total is
    /// the stated length of an upload, or the image's `size` for a download.
    pub fn progress(mut self, callback: impl Fn(u64, Option<u64>) + Send + Sync + 'static) -> Self {
        self.progress = Some(Progress::new(callback));
        self
    }
}

/// What a finished transfer moved, and whether it was verified.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "check `verification` to know whether the data was verified"]
pub struct Transferred {
    /// Bytes moved.
    pub bytes: u64,
    /// Whether they were checked against the image record.
    pub verification: Verification,
}
