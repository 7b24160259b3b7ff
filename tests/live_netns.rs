//! `capdiag live` for real (feature `live`): a sample is replayed with tcpreplay onto one end of
//! a veth pair inside a network namespace this test creates, `capdiag live` listens on the other
//! end, and its verdict must be the file analysis of the same sample. Needs root, `ip` and
//! `tcpreplay`: skipped with the reason when one is missing, but with CI set that fails instead.
//! Nothing is sent outside the namespace; it is deleted (with its veths) however the test ends.
#![cfg(feature = "live")]

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

/// Bound on every wait (never asserted: only a hang fails the test).
const DEADLINE: Duration = Duration::from_secs(60);

const SAMPLE: &str = "samples/bind-invalid-credentials.pcap";

/// Skips (prints why) or, under CI, fails.
fn unavailable(why: &str) {
    if std::env::var_os("CI").is_some() {
        panic!("live_netns cannot run under CI: {why}");
    }
    eprintln!("skipped live_netns: {why}");
}

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// A network namespace, deleted on drop (which removes the veth pair inside it).
struct Netns(String);

impl Netns {
    fn run(&self, args: &[&str]) {
        let status = Command::new("ip")
            .args(["netns", "exec", &self.0])
            .args(args)
            .status()
            .expect("ip runs");
        assert!(status.success(), "ip netns exec {} {args:?}", self.0);
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.0]).status();
    }
}

/// Kills the child on drop unless it was waited for.
struct Reaped(Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        if self.0.try_wait().ok().flatten().is_none() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

fn wait_bounded(child: &mut Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + DEADLINE;
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        assert!(Instant::now() < deadline, "capdiag live did not stop");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The verdict line of a text report ("Client ... : BROKEN at ldap_bind").
fn verdict_lines(report: &str) -> Vec<String> {
    report
        .lines()
        .filter(|l| l.starts_with("Client "))
        .map(str::to_string)
        .collect()
}

#[test]
fn live_capture_in_a_namespace_gives_the_file_verdict() {
    if !is_root() {
        return unavailable("needs root (network namespaces)");
    }
    for tool in ["ip", "tcpreplay"] {
        if !have(tool) {
            return unavailable(&format!("{tool} is not installed"));
        }
    }
    let root = env!("CARGO_MANIFEST_DIR");
    let ns = Netns(format!("capdiag-live-{}", std::process::id()));
    let status = Command::new("ip")
        .args(["netns", "add", &ns.0])
        .status()
        .expect("ip runs");
    assert!(status.success(), "ip netns add");
    ns.run(&[
        "ip", "link", "add", "cdlsend", "type", "veth", "peer", "name", "cdlrecv",
    ]);
    ns.run(&["ip", "link", "set", "cdlsend", "up"]);
    ns.run(&["ip", "link", "set", "cdlrecv", "up"]);

    let written = std::env::temp_dir().join(format!("capdiag-live-{}.pcap", std::process::id()));
    let written_arg = written.to_string_lossy().into_owned();
    let mut live = Reaped(
        Command::new("ip")
            .args(["netns", "exec", &ns.0, env!("CARGO_BIN_EXE_capdiag")])
            .args([
                "live",
                "-i",
                "cdlrecv",
                "--color",
                "never",
                "--duration",
                "50",
            ])
            .args(["--write", &written_arg])
            .current_dir(root)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("capdiag live starts"),
    );
    // Wait until it listens (it says so on stderr), then replay.
    let stderr = live.0.stderr.take().expect("stderr piped");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + DEADLINE;
    loop {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(l) if l.contains("listening on cdlrecv") => break,
            Ok(_) => {}
            Err(RecvTimeoutError::Timeout) => panic!("capdiag live never listened"),
            Err(RecvTimeoutError::Disconnected) => panic!("capdiag live ended before listening"),
        }
    }
    let stdout = live.0.stdout.take().expect("stdout piped");
    let (out_tx, out_rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if out_tx.send(line).is_err() {
                break;
            }
        }
    });
    ns.run(&[
        "tcpreplay",
        "-q",
        "--topspeed",
        "-i",
        "cdlsend",
        &format!("{root}/{SAMPLE}"),
    ]);
    // The verdict line comes as the packets are seen; then Ctrl-C for the report.
    let mut seen = Vec::new();
    loop {
        match out_rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(l) => {
                let done = l.starts_with("[verdict]");
                seen.push(l);
                if done {
                    break;
                }
            }
            Err(e) => panic!("no verdict line ({e:?}): {seen:?}"),
        }
    }
    let pid = live.0.id().to_string();
    // `ip netns exec` runs capdiag in its own process (exec), so the signal reaches it.
    let _ = Command::new("kill").args(["-INT", &pid]).status();
    let status = wait_bounded(&mut live.0);
    while let Ok(l) = out_rx.recv_timeout(Duration::from_secs(5)) {
        seen.push(l);
    }
    let mut err_rest = String::new();
    if let Some(mut e) = live.0.stderr.take() {
        let _ = e.read_to_string(&mut err_rest);
    }

    let file = Command::new(env!("CARGO_BIN_EXE_capdiag"))
        .args(["analyze", "--color", "never", SAMPLE])
        .current_dir(root)
        .output()
        .expect("capdiag runs");
    let expected = verdict_lines(&String::from_utf8_lossy(&file.stdout));
    let report = seen.join("\n");
    assert_eq!(verdict_lines(&report), expected, "{report}");
    assert_eq!(status.code(), file.status.code(), "{report}");
    assert!(
        seen.iter().any(
            |l| l == "[verdict] 10.99.0.2 broken at ldap_bind: ldap.bind_failed (frames 12 14)"
        ),
        "{report}"
    );

    // --write kept every packet: the written file judges the same.
    let again = Command::new(env!("CARGO_BIN_EXE_capdiag"))
        .args(["analyze", "--color", "never", &written_arg])
        .output()
        .expect("capdiag runs");
    let _ = std::fs::remove_file(&written);
    assert_eq!(
        verdict_lines(&String::from_utf8_lossy(&again.stdout)),
        expected
    );
}
