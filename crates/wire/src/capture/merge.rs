//! Several inputs as one timeline: a k-way merge by timestamp that orders and numbers frames
//! exactly as `mergecap -w out FILES...` followed by Wireshark would.
//!
//! mergecap's rule (wiretap/merge.c, `merge_read_packet`): scan the inputs in order; a record
//! without a timestamp of its own (a pcapng Simple Packet Block) is taken at once; otherwise the
//! earliest wins and, because its comparison is "earlier or equal", on a tie the **last** input
//! holding that timestamp wins. Each input's own order is kept; nothing is sorted.

use super::ahead::Source;
use super::frame::Frame;
use super::origins::FrameOrigins;
use super::reader::{CaptureReader, InputInfo};
use super::secrets::DecryptionSecrets;

/// The chronological merge of several [`CaptureReader`]s.
#[derive(Debug)]
pub struct MergedCapture {
    /// With several inputs each is read ahead on its own thread ([`Source::ahead`]).
    readers: Vec<Source>,
    /// The next unread frame of each input and whether it has its own timestamp (`None` once
    /// that input is exhausted).
    heads: Vec<Option<(Frame, bool)>>,
    primed: bool,
    emitted: u64,
    /// Each merged frame's input and own number (recorded only with several inputs).
    origins: FrameOrigins,
}

impl MergedCapture {
    pub fn new(readers: Vec<CaptureReader>) -> Self {
        let heads = readers.iter().map(|_| None).collect();
        let several = readers.len() > 1;
        let readers = readers
            .into_iter()
            .map(|r| {
                if several {
                    Source::ahead(r)
                } else {
                    Source::Direct(r)
                }
            })
            .collect();
        MergedCapture {
            readers,
            heads,
            primed: false,
            emitted: 0,
            origins: FrameOrigins::default(),
        }
    }

    /// The next frame in mergecap's order, renumbered 1.. in merged order, with `input` set to
    /// the reader's index.
    pub fn next_frame(&mut self) -> Option<Frame> {
        if !self.primed {
            for (head, reader) in self.heads.iter_mut().zip(self.readers.iter_mut()) {
                *head = reader.next_timed();
            }
            self.primed = true;
        }
        let i = self.pick()?;
        let refill = self.readers.get_mut(i).and_then(Source::next_timed);
        let (mut frame, _) = std::mem::replace(self.heads.get_mut(i)?, refill)?;
        self.emitted = self.emitted.saturating_add(1);
        if self.readers.len() > 1 {
            self.origins.record(self.emitted, i, frame.number);
        }
        frame.number = self.emitted;
        frame.input = i;
        Some(frame)
    }

    /// Index of the input whose head goes next, by mergecap's rule.
    fn pick(&self) -> Option<usize> {
        let mut best: Option<(usize, i64)> = None;
        for (i, head) in self.heads.iter().enumerate() {
            match head {
                Some((_, false)) => return Some(i),
                Some((f, true)) if best.is_none_or(|(_, ts)| f.ts <= ts) => best = Some((i, f.ts)),
                _ => {}
            }
        }
        best.map(|(i, _)| i)
    }

    /// Where each merged frame came from (empty with one input); see [`FrameOrigins`].
    pub fn take_origins(&mut self) -> FrameOrigins {
        std::mem::take(&mut self.origins)
    }

    /// The Decryption Secrets Blocks of every input read since the last call: the key logs a
    /// pcapng carries, for the analysis to use before the packets that follow them.
    pub fn take_new_secrets(&mut self) -> Vec<DecryptionSecrets> {
        self.readers
            .iter_mut()
            .flat_map(Source::take_new_secrets)
            .collect()
    }

    /// Information on every input, in input order (packet counts so far and warnings).
    pub fn inputs(&self) -> Vec<InputInfo> {
        self.readers.iter().map(|r| r.info().clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(ts: i64, has_ts: bool) -> Option<(Frame, bool)> {
        let frame = Frame {
            number: 1,
            input: 0,
            ts,
            link_type: 1,
            orig_len: 0,
            data: Vec::new(),
        };
        Some((frame, has_ts))
    }

    fn pick(heads: Vec<Option<(Frame, bool)>>) -> Option<usize> {
        MergedCapture {
            readers: Vec::new(),
            heads,
            primed: true,
            emitted: 0,
            origins: FrameOrigins::default(),
        }
        .pick()
    }

    #[test]
    fn picks_like_mergecap() {
        assert_eq!(pick(vec![head(5, true), head(6, true)]), Some(0));
        assert_eq!(pick(vec![head(7, true), head(6, true)]), Some(1));
        // a tie goes to the later input
        assert_eq!(pick(vec![head(5, true), head(5, true), None]), Some(1));
        // a record without its own timestamp is taken at once, whatever its borrowed time
        assert_eq!(
            pick(vec![head(9, true), head(20, false), head(1, true)]),
            Some(1)
        );
        assert_eq!(pick(vec![None, None]), None);
    }
}
