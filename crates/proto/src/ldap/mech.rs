//! Recognising the security mechanism inside a SASL GSS-SPNEGO / GSSAPI bind token
//! (RFC 4178 SPNEGO, RFC 2743 §3.1 InitialContextToken, MS-NLMP signature). Only the outer
//! structure is read; the token itself is never kept.

use super::model::InnerMech;
use crate::ber;

/// OID contents 1.3.6.1.5.5.2 (SPNEGO).
const SPNEGO: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x02];
/// OID contents 1.2.840.48018.1.2.2 (MS-Kerberos, the one Windows lists first).
const MS_KRB5: &[u8] = &[0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02];
/// OID contents 1.2.840.113554.1.2.2 (Kerberos V5).
const KRB5: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02];
/// OID contents 1.3.6.1.4.1.311.2.2.10 (NTLMSSP).
const NTLMSSP_OID: &[u8] = &[0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a];
/// The first bytes of every NTLM message.
const NTLMSSP_SIGNATURE: &[u8] = b"NTLMSSP\0";

fn oid_mech(oid: &[u8]) -> Option<InnerMech> {
    match oid {
        MS_KRB5 | KRB5 => Some(InnerMech::Kerberos),
        NTLMSSP_OID => Some(InnerMech::Ntlm),
        _ => None,
    }
}

/// The mechanism a SASL GSS-SPNEGO or GSSAPI credentials token carries, if recognisable:
/// a raw NTLM message; a GSS InitialContextToken (`0x60`) whose mechanism is Kerberos, or is
/// SPNEGO with a NegTokenInit whose first recognised mechType decides (else its mechToken);
/// or a NegTokenResp (`0xa1`) by its supportedMech or responseToken.
pub fn inner_mech(token: &[u8]) -> Option<InnerMech> {
    if token.starts_with(NTLMSSP_SIGNATURE) {
        return Some(InnerMech::Ntlm);
    }
    let (outer, _) = ber::read(token).ok()?;
    match outer.tag {
        0x60 => {
            let (oid, rest) = ber::expect(outer.body, ber::OID, "thisMech").ok()?;
            if oid.body == SPNEGO {
                let (init, _) = ber::expect(rest, 0xa0, "negTokenInit").ok()?;
                neg_token_init(init.body)
            } else {
                oid_mech(oid.body)
            }
        }
        0xa0 => neg_token_init(outer.body),
        0xa1 => neg_token_resp(outer.body),
        _ => None,
    }
}

/// NegTokenInit ::= SEQUENCE { mechTypes [0], reqFlags [1], mechToken [2], mechListMIC [3] }
fn neg_token_init(body: &[u8]) -> Option<InnerMech> {
    let (seq, _) = ber::expect(body, ber::SEQUENCE, "NegTokenInit").ok()?;
    let mut token_mech = None;
    for field in ber::children(seq.body) {
        let field = field.ok()?;
        match field.tag {
            0xa0 => {
                let (list, _) = ber::expect(field.body, ber::SEQUENCE, "mechTypes").ok()?;
                for oid in ber::children(list.body).map_while(Result::ok) {
                    if let Some(mech) = (oid.tag == ber::OID).then(|| oid_mech(oid.body)).flatten()
                    {
                        return Some(mech);
                    }
                }
            }
            0xa2 => token_mech = octet_token_mech(field.body),
            _ => {}
        }
    }
    token_mech
}

/// NegTokenResp ::= SEQUENCE { negState [0], supportedMech [1], responseToken [2], mechListMIC [3] }
fn neg_token_resp(body: &[u8]) -> Option<InnerMech> {
    let (seq, _) = ber::expect(body, ber::SEQUENCE, "NegTokenResp").ok()?;
    let mut token_mech = None;
    for field in ber::children(seq.body) {
        let field = field.ok()?;
        match field.tag {
            0xa1 => {
                let (oid, _) = ber::expect(field.body, ber::OID, "supportedMech").ok()?;
                if let Some(mech) = oid_mech(oid.body) {
                    return Some(mech);
                }
            }
            0xa2 => token_mech = octet_token_mech(field.body),
            _ => {}
        }
    }
    token_mech
}

/// An inner token wrapped in an OCTET STRING: NTLM by signature, Kerberos by its GSS header.
fn octet_token_mech(wrapped: &[u8]) -> Option<InnerMech> {
    let (octets, _) = ber::expect(wrapped, 0x04, "mechToken").ok()?;
    let token = octets.body;
    if token.starts_with(NTLMSSP_SIGNATURE) {
        return Some(InnerMech::Ntlm);
    }
    let (outer, _) = ber::expect(token, 0x60, "InitialContextToken").ok()?;
    let (oid, _) = ber::expect(outer.body, ber::OID, "thisMech").ok()?;
    oid_mech(oid.body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
        assert!(body.len() < 0x80);
        [&[tag, body.len() as u8][..], body].concat()
    }

    const OID_SPNEGO: [u8; 8] = [0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02];
    const OID_MS_KRB5: [u8; 11] = [
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02,
    ];
    const OID_KRB5: [u8; 11] = [
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02,
    ];
    const OID_NTLM: [u8; 12] = [
        0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a,
    ];

    fn spnego_init(mech_types: &[&[u8]], mech_token: Option<&[u8]>) -> Vec<u8> {
        let mut fields = tlv(0xa0, &tlv(0x30, &mech_types.concat()));
        if let Some(t) = mech_token {
            fields.extend(tlv(0xa2, &tlv(0x04, t)));
        }
        tlv(
            0x60,
            &[&OID_SPNEGO[..], &tlv(0xa0, &tlv(0x30, &fields))].concat(),
        )
    }

    #[test]
    fn windows_spnego_with_ms_kerberos_first() {
        let token = spnego_init(&[&OID_MS_KRB5, &OID_KRB5, &OID_NTLM], Some(&[0x60, 0x00]));
        assert_eq!(inner_mech(&token), Some(InnerMech::Kerberos));
    }

    #[test]
    fn spnego_offering_only_ntlm() {
        let token = spnego_init(&[&OID_NTLM], Some(b"NTLMSSP\0\x01\x00\x00\x00"));
        assert_eq!(inner_mech(&token), Some(InnerMech::Ntlm));
    }

    #[test]
    fn spnego_with_unknown_mech_types_falls_back_to_the_mech_token() {
        let unknown = [0x06, 0x03, 0x2a, 0x03, 0x04];
        let token = spnego_init(&[&unknown], Some(b"NTLMSSP\0\x01"));
        assert_eq!(inner_mech(&token), Some(InnerMech::Ntlm));
        let token = spnego_init(&[&unknown], None);
        assert_eq!(inner_mech(&token), None);
    }

    #[test]
    fn raw_ntlmssp_in_a_gss_spnego_bind() {
        assert_eq!(
            inner_mech(b"NTLMSSP\0\x01\x00\x00\x00\x07\x82"),
            Some(InnerMech::Ntlm)
        );
    }

    #[test]
    fn gssapi_krb5_initial_context_token() {
        // 60 len 06 09 <krb5> 01 00 (AP-REQ token id) ...
        let token = tlv(0x60, &[&OID_KRB5[..], &[0x01, 0x00, 0x6e, 0x00]].concat());
        assert_eq!(inner_mech(&token), Some(InnerMech::Kerberos));
    }

    #[test]
    fn neg_token_resp_second_ntlm_leg() {
        // a1 { 30 { a2 { 04 "NTLMSSP\0\x03..." } } }
        let token = tlv(
            0xa1,
            &tlv(0x30, &tlv(0xa2, &tlv(0x04, b"NTLMSSP\0\x03\x00"))),
        );
        assert_eq!(inner_mech(&token), Some(InnerMech::Ntlm));
        let token = tlv(0xa1, &tlv(0x30, &tlv(0xa1, &OID_KRB5)));
        assert_eq!(inner_mech(&token), Some(InnerMech::Kerberos));
    }

    #[test]
    fn garbage_and_truncated_tokens_are_none() {
        assert_eq!(inner_mech(&[]), None);
        assert_eq!(inner_mech(&[0x60, 0x7f, 0x06]), None);
        assert_eq!(inner_mech(b"hello"), None);
    }
}
