//! LDAP (RFC 4511) over TCP and CLDAP over UDP: BER framing, message decoding into [`model`],
//! and RFC 4515 filter rendering.

pub mod model;

pub use model::*;
