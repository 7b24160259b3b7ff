//! `analyze --follow -` over a pipe: a stage line for an early frame comes out while the input
//! is still open, and the report at the end is the file analysis of the same capture.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// Bound on every wait in this test (never asserted: only a hang fails it).
const DEADLINE: Duration = Duration::from_secs(60);

const SAMPLE: &str = "samples/https-timeout.pcap";

fn capdiag() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_capdiag"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

/// The classic pcap file split into its global header and its packet records.
fn records(bytes: &[u8]) -> (&[u8], Vec<&[u8]>) {
    let (header, mut rest) = bytes.split_at(24);
    let mut out = Vec::new();
    while rest.len() >= 16 {
        let incl = u32::from_le_bytes(rest[8..12].try_into().unwrap()) as usize;
        let (rec, tail) = rest.split_at(16 + incl);
        out.push(rec);
        rest = tail;
    }
    (header, out)
}

/// Lines of the child's stdout, as they come, on a channel.
fn lines_of(child: &mut Child) -> Receiver<String> {
    let out = child.stdout.take().expect("stdout piped");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Reads lines until one satisfies `want` (returned with the lines before it); None at the end
/// of output. Panics past the deadline.
fn read_until(
    rx: &Receiver<String>,
    seen: &mut Vec<String>,
    want: impl Fn(&str) -> bool,
) -> Option<String> {
    let deadline = Instant::now() + DEADLINE;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) => {
                seen.push(line.clone());
                if want(&line) {
                    return Some(line);
                }
            }
            Err(RecvTimeoutError::Disconnected) => return None,
            Err(RecvTimeoutError::Timeout) => panic!("no such line before the deadline: {seen:?}"),
        }
    }
}

fn wait_bounded(child: &mut Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + DEADLINE;
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("capdiag did not exit before the deadline");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn follow_prints_stages_before_the_input_ends_and_the_file_verdict_at_the_end() {
    let bytes = std::fs::read(format!("{}/{SAMPLE}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let (header, recs) = records(&bytes);
    assert_eq!(recs.len(), 66);

    let mut child = capdiag()
        .args(["analyze", "--follow", "--color", "never", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("capdiag starts");
    let rx = lines_of(&mut child);
    let mut stdin = child.stdin.take().expect("stdin piped");

    // The header and the SRV query and answer (frames 1 and 2) only.
    stdin.write_all(header).unwrap();
    for r in &recs[..2] {
        stdin.write_all(r).unwrap();
    }
    stdin.flush().unwrap();
    let mut seen = Vec::new();
    let ok = "[stage]   10.99.0.2 dc_locator_dns: ok (frames 1 2)";
    read_until(&rx, &mut seen, |l| l == ok).expect("the stage line while the input is still open");
    // Before it, at most the query seen alone (when frame 1 was judged before frame 2 came).
    let waiting = "[stage]   10.99.0.2 dc_locator_dns: waiting for an answer (frames 1)";
    assert!(
        seen[..seen.len() - 1].iter().all(|l| l == waiting),
        "{seen:?}"
    );

    // The rest in small chunks, then end of input.
    for chunk in recs[2..].chunks(5) {
        for r in chunk {
            stdin.write_all(r).unwrap();
        }
        stdin.flush().unwrap();
    }
    drop(stdin);
    let verdict =
        read_until(&rx, &mut seen, |l| l.starts_with("[verdict]")).expect("a verdict line");
    assert_eq!(
        verdict,
        "[verdict] 10.99.0.2 broken at https_connect: tcp.no_answer (frames 52 53 54)"
    );
    while read_until(&rx, &mut seen, |_| false).is_some() {}
    let status = wait_bounded(&mut child);

    // The report after the event lines is the file analysis, but for the input's name.
    let file = capdiag()
        .args(["analyze", "--color", "never", SAMPLE])
        .output()
        .expect("capdiag runs");
    let expected = String::from_utf8_lossy(&file.stdout).replace(SAMPLE, "<stdin>");
    let report_start = seen
        .iter()
        .position(String::is_empty)
        .expect("a blank line before the report");
    let report: String = seen[report_start + 1..]
        .iter()
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(report, expected);
    assert_eq!(status.code(), file.status.code());
    assert_eq!(status.code(), Some(1));
}

#[test]
fn live_without_the_feature_says_how_to_build_it() {
    if cfg!(feature = "live") {
        return;
    }
    let o = capdiag()
        .args(["live", "-i", "lo"])
        .output()
        .expect("capdiag runs");
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--features live"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}
