//! The handle callers hold: send, flush, reopen, shutdown, metrics.

use std::sync::atomic::{AtomicU64, Ordering::SeqCst};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle, Thread};
use std::time::{Duration, Instant};

use crossbeam_channel::{RecvTimeoutError, bounded};

use crate::config::WriterConfig;
use crate::deadline::deadline_after;
use crate::door::Door;
use crate::error::Error;
use crate::hooks::Hooks;
use crate::message::{Ack, Control, Msg};
use crate::metrics::Metrics;
use crate::policy::{Admission, Overflow};
use crate::queue::{QueueSender, Wake, queue, wake_at};
use crate::sink::{FileSink, RotatingFileSink, Sink};
use crate::state::WriterState;
use crate::worker;

/// The most a shutdown keeps back from its timeout so that the writer
/// thread can count what it abandons before `shutdown` returns.
const ABANDON_MARGIN: Duration = Duration::from_millis(10);

/// The most a shutdown waits for a destination whose breaker is open: long
/// enough for the thread to count what it abandons.
const OPEN_CIRCUIT_SHUTDOWN: Duration = Duration::from_millis(50);

/// How long past its deadline a shutdown waits for a thread that gave up
/// to end. A thread that waits for a full pipe or backs off after a
/// failure notices the deadline at once; only one stuck inside a single
/// blocking write (a regular file on a hung disk) can outlast this.
const JOIN_GRACE: Duration = Duration::from_millis(200);

/// A background writer: one thread (`logxpy-writer`) draining a bounded
/// queue into one destination with batched `writev`.
///
/// `Writer` is `Send + Sync`; any number of threads may share one. Each
/// message is written whole and in the order the queue received it, so
/// lines from different senders never interleave or tear. Dropping the
/// writer shuts it down with `WriterConfig::shutdown_timeout`.
///
/// ```
/// use std::time::Duration;
/// use logxpy_core::{Hooks, Writer, WriterConfig};
///
/// let path = std::env::temp_dir().join(format!("logxpy-doc-{}.log", std::process::id()));
/// let config = WriterConfig { path: path.clone(), ..WriterConfig::default() };
/// let writer = Writer::open(config, Hooks::default())?;
///
/// writer.send(b"{\"msg\":\"one\"}\n".to_vec(), 1)?;
/// writer.send_copy(b"{\"msg\":\"two\"}\n{\"msg\":\"three\"}\n", 2)?;
/// assert!(writer.flush(Duration::from_secs(5)));
/// assert_eq!(std::fs::read_to_string(&path)?.lines().count(), 3);
///
/// assert!(writer.shutdown(Duration::from_secs(5)));
/// assert_eq!(writer.metrics().written, 3);
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Writer {
    queue: QueueSender,
    door: Door,
    overflow: Overflow,
    state: Arc<WriterState>,
    thread: Thread,
    join: Mutex<Option<JoinHandle<()>>>,
    shutdown_timeout: Duration,
    /// See [`Writer::rotation_seq`].
    switches: Arc<AtomicU64>,
}

impl Writer {
    /// Opens `config.path` (see [`FileSink::open`]) and starts the writer.
    ///
    /// # Errors
    ///
    /// `LOGXPY_ERR_OPTION` for a bad option, checked before the file is
    /// touched; `LOGXPY_ERR_OPEN` with the errno name if the file cannot be
    /// opened or the thread cannot start.
    ///
    /// ```
    /// use logxpy_core::{Hooks, Writer, WriterConfig, LOGXPY_ERR_OPEN};
    ///
    /// let config = WriterConfig { path: "/nonexistent/dir/app.log".into(), ..WriterConfig::default() };
    /// let err = Writer::open(config, Hooks::default()).err().unwrap();
    /// assert_eq!((err.code, err.errno_name), (LOGXPY_ERR_OPEN, Some("ENOENT")));
    /// ```
    pub fn open(config: WriterConfig, hooks: Hooks) -> Result<Writer, Error> {
        config.validate()?;
        if config.path.as_os_str().is_empty() {
            return Err(Error::option("path", "must not be empty"));
        }
        let file = FileSink::open(&config.path, config.append, config.mode)?;
        // FileSink::open ends a regular file's torn last line itself, by looking at it.
        let config = WriterConfig {
            after_torn_line: config.after_torn_line && !file.is_regular(),
            ..config
        };
        let switches = Arc::new(AtomicU64::new(0));
        let sink = match config.rotate {
            None => Box::new(file),
            Some(rotation) => RotatingFileSink::wrap(file, rotation, Arc::clone(&switches))?,
        };
        Writer::start(sink, &config, hooks, switches)
    }

    /// Starts a writer on any [`Sink`]; `path`, `append`, `mode` and
    /// `rotate` are not used.
    ///
    /// # Errors
    ///
    /// `LOGXPY_ERR_OPTION` for a bad option; `LOGXPY_ERR_OPEN` if the
    /// thread cannot start.
    ///
    /// ```
    /// use logxpy_core::{FdSink, Hooks, Writer, WriterConfig};
    ///
    /// let stdout = Writer::with_sink(Box::new(FdSink::new(1)), WriterConfig::default(), Hooks::default())?;
    /// stdout.send(b"hello\n".to_vec(), 1)?;
    /// # Ok::<(), logxpy_core::Error>(())
    /// ```
    pub fn with_sink(
        sink: Box<dyn Sink>,
        config: WriterConfig,
        hooks: Hooks,
    ) -> Result<Writer, Error> {
        config.validate()?;
        Writer::start(sink, &config, hooks, Arc::default())
    }

    fn start(
        sink: Box<dyn Sink>,
        config: &WriterConfig,
        hooks: Hooks,
        switches: Arc<AtomicU64>,
    ) -> Result<Writer, Error> {
        let (sender, receiver) = queue(
            config.max_queue,
            wake_at(config.max_queue, config.batch_size),
        );
        let state = Arc::new(WriterState::default());
        let join = worker::spawn(
            sink,
            receiver,
            state.clone(),
            worker::WorkerConfig {
                batch_size: config.batch_size,
                flush_interval: config.flush_interval,
                breaker: config.breaker,
            },
            hooks.on_error,
        )
        .map_err(|err| Error::spawn(&err))?;
        sender.set_receiver_thread(join.thread().clone());
        if config.after_torn_line {
            sender.push_unbudgeted(b"\n".to_vec());
        }
        Ok(Writer {
            queue: sender,
            door: Door::new(),
            overflow: Overflow::new(config.policy, hooks.on_warn, config.shutdown_timeout),
            state,
            thread: join.thread().clone(),
            join: Mutex::new(Some(join)),
            shutdown_timeout: config.shutdown_timeout,
            switches,
        })
    }

    /// Queues `bytes`, holding `count` whole lines (0 is taken as 1), under
    /// the queue policy. A record the policy drops is counted, not an error;
    /// this includes `Block` giving up on a destination that has been
    /// failing for longer than `WriterConfig::shutdown_timeout`.
    ///
    /// # Errors
    ///
    /// `LOGXPY_ERR_CLOSED` once shutdown has begun; a `Block` sender
    /// waiting for room then gives up the same way.
    ///
    /// ```
    /// # use logxpy_core::{FdSink, Hooks, Writer, WriterConfig, LOGXPY_ERR_CLOSED};
    /// # use std::time::Duration;
    /// let writer = Writer::with_sink(Box::new(FdSink::new(1)), WriterConfig::default(), Hooks::default())?;
    /// writer.send(b"a\nb\n".to_vec(), 2)?;
    /// writer.shutdown(Duration::from_secs(1));
    /// assert_eq!(writer.send(b"c\n".to_vec(), 1).unwrap_err().code, LOGXPY_ERR_CLOSED);
    /// # Ok::<(), logxpy_core::Error>(())
    /// ```
    pub fn send(&self, bytes: Vec<u8>, count: u32) -> Result<(), Error> {
        self.send_with(bytes, count, Wake::Now)
    }

    /// As [`send`](Writer::send), waking the writer thread as `wake` says.
    /// With [`Wake::Later`] the caller owes a [`wake`](Writer::wake): the
    /// records may wait for it (or until four batches, at most half of
    /// `max_queue`, are queued). Waking an idle thread costs a sender more
    /// than the rest of a send, so a caller that sends several batches in a
    /// row, as an event loop does in one turn, wakes it once after the last.
    ///
    /// # Errors
    ///
    /// As [`send`](Writer::send).
    ///
    /// ```
    /// # use logxpy_core::{FdSink, Hooks, Wake, Writer, WriterConfig};
    /// let writer = Writer::with_sink(Box::new(FdSink::new(1)), WriterConfig::default(), Hooks::default())?;
    /// writer.send_with(b"a\n".to_vec(), 1, Wake::Later)?;
    /// writer.send_with(b"b\n".to_vec(), 1, Wake::Later)?;
    /// writer.wake();
    /// # Ok::<(), logxpy_core::Error>(())
    /// ```
    pub fn send_with(&self, bytes: Vec<u8>, count: u32, wake: Wake) -> Result<(), Error> {
        let records = u64::from(count.max(1));
        let Some(_pass) = self.door.enter() else {
            return Err(Error::closed());
        };
        let WriterState {
            counters, circuit, ..
        } = &*self.state;
        let admission = if circuit.refuses() {
            Admission::Refused
        } else {
            self.overflow
                .admit(records, &self.queue, &self.state, || self.door.is_closed())
        };
        match admission {
            Admission::Admitted => {
                counters.add_enqueued(records);
                // Only fails if the thread's end is gone, which this handle
                // prevents; even then the metrics stay exact.
                let pushed = self.queue.push_records(bytes, records, wake);
                pushed.inspect_err(|_| counters.add_dropped(records))
            }
            Admission::Refused => {
                counters.add_enqueued(records);
                counters.add_dropped(records);
                self.overflow.refused(records);
                Ok(())
            }
            Admission::Closed => Err(Error::closed()),
        }
    }

    /// As [`send`](Writer::send), copying `bytes` first: the writer never
    /// keeps a caller's buffer alive.
    ///
    /// # Errors
    ///
    /// As [`send`](Writer::send).
    pub fn send_copy(&self, bytes: &[u8], count: u32) -> Result<(), Error> {
        self.send(bytes.to_vec(), count)
    }

    /// Wakes the writer thread for the records sent with [`Wake::Later`].
    /// Cheap when the thread is awake already.
    pub fn wake(&self) {
        self.queue.ring();
    }

    /// Returns `true` once every record sent before this call is written,
    /// `false` if `timeout` passed first. The request queues behind those
    /// records (even when `Block` has filled the queue) and is acknowledged
    /// by the writer thread. After shutdown, and while the writer's breaker
    /// is open (its destination is down), it does not wait: it reports
    /// whether nothing is pending.
    ///
    /// With [`Rotation::compress`](crate::Rotation::compress), the
    /// acknowledgement also waits for the compression of the last rotated
    /// file to finish (writing pauses meanwhile): after a `true`, every
    /// rotated file is in its final form, `app.log.N.gz`. Faults met in
    /// compressing are reported before the acknowledgement.
    ///
    /// ```
    /// # use logxpy_core::{FdSink, Hooks, Writer, WriterConfig};
    /// # use std::time::Duration;
    /// let writer = Writer::with_sink(Box::new(FdSink::new(1)), WriterConfig::default(), Hooks::default())?;
    /// writer.send(b"line\n".to_vec(), 1)?;
    /// assert!(writer.flush(Duration::from_secs(5)));
    /// assert_eq!(writer.metrics().pending, 0);
    /// # Ok::<(), logxpy_core::Error>(())
    /// ```
    pub fn flush(&self, timeout: Duration) -> bool {
        // A destination whose breaker is open is not waited for: it is known to be down.
        if timeout.is_zero() || self.state.circuit.refuses() {
            // Nothing can be waited for: say whether anything is left.
            return self.metrics().pending == 0;
        }
        let deadline = deadline_after(timeout);
        let (done, answer) = bounded(1);
        let ack = Ack::new(move |written| {
            let _ = done.send(written);
        });
        if !self.request_flush(false, ack, deadline) {
            return self.is_closed() && self.metrics().pending == 0;
        }
        answer.recv_deadline(deadline) == Ok(true)
    }

    /// Asks for a flush without waiting for it: `answer` is called once,
    /// on the writer thread (or here), with `true` when every record sent
    /// before this call is written, and with `sync` also synced to disk
    /// (`fdatasync`, for a regular file); with `false` when the writer gave
    /// up on them or failed to sync. Returns `false`, not calling
    /// `answer`, when the request could not be queued: the writer is
    /// closed, or more than a few control messages are waiting already.
    /// While the writer's breaker is open, `answer` is called at once, here,
    /// with whether nothing is pending.
    ///
    /// ```
    /// # use logxpy_core::{FdSink, Hooks, Writer, WriterConfig};
    /// # use std::time::Duration;
    /// let writer = Writer::with_sink(Box::new(FdSink::new(1)), WriterConfig::default(), Hooks::default())?;
    /// let (done, answer) = std::sync::mpsc::channel();
    /// writer.send(b"line\n".to_vec(), 1)?;
    /// assert!(writer.flush_then(false, move |written| done.send(written).unwrap()));
    /// assert_eq!(answer.recv_timeout(Duration::from_secs(5)), Ok(true));
    /// # Ok::<(), logxpy_core::Error>(())
    /// ```
    pub fn flush_then(&self, sync: bool, answer: impl FnOnce(bool) + Send + 'static) -> bool {
        // As in `flush`: a destination whose breaker is open is not waited for.
        if self.state.circuit.refuses() && !self.is_closed() {
            answer(self.metrics().pending == 0);
            return true;
        }
        self.request_flush(sync, Ack::new(answer), Instant::now())
    }

    fn request_flush(&self, sync: bool, ack: Ack, deadline: Instant) -> bool {
        let Some(_pass) = self.door.enter() else {
            ack.disarm();
            return false;
        };
        match self
            .queue
            .push_control(Msg::Control(Control::Flush { sync, ack }), deadline)
        {
            Ok(()) => true,
            Err(Msg::Control(Control::Flush { ack, .. })) => {
                ack.disarm();
                false
            }
            Err(_) => false,
        }
    }

    /// Whether shutdown has begun.
    pub fn is_closed(&self) -> bool {
        self.door.is_closed()
    }

    /// Whether the writer gave up (at a shutdown deadline) with its
    /// destination left inside a line: the next writer to that place
    /// should start with a line break ([`WriterConfig::after_torn_line`]).
    pub fn left_torn_line(&self) -> bool {
        self.state.torn.load(SeqCst)
    }

    /// Writes everything sent before this call to the current destination,
    /// then reopens it by its path (after logrotate renamed the file); the
    /// next records go to the new file.
    ///
    /// # Errors
    ///
    /// `LOGXPY_ERR_OPEN` with the errno name if the path cannot be opened
    /// (the old file stays in use); `LOGXPY_ERR_TIMEOUT`; `LOGXPY_ERR_CLOSED`.
    ///
    /// ```
    /// # use logxpy_core::{FdSink, Hooks, Writer, WriterConfig};
    /// # use std::time::Duration;
    /// let writer = Writer::with_sink(Box::new(FdSink::new(1)), WriterConfig::default(), Hooks::default())?;
    /// writer.reopen(Duration::from_secs(5))?; // a borrowed fd has nothing to reopen
    /// # Ok::<(), logxpy_core::Error>(())
    /// ```
    pub fn reopen(&self, timeout: Duration) -> Result<(), Error> {
        let deadline = deadline_after(timeout);
        let (ack, result) = bounded(1);
        {
            let Some(_pass) = self.door.enter() else {
                return Err(Error::closed());
            };
            if self
                .queue
                .push_control(Msg::Control(Control::Reopen(ack)), deadline)
                .is_err()
            {
                return Err(Error::timeout("reopen"));
            }
        }
        match result.recv_deadline(deadline) {
            Ok(outcome) => outcome,
            Err(RecvTimeoutError::Timeout) => Err(Error::timeout("reopen")),
            Err(RecvTimeoutError::Disconnected) => Err(Error::closed()),
        }
    }

    /// Stops accepting records, writes everything queued, and stops the
    /// thread, within `timeout`. Returns `true` if all was written.
    ///
    /// If the destination keeps failing (or stays full) until just before
    /// the deadline, the thread gives up: what it could not write is
    /// counted in `dropped`, so the metrics stay exact, and this returns
    /// `false`. A destination blocked inside a write cannot be abandoned:
    /// then this returns `false` at the deadline, its records stay
    /// `pending`, and the thread is left to finish on its own.
    ///
    /// Only the first call shuts down; later ones report whether nothing
    /// is pending. While the writer's breaker is open, what is queued is
    /// given up on (counted as dropped) without waiting for the timeout.
    ///
    /// ```
    /// # use logxpy_core::{FdSink, Hooks, Writer, WriterConfig};
    /// # use std::time::Duration;
    /// let writer = Writer::with_sink(Box::new(FdSink::new(1)), WriterConfig::default(), Hooks::default())?;
    /// writer.send(b"last words\n".to_vec(), 1)?;
    /// assert!(writer.shutdown(Duration::from_secs(5)));
    /// # Ok::<(), logxpy_core::Error>(())
    /// ```
    pub fn shutdown(&self, timeout: Duration) -> bool {
        // With the breaker open the destination is known to be down: what is queued is given up
        // on at once (counted as dropped) rather than waited for until the timeout.
        let timeout = if self.state.circuit.refuses() {
            timeout.min(OPEN_CIRCUIT_SHUTDOWN)
        } else {
            timeout
        };
        let deadline = deadline_after(timeout);
        if !self.door.close() {
            return self.metrics().pending == 0;
        }
        let dropped_before = self.metrics().dropped;
        self.queue.budget().wake_all();
        self.door.wait_empty(deadline);
        let margin = (timeout / 10).min(ABANDON_MARGIN);
        let _ = self
            .state
            .abandon_at
            .set(deadline.checked_sub(margin).unwrap_or(deadline));
        self.thread.unpark();
        let (ack, acked) = bounded(1);
        let clean = self
            .queue
            .push_control(Msg::Control(Control::Shutdown(ack)), deadline)
            .is_ok()
            && acked.recv_deadline(deadline) == Ok(true);
        let mut join = self.join.lock().unwrap_or_else(PoisonError::into_inner);
        let grace = deadline_after(JOIN_GRACE);
        while !clean && join.as_ref().is_some_and(|handle| !handle.is_finished()) {
            if Instant::now() >= grace {
                return false; // stuck inside a write: it ends on its own
            }
            thread::sleep(Duration::from_millis(1));
        }
        // The thread has answered or ended: joining cannot block long.
        if let Some(handle) = join.take() {
            let _ = handle.join();
        }
        // A deadline too short for the thread's answer is no failure when it
        // ended with everything written.
        let m = self.metrics();
        clean || (m.pending == 0 && m.dropped == dropped_before)
    }

    /// A sequence lock over the writer's own file switches (rotations): odd
    /// while one is under way, even otherwise, two more after each. It lets
    /// a caller that watches the path for the file being moved away tell
    /// the writer's rotations from someone else's doing: read it before and
    /// after looking at the path; if it changed, or was odd, the writer
    /// moved the file. Always 0 without [`WriterConfig::rotate`].
    ///
    /// ```
    /// # use logxpy_core::{FdSink, Hooks, Writer, WriterConfig};
    /// let writer = Writer::with_sink(Box::new(FdSink::new(1)), WriterConfig::default(), Hooks::default())?;
    /// assert_eq!(writer.rotation_seq(), 0);
    /// # Ok::<(), logxpy_core::Error>(())
    /// ```
    pub fn rotation_seq(&self) -> u64 {
        self.switches.load(SeqCst)
    }

    /// The bound `Drop` gives its shutdown ([`WriterConfig::shutdown_timeout`]).
    pub fn shutdown_timeout(&self) -> Duration {
        self.shutdown_timeout
    }

    /// A snapshot of the counters.
    ///
    /// ```
    /// # use logxpy_core::{FdSink, Hooks, Writer, WriterConfig};
    /// let writer = Writer::with_sink(Box::new(FdSink::new(1)), WriterConfig::default(), Hooks::default())?;
    /// let m = writer.metrics();
    /// assert_eq!(m.enqueued, m.written + m.dropped + m.pending);
    /// # Ok::<(), logxpy_core::Error>(())
    /// ```
    pub fn metrics(&self) -> Metrics {
        self.state.counters.snapshot()
    }

    /// Makes the writer thread panic before its `n`-th next non-empty batch
    /// (0 disarms). For tests of panic recovery only.
    #[cfg(feature = "fault-injection")]
    #[doc(hidden)]
    pub fn inject_panic_before_batch(&self, n: u64) {
        self.state.faults.panic_before_batch(n);
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.shutdown(self.shutdown_timeout);
    }
}
