//! Failing destinations: counted, reported, retried, and bounded by shutdown.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{
    EIO, ENOSPC, PATIENCE, Script, batches_of, lines, mock_writer, reporting_hooks, send_lines,
    send_lines_on_a_thread, text,
};
use logxpy_core::{Hooks, LOGXPY_ERR_WRITE, QueuePolicy, Writer, WriterConfig};

#[test]
fn a_sink_failing_n_times_with_enospc_is_retried_until_it_recovers_and_writes_each_record_once() {
    const FAILURES: usize = 4;
    let script = Script {
        failures: FAILURES,
        errno: ENOSPC,
        ..Script::default()
    };
    let (hooks, errors, _warnings) = reporting_hooks();
    let (writer, mock) = mock_writer(script, batches_of(10), hooks);
    send_lines(&writer, 0..50);
    assert!(writer.flush(PATIENCE));
    assert_eq!(text(&mock.data()), text(&lines(0..50)));
    let m = writer.metrics();
    assert_eq!(
        (m.errors, m.written, m.dropped, m.pending),
        (FAILURES as u64, 50, 0, 0)
    );
    let reported: Vec<_> = errors.try_iter().collect();
    assert_eq!(reported.len(), FAILURES);
    for err in reported {
        let expected = (LOGXPY_ERR_WRITE, Some(ENOSPC), Some("ENOSPC"));
        assert_eq!((err.code, err.errno, err.errno_name), expected);
    }
}

#[cfg(unix)] // Windows has no /dev/full
#[test]
fn dev_full_reports_enospc_and_a_short_shutdown_counts_the_abandoned_records_as_dropped() {
    let (hooks, errors, _warnings) = reporting_hooks();
    let config = WriterConfig {
        path: "/dev/full".into(),
        append: true,
        ..batches_of(4)
    };
    let writer = Writer::open(config, hooks).unwrap();
    send_lines(&writer, 0..10);
    assert!(!writer.flush(Duration::from_millis(50)));
    let err = errors.recv_timeout(PATIENCE).expect("an error is reported");
    assert_eq!(
        (err.code, err.errno_name),
        (LOGXPY_ERR_WRITE, Some("ENOSPC")),
        "{err}"
    );
    assert!(!writer.shutdown(Duration::from_millis(200)));
    let m = writer.metrics();
    assert_eq!(
        (m.enqueued, m.written, m.dropped, m.pending),
        (10, 0, 10, 0)
    );
    assert!(m.errors >= 1);
}

#[test]
fn shutdown_keeps_its_timeout_when_the_sink_never_recovers() {
    let script = Script {
        fail_forever: true,
        errno: EIO,
        ..Script::default()
    };
    let (writer, _mock) = mock_writer(script, batches_of(2), Hooks::default());
    send_lines(&writer, 0..5);
    let started = Instant::now();
    // The backoff has grown past the timeout by then; shutdown must not wait for it.
    assert!(!writer.flush(Duration::from_millis(700)));
    assert!(!writer.shutdown(Duration::from_millis(300)));
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_millis(700 + 300 + 500),
        "took {elapsed:?}"
    );
    let m = writer.metrics();
    assert_eq!((m.written, m.dropped, m.pending), (0, 5, 0));
}

#[test]
fn shutdown_returns_at_its_timeout_when_the_sink_blocks_forever_leaving_the_records_pending() {
    let script = Script {
        gated: true,
        ..Script::default()
    };
    let (writer, mut mock) = mock_writer(script, batches_of(1), Hooks::default());
    send_lines(&writer, 0..3);
    mock.wait_for_call();
    let started = Instant::now();
    assert!(!writer.shutdown(Duration::from_millis(200)));
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(
        writer.metrics().pending,
        3,
        "a write in progress cannot be abandoned"
    );
    mock.open_gate(); // let the detached thread finish
}

/// `Block` options for the failing-destination tests: 10 queued records, 4
/// per batch, a failing destination waited for 300 ms.
fn block_on_a_failing_destination() -> WriterConfig {
    WriterConfig {
        max_queue: 10,
        policy: QueuePolicy::Block,
        shutdown_timeout: Duration::from_millis(300),
        ..batches_of(4)
    }
}

/// Sends 100 records to a writer whose destination never accepts one: the
/// first batch (4) and a full queue (10) stay pending, the other 86 are
/// dropped once the destination has failed for the shutdown timeout.
fn send_100_records_to_a_failing_destination(writer: Writer) {
    let writer = Arc::new(writer);
    let started = Instant::now();
    let sent = send_lines_on_a_thread(&writer, 0..100);
    sent.recv_timeout(PATIENCE)
        .expect("Block hangs on a destination that keeps failing");
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "a failing destination is waited for the shutdown timeout first"
    );
    let m = writer.metrics();
    assert_eq!(
        (m.enqueued, m.written, m.dropped, m.pending),
        (100, 0, 86, 14)
    );
    assert!(m.errors >= 1);
    assert!(!writer.shutdown(Duration::from_millis(300)));
    let m = writer.metrics();
    assert_eq!(
        (m.enqueued, m.written, m.dropped, m.pending),
        (100, 0, 100, 0)
    );
}

#[test]
fn block_on_a_destination_failing_longer_than_the_shutdown_timeout_drops_instead_of_hanging() {
    let script = Script {
        fail_forever: true,
        errno: ENOSPC,
        ..Script::default()
    };
    let config = block_on_a_failing_destination();
    let (writer, _mock) = mock_writer(script, config, Hooks::default());
    send_100_records_to_a_failing_destination(writer);
}

#[cfg(unix)] // Windows has no /dev/full
#[test]
fn block_on_dev_full_drops_instead_of_hanging_once_it_has_failed_for_the_shutdown_timeout() {
    let config = WriterConfig {
        path: "/dev/full".into(),
        append: true,
        ..block_on_a_failing_destination()
    };
    let writer = Writer::open(config, Hooks::default()).unwrap();
    send_100_records_to_a_failing_destination(writer);
}
