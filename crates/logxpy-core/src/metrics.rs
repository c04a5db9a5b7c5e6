//! The writer's counters and the snapshot users read.

use std::sync::atomic::{AtomicU64, Ordering::SeqCst};

/// A snapshot of a writer's counters, in records.
///
/// `pending` is derived, `enqueued - written - dropped`, so
/// `enqueued == written + dropped + pending` holds in every snapshot; after a
/// flush with no concurrent `send`, `pending` is 0.
///
/// ```
/// use logxpy_core::Metrics;
///
/// let m = Metrics::default();
/// assert_eq!(m.enqueued, m.written + m.dropped + m.pending);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Metrics {
    /// Records handed to `send` while the writer was open, including the
    /// ones the queue policy then dropped.
    pub enqueued: u64,
    /// Records wholly written to the destination.
    pub written: u64,
    /// Records discarded by the queue policy (including `Block` in front of
    /// a destination failing for longer than the shutdown timeout) or
    /// abandoned by a shutdown that timed out on a failing destination.
    pub dropped: u64,
    /// Failed write attempts (each retry that fails counts once), and
    /// failed rotations and compressions of rotated files.
    pub errors: u64,
    /// Records accepted but not yet written or dropped.
    pub pending: u64,
    /// Times the writer thread caught a panic and restarted its loop.
    pub restarts: u64,
}

#[derive(Default)]
pub(crate) struct Counters {
    enqueued: AtomicU64,
    written: AtomicU64,
    dropped: AtomicU64,
    errors: AtomicU64,
    restarts: AtomicU64,
}

impl Counters {
    pub(crate) fn add_enqueued(&self, n: u64) {
        self.enqueued.fetch_add(n, SeqCst);
    }

    pub(crate) fn add_written(&self, n: u64) {
        self.written.fetch_add(n, SeqCst);
    }

    pub(crate) fn add_dropped(&self, n: u64) {
        self.dropped.fetch_add(n, SeqCst);
    }

    /// Records counted as written that the destination refused after all.
    pub(crate) fn reject(&self, n: u64) {
        // Written goes down first: `snapshot` reads `written` before
        // `dropped`, so pending can look larger for a moment, never negative.
        self.written.fetch_sub(n, SeqCst);
        self.dropped.fetch_add(n, SeqCst);
    }

    pub(crate) fn add_error(&self) {
        self.errors.fetch_add(1, SeqCst);
    }

    pub(crate) fn add_restart(&self) {
        self.restarts.fetch_add(1, SeqCst);
    }

    pub(crate) fn snapshot(&self) -> Metrics {
        // A record is counted in `enqueued` before it can be written or
        // dropped, so reading `enqueued` last keeps `pending` non-negative.
        let written = self.written.load(SeqCst);
        let dropped = self.dropped.load(SeqCst);
        let enqueued = self.enqueued.load(SeqCst);
        Metrics {
            enqueued,
            written,
            dropped,
            errors: self.errors.load(SeqCst),
            // Saturating: a `reject` between the two loads above may count a record in both.
            pending: enqueued.saturating_sub(written + dropped),
            restarts: self.restarts.load(SeqCst),
        }
    }
}
