//! Kerberos decryption (RFC 3961 framework, RFC 3962 AES, RFC 4757 RC4-HMAC) and the GSS wrap
//! tokens that carry application data after a Kerberos bind (RFC 4121, and RFC 4757 section 7
//! for RC4 keys). Keys come from [`string_to_key`], a keytab, or an earlier decryption (the
//! session key in a ticket, the subkey in an authenticator or AP-REP).
//!
//! Every encrypt/decrypt call names its RFC 4120 key usage ([`usage`] lists the ones a capture
//! needs); a wrong key or usage fails the integrity check with
//! [`KerberosError::IntegrityCheckFailed`], never with garbage plaintext.

mod aes_sha1;
mod cts;
mod derive;
mod error;
mod gss_cfx;
mod gss_rc4;
mod key;
mod nfold;
mod prf;
mod rc4_hmac;
pub mod usage;

pub use error::KerberosError;
pub use gss_cfx::{WrapSpec, unwrap_cfx, wrap_cfx};
pub use gss_rc4::unwrap_rc4;
pub use key::{Etype, Key};
pub use prf::{cf2, prf};

/// Which side of a GSS security context sent a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sender {
    /// The client (initiator): for LDAP, the machine that bound.
    Initiator,
    /// The server (acceptor): for LDAP, the domain controller.
    Acceptor,
}

impl Sender {
    fn name(self) -> &'static str {
        match self {
            Self::Initiator => "initiator",
            Self::Acceptor => "acceptor",
        }
    }
}

/// Application data taken out of a GSS wrap token.
#[derive(Clone, PartialEq, Eq)]
pub struct Unwrapped {
    /// The application bytes (for LDAP, one LDAPMessage).
    pub plaintext: Vec<u8>,
    /// True when the token was sealed (encrypted), false when only signed.
    pub sealed: bool,
    /// The sender's sequence number.
    pub sequence_number: u64,
}

impl std::fmt::Debug for Unwrapped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Unwrapped")
            .field(
                "plaintext",
                &format_args!("<{} bytes>", self.plaintext.len()),
            )
            .field("sealed", &self.sealed)
            .field("sequence_number", &self.sequence_number)
            .finish()
    }
}

/// The key of `etype` for `password`.
///
/// `salt` is the principal's salt: for AES the ETYPE-INFO2 salt of the AS exchange, or by
/// default [`default_salt`] (the realm followed by the name components); RC4 ignores it.
/// `s2kparams` is the ETYPE-INFO2 s2kparams (AES: a 4-byte big-endian iteration count,
/// 4096 when absent).
pub fn string_to_key(
    etype: Etype,
    password: &str,
    salt: &[u8],
    s2kparams: Option<&[u8]>,
) -> Result<Key, KerberosError> {
    match etype {
        Etype::Aes128CtsHmacSha1 | Etype::Aes256CtsHmacSha1 => {
            let iterations = aes_sha1::iterations_from_s2kparams(s2kparams)?;
            let bytes =
                aes_sha1::string_to_key(password.as_bytes(), salt, iterations, etype.key_len())?;
            Key::new(etype, &bytes)
        }
        Etype::Rc4Hmac | Etype::Rc4HmacExp => Key::new(etype, &rc4_hmac::string_to_key(password)),
    }
}

/// The default salt of a principal (RFC 4120 section 4): the realm, then each name component,
/// with no separators: `user@EXAMPLE.COM` salts as `EXAMPLE.COMuser`. Active Directory salts
/// its accounts differently (`EXAMPLE.COMhostname.example.com` for machines); prefer the salt
/// the KDC sent in ETYPE-INFO2 when the capture has one.
pub fn default_salt(realm: &str, components: &[&str]) -> Vec<u8> {
    let mut salt = realm.as_bytes().to_vec();
    components
        .iter()
        .for_each(|c| salt.extend_from_slice(c.as_bytes()));
    salt
}

/// Decrypts an RFC 4120 `EncryptedData.cipher` with `key` for key `usage`
/// (see [`usage`]); errors when the key or the usage is wrong.
pub fn decrypt(key: &Key, usage: u32, ciphertext: &[u8]) -> Result<Vec<u8>, KerberosError> {
    match key.etype() {
        Etype::Aes128CtsHmacSha1 | Etype::Aes256CtsHmacSha1 => {
            aes_sha1::decrypt(key.bytes(), usage, ciphertext)
        }
        Etype::Rc4Hmac => rc4_hmac::decrypt(key.bytes(), usage, false, ciphertext),
        Etype::Rc4HmacExp => rc4_hmac::decrypt(key.bytes(), usage, true, ciphertext),
    }
}

/// Encrypts `plaintext` with `key` for `usage` behind `confounder` (its first 16 bytes for AES,
/// 8 for RC4; it must be random on a real wire). capdiag never sends: this builds test
/// captures and fixtures.
pub fn encrypt(
    key: &Key,
    usage: u32,
    confounder: &[u8; 16],
    plaintext: &[u8],
) -> Result<Vec<u8>, KerberosError> {
    let mut rc4_confounder = [0u8; 8];
    rc4_confounder
        .iter_mut()
        .zip(confounder)
        .for_each(|(r, c)| *r = *c);
    match key.etype() {
        Etype::Aes128CtsHmacSha1 | Etype::Aes256CtsHmacSha1 => {
            aes_sha1::encrypt(key.bytes(), usage, confounder, plaintext)
        }
        Etype::Rc4Hmac => Ok(rc4_hmac::encrypt(
            key.bytes(),
            usage,
            false,
            &rc4_confounder,
            plaintext,
        )),
        Etype::Rc4HmacExp => Ok(rc4_hmac::encrypt(
            key.bytes(),
            usage,
            true,
            &rc4_confounder,
            plaintext,
        )),
    }
}

/// The keyed checksum of `data` for `usage` with `key`'s type's mandatory checksum
/// (hmac-sha1-96-aes128/256, 12 bytes; hmac-md5 for RC4, 16 bytes).
pub fn checksum(key: &Key, usage: u32, data: &[u8]) -> Result<Vec<u8>, KerberosError> {
    match key.etype() {
        Etype::Aes128CtsHmacSha1 | Etype::Aes256CtsHmacSha1 => {
            aes_sha1::checksum(key.bytes(), usage, data)
        }
        Etype::Rc4Hmac | Etype::Rc4HmacExp => Ok(rc4_hmac::checksum(key.bytes(), usage, data)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_hex::hex;

    /// Known ciphertexts from MIT krb5's lib/crypto/crypto_tests/t_decrypt.c.
    #[test]
    fn mit_t_decrypt_known_aes_ciphertexts() {
        let cases: &[(Etype, &[u8], u32, &str, &str)] = &[
            (
                Etype::Aes128CtsHmacSha1,
                b"",
                0,
                "5A5C0F0BA54F3828B2195E66CA24A289",
                "49FF8E11C173D9583A3254FBE7B1F1DF36C538E8416784A1672E6676",
            ),
            (
                Etype::Aes128CtsHmacSha1,
                b"9 bytesss",
                2,
                "9062430C8CDA3388922E6D6A509F5B7A",
                "68FB9679601F45C78857B2BF820FD6E53ECA8D42FD4B1D7024A09205ABB7CD2EC26C355D2F",
            ),
            (
                Etype::Aes128CtsHmacSha1,
                b"30 bytes bytes bytes bytes byt",
                4,
                "DCEEB70B3DE76562E689226C76429148",
                "C96081032D5D8EEB7E32B4089F789D0FAA481DEA74C0F97CBF3146DDFCF8E800\
                 156ECB532FC203E30FF600B63B350939FECE510F02D7FF1E7BAC",
            ),
            (
                Etype::Aes256CtsHmacSha1,
                b"1",
                1,
                "B9477E1FF0329C0050E20CE6C72D2DFF27E8FE541AB0954429A9CB5B4F7B1E2A",
                "406150B97AEB76D43B36B62CC1ECDFBE6F40E95755E0BEB5C27825F3A4",
            ),
        ];
        for (etype, plaintext, usage, key, ciphertext) in cases {
            let key = Key::new(*etype, &hex(key)).unwrap();
            assert_eq!(decrypt(&key, *usage, &hex(ciphertext)).unwrap(), *plaintext);
            assert_eq!(
                decrypt(&key, usage + 1, &hex(ciphertext)),
                Err(KerberosError::IntegrityCheckFailed)
            );
        }
    }

    #[test]
    fn string_to_key_dispatches_by_etype_and_round_trips() {
        let salt = default_salt("EXAMPLE.COM", &["HTTP", "web.example.com"]);
        assert_eq!(salt, b"EXAMPLE.COMHTTPweb.example.com");
        for etype in [
            Etype::Aes128CtsHmacSha1,
            Etype::Aes256CtsHmacSha1,
            Etype::Rc4Hmac,
            Etype::Rc4HmacExp,
        ] {
            let key = string_to_key(etype, "Secret123", &salt, Some(&[0, 0, 0, 2])).unwrap();
            assert_eq!(key.etype(), etype);
            let ciphertext = encrypt(&key, 7, &[3; 16], b"EncTicketPart").unwrap();
            assert_eq!(
                decrypt(&key, 7, &ciphertext).unwrap(),
                b"EncTicketPart",
                "{etype}"
            );
            let wrong = string_to_key(etype, "Secret124", &salt, Some(&[0, 0, 0, 2])).unwrap();
            assert_eq!(
                decrypt(&wrong, 7, &ciphertext),
                Err(KerberosError::IntegrityCheckFailed)
            );
        }
        // RFC 3962 appendix B: the same vector through the public API.
        let key = string_to_key(
            Etype::Aes128CtsHmacSha1,
            "password",
            b"ATHENA.MIT.EDUraeburn",
            Some(&[0, 0, 0, 1]),
        )
        .unwrap();
        assert_eq!(key.bytes(), hex("42263c6e89f4fc28b8df68ee09799f15"));
    }
}
