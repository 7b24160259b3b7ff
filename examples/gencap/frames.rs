//! Ethernet/IPv4/TCP/UDP frames with correct checksums, and a streaming classic-pcap writer.

use std::io::{self, Write};

/// Writes a classic pcap (microsecond, little-endian, Ethernet) to any writer.
pub struct PcapOut<W: Write> {
    out: W,
    pub bytes: u64,
    pub frames: u64,
}

impl<W: Write> PcapOut<W> {
    pub fn new(mut out: W) -> io::Result<Self> {
        let mut hdr = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        hdr.extend(262_144u32.to_le_bytes());
        hdr.extend(1u32.to_le_bytes());
        out.write_all(&hdr)?;
        Ok(PcapOut {
            out,
            bytes: 24,
            frames: 0,
        })
    }

    pub fn frame(&mut self, ts_usec: u64, data: &[u8]) -> io::Result<()> {
        let mut rec = [0u8; 16];
        rec[..4].copy_from_slice(&((ts_usec / 1_000_000) as u32).to_le_bytes());
        rec[4..8].copy_from_slice(&((ts_usec % 1_000_000) as u32).to_le_bytes());
        rec[8..12].copy_from_slice(&(data.len() as u32).to_le_bytes());
        rec[12..16].copy_from_slice(&(data.len() as u32).to_le_bytes());
        self.out.write_all(&rec)?;
        self.out.write_all(data)?;
        self.bytes += 16 + data.len() as u64;
        self.frames += 1;
        Ok(())
    }

    pub fn finish(mut self) -> io::Result<()> {
        self.out.flush()
    }
}

fn sum16(data: &[u8], mut acc: u32) -> u32 {
    let mut chunks = data.chunks_exact(2);
    for c in &mut chunks {
        acc += u32::from(u16::from_be_bytes([c[0], c[1]]));
    }
    if let [last] = chunks.remainder() {
        acc += u32::from(*last) << 8;
    }
    acc
}

fn fold(mut acc: u32) -> u16 {
    while acc >> 16 != 0 {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    !(acc as u16)
}

/// Recomputes the IPv4 header checksum and the TCP/UDP checksum of an Ethernet frame in place
/// (IPv4, or IPv6 with TCP, UDP or ICMPv6 straight after the fixed header).
pub fn fix_checksums(frame: &mut [u8]) {
    if frame.len() < 14 {
        return;
    }
    match [frame[12], frame[13]] {
        [0x08, 0x00] => fix_ipv4(frame),
        [0x86, 0xdd] => fix_ipv6(frame),
        _ => {}
    }
}

fn fix_ipv4(frame: &mut [u8]) {
    if frame.len() < 34 {
        return;
    }
    let ihl = usize::from(frame[14] & 0x0f) * 4;
    let total = usize::from(u16::from_be_bytes([frame[16], frame[17]]));
    if frame.len() < 14 + total || total < ihl {
        return;
    }
    frame[24] = 0;
    frame[25] = 0;
    let c = fold(sum16(&frame[14..14 + ihl], 0));
    frame[24..26].copy_from_slice(&c.to_be_bytes());
    let pseudo = sum16(&frame[26..34], 0);
    fix_l4(frame, frame[23], 14 + ihl, total - ihl, pseudo);
}

fn fix_ipv6(frame: &mut [u8]) {
    if frame.len() < 54 {
        return;
    }
    let len = usize::from(u16::from_be_bytes([frame[18], frame[19]]));
    if frame.len() < 54 + len {
        return;
    }
    let pseudo = sum16(&frame[22..54], 0);
    fix_l4(frame, frame[20], 54, len, pseudo);
}

/// The TCP, UDP or ICMPv6 checksum of the `len` bytes at `l4`, over `pseudo` (the addresses).
fn fix_l4(frame: &mut [u8], proto: u8, l4: usize, len: usize, pseudo: u32) {
    let at = match proto {
        6 if len >= 20 => l4 + 16,
        17 if len >= 8 => l4 + 6,
        58 if len >= 4 => l4 + 2,
        _ => return,
    };
    frame[at] = 0;
    frame[at + 1] = 0;
    let acc = pseudo + u32::from(proto) + len as u32;
    let c = fold(sum16(&frame[l4..l4 + len], acc));
    let c = if proto == 17 && c == 0 { 0xffff } else { c };
    frame[at..at + 2].copy_from_slice(&c.to_be_bytes());
}

fn ipv4(src: [u8; 4], dst: [u8; 4], proto: u8, l4: &[u8], out: &mut Vec<u8>) {
    out.clear();
    out.extend_from_slice(&[
        0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00, 0x45, 0,
    ]);
    out.extend_from_slice(&((20 + l4.len()) as u16).to_be_bytes());
    out.extend_from_slice(&[0, 0, 0x40, 0, 64, proto, 0, 0]);
    out.extend_from_slice(&src);
    out.extend_from_slice(&dst);
    out.extend_from_slice(l4);
    fix_checksums(out);
}

/// One TCP segment as an Ethernet frame in `out` (reused buffer).
#[allow(clippy::too_many_arguments)]
pub fn tcp(
    out: &mut Vec<u8>,
    src: [u8; 4],
    sport: u16,
    dst: [u8; 4],
    dport: u16,
    seq: u32,
    ack: u32,
    flags: u8,
    payload: &[u8],
) {
    let mut t = Vec::with_capacity(20 + payload.len());
    t.extend_from_slice(&sport.to_be_bytes());
    t.extend_from_slice(&dport.to_be_bytes());
    t.extend_from_slice(&seq.to_be_bytes());
    t.extend_from_slice(&ack.to_be_bytes());
    t.extend_from_slice(&[0x50, flags, 0xff, 0xff, 0, 0, 0, 0]);
    t.extend_from_slice(payload);
    ipv4(src, dst, 6, &t, out);
}

/// One UDP datagram as an Ethernet frame in `out`.
pub fn udp(out: &mut Vec<u8>, src: [u8; 4], sport: u16, dst: [u8; 4], dport: u16, payload: &[u8]) {
    let mut u = Vec::with_capacity(8 + payload.len());
    u.extend_from_slice(&sport.to_be_bytes());
    u.extend_from_slice(&dport.to_be_bytes());
    u.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
    u.extend_from_slice(&[0, 0]);
    u.extend_from_slice(payload);
    ipv4(src, dst, 17, &u, out);
}
