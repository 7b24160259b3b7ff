//! Shared helpers for the `robust_*` tests: the samples, a tiny deterministic PRNG, hand-built
//! pcap records, running the library on bytes and the real binary on files or a stream.
#![allow(dead_code)]

use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use capdiag::analysis::{Analysis, analyze};
use capdiag::capture::{CaptureReader, MergedCapture};
use capdiag::chain::ChainOptions;
use capdiag::report::{json, text};

pub fn samples() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/samples"))
        .expect("samples dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pcap" || x == "pcapng"))
        .collect();
    v.sort();
    v
}

pub fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(name)
}

/// xorshift64*: deterministic, no dependency.
pub struct Rng(pub u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Runs the whole library pipeline on `bytes` as one capture and renders both formats, as the
/// binary does. `None` when the bytes are not readable as a capture at all.
pub fn analyze_bytes(bytes: &[u8]) -> Option<Analysis> {
    let reader = CaptureReader::from_read("t.pcap", Box::new(Cursor::new(bytes.to_vec()))).ok()?;
    let a = analyze(MergedCapture::new(vec![reader]), &ChainOptions::default());
    let t = text::render(&a, text::Style { color: false });
    assert!(!t.is_empty());
    serde_json::to_string(&json::document(&a)).expect("json renders");
    Some(a)
}

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_capdiag"))
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `capdiag ARGS` and returns its exit code and output; a death by signal (a panic that
/// aborts, a stack overflow) fails the test.
pub fn run(args: &[&str]) -> Run {
    let out = bin()
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("spawn capdiag");
    let code = out
        .status
        .code()
        .unwrap_or_else(|| panic!("capdiag {args:?} killed by a signal: {:?}", out.status));
    Run {
        code,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A temporary directory under the target dir, emptied first.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::File::create(&p)
        .and_then(|mut f| f.write_all(bytes))
        .expect("write scratch file");
    p
}

/// Little-endian microsecond pcap file header.
pub fn pcap_header(link_type: u32) -> Vec<u8> {
    let mut h = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0];
    h.extend([0u8; 8]);
    h.extend(65_535u32.to_le_bytes());
    h.extend(link_type.to_le_bytes());
    h
}

/// One pcap record holding `data`, at `usec` microseconds.
pub fn pcap_record(out: &mut Vec<u8>, usec: u64, data: &[u8]) {
    out.extend(((usec / 1_000_000) as u32).to_le_bytes());
    out.extend(((usec % 1_000_000) as u32).to_le_bytes());
    out.extend((data.len() as u32).to_le_bytes());
    out.extend((data.len() as u32).to_le_bytes());
    out.extend(data);
}

fn checksum_free_ipv4(
    proto: u8,
    src: [u8; 4],
    dst: [u8; 4],
    id: u16,
    frag: u16,
    payload: &[u8],
) -> Vec<u8> {
    let mut p = vec![0x45, 0];
    p.extend(((20 + payload.len()) as u16).to_be_bytes());
    p.extend(id.to_be_bytes());
    p.extend(frag.to_be_bytes());
    p.extend([64, proto, 0, 0]);
    p.extend(src);
    p.extend(dst);
    p.extend(payload);
    p
}

/// A raw IPv4 packet (LINKTYPE_RAW) carrying a TCP segment.
pub fn ipv4_tcp(
    src: [u8; 4],
    sport: u16,
    dst: [u8; 4],
    dport: u16,
    seq: u32,
    flags: u8,
    payload: &[u8],
) -> Vec<u8> {
    let mut t = Vec::with_capacity(20 + payload.len());
    t.extend(sport.to_be_bytes());
    t.extend(dport.to_be_bytes());
    t.extend(seq.to_be_bytes());
    t.extend(0u32.to_be_bytes());
    t.extend([0x50, flags]);
    t.extend(65_535u16.to_be_bytes());
    t.extend([0, 0, 0, 0]);
    t.extend(payload);
    checksum_free_ipv4(6, src, dst, 0, 0x4000, &t)
}

/// A raw IPv4 packet carrying a UDP datagram.
pub fn ipv4_udp(src: [u8; 4], sport: u16, dst: [u8; 4], dport: u16, payload: &[u8]) -> Vec<u8> {
    let mut u = Vec::with_capacity(8 + payload.len());
    u.extend(sport.to_be_bytes());
    u.extend(dport.to_be_bytes());
    u.extend(((8 + payload.len()) as u16).to_be_bytes());
    u.extend([0, 0]);
    u.extend(payload);
    checksum_free_ipv4(17, src, dst, 0, 0, &u)
}

/// A raw IPv4 fragment (protocol UDP) at byte `offset` (multiple of 8) with more-fragments set.
pub fn ipv4_fragment(
    src: [u8; 4],
    dst: [u8; 4],
    id: u16,
    offset: u16,
    more: bool,
    payload: &[u8],
) -> Vec<u8> {
    let frag = (offset / 8) | if more { 0x2000 } else { 0 };
    checksum_free_ipv4(17, src, dst, id, frag, payload)
}

/// A capture produced on the fly: the pcap header, then `count` records made by `make`, never
/// more than one record in memory.
pub struct PcapStream<F: FnMut(u64, &mut Vec<u8>)> {
    header: Option<Vec<u8>>,
    make: F,
    next: u64,
    count: u64,
    pending: Vec<u8>,
    at: usize,
}

impl<F: FnMut(u64, &mut Vec<u8>)> PcapStream<F> {
    /// `make(i, buf)` appends the data of record `i` (0-based) to the empty `buf`.
    pub fn new(link_type: u32, count: u64, make: F) -> Self {
        PcapStream {
            header: Some(pcap_header(link_type)),
            make,
            next: 0,
            count,
            pending: Vec::new(),
            at: 0,
        }
    }
}

impl<F: FnMut(u64, &mut Vec<u8>)> Read for PcapStream<F> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.at >= self.pending.len() {
            self.pending.clear();
            self.at = 0;
            if let Some(h) = self.header.take() {
                self.pending = h;
            } else if self.next < self.count {
                let mut data = Vec::new();
                (self.make)(self.next, &mut data);
                pcap_record(&mut self.pending, self.next, &data);
                self.next += 1;
            } else {
                return Ok(0);
            }
        }
        let n = out.len().min(self.pending.len() - self.at);
        out[..n].copy_from_slice(&self.pending[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}
