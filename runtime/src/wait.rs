//! Waiting for an image or a task to reach a state: what each poll means,
//! and how long to wait before the next.
//!
//! An image in `killed` or `deleted` (or `pending_delete`) will never
//! become anything else, so waiting for another status ends there with
//! [`crate::Error::UnwantedState`]; a task ends in `success` or `failure`,
//! and a failure is [`crate::Error::TaskFailed`] with Glance's message.

use std::time::Duration;

use cloud_images::{Image, ImageStatus, Task, TaskStatus};

use crate::error::Error;

/// What one poll found.
#[derive(Debug)]
pub enum Poll<T> {
    /// The wanted state was reached.
    Done(T),
    /// Not yet; the last status seen.
    Pending(String),
}

/// Polls start `initial` apart and grow by half each time up to `max`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollBackoff {
    /// The wait before the second poll.
    pub initial: Duration,
    /// The longest wait between polls.
    pub max: Duration,
}

impl Default for PollBackoff {
    /// 250 ms, growing to 5 s.
    fn default() -> Self {
        PollBackoff {
            initial: Duration::from_millis(250),
            max: Duration::from_secs(5),
        }
    }
}

impl PollBackoff {
    /// The wait after poll number `poll` (0 for the first).
    pub fn wait(&self, poll: u32) -> Duration {
        let factor = 1.5f64.powi(i32::try_from(poll.min(40)).unwrap_or(40));
        self.initial.mul_f64(factor).min(self.max)
    }
}

fn terminal(status: &ImageStatus) -> bool {
    matches!(
        status,
        ImageStatus::Killed | ImageStatus::Deleted | ImageStatus::PendingDelete
    )
}

/// Judges one poll of image `id` waited on to reach `target`. The id is the
/// one asked for, so an error names it even when the record lacks its own.
pub fn image_poll(id: &str, image: Image, target: &ImageStatus) -> Result<Poll<Image>, Error> {
    match &image.status {
        Some(status) if status == target => Ok(Poll::Done(image)),
        Some(status) if terminal(status) => Err(Error::UnwantedState {
            id: id.to_owned(),
            wanted: target.as_str().to_owned(),
            reached: status.as_str().to_owned(),
        }),
        Some(status) => Ok(Poll::Pending(status.as_str().to_owned())),
        None => Ok(Poll::Pending("(no status)".to_owned())),
    }
}

/// Judges one poll of task `id` waited on to finish successfully.
pub fn task_poll(id: &str, task: Task) -> Result<Poll<Task>, Error> {
    match &task.status {
        Some(TaskStatus::Success) => Ok(Poll::Done(task)),
        Some(TaskStatus::Failure) => Err(Error::TaskFailed {
            id: id.to_owned(),
            message: task.message.clone().unwrap_or_default(),
        }),
        Some(status) => Ok(Poll::Pending(status.as_str().to_owned())),
        None => Ok(Poll::Pending("(no status)".to_owned())),
    }
}

/// The error for a wait that ran out of time.
pub fn timed_out(id: &str, wanted: &str, last: String, waited: Duration) -> Error {
    Error::WaitTimeout {
        id: id.to_owned(),
        wanted: wanted.to_owned(),
        last,
        waited,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(status: ImageStatus) -> Image {
        serde_json::from_value(serde_json::json!({"id": "i1", "status": status.as_str()})).unwrap()
    }

    #[test]
    fn terminal_states_other_than_the_target_fail() {
        assert!(matches!(
            image_poll("i1", image(ImageStatus::Active), &ImageStatus::Active),
            Ok(Poll::Done(_))
        ));
        assert!(
            matches!(image_poll("i1", image(ImageStatus::Importing), &ImageStatus::Active), Ok(Poll::Pending(s)) if s == "importing")
        );
        match image_poll("i1", image(ImageStatus::Killed), &ImageStatus::Active) {
            Err(Error::UnwantedState {
                id,
                wanted,
                reached,
            }) => {
                assert_eq!(
                    (id.as_str(), wanted.as_str(), reached.as_str()),
                    ("i1", "active", "killed")
                )
            }
            other => panic!("{other:?}"),
        }
        // Waiting for `deleted` itself is allowed.
        assert!(matches!(
            image_poll("i1", image(ImageStatus::Deleted), &ImageStatus::Deleted),
            Ok(Poll::Done(_))
        ));
    }

    #[test]
    fn a_failed_task_carries_its_message() {
        let task: Task = serde_json::from_value(
            serde_json::json!({"id": "t", "status": "failure", "message": "bad"}),
        )
        .unwrap();
        assert!(
            matches!(task_poll("t", task), Err(Error::TaskFailed { message, .. }) if message == "bad")
        );
    }

    #[test]
    fn backoff_grows_to_its_cap() {
        let backoff = PollBackoff::default();
        assert_eq!(backoff.wait(0), Duration::from_millis(250));
        assert_eq!(backoff.wait(1), Duration::from_millis(375));
        assert_eq!(backoff.wait(30), Duration::from_secs(5));
    }
}
