//! The door every caller passes through, which shutdown closes.

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::thread;
use std::time::{Duration, Instant};

/// The door senders pass through: a closed bit plus the number of callers
/// inside `send`/`flush`/`reopen`, in one word so entering costs one atomic.
///
/// Shutdown closes the door and waits until nobody is inside before it
/// queues `Shutdown`, so no message can land behind it unaccounted.
pub(crate) struct Door {
    word: AtomicUsize,
}

const CLOSED: usize = 1 << (usize::BITS - 1);

/// Proof of being inside the door; leaving is dropping it.
pub(crate) struct Pass<'a>(&'a Door);

impl Drop for Pass<'_> {
    fn drop(&mut self) {
        self.0.word.fetch_sub(1, SeqCst);
    }
}

impl Door {
    pub(crate) fn new() -> Self {
        Door {
            word: AtomicUsize::new(0),
        }
    }

    pub(crate) fn enter(&self) -> Option<Pass<'_>> {
        let pass = Pass(self);
        if self.word.fetch_add(1, SeqCst) & CLOSED != 0 {
            return None; // `pass` leaves again on drop
        }
        Some(pass)
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.word.load(SeqCst) & CLOSED != 0
    }

    /// Closes the door; `true` only for the call that closed it.
    pub(crate) fn close(&self) -> bool {
        self.word.fetch_or(CLOSED, SeqCst) & CLOSED == 0
    }

    /// Waits until no caller is inside, or `deadline`. Callers inside are
    /// leaving (closure woke any waiting one), so this is short: yield a
    /// few times, then sleep in 1 ms steps rather than spin.
    pub(crate) fn wait_empty(&self, deadline: Instant) -> bool {
        let mut yields = 0;
        while self.word.load(SeqCst) != CLOSED {
            if Instant::now() >= deadline {
                return false;
            }
            if yields < 64 {
                yields += 1;
                thread::yield_now();
            } else {
                thread::sleep(Duration::from_millis(1));
            }
        }
        true
    }
}
