//! Destinations: the `Sink` trait, a file opened by path, and a borrowed fd.

use std::fs::{File, OpenOptions};
use std::io::{self, IoSlice};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::Error;

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
    /// One write attempt of at most `IOV_MAX` slices (one `writev`); returns
    /// the bytes accepted, which may be fewer than offered.
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
}

/// A file opened by path with `O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC`.
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
}

impl FileSink {
    /// Opens `path`, truncating it first unless `append` (truncation happens
    /// here only, never on reopen).
    ///
    /// # Errors
    ///
    /// `LOGXPY_ERR_OPEN` with the errno name (`ENOENT`, `EACCES`, `EISDIR`...).
    pub fn open(path: &Path, append: bool, mode: u32) -> Result<FileSink, Error> {
        let file = open_append(path, !append, mode).map_err(|err| Error::open(path, &err))?;
        Ok(FileSink {
            file,
            path: path.to_owned(),
            mode,
        })
    }
}

fn open_append(path: &Path, truncate: bool, mode: u32) -> io::Result<File> {
    // std adds O_CLOEXEC to every open, and refuses `.truncate(true)` with
    // `.append(true)`, hence the raw flag.
    let mut options = OpenOptions::new();
    options.append(true).create(true).mode(mode);
    if truncate {
        options.custom_flags(libc::O_TRUNC);
    }
    options.open(path)
}

impl Sink for FileSink {
    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        writev(self.file.as_raw_fd(), bufs)
    }

    fn wait_writable(&mut self, timeout: Duration) -> io::Result<bool> {
        poll_writable(self.file.as_raw_fd(), timeout)
    }

    /// Opens the path again and swaps the files; on failure the old file
    /// stays in use.
    fn reopen(&mut self) -> io::Result<()> {
        self.file = open_append(&self.path, false, self.mode)?;
        Ok(())
    }
}

/// A file descriptor the writer borrows (stdout, a pipe, a FIFO): never
/// closed by the writer, never reopened.
///
/// ```
/// use logxpy_core::FdSink;
///
/// let stdout = FdSink::new(1);
/// # drop(stdout);
/// ```
pub struct FdSink {
    fd: RawFd,
}

impl FdSink {
    /// Borrows `fd`, which must stay open for the writer's lifetime.
    pub fn new(fd: RawFd) -> FdSink {
        FdSink { fd }
    }
}

impl Sink for FdSink {
    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        writev(self.fd, bufs)
    }

    fn wait_writable(&mut self, timeout: Duration) -> io::Result<bool> {
        poll_writable(self.fd, timeout)
    }
}

fn writev(fd: RawFd, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
    let count = libc::c_int::try_from(bufs.len()).unwrap_or(libc::c_int::MAX);
    // SAFETY: `IoSlice` is ABI-compatible with `struct iovec` on Unix, and
    // `count` slices are valid for reads for the duration of the call.
    let written = unsafe { libc::writev(fd, bufs.as_ptr().cast::<libc::iovec>(), count) };
    if written < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(written.unsigned_abs())
    }
}

fn poll_writable(fd: RawFd, timeout: Duration) -> io::Result<bool> {
    let mut pollfd = libc::pollfd {
        fd,
        events: libc::POLLOUT,
        revents: 0,
    };
    // Round up so a sub-millisecond remainder waits rather than spins.
    let millis =
        libc::c_int::try_from(timeout.as_micros().div_ceil(1000)).unwrap_or(libc::c_int::MAX);
    // SAFETY: one valid `pollfd` for the duration of the call.
    let ready = unsafe { libc::poll(&mut pollfd, 1, millis) };
    match ready {
        n if n > 0 => Ok(true), // POLLERR/POLLHUP too: the next writev reports them
        0 => Ok(false),
        _ => match io::Error::last_os_error() {
            err if err.kind() == io::ErrorKind::Interrupted => Ok(false),
            err => Err(err),
        },
    }
}
