//! What pcap-parser's streaming readers need from the byte stream and do not do themselves:
//! the file header whole in their first read, and the `std::io::Error` behind a failed read.
//!
//! `LegacyPcapReader::new` and `PcapNGReader::new` parse the file header from the bytes of one
//! single `read()` and fail when it is short, which a pipe, standard input or a decompressor
//! may well be. So the header is read here first (for pcapng: the whole first Section Header
//! Block, whose length is in its first 12 bytes) and handed back in front of the rest of the
//! stream. And their `PcapError::ReadError` drops the I/O error, which says whether a gzip or
//! zstd stream was cut short; [`ErrorSlot`] keeps it.

use std::io::{Cursor, ErrorKind, Read};
use std::sync::{Arc, Mutex};

/// Size the read buffer starts at (and the most read at once).
pub const READ_CHUNK_BYTES: usize = 64 * 1024;

/// The largest single record (pcap packet record or pcapng block) accepted. Anything larger is
/// treated as corruption. 16 MiB is the limit Wireshark uses for a pcapng block.
pub const MAX_RECORD_BYTES: usize = 16 * 1024 * 1024;

/// A stream whose first bytes were read ahead: they come first, then the rest.
pub(crate) type Prefixed = std::io::Chain<Cursor<Vec<u8>>, Box<dyn Read + Send>>;

/// Reads from `r` until `buf` holds `n` bytes or the stream ends.
pub(crate) fn fill_to(r: &mut dyn Read, buf: &mut Vec<u8>, n: usize) -> std::io::Result<()> {
    let missing = n.saturating_sub(buf.len());
    r.take(u64::try_from(missing).unwrap_or(u64::MAX))
        .read_to_end(buf)?;
    Ok(())
}

/// `ahead` (bytes already read) in front of `rest`.
pub(crate) fn prefixed(ahead: Vec<u8>, rest: Box<dyn Read + Send>) -> Prefixed {
    Cursor::new(ahead).chain(rest)
}

/// The length of the pcapng Section Header Block starting `shb` (at least its first 12 bytes):
/// its byte-order magic says how to read the length field. `None` for an unknown magic.
pub(crate) fn shb_len(shb: &[u8]) -> Option<usize> {
    let len = <[u8; 4]>::try_from(shb.get(4..8)?).ok()?;
    let len = match shb.get(8..12)? {
        [0x4d, 0x3c, 0x2b, 0x1a] => u32::from_le_bytes(len),
        [0x1a, 0x2b, 0x3c, 0x4d] => u32::from_be_bytes(len),
        _ => return None,
    };
    usize::try_from(len).ok()
}

/// The last I/O error of the stream it wraps, shared with the reader that owns the parser.
pub(crate) type LastError = Arc<Mutex<Option<std::io::Error>>>;

/// Passes reads through, retrying interrupted ones and keeping any other error in a slot.
pub(crate) struct ErrorSlot<R> {
    inner: R,
    last: LastError,
}

impl<R: Read> ErrorSlot<R> {
    pub(crate) fn new(inner: R) -> (Self, LastError) {
        let last = LastError::default();
        let slot = ErrorSlot {
            inner,
            last: Arc::clone(&last),
        };
        (slot, last)
    }
}

impl<R: Read> Read for ErrorSlot<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            match self.inner.read(buf) {
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => {
                    let copy = std::io::Error::new(e.kind(), e.to_string());
                    if let Ok(mut last) = self.last.lock() {
                        *last = Some(e);
                    }
                    return Err(copy);
                }
                ok => return ok,
            }
        }
    }
}

/// Takes the error kept by an [`ErrorSlot`] (a generic one if there is none).
pub(crate) fn take_error(last: &LastError) -> std::io::Error {
    last.lock()
        .ok()
        .and_then(|mut e| e.take())
        .unwrap_or_else(|| std::io::Error::other("read failed"))
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Failing;
    impl Read for Failing {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Err(std::io::Error::new(ErrorKind::UnexpectedEof, "cut"))
        }
    }

    #[test]
    fn keeps_the_error_and_reads_prefix_first() {
        let (mut s, last) = ErrorSlot::new(prefixed(b"ab".to_vec(), Box::new(Failing)));
        let mut buf = [0u8; 8];
        assert_eq!(s.read(&mut buf).ok(), Some(2));
        assert!(s.read(&mut buf).is_err());
        assert_eq!(take_error(&last).kind(), ErrorKind::UnexpectedEof);
    }

    #[test]
    fn shb_length_in_either_byte_order() {
        let mut le = vec![0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a];
        assert_eq!(shb_len(&le), Some(28));
        le.splice(4..12, [0, 0, 0, 32, 0x1a, 0x2b, 0x3c, 0x4d]);
        assert_eq!(shb_len(&le), Some(32));
        le.splice(8..12, [1, 2, 3, 4]);
        assert_eq!(shb_len(&le), None);
    }
}
