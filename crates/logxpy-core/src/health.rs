//! The destination's health as the writer thread last saw it, which `Block`
//! senders consult when the queue is full.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

/// When the destination's current run of failures began: set by the writer
/// thread at the first failed write after a success (or at the first one
/// ever), cleared by the next success. A blocked or `EAGAIN` destination is
/// slow, not failing, and leaves it alone; `WriterState::stalled`, another
/// one, keeps when such a stall began (first `EAGAIN` with no byte taken
/// since, cleared by the next byte taken).
///
/// Only the writer thread stores; senders load it only when the queue is
/// full. `Relaxed` is enough: a sender that misses a fresh store re-checks
/// under the budget's lock, which the writer thread takes to wake it after
/// storing (see `QueueReceiver::wake_senders`).
pub(crate) struct FailingSince {
    origin: Instant,
    /// Nanoseconds from `origin` to the start of the run, plus one; 0 while
    /// the destination is healthy.
    nanos: AtomicU64,
}

impl Default for FailingSince {
    fn default() -> Self {
        FailingSince {
            origin: Instant::now(),
            nanos: AtomicU64::new(0),
        }
    }
}

impl FailingSince {
    /// Notes a failed write; `true` if it starts a run of failures.
    pub(crate) fn fail(&self) -> bool {
        if self.nanos.load(Relaxed) != 0 {
            return false;
        }
        let since = u64::try_from(self.origin.elapsed().as_nanos()).unwrap_or(u64::MAX - 1);
        self.nanos.store(since + 1, Relaxed);
        true
    }

    /// Notes a successful write: the run of failures, if any, is over.
    pub(crate) fn recover(&self) {
        if self.nanos.load(Relaxed) != 0 {
            self.nanos.store(0, Relaxed);
        }
    }

    /// How long the current run of failures has lasted; `None` while healthy.
    pub(crate) fn failing_for(&self) -> Option<Duration> {
        let nanos = self.nanos.load(Relaxed);
        (nanos != 0).then(|| (self.origin + Duration::from_nanos(nanos - 1)).elapsed())
    }

    /// `None` while healthy; while failing, how much of `patience` is left
    /// before the run of failures outlasts it (zero once it has).
    pub(crate) fn patience_left(&self, patience: Duration) -> Option<Duration> {
        let nanos = self.nanos.load(Relaxed);
        if nanos == 0 {
            return None;
        }
        let since = self.origin + Duration::from_nanos(nanos - 1);
        Some(patience.saturating_sub(since.elapsed()))
    }
}
