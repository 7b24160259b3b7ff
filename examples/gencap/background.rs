//! Background traffic for the benchmark captures: long TCP flows (TLS records on 443, SMB-like
//! bulk on 445, HTTP-ish on 8080), ACKed or one-way; UDP noise; unrelated DNS lookups.

use super::frames::{tcp, udp};

const ACK: u8 = 0x10;
const PSH_ACK: u8 = 0x18;
const MSS: usize = 1448;

/// One long-lived bulk flow.
struct Bulk {
    client: [u8; 4],
    cport: u16,
    server: [u8; 4],
    sport: u16,
    seq: u32,
    ack: u32,
    /// Position in the flow's byte stream (443: a stream of TLS records).
    pos: u64,
    sent: u64,
}

pub struct Background {
    flows: Vec<Bulk>,
    next_flow: usize,
    oneway: bool,
    counter: u64,
    payload: Vec<u8>,
    /// The id of the DNS query waiting for its answer.
    dns_pending: Option<u64>,
}

impl Background {
    pub fn new(oneway: bool) -> Background {
        let ports = [443, 443, 443, 445, 8080, 443, 22, 443];
        let flows = ports
            .iter()
            .enumerate()
            .map(|(i, &sport)| Bulk {
                client: [172, 16, 1, 10 + i as u8],
                cport: 40000 + i as u16,
                server: [203, 0, 113, 10 + i as u8],
                sport,
                seq: 1_000_000 * (i as u32 + 1),
                ack: 7_000_000 * (i as u32 + 1),
                pos: 0,
                sent: 0,
            })
            .collect();
        let payload = (0..MSS).map(|i| (i * 31 % 251) as u8).collect();
        Background {
            flows,
            next_flow: 0,
            oneway,
            counter: 0,
            payload,
            dns_pending: None,
        }
    }

    /// The next bulk segment (server → client, the download direction), or its ACK.
    pub fn bulk(&mut self, out: &mut Vec<u8>) {
        self.counter += 1;
        let n = self.flows.len();
        let f = &mut self.flows[self.next_flow];
        self.next_flow = (self.next_flow + 1) % n;
        if !self.oneway && f.sent % 2 == 1 && self.counter.is_multiple_of(2) {
            // The client ACKs every second segment.
            tcp(
                out, f.client, f.cport, f.server, f.sport, f.ack, f.seq, ACK, b"",
            );
            f.sent += 1;
            return;
        }
        let seg: Vec<u8> = if f.sport == 443 {
            // A stream of 16 KiB TLS application-data records; headers fall anywhere in segments.
            const RECORD: u64 = 16384;
            (f.pos..f.pos + MSS as u64)
                .map(|p| match p % (RECORD + 5) {
                    0 => 23,
                    1 | 2 => 3,
                    3 => (RECORD >> 8) as u8,
                    4 => RECORD as u8,
                    i => (i * 31 % 251) as u8,
                })
                .collect()
        } else {
            self.payload.clone()
        };
        f.pos += seg.len() as u64;
        tcp(
            out, f.server, f.sport, f.client, f.cport, f.seq, f.ack, PSH_ACK, &seg,
        );
        f.seq = f.seq.wrapping_add(seg.len() as u32);
        f.sent += 1;
    }

    /// A UDP datagram of noise (syslog-, RTP-, NTP-sized).
    pub fn noise(&mut self, out: &mut Vec<u8>) {
        self.counter += 1;
        let n = [48usize, 172, 420, 1200][(self.counter % 4) as usize];
        let port = 5000 + (self.counter % 1000) as u16;
        udp(
            out,
            [10, 200, 0, (self.counter % 200) as u8],
            port,
            [198, 51, 100, 7],
            5004,
            &self.payload[..n],
        );
    }

    /// An unrelated DNS lookup: the answer to the pending query if there is one, else a query.
    pub fn dns(&mut self, out: &mut Vec<u8>) {
        let (n, answer) = match self.dns_pending.take() {
            Some(n) => (n, true),
            None => {
                self.counter += 1;
                self.dns_pending = Some(self.counter);
                (self.counter, false)
            }
        };
        let id = (n & 0xffff) as u16;
        let name = format!("host-{}.example.net", n % 5000);
        let mut m = id.to_be_bytes().to_vec();
        m.extend_from_slice(if answer {
            &[0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]
        } else {
            &[0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
        });
        for label in name.split('.') {
            m.push(label.len() as u8);
            m.extend_from_slice(label.as_bytes());
        }
        m.extend_from_slice(&[0, 0, 1, 0, 1]);
        if answer {
            m.extend_from_slice(&[
                0xc0,
                12,
                0,
                1,
                0,
                1,
                0,
                0,
                0,
                60,
                0,
                4,
                198,
                51,
                100,
                (id % 250) as u8,
            ]);
        }
        let client = [10, 201, 0, (id % 250) as u8];
        let cport = 30000 + id % 30000;
        if answer {
            udp(out, [10, 0, 0, 53], 53, client, cport, &m);
        } else {
            udp(out, client, cport, [10, 0, 0, 53], 53, &m);
        }
    }
}
