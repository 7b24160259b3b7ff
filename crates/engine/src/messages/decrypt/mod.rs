//! Seeing through the seal (issue 17): the keys of a sealed LDAP connection, learnt from the
//! bind's own messages plus a secret the admin gave, and the unwrapping of its SASL buffers
//! into the LDAP bytes the existing decoder reads.
//!
//! - Kerberos ([`kerberos_context`]): the ticket's session key comes either from a keytab key
//!   of the service (the ticket in the AP-REQ, usage 2) or, with the client's password, from
//!   the KDC replies before the bind ([`TicketKeys`]: AS-REP usage 3, then the FAST-armored
//!   TGS-REP, usage 8/9 with the RFC 6113 reply key). The session key opens the authenticator
//!   (usage 11) for the client's subkey and the AP-REP (usage 12) for the server's subkey.
//! - NTLM ([`ntlm_context`]): the user's password, the CHALLENGE's server challenge and the
//!   AUTHENTICATE's response give the exported session key and one RC4 stream per direction.
//! - [`SecurityContext::unwrap_sasl_buffer`] then turns each buffer into plaintext LDAP.
//!
//! The collector ([`crate::messages::Collector::decryption`], set by
//! [`crate::chain::ChainOptions::ldap_secrets`]) feeds [`BindKeys`] each connection's bind PDUs
//! and [`TicketKeys`] every KDC message, and hands decrypted buffers to the LDAP decoder.
//!
//! This is the engine's side of `capdiag-crypto`; it reads the GSS/SPNEGO and NTLMSSP
//! structures around the keys and leaves the cryptography to that crate. The Kerberos ASN.1
//! (KDC-REP, Ticket, EncTicketPart, Authenticator, AP-REP, FAST) is decoded with rasn into the
//! proto crate's types ([`crate::proto::kerberos::asn1`]); [`krb_asn1`] is the glue.

mod bind_keys;
mod error;
mod gss_tokens;
mod kerberos_context;
mod krb_asn1;
mod ntlm_context;
mod ntlm_messages;
mod secret_files;
mod security_layer;
mod ticket_keys;
mod tried;

pub use bind_keys::{BindKeys, DecryptionSecrets};
pub use error::DecryptError;
pub use kerberos_context::{KerberosContext, kerberos_context};
pub use ntlm_context::ntlm_context;
pub use ntlm_messages::{NtlmAuthenticate, NtlmChallenge, parse_authenticate, parse_challenge};
pub use secret_files::SecretFileError;
pub use security_layer::SecurityContext;
pub use ticket_keys::TicketKeys;
pub use tried::{AsRepTried, EntryTried, SaltSource, TicketTried, Tried};

#[cfg(test)]
mod tests;
