//! The one error type of logxpy-core and its codes.
//!
//! The code strings are the registry shared with the TypeScript side
//! (`LogxpyError.code`): logxpy-napi exports them, and
//! `__test__/constants.spec.ts` fails when `src/errors.ts` differs.

use std::fmt;
use std::io;

use crate::errno::errno_name;

/// A file could not be opened (constructor or reopen).
pub const LOGXPY_ERR_OPEN: &str = "LOGXPY_ERR_OPEN";
/// A write to the destination failed; reported through `Hooks::on_error`.
pub const LOGXPY_ERR_WRITE: &str = "LOGXPY_ERR_WRITE";
/// An acknowledged operation did not finish before its timeout.
pub const LOGXPY_ERR_TIMEOUT: &str = "LOGXPY_ERR_TIMEOUT";
/// The writer was shut down.
pub const LOGXPY_ERR_CLOSED: &str = "LOGXPY_ERR_CLOSED";
/// An export to a collector failed (with the HTTP or gRPC status), or the
/// collector rejected records; reported through `Hooks::on_error`.
pub const LOGXPY_ERR_EXPORT: &str = "LOGXPY_ERR_EXPORT";
/// A destination's circuit breaker opened, probed or closed again; reported
/// through `Hooks::on_error`, once per transition.
pub const LOGXPY_ERR_CIRCUIT: &str = "LOGXPY_ERR_CIRCUIT";
/// A configuration value is out of range.
pub const LOGXPY_ERR_OPTION: &str = "LOGXPY_ERR_OPTION";

/// An error with a `LOGXPY_ERR_*` code and, for I/O failures, the errno.
///
/// ```
/// use logxpy_core::{Error, LOGXPY_ERR_WRITE};
///
/// #[cfg(unix)]
/// let enospc = libc::ENOSPC;
/// #[cfg(windows)]
/// let enospc = 112; // ERROR_DISK_FULL
/// let err = Error::write(&std::io::Error::from_raw_os_error(enospc));
/// assert_eq!(err.code, LOGXPY_ERR_WRITE);
/// assert_eq!(err.errno, Some(enospc));
/// assert_eq!(err.errno_name, Some("ENOSPC"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// One of the `LOGXPY_ERR_*` constants.
    pub code: &'static str,
    /// The OS error number, when the failure came from the OS: an errno on
    /// Unix, a Windows error code (`GetLastError`) on Windows.
    pub errno: Option<i32>,
    /// The symbolic errno (`"ENOSPC"`), as Node's `err.code` would show it.
    pub errno_name: Option<&'static str>,
    /// A sentence for humans.
    pub message: String,
}

impl Error {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        Error {
            code,
            errno: None,
            errno_name: None,
            message: message.into(),
        }
    }

    fn from_io(code: &'static str, context: &str, err: &io::Error) -> Self {
        let errno = err.raw_os_error();
        Error {
            code,
            errno,
            errno_name: errno.map(errno_name),
            message: format!("{context}: {err}"),
        }
    }

    /// Opening `path` failed.
    pub fn open(path: &std::path::Path, err: &io::Error) -> Self {
        Self::from_io(
            LOGXPY_ERR_OPEN,
            &format!("cannot open {}", path.display()),
            err,
        )
    }

    /// Reopening the destination failed; the old one stays in use.
    pub fn reopen(err: &io::Error) -> Self {
        Self::from_io(LOGXPY_ERR_OPEN, "cannot reopen the destination", err)
    }

    /// The writer thread could not be started.
    pub fn spawn(err: &io::Error) -> Self {
        Self::from_io(LOGXPY_ERR_OPEN, "cannot start the writer thread", err)
    }

    /// Writing to the destination failed. A sink that has more to say than
    /// an `io::Error` can (an exporter's HTTP status) wraps an [`Error`] in
    /// it (`io::Error::other`), which is passed on as it is.
    pub fn write(err: &io::Error) -> Self {
        if let Some(inner) = err.get_ref().and_then(|e| e.downcast_ref::<Error>()) {
            return inner.clone();
        }
        Self::from_io(LOGXPY_ERR_WRITE, "write failed", err)
    }

    /// An export failed or was refused; `message` says how (the status).
    pub fn export(message: impl Into<String>) -> Self {
        Self::new(LOGXPY_ERR_EXPORT, message)
    }

    /// A circuit breaker changed state; `message` says to which and why.
    pub fn circuit(message: impl Into<String>) -> Self {
        Self::new(LOGXPY_ERR_CIRCUIT, message)
    }

    /// Rotating the file failed at the step `context` names ("cannot
    /// rename app.log to app.log.1", "cannot compress app.log.1"); reported
    /// as a write fault, since writing goes on into the current file.
    pub fn rotate(context: &str, err: &io::Error) -> Self {
        Self::from_io(LOGXPY_ERR_WRITE, context, err)
    }

    /// `what` did not finish in time.
    pub fn timeout(what: &str) -> Self {
        Self::new(LOGXPY_ERR_TIMEOUT, format!("{what} timed out"))
    }

    /// The writer no longer accepts work.
    pub fn closed() -> Self {
        Self::new(LOGXPY_ERR_CLOSED, "the writer is shut down")
    }

    /// The option `name` is invalid; `why` says which values are allowed.
    pub fn option(name: &str, why: &str) -> Self {
        Self::new(LOGXPY_ERR_OPTION, format!("invalid option {name}: {why}"))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for Error {}
