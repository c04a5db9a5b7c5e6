//! The circuit breaker of a destination that keeps failing: while it is
//! open, senders drop their records (counted) instead of waiting for a
//! destination that is not coming back soon, and the writer thread probes
//! it once per cooldown. Only destinations configured with a [`Breaker`]
//! have one; a file has none (its `Block` senders give up after
//! `shutdown_timeout` of failures instead).

use std::sync::atomic::{AtomicU8, Ordering::SeqCst};
use std::time::Duration;

/// When a destination's breaker opens and how often it is probed.
///
/// ```
/// use std::time::Duration;
/// use logxpy_core::Breaker;
///
/// let breaker = Breaker { failures: 10, after: Duration::from_secs(5), cooldown: Duration::from_secs(2) };
/// assert_eq!(breaker, Breaker::default());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Breaker {
    /// Consecutive failed attempts that open the breaker.
    pub failures: u32,
    /// A run of failures this long opens it too, however few attempts it
    /// held (a destination that stalls fails slowly).
    pub after: Duration,
    /// How long the breaker stays open before the writer thread probes the
    /// destination with the batch it holds (half-open).
    pub cooldown: Duration,
}

impl Default for Breaker {
    fn default() -> Self {
        Breaker {
            failures: 10,
            after: Duration::from_secs(5),
            cooldown: Duration::from_secs(2),
        }
    }
}

/// Where a breaker is: senders read it, the writer thread moves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CircuitState {
    /// Records flow; failures are retried with backoff.
    Closed,
    /// Records are dropped at `send`; the destination is left alone for a cooldown.
    Open,
    /// One probe is under way; records are still dropped until it succeeds.
    HalfOpen,
}

/// The state, shared between the handle and the writer thread.
#[derive(Default)]
pub(crate) struct Circuit(AtomicU8);

impl Circuit {
    pub(crate) fn state(&self) -> CircuitState {
        match self.0.load(SeqCst) {
            0 => CircuitState::Closed,
            1 => CircuitState::Open,
            _ => CircuitState::HalfOpen,
        }
    }

    /// Whether senders drop their records instead of queueing them.
    pub(crate) fn refuses(&self) -> bool {
        self.0.load(SeqCst) != 0
    }

    pub(crate) fn set(&self, state: CircuitState) {
        let value = match state {
            CircuitState::Closed => 0,
            CircuitState::Open => 1,
            CircuitState::HalfOpen => 2,
        };
        self.0.store(value, SeqCst);
    }
}
