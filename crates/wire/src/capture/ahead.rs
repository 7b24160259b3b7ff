//! Reading ahead on a thread per input: when several captures are merged (a dumpcap ring-buffer
//! set), each is read, decompressed and parsed on its own core while the merge and the analysis
//! run on the main thread. Frames travel in bounded batches, so memory stays flat.

use std::collections::VecDeque;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use super::frame::Frame;
use super::reader::{CaptureReader, InputInfo};
use super::secrets::DecryptionSecrets;

/// Frames per batch sent from a reader thread.
pub const AHEAD_BATCH: usize = 256;
/// Batches in flight per input (so at most `AHEAD_BATCH * AHEAD_BATCHES` frames wait).
pub const AHEAD_BATCHES: usize = 8;

enum Batch {
    Frames(Vec<(Frame, bool)>),
    /// Decryption Secrets Blocks read after the frames sent before them.
    Secrets(Vec<DecryptionSecrets>),
    /// The input is exhausted; its final information (packet count, warnings).
    End(InputInfo),
}

/// One input of a merge: read on this thread, or ahead on its own.
#[derive(Debug)]
pub enum Source {
    Direct(CaptureReader),
    Ahead(Ahead),
}

#[derive(Debug)]
pub struct Ahead {
    rx: Receiver<Batch>,
    pending: VecDeque<(Frame, bool)>,
    info: InputInfo,
    /// Secrets received and not yet taken by [`Source::take_new_secrets`].
    secrets: Vec<DecryptionSecrets>,
}

impl std::fmt::Debug for Batch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Batch::Frames(v) => write!(f, "Frames({})", v.len()),
            Batch::Secrets(v) => write!(f, "Secrets({})", v.len()),
            Batch::End(_) => write!(f, "End"),
        }
    }
}

fn run(mut reader: CaptureReader, tx: SyncSender<Batch>) {
    loop {
        let mut batch = Vec::with_capacity(AHEAD_BATCH);
        while batch.len() < AHEAD_BATCH {
            let next = reader.next_timed();
            let secrets = reader.take_new_secrets();
            if !secrets.is_empty() {
                // The frames read before the secrets go first, then the secrets, so the
                // consumer has them before the frame that followed them in the file.
                let earlier = std::mem::take(&mut batch);
                if (!earlier.is_empty() && tx.send(Batch::Frames(earlier)).is_err())
                    || tx.send(Batch::Secrets(secrets)).is_err()
                {
                    return;
                }
            }
            match next {
                Some(f) => batch.push(f),
                None => break,
            }
        }
        let last = batch.len() < AHEAD_BATCH;
        if !batch.is_empty() && tx.send(Batch::Frames(batch)).is_err() {
            return;
        }
        if last {
            let _ = tx.send(Batch::End(reader.info().clone()));
            return;
        }
    }
}

impl Source {
    /// Reads `reader` on a thread of its own.
    pub fn ahead(reader: CaptureReader) -> Source {
        let info = reader.info().clone();
        let (tx, rx) = sync_channel(AHEAD_BATCHES);
        std::thread::spawn(move || run(reader, tx));
        Source::Ahead(Ahead {
            rx,
            pending: VecDeque::new(),
            info,
            secrets: Vec::new(),
        })
    }

    /// The next frame and whether it has a timestamp of its own.
    pub fn next_timed(&mut self) -> Option<(Frame, bool)> {
        match self {
            Source::Direct(r) => r.next_timed(),
            Source::Ahead(a) => loop {
                if let Some(f) = a.pending.pop_front() {
                    return Some(f);
                }
                match a.rx.recv() {
                    Ok(Batch::Frames(v)) => a.pending.extend(v),
                    Ok(Batch::Secrets(v)) => a.secrets.extend(v),
                    Ok(Batch::End(info)) => {
                        a.info = info;
                        return None;
                    }
                    Err(_) => return None,
                }
            },
        }
    }

    /// The Decryption Secrets Blocks read since the last call.
    pub fn take_new_secrets(&mut self) -> Vec<DecryptionSecrets> {
        match self {
            Source::Direct(r) => r.take_new_secrets(),
            Source::Ahead(a) => std::mem::take(&mut a.secrets),
        }
    }

    /// The input's information (final once the input is exhausted).
    pub fn info(&self) -> &InputInfo {
        match self {
            Source::Direct(r) => r.info(),
            Source::Ahead(a) => &a.info,
        }
    }
}
