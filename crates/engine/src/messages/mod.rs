//! Messages: DNS, LDAP/CLDAP, Kerberos, TLS and HTTP cut out of UDP datagrams and TCP streams,
//! requests matched to responses, each with its frames ([`Exchanges`]).

pub mod collect;
pub mod decrypt;
pub mod model;
pub mod relevance;
pub mod sniff;
pub mod stream;
pub mod times;
pub mod warnings;

pub use collect::{Collector, Leaving, Service, port_of_interest};
pub use model::*;
pub use times::FrameTimes;
pub use warnings::{Warning, WarningLog};
