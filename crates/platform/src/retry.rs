//! Retrying a read-decide-write that lost an optimistic-concurrency race.
//!
//! A use case reads an aggregate at version `v`, decides, and writes on condition that it
//! is still at `v`. When another writer got there first the write fails with a conflict,
//! and the right move is to read again and decide again. [`on_conflict`] does that a
//! bounded number of times with a short jittered pause (the `backon` crate), and passes
//! every other error through at once.

use std::future::Future;
use std::time::Duration;

use backon::{ConstantBuilder, Retryable};

/// How many times a use case tries before it gives up on a contended aggregate.
pub const ATTEMPTS: usize = 5;

/// An error that may be a lost optimistic-concurrency race.
pub trait Conflict {
    /// True when reading again and deciding again may succeed.
    fn is_conflict(&self) -> bool;
}

/// Runs `attempt` (read, decide, write) until it succeeds, fails with an error that is
/// not a conflict, or has lost [`ATTEMPTS`] races; returns the last outcome.
///
/// # Errors
/// The error of the last attempt.
pub async fn on_conflict<T, E, F, Fut>(attempt: F) -> Result<T, E>
where
    E: Conflict,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let backoff = ConstantBuilder::default()
        .with_delay(Duration::from_millis(5))
        .with_max_times(ATTEMPTS.saturating_sub(1))
        .with_jitter();
    attempt.retry(backoff).sleep(tokio::time::sleep).when(Conflict::is_conflict).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[derive(Debug, PartialEq)]
    enum Failure {
        Conflict,
        Broken,
    }
    impl Conflict for Failure {
        fn is_conflict(&self) -> bool {
            *self == Failure::Conflict
        }
    }

    #[tokio::test]
    async fn conflicts_are_retried_a_bounded_number_of_times_and_other_errors_at_once() {
        let calls = AtomicUsize::new(0);
        let won = on_conflict(|| async {
            if calls.fetch_add(1, Ordering::SeqCst) < 2 { Err(Failure::Conflict) } else { Ok("done") }
        })
        .await;
        assert_eq!(won, Ok("done"));
        assert_eq!(calls.load(Ordering::SeqCst), 3);

        calls.store(0, Ordering::SeqCst);
        let lost: Result<(), _> = on_conflict(|| async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(Failure::Conflict)
        })
        .await;
        assert_eq!(lost, Err(Failure::Conflict));
        assert_eq!(calls.load(Ordering::SeqCst), ATTEMPTS);

        calls.store(0, Ordering::SeqCst);
        let broken: Result<(), _> = on_conflict(|| async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(Failure::Broken)
        })
        .await;
        assert_eq!(broken, Err(Failure::Broken));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}
