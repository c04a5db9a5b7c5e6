//! What `send` does when `max_queue` records are already queued.

use std::sync::atomic::{AtomicU64, Ordering::SeqCst};
use std::sync::{Mutex, TryLockError};
use std::thread;
use std::time::{Duration, Instant};

use crate::budget::Waited;
use crate::hooks::WarnHook;
use crate::queue::{Popped, QueueSender};
use crate::state::WriterState;

/// Warnings about drops come at most this often.
const WARN_INTERVAL: Duration = Duration::from_secs(1);

/// The queue-full policy. A "record" below is one message's `count`: a
/// coalesced message is kept or dropped as a whole.
///
/// ```
/// use logxpy_core::QueuePolicy;
///
/// assert_eq!(QueuePolicy::default(), QueuePolicy::Block);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum QueuePolicy {
    /// The sender waits until there is room: nothing is lost to a slow
    /// destination, however slow. A *failing* one (every write erroring,
    /// e.g. `ENOSPC`) is waited for only until it has been failing for
    /// `WriterConfig::shutdown_timeout`, and a *stalled* one (taking no
    /// byte at all: a reader that stopped reading) only until it has taken
    /// nothing for as long: from then on, until it takes bytes again, a
    /// message that finds no room is dropped as under `DropNewest` (waiting
    /// senders give up the same way), so a dead disk or a hung reader
    /// cannot freeze the application. Drops to a stall are told to
    /// `Hooks::on_warn`, as `Warn` tells its own (a failing destination's
    /// failures are reported already).
    #[default]
    Block,
    /// The oldest queued messages (not yet taken by the worker) are
    /// discarded until the new one fits; `dropped` counts their records.
    DropOldest,
    /// The new message is discarded; `dropped` counts its records.
    DropNewest,
    /// As `DropNewest`, and `Hooks::on_warn` hears of the drops, at most
    /// once per second, with the number dropped since the last warning.
    Warn,
}

impl QueuePolicy {
    /// Every policy, in the order of the TypeScript `QueuePolicy` enum.
    pub const ALL: [QueuePolicy; 4] = [
        QueuePolicy::Block,
        QueuePolicy::DropOldest,
        QueuePolicy::DropNewest,
        QueuePolicy::Warn,
    ];

    /// The name the TypeScript API and the binding use for it.
    ///
    /// ```
    /// use logxpy_core::QueuePolicy;
    ///
    /// assert_eq!(QueuePolicy::DropOldest.name(), "drop_oldest");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            QueuePolicy::Block => "block",
            QueuePolicy::DropOldest => "drop_oldest",
            QueuePolicy::DropNewest => "drop_newest",
            QueuePolicy::Warn => "warn",
        }
    }

    /// The policy [`name`](QueuePolicy::name) gives `name`, if any.
    ///
    /// ```
    /// use logxpy_core::QueuePolicy;
    ///
    /// assert_eq!(QueuePolicy::from_name("warn"), Some(QueuePolicy::Warn));
    /// assert_eq!(QueuePolicy::from_name("replace"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<QueuePolicy> {
        QueuePolicy::ALL
            .into_iter()
            .find(|policy| policy.name() == name)
    }
}

/// Whether a message got places in the queue.
pub(crate) enum Admission {
    Admitted,
    /// The policy discarded it (not yet counted).
    Refused,
    /// `Block` waited and the writer closed meanwhile.
    Closed,
}

/// The policy as applied by senders.
pub(crate) struct Overflow {
    policy: QueuePolicy,
    warning: DropWarning,
    /// How long `Block` waits for a failing destination (the shutdown timeout).
    patience: Duration,
}

impl Overflow {
    pub(crate) fn new(policy: QueuePolicy, on_warn: Option<WarnHook>, patience: Duration) -> Self {
        Overflow {
            policy,
            warning: DropWarning::new(on_warn),
            patience,
        }
    }

    /// Takes queue places for a message of `n` records, as the policy says.
    pub(crate) fn admit(
        &self,
        n: u64,
        queue: &QueueSender,
        state: &WriterState,
        is_closed: impl Fn() -> bool,
    ) -> Admission {
        let WriterState {
            counters,
            failing,
            stalled,
            circuit,
            ..
        } = state;
        let budget = queue.budget();
        match self.policy {
            // Tried before `take_or_wait` (which tries again) so that a sender
            // with room never rings.
            QueuePolicy::Block if budget.try_take(n) => Admission::Admitted,
            QueuePolicy::Block => {
                // A sender must not wait on a sleeping writer thread, whichever
                // way the records before it were sent.
                queue.ring();
                match budget.take_or_wait(n, is_closed, || {
                    // A breaker that opens while this sender waits ends the wait.
                    if circuit.refuses() {
                        Some(Duration::ZERO)
                    } else {
                        let failing = failing.patience_left(self.patience);
                        let stalled = stalled.patience_left(self.patience);
                        failing.into_iter().chain(stalled).min()
                    }
                }) {
                    Waited::Taken => Admission::Admitted,
                    Waited::Closed => Admission::Closed,
                    Waited::GaveUp => {
                        if !circuit.refuses() && failing.patience_left(self.patience).is_none() {
                            self.warning.note(n);
                        }
                        Admission::Refused
                    }
                }
            }
            QueuePolicy::DropNewest | QueuePolicy::Warn if budget.try_take(n) => {
                Admission::Admitted
            }
            QueuePolicy::DropNewest | QueuePolicy::Warn => Admission::Refused,
            QueuePolicy::DropOldest => {
                while !budget.try_take(n) {
                    match queue.pop_oldest() {
                        Popped::Records(dropped) => counters.add_dropped(dropped),
                        Popped::Control => {}
                        // The worker has just taken the last message and is
                        // about to give its places back.
                        Popped::Empty => thread::yield_now(),
                    }
                }
                Admission::Admitted
            }
        }
    }

    /// Notes `n` refused records (`Warn` reports them, rate-limited).
    pub(crate) fn refused(&self, n: u64) {
        if self.policy == QueuePolicy::Warn {
            self.warning.note(n);
        }
    }
}

/// The rate-limited drop warning of `QueuePolicy::Warn`.
struct DropWarning {
    hook: Option<WarnHook>,
    unreported: AtomicU64,
    last: Mutex<Option<Instant>>,
}

impl DropWarning {
    fn new(hook: Option<WarnHook>) -> Self {
        DropWarning {
            hook,
            unreported: AtomicU64::new(0),
            last: Mutex::new(None),
        }
    }

    fn note(&self, n: u64) {
        let Some(hook) = &self.hook else { return };
        self.unreported.fetch_add(n, SeqCst);
        // Whoever holds the lock is warning right now; the others' drops
        // are in `unreported` and go into the next warning.
        let mut last = match self.last.try_lock() {
            Ok(last) => last,
            // A hook that panicked once must not silence the ones after it.
            Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            Err(TryLockError::WouldBlock) => return,
        };
        let now = Instant::now();
        if last.is_some_and(|at| now.duration_since(at) < WARN_INTERVAL) {
            return;
        }
        *last = Some(now);
        hook(self.unreported.swap(0, SeqCst));
    }
}
