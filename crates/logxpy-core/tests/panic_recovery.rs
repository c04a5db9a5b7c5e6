//! A panic on the writer thread is caught and the loop restarts.

mod common;

use common::{EIO, PATIENCE, Script, batches_of, lines, mock_writer, send_lines, text};
use logxpy_core::Hooks;

#[test]
fn a_panic_in_the_writer_thread_restarts_it_and_every_record_is_written_exactly_once() {
    let (writer, mock) = mock_writer(Script::default(), batches_of(10), Hooks::default());
    writer.inject_panic_before_batch(2);
    send_lines(&writer, 0..100);
    assert!(writer.flush(PATIENCE));
    assert_eq!(text(&mock.data()), text(&lines(0..100)));
    let m = writer.metrics();
    assert_eq!(
        (m.restarts, m.written, m.dropped, m.pending),
        (1, 100, 0, 0)
    );
}

#[test]
fn a_panicking_error_hook_restarts_the_thread_and_the_failed_batch_is_retried() {
    let script = Script {
        failures: 1,
        errno: EIO,
        ..Script::default()
    };
    let hooks = Hooks {
        on_error: Some(Box::new(|err| panic!("hook broke on {err}"))),
        ..Hooks::default()
    };
    let (writer, mock) = mock_writer(script, batches_of(5), hooks);
    send_lines(&writer, 0..20);
    assert!(writer.flush(PATIENCE));
    assert_eq!(text(&mock.data()), text(&lines(0..20)));
    let m = writer.metrics();
    assert_eq!((m.restarts, m.errors, m.written), (1, 1, 20));
}

#[test]
fn shutdown_after_a_panic_still_writes_everything() {
    let (writer, mock) = mock_writer(Script::default(), batches_of(3), Hooks::default());
    writer.inject_panic_before_batch(1);
    send_lines(&writer, 0..10);
    assert!(writer.shutdown(PATIENCE));
    assert_eq!(text(&mock.data()), text(&lines(0..10)));
    assert_eq!(writer.metrics().restarts, 1);
}
