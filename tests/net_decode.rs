//! End-to-end through the first two stages: a pcapng file with several link types, read by
//! [`CaptureReader`] and decoded by [`PacketDecoder`].

use std::io::Cursor;

use capdiag::capture::CaptureReader;
use capdiag::net::{Decoded, PacketDecoder, Transport};

fn block(out: &mut Vec<u8>, btype: u32, body: &[u8]) {
    let mut body = body.to_vec();
    while !body.len().is_multiple_of(4) {
        body.push(0);
    }
    let len = 12 + body.len() as u32;
    out.extend(btype.to_le_bytes());
    out.extend(len.to_le_bytes());
    out.extend(body);
    out.extend(len.to_le_bytes());
}

fn idb(out: &mut Vec<u8>, linktype: u16) {
    let mut b = linktype.to_le_bytes().to_vec();
    b.extend([0, 0, 0, 0, 0, 0]);
    block(out, 1, &b);
}

fn epb(out: &mut Vec<u8>, if_id: u32, ts_us: u64, data: &[u8]) {
    let mut b = if_id.to_le_bytes().to_vec();
    b.extend(((ts_us >> 32) as u32).to_le_bytes());
    b.extend((ts_us as u32).to_le_bytes());
    b.extend((data.len() as u32).to_le_bytes());
    b.extend((data.len() as u32).to_le_bytes());
    b.extend(data);
    block(out, 6, &b);
}

fn ipv4(id: u16, frag_units: u16, more: bool, payload: &[u8]) -> Vec<u8> {
    let mut p = vec![0x45, 0];
    p.extend(((20 + payload.len()) as u16).to_be_bytes());
    p.extend(id.to_be_bytes());
    p.extend((if more { 0x2000 } else { 0 } | frag_units).to_be_bytes());
    p.extend([64, 17, 0, 0, 192, 0, 2, 1, 192, 0, 2, 53]);
    p.extend(payload);
    p
}

fn udp(src: u16, dst: u16, payload: &[u8]) -> Vec<u8> {
    let mut u = src.to_be_bytes().to_vec();
    u.extend(dst.to_be_bytes());
    u.extend(((8 + payload.len()) as u16).to_be_bytes());
    u.extend([0, 0]);
    u.extend(payload);
    u
}

#[test]
fn pcapng_with_several_link_types_decodes_end_to_end() {
    let mut f = Vec::new();
    let mut shb = 0x1a2b_3c4du32.to_le_bytes().to_vec();
    shb.extend([1, 0, 0, 0]);
    shb.extend([0xff; 8]);
    block(&mut f, 0x0a0d_0d0a, &shb);
    idb(&mut f, 1); // 0: Ethernet
    idb(&mut f, 101); // 1: raw IP
    idb(&mut f, 147); // 2: a user link type nobody decodes

    let mut eth = vec![0xff; 12];
    eth.extend(0x0800u16.to_be_bytes());
    eth.extend(ipv4(1, 0, false, &udp(40000, 53, b"query")));
    eth.extend([0; 10]); // trailer padding
    epb(&mut f, 0, 1, &eth);

    let big = udp(53, 40000, &[b'r'; 40]); // 48 bytes: fragments of 24 + 24
    epb(&mut f, 1, 2, &ipv4(9, 3, false, &big[24..]));
    epb(&mut f, 2, 3, b"opaque");
    epb(&mut f, 1, 4, &ipv4(9, 0, true, &big[..24]));

    let mut r = CaptureReader::from_read("mixed.pcapng", Box::new(Cursor::new(f))).unwrap();
    let mut frames = Vec::new();
    while let Some(fr) = r.next_frame() {
        frames.push(fr);
    }
    assert_eq!(frames.len(), 4);
    let mut d = PacketDecoder::new();
    let out: Vec<Decoded> = frames.iter().map(|fr| d.decode(fr)).collect();

    match &out[0] {
        Decoded::Packet(p) => {
            assert_eq!(p.frame, 1);
            assert_eq!(
                p.transport,
                Transport::Udp {
                    src_port: 40000,
                    dst_port: 53,
                    payload: b"query"[..].into()
                }
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(out[1], Decoded::FragmentHeld);
    assert_eq!(out[2], Decoded::Skipped);
    match &out[3] {
        Decoded::Packet(p) => {
            assert_eq!((p.frame, p.fragment_frames.clone()), (4, vec![2]));
            assert_eq!(p.ts, 4_000);
            let Transport::Udp { payload, .. } = &p.transport else {
                panic!("not udp")
            };
            assert_eq!(&payload[..], &[b'r'; 40]);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(d.unsupported_link_types().get(&147), Some(&1));
}
