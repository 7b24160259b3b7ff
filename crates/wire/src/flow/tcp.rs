//! The TCP tracker: follows every connection in a capture through its incarnations (SYN,
//! SYN-ACK, data, FIN, RST, reuse of the 4-tuple) and turns its segments into [`TcpEvent`]s.
//!
//! Works from whatever part of a connection the capture holds: ACKs are never needed, so a
//! capture of one direction only reassembles just as well. Per segment the work is one hash
//! lookup and O(1) list maintenance; in-order data is handed on borrowed, without allocating.

use std::net::IpAddr;

use crate::capture::Nanos;
use crate::net::TcpSegment;

use super::event::{CloseReason, TcpEvent, TcpSink};
use super::key::TupleKey;
use super::limits::TcpLimits;
use super::roles::dst_is_server;
use super::stats::TcpStats;
use super::stream::{Out, Stream};
use super::table::Table;
use super::{ConnId, Endpoint, Side};

/// One incarnation of a 4-tuple. Once closed (FIN both ways or RST) it stays in the table as a
/// tombstone, so that the segments straggling after the close are recognised and ignored.
struct Conn {
    id: ConnId,
    client: Endpoint,
    server: Endpoint,
    /// Whether the client is the lower endpoint of the tuple key.
    client_is_lo: bool,
    /// The ISN of the client's SYN, when it was captured.
    client_isn: Option<u32>,
    /// The ISN of the server's SYN-ACK, when it was captured.
    server_isn: Option<u32>,
    /// The server has sent something (so a repeated SYN is no longer "no answer").
    answered: bool,
    /// `Closed` has been emitted.
    closed: bool,
    /// Capture time of the latest segment.
    last_ts: Nanos,
    client_stream: Stream,
    server_stream: Stream,
}

impl Conn {
    fn side(&self, src_is_lo: bool) -> Side {
        if src_is_lo == self.client_is_lo {
            Side::Client
        } else {
            Side::Server
        }
    }

    fn stream(&mut self, side: Side) -> &mut Stream {
        match side {
            Side::Client => &mut self.client_stream,
            Side::Server => &mut self.server_stream,
        }
    }

    fn out<'s, S>(&self, from: Side, sink: &'s mut S, stats: &'s mut TcpStats) -> Out<'s, S> {
        Out {
            conn: self.id,
            from,
            sink,
            stats,
        }
    }

    /// Delivers everything either direction still buffers, skipping over missing bytes.
    fn flush<S: TcpSink>(&mut self, sink: &mut S, stats: &mut TcpStats) {
        for side in [Side::Client, Side::Server] {
            let mut out = self.out(side, sink, stats);
            self.stream(side).flush(&mut out);
        }
    }

    /// Emits `Closed` and keeps the connection only as a tombstone.
    fn close<S: TcpSink>(&mut self, reason: CloseReason, sink: &mut S) {
        self.closed = true;
        sink.event(TcpEvent::Closed {
            conn: self.id,
            reason,
        });
    }

    /// Lets go of a connection that is still open: flushes it, then closes it.
    fn retire<S: TcpSink>(&mut self, reason: CloseReason, sink: &mut S, stats: &mut TcpStats) {
        if !self.closed {
            self.flush(sink, stats);
            self.close(reason, sink);
        }
    }
}

/// The segment being handled, with its endpoints resolved.
struct Seen<'p, 'a> {
    frame: u64,
    ts: Nanos,
    src: Endpoint,
    dst: Endpoint,
    src_is_lo: bool,
    key: TupleKey,
    seg: &'p TcpSegment<'a>,
}

/// The roles of a new incarnation: client, server, and whether the client is the lower endpoint.
type Roles = (Endpoint, Endpoint, bool);

impl Seen<'_, '_> {
    /// Roles with the segment's sender as the client.
    fn sender_is_client(&self) -> Roles {
        (self.src, self.dst, self.src_is_lo)
    }

    /// Roles with the segment's receiver as the client.
    fn receiver_is_client(&self) -> Roles {
        (self.dst, self.src, !self.src_is_lo)
    }

    /// Roles guessed from the ports, for a connection whose SYN was not captured.
    fn guessed(&self) -> Roles {
        if dst_is_server(self.src, self.dst) {
            self.sender_is_client()
        } else {
            self.receiver_is_client()
        }
    }
}

/// Follows TCP connections and reassembles their byte streams. Feed it every TCP segment in
/// capture order with [`TcpTracker::segment`], then call [`TcpTracker::finish`] once.
pub struct TcpTracker {
    limits: TcpLimits,
    table: Table<Conn>,
    next_id: ConnId,
    stats: TcpStats,
}

impl TcpTracker {
    pub fn new(limits: TcpLimits) -> Self {
        Self {
            limits,
            table: Table::new(),
            next_id: 0,
            stats: TcpStats::default(),
        }
    }

    /// Takes one TCP segment, `src` → `dst`, carried by `frame` at capture time `ts`.
    pub fn segment(
        &mut self,
        frame: u64,
        ts: Nanos,
        src: IpAddr,
        dst: IpAddr,
        seg: &TcpSegment<'_>,
        sink: &mut impl TcpSink,
    ) {
        self.stats.segments = self.stats.segments.saturating_add(1);
        let src = Endpoint {
            ip: src,
            port: seg.src_port,
        };
        let dst = Endpoint {
            ip: dst,
            port: seg.dst_port,
        };
        let (key, src_is_lo) = TupleKey::new(src, dst);
        let seen = Seen {
            frame,
            ts,
            src,
            dst,
            src_is_lo,
            key,
            seg,
        };
        let at = self.table.find(&key);
        if let Some(at) = at {
            self.table.touch(at);
            if let Some(conn) = self.table.get_mut(at) {
                conn.last_ts = ts;
            }
        }
        if seg.flags.rst() {
            self.on_rst(at, &seen, sink);
        } else if seg.flags.syn() {
            self.on_syn(at, &seen, sink);
        } else {
            self.on_data(at, &seen, sink);
        }
        if self.stats.buffered_bytes > self.limits.max_buffered_bytes_total as u64 {
            self.shed(sink);
        }
    }

    /// Over [`TcpLimits::max_buffered_bytes_total`]: the least recently active connections
    /// deliver what they buffer, skipping the bytes they still miss, until the total is back
    /// under the limit. They stay open. Each connection is visited at most once.
    fn shed<S: TcpSink>(&mut self, sink: &mut S) {
        let mut at = self.table.oldest();
        while let Some(slot) = at {
            if self.stats.buffered_bytes <= self.limits.max_buffered_bytes_total as u64 {
                break;
            }
            at = self.table.newer(slot);
            if let Some(conn) = self.table.get_mut(slot) {
                let before = self.stats.buffered_bytes;
                conn.flush(sink, &mut self.stats);
                if self.stats.buffered_bytes < before {
                    self.stats.buffer_overflows = self.stats.buffer_overflows.saturating_add(1);
                }
            }
        }
    }

    /// End of capture: delivers what every open connection still buffers (gaps, then data) and
    /// closes it with [`CloseReason::EndOfCapture`], in the order the connections were opened.
    pub fn finish(&mut self, sink: &mut impl TcpSink) {
        let mut open: Vec<(ConnId, usize)> = self
            .table
            .slots()
            .filter_map(|at| {
                let conn = self.table.get(at)?;
                (!conn.closed).then_some((conn.id, at))
            })
            .collect();
        open.sort_unstable();
        for (_, at) in open {
            if let Some(conn) = self.table.get_mut(at) {
                conn.retire(CloseReason::EndOfCapture, sink, &mut self.stats);
            }
        }
        self.table.clear();
    }

    /// The counters so far.
    pub fn stats(&self) -> TcpStats {
        self.stats
    }

    /// A RST: flushes and closes the connection (opening it first if it is new).
    fn on_rst<S: TcpSink>(&mut self, at: Option<usize>, seen: &Seen<'_, '_>, sink: &mut S) {
        let at = match at {
            Some(at) => at,
            None => self.open(None, seen, seen.guessed(), false, sink),
        };
        let Some(conn) = self.table.get_mut(at) else {
            return;
        };
        if conn.closed {
            return;
        }
        let from = conn.side(seen.src_is_lo);
        conn.answered |= from == Side::Server;
        conn.flush(sink, &mut self.stats);
        sink.event(TcpEvent::Reset {
            conn: conn.id,
            from,
            frame: seen.frame,
            ts: seen.ts,
        });
        conn.close(CloseReason::Reset, sink);
        self.stats.resets = self.stats.resets.saturating_add(1);
    }

    /// A SYN or SYN-ACK: a repeat, the answer to the client's SYN, or a new incarnation.
    fn on_syn<S: TcpSink>(&mut self, at: Option<usize>, seen: &Seen<'_, '_>, sink: &mut S) {
        let isn = seen.seg.seq;
        let synack = seen.seg.flags.ack();
        if let Some(conn) = at.and_then(|at| self.table.get_mut(at)) {
            let from = conn.side(seen.src_is_lo);
            if synack && from == Side::Server && conn.server_isn == Some(isn) {
                // The SYN-ACK again.
                return;
            }
            if synack
                && from == Side::Server
                && !conn.closed
                && conn.server_isn.is_none()
                && conn.client_isn.is_some()
            {
                conn.server_isn = Some(isn);
                conn.answered = true;
                conn.server_stream.start_at(isn.wrapping_add(1));
                sink.event(TcpEvent::SynAck {
                    conn: conn.id,
                    frame: seen.frame,
                    ts: seen.ts,
                });
                self.syn_payload(at, seen, sink);
                return;
            }
            if !synack && from == Side::Client && conn.client_isn == Some(isn) && !conn.closed {
                if !conn.answered {
                    self.stats.syn_retransmits = self.stats.syn_retransmits.saturating_add(1);
                    sink.event(TcpEvent::SynRetransmit {
                        conn: conn.id,
                        frame: seen.frame,
                        ts: seen.ts,
                    });
                }
                self.syn_payload(at, seen, sink);
                return;
            }
            if !conn.closed {
                self.stats.replaced = self.stats.replaced.saturating_add(1);
                conn.retire(CloseReason::Replaced, sink, &mut self.stats);
            }
        }
        let roles = if synack {
            seen.receiver_is_client()
        } else {
            seen.sender_is_client()
        };
        let at = self.open(at, seen, roles, !synack, sink);
        let Some(conn) = self.table.get_mut(at) else {
            return;
        };
        if synack {
            conn.server_isn = Some(isn);
            conn.answered = true;
            conn.server_stream.start_at(isn.wrapping_add(1));
            // The SYN-ACK acknowledges the client's ISN: its first data byte is known.
            conn.client_stream.start_at(seen.seg.ack);
            sink.event(TcpEvent::SynAck {
                conn: conn.id,
                frame: seen.frame,
                ts: seen.ts,
            });
        } else {
            conn.client_isn = Some(isn);
            conn.client_stream.start_at(isn.wrapping_add(1));
        }
        self.syn_payload(Some(at), seen, sink);
    }

    /// Data carried by a SYN (TCP Fast Open) starts right after the ISN.
    fn syn_payload<S: TcpSink>(&mut self, at: Option<usize>, seen: &Seen<'_, '_>, sink: &mut S) {
        if seen.seg.payload.is_empty() {
            return;
        }
        let Some(conn) = at.and_then(|at| self.table.get_mut(at)) else {
            return;
        };
        let from = conn.side(seen.src_is_lo);
        let mut out = conn.out(from, sink, &mut self.stats);
        conn.stream(from).data(
            seen.seg.seq.wrapping_add(1),
            &seen.seg.payload,
            seen.frame,
            seen.ts,
            &self.limits,
            &mut out,
        );
    }

    /// A segment without SYN or RST: data, FIN, or a bare ACK.
    fn on_data<S: TcpSink>(&mut self, at: Option<usize>, seen: &Seen<'_, '_>, sink: &mut S) {
        let seg = seen.seg;
        let fin = seg.flags.fin();
        let carries = fin || !seg.payload.is_empty();
        let at = match at.and_then(|at| self.table.get_mut(at).map(|conn| (at, conn))) {
            None => self.open(None, seen, seen.guessed(), false, sink),
            Some((at, conn)) => {
                let from = conn.side(seen.src_is_lo);
                let jumped = carries && conn.stream(from).out_of_window(seg.seq);
                if !jumped {
                    if conn.closed {
                        // A straggler after the close.
                        return;
                    }
                    at
                } else {
                    let roles = (conn.client, conn.server, conn.client_is_lo);
                    if !conn.closed {
                        self.stats.replaced = self.stats.replaced.saturating_add(1);
                        conn.retire(CloseReason::Replaced, sink, &mut self.stats);
                    }
                    self.open(Some(at), seen, roles, false, sink)
                }
            }
        };
        let Some(conn) = self.table.get_mut(at) else {
            return;
        };
        let from = conn.side(seen.src_is_lo);
        conn.answered |= from == Side::Server;
        let mut out = conn.out(from, sink, &mut self.stats);
        let stream = match from {
            Side::Client => &mut conn.client_stream,
            Side::Server => &mut conn.server_stream,
        };
        stream.data(
            seg.seq,
            &seg.payload,
            seen.frame,
            seen.ts,
            &self.limits,
            &mut out,
        );
        if !fin {
            return;
        }
        // Only the low 32 bits of the length count in sequence space (the addition wraps).
        let low = u32::try_from(seg.payload.len() & 0xFFFF_FFFF).unwrap_or(0);
        let fin_seq = seg.seq.wrapping_add(low);
        if stream.fin(fin_seq, seen.frame, seen.ts, &mut out)
            && conn.client_stream.finished()
            && conn.server_stream.finished()
        {
            conn.close(CloseReason::Finished, sink);
        }
    }

    /// Starts a new incarnation and emits `Open`: in slot `at` (whose previous incarnation is
    /// already closed), or in a new slot after evicting what the limits require.
    fn open<S: TcpSink>(
        &mut self,
        at: Option<usize>,
        seen: &Seen<'_, '_>,
        (client, server, client_is_lo): Roles,
        saw_syn: bool,
        sink: &mut S,
    ) -> usize {
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        self.stats.connections = self.stats.connections.saturating_add(1);
        let conn = Conn {
            id,
            client,
            server,
            client_is_lo,
            client_isn: None,
            server_isn: None,
            answered: false,
            closed: false,
            last_ts: seen.ts,
            client_stream: Stream::default(),
            server_stream: Stream::default(),
        };
        let at = match at {
            Some(at) => {
                if let Some(slot) = self.table.get_mut(at) {
                    *slot = conn;
                }
                at
            }
            None => {
                self.make_room(seen.ts, sink);
                self.table.insert(seen.key, conn)
            }
        };
        sink.event(TcpEvent::Open {
            conn: id,
            client,
            server,
            frame: seen.frame,
            ts: seen.ts,
            saw_syn,
        });
        at
    }

    /// Before a new connection is added: evicts the least recently active connections while
    /// they have been idle past the timeout, and one more if the table is still full. Only the
    /// oldest end of the recency list is looked at, so this is cheap.
    fn make_room<S: TcpSink>(&mut self, now: Nanos, sink: &mut S) {
        while let Some(oldest) = self.table.oldest() {
            let Some(conn) = self.table.get(oldest) else {
                break;
            };
            let idle = now.saturating_sub(conn.last_ts) > self.limits.idle_timeout;
            let full = self.table.len() >= self.limits.max_connections;
            if !idle && !full {
                break;
            }
            let Some(mut conn) = self.table.remove(oldest) else {
                break;
            };
            if !conn.closed {
                let counter = if idle {
                    &mut self.stats.idle_evictions
                } else {
                    &mut self.stats.evictions
                };
                *counter = counter.saturating_add(1);
                conn.retire(CloseReason::Evicted, sink, &mut self.stats);
            }
        }
    }
}
