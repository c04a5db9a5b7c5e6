//! When the writer thread writes: by `batch_size`, by `flush_interval`.

mod common;

use std::time::Duration;

use common::{PATIENCE, Script, batches_of, line, lines, mock_writer, send_lines, text};
use logxpy_core::{Hooks, WriterConfig};

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
