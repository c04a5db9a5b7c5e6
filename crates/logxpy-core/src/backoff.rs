//! How long the writer thread waits before retrying a failed write or
//! restarting its loop after a panic.

use std::time::Duration;

/// First wait after a failed write (or a panic); doubles up to `MAX_BACKOFF`.
pub const FIRST_BACKOFF: Duration = Duration::from_millis(10);
/// The longest wait between retries, however long the failures go on.
pub const MAX_BACKOFF: Duration = Duration::from_secs(1);

/// Exponential backoff between retries: 10 ms, 20 ms, ... 1 s, 1 s, ...
/// A success starts it over (`Backoff::default()`).
pub(crate) struct Backoff {
    next: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            next: FIRST_BACKOFF,
        }
    }
}

impl Backoff {
    /// The wait before the next retry; each call doubles the one after.
    pub(crate) fn next(&mut self) -> Duration {
        let current = self.next;
        self.next = (current * 2).min(MAX_BACKOFF);
        current
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_the_first_wait_and_stays_at_the_maximum() {
        let mut backoff = Backoff::default();
        let waits: Vec<u64> = (0..10).map(|_| backoff.next().as_millis() as u64).collect();
        assert_eq!(waits, [10, 20, 40, 80, 160, 320, 640, 1000, 1000, 1000]);
    }
}
