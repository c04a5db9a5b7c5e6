//! One writer per file per process. Node worker threads each load this
//! module, but they share the process's memory, so a file opened from several
//! threads gets one writer thread and its lines never interleave or tear.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering::SeqCst;
use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak};
use std::time::{Duration, Instant};

use logxpy_core::Error;

use crate::SharedWriter;

fn writers() -> &'static Mutex<HashMap<PathBuf, Weak<SharedWriter>>> {
    static WRITERS: OnceLock<Mutex<HashMap<PathBuf, Weak<SharedWriter>>>> = OnceLock::new();
    WRITERS.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The path with its directory resolved, so "./a.log" and "/abs/a.log" are one key.
fn key(path: &str) -> PathBuf {
    let p = Path::new(path);
    match (p.parent(), p.file_name()) {
        (Some(dir), Some(name)) => {
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            std::fs::canonicalize(dir)
                .map(|d| d.join(name))
                .unwrap_or_else(|_| p.to_path_buf())
        }
        _ => p.to_path_buf(),
    }
}

/// The live writer for `path` with one more holder, or a new one from `open`.
pub(crate) fn open(
    path: &str,
    open: impl FnOnce(PathBuf) -> Result<SharedWriter, Error>,
) -> Result<Arc<SharedWriter>, Error> {
    let key = key(path);
    let mut map = writers().lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(live) = map.get(&key).and_then(Weak::upgrade)
        && live.holders.load(SeqCst) > 0
    {
        live.holders.fetch_add(1, SeqCst);
        return Ok(live);
    }
    let shared = Arc::new(open(key.clone())?);
    map.insert(key, Arc::downgrade(&shared));
    Ok(shared)
}

/// Drops one holder; the last one shuts the writer down (bounded by `timeout`), the others flush.
/// True when everything was written.
pub(crate) fn release(shared: &Arc<SharedWriter>, timeout: Duration) -> bool {
    let mut map = writers().lock().unwrap_or_else(PoisonError::into_inner);
    if shared.holders.fetch_sub(1, SeqCst) != 1 {
        drop(map);
        return shared.writer.flush(timeout);
    }
    map.retain(|_, w| w.strong_count() > 0 && !std::ptr::eq(w.as_ptr(), Arc::as_ptr(shared)));
    drop(map);
    shared.writer.shutdown(timeout)
}

/// Flushes every open writer with one deadline for all; a writer that cannot finish by then is
/// shut down at once, and its path comes back with the records it gave up on.
pub(crate) fn flush_all(timeout: Duration) -> Vec<(PathBuf, u64)> {
    let live: Vec<(PathBuf, Arc<SharedWriter>)> = {
        let map = writers().lock().unwrap_or_else(PoisonError::into_inner);
        map.iter()
            .filter_map(|(key, w)| w.upgrade().map(|shared| (key.clone(), shared)))
            .collect()
    };
    let deadline = Instant::now() + timeout;
    let mut given_up = Vec::new();
    for (key, shared) in live {
        if shared
            .writer
            .flush(deadline.saturating_duration_since(Instant::now()))
        {
            continue;
        }
        let before = shared.writer.metrics().dropped;
        shared.writer.shutdown(Duration::ZERO);
        given_up.push((key, shared.writer.metrics().dropped - before));
    }
    given_up
}
