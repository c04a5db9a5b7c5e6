//! The values the TypeScript side must agree on, exported to JavaScript so
//! that `__test__/constants.spec.ts` can compare them with the TypeScript
//! definitions, which stay where they are because the pure-TypeScript writer
//! must work without this addon. Each comes from its one definition in
//! `logxpy-core`, except the two codes only this binding produces.

use logxpy_core::QueuePolicy;
use napi_derive::napi;

/// `LogxpyError.code` of a file that cannot be opened.
#[napi]
pub const LOGXPY_ERR_OPEN: &str = logxpy_core::LOGXPY_ERR_OPEN;
/// `LogxpyError.code` of a failed write.
#[napi]
pub const LOGXPY_ERR_WRITE: &str = logxpy_core::LOGXPY_ERR_WRITE;
/// `LogxpyError.code` of an operation that did not finish in time.
#[napi]
pub const LOGXPY_ERR_TIMEOUT: &str = logxpy_core::LOGXPY_ERR_TIMEOUT;
/// `LogxpyError.code` of a writer used after it was closed.
#[napi]
pub const LOGXPY_ERR_CLOSED: &str = logxpy_core::LOGXPY_ERR_CLOSED;
/// `LogxpyError.code` of an invalid option.
#[napi]
pub const LOGXPY_ERR_OPTION: &str = logxpy_core::LOGXPY_ERR_OPTION;
/// `LogxpyError.code` of a failed or refused OTLP export.
#[napi]
pub const LOGXPY_ERR_EXPORT: &str = logxpy_core::LOGXPY_ERR_EXPORT;
/// `LogxpyError.code` of a circuit breaker's transition.
#[napi]
pub const LOGXPY_ERR_CIRCUIT: &str = logxpy_core::LOGXPY_ERR_CIRCUIT;
/// The fault code of the `warn` policy's drop report.
#[napi]
pub const LOGXPY_ERR_QUEUE_FULL: &str = "LOGXPY_ERR_QUEUE_FULL";
/// The code of a failure inside the binding itself.
#[napi]
pub const LOGXPY_ERR_INTERNAL: &str = "LOGXPY_ERR_INTERNAL";

/// Records the queue holds when `maxQueue` is not given.
#[napi]
pub const DEFAULT_MAX_QUEUE: u32 = logxpy_core::DEFAULT_MAX_QUEUE as u32;
/// Records per batch when `batchSize` is not given.
#[napi]
pub const DEFAULT_BATCH_SIZE: u32 = logxpy_core::DEFAULT_BATCH_SIZE as u32;
/// `flushInterval` in milliseconds when not given.
#[napi]
pub const DEFAULT_FLUSH_INTERVAL_MS: u32 = logxpy_core::DEFAULT_FLUSH_INTERVAL.as_millis() as u32;
/// `shutdownTimeout` in milliseconds when not given.
#[napi]
pub const DEFAULT_SHUTDOWN_TIMEOUT_MS: u32 =
    logxpy_core::DEFAULT_SHUTDOWN_TIMEOUT.as_millis() as u32;
/// Permission bits of a created log file when `fileMode` is not given.
#[napi]
pub const DEFAULT_FILE_MODE: u32 = logxpy_core::DEFAULT_MODE;
/// The largest `maxQueue` accepted.
#[napi]
pub const MAX_QUEUE_LIMIT: u32 = logxpy_core::MAX_QUEUE_LIMIT as u32;
/// First pause after a failed write, in milliseconds; it doubles from there.
#[napi]
pub const FIRST_BACKOFF_MS: u32 = logxpy_core::FIRST_BACKOFF.as_millis() as u32;
/// Longest pause between retries of a failing destination, in milliseconds.
#[napi]
pub const MAX_BACKOFF_MS: u32 = logxpy_core::MAX_BACKOFF.as_millis() as u32;

/// The queue policy names the writer accepts (`"block"`, `"drop_oldest"`...).
#[napi]
pub fn queue_policy_names() -> Vec<&'static str> {
    QueuePolicy::ALL
        .into_iter()
        .map(QueuePolicy::name)
        .collect()
}
