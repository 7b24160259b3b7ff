//! Real sample chains from samples/, replayed with a fresh client address and client ports
//! each time (checksums fixed), so every copy is its own chain.

use std::path::Path;

use capdiag::capture::CaptureReader;

use super::frames::fix_checksums;

/// The lab client's address in every sample.
const LAB_CLIENT: [u8; 4] = [10, 99, 0, 2];

/// One sample's Ethernet frames with their offsets from its first frame.
pub struct Sample {
    pub name: String,
    pub frames: Vec<(u64, Vec<u8>)>,
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
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        out.push(Sample { name, frames });
    }
    Ok(out)
}

/// The client address of replay number `k` (10.128.0.0/9, away from the lab's 10.99/16).
pub fn client_addr(k: u32) -> [u8; 4] {
    [10, 128 | ((k >> 16) & 0x7f) as u8, (k >> 8) as u8, k as u8]
}

fn map_port(p: u16, k: u32) -> u16 {
    (1024 + (u32::from(p) + k.wrapping_mul(97)) % 64000) as u16
}

/// A copy of `frame` where the lab client is replay `k`'s client.
pub fn rewrite(frame: &[u8], k: u32) -> Vec<u8> {
    let mut f = frame.to_vec();
    if f.len() < 34 || f[12..14] != [0x08, 0x00] {
        return f;
    }
    let ihl = usize::from(f[14] & 0x0f) * 4;
    let l4 = 14 + ihl;
    let new = client_addr(k);
    let ports = matches!(f[23], 6 | 17) && f.len() >= l4 + 4;
    if f[26..30] == LAB_CLIENT {
        f[26..30].copy_from_slice(&new);
        if ports {
            let p = map_port(u16::from_be_bytes([f[l4], f[l4 + 1]]), k);
            f[l4..l4 + 2].copy_from_slice(&p.to_be_bytes());
        }
    }
    if f[30..34] == LAB_CLIENT {
        f[30..34].copy_from_slice(&new);
        if ports {
            let p = map_port(u16::from_be_bytes([f[l4 + 2], f[l4 + 3]]), k);
            f[l4 + 2..l4 + 4].copy_from_slice(&p.to_be_bytes());
        }
    }
    fix_checksums(&mut f);
    f
}
