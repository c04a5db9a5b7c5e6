//! A batch of messages and the loop that writes it whole: `writev` over at
//! most `IOV_MAX` slices per call, advancing across short writes, retrying
//! `EINTR`, waiting in `poll` on `EAGAIN`.

use std::io::{self, IoSlice};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::health::FailingSince;
use crate::metrics::Counters;
use crate::sink::Sink;

/// Slices per `writev`: POSIX lets `IOV_MAX` be as low as 16, but Linux and
/// macOS both allow 1024, and `writev` fails with `EINVAL` above it.
pub(crate) const IOV_MAX: usize = 1024;

/// Longest single `poll` while a non-blocking destination is full, so a
/// shutdown deadline set meanwhile is noticed within this time.
const POLL_SLICE: Duration = Duration::from_millis(100);

/// Where `Batch::write_to` keeps a stall: a destination that takes no byte.
pub(crate) struct Stall<'a> {
    /// Since when no byte was taken (`WriterState::stalled`).
    pub(crate) since: &'a FailingSince,
    /// Called when a stall begins: `Block` senders waiting without a
    /// timeout must start watching the clock.
    pub(crate) began: &'a dyn Fn(),
}

/// Why a batch could not be written.
pub(crate) enum WriteFailure {
    /// The sink failed; the unwritten part stays in the batch for a retry.
    Io(io::Error),
    /// The shutdown deadline passed while the sink was not accepting bytes.
    Abandoned,
}

struct Entry {
    bytes: Vec<u8>,
    count: u64,
    /// Lines of this entry already written whole (and counted).
    lines_done: u64,
}

impl Entry {
    fn lines_left(&self) -> u64 {
        self.count - self.lines_done
    }
}

/// Messages taken from the queue, in order, with a cursor of how far they
/// are written. Every line is counted in `Metrics::written` as soon as its
/// last byte is written, even when a short write stopped inside its entry,
/// so whatever is abandoned can be counted as dropped exactly.
#[derive(Default)]
pub(crate) struct Batch {
    entries: Vec<Entry>,
    /// Entries before this index are wholly written.
    done: usize,
    /// Bytes of `entries[done]` already written.
    offset: usize,
    records: u64,
}

impl Batch {
    pub(crate) fn push(&mut self, bytes: Vec<u8>, count: u64) {
        self.records += count;
        self.entries.push(Entry {
            bytes,
            count,
            lines_done: 0,
        });
    }

    /// Records in the batch, written or not.
    pub(crate) fn records(&self) -> u64 {
        self.records
    }

    /// How far the batch is written: compare two to tell whether bytes went
    /// through in between.
    pub(crate) fn progress(&self) -> (usize, usize) {
        (self.done, self.offset)
    }

    /// Writes every unwritten byte to `sink`. On failure the cursor keeps the
    /// progress made, so calling again continues without duplicating bytes.
    pub(crate) fn write_to(
        &mut self,
        sink: &mut dyn Sink,
        counters: &Counters,
        abandon_at: &OnceLock<Instant>,
        stall: &Stall<'_>,
    ) -> Result<(), WriteFailure> {
        while self.done < self.entries.len() {
            let (offered, result) = {
                let slices = self.unwritten_slices();
                let offered: usize = slices.iter().map(|slice| slice.len()).sum();
                let result = if offered == 0 {
                    Ok(0)
                } else {
                    sink.write_vectored(&slices)
                };
                (offered, result)
            };
            match result {
                Ok(0) if offered > 0 => {
                    return Err(WriteFailure::Io(io::ErrorKind::WriteZero.into()));
                }
                Ok(written) => {
                    if written > 0 {
                        stall.since.recover();
                    }
                    self.advance(written, counters);
                }
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
                    if stall.since.fail() {
                        (stall.began)();
                    }
                    wait_writable(sink, abandon_at)?
                }
                Err(err) => return Err(WriteFailure::Io(err)),
            }
        }
        self.clear();
        Ok(())
    }

    /// Gives up on what is not written: counted as dropped, then cleared.
    /// Returns `true` when the destination was left inside a line (a short
    /// write stopped in its middle), which the next writer must not extend.
    pub(crate) fn abandon(&mut self, counters: &Counters) -> bool {
        let unwritten: u64 = self.entries[self.done..]
            .iter()
            .map(Entry::lines_left)
            .sum();
        counters.add_dropped(unwritten);
        let torn = self.entries.get(self.done).is_some_and(|entry| {
            let mid_line = self.offset > 0 && entry.bytes[self.offset - 1] != b'\n';
            // An unwritten repair (a line break no record paid for) leaves
            // the earlier writer's torn line as torn as it was.
            mid_line || entry.count == 0
        });
        self.clear();
        torn
    }

    /// Empties the batch, keeping the allocation for the next one.
    fn clear(&mut self) {
        self.entries.clear();
        self.done = 0;
        self.offset = 0;
        self.records = 0;
    }

    fn unwritten_slices(&self) -> Vec<IoSlice<'_>> {
        let rest = &self.entries[self.done..];
        let mut slices = Vec::with_capacity(rest.len().min(IOV_MAX));
        slices.extend(rest.iter().take(IOV_MAX).enumerate().map(|(i, entry)| {
            let skip = if i == 0 { self.offset } else { 0 };
            IoSlice::new(&entry.bytes[skip..])
        }));
        slices
    }

    /// Moves the cursor `written` bytes on, completing entries as it passes
    /// their ends (empty entries complete at once).
    fn advance(&mut self, mut written: usize, counters: &Counters) {
        while let Some(entry) = self.entries.get_mut(self.done) {
            let rest = entry.bytes.len() - self.offset;
            if written < rest {
                let part = &entry.bytes[self.offset..self.offset + written];
                let whole = part.iter().filter(|&&b| b == b'\n').count() as u64;
                let whole = whole.min(entry.lines_left());
                entry.lines_done += whole;
                counters.add_written(whole);
                self.offset += written;
                return;
            }
            written -= rest;
            counters.add_written(entry.lines_left());
            self.done += 1;
            self.offset = 0;
        }
    }
}

/// Waits in `poll` slices until the sink is writable or the abandon
/// deadline passes; never spins.
fn wait_writable(sink: &mut dyn Sink, abandon_at: &OnceLock<Instant>) -> Result<(), WriteFailure> {
    loop {
        let slice = match abandon_at.get() {
            None => POLL_SLICE,
            Some(&at) => match at.checked_duration_since(Instant::now()) {
                Some(left) if !left.is_zero() => left.min(POLL_SLICE),
                _ => return Err(WriteFailure::Abandoned),
            },
        };
        if sink.wait_writable(slice).map_err(WriteFailure::Io)? {
            return Ok(());
        }
    }
}
