//! One writer per file per process. Node worker threads each load this
//! module, but they share the process's memory, so a file opened from several
//! threads gets one writer thread and its lines never interleave or tear.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering::SeqCst;
use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak};
use std::time::{Duration, Instant};

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

fn torn() -> &'static Mutex<HashSet<PathBuf>> {
    static TORN: OnceLock<Mutex<HashSet<PathBuf>>> = OnceLock::new();
    TORN.get_or_init(|| Mutex::new(HashSet::new()))
}

/// The live writer for `path` with one more holder, or a new one from `open`, which is told whether
/// the last writer of that path gave up inside a line.
pub(crate) fn open(path: &str, open: impl FnOnce(PathBuf, bool) -> Result<Shared, Error>) -> Result<Arc<Shared>, Error> {
    let key = key(path);
    let mut map = writers().lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(live) = map.get(&key).and_then(Weak::upgrade)
        && live.holders.load(SeqCst) > 0
    {
        live.holders.fetch_add(1, SeqCst);
        return Ok(live);
    }
    let after_torn_line = torn().lock().unwrap_or_else(PoisonError::into_inner).contains(&key);
    let shared = Arc::new(open(key.clone(), after_torn_line)?);
    torn().lock().unwrap_or_else(PoisonError::into_inner).remove(&key);
    map.insert(key, Arc::downgrade(&shared));
    Ok(shared)
}

/// Drops one holder; the last one shuts the writer down (bounded by `timeout`), the others flush.
/// True when everything was written.
pub(crate) fn release(shared: &Arc<Shared>, timeout: Duration) -> bool {
    let mut map = writers().lock().unwrap_or_else(PoisonError::into_inner);
    if shared.holders.fetch_sub(1, SeqCst) != 1 {
        drop(map);
        return shared.writer.flush(timeout);
    }
    let key = map.iter().find(|(_, w)| std::ptr::eq(w.as_ptr(), Arc::as_ptr(shared))).map(|(k, _)| k.clone());
    map.retain(|_, w| w.strong_count() > 0 && !std::ptr::eq(w.as_ptr(), Arc::as_ptr(shared)));
    drop(map);
    let complete = shared.writer.shutdown(timeout);
    if let (Some(key), true) = (key, shared.writer.left_torn_line()) {
        torn().lock().unwrap_or_else(PoisonError::into_inner).insert(key);
    }
    complete
}

/// Flushes every open writer with one deadline for all.
pub(crate) fn flush_all(timeout: Duration) -> bool {
    let live: Vec<Arc<Shared>> = {
        let map = writers().lock().unwrap_or_else(PoisonError::into_inner);
        map.values().filter_map(Weak::upgrade).collect()
    };
    let deadline = Instant::now() + timeout;
    live.iter().fold(true, |all, shared| {
        let left = deadline.saturating_duration_since(Instant::now());
        shared.writer.flush(left) && all
    })
}
