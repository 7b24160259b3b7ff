//! capdiag-engine: messages → chains → verdicts. [`messages`] cuts DNS, LDAP/CLDAP, Kerberos,
//! TLS and HTTP exchanges out of what the wire stages deliver (decoded by capdiag-proto);
//! [`chain`] judges each client's Autodiscover lookup (or directory session); [`timeline`]
//! lists every message as one typed event for the renderers to draw; [`analysis`] drives the
//! whole pipeline for one run. No renderer, terminal or command-line crate here.
//!
//! The earlier stages are re-exported under their module names ([`capture`], [`net`],
//! [`flow`], [`proto`], [`crypto`]) so that every stage reads them by the same paths.
#![forbid(unsafe_code)]

pub use capdiag_crypto as crypto;
pub use capdiag_proto as proto;
pub use capdiag_wire::{capture, flow, net};

pub mod analysis;
pub mod chain;
mod fast_hash;
pub mod loading;
pub mod messages;
pub mod retirement;
pub mod secrets;
pub mod timeline;
