//! NTLM (MS-NLMP) session security for NTLMv2: from the user's password and the
//! CHALLENGE/AUTHENTICATE messages of a bind to the exported session key
//! ([`keys`]), then the per-direction signing and sealing keys and the RC4 streams that
//! unseal GSS-wrapped messages such as LDAP SASL buffers ([`seal`]).
//!
//! Only extended session security (the NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY flag, which
//! every Windows NTLMv2 client sets) is implemented; without it the keys are an error.

pub mod keys;
pub mod seal;

use std::fmt;

use thiserror::Error;
use zeroize::Zeroize;

pub use keys::{
    NegotiateFlags, exported_session_key, nt_hash, ntowf_v2, session_base_key_v2,
    verify_ntlmv2_response,
};
pub use seal::{Direction, SealingKeys, UnsealStream, Unsealed};

/// Why an NTLM computation or unseal failed. Never carries key bytes or plaintext.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NtlmError {
    /// The NTProofStr the client sent is not the one the password gives: wrong password
    /// (or user/domain spelling).
    #[error("NTLMv2 response does not match the password for this user and domain")]
    WrongPassword,
    /// An NtChallengeResponse shorter than NTProofStr plus the smallest blob.
    #[error("NTLMv2 response of {0} bytes is too short (at least 16 + 28)")]
    ResponseTooShort(usize),
    /// KEY_EXCH negotiated but the EncryptedRandomSessionKey is not 16 bytes.
    #[error("EncryptedRandomSessionKey must be 16 bytes, not {0}")]
    EncryptedKeyLength(usize),
    /// Session security without extended session security is not implemented.
    #[error("NTLM signing without extended session security is not supported")]
    NoExtendedSessionSecurity,
    /// A sealed message shorter than its 16-byte signature (or SASL length prefix).
    #[error("sealed NTLM message of {0} bytes is shorter than its signature")]
    MessageTooShort(usize),
    /// The SASL buffer length prefix disagrees with the bytes given.
    #[error("SASL buffer says {declared} bytes follow, but {actual} do")]
    SaslLength {
        /// The 4-byte big-endian length.
        declared: usize,
        /// The bytes after it.
        actual: usize,
    },
    /// The signature's version field is not 1.
    #[error("NTLM signature version is {0}, not 1")]
    SignatureVersion(u32),
    /// The MAC did not verify: wrong key, a message missing from the capture (the RC4
    /// stream is then out of step), or tampering.
    #[error(
        "NTLM signature does not verify (wrong key, or a message of this direction is missing)"
    )]
    BadSignature,
}

/// A 16-byte NTLM secret (hash, session key, signing or sealing key): wiped when dropped,
/// never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret16([u8; 16]);

impl Secret16 {
    pub(crate) fn new(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    pub(crate) fn bytes(&self) -> &[u8; 16] {
        &self.0
    }
}

impl Drop for Secret16 {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for Secret16 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret16(<redacted>)")
    }
}

#[cfg(test)]
mod tests;
