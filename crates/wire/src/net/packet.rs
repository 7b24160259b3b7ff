//! The decoded network packet handed to the flow stage: IP endpoints and a UDP or TCP payload.

use std::borrow::Cow;
use std::net::IpAddr;

use crate::capture::Nanos;

/// TCP header flags (the low byte of the flags field: FIN SYN RST PSH ACK URG ECE CWR).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TcpFlags(pub u8);

impl TcpFlags {
    pub const FIN: u8 = 0x01;
    pub const SYN: u8 = 0x02;
    pub const RST: u8 = 0x04;
    pub const PSH: u8 = 0x08;
    pub const ACK: u8 = 0x10;

    pub fn fin(self) -> bool {
        self.0 & Self::FIN != 0
    }
    pub fn syn(self) -> bool {
        self.0 & Self::SYN != 0
    }
    pub fn rst(self) -> bool {
        self.0 & Self::RST != 0
    }
    pub fn ack(self) -> bool {
        self.0 & Self::ACK != 0
    }
}

/// One TCP segment as it appeared on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcpSegment<'a> {
    pub src_port: u16,
    pub dst_port: u16,
    pub seq: u32,
    pub ack: u32,
    pub flags: TcpFlags,
    pub payload: Cow<'a, [u8]>,
}

/// The transport layer of a packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport<'a> {
    Udp {
        src_port: u16,
        dst_port: u16,
        payload: Cow<'a, [u8]>,
    },
    Tcp(TcpSegment<'a>),
}

/// An IP packet with a UDP or TCP transport, after fragment reassembly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet<'a> {
    /// The frame that completed this packet (the last fragment, for a reassembled datagram).
    pub frame: u64,
    /// Earlier frames that carried fragments of this packet, in arrival order (usually empty).
    pub fragment_frames: Vec<u64>,
    pub ts: Nanos,
    pub src: IpAddr,
    pub dst: IpAddr,
    pub transport: Transport<'a>,
}

/// What decoding one frame gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded<'a> {
    /// A UDP or TCP packet.
    Packet(Packet<'a>),
    /// Well-formed but of no interest (ARP, ICMP, other IP protocols, unknown link type...).
    Skipped,
    /// A fragment held until the rest of its datagram arrives.
    FragmentHeld,
    /// The frame could not be decoded: the layer and the kind of problem.
    Malformed(super::NetError),
}
