//! The background writer behind logxpy.
//!
//! Callers hand serialized lines (`Vec<u8>`, one or several whole lines per
//! message) to a [`Writer`]. A bounded crossbeam channel carries them to one
//! named OS thread per destination, which collects up to `batch_size`
//! records or waits at most `flush_interval`, then writes the batch with
//! `writev`. Queue overflow follows a [`QueuePolicy`]; write failures are
//! counted, reported through [`Hooks`], and retried with backoff; a panic in
//! the thread is caught and the loop restarts. [`Writer::flush`],
//! [`Writer::reopen`] and [`Writer::shutdown`] are acknowledged by the
//! thread, never guessed with sleeps. A file can rotate by size
//! ([`Rotation`]): the writer thread renames it and goes on in a fresh one,
//! never splitting a line, and gzips the old one on a helper thread.
//!
//! The crate knows nothing of Node: `logxpy-napi` translates it.
//!
//! Unix writes with `writev` and waits in `poll`. Windows builds on std
//! alone: files are opened for appending, `mode` is ignored, there is no
//! `FdSink`, and error numbers are Windows error codes given errno names.
//!
//! ```
//! use std::time::Duration;
//! use logxpy_core::{Hooks, QueuePolicy, Writer, WriterConfig};
//!
//! let path = std::env::temp_dir().join(format!("logxpy-crate-doc-{}.log", std::process::id()));
//! let hooks = Hooks {
//!     on_error: Some(Box::new(|err| eprintln!("logxpy: {err}"))),
//!     ..Hooks::default()
//! };
//! let config = WriterConfig { path: path.clone(), policy: QueuePolicy::DropNewest, ..WriterConfig::default() };
//! let writer = Writer::open(config, hooks)?;
//! writer.send(b"{\"msg\":\"hello\"}\n".to_vec(), 1)?;
//! assert!(writer.shutdown(Duration::from_secs(5)));
//! assert_eq!(std::fs::read(&path)?, b"{\"msg\":\"hello\"}\n");
//! # std::fs::remove_file(&path)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod backoff;
mod batch;
mod budget;
mod circuit;
mod config;
mod deadline;
mod door;
mod errno;
mod error;
#[cfg(feature = "fault-injection")]
mod faults;
mod health;
mod hooks;
mod message;
mod metrics;
mod policy;
mod queue;
mod sink;
mod state;
mod worker;
mod writer;

pub use backoff::{FIRST_BACKOFF, MAX_BACKOFF};
pub use circuit::Breaker;
pub use config::{
    DEFAULT_BATCH_SIZE, DEFAULT_FLUSH_INTERVAL, DEFAULT_MAX_QUEUE, DEFAULT_MODE,
    DEFAULT_SHUTDOWN_TIMEOUT, MAX_QUEUE_LIMIT, Rotation, WriterConfig,
};
pub use errno::errno_name;
pub use error::{
    Error, LOGXPY_ERR_CIRCUIT, LOGXPY_ERR_CLOSED, LOGXPY_ERR_EXPORT, LOGXPY_ERR_OPEN,
    LOGXPY_ERR_OPTION, LOGXPY_ERR_TIMEOUT, LOGXPY_ERR_WRITE,
};
pub use hooks::{ErrorHook, Hooks, WarnHook};
pub use metrics::Metrics;
pub use policy::QueuePolicy;
pub use queue::Wake;
#[cfg(unix)]
pub use sink::FdSink;
pub use sink::{FileSink, Sink};
pub use writer::Writer;
