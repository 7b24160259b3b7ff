//! Several inputs as one timeline: a k-way merge by timestamp that numbers frames the way
//! `mergecap -w out FILES...` followed by Wireshark would.

use super::frame::Frame;
use super::reader::{CaptureReader, InputInfo};

/// The chronological merge of several [`CaptureReader`]s.
#[derive(Debug)]
pub struct MergedCapture {
    readers: Vec<CaptureReader>,
    /// The next unread frame of each input (`None` once that input is exhausted).
    heads: Vec<Option<Frame>>,
    primed: bool,
    emitted: u64,
}

impl MergedCapture {
    pub fn new(readers: Vec<CaptureReader>) -> Self {
        let heads = readers.iter().map(|_| None).collect();
        MergedCapture {
            readers,
            heads,
            primed: false,
            emitted: 0,
        }
    }

    /// The earliest pending frame of all inputs (ties: the lower input index), renumbered
    /// 1.. in merged order, with `input` set to the reader's index.
    pub fn next_frame(&mut self) -> Option<Frame> {
        if !self.primed {
            for (head, reader) in self.heads.iter_mut().zip(self.readers.iter_mut()) {
                *head = reader.next_frame();
            }
            self.primed = true;
        }
        let mut best: Option<(usize, i64)> = None;
        for (i, head) in self.heads.iter().enumerate() {
            if let Some(f) = head
                && best.is_none_or(|(_, ts)| f.ts < ts)
            {
                best = Some((i, f.ts));
            }
        }
        let (i, _) = best?;
        let refill = self.readers.get_mut(i).and_then(CaptureReader::next_frame);
        let mut frame = std::mem::replace(self.heads.get_mut(i)?, refill)?;
        self.emitted += 1;
        frame.number = self.emitted;
        frame.input = i;
        Some(frame)
    }

    /// Information on every input, in input order (packet counts so far and warnings).
    pub fn inputs(&self) -> Vec<InputInfo> {
        self.readers.iter().map(|r| r.info().clone()).collect()
    }
}
