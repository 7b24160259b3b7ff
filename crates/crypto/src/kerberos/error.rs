//! The ways a Kerberos decryption, key derivation or GSS token can fail, as values. None of
//! them carries key bytes or plaintext.

use thiserror::Error;

/// Why a Kerberos operation failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum KerberosError {
    /// The encryption type number is not one this crate implements (17, 18, 23, 24).
    #[error("encryption type {0} is not supported (only 17, 18, 23 and 24 are)")]
    UnsupportedEtype(i32),
    /// A key of the wrong length for its encryption type.
    #[error("a key for encryption type {etype} must be {expected} bytes, not {actual}")]
    KeyLength {
        /// The encryption type number.
        etype: i32,
        /// The length the type needs.
        expected: usize,
        /// The length given.
        actual: usize,
    },
    /// The ciphertext is shorter than the confounder and checksum it must carry.
    #[error("ciphertext of {actual} bytes is shorter than the {minimum} bytes its type needs")]
    CiphertextTooShort {
        /// The smallest possible length for the type.
        minimum: usize,
        /// The length given.
        actual: usize,
    },
    /// The integrity checksum did not match: the key (or key usage) is wrong, or the bytes
    /// were altered.
    #[error("integrity check failed: wrong key or corrupted ciphertext")]
    IntegrityCheckFailed,
    /// PBKDF2 iteration count outside what this crate will compute.
    #[error("string-to-key iteration count {0} is outside 1..=1000000")]
    IterationCount(u64),
    /// s2kparams that are not the 4-byte iteration count RFC 3962 defines.
    #[error("s2kparams must be 4 bytes, not {0}")]
    S2kParamsLength(usize),
    /// A GSS token that is not of the expected shape.
    #[error("GSS token: {0}")]
    BadToken(&'static str),
    /// A GSS token sent by the other side than the caller said.
    #[error("GSS token was sent by the {actual}, not the {expected}")]
    WrongDirection {
        /// The side the caller expected.
        expected: &'static str,
        /// The side the token says sent it.
        actual: &'static str,
    },
}
