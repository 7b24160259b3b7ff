//! Why a TLS record could not be decrypted. Never carries key or plaintext bytes.

/// A failed key derivation or record decryption.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlsDecryptError {
    #[error("tls: cipher suite 0x{0:04x} is not one capdiag can decrypt")]
    UnsupportedSuite(u16),
    #[error("tls: a {0}-byte secret does not fit this cipher suite")]
    SecretLength(usize),
    #[error("tls: a {0}-byte encrypted record is too short for its cipher")]
    ShortRecord(usize),
    #[error("tls: record of {0} bytes is too long")]
    RecordTooLong(usize),
    /// The AEAD tag or the CBC MAC did not verify: wrong key, wrong sequence number, or a
    /// record altered or missing in the capture.
    #[error("tls: record did not authenticate (wrong key or sequence number)")]
    Authentication,
    #[error("tls: CBC padding is malformed")]
    Padding,
    #[error("tls: TLS 1.3 record has no inner content type")]
    NoContentType,
    #[error("tls: the record sequence number is exhausted")]
    SequenceExhausted,
}
