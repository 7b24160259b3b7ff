//! TLS record decryption from key log secrets: the TLS 1.2 PRF and key block ([`prf`]), the
//! TLS 1.3 key schedule's HKDF-Expand-Label ([`tls13`]), the cipher suites capdiag can read
//! ([`suite`]), the AEAD and CBC record ciphers ([`aead`], [`tls12`]) and per-direction
//! decryptors that track sequence numbers and key changes ([`Tls12Decryptor`],
//! [`Tls13Decryptor`]).
//!
//! Input is the record as it crossed the wire (header and fragment), output the plaintext;
//! nothing here knows about packets or connections.

pub mod aead;
pub mod error;
pub mod prf;
pub mod suite;
pub mod tls12;
pub mod tls13;

pub use error::TlsDecryptError;
pub use suite::{CipherSuite, RecordCipher};
pub use tls12::Tls12Decryptor;
pub use tls13::{Tls13Decryptor, Tls13Plaintext};

/// Which end of the connection wrote a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writer {
    Client,
    Server,
}

/// The 5-byte record header as it crossed the wire: content type, version, fragment length.
pub(crate) fn record_header(
    content_type: u8,
    version: u16,
    len: usize,
) -> Result<[u8; 5], TlsDecryptError> {
    let len = u16::try_from(len).map_err(|_| TlsDecryptError::RecordTooLong(len))?;
    let [v1, v2] = version.to_be_bytes();
    let [l1, l2] = len.to_be_bytes();
    Ok([content_type, v1, v2, l1, l2])
}

/// A little hex decoder for the published test vectors.
#[cfg(test)]
pub(crate) fn hex(text: &str) -> Vec<u8> {
    let clean: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    crate::keylog::decode_hex(&clean).expect("test vector hex")
}
