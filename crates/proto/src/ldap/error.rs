//! The error values of LDAP decoding.

use thiserror::Error;

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
