//! Protocol decoders: bytes in, typed messages out. They never print and never panic on input.

pub mod dns;
pub mod framing;
pub mod http;
pub mod kerberos;
pub mod ldap;
pub mod names;
pub mod netlogon;
pub mod sasl;
pub mod tls;
pub mod x509;
