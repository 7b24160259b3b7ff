//! The SASL security layer on an LDAP connection after a successful GSSAPI or GSS-SPNEGO bind
//! (RFC 4422 §3.7, RFC 4752): each buffer is a 4-byte big-endian length and one GSS wrap token.
//! This module frames those buffers and, without keys, takes the LDAP bytes out of tokens that
//! carry them in clear (integrity only), or says which mechanism sealed them:
//!
//! - Kerberos RFC 4121 (CFX) wrap tokens `05 04`, including the RRC rotation Windows applies;
//! - Kerberos RFC 1964 / RFC 4757 (RC4-HMAC) wrap tokens inside a `60` GSS header;
//! - NTLM (MS-NLMP 2.2.2.9.1) buffers: a 16-byte signature, then the data.
//!
//! NTLM says nowhere in the buffer whether the data is sealed, so an analyzer without keys can
//! only try: when the bytes after the signature are whole LDAPMessages (`0x30` with a length,
//! repeated, filling the rest exactly), they are taken as clear; otherwise the buffer counts as
//! sealed.
//! A sealed buffer that happens to look like that is vanishingly unlikely (RC4 output starting
//! `30` with a length matching the buffer), but it is a guess, not a proof.

use super::ber;
use super::framing::Framing;
use super::ldap::{PduLen, pdu_length};

/// Largest security-layer buffer body accepted: RFC 4752 negotiates the maximum buffer size in
/// three octets, so no peer may send more than 2^24 - 1 bytes in one buffer.
pub const MAX_SASL_BUFFER: usize = 0x00ff_ffff;

/// What one security-layer buffer holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unwrapped {
    /// The LDAP bytes inside an integrity-only token. One buffer may hold several
    /// LDAPMessages back to back (a DC sends an entry and its done message in one token);
    /// split them with [`super::ldap::pdu_length`].
    Clear(Vec<u8>),
    /// A confidentiality-protected token; only its mechanism is known.
    Sealed { mech: &'static str },
    /// Not a recognised wrap token (or not a whole buffer).
    NotWrapped,
}

/// Mechanism names used in [`Unwrapped::Sealed`].
pub const MECH_CFX: &str = "Kerberos (RFC 4121)";
pub const MECH_RFC1964: &str = "Kerberos (RFC 1964/4757)";
pub const MECH_NTLM: &str = "NTLM";

/// Frames the next buffer: 4-byte big-endian length, then that many bytes.
pub fn sasl_buffer_length(buf: &[u8]) -> Framing {
    let [a, b, c, d, ..] = *buf else {
        return Framing::Incomplete;
    };
    let Ok(len) = usize::try_from(u32::from_be_bytes([a, b, c, d])) else {
        return Framing::Invalid("sasl: buffer length does not fit".into());
    };
    if len == 0 {
        return Framing::Invalid("sasl: empty security-layer buffer".into());
    }
    if len > MAX_SASL_BUFFER {
        return Framing::Invalid(format!(
            "sasl: buffer of {len} bytes exceeds the {MAX_SASL_BUFFER}-byte maximum"
        ));
    }
    match len.checked_add(4) {
        Some(total) if buf.len() >= total => Framing::Complete(total),
        Some(_) => Framing::Incomplete,
        None => Framing::Invalid("sasl: buffer length overflows".into()),
    }
}

/// Unwraps one whole buffer (its 4-byte length included, nothing after it).
pub fn unwrap_buffer(buf: &[u8]) -> Unwrapped {
    let Some((len, token)) = buf.split_first_chunk::<4>() else {
        return Unwrapped::NotWrapped;
    };
    let Ok(len) = usize::try_from(u32::from_be_bytes(*len)) else {
        return Unwrapped::NotWrapped;
    };
    if len != token.len() || len == 0 || len > MAX_SASL_BUFFER {
        return Unwrapped::NotWrapped;
    }
    match token {
        [0x05, 0x04, ..] => cfx(token),
        [0x60, ..] => rfc1964(token),
        [0x01, 0x00, 0x00, 0x00, ..] => ntlm(token),
        _ => Unwrapped::NotWrapped,
    }
}

/// RFC 4121 §4.2.6.2 wrap token: `05 04 Flags Filler(FF) EC(2) RRC(2) SND_SEQ(8)` then data.
/// Flags: 0x01 SentByAcceptor, 0x02 Sealed, 0x04 AcceptorSubkey.
///
/// Not sealed, the data is plaintext followed by an EC-byte checksum, the whole right-rotated
/// by RRC (§4.2.5): rotating left by RRC restores it. Windows uses RRC 12 unsealed (RRC 28
/// sealed, MS-KILE 3.4.5.4.1); MIT and Samba send RRC 0.
fn cfx(token: &[u8]) -> Unwrapped {
    let Some((header, data)) = token.split_first_chunk::<16>() else {
        return Unwrapped::NotWrapped;
    };
    let [_, _, flags, filler, ec_hi, ec_lo, rrc_hi, rrc_lo, ..] = *header;
    if filler != 0xff || flags & !0x07 != 0 {
        return Unwrapped::NotWrapped;
    }
    if flags & 0x02 != 0 {
        return Unwrapped::Sealed { mech: MECH_CFX };
    }
    let ec = usize::from(u16::from_be_bytes([ec_hi, ec_lo]));
    let rrc = usize::from(u16::from_be_bytes([rrc_hi, rrc_lo]));
    if data.is_empty() || ec > data.len() {
        return Unwrapped::NotWrapped;
    }
    let mut unrotated = data.to_vec();
    unrotated.rotate_left(rrc.checked_rem(data.len()).unwrap_or(0));
    unrotated.truncate(data.len().saturating_sub(ec));
    Unwrapped::Clear(unrotated)
}

/// GSS mechanism OID contents of Kerberos V5 (1.2.840.113554.1.2.2) and of the MS-Kerberos
/// variant (1.2.840.48018.1.2.2), each with its `06 09` header.
const KRB5_OID: [u8; 11] = [
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02,
];
const MS_KRB5_OID: [u8; 11] = [
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02,
];

/// RFC 1964 §1.2.2 / RFC 4757 §7.3 wrap token inside `60 <len> <krb5 OID>`:
/// TOK_ID `02 01`, SGN_ALG(2), SEAL_ALG(2, `ff ff` = not sealed), filler `ff ff`, SND_SEQ(8),
/// SGN_CKSUM, then confounder(8) + data + padding (1..8 bytes, each the pad length).
/// SGN_CKSUM is 8 bytes for DES MAC MD5 (`00 00`), MD2.5 (`01 00`), DES MAC (`02 00`) and
/// RC4-HMAC (`11 00`), and 20 bytes for HMAC SHA1 DES3-KD (`04 00`).
fn rfc1964(token: &[u8]) -> Unwrapped {
    let Some(inner) = gss_inner(token) else {
        return Unwrapped::NotWrapped;
    };
    let Some(rest) = inner
        .strip_prefix(&KRB5_OID)
        .or_else(|| inner.strip_prefix(&MS_KRB5_OID))
    else {
        return Unwrapped::NotWrapped;
    };
    let Some((head, after)) = rest.split_first_chunk::<16>() else {
        return Unwrapped::NotWrapped;
    };
    let [tok0, tok1, sgn0, sgn1, seal0, seal1, fill0, fill1, ..] = *head;
    if [tok0, tok1] != [0x02, 0x01] || [fill0, fill1] != [0xff, 0xff] {
        return Unwrapped::NotWrapped;
    }
    if [seal0, seal1] != [0xff, 0xff] {
        return Unwrapped::Sealed { mech: MECH_RFC1964 };
    }
    let cksum_len: usize = if [sgn0, sgn1] == [0x04, 0x00] { 20 } else { 8 };
    // confounder follows the checksum
    let Some(body) = after.get(cksum_len.saturating_add(8)..) else {
        return Unwrapped::NotWrapped;
    };
    let pad = body.last().map_or(0, |&p| usize::from(p));
    let data = match body.len().checked_sub(pad) {
        Some(end)
            if (1..=8).contains(&pad) && body.iter().skip(end).all(|&b| usize::from(b) == pad) =>
        {
            body.get(..end).unwrap_or_default()
        }
        // Padding that does not follow the rule: keep the bytes rather than guess.
        _ => body,
    };
    Unwrapped::Clear(data.to_vec())
}

/// The contents of the `60` InitialContextToken-style header (RFC 2743 §3.1), which must hold
/// the whole token.
fn gss_inner(token: &[u8]) -> Option<&[u8]> {
    let (header, rest) = ber::read(token).ok()?;
    rest.is_empty().then_some(header.body)
}

/// MS-NLMP 2.2.2.9.1 NTLMSSP_MESSAGE_SIGNATURE (with extended session security): Version
/// `01 00 00 00`, Checksum(8), SeqNum(4); the data follows. (Without extended session security,
/// 2.2.2.9.2, the 16 bytes are Version, RandomPad(4), Checksum(4), SeqNum(4): same size.) See the module doc for how clear
/// and sealed data are told apart.
fn ntlm(token: &[u8]) -> Unwrapped {
    let Some(data) = token.get(16..) else {
        return Unwrapped::NotWrapped;
    };
    if fills_with_ldap_messages(data) {
        Unwrapped::Clear(data.to_vec())
    } else {
        Unwrapped::Sealed { mech: MECH_NTLM }
    }
}

/// True when `data` is one or more whole LDAPMessages and nothing else.
fn fills_with_ldap_messages(data: &[u8]) -> bool {
    let mut rest = data;
    // Each message is at least 2 bytes, so this bounds the loop without a counter.
    while !rest.is_empty() {
        match pdu_length(rest) {
            PduLen::Complete(n) if n > 0 => match rest.get(n..) {
                Some(next) => rest = next,
                None => return false,
            },
            _ => return false,
        }
    }
    !data.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gss_inner_requires_the_length_to_cover_the_token() {
        assert_eq!(
            gss_inner(&[0x60, 0x02, 0xaa, 0xbb]),
            Some(&[0xaa, 0xbb][..])
        );
        assert_eq!(gss_inner(&[0x60, 0x81, 0x01, 0xaa]), Some(&[0xaa][..]));
        assert_eq!(gss_inner(&[0x60, 0x03, 0xaa, 0xbb]), None);
        assert_eq!(gss_inner(&[0x60, 0x80, 0xaa]), None);
        assert_eq!(gss_inner(&[0x60]), None);
    }
}
