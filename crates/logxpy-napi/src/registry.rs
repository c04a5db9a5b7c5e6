//! One writer per file per process. Node worker threads each load this
//! module, but they share the process's memory, so a file opened from several
//! threads gets one writer thread and its lines never interleave or tear.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use logxpy_core::Error;

use crate::Shared;

fn writers() -> &'static Mutex<HashMap<PathBuf, Weak<Shared>>> {
    static WRITERS: OnceLock<Mutex<HashMap<PathBuf, Weak<Shared>>>> = OnceLock::new();
    WRITERS.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The path with its directory resolved, so "./a.log" and "/abs/a.log" are one key.
fn key(path: &str) -> PathBuf {
    let p = Path::new(path);
    match (p.parent(), p.file_name()) {
        (Some(dir), Some(name)) => {
            let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
            std::fs::canonicalize(dir).map(|d| d.join(name)).unwrap_or_else(|_| p.to_path_buf())
        }
        _ => p.to_path_buf(),
    }
}

/// The live writer for `path`, or a new one from `open`.
pub(crate) fn open(path: &str, open: impl FnOnce(PathBuf) -> Result<Shared, Error>) -> Result<Arc<Shared>, Error> {
    let key = key(path);
    let mut map = writers().lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(live) = map.get(&key).and_then(Weak::upgrade) {
        return Ok(live);
    }
    let shared = Arc::new(open(key.clone())?);
    map.insert(key, Arc::downgrade(&shared));
    Ok(shared)
}

/// Drops one holder; the last one shuts the writer down (bounded by `timeout`).
pub(crate) fn release(shared: Arc<Shared>, timeout: Duration) {
    let mut map = writers().lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if Arc::strong_count(&shared) == 1 {
        map.retain(|_, w| w.strong_count() > 0 && !std::ptr::eq(w.as_ptr(), Arc::as_ptr(&shared)));
        drop(map);
        shared.writer.shutdown(timeout);
    }
}
