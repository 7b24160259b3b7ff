//! Real sample chains from samples/, replayed with fresh client addresses and client ports each
//! time (checksums fixed), so every copy is its own set of chains.
//!
//! A sample's clients are the ones a plain analysis of it judges (its chains and directory
//! sessions), IPv4 or IPv6, however many: every one of them is rewritten in every copy, each to
//! its own fresh address, so no two copies share a client. A sample that gives no client, or
//! that is not Ethernet, cannot be rewritten and is left out (said on stderr).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;

use capdiag::analysis::analyze_paths;
use capdiag::capture::CaptureReader;
use capdiag::chain::ChainOptions;

use super::frames::fix_checksums;

/// One sample's Ethernet frames with their offsets from its first frame, and its clients.
pub struct Sample {
    pub name: String,
    pub frames: Vec<(u64, Vec<u8>)>,
    /// When its first frame was captured, in microseconds since the epoch.
    pub start_usec: u64,
    /// Every client a plain analysis of the sample judges, in the order it gives them.
    pub clients: Vec<IpAddr>,
}

pub fn load(dir: &Path) -> Result<Vec<Sample>, String> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "pcap"))
        .collect();
    paths.sort();
    let mut out = Vec::new();
    'samples: for p in paths {
        let mut r = CaptureReader::open(&p).map_err(|e| e.to_string())?;
        let mut frames = Vec::new();
        let mut first = None;
        while let Some(f) = r.next_frame() {
            if f.link_type != 1 {
                // The rewrite works on Ethernet frames (samples/nflog.pcap is NFLOG, sll2-any SLL2).
                eprintln!(
                    "gencap: {} left out: link type {} (the replay rewrites Ethernet frames)",
                    p.display(),
                    f.link_type
                );
                continue 'samples;
            }
            let t0 = *first.get_or_insert(f.ts);
            frames.push((((f.ts - t0) / 1000) as u64, f.data));
        }
        let start_usec = first.map_or(0, |t0| (t0 / 1000) as u64);
        let clients = clients_of(&p)?;
        if clients.is_empty() {
            eprintln!(
                "gencap: {} left out: a plain analysis finds no client in it (no chain, no \
                 directory session), so the replay has no address to rewrite",
                p.display()
            );
            continue;
        }
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        out.push(Sample {
            name,
            frames,
            start_usec,
            clients,
        });
    }
    Ok(out)
}

/// The clients of a plain analysis of one sample: its chains', then its directory sessions'.
fn clients_of(path: &Path) -> Result<Vec<IpAddr>, String> {
    let (analysis, errors) = analyze_paths(&[path.to_path_buf()], &ChainOptions::default());
    let analysis = analysis.ok_or_else(|| {
        errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    })?;
    let mut clients: Vec<IpAddr> = Vec::new();
    let judged = analysis.chains.iter().map(|c| c.client);
    let sessions = analysis.directory_sessions.iter().map(|s| s.client);
    for c in judged.chain(sessions) {
        if !clients.contains(&c) {
            clients.push(c);
        }
    }
    Ok(clients)
}

/// The fresh address number `n`: IPv4 in 10.128.0.0/9 (away from the lab's 10.99/16), IPv6 in
/// fd80::/16 (away from the lab's fd99::/16), the same family as the client it replaces.
pub fn fresh_addr(like: IpAddr, n: u32) -> IpAddr {
    match like {
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::from(0x0a80_0000 | (n & 0x007f_ffff))),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::new(
            0xfd80,
            0,
            0,
            0,
            0,
            0,
            (n >> 16) as u16,
            n as u16,
        )),
    }
}

/// One copy of a sample: each of its clients and the address it has in this copy.
pub struct Mapping {
    /// Replay number: moves the client ports.
    pub k: u32,
    pub clients: Vec<(IpAddr, IpAddr)>,
}

impl Mapping {
    /// Replay `k` of `sample`, its clients numbered from `first_addr` on.
    pub fn new(sample: &Sample, k: u32, first_addr: u32) -> Self {
        let clients = sample
            .clients
            .iter()
            .zip(first_addr..)
            .map(|(&old, n)| (old, fresh_addr(old, n)))
            .collect();
        Mapping { k, clients }
    }

    fn v4(&self, addr: &[u8]) -> Option<[u8; 4]> {
        self.clients.iter().find_map(|(old, new)| match (old, new) {
            (IpAddr::V4(o), IpAddr::V4(n)) if o.octets() == addr => Some(n.octets()),
            _ => None,
        })
    }

    fn v6(&self, addr: &[u8]) -> Option<[u8; 16]> {
        self.clients.iter().find_map(|(old, new)| match (old, new) {
            (IpAddr::V6(o), IpAddr::V6(n)) if o.octets() == addr => Some(n.octets()),
            _ => None,
        })
    }
}

/// A client port of copy `k`: ports from 1024 on move within 32768..=65535, the ephemeral
/// range, so that no client port lands on a service port (53, 88, 389, 3269...) and turns the
/// flow around; the lab's clients use ports of one range (Linux 32768-60999, Windows from 49152),
/// which the move keeps apart.
fn map_port(p: u16, k: u32) -> u16 {
    if p < 1024 {
        return p;
    }
    (32768 + (u32::from(p) + k.wrapping_mul(97)) % 32768) as u16
}

/// Rewrites the port at `at` (TCP/UDP source or destination) for replay `k`.
fn move_port(f: &mut [u8], at: usize, k: u32) {
    if let Some(b) = f.get_mut(at..at + 2) {
        let p = map_port(u16::from_be_bytes([b[0], b[1]]), k);
        b.copy_from_slice(&p.to_be_bytes());
    }
}

/// A copy of `frame` where every client of the sample has its address in copy `m`.
pub fn rewrite(frame: &[u8], m: &Mapping) -> Vec<u8> {
    let mut f = frame.to_vec();
    if f.len() < 14 {
        return f;
    }
    match [f[12], f[13]] {
        [0x08, 0x00] if f.len() >= 34 => {
            let l4 = 14 + usize::from(f[14] & 0x0f) * 4;
            let ports = matches!(f[23], 6 | 17);
            if let Some(new) = m.v4(&f[26..30]) {
                f[26..30].copy_from_slice(&new);
                if ports {
                    move_port(&mut f, l4, m.k);
                }
            }
            if let Some(new) = m.v4(&f[30..34]) {
                f[30..34].copy_from_slice(&new);
                if ports {
                    move_port(&mut f, l4 + 2, m.k);
                }
            }
        }
        [0x86, 0xdd] if f.len() >= 54 => {
            // Next header straight after the fixed header (the samples carry no extension).
            let ports = matches!(f[20], 6 | 17);
            if let Some(new) = m.v6(&f[22..38]) {
                f[22..38].copy_from_slice(&new);
                if ports {
                    move_port(&mut f, 54, m.k);
                }
            }
            if let Some(new) = m.v6(&f[38..54]) {
                f[38..54].copy_from_slice(&new);
                if ports {
                    move_port(&mut f, 56, m.k);
                }
            }
        }
        _ => {}
    }
    fix_checksums(&mut f);
    f
}
