//! Drives the stages for one run: capture → packets → flows → messages → chains. The result,
//! [`Analysis`], is what every renderer reads.

use crate::capture::{CaptureError, CaptureReader, InputInfo, MergedCapture};
use crate::chain::{Chain, ChainOptions, build_chains};
use crate::flow::{Endpoint, TcpLimits, TcpTracker};
use crate::messages::{Collector, Exchanges, Warning, port_of_interest};
use crate::net::{Decoded, PacketDecoder, Transport, link_type_supported};
use crate::proto::ldap::DecodeOptions;
use crate::secrets::BindSecret;

/// Everything one run found.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub inputs: Vec<InputInfo>,
    /// Problems met while decoding, aggregated by kind (malformed packets, undecodable messages...).
    pub warnings: Vec<Warning>,
    pub exchanges: Exchanges,
    pub chains: Vec<Chain>,
    /// Simple-bind passwords; always empty unless asked for with [`analyze_with`] (see
    /// [`crate::secrets`]).
    pub secrets: Vec<BindSecret>,
}

/// Opens every path ("-" is standard input); the readable ones are analysed as one timeline and
/// each unreadable one is returned as an error.
pub fn analyze_paths(
    paths: &[std::path::PathBuf],
    opts: &ChainOptions,
) -> (Option<Analysis>, Vec<crate::capture::CaptureError>) {
    analyze_paths_with(paths, opts, DecodeOptions::default())
}

/// [`analyze_paths`] with the LDAP decoder's options (`--show-secrets` keeps passwords).
pub fn analyze_paths_with(
    paths: &[std::path::PathBuf],
    opts: &ChainOptions,
    decode: DecodeOptions,
) -> (Option<Analysis>, Vec<crate::capture::CaptureError>) {
    let mut readers = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        match CaptureReader::open(p) {
            // A pcap file has one link type for all its packets: if it cannot be decoded,
            // nothing in the file can, so say so up front instead of reporting an empty capture.
            Ok(r) => match r.file_link_type() {
                Some(lt) if !link_type_supported(lt) => errors.push(CaptureError::new(
                    &r.info().path,
                    format!(
                        "unsupported link type {lt} (capdiag reads Ethernet, Linux cooked \
                         SLL/SLL2, raw IP and BSD loopback captures)"
                    ),
                )),
                _ => readers.push(r),
            },
            Err(e) => errors.push(e),
        }
    }
    if readers.is_empty() {
        return (None, errors);
    }
    (
        Some(analyze_with(MergedCapture::new(readers), opts, decode)),
        errors,
    )
}

/// Runs the whole pipeline over one (merged) capture.
pub fn analyze(capture: MergedCapture, opts: &ChainOptions) -> Analysis {
    analyze_with(capture, opts, DecodeOptions::default())
}

/// [`analyze`] with the LDAP decoder's options.
pub fn analyze_with(
    mut capture: MergedCapture,
    opts: &ChainOptions,
    decode: DecodeOptions,
) -> Analysis {
    let mut decoder = PacketDecoder::new();
    let mut tcp = TcpTracker::new(TcpLimits::default());
    let mut collector = Collector::default();
    collector.decode_options = decode;
    while let Some(frame) = capture.next_frame() {
        collector.input = frame.input;
        let packet = match decoder.decode(&frame) {
            Decoded::Packet(p) => p,
            Decoded::Malformed(reason) => {
                collector.warnings.add(
                    frame.input,
                    format!("malformed packet: {reason}"),
                    frame.number,
                );
                continue;
            }
            Decoded::Skipped | Decoded::FragmentHeld => continue,
        };
        match &packet.transport {
            Transport::Udp {
                src_port,
                dst_port,
                payload,
            } if port_of_interest(*src_port, *dst_port) => {
                let src = Endpoint {
                    ip: packet.src,
                    port: *src_port,
                };
                let dst = Endpoint {
                    ip: packet.dst,
                    port: *dst_port,
                };
                collector.udp(packet.frame, packet.ts, src, dst, payload);
            }
            Transport::Tcp(seg) if port_of_interest(seg.src_port, seg.dst_port) => {
                tcp.segment(
                    packet.frame,
                    packet.ts,
                    packet.src,
                    packet.dst,
                    seg,
                    &mut collector,
                );
            }
            _ => {}
        }
    }
    tcp.finish(&mut collector);
    for (link_type, count) in decoder.unsupported_link_types() {
        for _ in 0..*count {
            collector.warnings.add(
                0,
                format!("frames with unsupported link type {link_type} skipped"),
                0,
            );
        }
    }
    let chains = build_chains(&collector.exchanges, opts);
    Analysis {
        inputs: capture.inputs(),
        warnings: collector.warnings.warnings(),
        exchanges: collector.exchanges,
        chains,
        secrets: collector.secrets,
    }
}
