//! Protocol decoders: bytes in, typed messages out. They never print and never panic on input.

pub mod ldap;
