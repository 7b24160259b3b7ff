//! The NDJSON stream of `analyze --format ndjson` written on a thread of its own: turning each
//! retired batch of verdicts into events (and freeing it) costs as much as a fifth of a dense
//! run, and need not hold up the reading (the analysis already judges on a thread of its own). Batches are written in the order they come, so the
//! stream is the same as one written in line.

use std::io::{BufWriter, Stdout};
use std::sync::mpsc::{SyncSender, sync_channel};
use std::thread::JoinHandle;

use capdiag::report::ndjson::EventStream;
use capdiag::retirement::Retired;

/// Batches of verdicts waiting for the writer at most, beside the one it writes: none, so a
/// flood's end-of-input batches of thousands of chains are in memory two at a time, not more.
const QUEUE: usize = 0;

/// What the writer hands back at the end: the stream (for its closing events), the output,
/// and the first write error.
pub(crate) struct Written {
    pub events: EventStream,
    pub out: BufWriter<Stdout>,
    pub failed: Option<std::io::Error>,
}

impl Written {
    fn write(&mut self, retired: &Retired) {
        if self.failed.is_none()
            && let Err(e) = self.events.retired(retired, &mut self.out)
        {
            self.failed = Some(e);
        }
    }
}

/// The retired verdicts' way to stdout, through the writer thread.
pub(crate) struct EventWriter {
    to_write: SyncSender<Retired>,
    thread: JoinHandle<Written>,
}

impl EventWriter {
    /// Starts the writer thread (an error when the system cannot start one).
    pub(crate) fn start(events: EventStream) -> std::io::Result<EventWriter> {
        let (to_write, inbox) = sync_channel::<Retired>(QUEUE);
        let mut written = Written {
            events,
            out: BufWriter::new(std::io::stdout()),
            failed: None,
        };
        let thread = std::thread::Builder::new()
            .name("capdiag-ndjson".into())
            .spawn(move || {
                for retired in inbox {
                    written.write(&retired);
                }
                written
            })?;
        Ok(EventWriter { to_write, thread })
    }

    pub(crate) fn write(&self, retired: Retired) {
        // The writer only stops at `finish`; a write error is kept for it.
        let _ = self.to_write.send(retired);
    }

    /// Waits for every batch to be written. A panic of the writer is the caller's again.
    pub(crate) fn finish(self) -> Written {
        drop(self.to_write);
        match self.thread.join() {
            Ok(written) => written,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }
}
