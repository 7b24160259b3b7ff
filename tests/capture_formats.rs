//! Integration tests for the capture stage: small capture files written byte by byte into a temp
//! directory, read back through the public API.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use capdiag::capture::{
    CaptureReader, Frame, InputWarning, MergedCapture, Place, READ_CHUNK_BYTES,
};

// ---------- tiny writers ----------

/// One packet to write: seconds, fraction (in the file's units), captured bytes, original length.
struct Rec {
    sec: u32,
    frac: u32,
    data: Vec<u8>,
    orig: u32,
}

fn rec(sec: u32, frac: u32, data: &[u8]) -> Rec {
    Rec {
        sec,
        frac,
        data: data.to_vec(),
        orig: data.len() as u32,
    }
}

fn u16b(v: u16, be: bool) -> [u8; 2] {
    if be { v.to_be_bytes() } else { v.to_le_bytes() }
}
fn u32b(v: u32, be: bool) -> [u8; 4] {
    if be { v.to_be_bytes() } else { v.to_le_bytes() }
}

fn pcap(nanos: bool, be: bool, linktype: u32, recs: &[Rec]) -> Vec<u8> {
    let magic = if nanos { 0xa1b2_3c4d } else { 0xa1b2_c3d4 };
    let mut out = Vec::new();
    out.extend(u32b(magic, be));
    out.extend(u16b(2, be));
    out.extend(u16b(4, be));
    out.extend(u32b(0, be));
    out.extend(u32b(0, be));
    out.extend(u32b(65535, be));
    out.extend(u32b(linktype, be));
    for r in recs {
        out.extend(u32b(r.sec, be));
        out.extend(u32b(r.frac, be));
        out.extend(u32b(r.data.len() as u32, be));
        out.extend(u32b(r.orig, be));
        out.extend(&r.data);
    }
    out
}

/// A pcapng writer for one byte order at a time (a new section may switch it).
struct Ng {
    be: bool,
    out: Vec<u8>,
}

fn pad4(v: &mut Vec<u8>) {
    while !v.len().is_multiple_of(4) {
        v.push(0);
    }
}

impl Ng {
    fn new() -> Self {
        Ng {
            be: false,
            out: Vec::new(),
        }
    }
    fn block(&mut self, btype: u32, body: &[u8]) -> &mut Self {
        let mut body = body.to_vec();
        pad4(&mut body);
        let len = 12 + body.len() as u32;
        self.out.extend(u32b(btype, self.be));
        self.out.extend(u32b(len, self.be));
        self.out.extend(body);
        self.out.extend(u32b(len, self.be));
        self
    }
    fn shb(&mut self, be: bool) -> &mut Self {
        self.be = be;
        let mut body = Vec::new();
        body.extend(u32b(0x1a2b_3c4d, be));
        body.extend(u16b(1, be));
        body.extend(u16b(0, be));
        body.extend((-1i64).to_le_bytes());
        self.block(0x0a0d_0d0a, &body)
    }
    fn idb(
        &mut self,
        linktype: u16,
        snaplen: u32,
        tsresol: Option<u8>,
        tsoffset: Option<i64>,
    ) -> &mut Self {
        let be = self.be;
        let mut body = Vec::new();
        body.extend(u16b(linktype, be));
        body.extend(u16b(0, be));
        body.extend(u32b(snaplen, be));
        if let Some(r) = tsresol {
            body.extend(u16b(9, be));
            body.extend(u16b(1, be));
            body.extend([r, 0, 0, 0]);
        }
        if let Some(o) = tsoffset {
            body.extend(u16b(14, be));
            body.extend(u16b(8, be));
            body.extend(if be { o.to_be_bytes() } else { o.to_le_bytes() });
        }
        if tsresol.is_some() || tsoffset.is_some() {
            body.extend([0, 0, 0, 0]); // opt_endofopt
        }
        self.block(1, &body)
    }
    fn epb(&mut self, if_id: u32, ts: u64, data: &[u8], orig: u32) -> &mut Self {
        let be = self.be;
        let mut body = Vec::new();
        body.extend(u32b(if_id, be));
        body.extend(u32b((ts >> 32) as u32, be));
        body.extend(u32b(ts as u32, be));
        body.extend(u32b(data.len() as u32, be));
        body.extend(u32b(orig, be));
        body.extend(data);
        self.block(6, &body)
    }
    fn spb(&mut self, data: &[u8], orig: u32) -> &mut Self {
        let mut body = Vec::new();
        body.extend(u32b(orig, self.be));
        body.extend(data);
        self.block(3, &body)
    }
    fn pb(&mut self, if_id: u16, ts: u64, data: &[u8]) -> &mut Self {
        let be = self.be;
        let mut body = Vec::new();
        body.extend(u16b(if_id, be));
        body.extend(u16b(0, be));
        body.extend(u32b((ts >> 32) as u32, be));
        body.extend(u32b(ts as u32, be));
        body.extend(u32b(data.len() as u32, be));
        body.extend(u32b(data.len() as u32, be));
        body.extend(data);
        self.block(2, &body)
    }
}

fn gzip(b: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(b).unwrap();
    e.finish().unwrap()
}

fn zstd(b: &[u8]) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(b, ruzstd::encoding::CompressionLevel::Fastest)
}

/// A fresh directory under the system temp dir, removed when dropped.
struct TempDir(PathBuf);
impl TempDir {
    fn new() -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let p = std::env::temp_dir().join(format!(
            "capdiag-capture-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }
}
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn read_all(path: &Path) -> (Vec<Frame>, CaptureReader) {
    let mut r = CaptureReader::open(path).unwrap();
    let mut frames = Vec::new();
    while let Some(f) = r.next_frame() {
        frames.push(f);
    }
    (frames, r)
}

// ---------- classic pcap ----------

#[test]
fn pcap_all_four_magics() {
    let dir = TempDir::new();
    for (nanos, be) in [(false, false), (false, true), (true, false), (true, true)] {
        let file = pcap(
            nanos,
            be,
            1,
            &[
                rec(1_700_000_000, 5, b"first"),
                rec(1_700_000_001, 999_999, b"second!"),
            ],
        );
        let path = dir.write(&format!("t-{nanos}-{be}.pcap"), &file);
        let (frames, r) = read_all(&path);
        let unit = if nanos { 1 } else { 1000 };
        assert_eq!(r.info().format, if nanos { "pcap-ns" } else { "pcap" });
        assert_eq!(r.info().packets, 2);
        assert!(r.info().warnings.is_empty());
        assert_eq!(frames.len(), 2);
        assert_eq!(frames[0].number, 1);
        assert_eq!(frames[1].number, 2);
        assert_eq!(frames[0].ts, 1_700_000_000_000_000_000 + 5 * unit);
        assert_eq!(frames[1].ts, 1_700_000_001_000_000_000 + 999_999 * unit);
        assert_eq!(frames[0].link_type, 1);
        assert_eq!(frames[0].data, b"first");
        assert_eq!(frames[1].data, b"second!");
        assert_eq!(frames[1].orig_len, 7);
    }
}

#[test]
fn pcap_keeps_snaplen_cut_and_original_length() {
    let dir = TempDir::new();
    let mut r0 = rec(10, 0, b"abcd");
    r0.orig = 1500;
    let path = dir.write("cut.pcap", &pcap(false, false, 101, &[r0]));
    let (frames, _) = read_all(&path);
    assert_eq!(frames[0].orig_len, 1500);
    assert_eq!(frames[0].data, b"abcd");
    assert_eq!(frames[0].link_type, 101);
}

// ---------- pcapng ----------

/// Two sections (LE then BE), three interfaces, every packet block kind, blocks to skip.
fn two_section_pcapng() -> Vec<u8> {
    let mut ng = Ng::new();
    ng.shb(false)
        .idb(1, 0, None, None) // Ethernet, microseconds
        .idb(101, 4, Some(9), None) // raw IP, nanoseconds, snaplen 4
        .epb(0, 1_600_000_000_000_001, b"eth-frame", 60)
        .block(4, &[0, 0, 0, 0]) // name resolution block: skipped
        .epb(1, 1_600_000_000_000_000_123, b"raw", 3)
        .block(5, &[0; 16]) // interface statistics: skipped
        .spb(b"simple-pkt", 10) // interface 0, no timestamp of its own
        .pb(1, 1_600_000_001_000_000_000, b"old")
        .block(0x0000_0bad, &[1, 2, 3, 4]) // custom block: numbered by Wireshark, no packet
        .shb(true)
        .idb(113, 0, Some(0x80 | 10), Some(100)) // SLL, 2^-10 s, +100 s
        .epb(0, 1024 * 5 + 512, b"be-sll", 6);
    ng.out
}

#[test]
fn pcapng_sections_interfaces_and_block_kinds() {
    let dir = TempDir::new();
    let path = dir.write("multi.pcapng", &two_section_pcapng());
    let (frames, r) = read_all(&path);
    assert_eq!(r.info().format, "pcapng");
    assert!(r.info().warnings.is_empty(), "{:?}", r.info().warnings);
    let got: Vec<(u64, i64, u32, &[u8], u32)> = frames
        .iter()
        .map(|f| (f.number, f.ts, f.link_type, f.data.as_slice(), f.orig_len))
        .collect();
    assert_eq!(
        got,
        vec![
            (1, 1_600_000_000_000_001_000, 1, &b"eth-frame"[..], 60),
            (2, 1_600_000_000_000_000_123, 101, &b"raw"[..], 3),
            // SPB: interface 0, reuses the previous timestamp, cut to the interface snaplen (0 = none)
            (3, 1_600_000_000_000_000_123, 1, &b"simple-pkt"[..], 10),
            (4, 1_600_000_001_000_000_000, 101, &b"old"[..], 3),
            // 5.5 s at 2^-10 resolution, plus if_tsoffset 100 s, big-endian section
            // frame 5 is the custom block, which Wireshark numbers too
            (6, 105_500_000_000, 113, &b"be-sll"[..], 6),
        ]
    );
    assert_eq!(r.info().packets, 6);
}

#[test]
fn pcapng_simple_packet_is_cut_to_snaplen() {
    let mut ng = Ng::new();
    ng.shb(false).idb(1, 4, None, None).spb(b"0123456789", 10);
    let dir = TempDir::new();
    let (frames, _) = read_all(&dir.write("spb.pcapng", &ng.out));
    assert_eq!(frames[0].data, b"0123");
    assert_eq!(frames[0].orig_len, 10);
}

#[test]
fn pcapng_new_section_forgets_interfaces() {
    let mut ng = Ng::new();
    ng.shb(false)
        .idb(1, 0, None, None)
        .idb(1, 0, None, None)
        .epb(1, 0, b"ok", 2)
        .shb(false)
        .idb(1, 0, None, None)
        .epb(1, 0, b"bad", 3);
    let dir = TempDir::new();
    let (frames, r) = read_all(&dir.write("sect.pcapng", &ng.out));
    assert_eq!(frames.len(), 1);
    assert_eq!(r.info().warnings.len(), 1);
    assert!(
        r.info().warnings[0].to_string().contains("after frame 1")
            && r.info().warnings[0].to_string().contains("interface 1"),
        "{:?}",
        r.info().warnings
    );
}

// ---------- compression ----------

#[test]
fn gzip_and_zstd_give_the_same_frames() {
    let dir = TempDir::new();
    let plain = two_section_pcapng();
    let (want, _) = read_all(&dir.write("p.pcapng", &plain));
    for (name, bytes, format) in [
        ("g.pcapng.gz", gzip(&plain), "pcapng+gzip"),
        ("z.pcapng.zst", zstd(&plain), "pcapng+zstd"),
        (
            "g.pcap.gz",
            gzip(&pcap(true, true, 1, &[rec(1, 2, b"x")])),
            "pcap-ns+gzip",
        ),
    ] {
        let (frames, r) = read_all(&dir.write(name, &bytes));
        assert_eq!(r.info().format, format);
        assert!(
            r.info().warnings.is_empty(),
            "{name}: {:?}",
            r.info().warnings
        );
        if format.starts_with("pcapng") {
            assert_eq!(frames, want, "{name}");
        } else {
            assert_eq!(frames.len(), 1);
        }
    }
}

#[test]
fn truncated_gzip_keeps_earlier_frames_and_warns() {
    let dir = TempDir::new();
    let recs: Vec<Rec> = (0..200).map(|i| rec(i, 0, &[i as u8; 300])).collect();
    let gz = gzip(&pcap(false, false, 1, &recs));
    let cut = &gz[..gz.len() / 2];
    let (frames, r) = read_all(&dir.write("cut.pcap.gz", cut));
    assert!(!frames.is_empty() && frames.len() < 200, "{}", frames.len());
    assert_eq!(r.info().warnings.len(), 1, "{:?}", r.info().warnings);
    assert!(matches!(
        r.info().warnings[0],
        InputWarning::CompressedEnd { .. }
    ));
    assert!(
        r.info().warnings[0].to_string()
            == format!(
                "compressed data ends early after frame {} (truncated file?)",
                frames.len()
            ),
        "{:?}",
        r.info().warnings
    );
}

// ---------- damage ----------

#[test]
fn file_ending_mid_packet_returns_good_frames_then_warns() {
    let dir = TempDir::new();
    let full = pcap(
        false,
        false,
        1,
        &[rec(1, 0, b"one"), rec(2, 0, b"two"), rec(3, 0, b"three")],
    );
    for cut in [full.len() - 2, full.len() - 5 - 10] {
        let (frames, r) = read_all(&dir.write("trunc.pcap", &full[..cut]));
        assert_eq!(frames.len(), 2);
        assert_eq!(
            r.info().warnings,
            vec![InputWarning::Truncated {
                at: Place { after_frame: 2 }
            }]
        );
        assert_eq!(
            r.info().warnings[0].to_string(),
            "capture ends mid-packet after frame 2 (truncated file?)"
        );
    }
}

#[test]
fn corrupt_pcapng_block_after_good_packets_stops_with_warning() {
    let mut ng = Ng::new();
    ng.shb(false)
        .idb(1, 0, None, None)
        .epb(0, 1, b"a", 1)
        .epb(0, 2, b"b", 1);
    ng.out.extend([6, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0]); // EPB with length 7
    ng.epb(0, 3, b"never", 5);
    let dir = TempDir::new();
    let (frames, r) = read_all(&dir.write("corrupt.pcapng", &ng.out));
    assert_eq!(frames.len(), 2);
    assert_eq!(r.info().warnings.len(), 1);
    let w = r.info().warnings[0].to_string();
    assert!(
        w.starts_with("corrupt data after frame 2:") && w.contains("length 7"),
        "{w}"
    );
}

#[test]
fn oversized_pcap_record_is_corruption_not_a_huge_allocation() {
    let mut file = pcap(false, false, 1, &[rec(1, 0, b"ok")]);
    file.extend([0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0]);
    let dir = TempDir::new();
    let (frames, r) = read_all(&dir.write("huge.pcap", &file));
    assert_eq!(frames.len(), 1);
    assert!(
        r.info().warnings[0]
            .to_string()
            .starts_with("corrupt data after frame 1"),
        "{:?}",
        r.info().warnings
    );
    assert!(r.buffer_capacity() <= READ_CHUNK_BYTES);
}

#[test]
fn bad_inputs_are_errors_naming_the_path() {
    let dir = TempDir::new();
    let html = dir.write("trace.pcap", b"<html><body>nope</body></html>");
    let e = CaptureReader::open(&html).unwrap_err();
    assert_eq!(e.path, html.display().to_string());
    assert_eq!(e.reason, "not a capture file (starts with 3c 68 74 6d)");
    assert_eq!(
        e.to_string(),
        format!(
            "{}: not a capture file (starts with 3c 68 74 6d)",
            html.display()
        )
    );

    let empty = dir.write("empty.pcap", b"");
    assert_eq!(
        CaptureReader::open(&empty).unwrap_err().reason,
        "empty file"
    );

    let e = CaptureReader::open(&dir.0).unwrap_err();
    assert!(e.reason.contains("directory"), "{e}");

    let missing = dir.0.join("missing.pcap");
    let e = CaptureReader::open(&missing).unwrap_err();
    assert!(
        e.reason
            .starts_with("cannot open: No such file or directory"),
        "{e}"
    );

    let gz_empty = dir.write("e.pcap.gz", &gzip(b""));
    let e = CaptureReader::open(&gz_empty).unwrap_err();
    assert_eq!(e.reason, "empty file after gzip decompression");

    let mut v3 = pcap(false, false, 1, &[]);
    v3[4] = 3;
    let e = CaptureReader::open(&dir.write("v3.pcap", &v3)).unwrap_err();
    assert_eq!(e.reason, "unsupported pcap version 3.4");

    let e = CaptureReader::open(&dir.write("short.pcap", &v3[..10])).unwrap_err();
    assert!(e.reason.contains("24-byte pcap file header"), "{e}");

    let e = CaptureReader::open(&dir.write("two.bin", b"ab")).unwrap_err();
    assert_eq!(e.reason, "not a capture file (starts with 61 62)");
}

// ---------- merge ----------

#[test]
fn merge_interleaves_by_time_and_renumbers() {
    let dir = TempDir::new();
    let a = dir.write(
        "a.pcap",
        &pcap(
            false,
            false,
            1,
            &[rec(1, 0, b"a1"), rec(3, 0, b"a3"), rec(5, 0, b"a5")],
        ),
    );
    let b = dir.write("b.pcapng", &{
        let mut ng = Ng::new();
        ng.shb(false)
            .idb(101, 0, None, None)
            .epb(0, 2_000_000, b"b2", 2)
            .epb(0, 3_000_000, b"b3", 2)
            .epb(0, 9_000_000, b"b9", 2);
        ng.out
    });
    let readers = vec![
        CaptureReader::open(&a).unwrap(),
        CaptureReader::open(&b).unwrap(),
    ];
    let mut m = MergedCapture::new(readers);
    let mut got = Vec::new();
    while let Some(f) = m.next_frame() {
        got.push((
            f.number,
            f.input,
            String::from_utf8(f.data).unwrap(),
            f.link_type,
        ));
    }
    let want: Vec<(u64, usize, String, u32)> = vec![
        (1, 0, "a1".into(), 1),
        (2, 1, "b2".into(), 101),
        // tie at 3 s: mergecap takes the later input first (checked against mergecap 4.0)
        (3, 1, "b3".into(), 101),
        (4, 0, "a3".into(), 1),
        (5, 0, "a5".into(), 1),
        (6, 1, "b9".into(), 101),
    ];
    assert_eq!(got, want);
    let inputs = m.inputs();
    assert_eq!(inputs.len(), 2);
    assert_eq!((inputs[0].packets, inputs[1].packets), (3, 3));
    assert_eq!(inputs[1].format, "pcapng");
}

#[test]
fn merge_keeps_each_inputs_own_order() {
    // mergecap merges streams; it does not sort inside one file.
    let dir = TempDir::new();
    let a = dir.write(
        "a.pcap",
        &pcap(false, false, 1, &[rec(5, 0, b"a5"), rec(1, 0, b"a1")]),
    );
    let b = dir.write("b.pcap", &pcap(false, false, 1, &[rec(2, 0, b"b2")]));
    let mut m = MergedCapture::new(vec![
        CaptureReader::open(&a).unwrap(),
        CaptureReader::open(&b).unwrap(),
    ]);
    let mut got = Vec::new();
    while let Some(f) = m.next_frame() {
        got.push(String::from_utf8(f.data).unwrap());
    }
    assert_eq!(got, ["b2", "a5", "a1"]);
}

// ---------- streams ----------

/// Hands out one byte per read, like the slowest possible pipe.
struct OneByte(std::io::Cursor<Vec<u8>>);
impl Read for OneByte {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(1);
        self.0.read(&mut buf[..n])
    }
}

#[test]
fn from_read_streams_like_stdin() {
    let bytes = gzip(&two_section_pcapng());
    let mut r = CaptureReader::from_read("<stdin>", Box::new(OneByte(std::io::Cursor::new(bytes))))
        .unwrap();
    let mut n = 0;
    let mut numbers = Vec::new();
    while let Some(f) = r.next_frame() {
        n += 1;
        numbers.push(f.number);
    }
    assert_eq!(numbers, [1, 2, 3, 4, 6]);
    assert_eq!(n, 5);
    assert_eq!(r.info().packets, 6);
    assert_eq!(r.info().path, "<stdin>");
    assert_eq!(r.info().format, "pcapng+gzip");
}

#[test]
fn memory_does_not_grow_with_file_size() {
    let recs: Vec<Rec> = (0..40_000u32)
        .map(|i| rec(i, 0, &[(i % 251) as u8; 200]))
        .collect();
    let file = pcap(false, false, 1, &recs);
    assert!(file.len() > 8_000_000);
    let dir = TempDir::new();
    for (name, bytes) in [("big.pcap", file.clone()), ("big.pcap.zst", zstd(&file))] {
        let mut r = CaptureReader::open(&dir.write(name, &bytes)).unwrap();
        let mut n = 0u32;
        while let Some(f) = r.next_frame() {
            assert_eq!(f.data[0], (n % 251) as u8);
            n += 1;
            assert!(
                r.buffer_capacity() <= READ_CHUNK_BYTES,
                "{}",
                r.buffer_capacity()
            );
        }
        assert_eq!(n, 40_000, "{name}");
    }
}

/// An `opt_comment` option (code 1) followed by `opt_endofopt`.
fn comment_option(text: &str) -> Vec<u8> {
    let mut o = Vec::new();
    o.extend(u16b(1, false));
    o.extend(u16b(text.len() as u16, false));
    o.extend(text.as_bytes());
    pad4(&mut o);
    o.extend([0, 0, 0, 0]);
    o
}

#[test]
fn pcapng_comments_are_kept_with_their_frame() {
    let dir = TempDir::new();
    let mut ng = Ng::new();
    let mut shb = Vec::new();
    shb.extend(u32b(0x1a2b_3c4d, false));
    shb.extend(u16b(1, false));
    shb.extend(u16b(0, false));
    shb.extend((-1i64).to_le_bytes());
    shb.extend(comment_option("pktmon capture on CRM01"));
    ng.block(0x0a0d_0d0a, &shb).idb(1, 65535, None, None);
    ng.epb(0, 1, &[0u8; 20], 20);
    let mut epb = Vec::new();
    epb.extend(u32b(0, false));
    epb.extend(u32b(0, false));
    epb.extend(u32b(2, false));
    epb.extend(u32b(4, false));
    epb.extend(u32b(4, false));
    epb.extend([1, 2, 3, 4]);
    epb.extend(comment_option("the failing bind"));
    ng.block(6, &epb);
    let path = dir.write("comments.pcapng", &ng.out);
    let (frames, r) = read_all(&path);
    assert_eq!(frames.len(), 2);
    assert_eq!(frames[1].data, vec![1, 2, 3, 4]);
    assert_eq!(
        r.info().comments,
        vec![
            (0, "pktmon capture on CRM01".to_string()),
            (2, "the failing bind".to_string())
        ]
    );
}

#[test]
fn merged_inputs_hand_out_each_secrets_block_once_before_the_frames_after_it() {
    let mut dsb = Vec::new();
    dsb.extend(u32b(0x544c_534b, false));
    dsb.extend(u32b(6, false));
    dsb.extend(b"# keys");
    let mut with_keys = Ng::new();
    with_keys
        .shb(false)
        .idb(1, 0, None, None)
        .block(0x0000_000a, &dsb)
        .epb(0, 5, b"x", 1);
    let mut plain = Ng::new();
    plain.shb(false).idb(1, 0, None, None).epb(0, 1, b"y", 1);
    let dir = TempDir::new();
    let a = CaptureReader::open(&dir.write("a.pcapng", &with_keys.out)).unwrap();
    let b = CaptureReader::open(&dir.write("b.pcapng", &plain.out)).unwrap();
    for readers in [
        vec![a],
        vec![
            CaptureReader::open(&dir.write("c.pcapng", &with_keys.out)).unwrap(),
            b,
        ],
    ] {
        let mut merged = MergedCapture::new(readers);
        let mut seen = Vec::new();
        while let Some(frame) = merged.next_frame() {
            let new = merged.take_new_secrets();
            seen.push((
                frame.data.clone(),
                new.iter().map(|s| s.reveal().to_vec()).collect::<Vec<_>>(),
            ));
        }
        let all: Vec<_> = seen.iter().flat_map(|(_, s)| s.clone()).collect();
        assert_eq!(all, vec![b"# keys".to_vec()], "{seen:?}");
        // Handed out no later than the frame that follows the block.
        let x = seen.iter().position(|(d, _)| d == b"x").unwrap();
        assert!(seen[..=x].iter().any(|(_, s)| !s.is_empty()), "{seen:?}");
        assert_eq!(merged.inputs()[0].decryption_secrets.len(), 1);
    }
}

#[test]
fn pcapng_skips_secrets_and_refused_blocks_grows_for_big_ones_and_warns_on_a_cut() {
    let mut dsb = Vec::new();
    dsb.extend(u32b(0x544c_534b, false)); // TLS key log
    dsb.extend(u32b(10, false));
    dsb.extend(b"CLIENT_RAN");
    let mut nrb = Vec::new(); // a name record claiming more bytes than the block has
    nrb.extend(u16b(1, false));
    nrb.extend(u16b(200, false));
    nrb.extend([10, 0, 0, 1]);
    let big = vec![0x5a; 3 * READ_CHUNK_BYTES];
    let mut ng = Ng::new();
    ng.shb(false)
        .idb(1, 0, None, None)
        .block(0x0000_000a, &dsb)
        .epb(0, 1, b"a", 1)
        .block(4, &nrb)
        .epb(0, 2, &big, big.len() as u32)
        .epb(0, 3, b"cut short", 9);
    let cut = &ng.out[..ng.out.len() - 3];
    let dir = TempDir::new();
    let (frames, r) = read_all(&dir.write("dsb.pcapng", cut));
    assert_eq!(frames.len(), 2, "{:?}", r.info().warnings);
    assert_eq!(frames[1].data, big);
    // The secrets block is kept whole (its 10 bytes, not the padding) and shows no secret.
    let secrets = &r.info().decryption_secrets;
    assert_eq!(secrets.len(), 1);
    assert!(secrets[0].is_tls_key_log());
    assert_eq!(secrets[0].reveal(), b"CLIENT_RAN");
    assert!(!format!("{:?}", r.info()).contains("CLIENT_RAN"));
    assert!(r.buffer_capacity() > big.len() && r.buffer_capacity() < 4 * READ_CHUNK_BYTES);
    assert_eq!(
        r.info().warnings,
        vec![InputWarning::Truncated {
            at: Place { after_frame: 2 }
        }]
    );
}
