//! The one place where capdiag bends real LDAP traffic into what rasn-ldap 0.30 accepts.
//!
//! rasn (0.30) itself copes with Windows framing: non-minimal long-form lengths such as
//! `84 00 00 00 xx` and the primitive `42 00` unbindRequest decode as they are (see the tests).
//! What rasn-ldap's types cannot take, and what this pre-pass rewrites before rasn decodes:
//!
//! * **Sicily NTLM binds.** `AuthenticationChoice` only knows `[0]` simple and `[3]` SASL; AD
//!   also accepts `[9]` sicilyPackageDiscovery, `[10]` sicilyNegotiate and `[11]` sicilyResponse
//!   (and `[1]`/`[2]` are reserved). rasn fails with `NoValidChoice`. The choice is replaced by
//!   an empty simple bind and the real one is returned in [`Patches::bind_auth`].
//! * **Enumerated values rasn-ldap does not list.** `ResultCode`, `SearchRequestScope` and
//!   `SearchRequestDerefAliases` are closed Rust enums, so e.g. resultCode 118 (canceled,
//!   RFC 3909) or a bogus scope 7 fail the whole message with `DiscriminantValueNotFound`.
//!   Such values are replaced by a listed one and the raw number is kept in [`Patches`].
//! * **Deep filters.** rasn stops at a nesting budget of 128 constructed levels for the whole
//!   message, and every AND/OR level spends two of them, so a search whose filter nests 64
//!   ANDs is rejected outright (no stack overflow, but no message either). Filter nodes deeper
//!   than [`MAX_FILTER_DEPTH`] are replaced by a placeholder `present` item before rasn runs;
//!   the mapping turns every node at that depth into `Filter::TooDeep`.
//!
//! The pre-pass reads elements with the shared [`crate::ber`] reader (the one LDAP framing and
//! Kerberos use) and recurses only over filter nesting, bounded by [`MAX_FILTER_DEPTH`].

use std::borrow::Cow;

use rasn::types::Enumerated;
use rasn_ldap::{ResultCode, SearchRequestDerefAliases, SearchRequestScope};

use super::error::LdapError;
use super::model::BindAuth;
use crate::ber::{self, Tlv};

/// Deepest filter nesting decoded; the top-level filter is depth 1. Kept well inside rasn's
/// budget of 128 constructed levels (2 per AND/OR level, plus the message envelope).
pub const MAX_FILTER_DEPTH: usize = 32;

/// `present` filter with an empty attribute: the placeholder for a cut-off subtree.
const TOO_DEEP_PLACEHOLDER: [u8; 2] = [0x87, 0x00];

/// What the pre-pass replaced, to be put back into the model after rasn has decoded.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Patches {
    pub result_code: Option<u32>,
    pub scope: Option<u32>,
    pub deref: Option<u32>,
    pub bind_auth: Option<BindAuth>,
}

/// One LDAPMessage made ready for rasn.
#[derive(Debug)]
pub struct Prepared<'a> {
    /// The message bytes rasn should decode (the input itself when nothing was rewritten).
    pub bytes: Cow<'a, [u8]>,
    pub patches: Patches,
    /// Bytes of the input taken by this LDAPMessage.
    pub consumed: usize,
}

/// Reads the LDAPMessage at the front of `buf` and rewrites what rasn-ldap cannot decode.
pub fn prepare(buf: &[u8]) -> Result<Prepared<'_>, LdapError> {
    let (msg, _) = ber::expect(buf, ber::SEQUENCE, "LDAPMessage")?;
    let mut patches = Patches::default();
    let parts: Vec<Tlv<'_>> = ber::children(msg.body).collect::<Result<_, _>>()?;
    let Some(op) = parts.get(1) else {
        return Err(LdapError::Malformed(
            "LDAPMessage without a protocolOp".into(),
        ));
    };
    let new_op = match op.tag {
        0x60 => rewrite_bind_request(op, &mut patches)?,
        0x61 | 0x65 | 0x67 | 0x69 | 0x6b | 0x6d | 0x6f | 0x78 => rewrite_result(op, &mut patches)?,
        0x63 => Some(rewrite_search_request(op, &mut patches)?),
        _ => None,
    };
    let bytes = match new_op {
        None => Cow::Borrowed(msg.raw),
        Some(new_op) => {
            let mut body = Vec::with_capacity(msg.body.len());
            for (i, part) in parts.iter().enumerate() {
                if i == 1 {
                    body.extend_from_slice(&new_op);
                } else {
                    body.extend_from_slice(part.raw);
                }
            }
            let mut out = Vec::with_capacity(body.len().saturating_add(6));
            ber::write(&mut out, ber::SEQUENCE, &body);
            Cow::Owned(out)
        }
    };
    Ok(Prepared {
        bytes,
        patches,
        consumed: msg.raw.len(),
    })
}

/// Rebuilds a constructed element with the children at the given indices replaced.
fn rebuild(tag: u8, parts: &[Tlv<'_>], replace: &[(usize, Vec<u8>)]) -> Vec<u8> {
    let mut body = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        match replace.iter().find(|(at, _)| *at == i) {
            Some((_, bytes)) => body.extend_from_slice(bytes),
            None => body.extend_from_slice(part.raw),
        }
    }
    let mut out = Vec::with_capacity(body.len().saturating_add(6));
    ber::write(&mut out, tag, &body);
    out
}

fn enumerated(value: u32) -> Vec<u8> {
    let mut out = Vec::new();
    ber::write(&mut out, ber::ENUMERATED, &ber::uint_body(value));
    out
}

/// Reads an ENUMERATED child; returns its value and a replacement when `known` rejects it.
fn check_enumerated(
    part: Option<&Tlv<'_>>,
    what: &'static str,
    known: impl Fn(u32) -> bool,
    substitute: u32,
) -> Result<(u32, Option<Vec<u8>>), LdapError> {
    let part = part.ok_or(LdapError::Truncated(what))?;
    if part.tag != ber::ENUMERATED {
        return Err(LdapError::Malformed(format!(
            "{what}: expected ENUMERATED, found 0x{:02x}",
            part.tag
        )));
    }
    let value = ber::uint(part.body)?;
    if known(value) {
        Ok((value, None))
    } else {
        Ok((value, Some(enumerated(substitute))))
    }
}

fn listed<E: Enumerated>(value: u32) -> bool {
    isize::try_from(value)
        .ok()
        .and_then(E::from_discriminant)
        .is_some()
}

fn rewrite_bind_request(op: &Tlv<'_>, patches: &mut Patches) -> Result<Option<Vec<u8>>, LdapError> {
    let parts: Vec<Tlv<'_>> = ber::children(op.body).collect::<Result<_, _>>()?;
    let auth = parts
        .get(2)
        .ok_or(LdapError::Truncated("bindRequest authentication"))?;
    match auth.tag {
        0x80 | 0xa0 | 0xa3 => Ok(None),
        other => {
            let number = u32::from(other & 0x1f);
            patches.bind_auth = Some(match number {
                9 => BindAuth::SicilyPackageDiscovery,
                10 => BindAuth::SicilyNegotiate,
                11 => BindAuth::SicilyResponse,
                tag => BindAuth::Other { tag },
            });
            Ok(Some(rebuild(op.tag, &parts, &[(2, vec![0x80, 0x00])])))
        }
    }
}

fn rewrite_result(op: &Tlv<'_>, patches: &mut Patches) -> Result<Option<Vec<u8>>, LdapError> {
    let parts: Vec<Tlv<'_>> = ber::children(op.body).collect::<Result<_, _>>()?;
    let (code, replacement) =
        check_enumerated(parts.first(), "resultCode", listed::<ResultCode>, 80)?;
    Ok(replacement.map(|bytes| {
        patches.result_code = Some(code);
        rebuild(op.tag, &parts, &[(0, bytes)])
    }))
}

fn rewrite_search_request(op: &Tlv<'_>, patches: &mut Patches) -> Result<Vec<u8>, LdapError> {
    let parts: Vec<Tlv<'_>> = ber::children(op.body).collect::<Result<_, _>>()?;
    let mut replace = Vec::new();
    let (scope, bytes) = check_enumerated(
        parts.get(1),
        "searchRequest scope",
        listed::<SearchRequestScope>,
        0,
    )?;
    if let Some(bytes) = bytes {
        patches.scope = Some(scope);
        replace.push((1, bytes));
    }
    let (deref, bytes) = check_enumerated(
        parts.get(2),
        "searchRequest derefAliases",
        listed::<SearchRequestDerefAliases>,
        0,
    )?;
    if let Some(bytes) = bytes {
        patches.deref = Some(deref);
        replace.push((2, bytes));
    }
    let filter = parts
        .get(6)
        .ok_or(LdapError::Truncated("searchRequest filter"))?;
    let mut cut = Vec::with_capacity(filter.raw.len());
    cut_filter(filter, 1, &mut cut)?;
    replace.push((6, cut));
    Ok(rebuild(op.tag, &parts, &replace))
}

/// Copies a filter, replacing every node deeper than [`MAX_FILTER_DEPTH`] by the placeholder.
fn cut_filter(filter: &Tlv<'_>, depth: usize, out: &mut Vec<u8>) -> Result<(), LdapError> {
    if depth > MAX_FILTER_DEPTH {
        out.extend_from_slice(&TOO_DEEP_PLACEHOLDER);
        return Ok(());
    }
    match filter.tag {
        // and, or: SET OF Filter; not: [2] Filter (explicit, one element).
        0xa0..=0xa2 => {
            let mut body = Vec::with_capacity(filter.body.len());
            for child in ber::children(filter.body) {
                cut_filter(&child?, depth.saturating_add(1), &mut body)?;
            }
            ber::write(out, filter.tag, &body);
        }
        _ => out.extend_from_slice(filter.raw),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
        let mut v = vec![tag];
        if body.len() < 0x80 {
            v.push(body.len() as u8);
        } else {
            v.push(0x82);
            v.extend_from_slice(&(body.len() as u16).to_be_bytes());
        }
        v.extend_from_slice(body);
        v
    }

    fn message(id: u8, op: &[u8]) -> Vec<u8> {
        tlv(0x30, &[&[0x02, 0x01, id][..], op].concat())
    }

    #[test]
    fn rasn_alone_accepts_windows_non_minimal_lengths() {
        // bindResponse success with every length in Windows' 4-byte form.
        let pdu = [
            0x30, 0x84, 0, 0, 0, 0x14, 0x02, 0x01, 0x01, 0x61, 0x84, 0, 0, 0, 0x0b, 0x0a, 0x01,
            0x00, 0x04, 0x84, 0, 0, 0, 0x00, 0x04, 0x00,
        ];
        let prepared = prepare(&pdu).unwrap();
        assert!(matches!(prepared.bytes, Cow::Borrowed(_)));
        assert!(rasn::ber::decode::<rasn_ldap::LdapMessage>(&pdu).is_ok());
    }

    #[test]
    fn rasn_alone_rejects_sicily_and_the_prepass_rewrites_it() {
        // bindRequest v3, name "", sicilyNegotiate [10] "NTLMSSP\0"
        let op = tlv(
            0x60,
            &[
                &[0x02, 0x01, 0x03, 0x04, 0x00][..],
                &tlv(0x8a, b"NTLMSSP\0"),
            ]
            .concat(),
        );
        let pdu = message(1, &op);
        assert!(rasn::ber::decode::<rasn_ldap::LdapMessage>(&pdu).is_err());
        let prepared = prepare(&pdu).unwrap();
        assert_eq!(prepared.patches.bind_auth, Some(BindAuth::SicilyNegotiate));
        assert_eq!(
            &prepared.bytes[..],
            &[
                0x30, 0x0c, 0x02, 0x01, 0x01, 0x60, 0x07, 0x02, 0x01, 0x03, 0x04, 0x00, 0x80, 0x00
            ]
        );
        assert!(rasn::ber::decode::<rasn_ldap::LdapMessage>(&prepared.bytes).is_ok());
    }

    #[test]
    fn rasn_alone_rejects_unlisted_result_codes() {
        // searchResDone resultCode 118 (canceled)
        let op = [0x65, 0x07, 0x0a, 0x01, 118, 0x04, 0x00, 0x04, 0x00];
        let pdu = message(2, &op);
        assert!(rasn::ber::decode::<rasn_ldap::LdapMessage>(&pdu).is_err());
        let prepared = prepare(&pdu).unwrap();
        assert_eq!(prepared.patches.result_code, Some(118));
        assert!(rasn::ber::decode::<rasn_ldap::LdapMessage>(&prepared.bytes).is_ok());
    }

    fn search_with(filter: &[u8]) -> Vec<u8> {
        let op = tlv(
            0x63,
            &[
                &[0x04, 0x00, 0x0a, 0x01, 0x00, 0x0a, 0x01, 0x00][..],
                &[0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x01, 0x01, 0x00],
                filter,
                &[0x30, 0x00],
            ]
            .concat(),
        );
        message(3, &op)
    }

    #[test]
    fn rasn_alone_rejects_a_64_deep_and_and_the_prepass_cuts_it() {
        let mut filter = vec![0x87, 0x02, b'c', b'n'];
        for _ in 0..64 {
            filter = tlv(0xa0, &filter);
        }
        let pdu = search_with(&filter);
        assert!(rasn::ber::decode::<rasn_ldap::LdapMessage>(&pdu).is_err());
        let prepared = prepare(&pdu).unwrap();
        assert!(rasn::ber::decode::<rasn_ldap::LdapMessage>(&prepared.bytes).is_ok());
        // 32 ANDs kept, then the placeholder.
        let mut expected = TOO_DEEP_PLACEHOLDER.to_vec();
        for _ in 0..MAX_FILTER_DEPTH {
            expected = tlv(0xa0, &expected);
        }
        assert_eq!(prepared.bytes, search_with(&expected));
    }

    #[test]
    fn unlisted_scope_and_deref_are_kept_aside() {
        let op = tlv(
            0x63,
            &[
                0x04, 0x00, 0x0a, 0x01, 0x07, 0x0a, 0x01, 0x09, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00,
                0x01, 0x01, 0x00, 0x87, 0x02, b'c', b'n', 0x30, 0x00,
            ],
        );
        let pdu = message(4, &op);
        let prepared = prepare(&pdu).unwrap();
        assert_eq!(
            (prepared.patches.scope, prepared.patches.deref),
            (Some(7), Some(9))
        );
        assert!(rasn::ber::decode::<rasn_ldap::LdapMessage>(&prepared.bytes).is_ok());
    }
}
