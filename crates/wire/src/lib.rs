//! capdiag-wire: the first stages of the flow. Capture sources (pcap, pcapng, gzip/zstd,
//! stdin, several files merged, live capture behind the `live` feature) give numbered
//! [`capture::Frame`]s; [`net`] strips link layers and IP (with defragmentation) to UDP
//! datagrams and TCP segments; [`flow`] reassembles TCP into ordered byte streams. Knows
//! nothing of the protocols above TCP/UDP.
#![forbid(unsafe_code)]

pub mod capture;
pub mod flow;
#[cfg(feature = "live")]
pub mod live;
pub mod net;
