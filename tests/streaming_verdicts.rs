//! Streamed verdicts ([`capdiag::retirement`], `analyze --format ndjson`) are the plain runs'
//! verdicts. Every sample is laid one after the other on one timeline, 1000 s apart, with its
//! frames renumbered after the ones before it; the samples reuse the lab's addresses, so each
//! client address comes back in many samples and only retirement keeps them apart. Each
//! client must leave once quiet, before the next sample starts, with the chain a plain run of
//! its own sample gives: same client, status, broken stage, cause and stage frames (shifted by
//! the frames before its sample).

mod robust_support;
mod support;

use std::collections::HashMap;
use std::net::IpAddr;

use capdiag::analysis::{Analyzer, analyze_paths};
use capdiag::capture::{CaptureReader, DecryptionSecrets, Frame};
use capdiag::chain::{Chain, ChainOptions};
use capdiag::proto::ldap::DecodeOptions;
use capdiag::retirement::{DEFAULT_RETIRE_AFTER_SECS, Retirement};
use robust_support::{pcap_header, pcap_record, run, samples, scratch};

const SPACING: i64 = 1000 * 1_000_000_000;

/// What must match: client, status, stage and cause, and each stage's status and frames
/// (each frame as the sample numbers it).
type Seen = (
    IpAddr,
    String,
    Option<String>,
    Option<String>,
    Vec<(String, String, Vec<u64>)>,
);

fn seen(c: &Chain, number: impl Fn(u64) -> u64) -> Seen {
    (
        c.client,
        c.status.id().to_string(),
        c.broken_at.map(|k| k.id().to_string()),
        c.cause.as_ref().map(|x| x.code.clone()),
        c.stages
            .iter()
            .map(|s| {
                let frames = s.frames.iter().map(|f| number(*f)).collect();
                (s.kind.id().to_string(), s.status.id().to_string(), frames)
            })
            .collect(),
    )
}

/// The capture time of a sample's first frame.
fn first_ts(path: &std::path::Path) -> i64 {
    let mut reader = CaptureReader::open(path).expect("sample opens");
    reader.next_frame().map_or(0, |f| f.ts)
}

/// Where the timeline starts: when the latest sample started, so that the lab certificates
/// are judged at a time they were judged at in the lab (none "not yet valid").
fn timeline_start(samples: &[(std::path::PathBuf, Vec<Chain>)]) -> i64 {
    samples.iter().map(|(p, _)| first_ts(p)).max().unwrap_or(0)
}

/// The samples a plain run finds a chain in, each with its plain chains.
fn samples_with_chains() -> Vec<(std::path::PathBuf, Vec<Chain>)> {
    samples()
        .into_iter()
        .filter_map(|p| {
            let (a, _) = analyze_paths(std::slice::from_ref(&p), &ChainOptions::default());
            let chains = a?.chains;
            (!chains.is_empty()).then_some((p, chains))
        })
        .collect()
}

/// The client that never leaves: every 17 s (out of step with the 30 s between retirement passes) over the whole timeline a DC-locator query
/// answered 12 s later, and a RootDSE search on one LDAP connection held open, answered 12 s
/// later. Its queries and connection are in the collector at every retirement, so each
/// retirement must carry their indexes over.
const KEEPER: [u8; 4] = [10, 250, 0, 1];
const KEEPER_DNS: [u8; 4] = [10, 250, 0, 53];

fn keeper_frames(from: i64, until: i64) -> Vec<(i64, Vec<u8>)> {
    use support::{ACK, PSH_ACK, SYN, ber, labels, tcp, udp};
    const S: i64 = 1_000_000_000;
    let dc = ([10, 250, 0, 2], 389);
    let me = (KEEPER, 50_000);
    let mut out = vec![
        (from, tcp(me, dc, 100, 0, SYN, &[])),
        (from + 1, tcp(dc, me, 500, 101, SYN | ACK, &[])),
        (from + 2, tcp(me, dc, 101, 501, ACK, &[])),
    ];
    let (mut seq, mut peer) = (101u32, 501u32);
    let name = labels("_ldap._tcp.dc._msdcs.keeper.test");
    for (n, t) in (0..).zip((from + S..until).step_by(17 * S as usize)) {
        let id = (n % 60_000) as u16 + 1;
        let mut q = [&id.to_be_bytes()[..], &[1, 0, 0, 1, 0, 0, 0, 0, 0, 0]].concat();
        q.extend(&name);
        q.extend([0, 33, 0, 1]);
        let mut r = q.clone();
        r[2..4].copy_from_slice(&[0x81, 0x83]);
        let port = 40_000 + (n % 1000) as u16;
        out.push((t, udp((KEEPER, port), (KEEPER_DNS, 53), &q)));
        out.push((t + 12 * S, udp((KEEPER_DNS, 53), (KEEPER, port), &r)));
        let msg_id = ber::int(0x02, n as u32 + 1);
        let search = ber::cat(&[
            ber::tlv(0x04, b""),
            ber::tlv(0x0a, &[0]),
            ber::tlv(0x0a, &[0]),
            ber::int(0x02, 0),
            ber::int(0x02, 0),
            ber::tlv(0x01, &[0]),
            ber::tlv(0x87, b"objectClass"),
            ber::tlv(0x30, &ber::tlv(0x04, b"defaultNamingContext")),
        ]);
        let request = ber::tlv(0x30, &ber::cat(&[msg_id.clone(), ber::tlv(0x63, &search)]));
        let done = ber::tlv(
            0x30,
            &ber::cat(&[
                msg_id,
                ber::tlv(
                    0x65,
                    &ber::cat(&[
                        ber::tlv(0x0a, &[0]),
                        ber::tlv(0x04, b""),
                        ber::tlv(0x04, b""),
                    ]),
                ),
            ]),
        );
        out.push((t + 1, tcp(me, dc, seq, peer, PSH_ACK, &request)));
        seq += request.len() as u32;
        out.push((t + 12 * S + 1, tcp(dc, me, peer, seq, PSH_ACK, &done)));
        peer += done.len() as u32;
    }
    out.sort_by_key(|(t, _)| *t);
    out
}

/// Every sample's frames on one timeline, 1000 s apart, with the keeper's frames among them;
/// numbered in order, with each sample frame's (sample, number in the sample).
/// Each frame comes with the key logs (pcapng Decryption Secrets Blocks) read before it.
type Timeline = Vec<(Vec<DecryptionSecrets>, Frame)>;

fn timeline(plain: &[(std::path::PathBuf, Vec<Chain>)]) -> (Timeline, HashMap<u64, (usize, u64)>) {
    let start = timeline_start(plain);
    let end = start + SPACING * plain.len() as i64;
    let mut keeper = keeper_frames(start - 10_000_000_000, end)
        .into_iter()
        .peekable();
    let mut frames = Vec::new();
    let mut origin = HashMap::new();
    let push = |frames: &mut Timeline, secrets: Vec<DecryptionSecrets>, mut f: Frame| {
        f.number = frames.len() as u64 + 1;
        frames.push((secrets, f));
    };
    for (k, (path, _)) in plain.iter().enumerate() {
        let mut reader = CaptureReader::open(path).expect("sample opens");
        let mut shift = None;
        while let Some(mut frame) = reader.next_frame() {
            let shift = *shift.get_or_insert(start + SPACING * k as i64 - frame.ts);
            frame.ts += shift;
            while let Some((t, data)) = keeper.next_if(|(t, _)| *t <= frame.ts) {
                push(&mut frames, Vec::new(), ethernet_frame(t, data));
            }
            let number = frame.number;
            push(&mut frames, reader.take_new_secrets(), frame);
            origin.insert(frames.len() as u64, (k, number));
        }
    }
    for (t, data) in keeper {
        push(&mut frames, Vec::new(), ethernet_frame(t, data));
    }
    (frames, origin)
}

fn ethernet_frame(ts: i64, data: Vec<u8>) -> Frame {
    Frame {
        number: 0,
        input: 0,
        ts,
        link_type: 1,
        orig_len: data.len() as u32,
        data,
    }
}

#[test]
fn every_sample_on_one_timeline_streams_the_chains_of_its_plain_run() {
    let plain = samples_with_chains();
    assert!(plain.len() > 30, "the samples with chains: {}", plain.len());
    let (frames, origin) = timeline(&plain);
    let rule = Retirement::from_secs(DEFAULT_RETIRE_AFTER_SECS);
    let opts = ChainOptions::default();
    let mut analyzer = Analyzer::new(&opts, DecodeOptions::default()).with_retirement(rule);
    let mut whole = Analyzer::new(&opts, DecodeOptions::default());
    let mut retired = Vec::new();
    for (secrets, frame) in frames {
        whole.add_decryption_secrets(&secrets);
        analyzer.add_decryption_secrets(&secrets);
        whole.push(frame.clone());
        analyzer.push(frame);
        retired.extend(analyzer.take_retired());
    }
    let mut streamed: Vec<Chain> = Vec::new();
    for batch in &retired {
        for c in &batch.verdicts.chains {
            let first = c.first_frame().expect("a chain has frames");
            assert!(
                batch.clock.get(first).is_some(),
                "the batch's clock times the first frame {first} of {}",
                c.client
            );
        }
        streamed.extend(batch.verdicts.chains.iter().cloned());
    }
    let left_early = streamed.len();
    let rest = analyzer.finish(Vec::new());
    let whole = whole.finish(Vec::new());
    // The keeper stayed to the end and is judged as in a run that retires nobody.
    let keeper = |a: &capdiag::analysis::Analysis| {
        let chain = a.chains.iter().find(|c| c.client == IpAddr::from(KEEPER));
        let session = a
            .directory_sessions
            .iter()
            .find(|s| s.client == IpAddr::from(KEEPER));
        format!("{chain:?} {session:?}")
    };
    assert_eq!(keeper(&rest), keeper(&whole));
    assert!(keeper(&rest).contains("Some"), "{}", keeper(&rest));
    assert!(
        !rest
            .warnings
            .iter()
            .any(|w| w.to_string().contains("without")),
        "{:?}",
        rest.warnings
    );
    streamed.extend(
        rest.chains
            .into_iter()
            .filter(|c| c.client != IpAddr::from(KEEPER)),
    );
    // All but the last sample's clients left while the timeline was read.
    let last_sample_chains = plain.last().map_or(0, |(_, c)| c.len());
    assert!(
        left_early + last_sample_chains >= streamed.len(),
        "{left_early} of {} chains handed out early",
        streamed.len()
    );
    let in_sample = |f: u64| origin.get(&f).copied();
    for (k, (path, want)) in plain.iter().enumerate() {
        let mut got: Vec<Seen> = streamed
            .iter()
            .filter(|c| {
                c.first_frame()
                    .and_then(in_sample)
                    .is_some_and(|(s, _)| s == k)
            })
            .map(|c| seen(c, |f| in_sample(f).map_or(0, |(_, n)| n)))
            .collect();
        let mut want: Vec<Seen> = want.iter().map(|c| seen(c, |f| f)).collect();
        got.sort();
        want.sort();
        assert_eq!(got, want, "sample {k}: {}", path.display());
    }
}

/// The same through the binary: a classic pcap of the Ethernet samples, 1000 s apart.
#[test]
fn the_ndjson_of_a_long_capture_counts_every_samples_chains() {
    let mut bytes = pcap_header(1);
    let mut want = (0usize, 0usize);
    let mut k = 0i64;
    let plain = samples_with_chains();
    let start = timeline_start(&plain);
    for (path, chains) in plain {
        let mut reader = CaptureReader::open(&path).expect("sample opens");
        if reader.file_link_type() != Some(1) || path.extension().is_some_and(|e| e == "pcapng") {
            continue;
        }
        let mut shift = None;
        while let Some(frame) = reader.next_frame() {
            let shift = *shift.get_or_insert(start + SPACING * k - frame.ts);
            pcap_record(&mut bytes, ((frame.ts + shift) / 1000) as u64, &frame.data);
        }
        k += 1;
        want.0 += chains.len();
        want.1 += chains
            .iter()
            .filter(|c| c.status == capdiag::chain::ChainStatus::Broken)
            .count();
    }
    let dir = scratch("streaming-ndjson");
    let file = dir.join("timeline.pcap");
    std::fs::write(&file, &bytes).expect("write the timeline");
    let out = run(&[
        "analyze",
        "--format",
        "ndjson",
        file.to_str().unwrap_or_default(),
    ]);
    let events: Vec<serde_json::Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    let chains = events
        .iter()
        .filter(|e| e["capdiag"]["record"] == "chain")
        .count();
    let last = events.last().expect("a run event");
    assert_eq!(last["capdiag"]["record"], "run");
    let totals = &last["capdiag"]["run"];
    assert_eq!(
        (chains, totals["chains"].as_u64(), totals["broken"].as_u64()),
        (want.0, Some(want.0 as u64), Some(want.1 as u64)),
        "{}",
        out.stderr
    );
    assert_eq!(out.code, 1, "broken chains make exit code 1");
}
