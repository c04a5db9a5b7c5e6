//! Size rotation of a [`FileSink`]: how many of the offered bytes still
//! belong in the current file, and the switch to a fresh one.
//!
//! The writer's batch loop already resumes after a short write, so this sink
//! only ever accepts a prefix that ends a line: the loop offers the rest
//! again, and by then the file is full, so it rotates first. Rotation never
//! needs to know where messages begin or end.

use std::collections::VecDeque;
use std::fs;
use std::io::{self, IoSlice};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::SeqCst};
use std::time::{Duration, Instant};

use super::gzip::Gzip;
use super::names::numbered;
use super::{FileSink, Sink};
use crate::config::Rotation;
use crate::error::Error;

/// How long a failed rotation waits before it is tried again; meanwhile
/// lines go on into the current file. Without a pause a refused rename
/// would be retried, and reported, at every write.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// The names a rotated file can have in its slot.
const SLOT_SUFFIXES: [&str; 2] = ["", ".gz"];

/// A file that is renamed to `<path>.1` and replaced by a fresh one before
/// a line would take it past `Rotation::size`. See [`Rotation`].
pub(crate) struct RotatingFileSink {
    file: FileSink,
    rotation: Rotation,
    /// Bytes in the current file: its size at open, plus what this sink wrote.
    len: u64,
    /// Whether the current file ends with a whole line. A line begun in a
    /// file (before a short write) is finished in it.
    at_line_start: bool,
    /// After a failed rotation: no new try before this instant.
    retry_at: Option<Instant>,
    /// The compression of `<path>.1` under way.
    gzip: Option<Gzip>,
    faults: VecDeque<Error>,
    /// Sequence lock of file switches; see `Writer::rotation_seq`.
    switches: Arc<AtomicU64>,
}

impl RotatingFileSink {
    /// Rotates `file` by `rotation`, or leaves it as it is when it is not a
    /// regular file (a FIFO or a device has no size to rotate by).
    ///
    /// # Errors
    ///
    /// `LOGXPY_ERR_OPEN` if the file's size cannot be read.
    pub(crate) fn wrap(
        file: FileSink,
        rotation: Rotation,
        switches: Arc<AtomicU64>,
    ) -> Result<Box<dyn Sink>, Error> {
        let meta = file
            .file
            .metadata()
            .map_err(|err| Error::open(&file.path, &err))?;
        if !meta.is_file() {
            return Ok(Box::new(file));
        }
        Ok(Box::new(RotatingFileSink {
            file,
            rotation,
            len: meta.len(),
            at_line_start: true,
            retry_at: None,
            gzip: None,
            faults: VecDeque::new(),
            switches,
        }))
    }

    /// How many of the `total` bytes offered to write into the current
    /// file, rotating first when not one more line fits.
    fn bytes_for_this_file(&mut self, bufs: &[IoSlice<'_>], total: usize) -> usize {
        let room = self.rotation.size.saturating_sub(self.len);
        let fit = whole_lines_within(bufs, total, room);
        if fit > 0 || total == 0 {
            return fit;
        }
        // A line begun in this file ends in it; a line longer than `size`
        // gets a file of its own.
        if !self.at_line_start || self.len == 0 {
            return first_line(bufs, total);
        }
        if self.retry_at.is_some_and(|at| Instant::now() < at) {
            return total;
        }
        match self.rotate() {
            Ok(()) => match whole_lines_within(bufs, total, self.rotation.size) {
                0 => first_line(bufs, total),
                fit => fit,
            },
            Err(err) => {
                self.faults.push_back(err);
                self.retry_at = Some(Instant::now() + RETRY_AFTER);
                total
            }
        }
    }

    fn rotate(&mut self) -> Result<(), Error> {
        let _switching = Switching::begin(&self.switches);
        // The compression of the previous `.1` reads a name about to shift.
        self.finish_gzip(None);
        let path = self.file.path.clone();
        shift(&path, self.rotation.keep)?;
        let first = numbered(&path, 1, "");
        fs::rename(&path, &first).map_err(|err| {
            let what = format!("cannot rename {} to {}", path.display(), first.display());
            Error::rotate(&what, &err)
        })?;
        if let Err(err) = self.file.reopen() {
            // Give the open file its name back, so the path and the lines
            // going on into that file agree again.
            let _ = fs::rename(&first, &path);
            let what = format!("cannot create a new {}", path.display());
            return Err(Error::rotate(&what, &err));
        }
        self.len = 0;
        self.at_line_start = true;
        self.retry_at = None;
        if self.rotation.compress {
            match Gzip::start(first, self.file.mode) {
                Ok(gzip) => self.gzip = Some(gzip),
                Err(err) => self.faults.push_back(err),
            }
        }
        Ok(())
    }

    /// Collects the compression under way once it is over, waiting up to
    /// `timeout` (`None`: as long as it takes); `true` when none is left.
    fn finish_gzip(&mut self, timeout: Option<Duration>) -> bool {
        let Some(gzip) = &self.gzip else {
            return true;
        };
        let Some(outcome) = gzip.wait(timeout) else {
            return false;
        };
        self.gzip = None;
        if let Err(err) = outcome {
            self.faults.push_back(err);
        }
        true
    }
}

impl Sink for RotatingFileSink {
    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        let total = bufs.iter().map(|buf| buf.len()).sum();
        let take = self.bytes_for_this_file(bufs, total);
        let written = if take == total {
            self.file.write_vectored(bufs)?
        } else {
            self.file.write_vectored(&prefix(bufs, take))?
        };
        if written > 0 {
            self.len += written as u64;
            self.at_line_start = byte_at(bufs, written - 1) == b'\n';
        }
        Ok(written)
    }

    fn wait_writable(&mut self, timeout: Duration) -> io::Result<bool> {
        self.file.wait_writable(timeout)
    }

    /// Reopens the path (someone else rotated the file) and measures the
    /// file found there. A rotation held back after a failure is tried
    /// again at the next write: a reopen is how a fixed cause is announced.
    fn reopen(&mut self) -> io::Result<()> {
        self.file.reopen()?;
        self.len = self.file.file.metadata().map_or(0, |meta| meta.len());
        self.at_line_start = true;
        self.retry_at = None;
        Ok(())
    }

    fn sync_data(&mut self) -> io::Result<()> {
        self.file.sync_data()
    }

    fn take_fault(&mut self) -> Option<Error> {
        self.faults.pop_front()
    }

    fn settle(&mut self, timeout: Duration) -> bool {
        self.finish_gzip(Some(timeout))
    }
}

/// Keeps the switch counter odd while the files change names, even after a
/// panic in between.
struct Switching(Arc<AtomicU64>);

impl Switching {
    fn begin(switches: &Arc<AtomicU64>) -> Switching {
        switches.fetch_add(1, SeqCst);
        Switching(Arc::clone(switches))
    }
}

impl Drop for Switching {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}

/// Frees slot 1: moves `<path>.1`… (plain or `.gz`) up one number, deleting
/// what is in slot `keep`. Only the unbroken run of slots from 1 moves; a
/// file above a gap is older than all of them and stays where it is until
/// the run reaches it.
fn shift(path: &Path, keep: u32) -> Result<(), Error> {
    let taken = |n| {
        SLOT_SUFFIXES
            .iter()
            .any(|suffix| fs::symlink_metadata(numbered(path, n, suffix)).is_ok())
    };
    let mut top = 0;
    while top < keep && taken(top + 1) {
        top += 1;
    }
    if top == keep {
        for suffix in SLOT_SUFFIXES {
            let oldest = numbered(path, keep, suffix);
            absent_is_fine(fs::remove_file(&oldest)).map_err(|err| {
                Error::rotate(&format!("cannot delete {}", oldest.display()), &err)
            })?;
        }
        top -= 1;
    }
    for n in (1..=top).rev() {
        for suffix in SLOT_SUFFIXES {
            let (from, to) = (numbered(path, n, suffix), numbered(path, n + 1, suffix));
            absent_is_fine(fs::rename(&from, &to)).map_err(|err| {
                let what = format!("cannot rename {} to {}", from.display(), to.display());
                Error::rotate(&what, &err)
            })?;
        }
    }
    Ok(())
}

fn absent_is_fine(result: io::Result<()>) -> io::Result<()> {
    match result {
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

/// The longest prefix of the `total` offered bytes that fits in `room` and
/// ends a line (or ends the offer); 0 if there is none.
fn whole_lines_within(bufs: &[IoSlice<'_>], total: usize, room: u64) -> usize {
    if total as u64 <= room {
        return total;
    }
    // `room` < `total`, so it fits in a usize.
    let room = room as usize;
    // Find the slice the limit falls in, then walk back from the limit: the
    // first newline met ends the prefix.
    let (mut i, mut start) = (0, 0);
    while start + bufs[i].len() < room {
        start += bufs[i].len();
        i += 1;
    }
    let mut limit = room - start;
    loop {
        if let Some(at) = bufs[i][..limit].iter().rposition(|&b| b == b'\n') {
            return start + at + 1;
        }
        if i == 0 {
            return 0;
        }
        i -= 1;
        limit = bufs[i].len();
        start -= limit;
    }
}

/// The end of the first line offered (or of the offer, if it has no newline).
fn first_line(bufs: &[IoSlice<'_>], total: usize) -> usize {
    let mut start = 0;
    for buf in bufs {
        if let Some(i) = buf.iter().position(|&b| b == b'\n') {
            return start + i + 1;
        }
        start += buf.len();
    }
    total
}

/// The first `take` bytes of `bufs`, as slices.
fn prefix<'a>(bufs: &'a [IoSlice<'a>], mut take: usize) -> Vec<IoSlice<'a>> {
    let mut out = Vec::new();
    for buf in bufs {
        if take == 0 {
            break;
        }
        let n = buf.len().min(take);
        out.push(IoSlice::new(&buf[..n]));
        take -= n;
    }
    out
}

/// The byte at offset `at` of the offered bytes.
fn byte_at(bufs: &[IoSlice<'_>], mut at: usize) -> u8 {
    for buf in bufs {
        if at < buf.len() {
            return buf[at];
        }
        at -= buf.len();
    }
    unreachable!("a sink cannot accept more bytes than it was offered")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offer(parts: &[&'static str]) -> Vec<IoSlice<'static>> {
        parts.iter().map(|p| IoSlice::new(p.as_bytes())).collect()
    }

    #[test]
    fn whole_lines_stop_at_the_last_newline_that_fits() {
        let bufs = offer(&["aa\nbb\n", "cc\n"]);
        assert_eq!(whole_lines_within(&bufs, 9, 100), 9);
        assert_eq!(whole_lines_within(&bufs, 9, 8), 6);
        assert_eq!(whole_lines_within(&bufs, 9, 6), 6);
        assert_eq!(whole_lines_within(&bufs, 9, 5), 3);
        assert_eq!(whole_lines_within(&bufs, 9, 2), 0);
    }

    #[test]
    fn the_first_line_ends_at_its_newline_even_across_slices() {
        assert_eq!(first_line(&offer(&["aa", "b\ncc\n"]), 7), 4);
        assert_eq!(first_line(&offer(&["no newline"]), 10), 10);
    }

    #[test]
    fn a_prefix_cuts_the_slice_it_ends_in() {
        let bufs = offer(&["aa\n", "bb\n"]);
        let cut = prefix(&bufs, 4);
        assert_eq!(cut.iter().map(|s| s.len()).collect::<Vec<_>>(), [3, 1]);
        assert_eq!(byte_at(&bufs, 5), b'\n');
    }
}
