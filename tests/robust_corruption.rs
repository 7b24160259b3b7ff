//! Corruption tests over the real lab samples: every truncation point (every Nth byte for the
//! larger files) and 200 seeded byte-flip variants per sample. The library must never panic, a
//! truncated capture still reports the frames before the cut with a "capture ends mid-packet"
//! warning, and a few variants go through the real binary, which exits 0, 1 or 2.

mod robust_support;

use robust_support::{Rng, analyze_bytes, run, samples, scratch, write};

/// Truncation points tried per sample at most (every byte for small samples).
const MAX_CUTS_PER_SAMPLE: usize = 300;
/// Byte-flip variants per sample.
const FLIP_VARIANTS: u64 = 200;

/// The bytes of the file header: 24 for pcap, the first block's length for pcapng (little-
/// endian, as the lab's editcap writes it).
fn file_header_len(bytes: &[u8]) -> usize {
    match bytes {
        [0x0a, 0x0d, 0x0d, 0x0a, a, b, c, d, ..] => u32::from_le_bytes([*a, *b, *c, *d]) as usize,
        _ => 24,
    }
}

/// Frames in a capture as read cleanly.
fn frames(bytes: &[u8]) -> u64 {
    analyze_bytes(bytes).map_or(0, |a| a.inputs[0].packets)
}

#[test]
fn every_truncation_keeps_what_came_before_and_says_it_was_cut() {
    for path in samples() {
        let bytes = std::fs::read(&path).expect("read sample");
        let whole = frames(&bytes);
        assert!(whole > 0, "{}", path.display());
        let step = bytes.len().div_ceil(MAX_CUTS_PER_SAMPLE).max(1);
        let mut last_frames = 0;
        // Cutting inside the file header (pcap's 24 bytes, a pcapng's section header block)
        // leaves no capture at all (exit-2 errors, tested through the binary below); every
        // later cut is a readable capture.
        for cut in (file_header_len(&bytes)..bytes.len()).step_by(step) {
            let a = analyze_bytes(&bytes[..cut])
                .unwrap_or_else(|| panic!("{} cut at {cut}: not readable", path.display()));
            let info = &a.inputs[0];
            assert!(info.packets <= whole);
            assert!(
                info.packets >= last_frames,
                "fewer frames after a later cut"
            );
            last_frames = info.packets;
            let at_boundary = info.warnings.is_empty();
            if !at_boundary {
                let w = info.warnings[0].to_string();
                assert!(
                    w.starts_with("capture ends mid-packet"),
                    "{} cut at {cut}: {w}",
                    path.display()
                );
                let place = if info.packets == 0 {
                    "before the first frame".to_string()
                } else {
                    format!("after frame {}", info.packets)
                };
                assert!(w.contains(&place), "{w}");
            }
        }
    }
}

#[test]
fn a_cut_in_the_middle_of_a_record_reports_the_frames_before_it() {
    let path = robust_support::sample("complete.pcap");
    let bytes = std::fs::read(&path).expect("read sample");
    // Walk the records to find where frame 10 ends, and cut 5 bytes into frame 11.
    let mut at = 24;
    for _ in 0..10 {
        let caplen = u32::from_le_bytes(bytes[at + 8..at + 12].try_into().unwrap()) as usize;
        at += 16 + caplen;
    }
    let a = analyze_bytes(&bytes[..at + 5]).expect("readable");
    assert_eq!(a.inputs[0].packets, 10);
    assert_eq!(
        a.inputs[0]
            .warnings
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        vec!["capture ends mid-packet after frame 10 (truncated file?)".to_string()]
    );
    // what came before is analysed: the DC locator DNS exchange of frames 1..
    assert!(!a.exchanges.dns.is_empty());
    // and the binary says so in every format
    let dir = scratch("robust_corruption_mid_record");
    let p = write(&dir, "cut.pcap", &bytes[..at + 5]);
    for format in ["text", "json"] {
        let r = run(&["analyze", "--format", format, p.to_str().unwrap()]);
        assert!(matches!(r.code, 0 | 1), "{format}: {}", r.stderr);
        assert!(
            r.stdout
                .contains("capture ends mid-packet after frame 10 (truncated file?)"),
            "{format}: {}",
            r.stdout
        );
    }
}

#[test]
fn seeded_byte_flips_never_panic() {
    for (n, path) in samples().iter().enumerate() {
        let bytes = std::fs::read(path).expect("read sample");
        for v in 0..FLIP_VARIANTS {
            let mut rng = Rng::new((n as u64) << 32 | v);
            let mut b = bytes.clone();
            let flips = 1 + rng.below(8);
            for _ in 0..flips {
                let i = rng.below(b.len());
                b[i] ^= 1 << rng.below(8);
            }
            // Either an error (header destroyed) or an analysis; never a panic.
            let _ = analyze_bytes(&b);
        }
    }
}

#[test]
fn the_binary_exits_0_1_or_2_on_truncated_and_flipped_samples() {
    let dir = scratch("robust_corruption_bin");
    for (n, path) in samples().iter().enumerate().step_by(3) {
        let bytes = std::fs::read(path).expect("read sample");
        let mut rng = Rng::new(n as u64);
        let mut flipped = bytes.clone();
        for _ in 0..16 {
            let i = rng.below(flipped.len());
            flipped[i] = rng.next() as u8;
        }
        let cut = 24 + rng.below(bytes.len() - 24);
        let cases = [
            ("flipped.pcap", flipped),
            ("cut.pcap", bytes[..cut].to_vec()),
            ("header-cut.pcap", bytes[..10].to_vec()),
        ];
        for (name, b) in cases {
            let p = write(&dir, name, &b);
            for format in ["text", "json"] {
                let r = run(&["analyze", "--format", format, p.to_str().unwrap()]);
                assert!(
                    matches!(r.code, 0..=2),
                    "{} {name}: exit {}",
                    path.display(),
                    r.code
                );
                assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
            }
        }
        let r = run(&["analyze", dir.join("cut.pcap").to_str().unwrap()]);
        if r.code != 2 {
            assert!(r.stdout.contains("Capture"), "{}", r.stdout);
        }
    }
}
