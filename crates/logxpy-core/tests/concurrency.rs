//! Many threads sharing one writer.

mod common;

use std::collections::HashMap;
use std::thread;

use common::{PATIENCE, Script, TempDir, batches_of, config, mock_writer, read};
use logxpy_core::{Hooks, QueuePolicy, Writer, WriterConfig};

const THREADS: usize = 4;

/// Thread `t`'s record `i`; the padding varies so a torn line cannot parse.
fn record(t: usize, i: usize) -> Vec<u8> {
    format!(
        "{{\"t\":{t},\"i\":{i},\"pad\":\"{}\"}}\n",
        "y".repeat((i * 7 + t) % 61)
    )
    .into_bytes()
}

/// `THREADS` threads each send `per_thread` records to `writer`.
fn send_from_threads(writer: &Writer, per_thread: usize) {
    thread::scope(|scope| {
        for t in 0..THREADS {
            scope
                .spawn(move || (0..per_thread).for_each(|i| writer.send(record(t, i), 1).unwrap()));
        }
    });
}

/// Checks every line is one whole record and each thread's records appear
/// in the order sent; returns how many of each thread's records appear.
fn check_lines(data: &[u8]) -> HashMap<usize, usize> {
    let text = std::str::from_utf8(data).expect("UTF-8");
    assert!(text.is_empty() || text.ends_with('\n'));
    let mut last: HashMap<usize, usize> = HashMap::new();
    let mut seen: HashMap<usize, usize> = HashMap::new();
    for l in text.lines() {
        let fields: Vec<&str> = l.split([':', ',']).collect();
        let (t, i): (usize, usize) = (fields[1].parse().unwrap(), fields[3].parse().unwrap());
        assert_eq!(format!("{l}\n").as_bytes(), record(t, i), "torn line");
        if let Some(&before) = last.get(&t) {
            assert!(i > before, "thread {t}: {i} after {before}");
        }
        last.insert(t, i);
        *seen.entry(t).or_default() += 1;
    }
    seen
}

fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn a_writer_is_send_and_sync() {
    assert_send_sync::<Writer>();
}

#[test]
fn four_threads_sending_50_000_records_each_get_every_line_written_once_and_intact() {
    const PER_THREAD: usize = 50_000;
    let dir = TempDir::new();
    let path = dir.path("app.log");
    let config = WriterConfig {
        path: path.clone(),
        max_queue: 1024,
        ..config()
    };
    let writer = Writer::open(config, Hooks::default()).unwrap();
    send_from_threads(&writer, PER_THREAD);
    assert!(writer.flush(PATIENCE));
    let seen = check_lines(&read(&path));
    assert_eq!(seen, (0..THREADS).map(|t| (t, PER_THREAD)).collect());
    let m = writer.metrics();
    assert_eq!(
        (m.enqueued, m.written, m.dropped, m.pending),
        (200_000, 200_000, 0, 0)
    );
}

#[test]
fn drop_oldest_under_contention_with_concurrent_flushes_keeps_metrics_exact_and_lines_whole() {
    const PER_THREAD: usize = 20_000;
    let script = Script {
        max_bytes_per_call: Some(512),
        ..Script::default()
    };
    let config = WriterConfig {
        max_queue: 16,
        policy: QueuePolicy::DropOldest,
        ..batches_of(8)
    };
    let (writer, mock) = mock_writer(script, config, Hooks::default());
    thread::scope(|scope| {
        scope.spawn(|| send_from_threads(&writer, PER_THREAD));
        scope.spawn(|| (0..200).for_each(|_| assert!(writer.flush(PATIENCE), "a flush was lost")));
    });
    assert!(writer.flush(PATIENCE));
    let seen = check_lines(&mock.data());
    let m = writer.metrics();
    assert_eq!(m.enqueued, (THREADS * PER_THREAD) as u64);
    assert_eq!(m.pending, 0);
    assert_eq!(m.written, seen.values().sum::<usize>() as u64);
    assert_eq!(m.enqueued, m.written + m.dropped);
}
