//! Fuzz target: link layer to transport (Ethernet, VLAN, SLL, raw IP, IPv4/IPv6, fragments,
//! UDP/TCP). The input is a series of frames: 2 bytes link type selector, 2 bytes length, data.
#![no_main]

use libfuzzer_sys::fuzz_target;

use capdiag::capture::Frame;
use capdiag::net::PacketDecoder;

/// Link types the decoder knows, plus one it does not.
const LINKS: [u32; 10] = [1, 101, 113, 228, 229, 276, 0, 108, 12, 147];

fuzz_target!(|data: &[u8]| {
    let mut decoder = PacketDecoder::new();
    let mut rest = data;
    let mut number = 0u64;
    while let [sel, flags, hi, lo, tail @ ..] = rest {
        let len = usize::from(u16::from_be_bytes([*hi, *lo])).min(tail.len());
        let (body, next) = tail.split_at(len);
        number += 1;
        let frame = Frame {
            number,
            input: usize::from(*flags & 1),
            ts: i64::from(*flags) * 1_000_000_000,
            link_type: LINKS[usize::from(*sel) % LINKS.len()],
            orig_len: len as u32,
            data: body.to_vec(),
        };
        let _ = decoder.decode(&frame);
        rest = next;
    }
    let _ = decoder.defrag_stats();
    let _ = decoder.pending_fragments();
});
