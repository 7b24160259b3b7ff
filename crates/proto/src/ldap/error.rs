//! The error values of LDAP decoding.

use thiserror::Error;

use crate::ber::BerError;

/// Why an LDAPMessage could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LdapError {
    /// The bytes end before the BER element they start does.
    #[error("truncated BER: {0}")]
    Truncated(&'static str),
    /// The BER is not the shape LDAP requires (wrong tag, indefinite length, ...).
    #[error("malformed LDAP BER: {0}")]
    Malformed(String),
    /// Bytes left after one complete LDAPMessage in a buffer meant to hold exactly one.
    #[error("{0} bytes after the end of the LDAPMessage")]
    TrailingBytes(usize),
    /// The rasn-ldap decoder rejected the (normalised) message.
    #[error("LDAP decode: {0}")]
    Rasn(String),
}

impl From<BerError> for LdapError {
    fn from(e: BerError) -> Self {
        match e {
            BerError::TruncatedHeader => Self::Truncated("BER header"),
            BerError::TruncatedContents { .. } => Self::Truncated("BER contents"),
            other => Self::Malformed(reason(&other)),
        }
    }
}

/// A shared reader's error in LDAP's words (the texts capdiag has always printed).
pub(crate) fn reason(e: &BerError) -> String {
    match e {
        BerError::HighTagNumber(tag) => {
            format!("high tag number form (identifier 0x{tag:02x}) is not used by LDAP")
        }
        BerError::IndefiniteLength => "indefinite length (forbidden by RFC 4511 §5.1)".into(),
        other => other.to_string(),
    }
}
