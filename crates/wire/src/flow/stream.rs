//! One direction of a TCP connection reassembled into an in-order byte stream: in-order bytes
//! pass straight through (borrowed), bytes ahead wait in a bounded buffer, bytes already seen
//! are dropped, and missing bytes that never come become gaps.
//!
//! Positions inside the stream are tracked twice: as the 32-bit sequence number on the wire
//! (wrapping at 2^32) and as a 64-bit offset from the start of the stream, which never wraps and
//! keys the out-of-order buffer.

use std::collections::BTreeMap;

use crate::capture::Nanos;

use super::event::{TcpEvent, TcpSink};
use super::limits::{NEW_INCARNATION_JUMP, TcpLimits};
use super::stats::TcpStats;
use super::{ConnId, Side};

/// Where a stream's events go: the connection and side they are about, the sink, the counters.
pub(crate) struct Out<'s, S> {
    pub(crate) conn: ConnId,
    pub(crate) from: Side,
    pub(crate) sink: &'s mut S,
    pub(crate) stats: &'s mut TcpStats,
}

impl<S: TcpSink> Out<'_, S> {
    fn data(&mut self, data: &[u8], frame: u64, ts: Nanos) {
        self.sink.event(TcpEvent::Data {
            conn: self.conn,
            from: self.from,
            data,
            frame,
            ts,
        });
    }

    fn gap(&mut self, missing: u64, frame: u64) {
        self.stats.gaps = self.stats.gaps.saturating_add(1);
        self.stats.gap_bytes = self.stats.gap_bytes.saturating_add(missing);
        self.sink.event(TcpEvent::Gap {
            conn: self.conn,
            from: self.from,
            missing,
            frame,
        });
    }

    fn dropped(&mut self, bytes: u64) {
        self.stats.retransmitted_bytes = self.stats.retransmitted_bytes.saturating_add(bytes);
    }

    fn dropped_segment(&mut self, bytes: u64) {
        self.stats.retransmitted_segments = self.stats.retransmitted_segments.saturating_add(1);
        self.dropped(bytes);
    }
}

/// Bytes that arrived ahead of the stream, copied out of their packet.
struct Piece {
    data: Vec<u8>,
    frame: u64,
    ts: Nanos,
}

fn len64(data: &[u8]) -> u64 {
    u64::try_from(data.len()).unwrap_or(u64::MAX)
}

fn usize_of(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// Signed distance from `from` to `to` in sequence space (wrapping at 2^32).
fn seq_distance(from: u32, to: u32) -> i64 {
    i64::from(to.wrapping_sub(from) as i32)
}

/// One direction's reassembly state.
#[derive(Default)]
pub(crate) struct Stream {
    /// Sequence number of the next byte to deliver; `None` until the direction's first SYN or
    /// data segment.
    next_seq: Option<u32>,
    /// Stream offset of the next byte to deliver (bytes delivered plus bytes skipped as gaps).
    next_abs: u64,
    /// The direction's FIN has been delivered; nothing more comes.
    fin: bool,
    /// Out-of-order bytes by stream offset; never overlapping, every key above `next_abs`
    /// between calls.
    pending: BTreeMap<u64, Piece>,
    pending_bytes: usize,
}

impl Stream {
    /// Sets the sequence number of the first byte (the ISN + 1 after a SYN).
    pub(crate) fn start_at(&mut self, seq: u32) {
        self.next_seq = Some(seq);
    }

    /// Whether the direction's FIN has been delivered.
    pub(crate) fn finished(&self) -> bool {
        self.fin
    }

    /// Whether `seq` is too far from the next expected sequence number (either way) to belong
    /// to this stream. Never true before the stream's position is known.
    pub(crate) fn out_of_window(&self, seq: u32) -> bool {
        self.next_seq.is_some_and(|next| {
            let ahead = seq.wrapping_sub(next);
            ahead > NEW_INCARNATION_JUMP && ahead < NEW_INCARNATION_JUMP.wrapping_neg()
        })
    }

    /// Takes a segment's payload starting at sequence number `seq`.
    pub(crate) fn data<S: TcpSink>(
        &mut self,
        seq: u32,
        payload: &[u8],
        frame: u64,
        ts: Nanos,
        limits: &TcpLimits,
        out: &mut Out<'_, S>,
    ) {
        if payload.is_empty() {
            return;
        }
        let next = *self.next_seq.get_or_insert(seq);
        let rel = seq_distance(next, seq);
        let len = len64(payload);
        if rel < 0 {
            let behind = rel.unsigned_abs();
            if behind >= len {
                out.dropped_segment(len);
                return;
            }
            if self.fin {
                // The part not seen before lies past the FIN: not stream data.
                return;
            }
            out.dropped(behind);
            let fresh = payload.get(usize_of(behind)..).unwrap_or_default();
            self.deliver(fresh, frame, ts, out);
        } else if self.fin {
            // Past the FIN: not stream data.
        } else if rel == 0 {
            self.deliver(payload, frame, ts, out);
        } else {
            out.stats.out_of_order_segments = out.stats.out_of_order_segments.saturating_add(1);
            let start = self.next_abs.saturating_add(rel.unsigned_abs());
            self.buffer(start, payload, frame, ts, out);
            self.enforce_limits(limits, out);
        }
    }

    /// Takes the direction's FIN, at sequence number `fin_seq` (after the segment's payload).
    /// Delivers everything buffered first, skipping over missing bytes. Returns whether this was
    /// the direction's first FIN (and a `Fin` event was emitted).
    pub(crate) fn fin<S: TcpSink>(
        &mut self,
        fin_seq: u32,
        frame: u64,
        ts: Nanos,
        out: &mut Out<'_, S>,
    ) -> bool {
        if self.fin {
            return false;
        }
        self.next_seq.get_or_insert(fin_seq);
        self.flush(out);
        if let Some(next) = self.next_seq {
            let rel = seq_distance(next, fin_seq);
            if rel > 0 {
                let missing = rel.unsigned_abs();
                out.gap(missing, frame);
                self.advance(missing);
            }
        }
        self.fin = true;
        self.next_seq = self.next_seq.map(|s| s.wrapping_add(1));
        out.sink.event(TcpEvent::Fin {
            conn: out.conn,
            from: out.from,
            frame,
            ts,
        });
        true
    }

    /// Delivers everything buffered, emitting a gap before each run that follows missing bytes.
    pub(crate) fn flush<S: TcpSink>(&mut self, out: &mut Out<'_, S>) {
        while self.skip_gap(out) {}
    }

    fn advance(&mut self, n: u64) {
        self.next_abs = self.next_abs.saturating_add(n);
        // Only the low 32 bits count in sequence space (the addition wraps).
        let low = u32::try_from(n & u64::from(u32::MAX)).unwrap_or(0);
        self.next_seq = self.next_seq.map(|s| s.wrapping_add(low));
    }

    /// Delivers `data`, which starts exactly at the next expected byte, interleaved with any
    /// buffered pieces it reaches: bytes already buffered win over the same bytes in `data`.
    fn deliver<S: TcpSink>(&mut self, data: &[u8], frame: u64, ts: Nanos, out: &mut Out<'_, S>) {
        let mut at = self.next_abs;
        let mut rest = data;
        loop {
            self.drain_ready(out);
            if rest.is_empty() {
                break;
            }
            if at < self.next_abs {
                // A buffered piece already delivered these bytes.
                let skip = usize_of(self.next_abs.saturating_sub(at)).min(rest.len());
                let Some((seen, fresh)) = rest.split_at_checked(skip) else {
                    break;
                };
                out.dropped(len64(seen));
                at = at.saturating_add(len64(seen));
                rest = fresh;
                continue;
            }
            let room = self
                .pending
                .first_key_value()
                .map_or(u64::MAX, |(&start, _)| start.saturating_sub(self.next_abs));
            let take = usize_of(room).min(rest.len());
            if take == 0 {
                break;
            }
            let Some((now, later)) = rest.split_at_checked(take) else {
                break;
            };
            out.data(now, frame, ts);
            self.advance(len64(now));
            at = at.saturating_add(len64(now));
            rest = later;
        }
    }

    /// Delivers the buffered pieces that now start at (or before) the next expected byte.
    fn drain_ready<S: TcpSink>(&mut self, out: &mut Out<'_, S>) {
        while let Some(entry) = self.pending.first_entry() {
            let start = *entry.key();
            if start > self.next_abs {
                break;
            }
            let piece = entry.remove();
            self.pending_bytes = self.pending_bytes.saturating_sub(piece.data.len());
            out.stats.buffered_bytes = out.stats.buffered_bytes.saturating_sub(len64(&piece.data));
            let seen = self.next_abs.saturating_sub(start);
            match piece.data.get(usize_of(seen)..) {
                Some(fresh) if !fresh.is_empty() => {
                    out.dropped(seen);
                    out.data(fresh, piece.frame, piece.ts);
                    self.advance(len64(fresh));
                }
                _ => out.dropped(len64(&piece.data)),
            }
        }
    }

    /// Copies the parts of `data` (at stream offset `start`) not already buffered.
    fn buffer<S: TcpSink>(
        &mut self,
        start: u64,
        data: &[u8],
        frame: u64,
        ts: Nanos,
        out: &mut Out<'_, S>,
    ) {
        let end = start.saturating_add(len64(data));
        let mut holes: Vec<(u64, u64)> = Vec::new();
        let mut cursor = start;
        if let Some((&k, p)) = self.pending.range(..start).next_back() {
            cursor = cursor.max(k.saturating_add(len64(&p.data)));
        }
        for (&k, p) in self.pending.range(start..end) {
            if k > cursor {
                holes.push((cursor, k));
            }
            cursor = cursor.max(k.saturating_add(len64(&p.data)));
        }
        if cursor < end {
            holes.push((cursor, end));
        }
        let kept: u64 = holes.iter().map(|&(a, b)| b.saturating_sub(a)).sum();
        if kept == 0 {
            out.dropped_segment(len64(data));
            return;
        }
        out.dropped(len64(data).saturating_sub(kept));
        for (a, b) in holes {
            let bytes = data
                .get(usize_of(a.saturating_sub(start))..usize_of(b.saturating_sub(start)))
                .unwrap_or_default();
            self.pending_bytes = self.pending_bytes.saturating_add(bytes.len());
            out.stats.buffered_bytes = out.stats.buffered_bytes.saturating_add(len64(bytes));
            self.pending.insert(
                a,
                Piece {
                    data: bytes.to_vec(),
                    frame,
                    ts,
                },
            );
        }
    }

    /// Skips over missing bytes until the buffer is back within its limits.
    fn enforce_limits<S: TcpSink>(&mut self, limits: &TcpLimits, out: &mut Out<'_, S>) {
        let mut overflowed = false;
        while self.pending_bytes > limits.max_buffered_bytes
            || self.pending.len() > limits.max_buffered_segments
        {
            if !self.skip_gap(out) {
                break;
            }
            overflowed = true;
        }
        if overflowed {
            out.stats.buffer_overflows = out.stats.buffer_overflows.saturating_add(1);
        }
    }

    /// Gives up on the bytes missing before the first buffered piece: emits a gap for them and
    /// delivers what is then in order. False when nothing is buffered.
    fn skip_gap<S: TcpSink>(&mut self, out: &mut Out<'_, S>) -> bool {
        let Some((&start, piece)) = self.pending.first_key_value() else {
            return false;
        };
        let missing = start.saturating_sub(self.next_abs);
        if missing > 0 {
            out.gap(missing, piece.frame);
            self.advance(missing);
        }
        self.drain_ready(out);
        true
    }
}
