//! When the writer thread writes: by `batch_size`, by `flush_interval`.

mod common;

use std::sync::Arc;
use std::thread;
use std::time::Duration;

use common::{PATIENCE, Script, batches_of, line, lines, mock_writer, send_lines, text};
use crossbeam_channel::bounded;
use logxpy_core::{Hooks, Wake, Writer, WriterConfig};

/// Leaves the writer thread idle and asleep: what it wrote is acknowledged,
/// and a moment passes for it to park. (Were it still awake, a test of what
/// wakes it would pass without the wake; it could not fail wrongly.)
fn let_the_thread_fall_asleep(writer: &Writer) {
    assert!(writer.flush(PATIENCE));
    thread::sleep(Duration::from_millis(20));
}

#[test]
fn a_batch_is_written_as_soon_as_it_holds_batch_size_records() {
    let (writer, mock) = mock_writer(Script::default(), batches_of(10), Hooks::default());
    send_lines(&writer, 0..25);
    // No flush yet, and the interval is an hour: only the size can trigger these.
    assert_eq!([mock.wait_for_call(), mock.wait_for_call()], [10, 10]);
    assert!(writer.flush(PATIENCE));
    assert_eq!(mock.slices_per_call(), [10, 10, 5]);
    assert_eq!(text(&mock.data()), text(&lines(0..25)));
}

#[test]
fn coalesced_messages_count_their_records_toward_batch_size() {
    let (writer, mock) = mock_writer(Script::default(), batches_of(10), Hooks::default());
    // Messages of 4 records: the batch closes at 12 records, 3 messages.
    (0..6).for_each(|m| writer.send(lines(m * 4..m * 4 + 4), 4).unwrap());
    assert_eq!([mock.wait_for_call(), mock.wait_for_call()], [3, 3]);
    assert!(writer.flush(PATIENCE));
    assert_eq!(writer.metrics().written, 24);
}

#[test]
fn a_partial_batch_is_written_once_flush_interval_has_passed() {
    let config = WriterConfig {
        flush_interval: Duration::from_millis(50),
        ..batches_of(100)
    };
    let (writer, mock) = mock_writer(Script::default(), config, Hooks::default());
    writer.send(lines(0..3), 3).unwrap();
    // Far below batch_size and no flush: only the interval can write it.
    assert_eq!(mock.wait_for_call(), 1);
    writer.send(line(3), 1).unwrap();
    assert_eq!(mock.wait_for_call(), 1);
    assert!(writer.flush(PATIENCE));
    assert_eq!(
        mock.slices_per_call(),
        [1, 1],
        "flush found nothing left to write"
    );
    assert_eq!(text(&mock.data()), text(&lines(0..4)));
}

#[test]
fn a_zero_flush_interval_writes_whatever_is_queued_without_waiting() {
    let config = WriterConfig {
        flush_interval: Duration::ZERO,
        ..batches_of(100)
    };
    let (writer, mock) = mock_writer(Script::default(), config, Hooks::default());
    writer.send(line(0), 1).unwrap();
    assert_eq!(mock.wait_for_call(), 1);
    assert!(writer.flush(PATIENCE));
    assert_eq!(mock.slices_per_call(), [1]);
}

#[test]
fn records_sent_to_wake_later_are_written_once_wake_is_called() {
    let (writer, mock) = mock_writer(Script::default(), batches_of(10), Hooks::default());
    let_the_thread_fall_asleep(&writer);
    writer.send_with(lines(0..5), 5, Wake::Later).unwrap();
    writer.send_with(lines(5..10), 5, Wake::Later).unwrap();
    // Ten records (a whole batch, far below four batches) and no flush:
    // only the wake can start this write.
    writer.wake();
    assert_eq!(mock.wait_for_call(), 2);
    assert_eq!(text(&mock.data()), text(&lines(0..10)));
}

#[test]
fn records_sent_to_wake_later_wake_the_thread_themselves_once_four_batches_wait() {
    let (writer, mock) = mock_writer(Script::default(), batches_of(10), Hooks::default());
    let_the_thread_fall_asleep(&writer);
    (0..4).for_each(|m| {
        writer
            .send_with(lines(m * 10..m * 10 + 10), 10, Wake::Later)
            .unwrap()
    });
    // Nobody calls wake and nobody flushes.
    let calls = [(); 4].map(|()| mock.wait_for_call());
    assert_eq!(calls, [1, 1, 1, 1]);
    assert_eq!(text(&mock.data()), text(&lines(0..40)));
}

#[test]
fn a_block_sender_that_finds_no_room_wakes_the_sleeping_thread_itself() {
    // Room for 4 records, and the thread woken by queued records from 2 on:
    // one record leaves it asleep, and a message of 4 then finds no room
    // without having queued enough to wake it. Its sender must wake the
    // thread before it waits, or it waits forever.
    let config = WriterConfig {
        max_queue: 4,
        ..batches_of(100)
    };
    let (writer, mock) = mock_writer(Script::default(), config, Hooks::default());
    let writer = Arc::new(writer);
    let_the_thread_fall_asleep(&writer);
    writer.send_with(line(0), 1, Wake::Later).unwrap();
    let (sent_tx, sent) = bounded(1);
    let sender = Arc::clone(&writer);
    // Not scoped: a sender stuck for good fails the test rather than hang it.
    thread::spawn(move || {
        sender.send_with(lines(1..5), 4, Wake::Later).unwrap();
        let _ = sent_tx.send(());
    });
    sent.recv_timeout(PATIENCE)
        .expect("a block sender waited forever");
    assert!(writer.flush(PATIENCE));
    assert_eq!(text(&mock.data()), text(&lines(0..5)));
    assert_eq!((writer.metrics().written, writer.metrics().dropped), (5, 0));
}
