//! Size rotation: every line in exactly one file, in order, no file past
//! the size, at most `keep` rotated files, gzip on request, and a failed
//! rotation reported while writing goes on.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};

use common::{PATIENCE, TempDir, config, line, lines, read, reporting_hooks, text};
use flate2::read::GzDecoder;
use logxpy_core::{Hooks, LOGXPY_ERR_OPTION, LOGXPY_ERR_WRITE, Rotation, Writer, WriterConfig};

const SIZE: u64 = 4096;

fn at_size(size: u64, keep: u32, compress: bool) -> Rotation {
    Rotation {
        size,
        keep,
        compress,
    }
}

fn open(path: &Path, rotation: Rotation, hooks: Hooks) -> Writer {
    let config = WriterConfig {
        path: path.to_owned(),
        batch_size: 64,
        rotate: Some(rotation),
        ..config()
    };
    Writer::open(config, hooks).expect("open")
}

/// Sends records `0..n`, some one per message and some coalesced several
/// to a message, as the JavaScript side hands them over.
fn send_mixed(writer: &Writer, n: usize) {
    let mut i = 0;
    while i < n {
        let count = (1 + i % 9).min(n - i);
        writer.send(lines(i..i + count), count as u32).unwrap();
        i += count;
    }
}

/// Every file of the rotation, oldest first, with its content (gunzipped).
fn rotation_files(path: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = path.parent().unwrap();
    let base = path.file_name().unwrap().to_str().unwrap();
    let mut slots: Vec<(u32, PathBuf)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter_map(|p| {
            let name = p.file_name()?.to_str()?.to_owned();
            let rest = name.strip_prefix(base)?.strip_prefix('.')?;
            let n = rest.strip_suffix(".gz").unwrap_or(rest);
            Some((
                n.parse()
                    .unwrap_or_else(|_| panic!("unexpected file {name}")),
                p,
            ))
        })
        .collect();
    slots.sort_by_key(|slot| std::cmp::Reverse(slot.0));
    let mut files: Vec<(PathBuf, Vec<u8>)> = slots
        .into_iter()
        .map(|(_, p)| {
            let content = if p.extension().is_some_and(|e| e == "gz") {
                let mut out = Vec::new();
                GzDecoder::new(read(&p).as_slice())
                    .read_to_end(&mut out)
                    .unwrap_or_else(|e| panic!("{} is not valid gzip: {e}", p.display()));
                out
            } else {
                read(&p)
            };
            (p, content)
        })
        .collect();
    files.push((path.to_owned(), read(path)));
    files
}

fn joined(files: &[(PathBuf, Vec<u8>)]) -> Vec<u8> {
    files
        .iter()
        .flat_map(|(_, content)| content.clone())
        .collect()
}

/// Each file holds whole lines and at most `SIZE` bytes.
fn assert_whole_lines_within_size(files: &[(PathBuf, Vec<u8>)]) {
    for (p, content) in files {
        assert!(
            content.len() as u64 <= SIZE,
            "{} holds {} bytes",
            p.display(),
            content.len()
        );
        assert!(
            content.is_empty() || content.ends_with(b"\n"),
            "{} ends inside a line",
            p.display()
        );
    }
}

#[test]
fn every_line_lands_once_in_order_and_no_file_exceeds_the_size() {
    let dir = TempDir::new();
    let path = dir.path("app.log");
    let writer = open(&path, at_size(SIZE, 1000, false), Hooks::default());
    send_mixed(&writer, 5000);
    assert!(writer.flush(PATIENCE));
    let files = rotation_files(&path);
    assert!(files.len() > 20, "only {} files", files.len());
    assert_whole_lines_within_size(&files);
    assert_eq!(text(&joined(&files)), text(&lines(0..5000)));
    let m = writer.metrics();
    assert_eq!((m.written, m.dropped, m.pending, m.errors), (5000, 0, 0, 0));
    assert_eq!(writer.rotation_seq(), 2 * (files.len() as u64 - 1));
}

#[test]
fn compressed_rotated_files_are_gzip_and_complete_once_flush_returns() {
    let dir = TempDir::new();
    let path = dir.path("app.log");
    let writer = open(&path, at_size(SIZE, 1000, true), Hooks::default());
    send_mixed(&writer, 3000);
    assert!(writer.flush(PATIENCE));
    let files = rotation_files(&path);
    let (current, rotated) = files.split_last().unwrap();
    assert!(rotated.len() > 10);
    for (p, _) in rotated {
        assert!(
            p.extension().is_some_and(|e| e == "gz"),
            "{} is not compressed",
            p.display()
        );
    }
    assert_eq!(current.0, path);
    assert_whole_lines_within_size(&files);
    assert_eq!(text(&joined(&files)), text(&lines(0..3000)));
    assert!(!dir.path("app.log.1.gz.tmp").exists());
    assert_eq!(writer.metrics().errors, 0);
}

#[test]
fn only_keep_rotated_files_stay_and_they_hold_the_newest_lines() {
    for compress in [false, true] {
        let dir = TempDir::new();
        let path = dir.path("app.log");
        let writer = open(&path, at_size(SIZE, 3, compress), Hooks::default());
        send_mixed(&writer, 3000);
        assert!(writer.flush(PATIENCE));
        let files = rotation_files(&path);
        assert_eq!(files.len(), 4, "3 rotated files and the current one");
        assert_whole_lines_within_size(&files);
        // The newest lines, whole from the first kept one on: the older ones were deleted.
        let kept = joined(&files);
        let all = lines(0..3000);
        assert!(kept.len() < all.len());
        assert!(all.ends_with(&kept));
        assert!(
            kept.starts_with(b"{\"n\":"),
            "the oldest kept file starts with a whole line"
        );
        assert_eq!(writer.metrics().written, 3000);
    }
}

#[test]
fn a_line_longer_than_the_size_gets_a_file_of_its_own() {
    let dir = TempDir::new();
    let path = dir.path("app.log");
    let writer = open(&path, at_size(100, 10, false), Hooks::default());
    let big = format!("{{\"big\":\"{}\"}}\n", "y".repeat(300)).into_bytes();
    let mut message = lines(0..2);
    message.extend_from_slice(&big);
    message.extend_from_slice(&lines(2..4));
    writer.send(message.clone(), 5).unwrap();
    assert!(writer.flush(PATIENCE));
    let files = rotation_files(&path);
    assert_eq!(text(&joined(&files)), text(&message));
    assert!(files.iter().any(|(_, content)| *content == big));
    for (p, content) in &files {
        assert!(
            content.len() <= 100 || *content == big,
            "{} holds {content:?}",
            p.display()
        );
    }
}

#[test]
fn an_existing_file_counts_toward_the_size_in_append_mode() {
    let dir = TempDir::new();
    let path = dir.path("app.log");
    let old = "o".repeat(SIZE as usize - 10) + "\n";
    std::fs::write(&path, &old).unwrap();
    let config = WriterConfig {
        path: path.clone(),
        append: true,
        rotate: Some(at_size(SIZE, 2, false)),
        ..config()
    };
    let writer = Writer::open(config, Hooks::default()).unwrap();
    writer.send(line(1), 1).unwrap();
    assert!(writer.flush(PATIENCE));
    assert_eq!(text(&read(&dir.path("app.log.1"))), old);
    assert_eq!(text(&read(&path)), text(&line(1)));
}

#[test]
fn a_failed_rotation_is_reported_and_writing_goes_on_in_the_current_file() {
    let dir = TempDir::new();
    let path = dir.path("app.log");
    // A directory in the slot to be freed cannot be deleted as a file.
    let blocker = dir.path("app.log.1");
    std::fs::create_dir(&blocker).unwrap();
    std::fs::write(blocker.join("inside"), "x").unwrap();
    let (hooks, errors, _) = reporting_hooks();
    let writer = open(&path, at_size(SIZE, 1, false), hooks);
    send_mixed(&writer, 500);
    assert!(writer.flush(PATIENCE));
    assert_eq!(text(&read(&path)), text(&lines(0..500)));
    let err = errors
        .recv_timeout(PATIENCE)
        .expect("the failure is reported");
    assert_eq!(err.code, LOGXPY_ERR_WRITE);
    assert!(err.message.contains("app.log.1"), "{err}");
    let m = writer.metrics();
    assert!(m.errors >= 1);
    assert_eq!((m.written, m.pending), (500, 0));

    // Once the slot can be freed, a reopen lets the next write try again
    // without waiting out the pause after the failure.
    std::fs::remove_dir_all(&blocker).unwrap();
    writer.reopen(PATIENCE).unwrap();
    send_mixed(&writer, 10);
    assert!(writer.flush(PATIENCE));
    assert_eq!(text(&read(&blocker)), text(&lines(0..500)));
    assert_eq!(text(&read(&path)), text(&lines(0..10)));
}

#[test]
fn rotation_options_are_checked() {
    for (rotation, name) in [
        (at_size(0, 5, false), "rotate.size"),
        (at_size(10, 0, false), "rotate.keep"),
    ] {
        let config = WriterConfig {
            rotate: Some(rotation),
            ..WriterConfig::default()
        };
        let err = config.validate().unwrap_err();
        assert_eq!(err.code, LOGXPY_ERR_OPTION);
        assert!(err.message.contains(name), "{err}");
    }
}
