//! What a writer is built from: options, validated once, and callbacks.

use std::path::PathBuf;
use std::time::Duration;

use crate::circuit::Breaker;
use crate::error::Error;
use crate::policy::QueuePolicy;

/// The largest accepted `max_queue`. The channel's buffer is allocated up
/// front (40 bytes per slot on 64-bit), so this caps it at 42 MB.
pub const MAX_QUEUE_LIMIT: usize = 1 << 20;

/// `max_queue` when not given; the TypeScript API's default too.
pub const DEFAULT_MAX_QUEUE: usize = 10_000;
/// `batch_size` when not given.
pub const DEFAULT_BATCH_SIZE: usize = 100;
/// `flush_interval` when not given.
pub const DEFAULT_FLUSH_INTERVAL: Duration = Duration::from_millis(100);
/// `shutdown_timeout` when not given.
pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);
/// `mode` when not given: owner reads and writes, group reads.
pub const DEFAULT_MODE: u32 = 0o640;

/// Options of a [`Writer`](crate::Writer). `Default` gives the values the
/// TypeScript API documents.
///
/// `max_queue` counts **records**, not messages: a message carrying a
/// coalesced chunk of `count` lines takes `count` places. The queue admits a
/// message when the records already queued plus its `count` fit in
/// `max_queue`, or when the queue is empty (so one chunk larger than
/// `max_queue` is still accepted on its own rather than blocking forever).
/// Records the worker has taken into its batch no longer count: memory is
/// bounded by `max_queue + batch_size` records.
///
/// ```
/// use std::time::Duration;
/// use logxpy_core::{QueuePolicy, WriterConfig};
///
/// let config = WriterConfig {
///     path: "app.log".into(),
///     append: true,
///     policy: QueuePolicy::DropOldest,
///     flush_interval: Duration::from_millis(10),
///     ..WriterConfig::default()
/// };
/// assert_eq!(config.mode, 0o640);
/// assert!(config.validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriterConfig {
    /// The file `Writer::open` opens; ignored by `Writer::with_sink`.
    pub path: PathBuf,
    /// `true` keeps existing content ("a"); `false` truncates it once, at
    /// open ("w"). Writes always use `O_APPEND`, and reopen never truncates.
    pub append: bool,
    /// Permission bits for a file this writer creates (before the umask).
    pub mode: u32,
    /// Records that may wait in the queue; see the type's documentation.
    pub max_queue: usize,
    /// Records per `writev` batch.
    pub batch_size: usize,
    /// Once a batch has its first record, how long the worker waits for it
    /// to fill before writing what it has. Zero writes whatever is queued.
    /// (Records sent with [`Wake::Later`](crate::Wake::Later) to an idle
    /// worker wait for the wake instead.)
    pub flush_interval: Duration,
    /// What `send` does when the queue is full.
    pub policy: QueuePolicy,
    /// The bound `Drop` gives its shutdown; also how long a
    /// `QueuePolicy::Block` sender waits for room in front of a destination
    /// that keeps failing, before its records are dropped instead.
    pub shutdown_timeout: Duration,
    /// Size rotation of the file `Writer::open` opens; `None` (the default)
    /// never rotates. Ignored by `Writer::with_sink`.
    pub rotate: Option<Rotation>,
    /// The destination may end inside a line that an earlier writer left
    /// torn (it gave up at a shutdown deadline mid-write, see
    /// [`Writer::left_torn_line`](crate::Writer::left_torn_line)): write a
    /// line break before the first record, so the fragment stays one bad
    /// line and every record after it is whole.
    pub after_torn_line: bool,
    /// A circuit breaker for a destination that may stay down for long (a
    /// collector across the network): `None` (the default) has none. See
    /// [`Breaker`].
    pub breaker: Option<Breaker>,
}

/// The settings of size rotation (what to do, not the doing of it, which
/// is the rotating sink's): before a line would take the file past `size`
/// bytes, the writer thread renames `app.log.1`… to `app.log.2`… (the file in slot
/// `keep` is deleted), renames `app.log` to `app.log.1`, and goes on in a
/// fresh `app.log` created with the configured `mode`.
///
/// Lines are never split across files. A file holds more than `size` bytes
/// only when it holds a single line longer than `size`. With `compress`,
/// `app.log.1` is then gzipped to `app.log.1.gz` on a helper thread while
/// writing goes on; see [`Writer::flush`](crate::Writer::flush) for when
/// that is finished. Rotation applies to regular files only: a FIFO or a
/// device is written without it.
///
/// A rotation that fails (a rename refused, the new file cannot be created)
/// is counted in `Metrics::errors` and reported through `Hooks::on_error`
/// with `LOGXPY_ERR_WRITE`; lines go on into the current file, and the
/// rotation is tried again at the first write a second later (or right
/// after a `Writer::reopen`).
///
/// Rotation assumes this writer is the file's only writer: it counts the
/// bytes it writes instead of asking the file system each time.
///
/// ```
/// use logxpy_core::{Rotation, WriterConfig};
///
/// let config = WriterConfig {
///     path: "app.log".into(),
///     rotate: Some(Rotation { size: 100 << 20, keep: 5, compress: true }),
///     ..WriterConfig::default()
/// };
/// assert!(config.validate().is_ok());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rotation {
    /// The most bytes a file takes before the next line goes to a new one.
    pub size: u64,
    /// Rotated files kept: `app.log.1` (newest) to `app.log.<keep>`.
    pub keep: u32,
    /// Gzip each rotated file to `app.log.1.gz`, removing the original.
    pub compress: bool,
}

impl Default for WriterConfig {
    fn default() -> Self {
        WriterConfig {
            path: PathBuf::new(),
            append: false,
            mode: DEFAULT_MODE,
            max_queue: DEFAULT_MAX_QUEUE,
            batch_size: DEFAULT_BATCH_SIZE,
            flush_interval: DEFAULT_FLUSH_INTERVAL,
            policy: QueuePolicy::default(),
            shutdown_timeout: DEFAULT_SHUTDOWN_TIMEOUT,
            rotate: None,
            after_torn_line: false,
            breaker: None,
        }
    }
}

impl WriterConfig {
    /// Checks every option except `path`.
    ///
    /// # Errors
    ///
    /// `LOGXPY_ERR_OPTION`, naming the option and its allowed values.
    ///
    /// ```
    /// use logxpy_core::{WriterConfig, LOGXPY_ERR_OPTION};
    ///
    /// let config = WriterConfig { batch_size: 0, ..WriterConfig::default() };
    /// assert_eq!(config.validate().unwrap_err().code, LOGXPY_ERR_OPTION);
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        if self.max_queue == 0 || self.max_queue > MAX_QUEUE_LIMIT {
            return Err(Error::option(
                "max_queue",
                &format!("must be 1..={MAX_QUEUE_LIMIT}"),
            ));
        }
        if self.batch_size == 0 {
            return Err(Error::option("batch_size", "must be at least 1"));
        }
        if self.mode > 0o7777 {
            return Err(Error::option(
                "mode",
                "must be permission bits (at most 0o7777)",
            ));
        }
        if let Some(breaker) = &self.breaker
            && breaker.failures == 0
        {
            return Err(Error::option("breaker.failures", "must be at least 1"));
        }
        if let Some(rotation) = &self.rotate {
            if rotation.size == 0 {
                return Err(Error::option("rotate.size", "must be at least 1 byte"));
            }
            if rotation.keep == 0 {
                return Err(Error::option("rotate.keep", "must be at least 1"));
            }
        }
        Ok(())
    }
}
