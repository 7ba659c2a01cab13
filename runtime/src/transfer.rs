//! What a data transfer is asked to do besides moving bytes, and what it
//! reports.

use crate::body::Progress;
use crate::error::Error;
use crate::integrity::Verification;
use crate::operation::Operation;

/// Per-call options of an upload or download.
#[derive(Debug, Clone)]
pub struct TransferOptions {
    pub(crate) verify: bool,
    pub(crate) progress: Option<Progress>,
    store: Option<String>,
}

impl Default for TransferOptions {
    /// Verified, without progress reports.
    fn default() -> Self {
        TransferOptions {
            verify: true,
            progress: None,
            store: None,
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

    /// Uploads into the store with this id (`GET /v2/info/stores`) instead
    /// of the default one, with the `X-Image-Meta-Store` header. For
    /// uploads only: staging and downloads do not use it.
    pub fn store(mut self, store_id: impl Into<String>) -> Self {
        self.store = Some(store_id.into());
        self
    }

    /// Names the chosen store, if any, on an upload's operation.
    pub(crate) fn apply_store<T, B>(&self, operation: &mut Operation<T, B>) -> Result<(), Error> {
        match &self.store {
            Some(store_id) => crate::stores::name_store(operation, store_id),
            None => Ok(()),
        }
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
