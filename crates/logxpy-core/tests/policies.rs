//! Queue policies when `max_queue` records are queued behind a stalled sink.

mod common;

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use common::{
    EIO, Mock, PATIENCE, Script, batches_of, config, line, lines, mock_writer, reporting_hooks,
    send_lines, send_lines_on_a_thread, text,
};
use crossbeam_channel::RecvTimeoutError;
use logxpy_core::{Hooks, Metrics, QueuePolicy, Writer, WriterConfig};

const MAX_QUEUE: usize = 4;

/// A writer whose thread is stuck inside the sink with record 0 while
/// records 1..=4 fill the queue.
fn full_queue(policy: QueuePolicy, hooks: Hooks) -> (Writer, Mock) {
    let config = WriterConfig {
        max_queue: MAX_QUEUE,
        policy,
        ..batches_of(1)
    };
    let (writer, mock) = mock_writer(
        Script {
            gated: true,
            ..Script::default()
        },
        config,
        hooks,
    );
    writer.send(line(0), 1).unwrap();
    mock.wait_for_call();
    send_lines(&writer, 1..MAX_QUEUE + 1);
    (writer, mock)
}

/// `(enqueued, written, dropped, pending)`.
fn counts(m: Metrics) -> (u64, u64, u64, u64) {
    (m.enqueued, m.written, m.dropped, m.pending)
}

/// Lets the stalled sink go, flushes, and checks what reached the sink and
/// the final `counts`.
fn release_and_expect(
    writer: &Writer,
    mut mock: Mock,
    written: Vec<u8>,
    counts_after: (u64, u64, u64, u64),
) {
    mock.open_gate();
    assert!(writer.flush(PATIENCE));
    assert_eq!(text(&mock.data()), text(&written));
    assert_eq!(counts(writer.metrics()), counts_after);
}

#[test]
fn block_makes_the_sender_wait_for_room_and_loses_nothing() {
    let (writer, mut mock) = full_queue(QueuePolicy::Block, Hooks::default());
    let (sent_tx, sent) = crossbeam_channel::bounded(1);
    thread::scope(|scope| {
        scope.spawn(|| {
            writer.send(line(5), 1).unwrap();
            sent_tx.send(()).unwrap();
        });
        assert_eq!(
            sent.recv_timeout(Duration::from_millis(200)),
            Err(RecvTimeoutError::Timeout)
        );
        assert_eq!(
            writer.metrics().enqueued,
            5,
            "the waiting record is not in yet"
        );
        mock.open_gate();
        sent.recv_timeout(PATIENCE)
            .expect("the sender is let in once there is room");
    });
    assert!(writer.flush(PATIENCE));
    assert_eq!(text(&mock.data()), text(&lines(0..=5)));
    assert_eq!(counts(writer.metrics()), (6, 6, 0, 0));
}

#[test]
fn block_lets_a_flush_into_a_full_queue_and_bounds_it_by_its_timeout() {
    let (writer, mut mock) = full_queue(QueuePolicy::Block, Hooks::default());
    let started = Instant::now();
    assert!(
        !writer.flush(Duration::from_millis(100)),
        "nothing can be written yet"
    );
    assert!(started.elapsed() < PATIENCE);
    mock.open_gate();
    assert!(writer.flush(PATIENCE));
    assert_eq!(counts(writer.metrics()), (5, 5, 0, 0));
}

#[test]
fn block_senders_waiting_for_room_give_up_with_closed_when_shutdown_begins() {
    let (writer, mut mock) = full_queue(QueuePolicy::Block, Hooks::default());
    thread::scope(|scope| {
        let waiting = scope.spawn(|| writer.send(line(5), 1));
        assert!(
            !writer.shutdown(Duration::from_millis(100)),
            "the sink is still stuck"
        );
        assert_eq!(
            waiting.join().unwrap().unwrap_err().code,
            logxpy_core::LOGXPY_ERR_CLOSED
        );
    });
    mock.open_gate();
}

#[test]
fn block_blocks_again_once_the_failing_destination_recovers() {
    let config = WriterConfig {
        max_queue: MAX_QUEUE,
        policy: QueuePolicy::Block,
        shutdown_timeout: Duration::from_millis(100),
        ..batches_of(1)
    };
    let script = Script {
        gated: true,
        fail_forever: true,
        errno: EIO,
        ..Script::default()
    };
    let (writer, mut mock) = mock_writer(script, config, Hooks::default());
    let writer = Arc::new(writer);
    writer.send(line(0), 1).unwrap();
    mock.wait_for_call();
    send_lines(&writer, 1..MAX_QUEUE + 1);

    // A stalled (not failing) destination: record 5 waits, past the timeout.
    let sent = send_lines_on_a_thread(&writer, 5..6);
    assert_eq!(
        sent.recv_timeout(Duration::from_millis(200)),
        Err(RecvTimeoutError::Timeout),
        "a slow destination is waited for"
    );
    // The write fails: 100 ms later the waiting record 5 is dropped.
    mock.let_one_call_through();
    sent.recv_timeout(PATIENCE)
        .expect("a waiting sender gives up on a failing destination");
    assert_eq!(counts(writer.metrics()), (6, 0, 1, 5));

    // The retry succeeds; the writer goes on to record 1, and stalls again.
    mock.wait_for_call();
    mock.recover();
    mock.let_one_call_through();
    mock.wait_for_call();
    writer.send(line(6), 1).unwrap(); // the place record 1 left
    let sent = send_lines_on_a_thread(&writer, 7..8);
    assert_eq!(
        sent.recv_timeout(Duration::from_millis(300)),
        Err(RecvTimeoutError::Timeout),
        "after a success, a full queue makes the sender wait again"
    );
    assert_eq!(counts(writer.metrics()), (7, 1, 1, 5));
    mock.open_gate();
    sent.recv_timeout(PATIENCE)
        .expect("the sender is let in once there is room");
    assert!(writer.flush(PATIENCE));
    assert_eq!(text(&mock.data()), text(&lines([0, 1, 2, 3, 4, 6, 7])));
    assert_eq!(counts(writer.metrics()), (8, 7, 1, 0));
}

#[test]
fn drop_oldest_keeps_the_newest_max_queue_records() {
    let (writer, mock) = full_queue(QueuePolicy::DropOldest, Hooks::default());
    send_lines(&writer, 5..7);
    assert_eq!(counts(writer.metrics()), (7, 0, 2, 5));
    release_and_expect(&writer, mock, lines([0, 3, 4, 5, 6]), (7, 5, 2, 0));
}

#[test]
fn drop_oldest_never_discards_a_queued_flush() {
    let (writer, mut mock) = full_queue(QueuePolicy::DropOldest, Hooks::default());
    let (flushing_tx, flushing_rx) = crossbeam_channel::bounded(1);
    thread::scope(|scope| {
        let flushing = scope.spawn(|| {
            flushing_tx.send(()).unwrap();
            writer.flush(PATIENCE)
        });
        flushing_rx.recv().unwrap();
        // Sixteen drops pop whatever is queued, the flush included, whichever
        // way the two threads interleave; the result is the same.
        send_lines(&writer, 5..21);
        mock.open_gate();
        assert!(
            flushing.join().unwrap(),
            "the popped flush is still acknowledged"
        );
    });
    assert!(writer.flush(PATIENCE));
    assert_eq!(text(&mock.data()), text(&lines([0, 17, 18, 19, 20])));
    assert_eq!(counts(writer.metrics()), (21, 5, 16, 0));
}

#[test]
fn drop_newest_keeps_the_oldest_max_queue_records() {
    let (writer, mock) = full_queue(QueuePolicy::DropNewest, Hooks::default());
    send_lines(&writer, 5..7);
    assert_eq!(counts(writer.metrics()), (7, 0, 2, 5));
    release_and_expect(&writer, mock, lines(0..=4), (7, 5, 2, 0));
}

#[test]
fn warn_drops_the_newest_and_warns_at_most_once_per_second_with_the_count() {
    let (hooks, _errors, warnings) = reporting_hooks();
    let started = Instant::now();
    let (writer, mock) = full_queue(QueuePolicy::Warn, hooks);
    send_lines(&writer, 5..10);
    let burst = started.elapsed();
    let warned: Vec<u64> = warnings.try_iter().collect();
    assert_eq!(warned[0], 1, "the first drop warns at once");
    assert!(
        warned.len() as u64 <= 1 + burst.as_secs(),
        "rate limit broken: {warned:?}"
    );
    assert!(warned.iter().sum::<u64>() <= 5);
    release_and_expect(&writer, mock, lines(0..=4), (10, 5, 5, 0));
}

#[test]
fn max_queue_counts_the_records_of_coalesced_messages() {
    let config = WriterConfig {
        max_queue: 4,
        policy: QueuePolicy::DropNewest,
        ..batches_of(1)
    };
    let script = Script {
        gated: true,
        ..Script::default()
    };
    let (writer, mock) = mock_writer(script, config, Hooks::default());
    writer.send(line(0), 1).unwrap();
    mock.wait_for_call();
    writer.send(lines(1..4), 3).unwrap(); // 3 of 4 places
    writer.send(lines(4..6), 2).unwrap(); // 5 > 4: dropped whole
    writer.send(line(6), 1).unwrap(); // exactly 4
    release_and_expect(&writer, mock, lines([0, 1, 2, 3, 6]), (7, 5, 2, 0));
}

#[test]
fn a_message_larger_than_max_queue_is_accepted_into_an_empty_queue() {
    let config = WriterConfig {
        max_queue: 4,
        policy: QueuePolicy::DropNewest,
        ..config()
    };
    let (writer, mock) = mock_writer(Script::default(), config, Hooks::default());
    writer.send(lines(0..10), 10).unwrap();
    assert!(writer.flush(PATIENCE));
    assert_eq!(text(&mock.data()), text(&lines(0..10)));
    assert_eq!(counts(writer.metrics()), (10, 10, 0, 0));
}
