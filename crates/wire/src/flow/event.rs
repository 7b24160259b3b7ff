//! What the TCP tracker tells its consumer: the [`TcpEvent`]s of every connection, in capture
//! order, handed to a [`TcpSink`].

use crate::capture::Nanos;

use super::{ConnId, Endpoint, Side};

/// Receives everything the tracker learns, in capture order.
pub trait TcpSink {
    fn event(&mut self, ev: TcpEvent<'_>);
}

/// One thing the tracker learned about one connection.
///
/// Every connection incarnation starts with exactly one [`TcpEvent::Open`] and ends with exactly
/// one [`TcpEvent::Closed`]; all its other events come in between.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TcpEvent<'a> {
    /// A new connection incarnation. `saw_syn` false when it was first seen mid-stream (no SYN
    /// from the client in the capture).
    Open {
        conn: ConnId,
        client: Endpoint,
        server: Endpoint,
        frame: u64,
        ts: Nanos,
        saw_syn: bool,
    },
    /// The client's SYN sent again (same ISN) before any answer — the "no answer" signal.
    SynRetransmit { conn: ConnId, frame: u64, ts: Nanos },
    /// The server's SYN-ACK.
    SynAck { conn: ConnId, frame: u64, ts: Nanos },
    /// In-order stream bytes from one side; `frame` carried them. Consecutive events of the same
    /// side concatenate to the exact byte stream. Borrowed from the packet when it arrived in
    /// order, copied only when it had to be buffered.
    Data {
        conn: ConnId,
        from: Side,
        data: &'a [u8],
        frame: u64,
        ts: Nanos,
    },
    /// Bytes that never appeared (lost before capture, or capture started late); the stream goes
    /// on after them. `frame` is the frame that carried the first byte after the gap, or the
    /// frame of the FIN when the stream ends right after it.
    Gap {
        conn: ConnId,
        from: Side,
        missing: u64,
        frame: u64,
    },
    /// The side finished sending; all its data came before this event.
    Fin {
        conn: ConnId,
        from: Side,
        frame: u64,
        ts: Nanos,
    },
    /// The side aborted the connection.
    Reset {
        conn: ConnId,
        from: Side,
        frame: u64,
        ts: Nanos,
    },
    /// The tracker let go of the connection (closed both ways, reset, evicted, or end of
    /// capture).
    Closed { conn: ConnId, reason: CloseReason },
}

/// Why the tracker let go of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CloseReason {
    /// Both sides sent FIN.
    Finished,
    /// One side sent RST.
    Reset,
    /// Dropped to make room (too many connections) or idle longer than the idle timeout.
    Evicted,
    /// Still open when the capture ended.
    EndOfCapture,
    /// The 4-tuple was reused by a new incarnation while this one was still open.
    Replaced,
}
