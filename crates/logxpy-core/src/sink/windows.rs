//! The Windows side of the sinks, on std alone. There is no `FdSink` here:
//! the Node binding only opens paths, and turning a CRT fd number into a
//! handle would need the C runtime.

use std::fs::{File, OpenOptions};
use std::io::{self, IoSlice, Write};
use std::path::Path;

use super::{FileSink, Sink};

/// Reported instead of ERROR_ACCESS_DENIED when the path is a directory;
/// `errno_name` names it `EISDIR`, as on Unix and in Node.
const ERROR_DIRECTORY_NOT_SUPPORTED: i32 = 336;

/// `mode` is ignored: Windows files have no permission bits.
pub(super) fn open_append(path: &Path, truncate: bool, _mode: u32) -> io::Result<File> {
    // `append` alone asks for FILE_APPEND_DATA without FILE_WRITE_DATA, so
    // every write lands at the current end of the file, as with O_APPEND.
    // std opens with FILE_SHARE_DELETE, so the file can still be renamed
    // (logrotate) while open.
    let file = OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(|err| directory_error(path, err))?;
    if truncate {
        // That handle may not truncate (no FILE_WRITE_DATA) and std refuses
        // append with truncate, so a second, short-lived handle does it.
        OpenOptions::new().write(true).truncate(true).open(path)?;
    }
    Ok(file)
}

/// Opening a directory for writing fails with ERROR_ACCESS_DENIED, which
/// would read as `EACCES`; say what is wrong instead.
fn directory_error(path: &Path, err: io::Error) -> io::Error {
    if path.is_dir() {
        io::Error::from_raw_os_error(ERROR_DIRECTORY_NOT_SUPPORTED)
    } else {
        err
    }
}

impl Sink for FileSink {
    /// std's `File` on Windows writes only the first non-empty slice per
    /// call; the writer's loop advances across slices, so a batch costs one
    /// `WriteFile` per message here instead of one `writev`.
    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.file.write_vectored(bufs)
    }

    // `wait_writable` keeps the default `Ok(true)`: a file handle opened
    // this way blocks instead of returning `WouldBlock`.

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
