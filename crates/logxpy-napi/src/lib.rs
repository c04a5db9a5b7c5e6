//! The `#[napi]` surface of logxpy's writer: it only translates between
//! JavaScript values and `logxpy-core`. Lines arrive as borrowed bytes and are
//! copied into Rust-owned memory before the call returns, so no JavaScript
//! buffer is ever kept alive on the writer thread.
//!
//! Errors cross as `"<LOGXPY_ERR_*>|<errno name>|<message>"` in the error's
//! message, which the TypeScript loader turns back into a `LogxpyError`.

pub mod constants;
mod registry;

use std::collections::VecDeque;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use logxpy_core::{
    Breaker, Error as CoreError, Hooks, QueuePolicy, Rotation, Wake, Writer, WriterConfig,
};
use logxpy_otlp::{OtlpConfig, OtlpSink, Protocol};
use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;

/// Faults kept for JavaScript to collect; older ones beyond this are counted, not kept.
const MAX_KEPT_FAULTS: usize = 256;

/// How the writer opens its file and queues records (the TypeScript settings, validated there).
#[napi(object)]
pub struct NativeOptions {
    pub append: bool,
    pub mode: u32,
    pub max_queue: u32,
    pub batch_size: u32,
    pub flush_interval_ms: f64,
    pub policy: String,
    pub shutdown_timeout_ms: f64,
    /// Size rotation of the file; absent: never rotates.
    pub rotate: Option<NativeRotation>,
    /// The last writer of this path gave up inside a line (see `WriterConfig::after_torn_line`).
    pub after_torn_line: bool,
    /// Export to an OpenTelemetry Collector instead of writing a file; `path` is then only the
    /// destination's name.
    pub otlp: Option<NativeOtlp>,
}

/// An OTLP destination, resolved and validated in TypeScript (`src/otlp/`).
#[napi(object)]
pub struct NativeOtlp {
    /// gRPC: `http://host:4317`; HTTP: the full URL of the logs path.
    pub endpoint: String,
    /// `"grpc"` or `"http/protobuf"`.
    pub protocol: String,
    /// `[name, value]` pairs sent with every export.
    pub headers: Vec<Vec<String>>,
    /// The resource attributes as a JSON object.
    pub resource_json: String,
    pub timeout_ms: f64,
    pub gzip: bool,
    pub breaker_failures: u32,
    pub breaker_after_ms: f64,
    pub breaker_cooldown_ms: f64,
}

/// `rotate` of `log.init()`, validated in TypeScript; `size` in bytes.
#[napi(object)]
pub struct NativeRotation {
    pub size: f64,
    pub keep: u32,
    pub compress: bool,
}

/// Counters, in records.
#[napi(object)]
pub struct NativeMetrics {
    pub enqueued: f64,
    pub written: f64,
    pub dropped: f64,
    pub errors: f64,
    pub pending: f64,
    pub restarts: f64,
}

/// A failure on the writer thread, for `log.on("error")`.
#[napi(object)]
pub struct NativeFault {
    pub code: String,
    pub errno: Option<String>,
    pub message: String,
}

/// Faults reported by the writer thread, waiting for JavaScript to collect them.
#[derive(Default)]
pub(crate) struct FaultBox {
    kept: VecDeque<NativeFault>,
    lost: u64,
}

impl FaultBox {
    fn push(&mut self, fault: NativeFault) {
        if self.kept.len() == MAX_KEPT_FAULTS {
            self.kept.pop_front();
            self.lost += 1;
        }
        self.kept.push_back(fault);
    }
}

/// One writer and its faults, shared by every JavaScript thread that logs to the same file.
pub(crate) struct SharedWriter {
    writer: Writer,
    faults: Arc<Mutex<FaultBox>>,
    /// `NativeWriter`s open on it; the registry shuts the writer down when the last one closes.
    holders: AtomicUsize,
}

/// Called on the JavaScript thread as `(id, written)` when a flush asked with `flushNotify` is answered.
type FlushCallback = ThreadsafeFunction<
    FnArgs<(u32, bool)>,
    Unknown<'static>,
    FnArgs<(u32, bool)>,
    Status,
    false,
    true,
>;

/// A background writer for one log file.
///
/// Every method takes `&self`: the state a close changes sits behind the
/// shared handle, so no call can meet a borrow held by another (a pending
/// flush holds none: it is answered through `onFlushed`).
#[napi]
pub struct NativeWriter {
    shared: Arc<SharedWriter>,
    closed: AtomicBool,
    /// Weak: a flush waiting for its answer does not keep the event loop
    /// alive by itself; the TypeScript side holds a timer for its bound.
    on_flushed: Arc<FlushCallback>,
}

fn js_error(err: &CoreError) -> Error {
    Error::from_reason(format!(
        "{}|{}|{}",
        err.code,
        err.errno_name.unwrap_or(""),
        err.message
    ))
}

fn closed() -> Error {
    Error::from_reason(format!(
        "{}||the writer is closed",
        logxpy_core::LOGXPY_ERR_CLOSED
    ))
}

fn millis(ms: f64) -> Duration {
    Duration::from_secs_f64((ms.max(0.0)) / 1000.0)
}

fn open_shared_writer(
    path: PathBuf,
    options: &NativeOptions,
) -> std::result::Result<SharedWriter, CoreError> {
    let policy = QueuePolicy::from_name(&options.policy).ok_or_else(|| {
        CoreError::option("policy", &format!("unknown policy {:?}", options.policy))
    })?;
    let faults = Arc::new(Mutex::new(FaultBox::default()));
    let on_error = Arc::clone(&faults);
    let on_warn = Arc::clone(&faults);
    let hooks = Hooks {
        on_error: Some(Box::new(move |err: CoreError| {
            let fault = NativeFault {
                code: err.code.to_string(),
                errno: err.errno_name.map(str::to_string),
                message: err.message,
            };
            if let Ok(mut faults) = on_error.lock() {
                faults.push(fault);
            }
        })),
        on_warn: Some(Box::new(move |dropped: u64| {
            let fault = NativeFault {
                code: constants::LOGXPY_ERR_QUEUE_FULL.to_string(),
                errno: None,
                message: format!("{dropped} record(s) dropped since the last warning"),
            };
            if let Ok(mut faults) = on_warn.lock() {
                faults.push(fault);
            }
        })),
    };
    let config = WriterConfig {
        path,
        append: options.append,
        mode: options.mode,
        max_queue: options.max_queue as usize,
        batch_size: options.batch_size as usize,
        flush_interval: millis(options.flush_interval_ms),
        policy,
        shutdown_timeout: millis(options.shutdown_timeout_ms),
        rotate: options.rotate.as_ref().map(|r| Rotation {
            size: r.size as u64,
            keep: r.keep,
            compress: r.compress,
        }),
        after_torn_line: options.after_torn_line,
        breaker: None,
    };
    let writer = match &options.otlp {
        None => Writer::open(config, hooks)?,
        Some(otlp) => {
            let config = WriterConfig {
                breaker: Some(Breaker {
                    failures: otlp.breaker_failures,
                    after: millis(otlp.breaker_after_ms),
                    cooldown: millis(otlp.breaker_cooldown_ms),
                }),
                ..config
            };
            Writer::with_sink(Box::new(otlp_sink(otlp)?), config, hooks)?
        }
    };
    Ok(SharedWriter {
        writer,
        faults,
        holders: AtomicUsize::new(1),
    })
}

fn otlp_settings_hash(otlp: &NativeOtlp) -> u64 {
    let mut hasher = DefaultHasher::new();
    (
        &otlp.endpoint,
        &otlp.protocol,
        &otlp.headers,
        &otlp.resource_json,
    )
        .hash(&mut hasher);
    (otlp.timeout_ms.to_bits(), otlp.gzip, otlp.breaker_failures).hash(&mut hasher);
    (
        otlp.breaker_after_ms.to_bits(),
        otlp.breaker_cooldown_ms.to_bits(),
    )
        .hash(&mut hasher);
    hasher.finish()
}

fn otlp_sink(otlp: &NativeOtlp) -> std::result::Result<OtlpSink, CoreError> {
    let protocol = match otlp.protocol.as_str() {
        "grpc" => Protocol::Grpc,
        "http/protobuf" => Protocol::HttpProtobuf,
        other => {
            return Err(CoreError::option(
                "otlp protocol",
                &format!("unknown protocol {other:?}"),
            ));
        }
    };
    let resource = match serde_json::from_str(&otlp.resource_json) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => return Err(CoreError::option("otlp resource", "must be a JSON object")),
    };
    let headers = otlp
        .headers
        .iter()
        .filter_map(|pair| match pair.as_slice() {
            [name, value] => Some((name.clone(), value.clone())),
            _ => None,
        })
        .collect();
    OtlpSink::new(OtlpConfig {
        endpoint: otlp.endpoint.clone(),
        protocol,
        headers,
        resource,
        timeout: millis(otlp.timeout_ms),
        gzip: otlp.gzip,
    })
}

#[napi]
impl NativeWriter {
    /// Opens `path`, or joins the writer another thread of this process already has for it.
    /// `onFlushed(id, written)` answers the flushes asked with `flushNotify`.
    #[napi(
        constructor,
        ts_args_type = "path: string, options: NativeOptions, onFlushed: (id: number, written: boolean) => void"
    )]
    pub fn new(path: String, options: NativeOptions, on_flushed: FlushCallback) -> Result<Self> {
        let path = match &options.otlp {
            None => path,
            // Threads exporting to one collector with the same settings share a writer; other
            // settings (another resource, other headers) get one of their own.
            Some(otlp) => format!("{path}#{:016x}", otlp_settings_hash(otlp)),
        };
        let shared = registry::open(&path, |key| open_shared_writer(key, &options))
            .map_err(|e| js_error(&e))?;
        Ok(NativeWriter {
            shared,
            closed: AtomicBool::new(false),
            on_flushed: Arc::new(on_flushed),
        })
    }

    fn open(&self) -> Result<&Writer> {
        if self.closed.load(SeqCst) {
            Err(closed())
        } else {
            Ok(&self.shared.writer)
        }
    }

    /// Queues `count` whole lines, copying the bytes; applies the queue policy (`block` waits).
    /// With `wakeNow` false the writer thread is not woken for them: the caller calls `wake()`
    /// before its event-loop turn ends.
    #[napi]
    pub fn write(&self, bytes: &[u8], count: u32, wake_now: bool) -> Result<()> {
        let wake = if wake_now { Wake::Now } else { Wake::Later };
        self.open()?
            .send_with(bytes.to_vec(), count, wake)
            .map_err(|e| js_error(&e))
    }

    /// Wakes the writer thread for lines queued with `wakeNow` false.
    #[napi]
    pub fn wake(&self) -> Result<()> {
        self.open()?.wake();
        Ok(())
    }

    /// Waits until everything queued before the call is written; false on timeout.
    #[napi]
    pub fn flush_sync(&self, timeout_ms: f64) -> Result<bool> {
        Ok(self.open()?.flush(millis(timeout_ms)))
    }

    /// Asks for a flush and returns at once: `onFlushed(id, written)` is called on this thread once
    /// everything queued before the call is written (with `sync`, also `fdatasync`ed), or the writer
    /// gave up on it. No libuv thread waits meanwhile. False when the request could not be queued
    /// (closed, or too many control messages waiting): then `onFlushed` is not called.
    #[napi]
    pub fn flush_notify(&self, id: u32, sync: bool) -> Result<bool> {
        let on_flushed = Arc::clone(&self.on_flushed);
        Ok(self.open()?.flush_then(sync, move |written| {
            // Closing: the JavaScript thread is ending and nobody waits any more.
            let _ = on_flushed.call(
                (id, written).into(),
                ThreadsafeFunctionCallMode::NonBlocking,
            );
        }))
    }

    /// Reopens the file by its path (after logrotate moved it).
    #[napi]
    pub fn reopen(&self, timeout_ms: f64) -> Result<()> {
        self.open()?
            .reopen(millis(timeout_ms))
            .map_err(|e| js_error(&e))
    }

    /// Flushes (bounded) and lets go of the writer; the last holder shuts it down, and what it could
    /// not write within the bound is counted as dropped when this returns. True when all was written.
    /// Later calls return true.
    #[napi]
    pub fn close(&self, timeout_ms: f64) -> bool {
        if self.closed.swap(true, SeqCst) {
            return true;
        }
        registry::release(&self.shared, millis(timeout_ms))
    }

    /// Whether the writer thread gave up (at close) with its destination inside a line.
    #[napi]
    pub fn left_torn_line(&self) -> bool {
        self.shared.writer.left_torn_line()
    }

    /// The writer thread's file switches as a sequence lock (odd while rotating), for the path watch.
    #[napi]
    pub fn rotation_seq(&self) -> Result<f64> {
        Ok(self.open()?.rotation_seq() as f64)
    }

    /// The counters; still readable after close, where they are final once this holder was the last.
    #[napi]
    pub fn metrics(&self) -> NativeMetrics {
        let m = self.shared.writer.metrics();
        NativeMetrics {
            enqueued: m.enqueued as f64,
            written: m.written as f64,
            dropped: m.dropped as f64,
            errors: m.errors as f64,
            pending: m.pending as f64,
            restarts: m.restarts as f64,
        }
    }

    /// Hands over the faults reported since the last call (a summary fault says how many were not kept).
    #[napi]
    pub fn take_faults(&self) -> Result<Vec<NativeFault>> {
        let mut faults = self.shared.faults.lock().map_err(|_| {
            Error::from_reason(format!(
                "{}||fault list poisoned",
                constants::LOGXPY_ERR_INTERNAL
            ))
        })?;
        let mut out: Vec<NativeFault> = faults.kept.drain(..).collect();
        if faults.lost > 0 {
            out.push(NativeFault {
                code: logxpy_core::LOGXPY_ERR_WRITE.to_string(),
                errno: None,
                message: format!(
                    "{} more fault(s) were reported than could be kept",
                    faults.lost
                ),
            });
            faults.lost = 0;
        }
        Ok(out)
    }
}

impl Drop for NativeWriter {
    /// A writer the program never closed (collected, or its worker thread ended): its records are
    /// still written, within the configured shutdown timeout.
    fn drop(&mut self) {
        if !self.closed.swap(true, SeqCst) {
            registry::release(&self.shared, self.shared.writer.shutdown_timeout());
        }
    }
}

/// A writer that `flushAllWriters` had to give up on.
#[napi(object)]
pub struct NativeGivenUp {
    pub path: String,
    /// Records it could not write in time, now counted as dropped.
    pub dropped: f64,
}

/// Flushes every writer this process has open, whichever thread opened it, within one bound; one
/// that cannot finish is stopped, and comes back with what it dropped. The main thread calls it at
/// exit, when worker threads are stopped without running any JavaScript, so the records they
/// handed over are written too.
#[napi]
pub fn flush_all_writers(timeout_ms: f64) -> Vec<NativeGivenUp> {
    registry::flush_all(millis(timeout_ms))
        .into_iter()
        .map(|(path, dropped)| NativeGivenUp {
            path: path.to_string_lossy().into_owned(),
            dropped: dropped as f64,
        })
        .collect()
}
