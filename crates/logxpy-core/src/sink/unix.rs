//! The Unix side of the sinks: `open` with `O_APPEND`, `writev`, and `poll`
//! when a non-blocking fd is full.

use std::fs::{File, OpenOptions};
use std::io::{self, IoSlice};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::time::Duration;

use super::{FileSink, Sink};

pub(super) fn open_append(path: &Path, truncate: bool, mode: u32) -> io::Result<File> {
    // std adds O_CLOEXEC to every open, and refuses `.truncate(true)` with
    // `.append(true)`, hence the raw flags. A FIFO or a device is opened
    // non-blocking: a reader that stops reading then shows as `EAGAIN`,
    // which the writer waits out in `poll` slices and can abandon at a
    // shutdown deadline, instead of a `writev` that never returns. (A FIFO
    // with no reader at all fails to open, `ENXIO`.)
    let special = std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir());
    let mut options = OpenOptions::new();
    options.append(true).create(true).mode(mode);
    let flags = if special {
        libc::O_NONBLOCK
    } else if truncate {
        libc::O_TRUNC
    } else {
        0
    };
    options.custom_flags(flags);
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
        self.file = super::open_log(&self.path, false, self.mode)?;
        Ok(())
    }

    fn sync_data(&mut self) -> io::Result<()> {
        self.sync_file()
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
