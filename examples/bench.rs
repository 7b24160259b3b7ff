//! The benchmark: generates (or reuses) large captures of each mode with examples/gencap, runs
//! capdiag on each — and tshark with an equivalent LDAP/DNS field extraction when it is
//! installed — and prints MB/s, packets/s, peak RSS and the ratio; checks that every replayed
//! client got the same verdict as the same client in a plain run of its sample (a chain's
//! status, broken stage and cause; or a directory session; or nothing), and lists on stderr the
//! ones that did not; and times a small sample from process start to exit. Run it through
//! `scripts/bench.sh`, which builds what it needs. A capture whose `.replays` listing predates
//! the per-client listing (two fields a line) is generated again.
//!
//! ```text
//! scripts/bench.sh [--size 1G] [--modes mixed,oneway,dense] [--dir /tmp] [--no-tshark]
//!                  [--chain-every 8K]   (gencap's spacing of replayed chains; dense default 64K)
//!                  [--step-usec 1000]   (gencap's capture time between frames; default 10)
//! ```
//!
//! The NDJSON run streams its verdicts (each client's once it has been quiet for
//! `--retire-after`, 240 s of capture time): its chains are checked against the plain runs
//! too. With the default 10 µs between frames a capture spans seconds and no client leaves
//! before the end; `--step-usec 1000` spreads 1 GiB over more than an hour of capture time,
//! as a server's day looks, and shows the memory of the streamed run staying flat.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use serde_json::Value;

struct Run {
    secs: f64,
    peak_kib: Option<u64>,
    stdout: Vec<u8>,
}

/// Runs a command under /usr/bin/time (for the peak RSS) when it is there.
fn measure(program: &Path, args: &[&str]) -> Result<Run, String> {
    let gnu_time = Path::new("/usr/bin/time");
    let mut cmd = if gnu_time.exists() {
        let mut c = Command::new(gnu_time);
        c.arg("-f").arg("PEAK_KIB=%M").arg(program);
        c
    } else {
        Command::new(program)
    };
    cmd.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
    let start = Instant::now();
    let out = cmd
        .output()
        .map_err(|e| format!("{}: {e}", program.display()))?;
    let secs = start.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let peak_kib = stderr
        .lines()
        .find_map(|l| l.strip_prefix("PEAK_KIB="))
        .and_then(|v| v.trim().parse().ok());
    Ok(Run {
        secs,
        peak_kib,
        stdout: out.stdout,
    })
}

fn warm(path: &Path) -> std::io::Result<u64> {
    let mut f = std::fs::File::open(path)?;
    std::io::copy(&mut f, &mut std::io::sink())
}

/// What a run concluded about one client: a chain's (status, broken_at, cause), or
/// ("directory session", "", "") for a client with directory traffic that is not a chain.
type Verdict = (String, String, String);

/// The verdict of every client, by client address.
fn verdicts(doc: &Value) -> HashMap<String, Verdict> {
    let s = |v: &Value| v.as_str().unwrap_or("").to_string();
    let mut out = HashMap::new();
    for d in doc["directory_sessions"].as_array().into_iter().flatten() {
        out.insert(
            s(&d["client"]),
            ("directory session".into(), String::new(), String::new()),
        );
    }
    for c in doc["chains"].as_array().into_iter().flatten() {
        out.insert(
            s(&c["client"]),
            (s(&c["status"]), s(&c["broken_at"]), s(&c["cause"]["code"])),
        );
    }
    out
}

/// The chains of an NDJSON run by client address; a client judged twice (it came back after
/// it had left) has `("judged twice", ..)`.
fn ndjson_verdicts(out: &[u8]) -> HashMap<String, Verdict> {
    let s = |v: &Value| v.as_str().unwrap_or("").to_string();
    let mut found: HashMap<String, Verdict> = HashMap::new();
    for line in out.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        let Ok(e) = serde_json::from_slice::<Value>(line) else {
            continue;
        };
        let c = &e["capdiag"];
        if c["record"] != "chain" {
            continue;
        }
        let v = (s(&c["status"]), s(&c["broken_at"]), s(&c["cause"]["code"]));
        found
            .entry(s(&e["source"]["ip"]))
            .and_modify(|old| *old = ("judged twice".into(), String::new(), String::new()))
            .or_insert(v);
    }
    found
}

/// How many replayed clients got the verdict of their sample's plain run (`want` picks what a
/// run shows of a plain verdict), with the differences counted by sample client on stderr.
fn compare(
    label: &str,
    listing: &str,
    plain: &HashMap<String, HashMap<String, Verdict>>,
    found: &HashMap<String, Verdict>,
    want: impl Fn(Option<&Verdict>) -> Option<&Verdict>,
) -> (u32, u32) {
    let (mut same, mut total) = (0, 0);
    let mut differ: HashMap<(String, String), (u32, String)> = HashMap::new();
    for line in listing.lines() {
        let [client, sample, original] = line.split_whitespace().collect::<Vec<_>>()[..] else {
            continue;
        };
        total += 1;
        let want = want(plain.get(sample).and_then(|v| v.get(original)));
        let got = found.get(client);
        if got == want {
            same += 1;
        } else {
            let e = differ
                .entry((sample.to_string(), original.to_string()))
                .or_insert((
                    0,
                    format!("plain {want:?}, replayed {got:?} (first: {client})"),
                ));
            e.0 += 1;
        }
    }
    let mut differ: Vec<_> = differ.into_iter().collect();
    differ.sort();
    for ((sample, original), (n, how)) in differ {
        eprintln!("bench: {label}: {n} replays of {sample} client {original} differ: {how}");
    }
    (same, total)
}

/// Whether `listing` is the per-client one: `<address> <sample> <address in the sample>`.
fn per_client_listing(listing: &str) -> bool {
    listing.lines().all(|l| l.split_whitespace().count() == 3)
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn main() {
    if let Err(e) = run() {
        eprintln!("bench: {e}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), String> {
    let mut size = "1G".to_string();
    let mut modes = "mixed,oneway,dense".to_string();
    let mut dir = std::env::temp_dir();
    let mut tshark = true;
    let mut chain_every: Option<String> = None;
    let mut step_usec: Option<String> = None;
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        match k.as_str() {
            "--size" => size = it.next().ok_or("--size needs a value")?,
            "--modes" => modes = it.next().ok_or("--modes needs a value")?,
            "--dir" => dir = PathBuf::from(it.next().ok_or("--dir needs a value")?),
            "--no-tshark" => tshark = false,
            "--chain-every" => chain_every = Some(it.next().ok_or("--chain-every needs a value")?),
            "--step-usec" => step_usec = Some(it.next().ok_or("--step-usec needs a value")?),
            _ => return Err(format!("unknown argument {k}")),
        }
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let release = root.join("target/release");
    let capdiag = release.join("capdiag");
    let gencap = release.join("examples/gencap");
    let tshark_bin = Path::new("/usr/bin/tshark");
    let tshark = tshark && tshark_bin.exists();

    // Plain runs of every sample: the verdicts the replayed copies must reproduce, by sample
    // and client.
    let mut plain: HashMap<String, HashMap<String, Verdict>> = HashMap::new();
    for entry in std::fs::read_dir(root.join("samples")).map_err(|e| e.to_string())? {
        let p = entry.map_err(|e| e.to_string())?.path();
        if p.extension().is_some_and(|e| e == "pcap") {
            let out = measure(
                &capdiag,
                &[
                    "analyze",
                    "--format",
                    "json",
                    p.to_str().unwrap_or_default(),
                ],
            )?;
            let doc: Value = serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())?;
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            plain.insert(name, verdicts(&doc));
        }
    }

    println!(
        "| mode | file | packets | capdiag s | MB/s | packets/s | peak RSS | chains same as plain run | tshark s | tshark MB/s | tshark RSS | speed-up |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for mode in modes.split(',') {
        let spacing = chain_every
            .as_ref()
            .map(|c| format!("-every{c}"))
            .unwrap_or_default()
            + &step_usec
                .as_ref()
                .map(|u| format!("-step{u}us"))
                .unwrap_or_default();
        let file = dir.join(format!("capdiag-bench-{mode}-{size}{spacing}.pcap"));
        let listing_path = file.with_extension("pcap.replays");
        let stale = std::fs::read_to_string(&listing_path).is_ok_and(|l| !per_client_listing(&l));
        if stale {
            eprintln!(
                "bench: {} lists one address per replay (an older gencap): generating {} again",
                listing_path.display(),
                file.display()
            );
        }
        if !file.exists() || !listing_path.exists() || stale {
            let status = Command::new(&gencap)
                .args(["--mode", mode, "--size", &size, "--out"])
                .arg(&file)
                .arg("--samples")
                .arg(root.join("samples"))
                .args(
                    chain_every
                        .iter()
                        .flat_map(|c| ["--chain-every".to_string(), c.clone()]),
                )
                .args(
                    step_usec
                        .iter()
                        .flat_map(|u| ["--step-usec".to_string(), u.clone()]),
                )
                .status()
                .map_err(|e| format!("{}: {e}", gencap.display()))?;
            if !status.success() {
                return Err(format!("gencap failed for {mode}"));
            }
        }
        let bytes = warm(&file).map_err(|e| e.to_string())?;
        let path = file.to_str().unwrap_or_default();
        let run = measure(&capdiag, &["analyze", "--format", "json", path])?;
        let doc: Value =
            serde_json::from_slice(&run.stdout).map_err(|e| format!("capdiag output: {e}"))?;
        let packets = doc["inputs"][0]["packets"].as_u64().unwrap_or(0);
        let found = verdicts(&doc);
        let listing = std::fs::read_to_string(&listing_path).map_err(|e| e.to_string())?;
        let (same, total) = compare(mode, &listing, &plain, &found, |v| v);
        let mbps = mib(bytes) / run.secs;
        let rss = run.peak_kib.map_or("n/a".to_string(), |k| {
            format!("{:.1} MiB", k as f64 / 1024.0)
        });
        let (ts, tmbps, trss, ratio) = if tshark {
            let t = measure(
                tshark_bin,
                &[
                    "-r",
                    path,
                    "-Y",
                    "ldap.protocolOp == 3 || dns.srv.target",
                    "-T",
                    "fields",
                    "-e",
                    "frame.number",
                    "-e",
                    "ldap.baseObject",
                    "-e",
                    "ldap.AttributeDescription",
                    "-e",
                    "dns.srv.target",
                ],
            )?;
            let trss = t.peak_kib.map_or("n/a".to_string(), |k| {
                format!("{:.0} MiB", k as f64 / 1024.0)
            });
            (
                format!("{:.1}", t.secs),
                format!("{:.0}", mib(bytes) / t.secs),
                trss,
                format!("{:.0}×", t.secs / run.secs),
            )
        } else {
            ("-".into(), "-".into(), "-".into(), "-".into())
        };
        println!(
            "| {mode} | {:.0} MiB | {packets} | {:.2} | {mbps:.0} | {:.0} | {rss} | {same}/{total} | {ts} | {tmbps} | {trss} | {ratio} |",
            mib(bytes),
            run.secs,
            packets as f64 / run.secs
        );
        // The other output formats on the same file (no verdict check: same analysis).
        for format in ["ndjson", "text"] {
            let r = measure(&capdiag, &["analyze", "--format", format, path])?;
            let rss = r.peak_kib.map_or("n/a".to_string(), |k| {
                format!("{:.1} MiB", k as f64 / 1024.0)
            });
            // The streamed verdicts: a chain for each client whose plain verdict is one.
            let checked = if format == "ndjson" {
                let found = ndjson_verdicts(&r.stdout);
                let label = format!("{mode} ndjson");
                let (same, total) = compare(&label, &listing, &plain, &found, |v| {
                    v.filter(|v| v.0 != "directory session")
                });
                format!("{same}/{total}")
            } else {
                String::new()
            };
            println!(
                "|   {mode} --format {format} | | | {:.2} | {:.0} | | {rss} | {checked} | | | | |",
                r.secs,
                mib(bytes) / r.secs
            );
        }
    }

    // Time to verdict: process start to exit on a small sample, median of 21 runs.
    let sample = root.join("samples/tls-untrusted.pcap");
    let mut times: Vec<f64> = (0..21)
        .map(|_| {
            measure(&capdiag, &["analyze", sample.to_str().unwrap_or_default()]).map(|r| r.secs)
        })
        .collect::<Result<_, _>>()?;
    times.sort_by(f64::total_cmp);
    println!(
        "\ntime to verdict (samples/tls-untrusted.pcap, median of 21): {:.1} ms",
        times[10] * 1000.0
    );
    Ok(())
}
