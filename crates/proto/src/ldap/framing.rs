//! Splitting a reassembled TCP byte stream into LDAPMessage PDUs by their outer BER header.
//! Only the header is read here, by the shared [`crate::ber`] reader; the contents are decoded
//! by [`super::decode`].

use super::error::reason;
use crate::ber::{self, Header};

/// Largest LDAPMessage accepted (16 MiB). Larger headers are treated as garbage, not waited for.
pub const MAX_LDAP_PDU: usize = 16 * 1024 * 1024;

/// Outcome of looking at the front of a stream buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PduLen {
    /// More bytes are needed: either the header is not complete or the PDU it announces is
    /// longer than the buffer.
    Incomplete,
    /// The buffer starts with a whole LDAPMessage of this many bytes (header included).
    Complete(usize),
    /// The front of the buffer cannot be an LDAPMessage; the reason says why.
    Invalid(String),
}

/// Length of the LDAPMessage at the front of `buf`.
///
/// The first octet must be `0x30` (SEQUENCE). Short-form lengths and long-form lengths with
/// 1 to 4 length octets are accepted, including the non-minimal `84 00 00 00 xx` that Windows
/// writes. Indefinite length (`0x80`), more than 4 length octets and PDUs larger than
/// [`MAX_LDAP_PDU`] are [`PduLen::Invalid`].
pub fn pdu_length(buf: &[u8]) -> PduLen {
    let Some(&tag) = buf.first() else {
        return PduLen::Incomplete;
    };
    if tag != ber::SEQUENCE {
        return PduLen::Invalid(format!(
            "LDAPMessage must start with 0x30 (SEQUENCE), found 0x{tag:02x}"
        ));
    }
    let (header_len, body_len) = match ber::header(buf) {
        Ok(Header::Incomplete) => return PduLen::Incomplete,
        Ok(Header::Known {
            header_len,
            body_len,
            ..
        }) => (header_len, body_len),
        Err(e) => return PduLen::Invalid(reason(&e)),
    };
    let total = header_len.saturating_add(body_len);
    if total > MAX_LDAP_PDU {
        return PduLen::Invalid(format!(
            "LDAPMessage of {total} bytes exceeds the {MAX_LDAP_PDU}-byte limit"
        ));
    }
    if buf.len() < total {
        PduLen::Incomplete
    } else {
        PduLen::Complete(total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_partial_headers_are_incomplete() {
        assert_eq!(pdu_length(&[]), PduLen::Incomplete);
        assert_eq!(pdu_length(&[0x30]), PduLen::Incomplete);
        assert_eq!(pdu_length(&[0x30, 0x84, 0x00, 0x00]), PduLen::Incomplete);
    }

    #[test]
    fn short_form() {
        // unbindRequest, message 1: 30 05 02 01 01 42 00
        let pdu = [0x30, 0x05, 0x02, 0x01, 0x01, 0x42, 0x00];
        assert_eq!(pdu_length(&pdu), PduLen::Complete(7));
        assert_eq!(pdu_length(&pdu[..6]), PduLen::Incomplete);
        let mut two = pdu.to_vec();
        two.extend_from_slice(&pdu);
        assert_eq!(pdu_length(&two), PduLen::Complete(7));
    }

    #[test]
    fn windows_four_byte_long_form() {
        let pdu = [
            0x30, 0x84, 0x00, 0x00, 0x00, 0x05, 0x02, 0x01, 0x01, 0x42, 0x00,
        ];
        assert_eq!(pdu_length(&pdu), PduLen::Complete(11));
        assert_eq!(pdu_length(&pdu[..10]), PduLen::Incomplete);
    }

    #[test]
    fn one_and_two_byte_long_form() {
        let mut pdu = vec![0x30, 0x81, 0x80];
        pdu.resize(3 + 0x80, 0);
        assert_eq!(pdu_length(&pdu), PduLen::Complete(131));
        let mut pdu = vec![0x30, 0x82, 0x01, 0x00];
        pdu.resize(4 + 0x100, 0);
        assert_eq!(pdu_length(&pdu), PduLen::Complete(260));
    }

    #[test]
    fn wrong_tag_indefinite_and_too_many_length_octets_are_invalid() {
        assert!(matches!(
            pdu_length(&[0x00, 0x00, 0x01, 0x2c]),
            PduLen::Invalid(_)
        ));
        assert!(matches!(
            pdu_length(&[0x30, 0x80, 0x02]),
            PduLen::Invalid(_)
        ));
        assert!(matches!(
            pdu_length(&[0x30, 0x85, 0, 0, 0, 0, 5]),
            PduLen::Invalid(_)
        ));
        assert!(matches!(pdu_length(&[0x30, 0xff]), PduLen::Invalid(_)));
    }

    #[test]
    fn over_the_limit_is_invalid_before_the_bytes_arrive() {
        // 16 MiB of contents + 6 header bytes > MAX_LDAP_PDU.
        assert!(matches!(
            pdu_length(&[0x30, 0x84, 0x01, 0x00, 0x00, 0x00]),
            PduLen::Invalid(_)
        ));
        // Exactly at the limit: still waiting for bytes.
        let body = MAX_LDAP_PDU - 6;
        let b = (body as u32).to_be_bytes();
        assert_eq!(
            pdu_length(&[0x30, 0x84, b[0], b[1], b[2], b[3]]),
            PduLen::Incomplete
        );
    }
}
