//! Counters of what the TCP tracker saw and did, for the report's capture-quality summary.

/// Running totals over the whole analysis.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TcpStats {
    /// TCP segments handed to the tracker.
    pub segments: u64,
    /// Connection incarnations opened.
    pub connections: u64,
    /// Client SYNs repeated before any answer.
    pub syn_retransmits: u64,
    /// Data segments that arrived ahead of the next expected byte and had to be buffered.
    pub out_of_order_segments: u64,
    /// Data segments dropped whole because every byte had already been seen.
    pub retransmitted_segments: u64,
    /// Bytes dropped because they had already been delivered or buffered (retransmissions and
    /// overlaps).
    pub retransmitted_bytes: u64,
    /// Gaps emitted.
    pub gaps: u64,
    /// Bytes the gaps stood for.
    pub gap_bytes: u64,
    /// Times a buffer limit forced a skip over missing bytes.
    pub buffer_overflows: u64,
    /// Out-of-order bytes buffered right now, across all connections (a gauge, not a total).
    pub buffered_bytes: u64,
    /// Open connections evicted because the connection limit was reached.
    pub evictions: u64,
    /// Open connections evicted because they were idle past the idle timeout.
    pub idle_evictions: u64,
    /// Open connections replaced by a new incarnation of their 4-tuple.
    pub replaced: u64,
    /// Connections reset.
    pub resets: u64,
}
