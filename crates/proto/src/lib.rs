//! capdiag-proto: the protocol decoders (DNS, LDAP/CLDAP with RFC 4515 filters, SASL wrapping,
//! the netlogon reply, Kerberos, TLS, HTTP, X.509): bytes in, typed messages out. They never
//! print and never panic on input, and know nothing of captures, flows or chains.
#![forbid(unsafe_code)]
// The crate denies indexing_slicing, cast_possible_truncation and arithmetic_side_effects
// (Cargo.toml) for the code that reads capture bytes; unit tests build their fixtures by hand
// and index what they built, so test builds allow them. The non-test build is still checked.
#![cfg_attr(
    test,
    allow(
        clippy::indexing_slicing,
        clippy::cast_possible_truncation,
        clippy::arithmetic_side_effects
    )
)]

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
pub mod tls13;
pub mod x509;
