//! Reopening the file by its path, as logrotate needs.

mod common;

use std::path::Path;

use common::{PATIENCE, TempDir, config, line, lines, read, send_lines, text};
use logxpy_core::{Hooks, LOGXPY_ERR_OPEN, Writer, WriterConfig};

fn open(path: &Path) -> Writer {
    let config = WriterConfig {
        path: path.to_owned(),
        ..config()
    };
    Writer::open(config, Hooks::default()).unwrap()
}

#[test]
fn after_a_rename_reopen_sends_later_lines_to_a_new_file_at_the_original_path() {
    let dir = TempDir::new();
    let (path, rotated) = (dir.path("app.log"), dir.path("app.log.1"));
    let writer = open(&path);
    send_lines(&writer, 0..100);
    std::fs::rename(&path, &rotated).unwrap();
    writer.reopen(PATIENCE).unwrap();
    send_lines(&writer, 100..200);
    assert!(writer.flush(PATIENCE));
    assert_eq!(text(&read(&rotated)), text(&lines(0..100)));
    assert_eq!(text(&read(&path)), text(&lines(100..200)));
}

#[test]
fn a_failed_reopen_reports_logxpy_err_open_and_keeps_writing_to_the_old_file() {
    let dir = TempDir::new();
    let subdir = dir.path("sub");
    std::fs::create_dir(&subdir).unwrap();
    let (path, rotated) = (subdir.join("app.log"), dir.path("app.log.1"));
    let writer = open(&path);
    writer.send(line(0), 1).unwrap();
    std::fs::rename(&path, &rotated).unwrap();
    std::fs::remove_dir(&subdir).unwrap();
    let err = writer.reopen(PATIENCE).unwrap_err();
    assert_eq!(
        (err.code, err.errno_name),
        (LOGXPY_ERR_OPEN, Some("ENOENT")),
        "{err}"
    );
    writer.send(line(1), 1).unwrap();
    assert!(writer.flush(PATIENCE));
    assert_eq!(text(&read(&rotated)), text(&lines(0..2)));
}
