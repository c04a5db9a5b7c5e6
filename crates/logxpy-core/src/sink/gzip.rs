//! Gzipping a rotated file on a helper thread (`logxpy-gzip`), so that the
//! writer thread goes on writing meanwhile: at the default level, flate2's
//! pure-Rust backend took 0.8 s for 50 MB of JSON log lines (release build,
//! this project's 2-core machine), long enough to fill a queue.
//!
//! `app.log.1` is compressed to `app.log.1.gz.tmp`, synced, renamed to
//! `app.log.1.gz`, and only then removed. A process that ends midway leaves
//! `app.log.1` whole (and at worst a stray `.gz.tmp`, which the next
//! compression of slot 1 overwrites), never a truncated `.gz`.

use std::fs::{self, File};
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};
use std::thread;
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError, bounded};
use flate2::Compression;
use flate2::write::GzEncoder;

use super::names::with_suffix;
use super::open_append;
use crate::error::Error;

/// The name the compression threads carry in `top` and panic messages.
const THREAD_NAME: &str = "logxpy-gzip";

/// One compression under way.
pub(super) struct Gzip {
    outcome: Receiver<Result<(), Error>>,
}

impl Gzip {
    /// Starts compressing `source` to `<source>.gz`, created with `mode`.
    ///
    /// # Errors
    ///
    /// `LOGXPY_ERR_WRITE` if the thread cannot start; `source` stays as it is.
    pub(super) fn start(source: PathBuf, mode: u32) -> Result<Gzip, Error> {
        let (tx, outcome) = bounded(1);
        thread::Builder::new()
            .name(THREAD_NAME.into())
            .spawn(move || {
                let _ = tx.send(compress(&source, mode));
            })
            .map_err(|err| Error::rotate("cannot start the compression thread", &err))?;
        Ok(Gzip { outcome })
    }

    /// The outcome once the compression is over, waiting up to `timeout`
    /// (`None`: as long as it takes); `None` while it still runs.
    pub(super) fn wait(&self, timeout: Option<Duration>) -> Option<Result<(), Error>> {
        let received = match timeout {
            Some(timeout) => self.outcome.recv_timeout(timeout),
            None => self
                .outcome
                .recv()
                .map_err(|_| RecvTimeoutError::Disconnected),
        };
        match received {
            Ok(outcome) => Some(outcome),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => Some(Err(Error::rotate(
                "compression of a rotated file",
                &io::Error::other("the compression thread stopped without an answer"),
            ))),
        }
    }
}

fn compress(source: &Path, mode: u32) -> Result<(), Error> {
    let partial = with_suffix(source, ".gz.tmp");
    let result = write_gzip(source, &partial, mode)
        .and_then(|()| fs::rename(&partial, with_suffix(source, ".gz")))
        .and_then(|()| fs::remove_file(source));
    result.map_err(|err| {
        let _ = fs::remove_file(&partial);
        Error::rotate(&format!("cannot compress {}", source.display()), &err)
    })
}

fn write_gzip(source: &Path, partial: &Path, mode: u32) -> io::Result<()> {
    let mut input = File::open(source)?;
    let output = open_append(partial, true, mode)?;
    let mut encoder = GzEncoder::new(BufWriter::new(output), Compression::default());
    io::copy(&mut input, &mut encoder)?;
    let output = encoder
        .finish()?
        .into_inner()
        .map_err(io::IntoInnerError::into_error)?;
    // On disk before the original goes, so that a crash cannot lose both.
    output.sync_all()
}
