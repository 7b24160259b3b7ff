//! Kerberos V5 messages (RFC 4120) on UDP/TCP 88, read far enough for diagnosis: which message
//! it is, the realm, the client and service principals, and for a KRB-ERROR its code, e-text and
//! the Windows extended NTSTATUS (MS-KILE 2.2.1/2.2.2). Also the names and admin meanings of the
//! error codes, and capdiag's cause code for each, and ([`asn1`]) the RFC 4120 / RFC 6113 types
//! the decryption path decodes with rasn.
//!
//! [`decode_kerberos`] is a hand BER walk rather than the [`asn1`] types: it is a diagnosis
//! reader, and a field that does not parse is left out instead of losing the message (an
//! AP-REQ cut short after its ticket still names the service; a KRB-ERROR whose sname is
//! malformed still gives its code), where a rasn type refuses the whole structure. Names are
//! read as bytes and converted lossily, for the reason the [`asn1`] module gives (rasn's
//! GeneralString rejects the UTF-8 that Windows sends for non-ASCII account names). Elements
//! are read by the shared [`crate::ber`] reader. Encrypted parts are never looked into.

use crate::ber::{
    self, BerError, CLASS_APPLICATION, INTEGER, OCTET_STRING, SEQUENCE, Tlv, context, read,
};
use crate::framing::Framing;

pub mod asn1;
mod codes;
pub use codes::{ErrorCode, message_type_name, ntstatus_name};

/// Largest Kerberos-over-TCP record accepted (RFC 4120 §7.2.2 4-byte length). Tickets with a big
/// PAC reach tens of KiB; anything near this limit is garbage, not a message to wait for.
pub const MAX_KRB_TCP_RECORD: usize = 1024 * 1024;

/// Most elements read from one SEQUENCE (fields of a message, components of a name).
const MAX_ELEMENTS: usize = 64;

/// Which Kerberos message, by its APPLICATION tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KrbMessageKind {
    AsReq,
    AsRep,
    TgsReq,
    TgsRep,
    KrbError,
    /// Any other APPLICATION tag number (14 AP-REQ, 15 AP-REP, 20 KRB-SAFE, 21 KRB-PRIV, 22 KRB-CRED, ...).
    Other(u8),
}

/// The fields of one Kerberos message that the chain uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KrbMessage {
    pub kind: KrbMessageKind,
    /// KDC-REQ: req-body realm. KDC-REP: crealm. KRB-ERROR: realm (the KDC's), else crealm.
    /// AP-REQ: the ticket's realm.
    pub realm: Option<String>,
    /// cname components joined with '/' (e.g. "crmsvc", "DESKTOP1$").
    pub client: Option<String>,
    /// sname components joined with '/' ("krbtgt/CONTOSO.TEST", "ldap/dc1.contoso.test").
    /// KDC-REP and AP-REQ: the sname of the ticket they carry.
    pub service: Option<String>,
    /// KRB-ERROR only.
    pub error_code: Option<ErrorCode>,
    /// KRB-ERROR e-text when present.
    pub error_text: Option<String>,
    /// KRB-ERROR only: the NTSTATUS a Windows KDC puts in e-data as KERB-ERROR-DATA of type
    /// KERB_ERR_TYPE_EXTENDED (3) (e.g. 0xC0000234 account locked out under code 18).
    pub ext_status: Option<u32>,
}

/// Why a Kerberos message could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KerberosError {
    /// The outer element is not BER the shared reader accepts (truncated, indefinite, ...).
    #[error("kerberos: {0}")]
    Ber(#[from] BerError),
    /// The outer element is not a constructed APPLICATION tag.
    #[error("kerberos: expected an APPLICATION-tagged message, found identifier 0x{0:02x}")]
    NotApplication(u8),
    /// A message capdiag reads whose APPLICATION element does not hold a SEQUENCE.
    #[error("kerberos: APPLICATION {number}: expected a SEQUENCE, found 0x{found:02x}")]
    NotSequence { number: u8, found: u8 },
}

/// Frames one Kerberos-over-TCP record: 4-byte big-endian length, then the message. The high bit
/// of the length is reserved (RFC 4120 §7.2.2) and makes the record [`Framing::Invalid`].
pub fn tcp_record_length(buf: &[u8]) -> Framing {
    let [a, b, c, d, ..] = *buf else {
        return Framing::Incomplete;
    };
    let len = u32::from_be_bytes([a, b, c, d]);
    if len & 0x8000_0000 != 0 {
        return Framing::Invalid("kerberos: TCP length with the reserved high bit set".into());
    }
    let Ok(len) = usize::try_from(len) else {
        return Framing::Invalid("kerberos: TCP length does not fit".into());
    };
    if len > MAX_KRB_TCP_RECORD {
        return Framing::Invalid(format!(
            "kerberos: TCP record of {len} bytes exceeds {MAX_KRB_TCP_RECORD}"
        ));
    }
    match len.checked_add(4) {
        Some(total) if buf.len() >= total => Framing::Complete(total),
        Some(_) => Framing::Incomplete,
        None => Framing::Invalid("kerberos: TCP length overflows".into()),
    }
}

/// Decodes one message: a UDP payload, or a TCP record without its 4-byte length.
///
/// The outer APPLICATION element and its SEQUENCE must be well formed; inside, a field that is
/// missing or malformed is `None`. Unknown APPLICATION tags give [`KrbMessageKind::Other`].
pub fn decode_kerberos(msg: &[u8]) -> Result<KrbMessage, KerberosError> {
    let (outer, _) = read(msg)?;
    if outer.class() != CLASS_APPLICATION || !outer.constructed() {
        return Err(KerberosError::NotApplication(outer.tag));
    }
    let number = outer.number();
    let mut m = KrbMessage {
        kind: match number {
            10 => KrbMessageKind::AsReq,
            11 => KrbMessageKind::AsRep,
            12 => KrbMessageKind::TgsReq,
            13 => KrbMessageKind::TgsRep,
            30 => KrbMessageKind::KrbError,
            n => KrbMessageKind::Other(n),
        },
        realm: None,
        client: None,
        service: None,
        error_code: None,
        error_text: None,
        ext_status: None,
    };
    let seq = match read(outer.body) {
        Ok((seq, _)) if seq.tag == SEQUENCE => seq,
        Ok((other, _)) => {
            return Err(KerberosError::NotSequence {
                number,
                found: other.tag,
            });
        }
        // Messages capdiag does not read need not be well formed inside.
        Err(_) if matches!(m.kind, KrbMessageKind::Other(_)) => return Ok(m),
        Err(e) => return Err(e.into()),
    };
    match m.kind {
        KrbMessageKind::AsReq | KrbMessageKind::TgsReq => {
            if let Some(body) = field(seq.body, 4).and_then(|b| sequence(b.body)) {
                m.client = field(body, 1).and_then(|f| principal(f.body));
                m.realm = field(body, 2).and_then(|f| kstring(f.body));
                m.service = field(body, 3).and_then(|f| principal(f.body));
            }
        }
        KrbMessageKind::AsRep | KrbMessageKind::TgsRep => {
            m.realm = field(seq.body, 3).and_then(|f| kstring(f.body));
            m.client = field(seq.body, 4).and_then(|f| principal(f.body));
            m.service = field(seq.body, 5).and_then(|f| ticket_sname(f.body).1);
        }
        KrbMessageKind::KrbError => {
            m.error_code = field(seq.body, 6)
                .and_then(|f| integer(f.body))
                .map(ErrorCode::from);
            m.realm = field(seq.body, 9)
                .or_else(|| field(seq.body, 7))
                .and_then(|f| kstring(f.body));
            m.client = field(seq.body, 8).and_then(|f| principal(f.body));
            m.service = field(seq.body, 10).and_then(|f| principal(f.body));
            m.error_text = field(seq.body, 11).and_then(|f| kstring(f.body));
            m.ext_status = field(seq.body, 12)
                .and_then(|f| octets(f.body))
                .and_then(extended_status);
        }
        KrbMessageKind::Other(14) => {
            // AP-REQ ::= [APPLICATION 14] SEQUENCE { pvno [0], msg-type [1], ap-options [2], ticket [3], ... }
            if let Some(f) = field(seq.body, 3) {
                let (realm, sname) = ticket_sname(f.body);
                m.realm = realm;
                m.service = sname;
            }
        }
        KrbMessageKind::Other(_) => {}
    }
    Ok(m)
}

/// Ticket ::= [APPLICATION 1] SEQUENCE { tkt-vno [0], realm [1], sname [2], enc-part [3] }
fn ticket_sname(wrapped: &[u8]) -> (Option<String>, Option<String>) {
    let Ok((app, _)) = read(wrapped) else {
        return (None, None);
    };
    if app.tag != 0x61 {
        return (None, None);
    }
    let Some(seq) = sequence(app.body) else {
        return (None, None);
    };
    (
        field(seq, 1).and_then(|f| kstring(f.body)),
        field(seq, 2).and_then(|f| principal(f.body)),
    )
}

/// e-data holding KERB-ERROR-DATA ::= SEQUENCE { data-type [1] INTEGER, data-value [2] OCTET STRING }
/// with data-type 3 (KERB_ERR_TYPE_EXTENDED): the value is KERB-EXT-ERROR, whose first four
/// bytes are a little-endian NTSTATUS. METHOD-DATA (a SEQUENCE OF PA-DATA, as sent with
/// PREAUTH_REQUIRED) starts with a SEQUENCE instead of [1] and yields `None`.
fn extended_status(e_data: &[u8]) -> Option<u32> {
    let seq = sequence(e_data)?;
    let (first, _) = read(seq).ok()?;
    if first.tag != context(1) {
        return None;
    }
    if integer(first.body)? != 3 {
        return None;
    }
    let value = octets(field(seq, 2)?.body)?;
    let status = value.get(..4)?;
    Some(u32::from_le_bytes([
        *status.first()?,
        *status.get(1)?,
        *status.get(2)?,
        *status.get(3)?,
    ]))
}

/// The contents of the SEQUENCE at the front of `buf`.
fn sequence(buf: &[u8]) -> Option<&[u8]> {
    match read(buf) {
        Ok((t, _)) if t.tag == SEQUENCE => Some(t.body),
        _ => None,
    }
}

/// The explicit `[n]` field among a SEQUENCE's contents; stops at the first malformed element.
fn field(seq_body: &[u8], n: u8) -> Option<Tlv<'_>> {
    let mut rest = seq_body;
    for _ in 0..MAX_ELEMENTS {
        let (t, next) = read(rest).ok()?;
        if t.tag == context(n) {
            return Some(t);
        }
        if next.is_empty() {
            return None;
        }
        rest = next;
    }
    None
}

/// A KerberosString (GeneralString, or any other primitive string type) as text.
fn kstring(buf: &[u8]) -> Option<String> {
    let (t, _) = read(buf).ok()?;
    if t.constructed() || t.class() != 0 {
        return None;
    }
    Some(String::from_utf8_lossy(t.body).into_owned())
}

/// The contents of an OCTET STRING.
fn octets(buf: &[u8]) -> Option<&[u8]> {
    match read(buf) {
        Ok((t, _)) if t.tag == OCTET_STRING => Some(t.body),
        _ => None,
    }
}

/// An INTEGER that fits in i32 (see [`ber::int32`]).
fn integer(buf: &[u8]) -> Option<i32> {
    match read(buf) {
        Ok((t, _)) if t.tag == INTEGER => ber::int32(t.body),
        _ => None,
    }
}

/// PrincipalName ::= SEQUENCE { name-type [0] Int32, name-string [1] SEQUENCE OF KerberosString }
fn principal(buf: &[u8]) -> Option<String> {
    let seq = sequence(buf)?;
    let names = sequence(field(seq, 1)?.body)?;
    let mut parts = Vec::new();
    let mut rest = names;
    while !rest.is_empty() && parts.len() < MAX_ELEMENTS {
        let (t, next) = read(rest).ok()?;
        if t.constructed() {
            return None;
        }
        parts.push(String::from_utf8_lossy(t.body).into_owned());
        rest = next;
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One DER element with a minimal length (the decoder crate's own writer).
    fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        crate::ber::write(&mut out, tag, body);
        out
    }

    #[test]
    fn integer_reads_signed_and_padded_values() {
        assert_eq!(integer(&[0x02, 0x01, 0x18]), Some(24));
        assert_eq!(integer(&[0x02, 0x02, 0x00, 0x80]), Some(128));
        assert_eq!(integer(&[0x02, 0x01, 0xff]), Some(-1));
        assert_eq!(
            integer(&[0x02, 0x04, 0x7c, 0x9e, 0x53, 0xbc]),
            Some(0x7c9e53bc)
        );
        assert_eq!(integer(&[0x02, 0x05, 0x00, 0xff, 0xff, 0xff, 0xff]), None);
        assert_eq!(integer(&[0x02, 0x00]), None);
        assert_eq!(integer(&[0x04, 0x01, 0x01]), None);
    }

    #[test]
    fn principal_joins_components_and_reads_utf8() {
        // { [0] 2, [1] { "ldap", "dc1.contoso.test" } }
        let names = [tlv(0x1b, b"ldap"), tlv(0x1b, b"dc1.contoso.test")].concat();
        let p = tlv(
            0x30,
            &[tlv(0xa0, &[2, 1, 2]), tlv(0xa1, &tlv(0x30, &names))].concat(),
        );
        assert_eq!(principal(&p).as_deref(), Some("ldap/dc1.contoso.test"));
        // "Jörg" in UTF-8 (c3 b6) and "Ä" (c3 84, which rasn's GeneralString refuses).
        let names = tlv(0x1b, &[b'J', 0xc3, 0xb6, b'r', b'g', 0xc3, 0x84]);
        let p = tlv(
            0x30,
            &[tlv(0xa0, &[2, 1, 1]), tlv(0xa1, &tlv(0x30, &names))].concat(),
        );
        assert_eq!(principal(&p).as_deref(), Some("JörgÄ"));
    }

    #[test]
    fn truncated_indefinite_and_high_tag_messages_are_ber_errors() {
        for bad in [
            &[][..],
            &[0x6a],
            &[0x6a, 0x05, 0x30, 0x00],
            &[0x6a, 0x80, 0x30, 0x00, 0x00, 0x00],
            &[0x6a, 0x85, 0, 0, 0, 0, 1, 0],
            &[0x7f, 0x01, 0x00],
        ] {
            assert!(
                matches!(decode_kerberos(bad), Err(KerberosError::Ber(_))),
                "{bad:02x?}"
            );
        }
        assert_eq!(
            decode_kerberos(&[0x30, 0x00]),
            Err(KerberosError::NotApplication(0x30))
        );
        assert_eq!(
            decode_kerberos(&[0x7e, 0x02, 0x04, 0x00]).map_err(|e| e.to_string()),
            Err("kerberos: APPLICATION 30: expected a SEQUENCE, found 0x04".into())
        );
    }

    #[test]
    fn tcp_framing() {
        assert_eq!(tcp_record_length(&[0, 0, 0]), Framing::Incomplete);
        assert_eq!(tcp_record_length(&[0, 0, 0, 2, 0x7e]), Framing::Incomplete);
        assert_eq!(
            tcp_record_length(&[0, 0, 0, 2, 0x7e, 0x00, 0xff]),
            Framing::Complete(6)
        );
        assert!(matches!(
            tcp_record_length(&[0x80, 0, 0, 2, 0, 0]),
            Framing::Invalid(_)
        ));
        assert!(matches!(
            tcp_record_length(&[0x00, 0x20, 0, 0]),
            Framing::Invalid(_)
        ));
    }
}
