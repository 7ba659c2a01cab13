//! Image data, streamed both ways and verified against the image record.

use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use bytes::{BufMut, Bytes, BytesMut};
use cloud_images::ImageStatus;
use futures_util::stream::{self, Stream, StreamExt};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::hashing::ChunkHashers;
use super::{Client, read_all, transport};
use crate::body::{BodyLengthError, BodyMeter};
use crate::error::Error;
use crate::integrity::{Digests, Expected, Unverified, Verification, cut_short};
use crate::operation::{DataOutcome, Operation, data_outcome};
use crate::trace::RequestSpan;
use crate::transfer::{TransferOptions, Transferred};

/// Bytes per read while streaming an upload from an `AsyncRead`. A
/// `tokio::fs::File` (what callers upload from) does each read on tokio's
/// blocking pool, a hand-over between threads per read: at 64 KiB that
/// was most of the client's CPU time on a 1 GiB upload (ten futex calls a
/// read), at 256 KiB a quarter as many. Hyper sends a chunk this large
/// without copying it (it queues the `Bytes` and uses `writev`).
const CHUNK: usize = 256 * 1024;

/// The meter of a body being sent, shared between the body stream (which
/// reqwest owns) and the call that reads the result.
type SharedMeter = Arc<Mutex<MeterState>>;

struct MeterState {
    meter: Option<BodyMeter>,
    length_error: Option<BodyLengthError>,
}

fn lock(meter: &SharedMeter) -> std::sync::MutexGuard<'_, MeterState> {
    meter.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Runs one chunk through the shared meter.
fn metered(meter: &SharedMeter, chunk: &[u8]) -> std::io::Result<()> {
    let mut state = lock(meter);
    let Some(body) = state.meter.as_mut() else {
        return Ok(());
    };
    if let Err(error) = body.chunk(chunk) {
        state.length_error = Some(error);
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, error));
    }
    Ok(())
}

impl Client {
    /// Uploads image data from `reader` without holding it in memory, then
    /// checks Glance's record of it, as `blocking::Client::upload_image_from`
    /// does: a reader shorter or longer than `length` fails at once with
    /// [`Error::BodyLength`], and a refusal Glance gives before reading the
    /// body ends the upload before any data is sent (the body is held back
    /// for up to a second for such an answer). A refusal part-way through
    /// the body is an [`Error::Transport`] of kind `Reset`: hyper fails the
    /// request with the failed write rather than read the answer
    /// (see "Image data" in [`crate::glance_behaviour`]). Never retried.
    pub async fn upload_image_from(
        &self,
        id: &str,
        reader: impl AsyncRead + Send + Unpin + 'static,
        length: Option<u64>,
        options: &TransferOptions,
    ) -> Result<Transferred, Error> {
        let mut operation = self.api.upload_image_body(id, (), length)?;
        options.apply_store(&mut operation)?;
        let meter = self.meter(length, options)?;
        let body = reader_stream(reader, Arc::clone(&meter));
        self.send_data(operation, body, &meter).await?;
        self.verify_upload(id, &meter, options).await
    }

    /// Uploads image data from a stream of chunks; see
    /// [`Client::upload_image_from`]. A stream that runs past `length` is
    /// stopped at the chunk that does.
    pub async fn upload_image_stream<S, E>(
        &self,
        id: &str,
        chunks: S,
        length: Option<u64>,
        options: &TransferOptions,
    ) -> Result<Transferred, Error>
    where
        S: Stream<Item = Result<Bytes, E>> + Send + 'static,
        E: Into<Box<dyn std::error::Error + Send + Sync>> + 'static,
    {
        let mut operation = self.api.upload_image_body(id, (), length)?;
        options.apply_store(&mut operation)?;
        let meter = self.meter(length, options)?;
        let body = chunk_stream(chunks, Arc::clone(&meter));
        self.send_data(operation, body, &meter).await?;
        self.verify_upload(id, &meter, options).await
    }

    /// Stages image data from `reader` for a `glance-direct` import; the
    /// result is unverified, as with `blocking::Client::stage_image_from`.
    pub async fn stage_image_from(
        &self,
        id: &str,
        reader: impl AsyncRead + Send + Unpin + 'static,
        length: Option<u64>,
        options: &TransferOptions,
    ) -> Result<Transferred, Error> {
        let operation = self.api.stage_image_body(id, (), length)?;
        let meter = self.meter(length, options)?;
        let body = reader_stream(reader, Arc::clone(&meter));
        self.send_data(operation, body, &meter).await?;
        let bytes = lock(&meter).meter.as_ref().map_or(0, BodyMeter::done);
        Ok(Transferred {
            bytes,
            verification: Verification::Unverified(Unverified::NotActive(
                ImageStatus::Uploading.as_str().to_owned(),
            )),
        })
    }

    fn meter(&self, length: Option<u64>, options: &TransferOptions) -> Result<SharedMeter, Error> {
        let digests = options
            .verify
            .then(|| Digests::with_hasher_thread(self.shared.upload_hash))
            .transpose()
            .map_err(Error::Io)?;
        Ok(Arc::new(Mutex::new(MeterState {
            meter: Some(BodyMeter::new(length, digests, options.progress.clone())),
            length_error: None,
        })))
    }

    async fn send_data(
        &self,
        operation: Operation<(), ()>,
        body: BodyStream,
        meter: &SharedMeter,
    ) -> Result<(), Error> {
        use tracing::Instrument;
        let template = operation.path_template().to_owned();
        let (request, decoder) = operation.into_parts();
        let wait = stream::once(tokio::time::sleep(EARLY_ANSWER_WAIT))
            .filter_map(|()| std::future::ready(None));
        let mut request = request.map(|()| reqwest::Body::wrap_stream(wait.chain(body)));
        // Glance refuses some uploads (no such image, wrong status) without
        // reading the body, and uWSGI then closes the connection with the
        // body unread: the reset that follows discards the answer if the
        // client is still writing. Holding the body back for a moment, as
        // a client waiting for `100 Continue` would (uWSGI never sends
        // one), lets hyper read such an answer first.

        let token = self.authorize(&mut request).await?;
        let (method, uri) = (request.method().clone(), request.uri().clone());
        let span = RequestSpan::new(&method, &template, 0);
        let result = async {
            let response = self.run(request).await?;
            read_all(response, &method, &uri).await
        }
        .instrument(span.span().clone())
        .await;
        span.finish();
        if let Some(error) = lock(meter).length_error {
            span.failed(&error);
            return Err(Error::BodyLength(error));
        }
        match &result {
            Ok(response) => {
                span.response(response.status(), response.headers());
                self.saw_status(response.status(), token.as_ref());
            }
            Err(error) => span.failed(error),
        }
        decoder.decode(result?)
    }

    async fn verify_upload(
        &self,
        id: &str,
        meter: &SharedMeter,
        options: &TransferOptions,
    ) -> Result<Transferred, Error> {
        let body = lock(meter).meter.take();
        let bytes = body.as_ref().map_or(0, BodyMeter::done);
        let Some(digests) = body
            .and_then(BodyMeter::into_digests)
            .filter(|_| options.verify)
        else {
            return Ok(Transferred {
                bytes,
                verification: Verification::Unverified(Unverified::Disabled),
            });
        };
        let image = self.get_image(id).await?;
        let verification = match &image.status {
            Some(ImageStatus::Active) => Expected::from_image(&image)
                .check(&digests.finish())
                .map_err(Error::Integrity)?,
            other => Verification::Unverified(Unverified::NotActive(
                other
                    .as_ref()
                    .map_or("(no status)", ImageStatus::as_str)
                    .to_owned(),
            )),
        };
        Ok(Transferred {
            bytes,
            verification,
        })
    }

    /// The image data as a stream of chunks, hashed as they pass, or `None`
    /// when the image has no data (204). With verification on (the
    /// default), the stream's last item is [`Error::Integrity`] when the
    /// data does not match the image record; once it has ended,
    /// [`ImageData::verification`] says whether it was verified.
    pub async fn download_image_stream(
        &self,
        id: &str,
        options: &TransferOptions,
    ) -> Result<Option<ImageData>, Error> {
        use tracing::Instrument;
        let expected = if options.verify {
            Some(Expected::from_image(&self.get_image(id).await?))
        } else {
            None
        };
        let operation = self.api.download_image(id)?;
        let template = operation.path_template().to_owned();
        let mut request = operation.into_request();
        let token = self.authorize(&mut request).await?;
        let (method, uri) = (request.method().clone(), request.uri().clone());
        let span = RequestSpan::new(&method, &template, 0);
        let response = match self.run(request).instrument(span.span().clone()).await {
            Ok(response) => response,
            Err(error) => {
                span.failed(&error);
                span.finish();
                return Err(error);
            }
        };
        span.response(response.status(), response.headers());
        self.saw_status(response.status(), token.as_ref());
        match data_outcome(response.status()) {
            DataOutcome::NoData => return Ok(None),
            DataOutcome::Refused => {
                let response = read_all(response, &method, &uri).await?;
                return Err(Error::from_response(
                    response.status(),
                    response.headers(),
                    response.body(),
                ));
            }
            DataOutcome::Data => {}
        }
        let total = expected.as_ref().and_then(Expected::size);
        let hashers = expected
            .as_ref()
            .map(|expected| ChunkHashers::new(expected.algorithm()))
            .transpose()?;
        let outcome = Arc::new(Mutex::new(None));
        let state = Download {
            response: Some(response),
            expected,
            hashers,
            done: 0,
            total,
            progress: options.progress.clone(),
            outcome: Arc::clone(&outcome),
            span,
            method,
            uri,
        };
        let chunks = stream::unfold(state, |mut state| async move {
            let item = state.next().await?;
            Some((item, state))
        });
        Ok(Some(ImageData {
            chunks: Box::pin(chunks),
            outcome,
        }))
    }

    /// Streams the image data into `writer`, verified as
    /// `blocking::Client::download_image_to` verifies it; `None` when the
    /// image has no data (204).
    pub async fn download_image_to(
        &self,
        id: &str,
        mut writer: impl AsyncWrite + Unpin,
        options: &TransferOptions,
    ) -> Result<Option<Transferred>, Error> {
        let Some(mut data) = self.download_image_stream(id, options).await? else {
            return Ok(None);
        };
        let mut bytes = 0u64;
        while let Some(chunk) = data.next().await {
            let chunk = chunk?;
            bytes += chunk.len() as u64;
            writer.write_all(&chunk).await.map_err(Error::Io)?;
        }
        writer.flush().await.map_err(Error::Io)?;
        let verification = data
            .verification()
            .unwrap_or(Verification::Unverified(Unverified::Disabled));
        Ok(Some(Transferred {
            bytes,
            verification,
        }))
    }

    /// The image data in memory, verified, or `None` when the image has
    /// none (204). Prefer [`Client::download_image_to`] for large images.
    pub async fn download_image(&self, id: &str) -> Result<Option<Vec<u8>>, Error> {
        let mut data = Vec::new();
        Ok(self
            .download_image_to(id, &mut data, &TransferOptions::default())
            .await?
            .map(|_| data))
    }
}

/// A download in progress.
struct Download {
    response: Option<reqwest::Response>,
    expected: Option<Expected>,
    hashers: Option<ChunkHashers>,
    done: u64,
    total: Option<u64>,
    progress: Option<crate::body::Progress>,
    outcome: Arc<Mutex<Option<Verification>>>,
    span: RequestSpan,
    method: http::Method,
    uri: http::Uri,
}

impl Download {
    /// The next chunk; at the end, the verification error if there is one.
    async fn next(&mut self) -> Option<Result<Bytes, Error>> {
        let response = self.response.as_mut()?;
        match response.chunk().await {
            Ok(Some(chunk)) => {
                self.done += chunk.len() as u64;
                if let Some(hashers) = &mut self.hashers {
                    hashers.hash(&chunk).await;
                }
                if let Some(progress) = &self.progress {
                    progress.report(self.done, self.total);
                }
                Some(Ok(chunk))
            }
            Ok(None) => {
                self.response = None;
                self.span.finish();
                let verification = match (self.expected.take(), self.hashers.take()) {
                    (Some(expected), Some(hashers)) => {
                        match expected.check(&hashers.finish().await) {
                            Ok(verification) => verification,
                            Err(error) => return Some(Err(Error::Integrity(error))),
                        }
                    }
                    _ => Verification::Unverified(Unverified::Disabled),
                };
                *self.outcome.lock().unwrap_or_else(PoisonError::into_inner) = Some(verification);
                None
            }
            Err(error) => {
                self.response = None;
                let error = transport::error(&error, &self.method, &self.uri, true);
                self.span.failed(&error);
                self.span.finish();
                Some(Err(cut_short(error, self.expected.as_ref(), self.done)))
            }
        }
    }
}

/// Image data arriving as a stream of chunks; see
/// [`Client::download_image_stream`].
pub struct ImageData {
    chunks: Pin<Box<dyn Stream<Item = Result<Bytes, Error>> + Send>>,
    outcome: Arc<Mutex<Option<Verification>>>,
}

impl std::fmt::Debug for ImageData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImageData").finish_non_exhaustive()
    }
}

impl ImageData {
    /// Once the stream has ended without error: whether the data was
    /// verified. `None` before the end, and after an error.
    pub fn verification(&self) -> Option<Verification> {
        self.outcome
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Stream for ImageData {
    type Item = Result<Bytes, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.chunks.as_mut().poll_next(cx)
    }
}

/// How long an upload body is held back for an early answer.
const EARLY_ANSWER_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

/// An upload body: chunks, or the error that ends it.
type BodyStream = Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send>>;

/// The body of an upload from an `AsyncRead`, read in chunks no longer
/// than the meter allows so that a reader running past its length is
/// stopped at the first extra byte.
fn reader_stream(
    reader: impl AsyncRead + Send + Unpin + 'static,
    meter: SharedMeter,
) -> BodyStream {
    let chunks = stream::unfold(Some((reader, meter)), |state| async move {
        let (mut reader, meter) = state?;
        let limit = lock(&meter)
            .meter
            .as_ref()
            .map_or(CHUNK, |body| body.limit(CHUNK));
        // Read into spare capacity: nothing to zero first.
        let mut buffer = BytesMut::with_capacity(limit);
        let n = match reader.read_buf(&mut (&mut buffer).limit(limit)).await {
            Ok(n) => n,
            Err(error) => return Some((Err(error), None)),
        };
        if let Err(error) = metered(&meter, &buffer) {
            return Some((Err(error), None));
        }
        if n == 0 {
            return None;
        }
        Some((Ok(buffer.freeze()), Some((reader, meter))))
    });
    Box::pin(chunks)
}

/// The body of an upload from a stream of chunks.
fn chunk_stream<S, E>(chunks: S, meter: SharedMeter) -> BodyStream
where
    S: Stream<Item = Result<Bytes, E>> + Send + 'static,
    E: Into<Box<dyn std::error::Error + Send + Sync>> + 'static,
{
    let ended = Arc::clone(&meter);
    let checked = chunks
        .map(move |chunk| {
            let chunk = chunk.map_err(|error| std::io::Error::other(error.into()))?;
            // An empty chunk from the caller is not the end of the body.
            if !chunk.is_empty() {
                metered(&meter, &chunk)?;
            }
            Ok::<_, std::io::Error>(chunk)
        })
        // The end of the stream is a chunk too: it fails a short body.
        .chain(stream::once(async move {
            metered(&ended, &[]).map(|()| Bytes::new())
        }))
        .filter(|chunk| std::future::ready(!matches!(chunk, Ok(bytes) if bytes.is_empty())));
    Box::pin(checked)
}
