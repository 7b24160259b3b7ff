//! The bounds on what the TCP tracker keeps in memory, as named constants and the
//! [`TcpLimits`] built from them.

use crate::capture::Nanos;

/// Most out-of-order bytes buffered per direction before the tracker gives up waiting for the
/// missing bytes and skips forward (emitting a gap).
pub const MAX_BUFFERED_BYTES_PER_DIRECTION: usize = 1 << 20;

/// Most out-of-order pieces buffered per direction before the tracker skips forward; bounds the
/// bookkeeping when the buffered segments are tiny.
pub const MAX_BUFFERED_SEGMENTS_PER_DIRECTION: usize = 1024;

/// Most out-of-order bytes buffered across all connections and directions together. Past it,
/// the least recently active connections give up waiting for their missing bytes (a gap, as
/// for the per-direction limit) until the total is back under. Without it, every tracked
/// connection could hold [`MAX_BUFFERED_BYTES_PER_DIRECTION`] twice over.
pub const MAX_BUFFERED_BYTES_TOTAL: usize = 64 << 20;

/// Most connections tracked at once (including recently closed ones kept to recognise their
/// stragglers); the least recently active one is evicted to make room.
pub const MAX_CONNECTIONS: usize = 65_536;

/// Capture time after which a silent connection is evicted when a new connection arrives.
pub const IDLE_TIMEOUT: Nanos = 600 * 1_000_000_000;

/// A segment whose sequence number lies farther than this from the next expected one (either
/// way) cannot belong to the same stream: it starts a new incarnation of the 4-tuple.
pub const NEW_INCARNATION_JUMP: u32 = 1 << 30;

/// The limits a [`crate::flow::TcpTracker`] runs with; [`Default`] gives the named constants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TcpLimits {
    /// See [`MAX_BUFFERED_BYTES_PER_DIRECTION`].
    pub max_buffered_bytes: usize,
    /// See [`MAX_BUFFERED_SEGMENTS_PER_DIRECTION`].
    pub max_buffered_segments: usize,
    /// See [`MAX_BUFFERED_BYTES_TOTAL`].
    pub max_buffered_bytes_total: usize,
    /// See [`MAX_CONNECTIONS`].
    pub max_connections: usize,
    /// See [`IDLE_TIMEOUT`]; nanoseconds of capture time.
    pub idle_timeout: Nanos,
}

impl Default for TcpLimits {
    fn default() -> Self {
        Self {
            max_buffered_bytes: MAX_BUFFERED_BYTES_PER_DIRECTION,
            max_buffered_segments: MAX_BUFFERED_SEGMENTS_PER_DIRECTION,
            max_buffered_bytes_total: MAX_BUFFERED_BYTES_TOTAL,
            max_connections: MAX_CONNECTIONS,
            idle_timeout: IDLE_TIMEOUT,
        }
    }
}
