//! Writes large benchmark captures: background traffic with real sample chains from samples/
//! replayed into it, each copy with its own client addresses and ports; copies that overlap
//! (`--chain-every` smaller than a replay) interleave frame by frame. Nothing is sent on any
//! network: the frames only go to a file.
//!
//! ```text
//! cargo run --release --example gencap -- --mode mixed --size 1G --out /tmp/mixed.pcap
//! ```
//! `--step-usec N` sets the capture time between two frames (default 10 µs: a busy link; 1000
//! spreads a dense 1 GiB over about an hour and a half, a server's day of Autodiscover).
//! Modes: `mixed` (ACKed bulk), `oneway` (bulk in one direction only, as a SPAN port or a
//! filtered pktmon gives), `dense` (mostly DNS and LDAP chains). Beside the capture it writes
//! `<out>.replays` listing, per replayed client, its address in the capture, the sample it
//! copies and its address in that sample (`10.128.0.7 dc-side-three-clients.pcap 10.99.0.5`).

mod background;
mod frames;
mod replay;

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use background::Background;
use frames::PcapOut;

struct Args {
    mode: String,
    size: u64,
    out: PathBuf,
    samples: PathBuf,
    /// One chain replay per this many bytes of capture.
    chain_every: u64,
    /// Capture time between two frames, in microseconds.
    step_usec: u64,
    /// `--step-usec` was given: each replay keeps its sample's own timing (its frames at
    /// their offsets from its start) instead of taking turns frame by frame.
    timed: bool,
}

fn parse_size(s: &str) -> Option<u64> {
    let (num, mult) = match s.chars().last()? {
        'G' | 'g' => (&s[..s.len() - 1], 1 << 30),
        'M' | 'm' => (&s[..s.len() - 1], 1 << 20),
        'K' | 'k' => (&s[..s.len() - 1], 1 << 10),
        _ => (s, 1),
    };
    num.parse::<u64>().ok().map(|n| n * mult)
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        mode: "mixed".into(),
        size: 100 << 20,
        out: PathBuf::from("bench.pcap"),
        samples: PathBuf::from("samples"),
        chain_every: 0,
        step_usec: 10,
        timed: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let mut v = || it.next().ok_or(format!("{k} needs a value"));
        match k.as_str() {
            "--mode" => a.mode = v()?,
            "--size" => a.size = parse_size(&v()?).ok_or("bad --size")?,
            "--out" => a.out = PathBuf::from(v()?),
            "--samples" => a.samples = PathBuf::from(v()?),
            "--chain-every" => a.chain_every = parse_size(&v()?).ok_or("bad --chain-every")?,
            "--step-usec" => {
                a.step_usec = v()?.parse().map_err(|_| "bad --step-usec")?;
                a.timed = true;
            }
            _ => return Err(format!("unknown argument {k}")),
        }
    }
    if a.chain_every == 0 {
        a.chain_every = if a.mode == "dense" { 64 << 10 } else { 1 << 20 };
    }
    if !["mixed", "oneway", "dense"].contains(&a.mode.as_str()) {
        return Err(format!("unknown mode {}", a.mode));
    }
    Ok(a)
}

fn run() -> Result<(), String> {
    let a = args()?;
    let samples = replay::load(&a.samples)?;
    if samples.is_empty() {
        return Err("no samples".into());
    }
    let file = std::fs::File::create(&a.out).map_err(|e| format!("{}: {e}", a.out.display()))?;
    let mut pcap =
        PcapOut::new(BufWriter::with_capacity(1 << 20, file)).map_err(|e| e.to_string())?;
    let mut replays = String::new();
    let mut bg = Background::new(a.mode == "oneway");
    let mut buf = Vec::with_capacity(2048);
    // The capture starts when the latest sample was captured: the certificates in the samples
    // are judged at a time they were judged at in the lab (none "not yet valid").
    let mut ts: u64 = samples.iter().map(|s| s.start_usec).max().unwrap_or(0);
    let mut step: u64 = 0;
    let mut next_chain = 0u64;
    let mut chains = 0u32;
    let mut next_addr = 0u32;
    // Active replays: (sample index, its clients' addresses, next frame, start time).
    let mut active: Vec<(usize, replay::Mapping, usize, u64)> = Vec::new();
    while pcap.bytes < a.size || !active.is_empty() {
        step += 1;
        ts += a.step_usec;
        if pcap.bytes >= next_chain && pcap.bytes < a.size {
            let s = chains as usize % samples.len();
            let mapping = replay::Mapping::new(&samples[s], chains, next_addr);
            next_addr += mapping.clients.len() as u32;
            for (old, new) in &mapping.clients {
                replays.push_str(&format!("{new} {} {old}\n", samples[s].name));
            }
            active.push((s, mapping, 0, ts));
            chains += 1;
            next_chain += a.chain_every;
        }
        // Timed: the replay frame due first, once its time has come (a frame late by the
        // frames before it keeps its place). Else replays that overlap take turns.
        let turn = if a.timed {
            active
                .iter()
                .enumerate()
                .map(|(j, (s, _, i, start))| (start + samples[*s].frames[*i].0, j))
                .min()
                .filter(|(due, _)| *due <= ts)
                .map(|(_, j)| j)
        } else {
            (!active.is_empty() && step.is_multiple_of(2))
                .then(|| (step / 2) as usize % active.len())
        };
        if let Some(at) = turn {
            let (s, ref mapping, i, _) = active[at];
            let data = replay::rewrite(&samples[s].frames[i].1, mapping);
            pcap.frame(ts, &data).map_err(|e| e.to_string())?;
            if i + 1 == samples[s].frames.len() {
                active.remove(at);
            } else {
                active[at].2 = i + 1;
            }
            continue;
        }
        match (a.mode.as_str(), step % 20) {
            ("dense", 0..=17) | (_, 0 | 1) => bg.dns(&mut buf),
            (_, 2 | 3) => bg.noise(&mut buf),
            _ => bg.bulk(&mut buf),
        }
        pcap.frame(ts, &buf).map_err(|e| e.to_string())?;
    }
    let (frames, bytes) = (pcap.frames, pcap.bytes);
    pcap.finish().map_err(|e| e.to_string())?;
    let mut listing =
        std::fs::File::create(a.out.with_extension("pcap.replays")).map_err(|e| e.to_string())?;
    listing
        .write_all(replays.as_bytes())
        .map_err(|e| e.to_string())?;
    eprintln!(
        "{}: {} mode, {frames} frames, {bytes} bytes, {chains} chains replayed",
        a.out.display(),
        a.mode
    );
    Ok(())
}

fn main() {
    if let Err(e) = run() {
        eprintln!("gencap: {e}");
        std::process::exit(2);
    }
}
