//! RFC 4757 section 7.3 (and MS-KILE 3.4.5.4) GSS wrap tokens for RC4-HMAC keys: the RFC 1964
//! token shape (TOK_ID 02 01, SGN_ALG 11 00 for HMAC-MD5, SEAL_ALG 10 00 for RC4 or FF FF for
//! none), with the sequence number encrypted under Kseq (derived from the checksum) and the
//! confounder and data under Kcrypt (derived from the sequence number), usually inside the
//! `60 .. 06 09 2a 86 48 86 f7 12 01 02 02` GSS framing.

use super::{Etype, KerberosError, Key, Sender, Unwrapped};
use crate::hashes::{Rc4Stream, constant_time_eq, hmac_md5, md5};

/// DER of the Kerberos V5 GSS mechanism OID 1.2.840.113554.1.2.2.
const KRB5_OID: [u8; 11] = [
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02,
];
const TOK_ID: [u8; 2] = [0x02, 0x01];
const SGN_ALG_HMAC: [u8; 2] = [0x11, 0x00];
const SEAL_ALG_RC4: [u8; 2] = [0x10, 0x00];
const SEAL_ALG_NONE: [u8; 2] = [0xff, 0xff];
/// The RC4 usage number of wrap-token checksums (RFC 4757 section 7.3).
const WRAP_SIGNATURE_USAGE: u32 = 13;
/// TOK_ID through filler, SND_SEQ, SGN_CKSUM, confounder.
const FIXED_LEN: usize = 32;

/// Unwraps an RFC 4757 RC4-HMAC wrap token that `sender` sent, with the context key (the
/// authenticator or AP-REP subkey, else the ticket session key; etype 23). The token may
/// carry the GSS framing or start at TOK_ID. Trailing RFC 1964 padding (n bytes of value n)
/// is removed. The checksum is verified; a wrong key fails it.
pub fn unwrap_rc4(key: &Key, sender: Sender, token: &[u8]) -> Result<Unwrapped, KerberosError> {
    if key.etype() != Etype::Rc4Hmac {
        return Err(KerberosError::UnsupportedEtype(key.etype().number()));
    }
    let inner = strip_gss_framing(token)?;
    let (fixed, data) = inner
        .split_first_chunk::<FIXED_LEN>()
        .ok_or(KerberosError::BadToken(
            "RC4 wrap token shorter than 32 bytes",
        ))?;
    let (header, rest) = fixed.split_first_chunk::<8>().unwrap_or((&[0; 8], &[]));
    let [t0, t1, s0, s1, e0, e1, f0, f1] = *header;
    if [t0, t1] != TOK_ID {
        return Err(KerberosError::BadToken(
            "not an RC4 wrap token (TOK_ID is not 02 01)",
        ));
    }
    if [s0, s1] != SGN_ALG_HMAC || [f0, f1] != [0xff, 0xff] {
        return Err(KerberosError::BadToken(
            "RC4 wrap token SGN_ALG is not HMAC-MD5 (11 00)",
        ));
    }
    let sealed = match [e0, e1] {
        SEAL_ALG_RC4 => true,
        SEAL_ALG_NONE => false,
        _ => {
            return Err(KerberosError::BadToken(
                "RC4 wrap token SEAL_ALG is neither 10 00 nor FF FF",
            ));
        }
    };
    let (encrypted_seq, rest) = rest.split_at_checked(8).unwrap_or((&[], &[]));
    let (signature, confounder) = rest.split_at_checked(8).unwrap_or((&[], &[]));

    let kss = key.bytes();
    let kseq = hmac_md5(&hmac_md5(kss, &[&[0u8; 4]]), &[signature]);
    let mut seq = encrypted_seq.to_vec();
    apply_rc4(&kseq, &mut [&mut seq]);
    let (seq_number, direction) = seq.split_at_checked(4).unwrap_or((&[], &[]));
    let actual = match direction {
        [0, 0, 0, 0] => Sender::Initiator,
        [0xff, 0xff, 0xff, 0xff] => Sender::Acceptor,
        _ => return Err(KerberosError::IntegrityCheckFailed),
    };
    if actual != sender {
        return Err(KerberosError::WrongDirection {
            expected: sender.name(),
            actual: actual.name(),
        });
    }

    let mut confounder = confounder.to_vec();
    let mut plaintext = data.to_vec();
    if sealed {
        let klocal: Vec<u8> = kss.iter().map(|b| b ^ 0xf0).collect();
        let kcrypt = hmac_md5(&hmac_md5(&klocal, &[&[0u8; 4]]), &[seq_number]);
        apply_rc4(&kcrypt, &mut [&mut confounder, &mut plaintext]);
    }
    let signing_key = hmac_md5(kss, &[b"signaturekey\0"]);
    let digest = md5(&[
        &WRAP_SIGNATURE_USAGE.to_le_bytes(),
        header,
        &confounder,
        &plaintext,
    ]);
    let expected = hmac_md5(&signing_key, &[&digest]);
    if !constant_time_eq(expected.get(..8).unwrap_or_default(), signature) {
        return Err(KerberosError::IntegrityCheckFailed);
    }
    strip_padding(&mut plaintext);
    let sequence_number = seq_number.try_into().map(u32::from_be_bytes).unwrap_or(0);
    Ok(Unwrapped {
        plaintext,
        sealed,
        sequence_number: u64::from(sequence_number),
    })
}

/// One RC4 stream over `parts` in order.
fn apply_rc4(key: &[u8], parts: &mut [&mut Vec<u8>]) {
    if let Some(mut stream) = Rc4Stream::new(key) {
        parts.iter_mut().for_each(|part| stream.apply(part));
    }
}

/// The token inside `60 len 06 09 <krb5 oid>`, or the token itself when it starts at TOK_ID.
fn strip_gss_framing(token: &[u8]) -> Result<&[u8], KerberosError> {
    let Some((&0x60, rest)) = token.split_first() else {
        return Ok(token);
    };
    let bad = KerberosError::BadToken("GSS framing of the RC4 wrap token is malformed");
    let (&first, rest) = rest.split_first().ok_or(bad.clone())?;
    // DER length: short form, or 0x81..0x84 followed by that many bytes; the content may
    // run past the length (Windows counts only the header in some tokens), so it only skips.
    let rest = match first {
        0..=0x7f => rest,
        0x81..=0x84 => rest.get(usize::from(first & 0x7f)..).ok_or(bad.clone())?,
        _ => return Err(bad),
    };
    rest.strip_prefix(&KRB5_OID[..]).ok_or(bad)
}

/// Removes RFC 1964 padding: a last byte n in 1..=8 with the n last bytes all equal to n.
fn strip_padding(plaintext: &mut Vec<u8>) {
    let Some(&pad) = plaintext.last() else {
        return;
    };
    let pad_len = usize::from(pad);
    if (1..=8).contains(&pad_len)
        && plaintext.len() >= pad_len
        && plaintext.iter().rev().take(pad_len).all(|b| *b == pad)
    {
        plaintext.truncate(plaintext.len().saturating_sub(pad_len));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kerberos::string_to_key;

    /// The forward direction of RFC 4757 section 7.3, for building test tokens.
    fn wrap(
        key: &Key,
        sender: Sender,
        sealed: bool,
        seq: u32,
        data: &[u8],
        framed: bool,
    ) -> Vec<u8> {
        let kss = key.bytes();
        let header = [
            0x02,
            0x01,
            0x11,
            0x00,
            if sealed { 0x10 } else { 0xff },
            if sealed { 0x00 } else { 0xff },
            0xff,
            0xff,
        ];
        let mut padded = data.to_vec();
        padded.push(1);
        let confounder = [0x77u8; 8];
        let signing_key = hmac_md5(kss, &[b"signaturekey\0"]);
        let digest = md5(&[&13u32.to_le_bytes(), &header, &confounder, &padded]);
        let signature = hmac_md5(&signing_key, &[&digest])[..8].to_vec();
        let mut seq_bytes = seq.to_be_bytes().to_vec();
        seq_bytes.extend(if sender == Sender::Initiator {
            [0; 4]
        } else {
            [0xff; 4]
        });
        let mut encrypted_confounder = confounder.to_vec();
        if sealed {
            let klocal: Vec<u8> = kss.iter().map(|b| b ^ 0xf0).collect();
            let kcrypt = hmac_md5(&hmac_md5(&klocal, &[&[0u8; 4]]), &[&seq.to_be_bytes()]);
            apply_rc4(&kcrypt, &mut [&mut encrypted_confounder, &mut padded]);
        }
        let kseq = hmac_md5(&hmac_md5(kss, &[&[0u8; 4]]), &[&signature]);
        apply_rc4(&kseq, &mut [&mut seq_bytes]);
        let mut token = header.to_vec();
        token.extend(seq_bytes);
        token.extend(signature);
        token.extend(encrypted_confounder);
        token.extend(padded);
        if framed {
            let mut framed_token = vec![0x60, (KRB5_OID.len() + token.len()) as u8];
            framed_token.extend(KRB5_OID);
            framed_token.extend(token);
            framed_token
        } else {
            token
        }
    }

    fn rc4_key(password: &str) -> Key {
        string_to_key(Etype::Rc4Hmac, password, b"", None).unwrap()
    }

    #[test]
    fn sealed_and_signed_tokens_unwrap_with_and_without_framing() {
        let key = rc4_key("session");
        for sender in [Sender::Initiator, Sender::Acceptor] {
            for sealed in [true, false] {
                for framed in [true, false] {
                    let token = wrap(&key, sender, sealed, 41, b"0\x05\x02\x01\x02B\x00", framed);
                    let unwrapped = unwrap_rc4(&key, sender, &token).unwrap();
                    assert_eq!(unwrapped.plaintext, b"0\x05\x02\x01\x02B\x00");
                    assert_eq!(unwrapped.sealed, sealed);
                    assert_eq!(unwrapped.sequence_number, 41);
                }
            }
        }
    }

    #[test]
    fn wrong_key_direction_or_shape_is_an_error() {
        let key = rc4_key("session");
        let token = wrap(&key, Sender::Acceptor, true, 1, b"secret ldap", true);
        assert!(unwrap_rc4(&rc4_key("other"), Sender::Acceptor, &token).is_err());
        assert!(matches!(
            unwrap_rc4(&key, Sender::Initiator, &token),
            Err(KerberosError::WrongDirection {
                expected: "initiator",
                actual: "acceptor"
            })
        ));
        let mut tampered = token.clone();
        *tampered.last_mut().unwrap() ^= 0x40;
        assert_eq!(
            unwrap_rc4(&key, Sender::Acceptor, &tampered),
            Err(KerberosError::IntegrityCheckFailed)
        );
        assert!(matches!(
            unwrap_rc4(&key, Sender::Acceptor, &token[..30]),
            Err(KerberosError::BadToken(_))
        ));
        let aes = string_to_key(Etype::Aes128CtsHmacSha1, "x", b"y", Some(&[0, 0, 0, 1])).unwrap();
        assert_eq!(
            unwrap_rc4(&aes, Sender::Acceptor, &token),
            Err(KerberosError::UnsupportedEtype(17))
        );
    }
}
