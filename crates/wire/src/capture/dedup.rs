//! Dropping the copies Windows' pktmon writes: `pktmon etl2pcap` records a packet once per
//! stack component it passed (NIC, filter drivers, TCP/IP...), so one datagram shows up several
//! times with the same bytes a few microseconds apart. A frame with the same input, link type,
//! length and bytes as one seen within [`DUPLICATE_WINDOW_NS`] before it is such a copy.

use std::collections::{HashMap, VecDeque};

use super::frame::{Frame, Nanos};

/// How close in capture time two identical frames must be to count as one packet recorded
/// twice. pktmon's copies are microseconds apart; a real retransmission (TCP, DNS, CLDAP) waits
/// hundreds of milliseconds at least, so 10 ms keeps every real repeat.
pub const DUPLICATE_WINDOW_NS: Nanos = 10_000_000;

/// Most recent frames remembered for comparison; bounds memory and time at high packet rates
/// (a copy further back than this many frames is kept, never wrongly dropped).
const MAX_RECENT: usize = 256;

/// What makes two frames the same packet: input, link type, lengths and a 64-bit XXH3 of the
/// bytes (a collision between two different frames within 10 ms is not a practical concern).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    input: usize,
    link_type: u32,
    orig_len: u32,
    len: usize,
    hash: u64,
}

impl Key {
    fn of(f: &Frame) -> Key {
        Key {
            input: f.input,
            link_type: f.link_type,
            orig_len: f.orig_len,
            len: f.data.len(),
            hash: twox_hash::XxHash3_64::oneshot(&f.data),
        }
    }
}

/// Remembers the last frames and says which new ones are copies; counts them per input. Every
/// frame costs one fast hash and one map lookup (this runs on every frame of every capture).
#[derive(Default)]
pub struct DuplicateFilter {
    recent: VecDeque<(Nanos, Key)>,
    seen: HashMap<Key, u32, foldhash::fast::RandomState>,
    /// Copies dropped, indexed by input.
    dropped: Vec<u64>,
}

impl std::fmt::Debug for DuplicateFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DuplicateFilter")
            .field("dropped", &self.dropped)
            .finish_non_exhaustive()
    }
}

impl DuplicateFilter {
    fn forget_oldest(&mut self) {
        if let Some((_, key)) = self.recent.pop_front()
            && let Some(n) = self.seen.get_mut(&key)
        {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.seen.remove(&key);
            }
        }
    }

    /// True when `frame` repeats a frame seen just before (the caller drops it); otherwise the
    /// frame is remembered.
    pub fn is_duplicate(&mut self, frame: &Frame) -> bool {
        while self
            .recent
            .front()
            .is_some_and(|(ts, _)| frame.ts.saturating_sub(*ts) > DUPLICATE_WINDOW_NS)
        {
            self.forget_oldest();
        }
        let key = Key::of(frame);
        if self.seen.contains_key(&key) {
            if self.dropped.len() <= frame.input {
                self.dropped.resize(frame.input.saturating_add(1), 0);
            }
            if let Some(n) = self.dropped.get_mut(frame.input) {
                *n = n.saturating_add(1);
            }
            return true;
        }
        if self.recent.len() >= MAX_RECENT {
            self.forget_oldest();
        }
        self.recent.push_back((frame.ts, key));
        let n = self.seen.entry(key).or_default();
        *n = n.saturating_add(1);
        false
    }

    /// Copies dropped from input `input` so far.
    pub fn dropped(&self, input: usize) -> u64 {
        self.dropped.get(input).copied().unwrap_or(0)
    }

    /// The input warning for `n` dropped copies.
    pub fn warning(n: u64) -> super::InputWarning {
        super::InputWarning::DuplicatesRemoved { count: n }
    }
}

#[cfg(test)]
#[allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation
)]
mod tests {
    use super::*;

    fn frame(number: u64, ts: Nanos, data: &[u8]) -> Frame {
        Frame {
            number,
            input: 0,
            ts,
            link_type: 1,
            orig_len: data.len() as u32,
            data: data.to_vec(),
        }
    }

    #[test]
    fn copies_within_the_window_are_dropped_and_counted() {
        let mut f = DuplicateFilter::default();
        let pkt = b"\x00\x11\x22 one packet";
        // pktmon: the same packet at three components, microseconds apart
        assert!(!f.is_duplicate(&frame(1, 1_000_000_000, pkt)));
        assert!(f.is_duplicate(&frame(2, 1_000_004_000, pkt)));
        assert!(f.is_duplicate(&frame(3, 1_000_009_000, pkt)));
        // another packet in between is kept
        assert!(!f.is_duplicate(&frame(4, 1_000_010_000, b"\x00\x11\x22 another")));
        assert_eq!(f.dropped(0), 2);
        assert_eq!(
            DuplicateFilter::warning(f.dropped(0)).to_string(),
            "2 duplicate packets from pktmon removed (same bytes within 10 ms)"
        );
    }

    #[test]
    fn real_repeats_and_other_inputs_are_kept() {
        let mut f = DuplicateFilter::default();
        let pkt = b"retransmitted SYN";
        assert!(!f.is_duplicate(&frame(1, 0, pkt)));
        // a retransmission one second later is a packet of its own
        assert!(!f.is_duplicate(&frame(2, 1_000_000_000, pkt)));
        // just past the window: kept
        assert!(!f.is_duplicate(&frame(3, 1_000_000_000 + DUPLICATE_WINDOW_NS + 1, pkt)));
        // the same bytes from another input (a second capture point) are kept
        let mut other = frame(4, 1_000_000_000 + DUPLICATE_WINDOW_NS + 2, pkt);
        other.input = 1;
        assert!(!f.is_duplicate(&other));
        // same bytes but a different wire length (snap length cut) are kept
        let mut cut = frame(5, 1_000_000_000 + DUPLICATE_WINDOW_NS + 3, pkt);
        cut.orig_len = 1500;
        assert!(!f.is_duplicate(&cut));
        assert_eq!(f.dropped(0), 0);
        assert_eq!(f.dropped(1), 0);
    }
}
