//! RFC 4121 section 4.2.6.2 wrap tokens (TOK_ID 05 04), which Windows and MIT use for GSS
//! sign and seal with AES keys: a 16-byte header (flags, EC, RRC, 64-bit sequence number),
//! then either `encrypt(data | EC filler bytes | header)` (sealed) or `data | checksum`
//! (signed only), the whole body rotated right by RRC bytes.

use super::usage::{ACCEPTOR_SEAL, ACCEPTOR_SIGN, INITIATOR_SEAL, INITIATOR_SIGN};
use super::{KerberosError, Key, Sender, Unwrapped, checksum, decrypt, encrypt};
use crate::hashes::constant_time_eq;

const TOK_ID: [u8; 2] = [0x05, 0x04];
const HEADER_LEN: usize = 16;
const FLAG_SENT_BY_ACCEPTOR: u8 = 0x01;
const FLAG_SEALED: u8 = 0x02;
const FLAG_ACCEPTOR_SUBKEY: u8 = 0x04;
/// Filler bytes [`wrap_cfx`] puts before the header copy of a sealed token.
const SEAL_FILLER: u16 = 3;

/// Unwraps an RFC 4121 wrap token that `sender` sent, with the context key: the acceptor's
/// subkey when the token's AcceptorSubkey flag is set (the AP-REP subkey), else the
/// initiator's subkey from the authenticator (or the ticket session key without one).
///
/// Sealed tokens are decrypted with key usage 24 (initiator) or 22 (acceptor) and their
/// embedded header copy is checked; signed-only tokens have their checksum verified with
/// usage 25 or 23. Returns the data and whether it was sealed.
pub fn unwrap_cfx(key: &Key, sender: Sender, token: &[u8]) -> Result<Unwrapped, KerberosError> {
    let (header, body) = token
        .split_first_chunk::<HEADER_LEN>()
        .ok_or(KerberosError::BadToken(
            "wrap token shorter than its 16-byte header",
        ))?;
    let [t0, t1, flags, filler, ec0, ec1, rrc0, rrc1, seq @ ..] = *header;
    if [t0, t1] != TOK_ID {
        return Err(KerberosError::BadToken(
            "not an RFC 4121 wrap token (TOK_ID is not 05 04)",
        ));
    }
    if filler != 0xff {
        return Err(KerberosError::BadToken("wrap token filler byte is not FF"));
    }
    let actual = if flags & FLAG_SENT_BY_ACCEPTOR != 0 {
        Sender::Acceptor
    } else {
        Sender::Initiator
    };
    if actual != sender {
        return Err(KerberosError::WrongDirection {
            expected: sender.name(),
            actual: actual.name(),
        });
    }
    let extra_count = usize::from(u16::from_be_bytes([ec0, ec1]));
    let rotation = usize::from(u16::from_be_bytes([rrc0, rrc1]));
    let sequence_number = u64::from_be_bytes(seq);

    let mut body = body.to_vec();
    if let Some(shift) = rotation.checked_rem(body.len()) {
        body.rotate_left(shift);
    }
    let sealed = flags & FLAG_SEALED != 0;
    let plaintext = if sealed {
        let usage = match sender {
            Sender::Initiator => INITIATOR_SEAL,
            Sender::Acceptor => ACCEPTOR_SEAL,
        };
        let mut decrypted = decrypt(key, usage, &body)?;
        let trailer_len = extra_count.saturating_add(HEADER_LEN);
        let data_len = decrypted
            .len()
            .checked_sub(trailer_len)
            .ok_or(KerberosError::BadToken(
                "sealed wrap token shorter than its EC and header",
            ))?;
        let mut expected_header = *header;
        // The encrypted copy of the header has RRC zero.
        expected_header[6..8].copy_from_slice(&[0, 0]);
        if decrypted.get(data_len.saturating_add(extra_count)..) != Some(&expected_header[..]) {
            return Err(KerberosError::BadToken(
                "encrypted header copy differs from the token header",
            ));
        }
        decrypted.truncate(data_len);
        decrypted
    } else {
        let usage = match sender {
            Sender::Initiator => INITIATOR_SIGN,
            Sender::Acceptor => ACCEPTOR_SIGN,
        };
        // In a signed-only token EC is the checksum length.
        let data_len = body
            .len()
            .checked_sub(extra_count)
            .ok_or(KerberosError::BadToken(
                "signed wrap token shorter than its checksum",
            ))?;
        let (data, mac) = body.split_at(data_len);
        let mut signed = data.to_vec();
        let mut zeroed_header = *header;
        zeroed_header[4..8].copy_from_slice(&[0, 0, 0, 0]);
        signed.extend_from_slice(&zeroed_header);
        if !constant_time_eq(&checksum(key, usage, &signed)?, mac) {
            return Err(KerberosError::IntegrityCheckFailed);
        }
        data.to_vec()
    };
    Ok(Unwrapped {
        plaintext,
        sealed,
        sequence_number,
    })
}

/// How [`wrap_cfx`] builds a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WrapSpec {
    /// Who sends it (sets SentByAcceptor and the key usage).
    pub sender: Sender,
    /// Sealed (encrypted) or signed only.
    pub sealed: bool,
    /// Whether to set the AcceptorSubkey flag (the caller passes that subkey as the key).
    pub acceptor_subkey: bool,
    /// Bytes to rotate the body right by (Windows uses 28 for AES in DCE RPC, 0 in LDAP).
    pub rrc: u16,
    /// The sender's sequence number.
    pub sequence_number: u64,
}

/// Builds an RFC 4121 wrap token of `data` (the inverse of [`unwrap_cfx`]; sealed tokens get
/// 3 filler bytes and `confounder`). capdiag never sends: this builds test captures.
pub fn wrap_cfx(
    key: &Key,
    spec: &WrapSpec,
    confounder: &[u8; 16],
    data: &[u8],
) -> Result<Vec<u8>, KerberosError> {
    let mut flags = if spec.sender == Sender::Acceptor {
        FLAG_SENT_BY_ACCEPTOR
    } else {
        0
    };
    if spec.sealed {
        flags |= FLAG_SEALED;
    }
    if spec.acceptor_subkey {
        flags |= FLAG_ACCEPTOR_SUBKEY;
    }
    let [s0, s1, s2, s3, s4, s5, s6, s7] = spec.sequence_number.to_be_bytes();
    let header = |extra_count: u16, rrc: u16| {
        let [e0, e1] = extra_count.to_be_bytes();
        let [r0, r1] = rrc.to_be_bytes();
        [
            0x05, 0x04, flags, 0xff, e0, e1, r0, r1, s0, s1, s2, s3, s4, s5, s6, s7,
        ]
    };
    let (extra_count, mut body) = if spec.sealed {
        let usage = if spec.sender == Sender::Acceptor {
            ACCEPTOR_SEAL
        } else {
            INITIATOR_SEAL
        };
        let mut inner = data.to_vec();
        inner.extend(std::iter::repeat_n(0xff, usize::from(SEAL_FILLER)));
        inner.extend_from_slice(&header(SEAL_FILLER, 0));
        (SEAL_FILLER, encrypt(key, usage, confounder, &inner)?)
    } else {
        let usage = if spec.sender == Sender::Acceptor {
            ACCEPTOR_SIGN
        } else {
            INITIATOR_SIGN
        };
        let mut signed = data.to_vec();
        signed.extend_from_slice(&header(0, 0));
        let mac = checksum(key, usage, &signed)?;
        let mac_len = u16::try_from(mac.len()).unwrap_or(0);
        let mut body = data.to_vec();
        body.extend(mac);
        (mac_len, body)
    };
    if let Some(shift) = usize::from(spec.rrc).checked_rem(body.len()) {
        body.rotate_right(shift);
    }
    let mut token = header(extra_count, spec.rrc).to_vec();
    token.extend(body);
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kerberos::{Etype, string_to_key};

    fn wrap(key: &Key, sender: Sender, sealed: bool, rrc: u16, seq: u64, data: &[u8]) -> Vec<u8> {
        let spec = WrapSpec {
            sender,
            sealed,
            acceptor_subkey: false,
            rrc,
            sequence_number: seq,
        };
        wrap_cfx(key, &spec, &[0x5a; 16], data).unwrap()
    }

    fn aes_key() -> Key {
        string_to_key(
            Etype::Aes256CtsHmacSha1,
            "session",
            b"salt",
            Some(&[0, 0, 0, 1]),
        )
        .unwrap()
    }

    #[test]
    fn sealed_and_signed_tokens_unwrap_in_both_directions_with_rotation() {
        let key = aes_key();
        let ldap = b"0\x0c\x02\x01\x01`\x07\x02\x01\x03\x04\x00\x80\x00";
        for sender in [Sender::Initiator, Sender::Acceptor] {
            for sealed in [true, false] {
                for rrc in [0u16, 12, 28, 1000] {
                    let token = wrap(&key, sender, sealed, rrc, 7, ldap);
                    let unwrapped = unwrap_cfx(&key, sender, &token).unwrap();
                    assert_eq!(unwrapped.plaintext, ldap);
                    assert_eq!(unwrapped.sealed, sealed);
                    assert_eq!(unwrapped.sequence_number, 7);
                }
            }
        }
    }

    #[test]
    fn wrong_key_direction_or_tampering_is_an_error() {
        let key = aes_key();
        let other = string_to_key(
            Etype::Aes256CtsHmacSha1,
            "other",
            b"salt",
            Some(&[0, 0, 0, 1]),
        )
        .unwrap();
        let sealed = wrap(&key, Sender::Initiator, true, 28, 1, b"hello");
        assert_eq!(
            unwrap_cfx(&other, Sender::Initiator, &sealed),
            Err(KerberosError::IntegrityCheckFailed)
        );
        assert!(matches!(
            unwrap_cfx(&key, Sender::Acceptor, &sealed),
            Err(KerberosError::WrongDirection {
                expected: "acceptor",
                actual: "initiator"
            })
        ));
        let mut signed = wrap(&key, Sender::Acceptor, false, 0, 1, b"hello");
        *signed.get_mut(16).unwrap() ^= 1;
        assert_eq!(
            unwrap_cfx(&key, Sender::Acceptor, &signed),
            Err(KerberosError::IntegrityCheckFailed)
        );
        assert!(matches!(
            unwrap_cfx(&key, Sender::Acceptor, &[5, 4, 0]),
            Err(KerberosError::BadToken(_))
        ));
        assert!(matches!(
            unwrap_cfx(
                &key,
                Sender::Initiator,
                &[4, 4, 0, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
            ),
            Err(KerberosError::BadToken(_))
        ));
    }

    #[test]
    fn rc4_keys_work_in_cfx_tokens_too() {
        let key = string_to_key(Etype::Rc4Hmac, "session", b"", None).unwrap();
        for sealed in [true, false] {
            let token = wrap(&key, Sender::Initiator, sealed, 0, 3, b"data");
            assert_eq!(
                unwrap_cfx(&key, Sender::Initiator, &token)
                    .unwrap()
                    .plaintext,
                b"data"
            );
        }
    }
}
