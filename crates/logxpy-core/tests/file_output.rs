//! Writing to a file opened by path: content, modes, flush, open errors.

mod common;

use std::time::Duration;

use common::{PATIENCE, TempDir, config, line, lines, read, send_lines, text};
use logxpy_core::{
    Hooks, LOGXPY_ERR_CLOSED, LOGXPY_ERR_OPEN, LOGXPY_ERR_OPTION, QueuePolicy, Writer, WriterConfig,
};

fn open(path: &std::path::Path, append: bool) -> Writer {
    let config = WriterConfig {
        path: path.to_owned(),
        append,
        ..config()
    };
    Writer::open(config, Hooks::default()).expect("open")
}

#[test]
fn lines_are_written_whole_and_in_order_including_coalesced_messages() {
    let dir = TempDir::new();
    let path = dir.path("app.log");
    let writer = open(&path, false);
    for n in (0..3000).step_by(3) {
        if n % 2 == 0 {
            writer.send(lines(n..n + 3), 3).unwrap();
        } else {
            (n..n + 3).for_each(|i| writer.send_copy(&line(i), 1).unwrap());
        }
    }
    assert!(writer.flush(PATIENCE));
    assert_eq!(text(&read(&path)), text(&lines(0..3000)));
    let m = writer.metrics();
    assert_eq!(
        (m.enqueued, m.written, m.dropped, m.pending),
        (3000, 3000, 0, 0)
    );
}

#[test]
fn flush_returns_only_after_prior_records_are_in_the_file() {
    let dir = TempDir::new();
    let path = dir.path("app.log");
    // Batches of 1000 and an hour's interval: only flush makes anything reach the file.
    let writer = open(&path, false);
    for n in 0..200 {
        writer.send(line(n), 1).unwrap();
        assert!(writer.flush(PATIENCE));
        assert_eq!(text(&read(&path)), text(&lines(0..=n)), "after flush {n}");
    }
}

#[test]
fn mode_w_truncates_once_at_open_and_never_on_reopen() {
    let dir = TempDir::new();
    let path = dir.path("app.log");
    std::fs::write(&path, "old\n").unwrap();
    let writer = open(&path, false);
    writer.send(line(1), 1).unwrap();
    writer.reopen(PATIENCE).unwrap();
    writer.send(line(2), 1).unwrap();
    assert!(writer.flush(PATIENCE));
    assert_eq!(text(&read(&path)), text(&lines([1, 2])));
}

#[test]
fn mode_a_appends_to_existing_content() {
    let dir = TempDir::new();
    let path = dir.path("app.log");
    std::fs::write(&path, "old\n").unwrap();
    let writer = open(&path, true);
    writer.send(line(1), 1).unwrap();
    assert!(writer.flush(PATIENCE));
    assert_eq!(text(&read(&path)), format!("old\n{}", text(&line(1))));
}

#[test]
fn writes_append_even_when_another_writer_appends_to_the_same_file() {
    let dir = TempDir::new();
    let path = dir.path("app.log");
    let first = open(&path, false);
    let second = open(&path, true);
    first.send(line(1), 1).unwrap();
    assert!(first.flush(PATIENCE));
    second.send(line(2), 1).unwrap();
    assert!(second.flush(PATIENCE));
    first.send(line(3), 1).unwrap();
    assert!(first.flush(PATIENCE));
    assert_eq!(text(&read(&path)), text(&lines([1, 2, 3])));
}

#[cfg(unix)] // Windows has no permission bits: `mode` is ignored there
#[test]
fn a_new_file_gets_mode_0o640_less_the_umask() {
    use std::os::unix::fs::PermissionsExt;

    let dir = TempDir::new();
    let path = dir.path("app.log");
    let writer = open(&path, false);
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode, 0o640 & !umask());
    drop(writer);
}

#[cfg(unix)]
fn umask() -> u32 {
    let status = std::fs::read_to_string("/proc/self/status").expect("Linux /proc");
    let value = status
        .lines()
        .find_map(|l| l.strip_prefix("Umask:"))
        .expect("Umask line");
    u32::from_str_radix(value.trim(), 8).unwrap()
}

#[test]
fn open_errors_carry_logxpy_err_open_and_the_errno_name() {
    let dir = TempDir::new();
    let cases = [
        (dir.path("missing/app.log"), "ENOENT"),
        (dir.path(""), "EISDIR"),
    ];
    for (path, errno_name) in cases {
        let config = WriterConfig {
            path,
            ..WriterConfig::default()
        };
        let err = Writer::open(config, Hooks::default())
            .err()
            .expect("open must fail");
        assert_eq!(
            (err.code, err.errno_name),
            (LOGXPY_ERR_OPEN, Some(errno_name)),
            "{err}"
        );
    }
}

#[test]
fn invalid_options_are_refused_with_logxpy_err_option_before_the_file_is_touched() {
    let dir = TempDir::new();
    let path = dir.path("app.log");
    let invalid = [
        WriterConfig {
            max_queue: 0,
            ..WriterConfig::default()
        },
        WriterConfig {
            max_queue: logxpy_core::MAX_QUEUE_LIMIT + 1,
            ..WriterConfig::default()
        },
        WriterConfig {
            batch_size: 0,
            ..WriterConfig::default()
        },
        WriterConfig {
            mode: 0o10000,
            ..WriterConfig::default()
        },
    ];
    for config in invalid {
        let config = WriterConfig {
            path: path.clone(),
            ..config
        };
        let err = Writer::open(config, Hooks::default())
            .err()
            .expect("must be refused");
        assert_eq!(err.code, LOGXPY_ERR_OPTION, "{err}");
    }
    assert!(!path.exists());
    let err = Writer::open(WriterConfig::default(), Hooks::default())
        .err()
        .expect("empty path");
    assert_eq!(err.code, LOGXPY_ERR_OPTION);
}

#[test]
fn after_shutdown_send_fails_with_logxpy_err_closed_and_flush_reports_nothing_pending() {
    let dir = TempDir::new();
    let writer = open(&dir.path("app.log"), false);
    writer.send(line(1), 1).unwrap();
    assert!(writer.shutdown(PATIENCE));
    for policy_result in [writer.send(line(2), 1), writer.send_copy(&line(3), 1)] {
        assert_eq!(policy_result.unwrap_err().code, LOGXPY_ERR_CLOSED);
    }
    assert_eq!(writer.reopen(PATIENCE).unwrap_err().code, LOGXPY_ERR_CLOSED);
    assert!(writer.flush(Duration::ZERO));
    assert!(
        writer.shutdown(Duration::ZERO),
        "a second shutdown reports the first one's success"
    );
    assert_eq!(writer.metrics().enqueued, 1);
}

#[test]
fn dropping_the_writer_writes_everything_queued() {
    let dir = TempDir::new();
    let path = dir.path("app.log");
    for policy in [QueuePolicy::Block, QueuePolicy::DropOldest] {
        let config = WriterConfig {
            path: path.clone(),
            policy,
            ..config()
        };
        let writer = Writer::open(config, Hooks::default()).unwrap();
        send_lines(&writer, 0..500);
        drop(writer);
        assert_eq!(text(&read(&path)), text(&lines(0..500)), "{policy:?}");
    }
}

/// What a file holding `before` holds once a writer opened in mode "a" has appended record 7.
fn after_appending_to(before: &[u8]) -> String {
    let dir = TempDir::new();
    let path = dir.path("app.log");
    std::fs::write(&path, before).unwrap();
    let writer = open(&path, true);
    writer.send(line(7), 1).unwrap();
    assert!(writer.flush(PATIENCE));
    text(&read(&path))
}

#[test]
fn a_file_left_ending_in_half_a_line_gets_a_newline_before_appended_records() {
    let mut expected = b"{\"whole\":1}\n{\"torn\":\n".to_vec();
    expected.extend_from_slice(&line(7));
    assert_eq!(
        after_appending_to(b"{\"whole\":1}\n{\"torn\":"),
        text(&expected)
    );
}

#[test]
fn a_file_ending_in_a_newline_is_appended_to_unchanged() {
    let mut expected = b"{\"whole\":1}\n".to_vec();
    expected.extend_from_slice(&line(7));
    assert_eq!(after_appending_to(b"{\"whole\":1}\n"), text(&expected));
}
