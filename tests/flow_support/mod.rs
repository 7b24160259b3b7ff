//! Test support for the flow stage: a sink that records owned copies of the tracker's events,
//! and a tiny "network" that numbers frames and builds TCP segments.
#![allow(dead_code)]

use std::borrow::Cow;
use std::net::{IpAddr, Ipv4Addr};

use capdiag::capture::Nanos;
use capdiag::flow::{
    CloseReason, ConnId, Endpoint, Side, TcpEvent, TcpLimits, TcpSink, TcpTracker,
};
use capdiag::net::{TcpFlags, TcpSegment};

pub const SYN: u8 = TcpFlags::SYN;
pub const SYNACK: u8 = TcpFlags::SYN | TcpFlags::ACK;
pub const ACK: u8 = TcpFlags::ACK;
pub const PSH: u8 = TcpFlags::PSH | TcpFlags::ACK;
pub const FIN: u8 = TcpFlags::FIN | TcpFlags::ACK;
pub const RST: u8 = TcpFlags::RST;
pub const RSTACK: u8 = TcpFlags::RST | TcpFlags::ACK;

pub const MS: Nanos = 1_000_000;
pub const SECOND: Nanos = 1_000_000_000;

pub fn ep(last: u8, port: u16) -> Endpoint {
    Endpoint {
        ip: IpAddr::V4(Ipv4Addr::new(10, 0, 0, last)),
        port,
    }
}

/// The usual pair: a client on an ephemeral port and an HTTPS server.
pub fn client() -> Endpoint {
    ep(2, 50000)
}
pub fn server() -> Endpoint {
    ep(1, 443)
}

/// An owned copy of a [`TcpEvent`] (timestamps recorded apart, in [`Net::ts`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ev {
    Open {
        conn: ConnId,
        client: Endpoint,
        server: Endpoint,
        frame: u64,
        saw_syn: bool,
    },
    SynRetransmit {
        conn: ConnId,
        frame: u64,
    },
    SynAck {
        conn: ConnId,
        frame: u64,
    },
    Data {
        conn: ConnId,
        from: Side,
        data: Vec<u8>,
        frame: u64,
    },
    /// The gap's frame first here: tests read "at frame F, N bytes missing".
    Gap {
        conn: ConnId,
        from: Side,
        frame: u64,
        missing: u64,
    },
    Fin {
        conn: ConnId,
        from: Side,
        frame: u64,
    },
    Reset {
        conn: ConnId,
        from: Side,
        frame: u64,
    },
    Closed {
        conn: ConnId,
        reason: CloseReason,
    },
}

pub fn open(conn: ConnId, client: Endpoint, server: Endpoint, frame: u64, saw_syn: bool) -> Ev {
    Ev::Open {
        conn,
        client,
        server,
        frame,
        saw_syn,
    }
}
pub fn data(conn: ConnId, from: Side, bytes: &[u8], frame: u64) -> Ev {
    Ev::Data {
        conn,
        from,
        data: bytes.to_vec(),
        frame,
    }
}
pub fn gap(conn: ConnId, from: Side, missing: u64, frame: u64) -> Ev {
    Ev::Gap {
        conn,
        from,
        missing,
        frame,
    }
}
pub fn fin(conn: ConnId, from: Side, frame: u64) -> Ev {
    Ev::Fin { conn, from, frame }
}
pub fn reset(conn: ConnId, from: Side, frame: u64) -> Ev {
    Ev::Reset { conn, from, frame }
}
pub fn closed(conn: ConnId, reason: CloseReason) -> Ev {
    Ev::Closed { conn, reason }
}
pub fn synack(conn: ConnId, frame: u64) -> Ev {
    Ev::SynAck { conn, frame }
}
pub fn syn_again(conn: ConnId, frame: u64) -> Ev {
    Ev::SynRetransmit { conn, frame }
}

/// Records every event; for `Data`, also where its bytes lived (to tell borrowed from copied).
#[derive(Default)]
pub struct Recorder {
    pub events: Vec<Ev>,
    /// (event index, timestamp) for every event that carries one.
    pub ts: Vec<(usize, Nanos)>,
    /// (event index, address of the first byte) for every `Data` event.
    pub data_ptrs: Vec<(usize, usize)>,
}

impl TcpSink for Recorder {
    fn event(&mut self, ev: TcpEvent<'_>) {
        let index = self.events.len();
        let (owned, ts) = match ev {
            TcpEvent::Open {
                conn,
                client,
                server,
                frame,
                ts,
                saw_syn,
            } => (
                Ev::Open {
                    conn,
                    client,
                    server,
                    frame,
                    saw_syn,
                },
                Some(ts),
            ),
            TcpEvent::SynRetransmit { conn, frame, ts } => {
                (Ev::SynRetransmit { conn, frame }, Some(ts))
            }
            TcpEvent::SynAck { conn, frame, ts } => (Ev::SynAck { conn, frame }, Some(ts)),
            TcpEvent::Data {
                conn,
                from,
                data,
                frame,
                ts,
            } => {
                assert!(!data.is_empty(), "empty Data event");
                self.data_ptrs.push((index, data.as_ptr() as usize));
                (
                    Ev::Data {
                        conn,
                        from,
                        data: data.to_vec(),
                        frame,
                    },
                    Some(ts),
                )
            }
            TcpEvent::Gap {
                conn,
                from,
                missing,
                frame,
            } => (
                Ev::Gap {
                    conn,
                    from,
                    missing,
                    frame,
                },
                None,
            ),
            TcpEvent::Fin {
                conn,
                from,
                frame,
                ts,
            } => (Ev::Fin { conn, from, frame }, Some(ts)),
            TcpEvent::Reset {
                conn,
                from,
                frame,
                ts,
            } => (Ev::Reset { conn, from, frame }, Some(ts)),
            TcpEvent::Closed { conn, reason } => (Ev::Closed { conn, reason }, None),
        };
        self.events.push(owned);
        if let Some(ts) = ts {
            self.ts.push((index, ts));
        }
    }
}

/// A tracker fed with hand-built segments; frames are numbered from 1 and, unless the clock is
/// moved, frame `n` is captured at `n` milliseconds.
pub struct Net {
    pub tracker: TcpTracker,
    pub rec: Recorder,
    pub frame: u64,
    pub now: Nanos,
}

impl Net {
    pub fn new() -> Self {
        Self::with_limits(TcpLimits::default())
    }

    pub fn with_limits(limits: TcpLimits) -> Self {
        Self {
            tracker: TcpTracker::new(limits),
            rec: Recorder::default(),
            frame: 0,
            now: 0,
        }
    }

    /// Sends one segment; returns its frame number.
    pub fn send(
        &mut self,
        from: Endpoint,
        to: Endpoint,
        flags: u8,
        seq: u32,
        ack: u32,
        payload: &[u8],
    ) -> u64 {
        let seg = TcpSegment {
            src_port: from.port,
            dst_port: to.port,
            seq,
            ack,
            flags: TcpFlags(flags),
            payload: Cow::Borrowed(payload),
        };
        self.send_segment(from.ip, to.ip, &seg)
    }

    pub fn send_segment(&mut self, src: IpAddr, dst: IpAddr, seg: &TcpSegment<'_>) -> u64 {
        self.frame += 1;
        self.now += MS;
        self.tracker
            .segment(self.frame, self.now, src, dst, seg, &mut self.rec);
        self.frame
    }

    /// Client → server data (PSH|ACK, ack number irrelevant).
    pub fn c(&mut self, seq: u32, payload: &[u8]) -> u64 {
        self.send(client(), server(), PSH, seq, 0, payload)
    }

    /// Server → client data.
    pub fn s(&mut self, seq: u32, payload: &[u8]) -> u64 {
        self.send(server(), client(), PSH, seq, 0, payload)
    }

    pub fn finish(&mut self) {
        self.tracker.finish(&mut self.rec);
    }

    /// The events recorded since the last call.
    pub fn take(&mut self) -> Vec<Ev> {
        self.rec.ts.clear();
        self.rec.data_ptrs.clear();
        std::mem::take(&mut self.rec.events)
    }
}

/// Concatenates the bytes of every `Data` event of one side of one connection.
pub fn stream_of(events: &[Ev], which: ConnId, side: Side) -> Vec<u8> {
    let mut out = Vec::new();
    for ev in events {
        if let Ev::Data {
            conn, from, data, ..
        } = ev
            && *conn == which
            && *from == side
        {
            out.extend_from_slice(data);
        }
    }
    out
}

/// SYN (ISN 1000), SYN-ACK (ISN 5000), ACK: frames 1 to 3.
pub fn handshake(net: &mut Net) {
    net.send(client(), server(), SYN, 1000, 0, b"");
    net.send(server(), client(), SYNACK, 5000, 1001, b"");
    net.send(client(), server(), ACK, 1001, 5001, b"");
}

pub fn opened() -> Vec<Ev> {
    vec![open(0, client(), server(), 1, true), synack(0, 2)]
}
