//! capdiag-proto: the protocol decoders (DNS, LDAP/CLDAP with RFC 4515 filters, SASL wrapping,
//! the netlogon reply, Kerberos, TLS, HTTP, X.509): bytes in, typed messages out. They never
//! print and never panic on input, and know nothing of captures, flows or chains.
#![forbid(unsafe_code)]

pub mod ber;
mod code_point;
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
