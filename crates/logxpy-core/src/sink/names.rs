//! The names of rotated files, which rotation gives and compression extends.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// `<path>.<n><suffix>`: `app.log.2`, `app.log.2.gz`.
pub(super) fn numbered(path: &Path, n: u32, suffix: &str) -> PathBuf {
    with_suffix(path, &format!(".{n}{suffix}"))
}

/// `path` with `suffix` appended to its file name.
pub(super) fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = OsString::from(path.as_os_str());
    name.push(suffix);
    PathBuf::from(name)
}
