//! A Kerberos key and its encryption type. The key bytes are wiped from memory when the key is
//! dropped (`zeroize`: keys come from admins' passwords and keytabs, and a capture analysis may
//! run long or dump core) and are never printed: `Debug` shows the type and length only.

use std::fmt;

use zeroize::Zeroizing;

use super::KerberosError;

/// The encryption types (RFC 3961 numbers) this crate can decrypt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Etype {
    /// 17, aes128-cts-hmac-sha1-96 (RFC 3962).
    Aes128CtsHmacSha1,
    /// 18, aes256-cts-hmac-sha1-96 (RFC 3962).
    Aes256CtsHmacSha1,
    /// 23, rc4-hmac (RFC 4757).
    Rc4Hmac,
    /// 24, rc4-hmac-exp, the 40-bit export variant (RFC 4757).
    Rc4HmacExp,
}

impl Etype {
    /// The etype for an RFC 3961 encryption type number.
    pub fn from_number(number: i32) -> Result<Self, KerberosError> {
        match number {
            17 => Ok(Self::Aes128CtsHmacSha1),
            18 => Ok(Self::Aes256CtsHmacSha1),
            23 => Ok(Self::Rc4Hmac),
            24 => Ok(Self::Rc4HmacExp),
            other => Err(KerberosError::UnsupportedEtype(other)),
        }
    }

    /// The RFC 3961 encryption type number.
    pub fn number(self) -> i32 {
        match self {
            Self::Aes128CtsHmacSha1 => 17,
            Self::Aes256CtsHmacSha1 => 18,
            Self::Rc4Hmac => 23,
            Self::Rc4HmacExp => 24,
        }
    }

    /// The key length in bytes.
    pub fn key_len(self) -> usize {
        match self {
            Self::Aes256CtsHmacSha1 => 32,
            Self::Aes128CtsHmacSha1 | Self::Rc4Hmac | Self::Rc4HmacExp => 16,
        }
    }

    /// The name MIT and Windows tools print (`aes256-cts-hmac-sha1-96`, `rc4-hmac`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Aes128CtsHmacSha1 => "aes128-cts-hmac-sha1-96",
            Self::Aes256CtsHmacSha1 => "aes256-cts-hmac-sha1-96",
            Self::Rc4Hmac => "rc4-hmac",
            Self::Rc4HmacExp => "rc4-hmac-exp",
        }
    }
}

impl fmt::Display for Etype {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), self.number())
    }
}

/// A Kerberos protocol key (long-term, session or subkey) of a known encryption type.
#[derive(Clone, PartialEq, Eq)]
pub struct Key {
    etype: Etype,
    bytes: Zeroizing<Vec<u8>>,
}

impl Key {
    /// A key of `etype` from its raw bytes (as a keytab, an EncTicketPart or an
    /// EncryptionKey in an authenticator carries them); the length must fit the type.
    pub fn new(etype: Etype, bytes: &[u8]) -> Result<Self, KerberosError> {
        if bytes.len() != etype.key_len() {
            return Err(KerberosError::KeyLength {
                etype: etype.number(),
                expected: etype.key_len(),
                actual: bytes.len(),
            });
        }
        Ok(Self {
            etype,
            bytes: Zeroizing::new(bytes.to_vec()),
        })
    }

    /// A key from an encryption type number and raw bytes, as the ASN.1 EncryptionKey gives them.
    pub fn from_number(etype: i32, bytes: &[u8]) -> Result<Self, KerberosError> {
        Self::new(Etype::from_number(etype)?, bytes)
    }

    /// The key's encryption type.
    pub fn etype(&self) -> Etype {
        self.etype
    }

    /// The raw key bytes, for the cipher code of this crate only.
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Key")
            .field("etype", &self.etype)
            .field(
                "bytes",
                &format_args!("<{} bytes redacted>", self.bytes.len()),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_key_bytes() {
        let key = Key::new(Etype::Rc4Hmac, &[0xab; 16]).unwrap();
        let shown = format!("{key:?}");
        assert!(shown.contains("Rc4Hmac"), "{shown}");
        assert!(
            !shown.to_lowercase().contains("ab, ") && !shown.contains("171"),
            "{shown}"
        );
    }

    #[test]
    fn key_length_must_match_the_type() {
        assert_eq!(
            Key::new(Etype::Aes256CtsHmacSha1, &[0; 16]),
            Err(KerberosError::KeyLength {
                etype: 18,
                expected: 32,
                actual: 16
            })
        );
        assert_eq!(
            Key::from_number(3, &[0; 8]),
            Err(KerberosError::UnsupportedEtype(3))
        );
        assert_eq!(
            Key::from_number(17, &[1; 16]).unwrap().etype(),
            Etype::Aes128CtsHmacSha1
        );
    }
}
