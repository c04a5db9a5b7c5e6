//! The record budget: a counting semaphore that makes `max_queue` bound
//! records, not messages, even when one message carries several.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::SeqCst};
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::Duration;

/// Longest single wait of a `Block` sender while the destination is failing,
/// so it re-checks the failing state at least this often.
const FAILING_POLL: Duration = Duration::from_millis(50);

/// How `RecordBudget::take_or_wait` ended.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Waited {
    /// The places are taken.
    Taken,
    /// The writer closed.
    Closed,
    /// The destination has been failing too long to wait for it.
    GaveUp,
}

/// A counting semaphore of queued records, bounded by `max_queue`.
///
/// Only `Block` senders ever wait; the other policies just `try_take`.
pub(crate) struct RecordBudget {
    queued: AtomicU64,
    capacity: u64,
    waiters: AtomicUsize,
    lock: Mutex<()>,
    room: Condvar,
}

impl RecordBudget {
    pub(crate) fn new(capacity: u64) -> Self {
        RecordBudget {
            queued: AtomicU64::new(0),
            capacity,
            waiters: AtomicUsize::new(0),
            lock: Mutex::new(()),
            room: Condvar::new(),
        }
    }

    /// Records queued now.
    pub(crate) fn queued(&self) -> u64 {
        self.queued.load(SeqCst)
    }

    /// Takes `n` places if they fit, or if nothing is queued at all.
    pub(crate) fn try_take(&self, n: u64) -> bool {
        let mut queued = self.queued.load(SeqCst);
        loop {
            if queued != 0 && queued + n > self.capacity {
                return false;
            }
            match self
                .queued
                .compare_exchange_weak(queued, queued + n, SeqCst, SeqCst)
            {
                Ok(_) => return true,
                Err(now) => queued = now,
            }
        }
    }

    /// Waits until `n` places are taken, the writer closes (`is_closed()`),
    /// or the destination has been failing for too long: `patience_left()`
    /// is `None` while it is healthy, else the time left before giving up.
    ///
    /// With room, neither closure is called; without, a sender calls
    /// `patience_left` once before it starts waiting. While the destination
    /// is failing a waiter wakes at least every `FAILING_POLL`; the writer
    /// thread wakes it when a run of failures begins.
    pub(crate) fn take_or_wait(
        &self,
        n: u64,
        is_closed: impl Fn() -> bool,
        patience_left: impl Fn() -> Option<Duration>,
    ) -> Waited {
        if self.try_take(n) {
            return Waited::Taken;
        }
        if patience_left() == Some(Duration::ZERO) {
            return Waited::GaveUp;
        }
        // `waiters` goes up before the re-check under the lock, and
        // `give_back` reads it after lowering `queued`: either the re-check
        // sees the room or `give_back` sees the waiter and notifies. A run
        // of failures is stored before `wake_senders` takes the lock, so the
        // re-check sees it or the wake comes after the wait began.
        self.waiters.fetch_add(1, SeqCst);
        let mut guard = self.lock.lock().unwrap_or_else(PoisonError::into_inner);
        let waited = loop {
            if self.try_take(n) {
                break Waited::Taken;
            }
            if is_closed() {
                break Waited::Closed;
            }
            guard = match patience_left() {
                None => self
                    .room
                    .wait(guard)
                    .unwrap_or_else(PoisonError::into_inner),
                Some(Duration::ZERO) => break Waited::GaveUp,
                Some(left) => {
                    self.room
                        .wait_timeout(guard, left.min(FAILING_POLL))
                        .unwrap_or_else(PoisonError::into_inner)
                        .0
                }
            };
        };
        self.waiters.fetch_sub(1, SeqCst);
        waited
    }

    /// Returns `n` places (the worker took a message or a sender dropped one).
    pub(crate) fn give_back(&self, n: u64) {
        self.queued.fetch_sub(n, SeqCst);
        if self.waiters.load(SeqCst) > 0 {
            self.wake_all();
        }
    }

    /// Wakes every waiting sender so it re-checks room and closure.
    pub(crate) fn wake_all(&self) {
        let _guard = self.lock.lock().unwrap_or_else(PoisonError::into_inner);
        self.room.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_admits_up_to_capacity_or_one_oversized_message_into_an_empty_queue() {
        let budget = RecordBudget::new(4);
        assert!(budget.try_take(3));
        assert!(!budget.try_take(2));
        assert!(budget.try_take(1));
        budget.give_back(4);
        assert!(budget.try_take(10));
        assert!(!budget.try_take(1));
    }
}
