//! The cipher suites capdiag can decrypt, by their IANA number: record cipher, MAC (for CBC),
//! key and IV lengths, and the hash of the PRF (TLS 1.2) or key schedule (TLS 1.3).

use super::TlsDecryptError;
use super::prf::PrfHash;

/// The bulk cipher of a suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordCipher {
    Aes128Gcm,
    Aes256Gcm,
    ChaCha20Poly1305,
    /// AES-CBC with HMAC (MAC-then-encrypt, explicit IV from TLS 1.1 on).
    Aes128Cbc(MacHash),
    Aes256Cbc(MacHash),
}

/// The HMAC of a CBC suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MacHash {
    Sha1,
    Sha256,
    Sha384,
}

impl MacHash {
    pub fn output_len(self) -> usize {
        match self {
            MacHash::Sha1 => 20,
            MacHash::Sha256 => 32,
            MacHash::Sha384 => 48,
        }
    }
}

impl RecordCipher {
    pub fn key_len(self) -> usize {
        match self {
            RecordCipher::Aes128Gcm | RecordCipher::Aes128Cbc(_) => 16,
            RecordCipher::Aes256Gcm
            | RecordCipher::Aes256Cbc(_)
            | RecordCipher::ChaCha20Poly1305 => 32,
        }
    }

    /// The MAC key length (CBC suites only).
    pub fn mac_key_len(self) -> usize {
        match self {
            RecordCipher::Aes128Cbc(m) | RecordCipher::Aes256Cbc(m) => m.output_len(),
            _ => 0,
        }
    }

    /// The TLS 1.2 key block's IV length: the implicit GCM salt (4), ChaCha's 12-byte IV, or
    /// the (unused, TLS 1.0 only) CBC IV.
    pub fn tls12_iv_len(self) -> usize {
        match self {
            RecordCipher::Aes128Gcm | RecordCipher::Aes256Gcm => 4,
            RecordCipher::ChaCha20Poly1305 => 12,
            RecordCipher::Aes128Cbc(_) | RecordCipher::Aes256Cbc(_) => 16,
        }
    }
}

/// What one cipher suite needs for decryption.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CipherSuite {
    pub id: u16,
    pub cipher: RecordCipher,
    pub hash: PrfHash,
    /// A TLS 1.3 suite (0x13xx).
    pub tls13: bool,
}

impl CipherSuite {
    /// The suite numbered `id`, if capdiag can decrypt it.
    pub fn from_id(id: u16) -> Result<CipherSuite, TlsDecryptError> {
        use MacHash as M;
        use PrfHash::{Sha256, Sha384};
        use RecordCipher as C;
        let (cipher, hash, tls13) = match id {
            0x1301 => (C::Aes128Gcm, Sha256, true),
            0x1302 => (C::Aes256Gcm, Sha384, true),
            0x1303 => (C::ChaCha20Poly1305, Sha256, true),
            // *_WITH_AES_128_GCM_SHA256 (RSA, DHE_RSA, ECDHE_ECDSA, ECDHE_RSA)
            0x009c | 0x009e | 0xc02b | 0xc02f => (C::Aes128Gcm, Sha256, false),
            // *_WITH_AES_256_GCM_SHA384
            0x009d | 0x009f | 0xc02c | 0xc030 => (C::Aes256Gcm, Sha384, false),
            // *_WITH_CHACHA20_POLY1305_SHA256 (ECDHE_RSA, ECDHE_ECDSA, DHE_RSA)
            0xcca8..=0xccaa => (C::ChaCha20Poly1305, Sha256, false),
            // *_WITH_AES_128_CBC_SHA (RSA, DHE_RSA, ECDHE_ECDSA, ECDHE_RSA)
            0x002f | 0x0033 | 0xc009 | 0xc013 => (C::Aes128Cbc(M::Sha1), Sha256, false),
            // *_WITH_AES_256_CBC_SHA
            0x0035 | 0x0039 | 0xc00a | 0xc014 => (C::Aes256Cbc(M::Sha1), Sha256, false),
            // *_WITH_AES_128_CBC_SHA256
            0x003c | 0x0067 | 0xc023 | 0xc027 => (C::Aes128Cbc(M::Sha256), Sha256, false),
            // *_WITH_AES_256_CBC_SHA256
            0x003d | 0x006b => (C::Aes256Cbc(M::Sha256), Sha256, false),
            // ECDHE_{ECDSA,RSA}_WITH_AES_256_CBC_SHA384
            0xc024 | 0xc028 => (C::Aes256Cbc(M::Sha384), Sha384, false),
            other => return Err(TlsDecryptError::UnsupportedSuite(other)),
        };
        Ok(CipherSuite {
            id,
            cipher,
            hash,
            tls13,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suites_map_to_their_cipher_and_hash() {
        let s = CipherSuite::from_id(0xc030).unwrap();
        assert_eq!(
            (s.cipher, s.hash, s.tls13),
            (RecordCipher::Aes256Gcm, PrfHash::Sha384, false)
        );
        let s = CipherSuite::from_id(0x1303).unwrap();
        assert_eq!((s.cipher.key_len(), s.tls13), (32, true));
        let s = CipherSuite::from_id(0xc013).unwrap();
        assert_eq!((s.cipher.mac_key_len(), s.cipher.key_len()), (20, 16));
        assert_eq!(
            CipherSuite::from_id(0x000a),
            Err(TlsDecryptError::UnsupportedSuite(0x000a))
        );
    }
}
