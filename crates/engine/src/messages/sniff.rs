//! Finding LDAP on a port that is not LDAP's: a TCP segment whose payload is exactly one LDAP
//! request (an LDAPMessage SEQUENCE with a message ID and a bind, search or extended request),
//! as a client's first message on a connection is. Checked only for segments on ports the
//! pipeline does not otherwise read, before any other work, so it costs a few byte compares.

/// BER application tags of the requests a client opens an LDAP session with.
const BIND_REQUEST: u8 = 0x60;
const SEARCH_REQUEST: u8 = 0x63;
const EXTENDED_REQUEST: u8 = 0x77;

/// The BER length at `at`: (length, bytes used), short or long form up to 4 bytes.
fn ber_length(data: &[u8], at: usize) -> Option<(usize, usize)> {
    let first = *data.get(at)?;
    if first < 0x80 {
        return Some((usize::from(first), 1));
    }
    let n = usize::from(first & 0x7f);
    if n == 0 || n > 4 {
        return None;
    }
    let bytes = data.get(at + 1..at + 1 + n)?;
    let len = bytes
        .iter()
        .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
    Some((len, 1 + n))
}

/// Whether `payload` is one whole LDAP request that opens a session.
pub fn looks_like_ldap_request(payload: &[u8]) -> bool {
    if payload.first() != Some(&0x30) {
        return false;
    }
    let Some((len, used)) = ber_length(payload, 1) else {
        return false;
    };
    if 1 + used + len != payload.len() {
        return false;
    }
    // messageID: INTEGER of 1 to 4 bytes.
    let id_at = 1 + used;
    let id_len = match (payload.get(id_at), payload.get(id_at + 1)) {
        (Some(0x02), Some(n @ 1..=4)) => usize::from(*n),
        _ => return false,
    };
    let op = payload.get(id_at + 2 + id_len).copied();
    matches!(op, Some(BIND_REQUEST | SEARCH_REQUEST | EXTENDED_REQUEST))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_simple_bind_and_the_windows_long_form_are_ldap() {
        // 30 0c 02 01 01 60 07 02 01 03 04 00 80 00: anonymous simple bind, message 1.
        let bind = [
            0x30, 0x0c, 0x02, 0x01, 0x01, 0x60, 0x07, 0x02, 0x01, 0x03, 0x04, 0x00, 0x80, 0x00,
        ];
        assert!(looks_like_ldap_request(&bind));
        // The same with the 4-byte long form Windows writes (84 00 00 00 0c).
        let mut long = vec![0x30, 0x84, 0x00, 0x00, 0x00, 0x0c];
        long.extend(&bind[2..]);
        assert!(looks_like_ldap_request(&long));
    }

    #[test]
    fn other_payloads_are_not() {
        assert!(!looks_like_ldap_request(b"GET / HTTP/1.1\r\n\r\n"));
        assert!(!looks_like_ldap_request(&[]));
        // A length that does not match the segment.
        assert!(!looks_like_ldap_request(&[
            0x30, 0x20, 0x02, 0x01, 0x01, 0x60, 0x00
        ]));
        // A response (BindResponse 0x61), not a request.
        assert!(!looks_like_ldap_request(&[
            0x30, 0x0c, 0x02, 0x01, 0x01, 0x61, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00
        ]));
    }
}
