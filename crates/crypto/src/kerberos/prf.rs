//! The RFC 3961 pseudo-random function of each type and RFC 6113 KRB-FX-CF2, which FAST
//! (Kerberos armoring, used by MIT and Samba clients for every TGS-REQ) combines keys with:
//! the armor key from the TGS-REQ subkey and the TGT session key, the reply key from the
//! subkey and the KDC's strengthen-key.

use sha1::{Digest, Sha1};
use zeroize::Zeroizing;

use super::cts::{AesCipher, BLOCK};
use super::derive::derive_key;
use super::{Etype, KerberosError, Key};
use crate::hashes::hmac_sha1;

/// PRF(key, input): RFC 3962 section 6 for AES (AES of the first block of SHA-1(input) under
/// DK(key, "prf"), 16 bytes); HMAC-SHA1(key, input) for RC4 (20 bytes, as MIT and Heimdal).
pub fn prf(key: &Key, input: &[u8]) -> Result<Vec<u8>, KerberosError> {
    match key.etype() {
        Etype::Aes128CtsHmacSha1 | Etype::Aes256CtsHmacSha1 => {
            let digest: [u8; 20] = Sha1::digest(input).into();
            let mut block = [0u8; BLOCK];
            block.iter_mut().zip(digest).for_each(|(b, d)| *b = d);
            let prf_key = derive_key(key.bytes(), b"prf")?;
            Ok(AesCipher::new(&prf_key)?.encrypt_block(block).to_vec())
        }
        Etype::Rc4Hmac | Etype::Rc4HmacExp => Ok(hmac_sha1(key.bytes(), &[input]).to_vec()),
    }
}

/// PRF+(key, pepper) = PRF(key, 1 | pepper) | PRF(key, 2 | pepper) | ..., cut to `len`.
fn prf_plus(key: &Key, pepper: &[u8], len: usize) -> Result<Zeroizing<Vec<u8>>, KerberosError> {
    let mut out = Zeroizing::new(Vec::with_capacity(len));
    for counter in 1u8..=u8::MAX {
        if out.len() >= len {
            break;
        }
        let input = [&[counter][..], pepper].concat();
        out.extend(prf(key, &input)?);
    }
    out.truncate(len);
    Ok(out)
}

/// KRB-FX-CF2(key1, key2, pepper1, pepper2): PRF+(key1, pepper1) XOR PRF+(key2, pepper2),
/// a key of key1's type (random-to-key is the identity for AES and RC4).
pub fn cf2(key1: &Key, key2: &Key, pepper1: &[u8], pepper2: &[u8]) -> Result<Key, KerberosError> {
    let len = key1.etype().key_len();
    let mut combined = prf_plus(key1, pepper1, len)?;
    let other = prf_plus(key2, pepper2, len)?;
    combined
        .iter_mut()
        .zip(other.iter())
        .for_each(|(c, o)| *c ^= o);
    Key::new(key1.etype(), &combined)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kerberos::string_to_key;
    use crate::test_hex::hex;

    fn key(etype: Etype, password: &str) -> Key {
        string_to_key(etype, password, password.as_bytes(), None).unwrap()
    }

    /// MIT krb5's lib/crypto/crypto_tests t_prf and t_cf2 vectors (key1/key2 are
    /// string-to-key of "key1"/"key2" salted with themselves, peppers "a" and "b").
    #[test]
    fn mit_prf_and_cf2_vectors() {
        assert_eq!(
            prf(&key(Etype::Aes128CtsHmacSha1, "key1"), &[0x01, 0x61]).unwrap(),
            hex("77B39A37A868920F2A51F9DD150C5717")
        );
        assert_eq!(
            prf(&key(Etype::Aes256CtsHmacSha1, "key2"), &[0x02, 0x62]).unwrap(),
            hex("0D674DD0F9A6806525A4D92E828BD15A")
        );
        let cases = [
            (Etype::Aes128CtsHmacSha1, "97df97e4b798b29eb31ed7280287a92a"),
            (
                Etype::Aes256CtsHmacSha1,
                "4d6ca4e629785c1f01baf55e2e548566b9617ae3a96868c337cb93b5e72b1c7b",
            ),
            (Etype::Rc4Hmac, "24d7f6b6bae4e5c00d2082c5ebab3672"),
        ];
        for (etype, expected) in cases {
            let combined = cf2(&key(etype, "key1"), &key(etype, "key2"), b"a", b"b").unwrap();
            assert_eq!(combined.bytes(), hex(expected), "{etype}");
        }
    }
}
