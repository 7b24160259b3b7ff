//! IPv4 and IPv6 fragment reassembly, bounded in every dimension. The byte ranges (out of order,
//! overlapping, duplicated) are handled by etherparse's [`IpDefragBuf`]; this module owns the
//! table of pending datagrams, the limits, the timeout and which frames carried the fragments.

use std::collections::HashMap;
use std::net::IpAddr;

use etherparse::defrag::{IpDefragBuf, IpDefragError};
use etherparse::{IpFragOffset, IpNumber};

use crate::capture::Nanos;

/// Fragments accepted for one datagram before it is dropped.
pub const MAX_FRAGMENTS_PER_DATAGRAM: usize = 128;
/// Largest reassembled payload (the IP length fields cannot describe more).
pub const MAX_DATAGRAM_BYTES: u32 = 65_535;
/// Datagrams held at once; a new one beyond this evicts the oldest.
pub const MAX_PENDING_DATAGRAMS: usize = 256;
/// A datagram not completed within this much capture time after its first fragment is dropped.
pub const FRAGMENT_TIMEOUT_NANOS: Nanos = 30_000_000_000;

/// What identifies one datagram's fragments.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct DatagramKey {
    /// Input index: the same datagram seen in two merged captures is two datagrams.
    pub input: usize,
    pub src: IpAddr,
    pub dst: IpAddr,
    pub id: u32,
    pub protocol: u8,
}

/// Counters over the decoder's lifetime, for the report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DefragStats {
    /// Datagrams completed and handed on.
    pub reassembled: u64,
    /// Datagrams dropped because [`FRAGMENT_TIMEOUT_NANOS`] passed.
    pub timed_out: u64,
    /// Datagrams evicted to stay within [`MAX_PENDING_DATAGRAMS`].
    pub evicted: u64,
    /// Datagrams dropped for breaking [`MAX_FRAGMENTS_PER_DATAGRAM`] or [`MAX_DATAGRAM_BYTES`].
    pub dropped: u64,
}

/// One fragment handed to the defragmenter.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FragmentIn<'a> {
    pub frame: u64,
    pub ts: Nanos,
    pub offset: u32,
    pub more: bool,
    pub data: &'a [u8],
}

/// What adding one fragment gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    Held,
    /// The datagram is whole: its payload and the earlier frames that carried parts of it.
    Complete {
        payload: Vec<u8>,
        earlier_frames: Vec<u64>,
    },
    /// The fragment was refused (the reason says why, without the layer name).
    Rejected(String),
}

struct Pending {
    buf: IpDefragBuf,
    frames: Vec<u64>,
    first_ts: Nanos,
    /// Arrival order of the first fragment, to evict the oldest.
    seq: u64,
}

/// The pending datagrams.
pub(crate) struct Defragmenter {
    pending: HashMap<DatagramKey, Pending>,
    next_seq: u64,
    stats: DefragStats,
}

impl Defragmenter {
    pub(crate) fn new() -> Self {
        Defragmenter {
            pending: HashMap::new(),
            next_seq: 0,
            stats: DefragStats::default(),
        }
    }

    pub(crate) fn stats(&self) -> DefragStats {
        self.stats
    }

    pub(crate) fn pending(&self) -> usize {
        self.pending.len()
    }

    pub(crate) fn add(&mut self, key: DatagramKey, frag: FragmentIn<'_>) -> Outcome {
        self.expire(frag.ts);
        let len = u64::try_from(frag.data.len()).unwrap_or(u64::MAX);
        let end = u64::from(frag.offset).saturating_add(len);
        if end > u64::from(MAX_DATAGRAM_BYTES) {
            if self.pending.remove(&key).is_some() {
                self.stats.dropped = self.stats.dropped.saturating_add(1);
            }
            return Outcome::Rejected(format!(
                "fragment at offset {} with {} bytes goes past {MAX_DATAGRAM_BYTES} bytes; datagram dropped",
                frag.offset,
                frag.data.len()
            ));
        }
        if !self.pending.contains_key(&key) && self.pending.len() >= MAX_PENDING_DATAGRAMS {
            self.evict_oldest();
        }
        let seq = self.next_seq;
        let entry = self.pending.entry(key.clone()).or_insert_with(|| Pending {
            buf: IpDefragBuf::new(IpNumber(key.protocol), Vec::new(), Vec::new()),
            frames: Vec::new(),
            first_ts: frag.ts,
            seq,
        });
        if entry.seq == seq {
            self.next_seq = self.next_seq.saturating_add(1);
        }
        if entry.frames.len() >= MAX_FRAGMENTS_PER_DATAGRAM {
            self.pending.remove(&key);
            self.stats.dropped = self.stats.dropped.saturating_add(1);
            return Outcome::Rejected(format!(
                "more than {MAX_FRAGMENTS_PER_DATAGRAM} fragments for one datagram; datagram dropped"
            ));
        }
        // MAX_DATAGRAM_BYTES was checked above, so the offset fits IpFragOffset (13 bits of
        // 8-byte units); an offset that is not a multiple of 8 cannot come from a header.
        let units = u16::try_from(frag.offset / 8).ok();
        let Some(offset) = units.and_then(|u| IpFragOffset::try_new(u).ok()) else {
            return Outcome::Rejected(format!("fragment offset {} out of range", frag.offset));
        };
        if let Err(e) = entry.buf.add(offset, frag.more, frag.data) {
            let reason = match e {
                IpDefragError::UnalignedFragmentPayloadLen { payload_len, .. } => {
                    format!("non-final fragment length {payload_len} is not a multiple of 8")
                }
                IpDefragError::ConflictingEnd {
                    previous_end,
                    conflicting_end,
                } => format!(
                    "fragment ending at {conflicting_end} conflicts with the datagram end {previous_end}"
                ),
                other => other.to_string(),
            };
            if entry.frames.is_empty() {
                self.pending.remove(&key);
            }
            return Outcome::Rejected(reason);
        }
        entry.frames.push(frag.frame);
        if !entry.buf.is_complete() {
            return Outcome::Held;
        }
        let Some(done) = self.pending.remove(&key) else {
            return Outcome::Held;
        };
        self.stats.reassembled = self.stats.reassembled.saturating_add(1);
        let (payload, _) = done.buf.take_bufs();
        let mut earlier_frames = done.frames;
        earlier_frames.pop();
        Outcome::Complete {
            payload,
            earlier_frames,
        }
    }

    /// Drops datagrams whose first fragment is older than the timeout at capture time `now`.
    fn expire(&mut self, now: Nanos) {
        let before = self.pending.len();
        self.pending
            .retain(|_, p| now.saturating_sub(p.first_ts) <= FRAGMENT_TIMEOUT_NANOS);
        let gone = u64::try_from(before.saturating_sub(self.pending.len())).unwrap_or(u64::MAX);
        self.stats.timed_out = self.stats.timed_out.saturating_add(gone);
    }

    fn evict_oldest(&mut self) {
        let oldest = self
            .pending
            .iter()
            .min_by_key(|(_, p)| p.seq)
            .map(|(k, _)| k.clone());
        if let Some(k) = oldest {
            self.pending.remove(&k);
            self.stats.evicted = self.stats.evicted.saturating_add(1);
        }
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

    fn key(id: u32) -> DatagramKey {
        DatagramKey {
            input: 0,
            src: "10.0.0.1".parse().unwrap(),
            dst: "10.0.0.2".parse().unwrap(),
            id,
            protocol: 17,
        }
    }

    fn frag(frame: u64, ts: Nanos, offset: u32, more: bool, data: &[u8]) -> FragmentIn<'_> {
        FragmentIn {
            frame,
            ts,
            offset,
            more,
            data,
        }
    }

    #[test]
    fn in_order_and_out_of_order() {
        let mut d = Defragmenter::new();
        assert_eq!(
            d.add(key(1), frag(1, 0, 0, true, b"AAAAAAAA")),
            Outcome::Held
        );
        assert_eq!(
            d.add(key(1), frag(2, 0, 8, false, b"BB")),
            Outcome::Complete {
                payload: b"AAAAAAAABB".to_vec(),
                earlier_frames: vec![1]
            }
        );
        assert_eq!(d.add(key(2), frag(5, 0, 16, false, b"C")), Outcome::Held);
        assert_eq!(
            d.add(key(2), frag(6, 0, 0, true, b"AAAAAAAA")),
            Outcome::Held
        );
        assert_eq!(
            d.add(key(2), frag(7, 0, 8, true, b"BBBBBBBB")),
            Outcome::Complete {
                payload: b"AAAAAAAABBBBBBBBC".to_vec(),
                earlier_frames: vec![5, 6]
            }
        );
        assert_eq!(d.stats().reassembled, 2);
        assert_eq!(d.pending(), 0);
    }

    #[test]
    fn overlapping_and_duplicate_fragments() {
        let mut d = Defragmenter::new();
        assert_eq!(d.add(key(1), frag(1, 0, 0, true, &[1; 16])), Outcome::Held);
        assert_eq!(d.add(key(1), frag(2, 0, 8, true, &[2; 16])), Outcome::Held);
        assert_eq!(d.add(key(1), frag(3, 0, 8, true, &[2; 16])), Outcome::Held);
        let Outcome::Complete {
            payload,
            earlier_frames,
        } = d.add(key(1), frag(4, 0, 24, false, &[3; 4]))
        else {
            panic!("not complete");
        };
        assert_eq!(payload.len(), 28);
        assert_eq!(&payload[..8], &[1; 8]);
        assert_eq!(&payload[24..], &[3; 4]);
        assert_eq!(earlier_frames, vec![1, 2, 3]);
    }

    #[test]
    fn never_completed_times_out() {
        let mut d = Defragmenter::new();
        assert_eq!(d.add(key(1), frag(1, 0, 0, true, &[0; 8])), Outcome::Held);
        assert_eq!(d.pending(), 1);
        // another datagram long after: the first is dropped
        let later = FRAGMENT_TIMEOUT_NANOS + 1;
        assert_eq!(
            d.add(key(2), frag(2, later, 0, true, &[0; 8])),
            Outcome::Held
        );
        assert_eq!(d.pending(), 1);
        assert_eq!(d.stats().timed_out, 1);
        // the tail of the first one now starts a fresh, incomplete datagram
        assert_eq!(
            d.add(key(1), frag(3, later, 8, false, &[0; 2])),
            Outcome::Held
        );
    }

    #[test]
    fn too_many_fragments_drops_the_datagram() {
        let mut d = Defragmenter::new();
        for i in 0..MAX_FRAGMENTS_PER_DATAGRAM {
            let out = d.add(key(1), frag(i as u64, 0, 8 * i as u32, true, &[0; 8]));
            assert_eq!(out, Outcome::Held);
        }
        let out = d.add(key(1), frag(999, 0, 8 * 1000, false, &[0; 8]));
        assert!(
            matches!(out, Outcome::Rejected(ref r) if r.contains("more than 128 fragments")),
            "{out:?}"
        );
        assert_eq!(d.pending(), 0);
        assert_eq!(d.stats().dropped, 1);
    }

    #[test]
    fn too_big_and_conflicting_fragments_are_rejected() {
        let mut d = Defragmenter::new();
        let out = d.add(key(1), frag(1, 0, 65_528, false, &[0; 16]));
        assert!(
            matches!(out, Outcome::Rejected(ref r) if r.contains("65535")),
            "{out:?}"
        );
        assert_eq!(d.add(key(2), frag(1, 0, 0, true, &[0; 8])), Outcome::Held);
        assert_eq!(
            d.add(key(2), frag(2, 0, 8, false, &[0; 8])),
            Outcome::Complete {
                payload: vec![0; 16],
                earlier_frames: vec![1],
            }
        );
        assert_eq!(d.add(key(3), frag(1, 0, 16, false, &[0; 8])), Outcome::Held);
        let out = d.add(key(3), frag(2, 0, 32, true, &[0; 8]));
        assert!(
            matches!(out, Outcome::Rejected(ref r) if r.contains("conflicts")),
            "{out:?}"
        );
        let out = d.add(key(4), frag(3, 0, 0, true, &[0; 5]));
        assert!(
            matches!(out, Outcome::Rejected(ref r) if r.contains("multiple of 8")),
            "{out:?}"
        );
        assert_eq!(
            d.pending(),
            1,
            "the refused first fragment leaves nothing behind"
        );
    }

    #[test]
    fn pending_table_evicts_the_oldest() {
        let mut d = Defragmenter::new();
        for id in 0..MAX_PENDING_DATAGRAMS as u32 {
            assert_eq!(d.add(key(id), frag(1, 0, 0, true, &[0; 8])), Outcome::Held);
        }
        assert_eq!(
            d.add(key(9999), frag(2, 0, 0, true, &[0; 8])),
            Outcome::Held
        );
        assert_eq!(d.pending(), MAX_PENDING_DATAGRAMS);
        assert_eq!(d.stats().evicted, 1);
        // datagram 1 is still there
        assert!(matches!(
            d.add(key(1), frag(4, 0, 8, false, &[0; 1])),
            Outcome::Complete { .. }
        ));
        // datagram 0 was the oldest: its tail no longer completes anything
        assert_eq!(d.add(key(0), frag(3, 0, 8, false, &[0; 1])), Outcome::Held);
    }
}
