//! The writer thread: collect a batch, write it, retry failures with
//! backoff, answer control messages, survive panics.

use std::io;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;
use std::sync::atomic::Ordering::SeqCst;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::backoff::Backoff;
use crate::batch::{Batch, Stall, WriteFailure};
use crate::circuit::{Breaker, CircuitState};
use crate::deadline::deadline_after;
use crate::error::Error;
use crate::hooks::ErrorHook;
use crate::message::{Control, Msg};
use crate::queue::{QueueReceiver, Received};
use crate::sink::Sink;
use crate::state::WriterState;

/// The name the writer threads carry in `top`, `gdb` and panic messages.
pub(crate) const THREAD_NAME: &str = "logxpy-writer";

/// Longest single wait for a sink's background work, so a shutdown deadline
/// set meanwhile is noticed within this time.
const SETTLE_SLICE: Duration = Duration::from_millis(100);

/// Where the thread is in its loop. A panic leaves `step` as it was, so the
/// restarted loop resumes the same step with the same batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// The batch is empty: sleep until a sender wakes the thread for the
    /// first message.
    Idle,
    /// The batch has records: take more until `batch_size` or `deadline`.
    Collecting { deadline: Instant },
    /// Write the batch, then answer the pending control message, if any.
    Writing,
    /// Shut down, or every sender is gone.
    Stopped,
}

/// The thread's own state (what it shares with the handle is `state`); it
/// lives outside `catch_unwind` so a panic loses none of it.
struct Worker {
    queue: QueueReceiver,
    sink: Box<dyn Sink>,
    state: Arc<WriterState>,
    on_error: Option<ErrorHook>,
    step: Step,
    batch: Batch,
    /// A control message waiting for the batch before it to be written.
    control: Option<Control>,
    batch_size: u64,
    flush_interval: Duration,
    backoff: Backoff,
    breaker: Option<Breaker>,
    /// Failed attempts since the last success.
    failures: u32,
    /// `Metrics::dropped` when the breaker opened, to say how many it cost.
    dropped_at_open: u64,
    /// Whether this open period's first probe was reported (later ones are not).
    probe_reported: bool,
}

/// What the writer thread is given to start.
pub(crate) struct WorkerConfig {
    pub(crate) batch_size: usize,
    pub(crate) flush_interval: Duration,
    pub(crate) breaker: Option<Breaker>,
}

/// Starts the writer thread.
pub(crate) fn spawn(
    sink: Box<dyn Sink>,
    queue: QueueReceiver,
    state: Arc<WriterState>,
    config: WorkerConfig,
    on_error: Option<ErrorHook>,
) -> io::Result<JoinHandle<()>> {
    let worker = Worker {
        queue,
        sink,
        state,
        on_error,
        step: Step::Idle,
        batch: Batch::default(),
        control: None,
        batch_size: config.batch_size as u64,
        flush_interval: config.flush_interval,
        backoff: Backoff::default(),
        breaker: config.breaker,
        failures: 0,
        dropped_at_open: 0,
        probe_reported: false,
    };
    thread::Builder::new()
        .name(THREAD_NAME.into())
        .spawn(move || worker.run_restarting())
}

impl Worker {
    /// Runs the loop until it stops, restarting it after each panic. The
    /// batch in flight is kept and written again from the byte where the
    /// sink last reported progress: nothing is lost, and nothing duplicated
    /// unless the panic came from inside a sink that had already written
    /// bytes it never reported.
    fn run_restarting(mut self) {
        while panic::catch_unwind(AssertUnwindSafe(|| self.run())).is_err() {
            self.state.counters.add_restart();
            // A panic that recurs at once must not turn into a hot loop.
            let wait = self.backoff.next();
            if self.pause(wait) {
                self.abandon();
                return;
            }
        }
    }

    fn run(&mut self) {
        loop {
            self.step = match self.step {
                Step::Idle => self.take_first(),
                Step::Collecting { deadline } => self.collect(deadline),
                Step::Writing => self.write(),
                Step::Stopped => return,
            };
        }
    }

    fn take_first(&mut self) -> Step {
        match self.queue.recv(None) {
            Received::Msg(msg) => self.accept(msg, deadline_after(self.flush_interval)),
            Received::Timeout => Step::Idle,
            Received::Disconnected => Step::Stopped,
        }
    }

    fn collect(&mut self, deadline: Instant) -> Step {
        if self.batch.records() >= self.batch_size {
            return Step::Writing;
        }
        match self.queue.recv(Some(deadline)) {
            Received::Msg(msg) => self.accept(msg, deadline),
            Received::Timeout | Received::Disconnected => Step::Writing,
        }
    }

    fn accept(&mut self, msg: Msg, deadline: Instant) -> Step {
        match msg {
            Msg::Records { bytes, count } => {
                self.batch.push(bytes, count);
                Step::Collecting { deadline }
            }
            Msg::Control(control) => {
                self.control = Some(control);
                Step::Writing
            }
        }
    }

    fn write(&mut self) -> Step {
        #[cfg(feature = "fault-injection")]
        if self.batch.records() > 0 {
            self.state.faults.before_batch();
        }
        match self.write_batch() {
            Ok(()) => self.answer_control(),
            Err(Abandoned) => {
                self.abandon();
                Step::Stopped
            }
        }
    }

    /// Writes the batch, retrying failures with backoff until they stop or
    /// the shutdown deadline passes. Every failure is counted and reported,
    /// and keeps `WriterState::failing` up to date for `Block` senders.
    fn write_batch(&mut self) -> Result<(), Abandoned> {
        loop {
            let state = &*self.state;
            let before = self.batch.progress();
            let written = self.batch.write_to(
                &mut *self.sink,
                &state.counters,
                &state.abandon_at,
                &Stall {
                    since: &state.stalled,
                    began: &|| self.queue.wake_senders(),
                },
            );
            self.report_sink_faults();
            let rejected = self.sink.take_rejected();
            if rejected > 0 {
                self.state.counters.reject(rejected);
            }
            match written {
                Ok(()) => {
                    self.backoff = Backoff::default();
                    self.state.failing.recover();
                    self.failures = 0;
                    self.close_circuit();
                    return Ok(());
                }
                Err(WriteFailure::Abandoned) => return Err(Abandoned),
                Err(WriteFailure::Io(err)) => {
                    if self.batch.progress() != before {
                        // Bytes went through before the failure: a new run.
                        self.state.failing.recover();
                    }
                    if self.state.failing.fail() {
                        // A sender waiting without a timeout must start
                        // watching the clock.
                        self.queue.wake_senders();
                    }
                    self.state.counters.add_error();
                    self.failures = self.failures.saturating_add(1);
                    // While the breaker is open its one report stands for the failed probes.
                    if !self.state.circuit.refuses()
                        && let Some(on_error) = &self.on_error
                    {
                        on_error(Error::write(&err));
                    }
                    let wait = self.wait_after_failure();
                    if self.pause(wait) {
                        return Err(Abandoned);
                    }
                    self.probe_if_open();
                }
            }
        }
    }

    /// How long to leave the destination alone after a failure: the
    /// backoff, or the breaker's cooldown once it is open (opening it
    /// here when the failures have reached its threshold), and never less
    /// than the destination asked for.
    fn wait_after_failure(&mut self) -> Duration {
        let asked = self.sink.retry_after().unwrap_or_default();
        let Some(breaker) = self.breaker else {
            return self.backoff.next().max(asked);
        };
        let circuit = &self.state.circuit;
        match circuit.state() {
            CircuitState::Closed => {
                let failing_for = self.state.failing.failing_for().unwrap_or_default();
                if self.failures < breaker.failures && failing_for < breaker.after {
                    return self.backoff.next().max(asked);
                }
                circuit.set(CircuitState::Open);
                self.dropped_at_open = self.state.counters.snapshot().dropped;
                self.probe_reported = false;
                // Block senders waiting for room must stop waiting now.
                self.queue.wake_senders();
                self.report(Error::circuit(format!(
                    "circuit open after {} failed attempt(s) over {:.1} s: new records are dropped (and counted) \
                     until the destination answers again; it is probed every {:.1} s",
                    self.failures,
                    failing_for.as_secs_f64(),
                    breaker.cooldown.as_secs_f64(),
                )));
            }
            CircuitState::HalfOpen => circuit.set(CircuitState::Open),
            CircuitState::Open => {}
        }
        breaker.cooldown.max(asked)
    }

    /// After an open breaker's cooldown: the next attempt is its probe.
    fn probe_if_open(&mut self) {
        if self.state.circuit.state() != CircuitState::Open {
            return;
        }
        self.state.circuit.set(CircuitState::HalfOpen);
        if !self.probe_reported {
            self.probe_reported = true;
            self.report(Error::circuit(
                "circuit half-open: probing the destination with the records it holds",
            ));
        }
    }

    /// A write went through: an open breaker closes.
    fn close_circuit(&mut self) {
        if !self.state.circuit.refuses() {
            return;
        }
        self.state.circuit.set(CircuitState::Closed);
        let dropped = self.state.counters.snapshot().dropped - self.dropped_at_open;
        self.report(Error::circuit(format!(
            "circuit closed: the destination answers again; {dropped} record(s) were dropped while it was open"
        )));
    }

    fn report(&self, err: Error) {
        if let Some(on_error) = &self.on_error {
            on_error(err);
        }
    }

    /// Counts and reports the failures the sink worked around (a rotation
    /// that could not be done), which are not failed writes of the batch.
    fn report_sink_faults(&mut self) {
        while let Some(err) = self.sink.take_fault() {
            self.state.counters.add_error();
            if let Some(on_error) = &self.on_error {
                on_error(err);
            }
        }
    }

    /// Waits for the sink's background work (compressing a rotated file)
    /// until it is done or the shutdown deadline passes, then reports what
    /// went wrong in it.
    fn settle_sink(&mut self) {
        while !self.sink.settle(SETTLE_SLICE) {
            let abandon_at = self.state.abandon_at.get();
            if abandon_at.is_some_and(|&at| Instant::now() >= at) {
                break;
            }
        }
        self.report_sink_faults();
    }

    /// Answers the control message that ended the batch. A panic while the
    /// sink settles leaves it in place, so the restarted loop answers it.
    /// A flush or a shutdown is answered once the sink's background work is
    /// done too, so that a flushed writer leaves its rotated files compressed.
    fn answer_control(&mut self) -> Step {
        if matches!(
            self.control,
            Some(Control::Flush { .. } | Control::Shutdown(_))
        ) {
            self.settle_sink();
        }
        match self.control.take() {
            None => Step::Idle,
            Some(Control::Flush { sync, ack }) => {
                let synced = !sync || self.sync_sink();
                ack.answer(synced);
                Step::Idle
            }
            Some(Control::Reopen(ack)) => {
                let _ = ack.send(self.sink.reopen().map_err(|err| Error::reopen(&err)));
                Step::Idle
            }
            Some(Control::Shutdown(ack)) => {
                let _ = ack.send(true);
                Step::Stopped
            }
        }
    }

    /// Syncs the destination's data to disk for a durable flush; a failure
    /// is counted and reported like a failed write.
    fn sync_sink(&mut self) -> bool {
        match self.sink.sync_data() {
            Ok(()) => true,
            Err(err) => {
                self.state.counters.add_error();
                if let Some(on_error) = &self.on_error {
                    on_error(Error::write(&err));
                }
                false
            }
        }
    }

    /// Gives up at the shutdown deadline: everything not written, in the
    /// batch or still queued, is counted as dropped; requests are answered
    /// with failure.
    fn abandon(&mut self) {
        let counters = &self.state.counters;
        let mut torn = self.batch.abandon(counters);
        if let Some(control) = self.control.take() {
            control.abandon();
        }
        // Shutdown closed the door before setting the deadline, so nothing
        // can arrive after this drain.
        while let Received::Msg(msg) = self.queue.recv(Some(Instant::now())) {
            match msg {
                // A line break no record paid for repairs a line an earlier
                // writer left torn: unwritten, the line is still torn.
                Msg::Records { count: 0, .. } => torn = true,
                Msg::Records { count, .. } => counters.add_dropped(count),
                Msg::Control(control) => control.abandon(),
            }
        }
        if torn {
            self.state.torn.store(true, SeqCst);
        }
    }

    /// Sleeps `duration` unless the shutdown deadline comes first (`true`).
    /// Shutdown unparks this thread after setting the deadline.
    fn pause(&self, duration: Duration) -> bool {
        let until = deadline_after(duration);
        loop {
            let now = Instant::now();
            let abandon_at = self.state.abandon_at.get().copied();
            if abandon_at.is_some_and(|at| now >= at) {
                return true;
            }
            if now >= until {
                return false;
            }
            let wake = abandon_at.map_or(until, |at| at.min(until));
            thread::park_timeout(wake - now);
        }
    }
}

/// The shutdown deadline passed before the batch could be written.
struct Abandoned;
