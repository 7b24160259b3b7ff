//! UDP and TCP headers: ports, sequence numbers and flags, and the payload after the header,
//! borrowed from the frame when it can be and capped to the declared lengths.

use std::borrow::Cow;

use etherparse::{TcpHeaderSlice, UdpHeaderSlice};

use super::error::{Layer, NetError};
use super::ip::tcp_error;
use super::packet::{TcpFlags, TcpSegment, Transport};

pub(crate) const PROTO_TCP: u8 = 6;
pub(crate) const PROTO_UDP: u8 = 17;

/// `bytes[start..end]`, keeping a borrow borrowed and an owned buffer owned.
fn sub(bytes: Cow<'_, [u8]>, start: usize, end: usize) -> Cow<'_, [u8]> {
    match bytes {
        Cow::Borrowed(b) => Cow::Borrowed(b.get(start..end).unwrap_or_default()),
        Cow::Owned(mut v) => {
            v.truncate(end);
            v.drain(..start.min(v.len()));
            Cow::Owned(v)
        }
    }
}

/// Parses a UDP datagram.
pub(crate) fn udp(bytes: Cow<'_, [u8]>) -> Result<Transport<'_>, NetError> {
    let (src_port, dst_port, length) = {
        let h = UdpHeaderSlice::from_slice(&bytes)
            .map_err(|e| NetError::from_len(Layer::Udp, "header", &e))?;
        (
            h.source_port(),
            h.destination_port(),
            usize::from(h.length()),
        )
    };
    // Length 0 is used by jumbograms; otherwise trust the shorter of header and capture.
    let end = match length {
        0 => bytes.len(),
        1..8 => {
            return Err(NetError::malformed(
                Layer::Udp,
                format!("length {length} < 8"),
            ));
        }
        _ => length.min(bytes.len()),
    };
    Ok(Transport::Udp {
        src_port,
        dst_port,
        payload: sub(bytes, 8, end),
    })
}

/// Parses a TCP segment.
pub(crate) fn tcp(bytes: Cow<'_, [u8]>) -> Result<Transport<'_>, NetError> {
    let (src_port, dst_port, seq, ack, flags, header_len) = {
        let h = TcpHeaderSlice::from_slice(&bytes).map_err(tcp_error)?;
        let bits = [
            (h.fin(), TcpFlags::FIN),
            (h.syn(), TcpFlags::SYN),
            (h.rst(), TcpFlags::RST),
            (h.psh(), TcpFlags::PSH),
            (h.ack(), TcpFlags::ACK),
            (h.urg(), 0x20),
            (h.ece(), 0x40),
            (h.cwr(), 0x80),
        ];
        let flags = bits
            .iter()
            .filter(|(set, _)| *set)
            .fold(0u8, |acc, (_, bit)| acc | bit);
        (
            h.source_port(),
            h.destination_port(),
            h.sequence_number(),
            h.acknowledgment_number(),
            TcpFlags(flags),
            h.slice().len(),
        )
    };
    let end = bytes.len();
    Ok(Transport::Tcp(TcpSegment {
        src_port,
        dst_port,
        seq,
        ack,
        flags,
        payload: sub(bytes, header_len, end),
    }))
}

#[cfg(test)]
#[allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation
)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn udp_bytes(src: u16, dst: u16, payload: &[u8]) -> Vec<u8> {
        let mut u = src.to_be_bytes().to_vec();
        u.extend(dst.to_be_bytes());
        u.extend(((8 + payload.len()) as u16).to_be_bytes());
        u.extend([0, 0]);
        u.extend(payload);
        u
    }

    /// A TCP header with `options_words` 4-byte words of NOP options.
    pub(crate) fn tcp_bytes(
        seq: u32,
        ack: u32,
        flags: u8,
        options_words: u8,
        payload: &[u8],
    ) -> Vec<u8> {
        let mut t = 49152u16.to_be_bytes().to_vec();
        t.extend(389u16.to_be_bytes());
        t.extend(seq.to_be_bytes());
        t.extend(ack.to_be_bytes());
        t.push((5 + options_words) << 4);
        t.push(flags);
        t.extend([0xff, 0xff, 0, 0, 0, 0]);
        t.extend(std::iter::repeat_n(1u8, usize::from(options_words) * 4));
        t.extend(payload);
        t
    }

    #[test]
    fn udp_payload_borrowed_and_capped_to_udp_length() {
        let mut b = udp_bytes(53, 5353, b"dns");
        b.extend([0xee; 4]);
        let t = udp(Cow::Borrowed(&b)).unwrap();
        let Transport::Udp {
            src_port,
            dst_port,
            payload,
        } = t
        else {
            panic!("not udp")
        };
        assert_eq!((src_port, dst_port), (53, 5353));
        assert!(matches!(payload, Cow::Borrowed(_)));
        assert_eq!(&*payload, b"dns");
    }

    #[test]
    fn udp_owned_stays_owned() {
        let b = udp_bytes(1, 2, b"reassembled");
        let Transport::Udp { payload, .. } = udp(Cow::Owned(b)).unwrap() else {
            panic!("not udp")
        };
        assert!(matches!(payload, Cow::Owned(_)));
        assert_eq!(&*payload, b"reassembled");
    }

    #[test]
    fn udp_malformed() {
        assert_eq!(
            udp(Cow::Borrowed(&[0; 5])).map_err(|e| e.to_string()),
            Err("udp: header truncated (5 of 8 bytes)".to_string())
        );
        let mut b = udp_bytes(1, 2, b"");
        b[5] = 4;
        assert_eq!(
            udp(Cow::Borrowed(&b)).map_err(|e| e.to_string()),
            Err("udp: length 4 < 8".to_string())
        );
    }

    #[test]
    fn tcp_fields_flags_and_payload_after_options() {
        let b = tcp_bytes(1000, 2000, 0x18, 3, b"ldap");
        let Transport::Tcp(seg) = tcp(Cow::Borrowed(&b)).unwrap() else {
            panic!("not tcp")
        };
        assert_eq!((seg.src_port, seg.dst_port), (49152, 389));
        assert_eq!((seg.seq, seg.ack), (1000, 2000));
        assert_eq!(seg.flags, TcpFlags(TcpFlags::PSH | TcpFlags::ACK));
        assert!(seg.flags.ack() && !seg.flags.syn());
        assert_eq!(&*seg.payload, b"ldap");
        let b = tcp_bytes(0, 0, 0xff, 0, b"");
        let Transport::Tcp(seg) = tcp(Cow::Borrowed(&b)).unwrap() else {
            panic!("not tcp")
        };
        assert_eq!(seg.flags, TcpFlags(0xff));
    }

    #[test]
    fn tcp_malformed() {
        let mut b = tcp_bytes(0, 0, 2, 0, b"");
        b[12] = 3 << 4;
        assert_eq!(
            tcp(Cow::Borrowed(&b)).map_err(|e| e.to_string()),
            Err("tcp: data offset 3 < 5".to_string())
        );
        let b = tcp_bytes(0, 0, 2, 2, b"");
        assert_eq!(
            tcp(Cow::Borrowed(&b[..24])).map_err(|e| e.to_string()),
            Err("tcp: header truncated (24 of 28 bytes)".to_string())
        );
    }
}
