//! Test helpers: write small pcap files and hand-build Ethernet/IPv4/TCP/UDP frames and BER.
//! Edge cases a lab cannot produce (Windows' BER forms, SPNEGO and Sicily binds) are built here.
#![allow(dead_code)]

/// A classic pcap (microseconds, little endian) being written in memory.
pub struct Pcap {
    bytes: Vec<u8>,
    usec: u64,
}

impl Pcap {
    pub fn new(link_type: u32) -> Pcap {
        let mut bytes = vec![
            0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0,
        ];
        bytes.extend(link_type.to_le_bytes());
        Pcap {
            bytes,
            usec: 1_700_000_000_000_000,
        }
    }

    /// Adds a frame 1 ms after the previous one.
    pub fn frame(&mut self, data: &[u8]) -> &mut Pcap {
        self.usec += 1000;
        let (s, us) = (
            (self.usec / 1_000_000) as u32,
            (self.usec % 1_000_000) as u32,
        );
        self.bytes.extend(s.to_le_bytes());
        self.bytes.extend(us.to_le_bytes());
        self.bytes.extend((data.len() as u32).to_le_bytes());
        self.bytes.extend((data.len() as u32).to_le_bytes());
        self.bytes.extend(data);
        self
    }

    pub fn bytes(&self) -> Vec<u8> {
        self.bytes.clone()
    }

    /// Writes the capture to a fresh file in the temp dir and returns its path.
    pub fn write(&self, name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("capdiag-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, &self.bytes).unwrap();
        path
    }
}

fn ipv4(src: [u8; 4], dst: [u8; 4], proto: u8, l4: &[u8]) -> Vec<u8> {
    let mut f = vec![
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x08, 0x00,
    ];
    let total = (20 + l4.len()) as u16;
    f.extend([0x45, 0]);
    f.extend(total.to_be_bytes());
    f.extend([0, 1, 0x40, 0, 64, proto, 0, 0]);
    f.extend(src);
    f.extend(dst);
    f.extend(l4);
    f
}

pub const SYN: u8 = 0x02;
pub const ACK: u8 = 0x10;
pub const PSH_ACK: u8 = 0x18;
pub const RST_ACK: u8 = 0x14;

/// An Ethernet + IPv4 + TCP frame (checksums zero, as offloading leaves them).
pub fn tcp(
    src: ([u8; 4], u16),
    dst: ([u8; 4], u16),
    seq: u32,
    ack: u32,
    flags: u8,
    payload: &[u8],
) -> Vec<u8> {
    let mut t = Vec::new();
    t.extend(src.1.to_be_bytes());
    t.extend(dst.1.to_be_bytes());
    t.extend(seq.to_be_bytes());
    t.extend(ack.to_be_bytes());
    t.extend([0x50, flags, 0xff, 0xff, 0, 0, 0, 0]);
    t.extend(payload);
    ipv4(src.0, dst.0, 6, &t)
}

/// An Ethernet + IPv4 + UDP frame.
pub fn udp(src: ([u8; 4], u16), dst: ([u8; 4], u16), payload: &[u8]) -> Vec<u8> {
    let mut u = Vec::new();
    u.extend(src.1.to_be_bytes());
    u.extend(dst.1.to_be_bytes());
    u.extend(((8 + payload.len()) as u16).to_be_bytes());
    u.extend([0, 0]);
    u.extend(payload);
    ipv4(src.0, dst.0, 17, &u)
}

/// BER with minimal lengths, and with Windows' 4-byte long form (`84 00 00 00 xx`).
pub mod ber {
    pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut v = vec![tag];
        let n = content.len();
        if n < 0x80 {
            v.push(n as u8);
        } else if n < 0x100 {
            v.extend([0x81, n as u8]);
        } else {
            v.extend([0x82, (n >> 8) as u8, n as u8]);
        }
        v.extend(content);
        v
    }

    /// The form Windows writes: every length as `84` + 4 bytes.
    pub fn tlv84(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut v = vec![tag, 0x84];
        v.extend((content.len() as u32).to_be_bytes());
        v.extend(content);
        v
    }

    pub fn int(tag: u8, v: u32) -> Vec<u8> {
        let bytes = v.to_be_bytes();
        let skip = bytes.iter().take(3).take_while(|b| **b == 0).count();
        let mut body = bytes[skip..].to_vec();
        if body[0] & 0x80 != 0 {
            body.insert(0, 0);
        }
        tlv(tag, &body)
    }

    pub fn cat(parts: &[Vec<u8>]) -> Vec<u8> {
        parts.concat()
    }
}

/// Options that declare the capture an Autodiscover lookup (as `--email` does): tests of one
/// stage's judgement on a fragment of traffic use them, since a fragment alone (a ping, a bind)
/// shows no Autodiscover intent and would be a directory session.
pub fn autodiscover_options() -> capdiag::chain::ChainOptions {
    capdiag::chain::ChainOptions {
        domain: None,
        smtp_domain: Some("contoso.test".into()),
        tls_key_log: None,
        ldap_secrets: None,
    }
}

/// An SRV answer record for the first question (name pointer 0xc00c): class IN, TTL 600,
/// priority 0, weight 100, port 389, and `target` (encoded labels).
/// A DNS name in wire form (uncompressed labels).
pub fn labels(name: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for l in name.split('.') {
        out.push(l.len() as u8);
        out.extend_from_slice(l.as_bytes());
    }
    out.push(0);
    out
}

pub fn srv_answer(target: &[u8]) -> Vec<u8> {
    let mut rr = vec![0xc0, 12, 0, 33, 0, 1, 0, 0, 2, 0x58, 0];
    rr.push((6 + target.len()) as u8);
    rr.extend([0, 0, 0, 100, 1, 0x85]);
    rr.extend(target);
    rr
}
