//! The unit every later stage starts from: one captured frame, numbered as Wireshark numbers it.

/// A timestamp as nanoseconds since the Unix epoch (UTC).
pub type Nanos = i64;

/// One frame read from a capture, owned so that several inputs can be merged by time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// 1-based frame number as Wireshark shows it. With several inputs, the number in the
    /// chronological merge (what `mergecap -w merged.pcapng FILES...` would number).
    pub number: u64,
    /// Index of the input (file) this frame came from, in command-line order.
    pub input: usize,
    /// Capture time in nanoseconds since the Unix epoch.
    pub ts: Nanos,
    /// The link-layer type of the frame's interface (a LINKTYPE_* value, e.g. 1 = Ethernet).
    pub link_type: u32,
    /// Length of the packet on the wire (may exceed `data.len()` when the snap length cut it).
    pub orig_len: u32,
    /// The captured bytes, starting at the link-layer header.
    pub data: Vec<u8>,
}
