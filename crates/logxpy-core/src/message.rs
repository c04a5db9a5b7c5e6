//! What travels to the writer thread: records, and the control requests it
//! acknowledges (flush, reopen, shutdown) with their answers.

use crossbeam_channel::Sender;

use crate::error::Error;

/// One message to the writer thread.
pub(crate) enum Msg {
    /// `count` whole records (lines) in `bytes`, written as one unit.
    Records {
        bytes: Vec<u8>,
        count: u64,
    },
    Control(Control),
}

/// A request the writer thread acknowledges once everything sent before it
/// is written.
pub(crate) enum Control {
    /// Acknowledge, after syncing the destination's data to disk when
    /// `sync` is set.
    Flush { sync: bool, ack: Ack },
    /// Reopen the destination, then report how that went.
    Reopen(Sender<Result<(), Error>>),
    /// Acknowledge `true` and stop.
    Shutdown(Sender<bool>),
}

impl Control {
    /// Answers a request the writer gives up on (shutdown deadline passed).
    pub(crate) fn abandon(self) {
        // Each requester may have stopped waiting; a failed send is fine.
        match self {
            Control::Flush { ack, .. } => ack.answer(false),
            Control::Reopen(ack) => {
                let _ = ack.send(Err(Error::timeout("reopen")));
            }
            Control::Shutdown(ack) => {
                let _ = ack.send(false);
            }
        }
    }
}

/// The answer to a flush: called exactly once, with `true` when every
/// record sent before the request is written (and synced, if asked), with
/// `false` when the writer gave up on them. A request dropped unanswered
/// (its writer gone) answers `false` as it goes.
pub(crate) struct Ack(Option<Box<dyn FnOnce(bool) + Send>>);

impl Ack {
    pub(crate) fn new(answer: impl FnOnce(bool) + Send + 'static) -> Ack {
        Ack(Some(Box::new(answer)))
    }

    pub(crate) fn answer(mut self, done: bool) {
        if let Some(answer) = self.0.take() {
            answer(done);
        }
    }

    /// Takes the answer back unanswered: the request never reached the queue.
    pub(crate) fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for Ack {
    fn drop(&mut self) {
        if let Some(answer) = self.0.take() {
            answer(false);
        }
    }
}
