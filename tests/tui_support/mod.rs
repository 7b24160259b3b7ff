//! Helpers of the TUI tests: a tmux server of the test's own driving the real binary (send-keys,
//! capture-pane, polled with a deadline), and captures built for them: a sample split into two
//! files (odd and even frames), and a sample's DNS re-sent from an IPv6 client.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const DEADLINE: Duration = Duration::from_secs(20);
const POLL: Duration = Duration::from_millis(100);

pub fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(name)
}

fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("capdiag-tui-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// One pcap record: its 16-byte header and its data.
type Record = (Vec<u8>, Vec<u8>);

/// A classic little-endian pcap: its file header and its records.
fn records(pcap: &[u8]) -> (Vec<u8>, Vec<Record>) {
    let header = pcap.get(..24).expect("pcap header").to_vec();
    let mut out = Vec::new();
    let mut at = 24;
    while let Some(h) = pcap.get(at..at + 16) {
        let len = u32::from_le_bytes([h[8], h[9], h[10], h[11]]) as usize;
        let data = pcap.get(at + 16..at + 16 + len).expect("whole record");
        out.push((h.to_vec(), data.to_vec()));
        at += 16 + len;
    }
    (header, out)
}

/// Writes `name`'s odd frames to `odd-NAME` and its even frames to `even-NAME`: two captures
/// whose merge is the sample (frame 2k+1 of the sample is frame k+1 of the odd file).
pub fn split_sample(name: &str) -> (PathBuf, PathBuf) {
    let bytes = std::fs::read(sample(name)).expect("sample");
    let (header, recs) = records(&bytes);
    let (mut odd, mut even) = (header.clone(), header);
    for (i, (h, d)) in recs.iter().enumerate() {
        let out = if i % 2 == 0 { &mut odd } else { &mut even };
        out.extend(h);
        out.extend(d);
    }
    let dir = temp_dir();
    let (a, b) = (
        dir.join(format!("odd-{name}")),
        dir.join(format!("even-{name}")),
    );
    std::fs::write(&a, odd).expect("write");
    std::fs::write(&b, even).expect("write");
    (a, b)
}

pub const IPV6_CLIENT: [u8; 16] = [
    0x2a, 0x00, 0x60, 0x20, 0x12, 0x34, 0x56, 0x78, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x9d, 0xc4,
];
const IPV6_DNS: [u8; 16] = [
    0x2a, 0x00, 0x60, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53,
];

/// srv-nxdomain.pcap with its client on IPv6 (2a00:6020:1234:5678:abcd:ef01:2345:9dc4): the
/// same DNS messages in Ethernet/IPv6/UDP frames. A chain broken at dc_locator_dns.
pub fn ipv6_srv_nxdomain() -> PathBuf {
    let bytes = std::fs::read(sample("srv-nxdomain.pcap")).expect("sample");
    let (header, recs) = records(&bytes);
    let mut out = header;
    for (i, (h, d)) in recs.iter().enumerate() {
        // Ethernet (14) + IPv4 (IHL) + UDP (8) → the DNS payload and the ports.
        let ihl = usize::from(d[14] & 0x0f) * 4;
        let udp = &d[14 + ihl..];
        let payload = &udp[8..];
        let (src, dst) = if i % 2 == 0 {
            (IPV6_CLIENT, IPV6_DNS)
        } else {
            (IPV6_DNS, IPV6_CLIENT)
        };
        let mut frame = d[..12].to_vec();
        frame.extend([0x86, 0xdd, 0x60, 0, 0, 0]);
        frame.extend(((8 + payload.len()) as u16).to_be_bytes());
        frame.extend([17, 64]);
        frame.extend(src);
        frame.extend(dst);
        frame.extend(&udp[..4]);
        frame.extend(((8 + payload.len()) as u16).to_be_bytes());
        frame.extend(udp6_checksum(&src, &dst, &udp[..4], payload).to_be_bytes());
        frame.extend(payload);
        out.extend(&h[..8]);
        out.extend((frame.len() as u32).to_le_bytes());
        out.extend((frame.len() as u32).to_le_bytes());
        out.extend(frame);
    }
    let path = temp_dir().join("ipv6-srv-nxdomain.pcap");
    std::fs::write(&path, out).expect("write");
    path
}

fn udp6_checksum(src: &[u8; 16], dst: &[u8; 16], ports: &[u8], payload: &[u8]) -> u16 {
    let len = (8 + payload.len()) as u32;
    let mut data = Vec::new();
    data.extend(src);
    data.extend(dst);
    data.extend(len.to_be_bytes());
    data.extend([0, 0, 0, 17]);
    data.extend(ports);
    data.extend((len as u16).to_be_bytes());
    data.extend([0, 0]);
    data.extend(payload);
    if data.len() % 2 == 1 {
        data.push(0);
    }
    let mut sum: u32 = data
        .chunks(2)
        .map(|c| u32::from(u16::from_be_bytes([c[0], c[1]])))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    match !(sum as u16) {
        0 => 0xffff,
        c => c,
    }
}

/// Whether tmux can be run. Without it the tmux tests skip with a message on stderr; under CI
/// (CI set) they fail instead (.ci/run installs tmux).
pub fn tmux_or_skip(test: &str) -> bool {
    let ok = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "tmux is required under CI (.ci/run installs it)"
        );
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED {test}: tmux is not installed (apt-get install tmux to run this test)"
        );
    }
    ok
}

/// A tmux server of our own (its own socket) running one command in a window of a given size,
/// killed when dropped.
pub struct Tmux {
    socket: String,
}

impl Tmux {
    /// Starts `capdiag ARGS` at `width`×`height`; after it exits the pane shows `EXIT=<code>`.
    pub fn start(name: &str, width: u16, height: u16, args: &[&Path]) -> Tmux {
        let bin = env!("CARGO_BIN_EXE_capdiag");
        let quoted: Vec<String> = args.iter().map(|a| format!("'{}'", a.display())).collect();
        let command = format!(
            "'{bin}' tui {}; echo EXIT=$?; exec sleep 60",
            quoted.join(" ")
        );
        let tmux = Tmux {
            socket: format!("capdiag-{name}-{}", std::process::id()),
        };
        let (w, h) = (width.to_string(), height.to_string());
        let started = tmux.run(&[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            "t",
            "-x",
            &w,
            "-y",
            &h,
            "sh",
            "-c",
            &command,
        ]);
        assert!(started.status.success(), "{started:?}");
        tmux
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs")
    }

    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "t"]).stdout).into_owned()
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend(keys);
        assert!(self.run(&args).status.success());
    }

    /// Polls the screen until `want` holds, or fails with the last screen at the deadline.
    pub fn wait_for(&self, what: &str, want: impl Fn(&str) -> bool) -> String {
        wait_until(what, || self.screen(), want)
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

/// Polls `screen` until `want` holds, or fails with the last screen at the deadline.
pub fn wait_until(what: &str, screen: impl Fn() -> String, want: impl Fn(&str) -> bool) -> String {
    let start = Instant::now();
    loop {
        let screen = screen();
        if want(&screen) {
            return screen;
        }
        assert!(
            start.elapsed() < DEADLINE,
            "timed out waiting for {what}; screen:\n{screen}"
        );
        std::thread::sleep(POLL);
    }
}
