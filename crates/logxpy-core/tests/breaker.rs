//! The circuit breaker: a destination that keeps failing stops holding up
//! `Block` senders, is probed after a cooldown, and takes records again once
//! it answers; each transition is reported once.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{
    EIO, PATIENCE, Script, batches_of, lines, mock_writer, reporting_hooks, send_lines,
    send_lines_on_a_thread, text,
};
use logxpy_core::{
    Breaker, Error, LOGXPY_ERR_CIRCUIT, LOGXPY_ERR_WRITE, QueuePolicy, WriterConfig,
};

fn failing_forever() -> Script {
    Script {
        fail_forever: true,
        errno: EIO,
        ..Script::default()
    }
}

fn with_breaker(failures: u32, after: Duration) -> WriterConfig {
    WriterConfig {
        max_queue: 10,
        policy: QueuePolicy::Block,
        // Longer than the test: only the breaker can free a blocked sender.
        shutdown_timeout: Duration::from_secs(600),
        breaker: Some(Breaker {
            failures,
            after,
            cooldown: Duration::from_millis(100),
        }),
        ..batches_of(5)
    }
}

fn next_circuit_report(errors: &crossbeam_channel::Receiver<Error>) -> Error {
    loop {
        let err = errors.recv_timeout(PATIENCE).expect("a circuit report");
        if err.code == LOGXPY_ERR_CIRCUIT {
            return err;
        }
        assert_eq!(err.code, LOGXPY_ERR_WRITE, "{err}");
    }
}

#[test]
fn block_senders_are_let_go_once_the_breaker_opens_and_records_flow_again_after_a_probe() {
    let (hooks, errors, _warnings) = reporting_hooks();
    let (writer, mock) = mock_writer(
        failing_forever(),
        with_breaker(3, Duration::from_secs(600)),
        hooks,
    );
    let writer = Arc::new(writer);
    // 10 fill the queue and 5 the batch; the rest would wait for room for good without the breaker.
    let sent = send_lines_on_a_thread(&writer, 0..40);
    let open = next_circuit_report(&errors);
    assert!(
        open.message
            .contains("circuit open after 3 failed attempt(s)"),
        "{open}"
    );
    sent.recv_timeout(PATIENCE)
        .expect("the blocked sender is let go");
    let half_open = next_circuit_report(&errors);
    assert!(half_open.message.contains("half-open"), "{half_open}");
    // While open, records are counted as dropped at once.
    send_lines(&writer, 40..50);
    let m = writer.metrics();
    assert_eq!(m.enqueued, 50);
    assert!(m.dropped >= 25, "{m:?}");
    mock.recover();
    let closed = next_circuit_report(&errors);
    assert!(closed.message.starts_with("circuit closed"), "{closed}");
    send_lines(&writer, 50..55);
    assert!(writer.flush(PATIENCE));
    let m = writer.metrics();
    assert_eq!(m.enqueued, m.written + m.dropped);
    let written = text(&mock.data());
    // The records queued before the breaker opened are delivered, in order, then the new ones.
    assert!(written.starts_with(&text(&lines(0..15))), "{written}");
    assert!(written.ends_with(&text(&lines(50..55))), "{written}");
    // Failed probes are not reported again: one report per transition.
    assert!(errors.try_iter().all(|err| err.code != LOGXPY_ERR_CIRCUIT));
}

#[test]
fn a_run_of_failures_longer_than_after_opens_the_breaker_however_few_the_attempts() {
    let (hooks, errors, _warnings) = reporting_hooks();
    let (writer, _mock) = mock_writer(
        failing_forever(),
        with_breaker(u32::MAX, Duration::from_millis(200)),
        hooks,
    );
    send_lines(&writer, 0..5);
    writer.wake();
    let open = next_circuit_report(&errors);
    assert!(open.message.contains("circuit open"), "{open}");
    send_lines(&writer, 5..100);
    assert_eq!(writer.metrics().dropped, 95);
    // Still failing: the 5 records left are given up on.
    assert!(!writer.shutdown(Duration::from_millis(100)));
}

#[test]
fn without_a_breaker_a_failing_destination_keeps_every_record_queued() {
    let (hooks, errors, _warnings) = reporting_hooks();
    let config = WriterConfig {
        breaker: None,
        ..with_breaker(1, Duration::ZERO)
    };
    let (writer, mock) = mock_writer(failing_forever(), config, hooks);
    send_lines(&writer, 0..5);
    writer.wake();
    for _ in 0..8 {
        let err = errors.recv_timeout(PATIENCE).expect("a write error");
        assert_eq!(err.code, LOGXPY_ERR_WRITE);
    }
    assert_eq!(writer.metrics().dropped, 0);
    mock.recover();
    assert!(writer.flush(PATIENCE));
    assert_eq!(text(&mock.data()), text(&lines(0..5)));
}
