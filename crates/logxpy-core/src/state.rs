//! What the `Writer` handle and its writer thread both read and change:
//! the counters, the shutdown deadline, the destination's health, the
//! torn-line flag.

use std::sync::OnceLock;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use crate::circuit::Circuit;
use crate::health::FailingSince;
use crate::metrics::Counters;

/// The state one writer's handle and thread share (behind an `Arc`); the
/// thread's private state is in `worker.rs`.
#[derive(Default)]
pub(crate) struct WriterState {
    pub(crate) counters: Counters,
    /// Set by shutdown: past this instant the thread stops waiting for a
    /// failing or full destination and counts what is left as dropped.
    pub(crate) abandon_at: OnceLock<Instant>,
    /// Since when every write attempt has failed; read by `Block` senders
    /// that find no room.
    pub(crate) failing: FailingSince,
    /// Since when the destination has taken no byte of a batch (`EAGAIN` on
    /// every try: a reader that stopped reading); read by `Block` senders as
    /// `failing` is, so a stall outlasting the shutdown timeout is given up
    /// on as a failure is, instead of freezing the application.
    pub(crate) stalled: FailingSince,
    /// The breaker's state; always closed without `WriterConfig::breaker`.
    pub(crate) circuit: Circuit,
    /// Set when the thread gave up with the destination left inside a
    /// line: a later writer to the same place starts with a line break.
    pub(crate) torn: AtomicBool,
    #[cfg(feature = "fault-injection")]
    pub(crate) faults: crate::faults::Faults,
}
