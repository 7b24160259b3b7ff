//! RFC 4757 rc4-hmac and rc4-hmac-exp (etypes 23 and 24): string-to-key is the NT hash,
//! MD4(UTF-16LE(password)); encryption is a 16-byte HMAC-MD5 checksum followed by RC4 of an
//! 8-byte confounder and the plaintext, with keys derived per (translated) key usage.

use zeroize::Zeroizing;

use super::KerberosError;
use crate::hashes::{constant_time_eq, hmac_md5, md4, md5, rc4, utf16le};

const CHECKSUM_LEN: usize = 16;
const CONFOUNDER_LEN: usize = 8;

/// RFC 3961 key usage → the number Windows' RC4 code uses. RFC 4757 section 3 lists the
/// quirks: the AS-REP encrypted part (3) is sealed as 8 (like the TGS-REP), and the GSS wrap
/// token signature usage 23 is 13. (RFC 4757's table also says 9 → 8; MIT's and Heimdal's
/// current code, which interoperate with Windows, keep 9, and so does this.)
pub(crate) fn windows_usage(usage: u32) -> u32 {
    match usage {
        3 => 8,
        23 => 13,
        other => other,
    }
}

/// The NT hash of `password`: MD4 over its UTF-16LE bytes.
pub(crate) fn string_to_key(password: &str) -> Zeroizing<Vec<u8>> {
    let unicode = Zeroizing::new(utf16le(password));
    Zeroizing::new(md4(&[&unicode]).to_vec())
}

/// (K1, K2) of RFC 4757's ENCRYPT: K2 keys the checksum, K1 keys the RC4 key K3.
fn usage_keys(key: &[u8], usage: u32, export: bool) -> ([u8; 16], [u8; 16]) {
    let salt = windows_usage(usage).to_le_bytes();
    let mut k1 = if export {
        hmac_md5(key, &[b"fortybits\0", &salt])
    } else {
        hmac_md5(key, &[&salt])
    };
    let k2 = k1;
    if export {
        // 40-bit export strength: all but the first 7 bytes of K1 are 0xAB.
        k1.iter_mut().skip(7).for_each(|b| *b = 0xab);
    }
    (k1, k2)
}

/// Encrypts `plaintext` for `usage` behind `confounder`.
pub(crate) fn encrypt(
    key: &[u8],
    usage: u32,
    export: bool,
    confounder: &[u8; CONFOUNDER_LEN],
    plaintext: &[u8],
) -> Vec<u8> {
    let (k1, k2) = usage_keys(key, usage, export);
    let mut inner = Zeroizing::new(confounder.to_vec());
    inner.extend_from_slice(plaintext);
    let checksum = hmac_md5(&k2, &[&inner]);
    let k3 = hmac_md5(&k1, &[&checksum]);
    let mut out = checksum.to_vec();
    out.extend(rc4(&k3, &inner));
    out
}

/// Decrypts `ciphertext` for `usage`, checking the HMAC-MD5: a wrong key or usage fails
/// with [`KerberosError::IntegrityCheckFailed`].
pub(crate) fn decrypt(
    key: &[u8],
    usage: u32,
    export: bool,
    ciphertext: &[u8],
) -> Result<Vec<u8>, KerberosError> {
    let minimum = CHECKSUM_LEN.saturating_add(CONFOUNDER_LEN);
    let (checksum, encrypted) = ciphertext
        .split_at_checked(CHECKSUM_LEN)
        .filter(|_| ciphertext.len() >= minimum)
        .ok_or(KerberosError::CiphertextTooShort {
            minimum,
            actual: ciphertext.len(),
        })?;
    let (k1, k2) = usage_keys(key, usage, export);
    let k3 = hmac_md5(&k1, &[checksum]);
    let inner = Zeroizing::new(rc4(&k3, encrypted));
    if !constant_time_eq(&hmac_md5(&k2, &[&inner]), checksum) {
        return Err(KerberosError::IntegrityCheckFailed);
    }
    Ok(inner.get(CONFOUNDER_LEN..).unwrap_or_default().to_vec())
}

/// The hmac-md5 keyed checksum (RFC 4757 section 4, checksum type -138) of `data` for `usage`.
pub(crate) fn checksum(key: &[u8], usage: u32, data: &[u8]) -> Vec<u8> {
    let signing_key = hmac_md5(key, &[b"signaturekey\0"]);
    let digest = md5(&[&windows_usage(usage).to_le_bytes(), data]);
    hmac_md5(&signing_key, &[&digest]).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_hex::hex;

    #[test]
    fn string_to_key_is_the_nt_hash() {
        assert_eq!(
            *string_to_key("password"),
            hex("8846f7eaee8fb117ad06bdd830b7586c")
        );
        // MS-NLMP 4.2.4.1.1 quotes MD4(UNICODE("Password")).
        assert_eq!(
            *string_to_key("Password"),
            hex("a4f49c406510bdcab6824ee7c30fd852")
        );
    }

    /// Known ciphertexts from MIT krb5's lib/crypto/crypto_tests/t_decrypt.c.
    #[test]
    fn mit_t_decrypt_known_ciphertexts() {
        let cases: &[(bool, &[u8], u32, &str, &str)] = &[
            (
                false,
                b"13 bytes byte",
                3, // the usage that RC4 seals as 8
                "4BA2FBF0379FAED87A254D3B353D5A7E",
                "612C57568B17A70352BAE8CF26FB9459A6F3353CD35FD439DB3107CBEC765D326DFC04C1DD",
            ),
            (
                false,
                b"30 bytes bytes bytes bytes byt",
                4,
                "68F263DB3FCE15D031C9EAB02D67107A",
                "95F9047C3AD75891C2E9B04B16566DC8B6EB9CE4231AFB2542EF87A7B5A0F260\
                 A99F0460508DE0CECC632D07C354124E46C5D2234EB8",
            ),
            (
                true,
                b"9 bytesss",
                2,
                "33AD7FC2678615569B2B09836E0A3AB6",
                "09D136AC485D92644EC6701D6A0D03E8982D7A3CA7EFD0F8F4F83660EF4277BB81",
            ),
        ];
        for (export, plaintext, usage, key, ciphertext) in cases {
            let key = hex(key);
            let ciphertext = hex(ciphertext);
            assert_eq!(
                decrypt(&key, *usage, *export, &ciphertext).unwrap(),
                *plaintext
            );
            // The same 8-byte confounder gives the same bytes back.
            let inner = rc4(
                &hmac_md5(&usage_keys(&key, *usage, *export).0, &[&ciphertext[..16]]),
                &ciphertext[16..],
            );
            let confounder: [u8; 8] = inner[..8].try_into().unwrap();
            assert_eq!(
                encrypt(&key, *usage, *export, &confounder, plaintext),
                ciphertext
            );
        }
    }

    #[test]
    fn wrong_key_or_usage_fails_the_integrity_check() {
        let key = string_to_key("password");
        let other = string_to_key("passw0rd");
        let ciphertext = encrypt(&key, 11, false, &[1; 8], b"an authenticator");
        assert_eq!(
            decrypt(&key, 11, false, &ciphertext).unwrap(),
            b"an authenticator"
        );
        assert_eq!(
            decrypt(&other, 11, false, &ciphertext),
            Err(KerberosError::IntegrityCheckFailed)
        );
        assert_eq!(
            decrypt(&key, 12, false, &ciphertext),
            Err(KerberosError::IntegrityCheckFailed)
        );
        assert_eq!(
            decrypt(&key, 11, true, &ciphertext),
            Err(KerberosError::IntegrityCheckFailed)
        );
        assert!(matches!(
            decrypt(&key, 11, false, &[0; 23]),
            Err(KerberosError::CiphertextTooShort { .. })
        ));
    }

    #[test]
    fn usage_three_is_sealed_as_eight() {
        let key = string_to_key("password");
        let as_rep = encrypt(&key, 3, false, &[9; 8], b"EncASRepPart");
        assert_eq!(decrypt(&key, 8, false, &as_rep).unwrap(), b"EncASRepPart");
        assert_eq!(windows_usage(23), 13);
        assert_eq!(windows_usage(9), 9);
    }
}
