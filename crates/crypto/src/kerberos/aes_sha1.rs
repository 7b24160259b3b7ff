//! RFC 3962 aes128-cts-hmac-sha1-96 and aes256-cts-hmac-sha1-96 (etypes 17 and 18):
//! string-to-key with PBKDF2-HMAC-SHA1, and encryption as a 16-byte confounder plus plaintext
//! under CBC-CTS with Ke, followed by the first 12 bytes of HMAC-SHA1 with Ki.

use pbkdf2::pbkdf2_hmac;
use sha1::Sha1;
use zeroize::Zeroizing;

use super::KerberosError;
use super::cts::{self, AesCipher, BLOCK};
use super::derive::{UsageKey, derive_key, usage_key};
use crate::hashes::{constant_time_eq, hmac_sha1};

/// Bytes of HMAC-SHA1 kept as the checksum ("-96").
const MAC_LEN: usize = 12;
/// RFC 3962's iteration count when s2kparams are absent.
pub(crate) const DEFAULT_ITERATIONS: u32 = 4096;
/// The largest iteration count this crate computes: a capture's ETYPE-INFO2 may claim any
/// count, and 2^32 PBKDF2 rounds would stall the analysis.
const MAX_ITERATIONS: u32 = 1_000_000;

/// The PBKDF2 iteration count an RFC 3962 s2kparams value (4 bytes, big-endian) asks for.
pub(crate) fn iterations_from_s2kparams(params: Option<&[u8]>) -> Result<u32, KerberosError> {
    let Some(params) = params else {
        return Ok(DEFAULT_ITERATIONS);
    };
    let bytes: [u8; 4] = params
        .try_into()
        .map_err(|_| KerberosError::S2kParamsLength(params.len()))?;
    // RFC 3962: a count of 0 means 2^32.
    match u32::from_be_bytes(bytes) {
        0 => Err(KerberosError::IterationCount(1 << 32)),
        count => Ok(count),
    }
}

/// tkey = PBKDF2-HMAC-SHA1(password, salt, iterations, key_len); key = DK(tkey, "kerberos").
pub(crate) fn string_to_key(
    password: &[u8],
    salt: &[u8],
    iterations: u32,
    key_len: usize,
) -> Result<Zeroizing<Vec<u8>>, KerberosError> {
    if iterations == 0 || iterations > MAX_ITERATIONS {
        return Err(KerberosError::IterationCount(u64::from(iterations)));
    }
    let mut tkey = Zeroizing::new(vec![0u8; key_len]);
    pbkdf2_hmac::<Sha1>(password, salt, iterations, &mut tkey);
    derive_key(&tkey, b"kerberos")
}

/// Encrypts `plaintext` with `base_key` for `usage` behind `confounder` (16 random bytes).
pub(crate) fn encrypt(
    base_key: &[u8],
    usage: u32,
    confounder: &[u8; BLOCK],
    plaintext: &[u8],
) -> Result<Vec<u8>, KerberosError> {
    let ke = usage_key(base_key, usage, UsageKey::Encryption)?;
    let ki = usage_key(base_key, usage, UsageKey::Integrity)?;
    let mut inner = Zeroizing::new(Vec::with_capacity(BLOCK.saturating_add(plaintext.len())));
    inner.extend_from_slice(confounder);
    inner.extend_from_slice(plaintext);
    let mut out = cts::encrypt(&AesCipher::new(&ke)?, &inner)?;
    out.extend(hmac_sha1(&ki, &[&inner]).iter().take(MAC_LEN));
    Ok(out)
}

/// Decrypts `ciphertext` with `base_key` for `usage`, checking the HMAC: a wrong key or usage
/// fails with [`KerberosError::IntegrityCheckFailed`].
pub(crate) fn decrypt(
    base_key: &[u8],
    usage: u32,
    ciphertext: &[u8],
) -> Result<Vec<u8>, KerberosError> {
    let minimum = BLOCK.saturating_add(MAC_LEN);
    let too_short = KerberosError::CiphertextTooShort {
        minimum,
        actual: ciphertext.len(),
    };
    if ciphertext.len() < minimum {
        return Err(too_short);
    }
    let split = ciphertext.len().checked_sub(MAC_LEN).ok_or(too_short)?;
    let (encrypted, mac) = ciphertext.split_at(split);
    let ke = usage_key(base_key, usage, UsageKey::Encryption)?;
    let ki = usage_key(base_key, usage, UsageKey::Integrity)?;
    let inner = Zeroizing::new(cts::decrypt(&AesCipher::new(&ke)?, encrypted)?);
    let expected = hmac_sha1(&ki, &[&inner]);
    if !constant_time_eq(expected.get(..MAC_LEN).unwrap_or_default(), mac) {
        return Err(KerberosError::IntegrityCheckFailed);
    }
    Ok(inner.get(BLOCK..).unwrap_or_default().to_vec())
}

/// The hmac-sha1-96-aes checksum of `data` for `usage` (keyed with Kc).
pub(crate) fn checksum(base_key: &[u8], usage: u32, data: &[u8]) -> Result<Vec<u8>, KerberosError> {
    let kc = usage_key(base_key, usage, UsageKey::Checksum)?;
    Ok(hmac_sha1(&kc, &[data])
        .iter()
        .take(MAC_LEN)
        .copied()
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_hex::hex;

    struct Vector {
        iterations: u32,
        password: &'static [u8],
        salt: &'static [u8],
        aes128: &'static str,
        aes256: &'static str,
    }

    /// RFC 3962 appendix B, string-to-key for both key sizes.
    #[test]
    fn rfc3962_appendix_b_string_to_key() {
        let athena = b"ATHENA.MIT.EDUraeburn";
        let vectors = [
            Vector {
                iterations: 1,
                password: b"password",
                salt: athena,
                aes128: "42 26 3c 6e 89 f4 fc 28 b8 df 68 ee 09 79 9f 15",
                aes256: "fe 69 7b 52 bc 0d 3c e1 44 32 ba 03 6a 92 e6 5b
                         bb 52 28 09 90 a2 fa 27 88 39 98 d7 2a f3 01 61",
            },
            Vector {
                iterations: 2,
                password: b"password",
                salt: athena,
                aes128: "c6 51 bf 29 e2 30 0a c2 7f a4 69 d6 93 bd da 13",
                aes256: "a2 e1 6d 16 b3 60 69 c1 35 d5 e9 d2 e2 5f 89 61
                         02 68 56 18 b9 59 14 b4 67 c6 76 22 22 58 24 ff",
            },
            Vector {
                iterations: 1200,
                password: b"password",
                salt: athena,
                aes128: "4c 01 cd 46 d6 32 d0 1e 6d be 23 0a 01 ed 64 2a",
                aes256: "55 a6 ac 74 0a d1 7b 48 46 94 10 51 e1 e8 b0 a7
                         54 8d 93 b0 ab 30 a8 bc 3f f1 62 80 38 2b 8c 2a",
            },
            Vector {
                iterations: 5,
                password: b"password",
                salt: &[0x12, 0x34, 0x56, 0x78, 0x78, 0x56, 0x34, 0x12],
                aes128: "e9 b2 3d 52 27 37 47 dd 5c 35 cb 55 be 61 9d 8e",
                aes256: "97 a4 e7 86 be 20 d8 1a 38 2d 5e bc 96 d5 90 9c
                         ab cd ad c8 7c a4 8f 57 45 04 15 9f 16 c3 6e 31",
            },
            Vector {
                iterations: 1200,
                password: b"XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
                salt: b"pass phrase equals block size",
                aes128: "59 d1 bb 78 9a 82 8b 1a a5 4e f9 c2 88 3f 69 ed",
                aes256: "89 ad ee 36 08 db 8b c7 1f 1b fb fe 45 94 86 b0
                         56 18 b7 0c ba e2 20 92 53 4e 56 c5 53 ba 4b 34",
            },
            Vector {
                iterations: 1200,
                password: b"XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
                salt: b"pass phrase exceeds block size",
                aes128: "cb 80 05 dc 5f 90 17 9a 7f 02 10 4c 00 18 75 1d",
                aes256: "d7 8c 5c 9c b8 72 a8 c9 da d4 69 7f 0b b5 b2 d2
                         14 96 c8 2b eb 2c ae da 21 12 fc ee a0 57 40 1b",
            },
            Vector {
                iterations: 50,
                password: &[0xf0, 0x9d, 0x84, 0x9e],
                salt: b"EXAMPLE.COMpianist",
                aes128: "f1 49 c1 f2 e1 54 a7 34 52 d4 3e 7f e6 2a 56 e5",
                aes256: "4b 6d 98 39 f8 44 06 df 1f 09 cc 16 6d b4 b8 3c
                         57 18 48 b7 84 a3 d6 bd c3 46 58 9a 3e 39 3f 9e",
            },
        ];
        for v in &vectors {
            let aes128 = string_to_key(v.password, v.salt, v.iterations, 16).unwrap();
            assert_eq!(*aes128, hex(v.aes128), "aes128 {} iterations", v.iterations);
            let aes256 = string_to_key(v.password, v.salt, v.iterations, 32).unwrap();
            assert_eq!(*aes256, hex(v.aes256), "aes256 {} iterations", v.iterations);
        }
    }

    #[test]
    fn s2kparams_set_the_iteration_count() {
        assert_eq!(iterations_from_s2kparams(None), Ok(4096));
        assert_eq!(
            iterations_from_s2kparams(Some(&[0, 0, 0x04, 0xb0])),
            Ok(1200)
        );
        assert_eq!(
            iterations_from_s2kparams(Some(&[0, 1])),
            Err(KerberosError::S2kParamsLength(2))
        );
        assert!(iterations_from_s2kparams(Some(&[0, 0, 0, 0])).is_err());
        assert_eq!(
            string_to_key(b"p", b"s", 2_000_000, 16),
            Err(KerberosError::IterationCount(2_000_000))
        );
    }

    #[test]
    fn encrypt_then_decrypt_and_wrong_key_or_usage_fails() {
        let key = string_to_key(b"password", b"EXAMPLE.COMuser", 1, 32).unwrap();
        let other = string_to_key(b"Password", b"EXAMPLE.COMuser", 1, 32).unwrap();
        for len in [0usize, 1, 15, 16, 17, 40] {
            let plaintext: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let ciphertext = encrypt(&key, 11, &[0x42; 16], &plaintext).unwrap();
            assert_eq!(ciphertext.len(), len + 28);
            assert_eq!(
                decrypt(&key, 11, &ciphertext).unwrap(),
                plaintext,
                "{len} bytes"
            );
            assert_eq!(
                decrypt(&other, 11, &ciphertext),
                Err(KerberosError::IntegrityCheckFailed)
            );
            assert_eq!(
                decrypt(&key, 12, &ciphertext),
                Err(KerberosError::IntegrityCheckFailed)
            );
        }
        assert!(matches!(
            decrypt(&key, 11, &[0; 27]),
            Err(KerberosError::CiphertextTooShort { .. })
        ));
    }
}
