//! The queue between senders and the writer thread: a bounded crossbeam
//! channel of messages (`message.rs`), kept to `max_queue` records by a
//! record budget (`budget.rs`), and the thread's wake-up.
//!
//! The writer thread never blocks inside the channel: it parks its thread,
//! and senders unpark it, so a sender may queue records *without* waking
//! it (`Wake::Later`) and leave the wake-up to a later `ring`. Why, and
//! when the thread is woken all the same: ARCHITECTURE.md, "Hand-over and
//! wake".

use std::sync::{Arc, OnceLock};
use std::thread::{self, Thread};
use std::time::Instant;

use crossbeam_channel::{Receiver, Sender, TryRecvError};

use crate::budget::RecordBudget;
use crate::error::Error;
use crate::message::Msg;

/// Slots the channel keeps beyond `max_queue` so that `Flush`, `Reopen` and
/// `Shutdown` get in even while records fill the budget.
const CONTROL_SLOTS: usize = 16;

/// When a sender wakes the writer thread for the records it queues.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wake {
    /// At once.
    Now,
    /// Later: the sender calls [`Writer::wake`](crate::Writer::wake) soon
    /// (an event loop, at the end of its turn). The thread is still woken
    /// at once when the queue holds four batches (`4 × batch_size` records,
    /// at most half of `max_queue`) or a `Block` sender finds no room.
    Later,
}

/// Records queued that wake the writer thread even for `Wake::Later`.
pub(crate) fn wake_at(max_queue: usize, batch_size: usize) -> u64 {
    let four_batches = batch_size.saturating_mul(4);
    four_batches.min(max_queue / 2).max(1) as u64
}

/// Unparks the writer thread; dropped with the `QueueSender`, after its
/// channel end, so the thread then finds the channel disconnected.
struct Ringer(OnceLock<Thread>);

impl Ringer {
    fn ring(&self) {
        // Unparking a thread that is not parked only leaves it a token (on
        // Linux one atomic, no system call).
        if let Some(thread) = self.0.get() {
            thread.unpark();
        }
    }
}

impl Drop for Ringer {
    fn drop(&mut self) {
        self.ring();
    }
}

/// Builds a queue admitting `max_queue` records; senders queuing with
/// `Wake::Later` wake the thread themselves from `wake_at` records on.
pub(crate) fn queue(max_queue: usize, wake_at: u64) -> (QueueSender, QueueReceiver) {
    // Every queued message holds at least one record of the budget, so
    // records never need more than `max_queue` slots.
    let (tx, rx) = crossbeam_channel::bounded(max_queue + CONTROL_SLOTS);
    let (rescued_tx, rescued_rx) = crossbeam_channel::unbounded();
    let budget = Arc::new(RecordBudget::new(max_queue as u64));
    let sender = QueueSender {
        tx,
        oldest: rx.clone(),
        rescued: rescued_tx,
        budget: budget.clone(),
        wake_at,
        ringer: Ringer(OnceLock::new()),
    };
    let receiver = QueueReceiver {
        rx,
        rescued: rescued_rx,
        budget,
        held: None,
    };
    (sender, receiver)
}

/// The senders' end.
pub(crate) struct QueueSender {
    tx: Sender<Msg>,
    /// A receiver clone through which `DropOldest` discards the oldest message.
    oldest: Receiver<Msg>,
    /// Control messages `DropOldest` popped by accident, handed to the worker
    /// out of band (it reads them first) because they must not be lost.
    rescued: Sender<Msg>,
    budget: Arc<RecordBudget>,
    wake_at: u64,
    /// Last, so that it rings after `tx` is dropped.
    ringer: Ringer,
}

/// What `pop_oldest` found at the head of the queue.
pub(crate) enum Popped {
    /// A records message, discarded: this many records were dropped.
    Records(u64),
    /// A control message, passed to the worker; nothing dropped.
    Control,
    /// The worker took everything already.
    Empty,
}

impl QueueSender {
    pub(crate) fn budget(&self) -> &RecordBudget {
        &self.budget
    }

    /// Names the thread that receives; until then, nothing is woken.
    pub(crate) fn set_receiver_thread(&self, thread: Thread) {
        let _ = self.ringer.0.set(thread);
    }

    /// Wakes the writer thread (cheap when it is not asleep).
    pub(crate) fn ring(&self) {
        self.ringer.ring();
    }

    /// Queues records whose places were taken from the budget. Blocks only
    /// in the corner where more than `CONTROL_SLOTS` control messages wait.
    pub(crate) fn push_records(&self, bytes: Vec<u8>, count: u64, wake: Wake) -> Result<(), Error> {
        let pushed = self.tx.send(Msg::Records { bytes, count });
        if wake == Wake::Now || self.budget.queued() >= self.wake_at {
            self.ring();
        }
        pushed.map_err(|_| Error::closed())
    }

    /// Queues a control message, waiting for a slot until `deadline`; a
    /// message that found none comes back.
    pub(crate) fn push_control(&self, msg: Msg, deadline: Instant) -> Result<(), Msg> {
        let pushed = self.tx.send_deadline(msg, deadline);
        self.ring();
        pushed.map_err(|err| err.into_inner())
    }

    /// Queues a message no record of the budget pays for (a line break
    /// that repairs a line the previous writer left torn).
    pub(crate) fn push_unbudgeted(&self, bytes: Vec<u8>) {
        let _ = self.tx.try_send(Msg::Records { bytes, count: 0 });
    }

    /// Takes the oldest queued message away from the worker.
    pub(crate) fn pop_oldest(&self) -> Popped {
        match self.oldest.try_recv() {
            Ok(Msg::Records { count, .. }) => {
                self.budget.give_back(count);
                Popped::Records(count)
            }
            Ok(control @ Msg::Control(_)) => {
                // The worker holds the other end for as long as this sender
                // lives, so the send cannot fail.
                let _ = self.rescued.send(control);
                self.ring();
                Popped::Control
            }
            Err(TryRecvError::Empty | TryRecvError::Disconnected) => Popped::Empty,
        }
    }
}

/// What the worker got from the queue.
pub(crate) enum Received {
    Msg(Msg),
    /// The deadline passed with the queue empty.
    Timeout,
    /// Every sender is gone and the queue is empty.
    Disconnected,
}

/// The writer thread's end.
pub(crate) struct QueueReceiver {
    rx: Receiver<Msg>,
    rescued: Receiver<Msg>,
    budget: Arc<RecordBudget>,
    /// A message received while a rescued (older) control message was
    /// waiting; delivered right after it.
    held: Option<Msg>,
}

impl QueueReceiver {
    /// Wakes every sender waiting for room, so it re-checks its conditions.
    pub(crate) fn wake_senders(&self) {
        self.budget.wake_all();
    }

    /// The next message in send order, waiting until `deadline` (forever if
    /// `None`). Taking records gives their places back to the budget.
    ///
    /// Waits parked: senders unpark this thread (`QueueSender::ring`). A
    /// wake-up that comes between the look at the channel and the park
    /// leaves a token, so the park returns at once and nothing is missed.
    pub(crate) fn recv(&mut self, deadline: Option<Instant>) -> Received {
        if let Ok(rescued) = self.rescued.try_recv() {
            return Received::Msg(rescued);
        }
        if let Some(held) = self.held.take() {
            return Received::Msg(held);
        }
        let msg = loop {
            match self.rx.try_recv() {
                Ok(msg) => break msg,
                Err(TryRecvError::Disconnected) => return Received::Disconnected,
                Err(TryRecvError::Empty) => {}
            }
            match deadline {
                None => thread::park(),
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        return Received::Timeout;
                    }
                    thread::park_timeout(deadline - now);
                }
            }
            // `DropOldest` may have taken a control message off the channel
            // meanwhile, and rung for it.
            if let Ok(rescued) = self.rescued.try_recv() {
                return Received::Msg(rescued);
            }
        };
        if let Msg::Records { count, .. } = msg {
            self.budget.give_back(count);
        }
        // A control message rescued meanwhile was queued before `msg`.
        match self.rescued.try_recv() {
            Ok(rescued) => {
                self.held = Some(msg);
                Received::Msg(rescued)
            }
            Err(_) => Received::Msg(msg),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deadline::deadline_after;
    use crate::message::{Ack, Control};
    use std::time::Duration;

    fn received_kind(received: Received) -> &'static str {
        match received {
            Received::Msg(Msg::Records { .. }) => "records",
            Received::Msg(Msg::Control(_)) => "control",
            Received::Timeout => "timeout",
            Received::Disconnected => "disconnected",
        }
    }

    #[test]
    fn a_control_message_popped_by_drop_oldest_still_reaches_the_worker_before_later_records() {
        let (sender, mut receiver) = queue(4, 1);
        let ack = Ack::new(|_| {});
        assert!(
            sender
                .push_control(
                    Msg::Control(Control::Flush { sync: false, ack }),
                    deadline_after(Duration::from_secs(1))
                )
                .is_ok()
        );
        assert!(sender.budget().try_take(1));
        sender.push_records(b"a\n".to_vec(), 1, Wake::Now).unwrap();
        assert!(matches!(sender.pop_oldest(), Popped::Control));
        let now = Some(Instant::now());
        let order = [(); 3].map(|()| received_kind(receiver.recv(now)));
        assert_eq!(order, ["control", "records", "timeout"]);
    }

    #[test]
    fn pop_oldest_discards_a_whole_coalesced_message_and_returns_its_places() {
        let (sender, _receiver) = queue(4, 1);
        assert!(sender.budget().try_take(3));
        sender
            .push_records(b"a\nb\nc\n".to_vec(), 3, Wake::Now)
            .unwrap();
        assert!(matches!(sender.pop_oldest(), Popped::Records(3)));
        assert!(matches!(sender.pop_oldest(), Popped::Empty));
        assert!(sender.budget().try_take(4));
    }
}
