//! Image data, streamed both ways and verified against the image record.

use std::io::{Read, Write};

use cloud_images::ImageStatus;
use http::{Request, Response};

use super::{Client, read_all, transport};
use crate::body::{BodyMeter, MeteredReader};
use crate::error::Error;
use crate::integrity::{Digests, Expected, HashRing, Unverified, Verification, cut_short};
use crate::operation::{DataOutcome, Operation, data_outcome};
use crate::trace::RequestSpan;
use crate::transfer::{TransferOptions, Transferred};

/// Bytes per read while streaming image data (and the size of each of
/// the hash ring's buffers).
const CHUNK: usize = 128 * 1024;

impl Client {
    /// Uploads image data from `reader` without holding it in memory, then
    /// checks Glance's record of it: `length` bytes with `Content-Length`,
    /// or, with `None`, as much as the reader has, sent chunked.
    ///
    /// A reader that ends before `length`, or has more, fails at once with
    /// [`Error::BodyLength`] naming both counts, and the request is cut off
    /// so that Glance stores nothing. A refusal Glance gives before reading
    /// the body (no such image, wrong status, no formats) ends the upload
    /// before any data is sent: the request carries `Expect: 100-continue`,
    /// and ureq waits up to a second for an early answer (uWSGI never sends
    /// `100 Continue`, so every upload starts a second late). A refusal in
    /// the middle of the body arrives as [`Error::Transport`] of kind
    /// `Reset` that may have reached the server: uWSGI closes the
    /// connection with the body unread, the next write fails, and ureq
    /// reads no answer after a failed write (see "Image data" in
    /// [`crate::glance_behaviour`]). The data is hashed as it is sent; with verification on (the default), the image
    /// is read back and its `size`, `checksum` and `os_hash_value` compared,
    /// a mismatch being [`Error::Integrity`]. Never retried.
    pub fn upload_image_from(
        &self,
        id: &str,
        reader: impl Read,
        length: Option<u64>,
        options: &TransferOptions,
    ) -> Result<Transferred, Error> {
        let mut operation = self.api.upload_image_body(id, (), length)?;
        options.apply_store(&mut operation)?;
        let meter = self.send_data(operation, reader, length, options)?;
        self.verify_upload(id, meter, options)
    }

    /// Stages image data from `reader` for a `glance-direct` import, as
    /// [`Client::upload_image_from`] uploads it. Glance records digests only
    /// once the import is done, so the result is unverified: wait for the
    /// image with [`Client::wait_for_image`], then download it verified.
    pub fn stage_image_from(
        &self,
        id: &str,
        reader: impl Read,
        length: Option<u64>,
        options: &TransferOptions,
    ) -> Result<Transferred, Error> {
        let operation = self.api.stage_image_body(id, (), length)?;
        let meter = self.send_data(operation, reader, length, options)?;
        Ok(Transferred {
            bytes: meter.done(),
            verification: Verification::Unverified(Unverified::NotActive(
                ImageStatus::Uploading.as_str().to_owned(),
            )),
        })
    }

    fn send_data(
        &self,
        operation: Operation<(), ()>,
        reader: impl Read,
        length: Option<u64>,
        options: &TransferOptions,
    ) -> Result<BodyMeter, Error> {
        let template = operation.path_template().to_owned();
        let (request, decoder) = operation.into_parts();
        let (mut parts, ()) = request.into_parts();
        let (method, uri) = (parts.method.clone(), parts.uri.clone());
        let digests = options
            .verify
            .then(|| Digests::with_hasher_thread(self.shared.upload_hash))
            .transpose()
            .map_err(Error::Io)?;
        let mut body = MeteredReader::new(
            reader,
            BodyMeter::new(length, digests, options.progress.clone()),
        );
        let mut probe = Request::new(());
        let token = self.authorize(&mut probe)?;
        parts.headers.extend(probe.headers().clone());
        // ureq does not read while it writes, so an answer Glance gives
        // before reading the body (404, 403, 409, 400) would be lost to a
        // broken pipe. With `Expect: 100-continue` ureq waits (up to 1 s;
        // uWSGI sends no `100 Continue`) for such an answer before sending.
        parts.headers.insert(
            http::header::EXPECT,
            http::HeaderValue::from_static("100-continue"),
        );
        let span = RequestSpan::new(&method, &template, 0);
        let result = span.span().in_scope(|| {
            let request = Request::from_parts(parts, ureq::SendBody::from_reader(&mut body));
            self.agent
                .run(request)
                .map_err(|error| transport::error(error, &method, &uri, false))
                .and_then(|response| read_all(response, &method, &uri))
        });
        span.finish();
        match &result {
            Ok(response) => {
                span.response(response.status(), response.headers());
                self.saw_status(response.status(), token.as_ref());
            }
            Err(error) => span.failed(error),
        }
        decoder.decode(result?)?;
        Ok(body.into_meter())
    }

    fn verify_upload(
        &self,
        id: &str,
        meter: BodyMeter,
        options: &TransferOptions,
    ) -> Result<Transferred, Error> {
        let bytes = meter.done();
        let Some(digests) = meter.into_digests().filter(|_| options.verify) else {
            return Ok(Transferred {
                bytes,
                verification: Verification::Unverified(Unverified::Disabled),
            });
        };
        let image = self.get_image(id)?;
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

    /// The image data in memory, verified, or `None` when the image has
    /// none (204). Prefer [`Client::download_image_to`] for large images.
    pub fn download_image(&self, id: &str) -> Result<Option<Vec<u8>>, Error> {
        let mut data = Vec::new();
        Ok(self
            .download_image_to(id, &mut data, &TransferOptions::default())?
            .map(|_| data))
    }

    /// Streams the image data into `writer`, hashing it as it goes; `None`
    /// when the image has no data (204).
    ///
    /// With verification on (the default), the image record is read first
    /// and the bytes are compared with its `size`, `checksum` (md5) and
    /// `os_hash_value` at the end: a mismatch is [`Error::Integrity`],
    /// naming the expected and actual values. The bytes are already in
    /// `writer` by then: discard them on that error. The result says
    /// whether the data was verified.
    pub fn download_image_to(
        &self,
        id: &str,
        mut writer: impl Write,
        options: &TransferOptions,
    ) -> Result<Option<Transferred>, Error> {
        let expected = if options.verify {
            Some(Expected::from_image(&self.get_image(id)?))
        } else {
            None
        };
        let operation = self.api.download_image(id)?;
        let template = operation.path_template().to_owned();
        let request = operation.into_request();
        let (method, uri) = (request.method().clone(), request.uri().clone());
        let span = RequestSpan::new(&method, &template, 0);
        let _entered = span.span().enter();
        let mut probe = request;
        let token = self.authorize(&mut probe)?;
        let response = self.run(probe);
        let response = match response {
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
                let response: Response<Vec<u8>> = read_all(response, &method, &uri)?;
                return Err(Error::from_response(
                    response.status(),
                    response.headers(),
                    response.body(),
                ));
            }
            DataOutcome::Data => {}
        }
        let total = expected.as_ref().and_then(Expected::size);
        // md5 here, the other digest on a hasher thread: see `HashRing`.
        let mut ring = match &expected {
            Some(expected) => Some(HashRing::new(expected.algorithm(), CHUNK).map_err(Error::Io)?),
            None => None,
        };
        let mut reader = response.into_body().into_reader();
        let mut spare = Vec::new();
        let mut done = 0u64;
        loop {
            let mut buffer = match &mut ring {
                Some(ring) => ring.buffer(),
                None if spare.is_empty() => vec![0; CHUNK],
                None => std::mem::take(&mut spare),
            };
            let n = match reader.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => n,
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {
                    pass_on(&mut ring, &mut spare, buffer, 0);
                    continue;
                }
                Err(error) => {
                    let error = transport::error(ureq::Error::Io(error), &method, &uri, true);
                    span.failed(&error);
                    span.finish();
                    return Err(cut_short(error, expected.as_ref(), done));
                }
            };
            writer.write_all(&buffer[..n]).map_err(Error::Io)?;
            done += n as u64;
            pass_on(&mut ring, &mut spare, buffer, n);
            if let Some(progress) = &options.progress {
                progress.report(done, total);
            }
        }
        writer.flush().map_err(Error::Io)?;
        span.finish();
        let verification = match (expected, ring) {
            (Some(expected), Some(ring)) => {
                expected.check(&ring.finish()).map_err(Error::Integrity)?
            }
            _ => Verification::Unverified(Unverified::Disabled),
        };
        Ok(Some(Transferred {
            bytes: done,
            verification,
        }))
    }
}

/// Hands a buffer holding `n` received bytes to the hash ring, or keeps it
/// for the next read when not hashing.
fn pass_on(ring: &mut Option<HashRing>, spare: &mut Vec<u8>, buffer: Vec<u8>, n: usize) {
    match ring {
        Some(ring) => ring.hash(buffer, n),
        None => *spare = buffer,
    }
}
