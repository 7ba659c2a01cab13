//! Request bodies streamed from the caller's reader: the check that a body
//! has exactly the length its request states, the digests computed while it
//! is sent, and progress reports.
//!
//! An HTTP stack given a `Content-Length` trusts the reader to supply that
//! many bytes. A reader that ends early leaves the stack waiting for bytes
//! that never come (ureq 3 loops on the empty reads at full CPU, while
//! Glance, after its own timeout, answers 500), and one that has more sends
//! a request whose end the server cannot find. [`BodyMeter`] fails either
//! case at once, with both counts.

use std::fmt;
use std::io::{self, Read};
use std::sync::Arc;

use crate::integrity::Digests;

/// A body that did not have the length its request stated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyLengthError {
    /// The length the request stated (`Content-Length`).
    pub stated: u64,
    /// The bytes the reader gave: fewer than `stated` when it ended early;
    /// when it ran past, `stated + 1` (reading stops at the first extra byte).
    pub actual: u64,
}

impl BodyLengthError {
    /// Whether the reader ended before the stated length.
    pub fn ended_early(&self) -> bool {
        self.actual < self.stated
    }
}

impl fmt::Display for BodyLengthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ended_early() {
            write!(
                f,
                "the body reader ended after {} of the {} bytes the request states",
                self.actual, self.stated
            )
        } else {
            write!(
                f,
                "the body reader has more than the {} bytes the request states (read {})",
                self.stated, self.actual
            )
        }
    }
}

impl std::error::Error for BodyLengthError {}

/// Called with the bytes done so far and the total when it is known.
pub type ProgressFn = dyn Fn(u64, Option<u64>) + Send + Sync;

/// Reports transfer progress: `(done, total)` after each chunk.
#[derive(Clone)]
pub struct Progress(Arc<ProgressFn>);

impl Progress {
    /// Progress reported to `callback`.
    pub fn new(callback: impl Fn(u64, Option<u64>) + Send + Sync + 'static) -> Progress {
        Progress(Arc::new(callback))
    }

    pub(crate) fn report(&self, done: u64, total: Option<u64>) {
        (self.0)(done, total)
    }
}

impl fmt::Debug for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Progress")
    }
}

/// Counts, hashes and checks a body chunk by chunk, whatever delivers the
/// chunks (a `Read`, an `AsyncRead`, a `Stream`).
#[derive(Debug)]
pub struct BodyMeter {
    stated: Option<u64>,
    done: u64,
    digests: Option<Digests>,
    progress: Option<Progress>,
}

impl BodyMeter {
    /// A meter for a body of `stated` bytes (`None`: sent chunked, any
    /// length), hashing with `digests` when given.
    pub fn new(stated: Option<u64>, digests: Option<Digests>, progress: Option<Progress>) -> Self {
        BodyMeter {
            stated,
            done: 0,
            digests,
            progress,
        }
    }

    /// The most the next read should ask for so that a reader running past
    /// the stated length is noticed at its first extra byte.
    pub fn limit(&self, wanted: usize) -> usize {
        match self.stated {
            Some(stated) => {
                let left = stated.saturating_sub(self.done);
                // One byte past the end, to see whether the reader ends.
                usize::try_from(left.saturating_add(1)).map_or(wanted, |left| left.min(wanted))
            }
            None => wanted,
        }
    }

    /// Takes in a chunk the reader gave; an empty chunk is its end.
    pub fn chunk(&mut self, bytes: &[u8]) -> Result<(), BodyLengthError> {
        let n = bytes.len() as u64;
        if let Some(stated) = self.stated {
            if n == 0 && self.done < stated {
                return Err(BodyLengthError {
                    stated,
                    actual: self.done,
                });
            }
            if self.done + n > stated {
                return Err(BodyLengthError {
                    stated,
                    actual: self.done + n,
                });
            }
        }
        if n > 0 {
            self.done += n;
            if let Some(digests) = &mut self.digests {
                digests.update(bytes);
            }
            if let Some(progress) = &self.progress {
                progress.report(self.done, self.stated);
            }
        }
        Ok(())
    }

    /// The bytes taken in so far.
    pub fn done(&self) -> u64 {
        self.done
    }

    /// The digests of everything taken in, when hashing.
    pub fn into_digests(self) -> Option<Digests> {
        self.digests
    }
}

/// A `Read` that feeds a [`BodyMeter`]; a length error surfaces as an
/// `io::Error` of kind `InvalidData` wrapping the [`BodyLengthError`], which
/// the clients turn back into [`crate::Error::BodyLength`].
pub(crate) struct MeteredReader<R> {
    inner: R,
    meter: BodyMeter,
}

impl<R: Read> MeteredReader<R> {
    pub fn new(inner: R, meter: BodyMeter) -> Self {
        MeteredReader { inner, meter }
    }

    pub fn into_meter(self) -> BodyMeter {
        self.meter
    }
}

impl<R: Read> Read for MeteredReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let limit = self.meter.limit(buf.len());
        let n = self.inner.read(&mut buf[..limit])?;
        self.meter
            .chunk(&buf[..n])
            .map_err(|error| io::Error::new(io::ErrorKind::InvalidData, error))?;
        Ok(n)
    }
}

/// The [`BodyLengthError`] inside an error chain, if there is one.
pub(crate) fn length_error_in(
    error: &(dyn std::error::Error + 'static),
) -> Option<BodyLengthError> {
    let mut current = Some(error);
    while let Some(error) = current {
        if let Some(found) = error.downcast_ref::<BodyLengthError>() {
            return Some(*found);
        }
        if let Some(io) = error.downcast_ref::<io::Error>()
            && let Some(found) = io
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<BodyLengthError>())
        {
            return Some(*found);
        }
        current = error.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reader_that_ends_early_names_both_counts() {
        let mut reader =
            MeteredReader::new(&[7u8; 100][..], BodyMeter::new(Some(1000), None, None));
        let error = io::copy(&mut reader, &mut io::sink()).unwrap_err();
        let length = length_error_in(&error).unwrap();
        assert_eq!(
            length,
            BodyLengthError {
                stated: 1000,
                actual: 100
            }
        );
        assert!(length.to_string().contains("100 of the 1000"));
    }

    #[test]
    fn a_reader_that_runs_past_stops_at_the_first_extra_byte() {
        let mut reader =
            MeteredReader::new(&[7u8; 5000][..], BodyMeter::new(Some(1000), None, None));
        let error = io::copy(&mut reader, &mut io::sink()).unwrap_err();
        assert_eq!(
            length_error_in(&error),
            Some(BodyLengthError {
                stated: 1000,
                actual: 1001
            })
        );
    }

    #[test]
    fn exact_and_unknown_lengths_pass_and_report_progress() {
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let record = Arc::clone(&seen);
        let progress = Progress::new(move |done, total| record.lock().unwrap().push((done, total)));
        let mut reader = MeteredReader::new(
            &[1u8; 10][..],
            BodyMeter::new(Some(10), None, Some(progress)),
        );
        assert_eq!(io::copy(&mut reader, &mut io::sink()).unwrap(), 10);
        assert_eq!(seen.lock().unwrap().last(), Some(&(10, Some(10))));
        let mut chunked = MeteredReader::new(&[1u8; 10][..], BodyMeter::new(None, None, None));
        assert_eq!(io::copy(&mut chunked, &mut io::sink()).unwrap(), 10);
    }
}
