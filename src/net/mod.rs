//! Link layers, IPv4/IPv6 with fragment reassembly, UDP and TCP headers: [`crate::capture::Frame`]
//! in, [`Packet`] out. Stateless but for the defragmenter.

pub mod packet;

pub use packet::{Decoded, Packet, TcpFlags, TcpSegment, Transport};
