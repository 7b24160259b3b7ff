//! The stage's entry point: one [`Frame`] in, one [`Decoded`] out. Chains link layer, IP,
//! fragment reassembly and transport, and keeps the only state: the defragmenter and the count of
//! frames whose link type is not supported.

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::capture::Frame;

use super::defrag::{DatagramKey, DefragStats, Defragmenter, FragmentIn, Outcome};
use super::error::{Layer, NetError};
use super::ip::{self, IpPacket};
use super::link::{self, Network};
use super::packet::{Decoded, Packet, Transport};
use super::transport::{self, PROTO_TCP, PROTO_UDP};

/// Decodes frames into packets; holds fragments until their datagram is complete.
pub struct PacketDecoder {
    defrag: Defragmenter,
    unsupported: BTreeMap<u32, u64>,
}

impl Default for PacketDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for PacketDecoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PacketDecoder")
            .field("pending_fragments", &self.defrag.pending())
            .field("defrag", &self.defrag.stats())
            .field("unsupported", &self.unsupported)
            .finish()
    }
}

fn is_transport(protocol: u8) -> bool {
    protocol == PROTO_TCP || protocol == PROTO_UDP
}

impl PacketDecoder {
    pub fn new() -> Self {
        PacketDecoder {
            defrag: Defragmenter::new(),
            unsupported: BTreeMap::new(),
        }
    }

    /// Decodes one frame. Frames should come in capture order (fragment timeouts use `ts`).
    pub fn decode<'a>(&mut self, frame: &'a Frame) -> Decoded<'a> {
        let (ip, layer) = match link::strip(frame.link_type, &frame.data) {
            Err(why) => return Decoded::Malformed(why),
            Ok(Network::Other) => return Decoded::Skipped,
            Ok(Network::UnsupportedLinkType) => {
                let n = self.unsupported.entry(frame.link_type).or_insert(0);
                *n = n.saturating_add(1);
                return Decoded::Skipped;
            }
            Ok(Network::Ipv4(b)) => (ip::ipv4(b), Layer::Ipv4),
            Ok(Network::Ipv6(b)) => (ip::ipv6(b), Layer::Ipv6),
        };
        let ip = match ip {
            Ok(ip) => ip,
            Err(why) => return Decoded::Malformed(why),
        };
        let Some(fragment) = ip.fragment else {
            if !is_transport(ip.protocol) {
                return Decoded::Skipped;
            }
            return packet(
                frame,
                Vec::new(),
                &ip,
                ip.protocol,
                Cow::Borrowed(ip.payload),
            );
        };
        // An IPv6 fragment may carry extension headers before the transport; look after
        // reassembly. An IPv4 fragment names its transport directly.
        let wanted = is_transport(ip.protocol)
            || (layer == Layer::Ipv6 && ip::is_ipv6_extension(ip.protocol));
        if !wanted {
            return Decoded::Skipped;
        }
        let key = DatagramKey {
            input: frame.input,
            src: ip.src,
            dst: ip.dst,
            id: fragment.id,
            protocol: ip.protocol,
        };
        let piece = FragmentIn {
            frame: frame.number,
            ts: frame.ts,
            offset: fragment.offset,
            more: fragment.more,
            data: ip.payload,
        };
        match self.defrag.add(key, piece) {
            Outcome::Held => Decoded::FragmentHeld,
            Outcome::Rejected(reason) => Decoded::Malformed(NetError::Fragment { layer, reason }),
            Outcome::Complete {
                mut payload,
                earlier_frames,
            } => {
                let mut protocol = ip.protocol;
                if layer == Layer::Ipv6 {
                    match ip::extensions(ip.protocol, &payload) {
                        Ok((next, at, None)) => {
                            protocol = next;
                            payload.drain(..at.min(payload.len()));
                        }
                        Ok((_, _, Some(_))) => {
                            return Decoded::Malformed(NetError::malformed(
                                Layer::Ipv6,
                                "fragment header inside a reassembled datagram",
                            ));
                        }
                        Err(why) => return Decoded::Malformed(why),
                    }
                }
                if !is_transport(protocol) {
                    return Decoded::Skipped;
                }
                packet(frame, earlier_frames, &ip, protocol, Cow::Owned(payload))
            }
        }
    }

    /// Frames skipped because their link type is not supported, by link type.
    pub fn unsupported_link_types(&self) -> &BTreeMap<u32, u64> {
        &self.unsupported
    }

    /// Reassembly counters (completed, timed out, evicted, dropped).
    pub fn defrag_stats(&self) -> DefragStats {
        self.defrag.stats()
    }

    /// Datagrams still waiting for fragments (at the end of a capture: never completed).
    pub fn pending_fragments(&self) -> usize {
        self.defrag.pending()
    }
}

fn packet<'a>(
    frame: &Frame,
    fragment_frames: Vec<u64>,
    ip: &IpPacket<'_>,
    protocol: u8,
    bytes: Cow<'a, [u8]>,
) -> Decoded<'a> {
    let transport: Result<Transport<'a>, NetError> = if protocol == PROTO_TCP {
        transport::tcp(bytes)
    } else {
        transport::udp(bytes)
    };
    match transport {
        Ok(transport) => Decoded::Packet(Packet {
            frame: frame.number,
            fragment_frames,
            ts: frame.ts,
            src: ip.src,
            dst: ip.dst,
            transport,
        }),
        Err(why) => Decoded::Malformed(why),
    }
}

#[cfg(test)]
#[allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation
)]
mod tests {
    use super::*;
    use crate::net::ip::tests::{frag6, v4, v6};
    use crate::net::transport::tests::{tcp_bytes, udp_bytes};
    use std::net::IpAddr;

    fn frame(number: u64, link_type: u32, data: Vec<u8>) -> Frame {
        Frame {
            number,
            input: 0,
            ts: 1_000 * number as i64,
            link_type,
            orig_len: data.len() as u32,
            data,
        }
    }

    fn ether(ethertype: u16, payload: &[u8]) -> Vec<u8> {
        let mut f = vec![2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2];
        f.extend(ethertype.to_be_bytes());
        f.extend(payload);
        f
    }

    /// The text of a malformed frame's error.
    fn why(d: Decoded<'_>) -> String {
        match d {
            Decoded::Malformed(e) => e.to_string(),
            other => panic!("not malformed: {other:?}"),
        }
    }

    fn udp_payload<'a>(d: &'a Decoded<'a>) -> (&'a Packet<'a>, &'a [u8]) {
        match d {
            Decoded::Packet(p) => match &p.transport {
                Transport::Udp { payload, .. } => (p, payload),
                other => panic!("not udp: {other:?}"),
            },
            other => panic!("not a packet: {other:?}"),
        }
    }

    #[test]
    fn ethernet_ipv4_udp_borrowed_without_padding() {
        let mut data = ether(0x0800, &v4(17, 1, 0, false, &udp_bytes(53, 40000, b"hi")));
        data.extend([0; 20]); // padding to the Ethernet minimum
        let f = frame(7, 1, data);
        let mut d = PacketDecoder::new();
        let out = d.decode(&f);
        let (p, payload) = udp_payload(&out);
        assert_eq!(payload, b"hi");
        assert_eq!(p.frame, 7);
        assert_eq!(p.ts, 7_000);
        assert!(p.fragment_frames.is_empty());
        assert_eq!(p.src, "10.0.0.1".parse::<IpAddr>().unwrap());
        let Transport::Udp {
            payload,
            src_port,
            dst_port,
        } = &p.transport
        else {
            unreachable!()
        };
        assert!(matches!(payload, Cow::Borrowed(_)));
        assert_eq!((*src_port, *dst_port), (53, 40000));
    }

    #[test]
    fn vlan_ipv6_tcp() {
        let mut tagged = vec![0, 5];
        tagged.extend(0x86ddu16.to_be_bytes());
        tagged.extend(v6(6, &tcp_bytes(7, 9, 0x12, 1, b"")));
        let f = frame(1, 1, ether(0x8100, &tagged));
        let mut d = PacketDecoder::new();
        match d.decode(&f) {
            Decoded::Packet(p) => {
                let Transport::Tcp(seg) = p.transport else {
                    panic!("not tcp")
                };
                assert!(seg.flags.syn() && seg.flags.ack());
                assert_eq!((seg.seq, seg.ack), (7, 9));
                assert!(seg.payload.is_empty());
                assert_eq!(p.dst, "2001:db8::2".parse::<IpAddr>().unwrap());
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn other_protocols_are_skipped_and_unknown_links_counted() {
        let mut d = PacketDecoder::new();
        assert_eq!(
            d.decode(&frame(1, 1, ether(0x0806, &[0; 28]))),
            Decoded::Skipped
        );
        assert_eq!(
            d.decode(&frame(2, 101, v4(1, 1, 0, false, &[8, 0, 0, 0]))),
            Decoded::Skipped
        );
        assert_eq!(
            d.decode(&frame(3, 101, v6(58, &[128, 0, 0, 0]))),
            Decoded::Skipped
        );
        assert_eq!(d.decode(&frame(4, 147, vec![1, 2, 3])), Decoded::Skipped);
        assert_eq!(d.decode(&frame(5, 147, vec![])), Decoded::Skipped);
        assert_eq!(d.decode(&frame(6, 9999, vec![])), Decoded::Skipped);
        assert_eq!(
            d.unsupported_link_types()
                .iter()
                .map(|(k, v)| (*k, *v))
                .collect::<Vec<_>>(),
            vec![(147, 2), (9999, 1)]
        );
        // fragments of a protocol we skip are not even held
        assert_eq!(
            d.decode(&frame(7, 101, v4(1, 9, 0, true, &[0; 8]))),
            Decoded::Skipped
        );
        assert_eq!(d.pending_fragments(), 0);
    }

    #[test]
    fn malformed_layers_are_named() {
        let mut d = PacketDecoder::new();
        let mut bad = v4(17, 1, 0, false, &udp_bytes(1, 2, b""));
        bad[0] = 0x43;
        assert_eq!(
            why(d.decode(&frame(1, 1, ether(0x0800, &bad)))),
            "ipv4: header length 3 < 5"
        );
        assert_eq!(
            why(d.decode(&frame(2, 228, v4(17, 1, 0, false, &[0; 4])))),
            "udp: header truncated (4 of 8 bytes)"
        );
        assert_eq!(
            why(d.decode(&frame(3, 113, vec![0; 10]))),
            "sll: header truncated (10 of 16 bytes)"
        );
        let mut t = tcp_bytes(0, 0, 2, 0, b"");
        t[12] = 0x20;
        assert_eq!(
            why(d.decode(&frame(4, 229, v6(6, &t)))),
            "tcp: data offset 2 < 5"
        );
    }

    #[test]
    fn ipv4_fragments_reassemble_out_of_order() {
        let dgram = udp_bytes(88, 50000, &[0x6b; 30]); // 38 bytes: 16 + 16 + 6
        let mut d = PacketDecoder::new();
        let f3 = frame(3, 101, v4(17, 42, 4, false, &dgram[32..]));
        let f1 = frame(1, 101, v4(17, 42, 0, true, &dgram[..16]));
        let f2 = frame(2, 101, v4(17, 42, 2, true, &dgram[16..32]));
        assert_eq!(d.decode(&f3), Decoded::FragmentHeld);
        assert_eq!(d.decode(&f1), Decoded::FragmentHeld);
        let out = d.decode(&f2);
        let (p, payload) = udp_payload(&out);
        assert_eq!(payload, &[0x6b; 30]);
        assert_eq!(p.frame, 2);
        assert_eq!(p.fragment_frames, vec![3, 1]);
        assert_eq!(p.ts, 2_000);
        assert_eq!(d.defrag_stats().reassembled, 1);
        assert_eq!(d.pending_fragments(), 0);
    }

    #[test]
    fn same_datagram_in_two_inputs_is_kept_apart() {
        let dgram = udp_bytes(88, 50000, &[1; 8]); // 16 bytes: 8 + 8
        let mut d = PacketDecoder::new();
        let a = frame(1, 101, v4(17, 5, 0, true, &dgram[..8]));
        let mut b = frame(2, 101, v4(17, 5, 1, false, &dgram[8..]));
        b.input = 1;
        assert_eq!(d.decode(&a), Decoded::FragmentHeld);
        assert_eq!(d.decode(&b), Decoded::FragmentHeld);
        assert_eq!(d.pending_fragments(), 2);
    }

    #[test]
    fn ipv6_fragments_with_extension_header_after_the_fragment_header() {
        // fragmentable part: destination options (8 bytes) + UDP
        let mut part = vec![17, 0, 1, 4, 0, 0, 0, 0];
        part.extend(udp_bytes(5353, 5353, b"0123456789abcdef")); // 8 + 24 = 32 bytes
        let mut first = frag6(60, 77, 0, true);
        first.extend(&part[..16]);
        let mut last = frag6(60, 77, 2, false);
        last.extend(&part[16..]);
        let mut d = PacketDecoder::new();
        assert_eq!(
            d.decode(&frame(1, 229, v6(44, &first))),
            Decoded::FragmentHeld
        );
        let f2 = frame(2, 229, v6(44, &last));
        let out = d.decode(&f2);
        let (p, payload) = udp_payload(&out);
        assert_eq!(payload, b"0123456789abcdef");
        assert_eq!(p.fragment_frames, vec![1]);
    }

    #[test]
    fn rejected_fragment_is_malformed_with_layer() {
        let mut d = PacketDecoder::new();
        let f = frame(1, 101, v4(17, 3, 0, true, &[0; 5]));
        let out = d.decode(&f);
        assert!(
            matches!(
                &out,
                Decoded::Malformed(NetError::Fragment {
                    layer: Layer::Ipv4,
                    ..
                })
            ),
            "{out:?}"
        );
        assert_eq!(
            why(out),
            "ipv4 fragment: non-final fragment length 5 is not a multiple of 8"
        );
    }
}
