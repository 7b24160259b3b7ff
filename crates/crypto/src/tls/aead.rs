//! The AEAD record ciphers (AES-128/256-GCM, ChaCha20-Poly1305) behind one type, keyed once
//! per direction and opened with the nonce and additional data each TLS version builds.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes128Gcm, Aes256Gcm, Nonce};
use chacha20poly1305::ChaCha20Poly1305;

use super::TlsDecryptError;
use super::suite::RecordCipher;

/// The tag every supported AEAD appends.
pub const TAG_LEN: usize = 16;

/// An AEAD keyed for one direction. `Debug` names the algorithm only.
#[derive(Clone)]
pub enum AeadKey {
    Aes128Gcm(Box<Aes128Gcm>),
    Aes256Gcm(Box<Aes256Gcm>),
    ChaCha20Poly1305(Box<ChaCha20Poly1305>),
}

impl std::fmt::Debug for AeadKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            AeadKey::Aes128Gcm(_) => "AeadKey(AES-128-GCM)",
            AeadKey::Aes256Gcm(_) => "AeadKey(AES-256-GCM)",
            AeadKey::ChaCha20Poly1305(_) => "AeadKey(ChaCha20-Poly1305)",
        })
    }
}

impl AeadKey {
    /// Keys `cipher` (an AEAD one) with `key`.
    pub fn new(cipher: RecordCipher, key: &[u8]) -> Result<AeadKey, TlsDecryptError> {
        let bad = |_| TlsDecryptError::SecretLength(key.len());
        Ok(match cipher {
            RecordCipher::Aes128Gcm => {
                AeadKey::Aes128Gcm(Box::new(Aes128Gcm::new_from_slice(key).map_err(bad)?))
            }
            RecordCipher::Aes256Gcm => {
                AeadKey::Aes256Gcm(Box::new(Aes256Gcm::new_from_slice(key).map_err(bad)?))
            }
            RecordCipher::ChaCha20Poly1305 => AeadKey::ChaCha20Poly1305(Box::new(
                ChaCha20Poly1305::new_from_slice(key).map_err(bad)?,
            )),
            RecordCipher::Aes128Cbc(_) | RecordCipher::Aes256Cbc(_) => {
                return Err(TlsDecryptError::SecretLength(key.len()));
            }
        })
    }

    /// Decrypts and authenticates `ciphertext` (tag included).
    pub fn open(
        &self,
        nonce: &[u8; 12],
        aad: &[u8],
        ciphertext: &[u8],
    ) -> Result<Vec<u8>, TlsDecryptError> {
        if ciphertext.len() < TAG_LEN {
            return Err(TlsDecryptError::ShortRecord(ciphertext.len()));
        }
        let nonce = &Nonce::from(*nonce);
        let payload = Payload {
            msg: ciphertext,
            aad,
        };
        match self {
            AeadKey::Aes128Gcm(k) => k.decrypt(nonce, payload),
            AeadKey::Aes256Gcm(k) => k.decrypt(nonce, payload),
            AeadKey::ChaCha20Poly1305(k) => k.decrypt(nonce, payload),
        }
        .map_err(|_| TlsDecryptError::Authentication)
    }

    /// Encrypts `plaintext` (for the round-trip tests: capdiag never writes records).
    #[cfg(test)]
    pub fn seal(&self, nonce: &[u8; 12], aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
        let nonce = &Nonce::from(*nonce);
        let payload = Payload {
            msg: plaintext,
            aad,
        };
        match self {
            AeadKey::Aes128Gcm(k) => k.encrypt(nonce, payload),
            AeadKey::Aes256Gcm(k) => k.encrypt(nonce, payload),
            AeadKey::ChaCha20Poly1305(k) => k.encrypt(nonce, payload),
        }
        .expect("seal")
    }
}

/// `iv` XOR the 64-bit sequence number, right-aligned: the TLS 1.3 nonce (RFC 8446 §5.3) and
/// the TLS 1.2 ChaCha20-Poly1305 nonce (RFC 7905 §2).
pub fn xor_nonce(iv: &[u8; 12], seq: u64) -> [u8; 12] {
    let mut nonce = *iv;
    for (n, s) in nonce.iter_mut().rev().zip(seq.to_le_bytes()) {
        *n ^= s;
    }
    nonce
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonce_xors_the_sequence_into_the_low_bytes() {
        let iv = [0xffu8; 12];
        let n = xor_nonce(&iv, 0x0102);
        assert_eq!(
            n,
            [
                0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xfd
            ]
        );
        assert_eq!(xor_nonce(&iv, 0), iv);
    }

    #[test]
    fn open_refuses_a_flipped_bit_and_a_short_record() {
        let key = AeadKey::new(RecordCipher::ChaCha20Poly1305, &[9; 32]).unwrap();
        let mut sealed = key.seal(&[1; 12], b"aad", b"hello");
        assert_eq!(key.open(&[1; 12], b"aad", &sealed).unwrap(), b"hello");
        sealed[0] ^= 1;
        assert_eq!(
            key.open(&[1; 12], b"aad", &sealed),
            Err(TlsDecryptError::Authentication)
        );
        assert_eq!(
            key.open(&[1; 12], b"aad", &[0; 15]),
            Err(TlsDecryptError::ShortRecord(15))
        );
        assert_eq!(format!("{key:?}"), "AeadKey(ChaCha20-Poly1305)");
        assert!(AeadKey::new(RecordCipher::Aes128Gcm, &[0; 32]).is_err());
    }
}
