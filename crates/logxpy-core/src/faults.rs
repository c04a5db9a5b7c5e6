//! Deliberate failures for tests (feature `fault-injection`).

use std::sync::atomic::{AtomicU64, Ordering::SeqCst};

/// Counts down batches to a panic in the writer thread.
#[derive(Default)]
pub(crate) struct Faults {
    /// 0: disarmed; n: panic before the n-th next non-empty batch.
    panic_countdown: AtomicU64,
}

impl Faults {
    pub(crate) fn panic_before_batch(&self, n: u64) {
        self.panic_countdown.store(n, SeqCst);
    }

    /// Called by the worker before writing each non-empty batch.
    pub(crate) fn before_batch(&self) {
        let armed = self
            .panic_countdown
            .fetch_update(SeqCst, SeqCst, |n| n.checked_sub(1));
        if armed == Ok(1) {
            panic!("logxpy fault injection: panic before a batch");
        }
    }
}
