//! Flows: TCP connections reassembled per direction into in-order byte streams, with the frame
//! that carried every byte. UDP needs no state here and passes straight through.

use std::net::IpAddr;

pub mod event;
mod key;
pub mod limits;
mod roles;
pub mod stats;
mod stream;
mod table;
pub mod tcp;

pub use event::{CloseReason, TcpEvent, TcpSink};
pub use limits::{
    IDLE_TIMEOUT, MAX_BUFFERED_BYTES_PER_DIRECTION, MAX_BUFFERED_BYTES_TOTAL,
    MAX_BUFFERED_SEGMENTS_PER_DIRECTION, MAX_CONNECTIONS, NEW_INCARNATION_JUMP, TcpLimits,
};
pub use stats::TcpStats;
pub use tcp::TcpTracker;

/// One end of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Endpoint {
    pub ip: IpAddr,
    pub port: u16,
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.ip {
            IpAddr::V4(ip) => write!(f, "{ip}:{}", self.port),
            IpAddr::V6(ip) => write!(f, "[{ip}]:{}", self.port),
        }
    }
}

/// A connection incarnation, unique within one analysis (a reused 4-tuple gets a new id).
pub type ConnId = u64;

/// Which side sent a segment: the client opened the connection (sent the SYN).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    Client,
    Server,
}
