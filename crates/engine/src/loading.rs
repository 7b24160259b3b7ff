//! Analysing in the background with progress: opens every input (reporting the unreadable ones
//! first), then runs the analysis on a worker thread while counting the bytes read, so the TUI
//! and the command line's progress bar can show how far a large capture has come.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::Duration;

use crate::analysis::{Analysis, analyze_with};
use crate::capture::{CaptureError, CaptureReader, MergedCapture, STDIN_NAME};
use crate::chain::ChainOptions;
use crate::proto::ldap::DecodeOptions;

/// A byte stream that counts what was read from it.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// How far loading has come.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub names: Vec<String>,
    /// Bytes read from the inputs (compressed bytes for a compressed file).
    pub read: u64,
    /// Their total size, when every input is a file of known size.
    pub total: Option<u64>,
}

/// What waiting for the analysis gave.
#[derive(Debug)]
pub enum Poll {
    Done(Box<Analysis>),
    Pending,
    /// The worker died (a bug): the analysis will never come.
    Failed,
}

/// An analysis running on a worker thread.
pub struct Loading {
    counter: ReadCounter,
    rx: Receiver<Analysis>,
}

impl Loading {
    pub fn progress(&self) -> Progress {
        self.counter.progress()
    }

    /// Waits up to `timeout` for the analysis.
    pub fn wait(&self, timeout: Duration) -> Poll {
        match self.rx.recv_timeout(timeout) {
            Ok(a) => Poll::Done(Box::new(a)),
            Err(RecvTimeoutError::Timeout) => Poll::Pending,
            Err(RecvTimeoutError::Disconnected) => Poll::Failed,
        }
    }
}

fn open_counted(
    path: &Path,
    count: &Arc<AtomicU64>,
) -> Result<(CaptureReader, Option<u64>), CaptureError> {
    if path.as_os_str() == "-" {
        let counted = Counting {
            inner: std::io::stdin(),
            count: Arc::clone(count),
        };
        let reader = CaptureReader::from_read(STDIN_NAME, Box::new(counted))?;
        return Ok((crate::analysis::refuse_unsupported_link_type(reader)?, None));
    }
    // Open once the way `analyze` does, so an unreadable file gets the same one-line error.
    drop(crate::analysis::refuse_unsupported_link_type(
        CaptureReader::open(path)?,
    )?);
    let name = path.display().to_string();
    let file = std::fs::File::open(path)
        .map_err(|e| CaptureError::new(&name, format!("cannot open: {e}")))?;
    let size = file.metadata().ok().map(|m| m.len());
    let counted = Counting {
        inner: file,
        count: Arc::clone(count),
    };
    Ok((CaptureReader::from_read(&name, Box::new(counted))?, size))
}

/// Opens every input and starts the analysis of the readable ones; None when none is readable.
/// The errors name each unreadable input.
pub fn start(paths: &[PathBuf], opts: &ChainOptions) -> (Option<Loading>, Vec<CaptureError>) {
    start_with(paths, opts, DecodeOptions::default())
}

/// The bytes read so far from inputs opened with [`open_counting`], for a progress display on
/// another thread.
#[derive(Debug, Clone)]
pub struct ReadCounter {
    names: Vec<String>,
    total: Option<u64>,
    count: Arc<AtomicU64>,
}

impl ReadCounter {
    pub fn progress(&self) -> Progress {
        Progress {
            names: self.names.clone(),
            read: self.count.load(Ordering::Relaxed),
            total: self.total,
        }
    }
}

/// Opens every input ("-" is standard input) counting the bytes read from it: the readable
/// ones, an error for each unreadable one, and the counter.
pub fn open_counting(paths: &[PathBuf]) -> (Vec<CaptureReader>, Vec<CaptureError>, ReadCounter) {
    let count = Arc::new(AtomicU64::new(0));
    let mut readers = Vec::new();
    let mut errors = Vec::new();
    let mut names = Vec::new();
    let mut total = Some(0u64);
    for p in paths {
        match open_counted(p, &count) {
            Ok((r, size)) => {
                names.push(r.info().path.clone());
                total = total.zip(size).map(|(a, b)| a + b);
                readers.push(r);
            }
            Err(e) => errors.push(e),
        }
    }
    let counter = ReadCounter {
        names,
        total,
        count,
    };
    (readers, errors, counter)
}

/// [`start`] with the LDAP decoder's options (`--show-secrets`).
pub fn start_with(
    paths: &[PathBuf],
    opts: &ChainOptions,
    decode: DecodeOptions,
) -> (Option<Loading>, Vec<CaptureError>) {
    let (readers, errors, counter) = open_counting(paths);
    if readers.is_empty() {
        return (None, errors);
    }
    let (tx, rx) = mpsc::channel();
    let opts = opts.clone();
    std::thread::spawn(move || {
        let _ = tx.send(analyze_with(MergedCapture::new(readers), &opts, decode));
    });
    (Some(Loading { counter, rx }), errors)
}
