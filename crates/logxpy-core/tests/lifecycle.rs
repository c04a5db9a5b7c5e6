//! Flush answered without waiting, whole lines counted across short writes,
//! shutdowns that end their thread, and lines left torn repaired.

mod common;

use std::time::{Duration, Instant};

use common::{
    ENOSPC, PATIENCE, Script, TempDir, batches_of, line, lines, mock_writer, read, send_lines, text,
};
use logxpy_core::{Hooks, Writer, WriterConfig};

#[test]
fn flush_then_answers_true_on_the_writer_thread_once_the_records_before_it_are_written() {
    let (writer, mock) = mock_writer(Script::default(), batches_of(10), Hooks::default());
    send_lines(&writer, 0..25);
    let (done, answer) = crossbeam_channel::bounded(1);
    assert!(writer.flush_then(false, move |written| {
        done.send((written, std::thread::current().name().map(str::to_owned)))
            .unwrap()
    }));
    let (written, thread) = answer.recv_timeout(PATIENCE).expect("answered");
    assert!(written);
    assert_eq!(thread.as_deref(), Some("logxpy-writer"));
    assert_eq!(text(&mock.data()), text(&lines(0..25)));
}

#[test]
fn flush_then_answers_false_when_shutdown_gives_up_on_a_failing_destination() {
    let script = Script {
        fail_forever: true,
        errno: ENOSPC,
        ..Script::default()
    };
    let (writer, _mock) = mock_writer(script, batches_of(10), Hooks::default());
    send_lines(&writer, 0..5);
    let (done, answer) = crossbeam_channel::bounded(1);
    assert!(writer.flush_then(false, move |written| done.send(written).unwrap()));
    assert!(!writer.shutdown(Duration::from_millis(100)));
    assert_eq!(answer.recv_timeout(PATIENCE), Ok(false));
    assert!(!writer.flush_then(false, |_| panic!("a closed writer queues no flush")));
    let m = writer.metrics();
    assert_eq!((m.written, m.dropped, m.pending), (0, 5, 0));
}

#[test]
fn a_short_write_counts_every_line_it_completed_even_inside_one_message() {
    // Each call takes three whole lines and two bytes of the fourth.
    let script = Script {
        max_bytes_per_call: Some(lines(0..3).len() + 2),
        gated: true,
        ..Script::default()
    };
    let (writer, mut mock) = mock_writer(script, batches_of(10), Hooks::default());
    writer.send(lines(0..10), 10).unwrap();
    mock.wait_for_call(); // the first call is at the gate
    mock.let_one_call_through();
    mock.wait_for_call(); // the second call has begun: the first one is counted
    let m = writer.metrics();
    assert_eq!((m.written, m.pending), (3, 7));
    mock.open_gate();
    assert!(writer.flush(PATIENCE));
    assert_eq!(writer.metrics().written, 10);
    assert_eq!(text(&mock.data()), text(&lines(0..10)));
}

#[test]
fn a_writer_after_a_torn_line_starts_with_a_line_break() {
    let dir = TempDir::new();
    let path = dir.path("after.log");
    std::fs::write(&path, b"{\"half\":").unwrap();
    let config = WriterConfig {
        path: path.clone(),
        append: true,
        after_torn_line: true,
        ..WriterConfig::default()
    };
    let writer = Writer::open(config, Hooks::default()).unwrap();
    writer.send(line(1), 1).unwrap();
    assert!(writer.shutdown(PATIENCE));
    assert_eq!(
        text(&read(&path)),
        format!("{{\"half\":\n{}", text(&line(1)))
    );
    assert_eq!(writer.metrics().written, 1);
}

#[cfg(unix)]
mod fifo {
    use super::*;
    use std::ffi::CString;
    use std::fs::File;
    use std::os::unix::fs::OpenOptionsExt;

    fn stalled_fifo(dir: &TempDir) -> (std::path::PathBuf, File) {
        let path = dir.path("stalled.fifo");
        let c = CString::new(path.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let reader = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(&path)
            .unwrap();
        (path, reader)
    }

    fn big(n: usize) -> Vec<u8> {
        format!("{{\"n\":{n},\"pad\":\"{}\"}}\n", "x".repeat(3000)).into_bytes()
    }

    #[test]
    fn shutdown_in_front_of_a_reader_that_never_reads_ends_the_thread_and_counts_what_it_dropped() {
        let dir = TempDir::new();
        let (path, _reader) = stalled_fifo(&dir);
        let writer = Writer::open(
            WriterConfig {
                path,
                append: true,
                ..WriterConfig::default()
            },
            Hooks::default(),
        )
        .unwrap();
        for n in 0..100 {
            writer.send(big(n), 1).unwrap();
        }
        let started = Instant::now();
        assert!(!writer.shutdown(Duration::from_millis(50)));
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "shutdown waited for a write that never returns"
        );
        let m = writer.metrics();
        assert_eq!(m.pending, 0, "the thread has ended and counted everything");
        assert_eq!(m.written + m.dropped, 100);
        assert!(m.dropped > 0);
        assert!(
            writer.left_torn_line(),
            "64 KiB of 3 KB lines ends inside one"
        );
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_durable_flush_syncs_a_regular_file_and_answers_true() {
    let dir = TempDir::new();
    let path = dir.path("durable.log");
    let writer = Writer::open(
        WriterConfig {
            path: path.clone(),
            ..WriterConfig::default()
        },
        Hooks::default(),
    )
    .unwrap();
    send_lines(&writer, 0..3);
    let (done, answer) = crossbeam_channel::bounded(1);
    assert!(writer.flush_then(true, move |written| done.send(written).unwrap()));
    assert_eq!(answer.recv_timeout(PATIENCE), Ok(true));
    assert_eq!(text(&read(&path)), text(&lines(0..3)));
}
