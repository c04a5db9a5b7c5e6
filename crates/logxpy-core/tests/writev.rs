//! The writev loop: IOV_MAX slices per call, short writes.

mod common;

use common::{PATIENCE, Script, batches_of, lines, mock_writer, send_lines, text};
use logxpy_core::Hooks;

#[test]
fn a_batch_of_more_than_iov_max_messages_is_split_into_calls_of_at_most_1024_slices() {
    let (writer, mock) = mock_writer(Script::default(), batches_of(3000), Hooks::default());
    send_lines(&writer, 0..3000);
    assert!(writer.flush(PATIENCE));
    assert_eq!(mock.slices_per_call(), [1024, 1024, 952]);
    assert_eq!(text(&mock.data()), text(&lines(0..3000)));
}

#[test]
fn short_writes_resume_at_the_exact_byte_where_they_stopped() {
    let script = Script {
        max_bytes_per_call: Some(7),
        ..Script::default()
    };
    let (writer, mock) = mock_writer(script, batches_of(50), Hooks::default());
    send_lines(&writer, 0..200);
    writer.send(Vec::new(), 1).unwrap(); // an empty message completes without a call
    assert!(writer.flush(PATIENCE));
    assert_eq!(text(&mock.data()), text(&lines(0..200)));
    let m = writer.metrics();
    assert_eq!((m.written, m.errors, m.pending), (201, 0, 0));
}
