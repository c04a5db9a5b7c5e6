//! EAGAIN on a non-blocking pipe whose reader is slow. The only test in its
//! binary: it measures the CPU time of the whole process. Unix only: it
//! needs `FdSink`, `poll` and `getrusage`.
#![cfg(unix)]

mod common;

use std::io::Read;
use std::os::fd::{FromRawFd, RawFd};
use std::thread;
use std::time::{Duration, Instant};

use common::{PATIENCE, lines, send_lines, text, writer};
use logxpy_core::{FdSink, WriterConfig};

fn nonblocking_pipe() -> (std::fs::File, RawFd) {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 fills in.
    assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
    // SAFETY: fds[1] is the open write end just created.
    assert_eq!(
        unsafe { libc::fcntl(fds[1], libc::F_SETFL, libc::O_NONBLOCK) },
        0
    );
    // SAFETY: fds[0] is open and owned by nothing else.
    (unsafe { std::fs::File::from_raw_fd(fds[0]) }, fds[1])
}

/// User plus system CPU time of this process.
fn cpu_time() -> Duration {
    // SAFETY: getrusage fills the zeroed struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    assert_eq!(unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) }, 0);
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    time(usage.ru_utime) + time(usage.ru_stime)
}

#[test]
fn a_full_nonblocking_pipe_is_waited_on_in_poll_without_spinning_and_gets_every_byte() {
    let (mut reader, write_fd) = nonblocking_pipe();
    let config = WriterConfig {
        max_queue: 20_000,
        batch_size: 64,
        flush_interval: Duration::ZERO,
        ..WriterConfig::default()
    };
    let writer = writer(Box::new(FdSink::new(write_fd)), config);
    let expected = lines(0..20_000); // about 12 pipe buffers' worth
    send_lines(&writer, 0..20_000);

    // Nobody reads for a while: the writer fills the pipe, gets EAGAIN, and
    // must wait in poll rather than retry in a loop.
    let (cpu_before, wall_before) = (cpu_time(), Instant::now());
    thread::sleep(Duration::from_millis(300));
    let (cpu, wall) = (cpu_time() - cpu_before, wall_before.elapsed());
    assert!(
        writer.metrics().pending > 0,
        "the pipe should have filled up"
    );
    assert!(
        cpu < wall / 4,
        "the writer spun: {cpu:?} of CPU in {wall:?}"
    );

    // A slow reader: small reads, so the writer meets EAGAIN again and again.
    let reading = thread::spawn(move || {
        let mut got = Vec::new();
        let mut chunk = [0; 4096];
        while got.len() < expected.len() {
            let n = reader.read(&mut chunk).unwrap();
            got.extend_from_slice(&chunk[..n]);
            thread::sleep(Duration::from_micros(200));
        }
        (got, expected)
    });
    assert!(writer.flush(PATIENCE));
    let (got, expected) = reading.join().unwrap();
    assert_eq!(text(&got), text(&expected));
    assert_eq!(writer.metrics().written, 20_000);
    assert!(writer.shutdown(PATIENCE));
    // SAFETY: the writer is shut down and only borrowed the fd.
    unsafe { libc::close(write_fd) };
}
