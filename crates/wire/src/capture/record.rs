//! What a file-format parser hands back to the reader: one packet record, the clean end, or the
//! reason it had to stop early. Numbering and warnings are the reader's business.

use pcap_parser::nom;

use super::frame::Nanos;

/// One packet record as found in the file, before it is numbered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawRecord {
    pub ts: Nanos,
    /// False for Simple Packet Blocks, whose `ts` is borrowed from the previous packet.
    pub has_ts: bool,
    pub link_type: u32,
    pub orig_len: u32,
    pub data: Vec<u8>,
    /// The packet's pcapng comment (`opt_comment`), if it has one.
    pub comment: Option<String>,
}

/// Why a format parser stopped before the end of the stream.
#[derive(Debug)]
pub(crate) enum Stop {
    /// The stream ended in the middle of a record.
    Truncated,
    /// A record could not be parsed; the text says what was wrong with it.
    Corrupt(String),
    /// The underlying stream (file, pipe, decompressor) failed.
    Read(std::io::Error),
}

/// A record that Wireshark numbers as a frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Numbered {
    /// A packet: becomes a [`super::Frame`].
    Packet(RawRecord),
    /// A record Wireshark shows as a frame but that carries no packet (pcapng custom and
    /// systemd journal blocks): it takes a frame number and is otherwise skipped.
    Other,
}

/// One step of a format parser: a numbered record, `None` at the clean end, or why it stopped.
pub(crate) type Step = Result<Option<Numbered>, Stop>;

/// The bytes in all a record starting `pending` needs, from what a streaming parser said of it;
/// `None` when it did not ask for more.
pub(crate) fn needed<T, E>(answer: Result<T, nom::Err<E>>, pending: &[u8]) -> Option<usize> {
    match answer {
        Err(nom::Err::Incomplete(nom::Needed::Size(n))) => pending.len().checked_add(n.get()),
        _ => None,
    }
}

/// Converts seconds plus a fraction in `units_per_sec` units to nanoseconds, saturating.
pub(crate) fn to_nanos(secs: i128, frac: u128, units_per_sec: u128) -> Nanos {
    let frac_ns = frac
        .saturating_mul(1_000_000_000)
        .checked_div(units_per_sec)
        .unwrap_or(0);
    let frac_ns = i128::try_from(frac_ns).unwrap_or(i128::MAX);
    let total = secs.saturating_mul(1_000_000_000).saturating_add(frac_ns);
    i64::try_from(total).unwrap_or(if total < 0 { i64::MIN } else { i64::MAX })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_fractions_of_any_resolution() {
        assert_eq!(to_nanos(1, 5, 1_000_000), 1_000_005_000);
        assert_eq!(to_nanos(1, 5, 1_000_000_000), 1_000_000_005);
        assert_eq!(to_nanos(0, 1, 2), 500_000_000);
        assert_eq!(to_nanos(i128::MAX, 0, 10), i64::MAX);
        assert_eq!(to_nanos(-2, 0, 10), -2_000_000_000);
    }
}
