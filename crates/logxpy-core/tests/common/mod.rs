//! Helpers shared by the test files: records, a temporary directory, and a
//! scriptable mock sink. Each test binary uses only some of them.
#![allow(dead_code)]

use std::io::{self, IoSlice};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender, bounded, unbounded};
use logxpy_core::{Error, Hooks, Sink, Writer, WriterConfig};

/// Long enough that a test only fails on it when something is stuck.
pub const PATIENCE: Duration = Duration::from_secs(10);

// The OS numbers a mock sink fails with: errnos on Unix, Windows error codes
// (ERROR_DISK_FULL, ERROR_IO_DEVICE) on Windows; `errno_name` calls both
// "ENOSPC" and "EIO".
#[cfg(unix)]
pub const ENOSPC: i32 = libc::ENOSPC;
#[cfg(unix)]
pub const EIO: i32 = libc::EIO;
#[cfg(windows)]
pub const ENOSPC: i32 = 112;
#[cfg(windows)]
pub const EIO: i32 = 1117;

/// Record `n`, one JSON line; lengths vary so a torn line cannot pass.
pub fn line(n: usize) -> Vec<u8> {
    format!("{{\"n\":{n},\"pad\":\"{}\"}}\n", "x".repeat(n % 37)).into_bytes()
}

/// Records `ns`, concatenated, as the file should hold them.
pub fn lines(ns: impl IntoIterator<Item = usize>) -> Vec<u8> {
    ns.into_iter().flat_map(line).collect()
}

/// Writer options for tests: batches by count only unless a test says so.
pub fn config() -> WriterConfig {
    WriterConfig {
        flush_interval: Duration::from_secs(3600),
        ..WriterConfig::default()
    }
}

/// Error and warning hooks that forward to channels.
pub fn reporting_hooks() -> (Hooks, Receiver<Error>, Receiver<u64>) {
    let (errors_tx, errors) = unbounded();
    let (warnings_tx, warnings) = unbounded();
    let hooks = Hooks {
        on_error: Some(Box::new(move |err| {
            let _ = errors_tx.send(err);
        })),
        on_warn: Some(Box::new(move |dropped| {
            let _ = warnings_tx.send(dropped);
        })),
    };
    (hooks, errors, warnings)
}

/// A directory removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "logxpy-core-test-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, SeqCst)
        );
        let dir = std::env::temp_dir().join(name);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).expect("read log file")
}

/// Turns bytes into text for readable assertion failures.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// How a `MockSink` behaves.
#[derive(Default, Clone, Copy)]
pub struct Script {
    /// Accept at most this many bytes per call (short writes).
    pub max_bytes_per_call: Option<usize>,
    /// Fail this many calls with `errno` before working.
    pub failures: usize,
    /// Fail every call with `errno` (until `Mock::recover`).
    pub fail_forever: bool,
    pub errno: i32,
    /// Hold each call until the test opens the gate.
    pub gated: bool,
}

/// The test's side of a mock sink.
pub struct Mock {
    state: Arc<MockState>,
    gate: Option<Sender<()>>,
    /// One event per call that reached the sink: the number of slices.
    pub calls: Receiver<usize>,
}

struct MockState {
    script: Script,
    data: Mutex<Vec<u8>>,
    slices_per_call: Mutex<Vec<usize>>,
    calls_made: AtomicUsize,
    recovered: AtomicBool,
}

struct MockSink {
    state: Arc<MockState>,
    gate: Option<Receiver<()>>,
    calls: Sender<usize>,
}

/// A sink that follows `script`, and the handle to observe it.
pub fn mock(script: Script) -> (Box<dyn Sink>, Mock) {
    let state = Arc::new(MockState {
        script,
        data: Mutex::default(),
        slices_per_call: Mutex::default(),
        calls_made: AtomicUsize::new(0),
        recovered: AtomicBool::new(false),
    });
    let (gate_tx, gate_rx) = bounded(0);
    let (calls_tx, calls) = unbounded();
    let (gate_tx, gate_rx) = if script.gated {
        (Some(gate_tx), Some(gate_rx))
    } else {
        (None, None)
    };
    let sink = MockSink {
        state: state.clone(),
        gate: gate_rx,
        calls: calls_tx,
    };
    (
        Box::new(sink),
        Mock {
            state,
            gate: gate_tx,
            calls,
        },
    )
}

impl Sink for MockSink {
    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        let _ = self.calls.send(bufs.len());
        if let Some(gate) = &self.gate {
            let _ = gate.recv(); // returns once the test drops the gate's sender
        }
        let script = self.state.script;
        let call = self.state.calls_made.fetch_add(1, SeqCst);
        let failing_forever = script.fail_forever && !self.state.recovered.load(SeqCst);
        if failing_forever || call < script.failures {
            return Err(io::Error::from_raw_os_error(script.errno));
        }
        self.state.slices_per_call.lock().unwrap().push(bufs.len());
        let mut budget = script.max_bytes_per_call.unwrap_or(usize::MAX);
        let mut data = self.state.data.lock().unwrap();
        let before = data.len();
        for buf in bufs {
            let take = buf.len().min(budget);
            data.extend_from_slice(&buf[..take]);
            budget -= take;
        }
        Ok(data.len() - before)
    }
}

impl Mock {
    /// Everything the sink accepted.
    pub fn data(&self) -> Vec<u8> {
        self.state.data.lock().unwrap().clone()
    }

    /// Slices offered by each call the sink accepted.
    pub fn slices_per_call(&self) -> Vec<usize> {
        self.state.slices_per_call.lock().unwrap().clone()
    }

    /// Waits until the writer thread is inside a sink call.
    pub fn wait_for_call(&self) -> usize {
        self.calls
            .recv_timeout(PATIENCE)
            .expect("the writer never called the sink")
    }

    /// Lets every held and future call through.
    pub fn open_gate(&mut self) {
        self.gate = None;
    }

    /// Lets one call through the gate, waiting until a call takes it.
    pub fn let_one_call_through(&self) {
        let gate = self.gate.as_ref().expect("a gated mock");
        gate.send_timeout((), PATIENCE)
            .expect("the writer never reached the gate");
    }

    /// Ends `fail_forever`: later calls succeed.
    pub fn recover(&self) {
        self.state.recovered.store(true, SeqCst);
    }
}

/// A writer on `sink` with `config` and no hooks.
pub fn writer(sink: Box<dyn Sink>, config: WriterConfig) -> Writer {
    Writer::with_sink(sink, config, Hooks::default()).expect("valid config")
}

/// A writer on a mock sink that follows `script`.
pub fn mock_writer(script: Script, config: WriterConfig, hooks: Hooks) -> (Writer, Mock) {
    let (sink, mock) = mock(script);
    let writer = Writer::with_sink(sink, config, hooks).expect("valid config");
    (writer, mock)
}

/// Test options with batches of `batch_size` records, written by count only.
pub fn batches_of(batch_size: usize) -> WriterConfig {
    WriterConfig {
        batch_size,
        ..config()
    }
}

/// Sends records `ns`, one message each.
pub fn send_lines(writer: &Writer, ns: std::ops::Range<usize>) {
    ns.for_each(|n| writer.send(line(n), 1).expect("send"));
}

/// Sends records `ns`, one message each, on a thread of their own; the
/// receiver gets `()` once they are all sent. The thread is not scoped, so a
/// send stuck for good fails the test (on a timed receive) rather than hang it.
pub fn send_lines_on_a_thread(writer: &Arc<Writer>, ns: std::ops::Range<usize>) -> Receiver<()> {
    let (sent_tx, sent) = bounded(1);
    let writer = Arc::clone(writer);
    std::thread::spawn(move || {
        send_lines(&writer, ns);
        let _ = sent_tx.send(());
    });
    sent
}
