//! Inputs that are not captures, through the real binary: each gives one line on stderr naming
//! the file and the reason, and exit code 2; with several files the readable ones are still
//! analysed and reported, and the exit code is still 2. A capture cut before its first complete
//! packet is one of them.

mod robust_support;

use robust_support::{pcap_header, pcap_record, run, sample, scratch, write};

/// Asserts exit 2 and exactly one stderr line that names `path` and contains `reason`.
fn one_line_error(args: &[&str], path: &str, reason: &str) -> robust_support::Run {
    let r = run(args);
    assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{:?}", r.stderr);
    assert!(
        lines[0].contains(path) && lines[0].contains(reason),
        "{path} / {reason}: {}",
        lines[0]
    );
    r
}

#[test]
fn not_a_capture() {
    let dir = scratch("robust_bad_not_capture");
    let p = write(&dir, "page.html", b"<html><body>hello</body></html>");
    let p = p.to_str().unwrap();
    let r = one_line_error(
        &["analyze", p],
        p,
        "not a capture file (starts with 3c 68 74 6d)",
    );
    assert!(r.stdout.is_empty());
}

#[test]
fn empty_file() {
    let dir = scratch("robust_bad_empty");
    let p = write(&dir, "empty.pcap", b"");
    let p = p.to_str().unwrap();
    one_line_error(&["analyze", p], p, "empty file");
}

#[test]
fn directory() {
    let dir = scratch("robust_bad_dir");
    let p = dir.to_str().unwrap();
    one_line_error(&["analyze", p], p, "is a directory");
}

#[test]
fn missing_and_unreadable_files() {
    let dir = scratch("robust_bad_unreadable");
    let missing = dir.join("missing.pcap");
    let missing = missing.to_str().unwrap();
    one_line_error(&["analyze", missing], missing, "No such file");

    // A symlink loop cannot be opened, even by root.
    let looped = dir.join("loop.pcap");
    std::os::unix::fs::symlink(&looped, &looped).expect("symlink");
    let looped = looped.to_str().unwrap();
    one_line_error(&["analyze", looped], looped, "cannot open");

    // Mode 000: unreadable unless we run as root (who may read anything).
    let locked = write(
        &dir,
        "locked.pcap",
        &std::fs::read(sample("srv-nxdomain.pcap")).unwrap(),
    );
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::File::open(&locked).is_err() {
        let locked = locked.to_str().unwrap();
        one_line_error(&["analyze", locked], locked, "Permission denied");
    }
}

#[test]
fn unknown_link_type() {
    let dir = scratch("robust_bad_linktype");
    // LINKTYPE_IEEE802_11 (105): a real link type capdiag does not decode.
    let mut b = pcap_header(105);
    pcap_record(&mut b, 1, &[0u8; 40]);
    let p = write(&dir, "wifi.pcap", &b);
    let p = p.to_str().unwrap();
    one_line_error(&["analyze", p], p, "unsupported link type 105");
}

#[test]
fn several_files_the_readable_ones_are_still_reported() {
    let dir = scratch("robust_bad_several");
    let junk = write(&dir, "junk.pcap", b"garbage, not a capture");
    let empty = write(&dir, "empty.pcap", b"");
    let good = sample("bind-invalid-credentials.pcap");
    let args = [
        "analyze",
        junk.to_str().unwrap(),
        good.to_str().unwrap(),
        empty.to_str().unwrap(),
    ];
    for format in ["text", "json"] {
        let mut a = args.to_vec();
        a.extend(["--format", format]);
        let r = run(&a);
        assert_eq!(r.code, 2, "{}", r.stderr);
        let lines: Vec<&str> = r.stderr.lines().collect();
        assert_eq!(lines.len(), 2, "{}", r.stderr);
        assert!(lines[0].contains("junk.pcap") && lines[0].contains("not a capture"));
        assert!(lines[1].contains("empty.pcap") && lines[1].contains("empty file"));
        assert!(
            r.stdout.contains("bind-invalid-credentials.pcap"),
            "{}",
            r.stdout
        );
        assert!(r.stdout.contains("invalidCredentials"), "{}", r.stdout);
    }
}

#[test]
fn a_capture_without_one_complete_packet_is_an_input_error() {
    let dir = scratch("robust_bad_no_packet");
    // The 24-byte pcap header and the first 6 bytes of a record header: 30 bytes.
    let mut b = pcap_header(1);
    b.extend([1, 2, 3, 4, 5, 6]);
    assert_eq!(b.len(), 30);
    let p = write(&dir, "cut.pcap", &b);
    let p = p.to_str().unwrap();
    for format in ["text", "json"] {
        let r = one_line_error(
            &["analyze", "--format", format, p],
            p,
            "no complete packet: capture ends mid-packet before the first frame",
        );
        assert!(r.stdout.is_empty(), "{format}: {}", r.stdout);
    }
    // Beside a readable capture: that one is still reported, and the exit code is 2.
    let good = sample("bind-invalid-credentials.pcap");
    let r = run(&["analyze", p, good.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("no complete packet"), "{}", r.stderr);
    assert!(r.stdout.contains("invalidCredentials"), "{}", r.stdout);
    // `check` counts it as an error.
    std::fs::write(format!("{p}.expect.toml"), "chains = 0\n").unwrap();
    let r = run(&["check", p]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stdout.contains("ERROR") && r.stdout.contains("no complete packet"));
    // An intact capture that holds no packet is not damaged: nothing to judge, exit 0.
    let empty = write(&dir, "empty.pcap", &pcap_header(1));
    let r = run(&["analyze", empty.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("0 packets"), "{}", r.stdout);
}
