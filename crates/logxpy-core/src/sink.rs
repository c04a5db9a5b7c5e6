//! Destinations: the `Sink` trait, a file opened by path, and (on Unix) a
//! borrowed fd. The OS calls live in `unix.rs` and `windows.rs`; size
//! rotation of a file in `rotating.rs`, and its compression in `gzip.rs`.

use std::fs::File;
use std::io::{self, IoSlice, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::Error;

mod gzip;
mod names;
mod rotating;
#[cfg(unix)]
mod unix;
#[cfg(windows)]
mod windows;

pub(crate) use rotating::RotatingFileSink;
#[cfg(unix)]
pub use unix::FdSink;
#[cfg(unix)]
use unix::open_append;
#[cfg(windows)]
use windows::open_append;

/// Where a writer's bytes go. The writer thread owns its sink, so a sink
/// needs to be `Send` but not `Sync`.
///
/// The writer calls `write_vectored` until a batch is written, advancing
/// across slices itself; so a failure after partial progress resumes where
/// it stopped instead of writing bytes twice.
///
/// ```
/// use std::io::{self, IoSlice};
/// use logxpy_core::Sink;
///
/// /// Keeps everything in memory.
/// struct Memory(Vec<u8>);
///
/// impl Sink for Memory {
///     fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
///         let before = self.0.len();
///         bufs.iter().for_each(|b| self.0.extend_from_slice(b));
///         Ok(self.0.len() - before)
///     }
/// }
/// ```
pub trait Sink: Send {
    /// One write attempt of at most `IOV_MAX` slices (one `writev` on
    /// Unix); returns the bytes accepted, which may be fewer than offered.
    ///
    /// # Errors
    ///
    /// `Interrupted` is retried at once; `WouldBlock` makes the writer call
    /// `wait_writable`; anything else is counted, reported and retried
    /// with backoff.
    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize>;

    /// After `WouldBlock`: waits up to `timeout` for the sink to accept
    /// bytes; `Ok(false)` if it did not become writable in that time.
    ///
    /// # Errors
    ///
    /// Treated like a failed write.
    fn wait_writable(&mut self, _timeout: Duration) -> io::Result<bool> {
        Ok(true)
    }

    /// Reopens the destination (after logrotate moved it). The default, for
    /// sinks with nothing to reopen, does nothing.
    ///
    /// # Errors
    ///
    /// Returned to the `Writer::reopen` caller as `LOGXPY_ERR_OPEN`.
    fn reopen(&mut self) -> io::Result<()> {
        Ok(())
    }

    /// Makes what was written durable (`fdatasync`), for a flush that asks
    /// for it. The default, for destinations with nothing to sync (a pipe,
    /// a terminal), does nothing.
    ///
    /// # Errors
    ///
    /// Counted and reported like a failed write; the flush answers `false`.
    fn sync_data(&mut self) -> io::Result<()> {
        Ok(())
    }

    /// A failure the sink worked around without failing a write: a
    /// rotation that could not be done, a rotated file that could not be
    /// compressed. The writer takes these after each write attempt and
    /// before it acknowledges a flush, counts each in `Metrics::errors` and
    /// reports it through `Hooks::on_error`. The default has none.
    fn take_fault(&mut self) -> Option<Error> {
        None
    }

    /// After a failed write: the least time the destination asked to be
    /// left alone (an HTTP `Retry-After`). The writer waits the longer of
    /// this and its own backoff. The default asks nothing.
    fn retry_after(&mut self) -> Option<Duration> {
        None
    }

    /// Records the destination took but refused for good (a collector's
    /// 400, or the rejected part of a partial success), since the last
    /// call: the writer moves them from `Metrics::written` to
    /// `Metrics::dropped`. The sink reports why through
    /// [`take_fault`](Sink::take_fault). The default refuses none.
    fn take_rejected(&mut self) -> u64 {
        0
    }

    /// Waits up to `timeout` for work the sink does in the background
    /// (compressing a rotated file); `true` once none is left. The writer
    /// calls it before acknowledging a flush or a shutdown. The default has
    /// no such work.
    fn settle(&mut self, _timeout: Duration) -> bool {
        true
    }
}

/// Opens a log file by path (see [`FileSink`]). One kept rather than
/// truncated that was left ending in half a line (a process killed, or a
/// disk that filled, in the middle of a write) gets a newline before
/// anything is appended: the fragment stays one bad line, and the first new
/// record is whole instead of glued onto it.
fn open_log(path: &Path, truncate: bool, mode: u32) -> io::Result<File> {
    let mut file = open_append(path, truncate, mode)?;
    if !truncate {
        end_torn_line(path, &mut file);
    }
    Ok(file)
}

/// Best effort: a file that cannot be read back (write-only permissions)
/// is appended to as it is. Another process appending to the file may be
/// in the middle of a write this sees half of (the kernel copies a write
/// page by page, and the size grows as it goes). An empty write waits for a
/// write under way to finish (on Linux's local file systems it takes the
/// same inode lock); a file that still ends at the same half line after it,
/// and again a moment later, was torn, not being written. See
/// ARCHITECTURE.md, "Torn lines".
fn end_torn_line(path: &Path, file: &mut File) {
    let torn = || -> io::Result<bool> {
        let meta = file.metadata()?;
        if !meta.is_file() || meta.len() == 0 {
            return Ok(false);
        }
        let size = meta.len();
        // The log file is opened for appending only; its last byte is read through a second handle.
        let mut reader = File::open(path)?;
        let mut torn_at = |file: &File| -> io::Result<bool> {
            if file.metadata()?.len() != size {
                return Ok(false);
            }
            let mut last = [0u8; 1];
            reader.seek(SeekFrom::Start(size - 1))?;
            reader.read_exact(&mut last)?;
            Ok(last[0] != b'\n')
        };
        if !torn_at(file)? {
            return Ok(false);
        }
        // `write_all` would skip an empty buffer; the system call is the point.
        #[allow(clippy::unused_io_amount)]
        (&*file).write(&[])?;
        if !torn_at(file)? {
            return Ok(false);
        }
        std::thread::sleep(TORN_RECHECK);
        torn_at(file)
    };
    if torn().unwrap_or(false) {
        let _ = file.write_all(b"\n");
    }
}

/// How long an opener waits to tell a torn last line from another
/// process's write under way.
const TORN_RECHECK: Duration = Duration::from_millis(5);

/// A file opened by path for appending: `O_WRONLY | O_CREAT | O_APPEND |
/// O_CLOEXEC` on Unix, append-only access (`FILE_APPEND_DATA`) on Windows.
/// `mode` applies to a file this creates on Unix; Windows has no permission
/// bits, so there it is ignored and the file inherits its directory's ACL.
///
/// ```no_run
/// use logxpy_core::FileSink;
///
/// let sink = FileSink::open("app.log".as_ref(), false, 0o640)?;
/// # Ok::<(), logxpy_core::Error>(())
/// ```
pub struct FileSink {
    file: File,
    path: PathBuf,
    mode: u32,
    regular: bool,
}

impl FileSink {
    /// `fdatasync` of a regular file; other kinds of file (a FIFO, a
    /// device) have nothing on disk to sync.
    fn sync_file(&self) -> io::Result<()> {
        if self.file.metadata()?.is_file() {
            self.file.sync_data()
        } else {
            Ok(())
        }
    }
}

impl FileSink {
    /// Opens `path`, truncating it first unless `append` (truncation happens
    /// here only, never on reopen).
    ///
    /// # Errors
    ///
    /// `LOGXPY_ERR_OPEN` with the errno name (`ENOENT`, `EACCES`, `EISDIR`...).
    pub fn open(path: &Path, append: bool, mode: u32) -> Result<FileSink, Error> {
        let file = open_log(path, !append, mode).map_err(|err| Error::open(path, &err))?;
        let regular = file.metadata().is_ok_and(|m| m.is_file());
        Ok(FileSink {
            file,
            path: path.to_owned(),
            mode,
            regular,
        })
    }

    /// Whether it is a regular file (not a FIFO or a device), whose torn
    /// last line `open` has already ended.
    pub fn is_regular(&self) -> bool {
        self.regular
    }
}
