//! Link layers, IPv4/IPv6 with fragment reassembly, UDP and TCP headers: [`crate::capture::Frame`]
//! in, [`Packet`] out. Stateless but for the defragmenter.

mod decoder;
mod defrag;
mod error;
mod ip;
mod link;
pub mod packet;
mod transport;

pub use decoder::PacketDecoder;
pub use defrag::{
    DefragStats, FRAGMENT_TIMEOUT_NANOS, MAX_DATAGRAM_BYTES, MAX_FRAGMENTS_PER_DATAGRAM,
    MAX_PENDING_DATAGRAMS,
};
pub use error::{Layer, NetError};
pub use link::{MAX_VLAN_TAGS, link_type_supported};
pub use packet::{Decoded, Packet, TcpFlags, TcpSegment, Transport};
