//! How a decoder tells the stream driver where its next message ends in a TCP byte stream.

/// The length of the next message at the start of a buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Framing {
    /// More bytes are needed to know or to hold the whole message.
    Incomplete,
    /// The next message is this many bytes long and they are all present.
    Complete(usize),
    /// The bytes cannot start a message of this protocol; the reason says why.
    Invalid(String),
}

/// Frames a message that carries a 2-byte big-endian length before it (DNS over TCP).
pub fn u16_length_prefixed(buf: &[u8]) -> Framing {
    match buf {
        [hi, lo, ..] => {
            let len = 2 + usize::from(u16::from_be_bytes([*hi, *lo]));
            if buf.len() >= len {
                Framing::Complete(len)
            } else {
                Framing::Incomplete
            }
        }
        _ => Framing::Incomplete,
    }
}
