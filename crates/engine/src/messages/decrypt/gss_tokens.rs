//! Finding the Kerberos AP-REQ and AP-REP inside a bind's GSS tokens: bare, in the RFC 2743
//! `60 len OID` framing with the RFC 4121 TOK_ID (01 00 AP-REQ, 02 00 AP-REP), or as the
//! mechToken / responseToken of a SPNEGO NegTokenInit / NegTokenResp (RFC 4178).

use crate::proto::ber::{self, OCTET_STRING, Tlv};

/// APPLICATION 14 (AP-REQ) and 15 (AP-REP), constructed.
pub(super) const AP_REQ_TAG: u8 = 0x6e;
pub(super) const AP_REP_TAG: u8 = 0x6f;
/// Most wrappings peeled off one token (GSS in SPNEGO in GSS is two).
const MAX_DEPTH: usize = 4;

/// The element with identifier `tag` (an AP-REQ or AP-REP) inside `token`, if any.
pub(super) fn find_kerberos_message(token: &[u8], tag: u8) -> Option<Tlv<'_>> {
    find(token, tag, 0)
}

fn find(token: &[u8], tag: u8, depth: usize) -> Option<Tlv<'_>> {
    if depth > MAX_DEPTH {
        return None;
    }
    let deeper = depth.saturating_add(1);
    let (outer, _) = ber::read(token).ok()?;
    match outer.tag {
        t if t == tag => Some(outer),
        // GSS framing: the mechanism OID, then (Kerberos) a 2-byte TOK_ID, or (SPNEGO) the
        // negotiation token itself.
        0x60 => {
            let (_, inner) = ber::expect(outer.body, ber::OID, "GSS mechanism").ok()?;
            match inner {
                [0x01 | 0x02, 0x00, rest @ ..] => find(rest, tag, deeper),
                _ => find(inner, tag, deeper),
            }
        }
        // NegTokenInit [0] { [2] mechToken } and NegTokenResp [1] { [2] responseToken }.
        0xa0 | 0xa1 => {
            let (sequence, _) = ber::expect(outer.body, ber::SEQUENCE, "SPNEGO token").ok()?;
            let field = ber::children(sequence.body)
                .flatten()
                .find(|c| c.tag == ber::context(2))?;
            let (octets, _) = ber::expect(field.body, OCTET_STRING, "SPNEGO mech token").ok()?;
            find(octets.body, tag, deeper)
        }
        _ => None,
    }
}
