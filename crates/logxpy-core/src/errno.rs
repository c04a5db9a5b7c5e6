//! Symbolic errno names, so errors read like Node's (`err.code === "ENOSPC"`).
//! On Windows the OS reports Windows error codes, not errnos; each gets the
//! name of the errno Unix would report for the same failure.

/// The symbolic name of `errno`, or `"UNKNOWN"` (libuv's word) for numbers
/// a log destination does not produce.
///
/// ```
/// assert_eq!(logxpy_core::errno_name(libc::EISDIR), "EISDIR");
/// assert_eq!(logxpy_core::errno_name(-1), "UNKNOWN");
/// ```
#[cfg(unix)]
pub fn errno_name(errno: i32) -> &'static str {
    match errno {
        libc::EPERM => "EPERM",
        libc::ENOENT => "ENOENT",
        libc::EINTR => "EINTR",
        libc::EIO => "EIO",
        libc::ENXIO => "ENXIO",
        libc::EBADF => "EBADF",
        libc::EAGAIN => "EAGAIN",
        libc::ENOMEM => "ENOMEM",
        libc::EACCES => "EACCES",
        libc::EFAULT => "EFAULT",
        libc::EBUSY => "EBUSY",
        libc::EEXIST => "EEXIST",
        libc::ENODEV => "ENODEV",
        libc::ENOTDIR => "ENOTDIR",
        libc::EISDIR => "EISDIR",
        libc::EINVAL => "EINVAL",
        libc::ENFILE => "ENFILE",
        libc::EMFILE => "EMFILE",
        libc::ETXTBSY => "ETXTBSY",
        libc::EFBIG => "EFBIG",
        libc::ENOSPC => "ENOSPC",
        libc::ESPIPE => "ESPIPE",
        libc::EROFS => "EROFS",
        libc::EPIPE => "EPIPE",
        libc::ENAMETOOLONG => "ENAMETOOLONG",
        libc::ELOOP => "ELOOP",
        libc::EDQUOT => "EDQUOT",
        libc::ECONNRESET => "ECONNRESET",
        libc::ETIMEDOUT => "ETIMEDOUT",
        libc::ESTALE => "ESTALE",
        _ => "UNKNOWN",
    }
}

/// The errno name of the Windows error code `code` (what
/// `io::Error::raw_os_error` holds on Windows), or `"UNKNOWN"`.
///
/// ```
/// assert_eq!(logxpy_core::errno_name(112), "ENOSPC"); // ERROR_DISK_FULL
/// assert_eq!(logxpy_core::errno_name(-1), "UNKNOWN");
/// ```
#[cfg(windows)]
pub fn errno_name(code: i32) -> &'static str {
    // The codes a log file meets are named here, so the answer does not
    // depend on how std classifies them; any other goes by its `ErrorKind`.
    match code {
        2 | 3 | 123 => "ENOENT", // FILE_NOT_FOUND, PATH_NOT_FOUND, INVALID_NAME
        4 => "EMFILE",           // TOO_MANY_OPEN_FILES
        5 => "EACCES",           // ACCESS_DENIED (libuv says EPERM; this matches Unix)
        6 => "EBADF",            // INVALID_HANDLE
        8 | 14 => "ENOMEM",      // NOT_ENOUGH_MEMORY, OUTOFMEMORY
        19 => "EROFS",           // WRITE_PROTECT
        32 | 33 => "EBUSY",      // SHARING_VIOLATION, LOCK_VIOLATION
        39 | 112 => "ENOSPC",    // HANDLE_DISK_FULL, DISK_FULL
        80 | 183 => "EEXIST",    // FILE_EXISTS, ALREADY_EXISTS
        87 => "EINVAL",          // INVALID_PARAMETER
        109 | 232 => "EPIPE",    // BROKEN_PIPE, NO_DATA (the pipe is closing)
        206 => "ENAMETOOLONG",   // FILENAME_EXCED_RANGE
        223 => "EFBIG",          // FILE_TOO_LARGE
        267 => "ENOTDIR",        // DIRECTORY (the directory name is invalid)
        336 => "EISDIR",         // DIRECTORY_NOT_SUPPORTED
        1117 => "EIO",           // IO_DEVICE
        1295 => "EDQUOT",        // DISK_QUOTA_EXCEEDED
        1314 => "EPERM",         // PRIVILEGE_NOT_HELD
        1460 => "ETIMEDOUT",     // TIMEOUT
        _ => kind_name(std::io::Error::from_raw_os_error(code).kind()),
    }
}

#[cfg(windows)]
fn kind_name(kind: std::io::ErrorKind) -> &'static str {
    use std::io::ErrorKind::*;
    match kind {
        NotFound => "ENOENT",
        PermissionDenied => "EACCES",
        AlreadyExists => "EEXIST",
        WouldBlock => "EAGAIN",
        InvalidInput => "EINVAL",
        TimedOut => "ETIMEDOUT",
        Interrupted => "EINTR",
        OutOfMemory => "ENOMEM",
        BrokenPipe => "EPIPE",
        ConnectionReset => "ECONNRESET",
        StorageFull => "ENOSPC",
        QuotaExceeded => "EDQUOT",
        ReadOnlyFilesystem => "EROFS",
        IsADirectory => "EISDIR",
        NotADirectory => "ENOTDIR",
        ResourceBusy => "EBUSY",
        FileTooLarge => "EFBIG",
        NotSeekable => "ESPIPE",
        StaleNetworkFileHandle => "ESTALE",
        _ => "UNKNOWN",
    }
}
