//! One test per named limit (docs/limits.md lists them all, with where each is tested): what
//! happens at the limit is a warning, a gap, an eviction or an error — never unbounded memory,
//! a hang or a stack overflow. Limits already covered elsewhere are referenced in the doc.

mod robust_support;

use std::borrow::Cow;
use std::io::Cursor;
use std::net::{IpAddr, Ipv4Addr};

use capdiag::capture::{CaptureReader, Frame, MAX_RECORD_BYTES, MergedCapture};
use capdiag::flow::{Endpoint, TcpEvent, TcpLimits, TcpSink, TcpTracker};
use capdiag::messages::Collector;
use capdiag::messages::collect::{MAX_EXCHANGES_PER_CLIENT, MAX_EXCHANGES_WITH_SILENT_SERVER};
use capdiag::messages::stream::{MAX_PENDING_MESSAGE, StreamBuf};
use capdiag::net::{
    Decoded, MAX_FRAGMENTS_PER_DATAGRAM, MAX_PENDING_DATAGRAMS, PacketDecoder, TcpFlags, TcpSegment,
};
use capdiag::proto::dns::decode_dns;
use capdiag::proto::framing::Framing;
use capdiag::proto::ldap::{MAX_FILTER_DEPTH, MAX_LDAP_PDU, PduLen, pdu_length};
use robust_support::{
    analyze_bytes, bin, ipv4_fragment, ipv4_tcp, pcap_header, pcap_record, scratch, write,
};

const LINKTYPE_RAW: u32 = 101;

/// One DER element with a minimal length (the decoder crate's own writer).
fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    capdiag::proto::ber::write(&mut out, tag, body);
    out
}

/// An LDAP searchRequest (message 2) whose filter is `depth` nested ANDs around (cn=x).
fn deep_search(depth: usize) -> Vec<u8> {
    let mut filter = tlv(0xa3, &[tlv(0x04, b"cn"), tlv(0x04, b"x")].concat());
    for _ in 0..depth {
        filter = tlv(0xa0, &filter);
    }
    let op = [
        tlv(0x04, b""),
        tlv(0x0a, &[0]),
        tlv(0x0a, &[0]),
        tlv(0x02, &[0]),
        tlv(0x02, &[0]),
        tlv(0x01, &[0]),
        filter,
        tlv(0x30, b""),
    ]
    .concat();
    tlv(0x30, &[tlv(0x02, &[2]), tlv(0x63, &op)].concat())
}

/// A pcap of one LDAP connection whose client sends `payload` (split into 1400-byte segments).
fn ldap_pcap(payload: &[u8]) -> Vec<u8> {
    let (c, s) = ([10, 0, 0, 2], [10, 0, 0, 1]);
    let mut b = pcap_header(LINKTYPE_RAW);
    pcap_record(&mut b, 1, &ipv4_tcp(c, 50000, s, 389, 99, 0x02, b""));
    pcap_record(&mut b, 2, &ipv4_tcp(s, 389, c, 50000, 499, 0x12, b""));
    let mut seq = 100u32;
    for (i, chunk) in payload.chunks(1400).enumerate() {
        pcap_record(
            &mut b,
            3 + i as u64,
            &ipv4_tcp(c, 50000, s, 389, seq, 0x18, chunk),
        );
        seq += chunk.len() as u32;
    }
    b
}

#[test]
fn ber_nesting_deeper_than_max_filter_depth_is_a_warning_not_a_stack_overflow() {
    // 5,000 levels: far past MAX_FILTER_DEPTH and rasn's own budget.
    let a = analyze_bytes(&ldap_pcap(&deep_search(5_000))).expect("readable");
    let want =
        format!("ldap: search filter nested deeper than {MAX_FILTER_DEPTH} levels (cut off)");
    let w = a.warnings.iter().find(|w| w.kind == want);
    assert!(w.is_some(), "{:?}", a.warnings);
    assert_eq!(a.exchanges.ldap.len(), 1, "the search itself is kept");
    // At the limit exactly: no warning.
    let a = analyze_bytes(&ldap_pcap(&deep_search(MAX_FILTER_DEPTH - 1))).expect("readable");
    assert!(
        !a.warnings.iter().any(|w| w.kind == want),
        "{:?}",
        a.warnings
    );
    // Through the binary (a stack overflow would be a signal, not an exit code).
    let dir = scratch("robust_limits_deep");
    let p = write(&dir, "deep.pcap", &ldap_pcap(&deep_search(20_000)));
    let out = bin()
        .args(["analyze", p.to_str().unwrap()])
        .output()
        .expect("run");
    assert!(matches!(out.status.code(), Some(0..=2)), "{:?}", out.status);
    assert!(String::from_utf8_lossy(&out.stdout).contains("nested deeper"));
}

#[test]
fn ldap_pdu_over_max_ldap_pdu_is_refused_from_its_header() {
    let over = (MAX_LDAP_PDU as u32).to_be_bytes();
    let header = [0x30, 0x84, over[0], over[1], over[2], over[3]];
    assert!(matches!(pdu_length(&header), PduLen::Invalid(_)));
    // In a stream: a warning, and the direction is not buffered up to the claimed size.
    let mut payload = header.to_vec();
    payload.extend([0u8; 4000]);
    let a = analyze_bytes(&ldap_pcap(&payload)).expect("readable");
    assert!(
        a.warnings.iter().any(|w| w.kind.contains("exceeds the")),
        "{:?}",
        a.warnings
    );
}

#[test]
fn stream_buffer_gives_up_past_max_pending_message() {
    let mut s = StreamBuf::default();
    let chunk = vec![0u8; 1 << 20];
    let mut pushed = 0;
    let err = loop {
        s.push(&chunk, 1);
        pushed += chunk.len();
        match s.next_message(|_| Framing::Incomplete) {
            Ok(None) => assert!(pushed <= MAX_PENDING_MESSAGE),
            Ok(Some(_)) => unreachable!(),
            Err(e) => break e,
        }
    };
    assert!(pushed > MAX_PENDING_MESSAGE && pushed <= MAX_PENDING_MESSAGE + chunk.len());
    assert!(err.contains("larger than"), "{err}");
}

#[test]
fn dns_compression_loops_and_chains_end_in_an_error() {
    // A question whose name is a pointer to itself.
    let mut m = vec![0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    m.extend([0xc0, 12, 0, 1, 0, 1]);
    assert!(decode_dns(&m).is_err());
    // Two pointers pointing at each other.
    let mut m = vec![0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    m.extend([0xc0, 14, 0xc0, 12, 0, 1, 0, 1]);
    assert!(decode_dns(&m).is_err());
    // A label followed by a pointer back to itself: an ever-growing name.
    let mut m = vec![0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    m.extend([1, b'a', 0xc0, 12, 0, 1, 0, 1]);
    assert!(decode_dns(&m).is_err());
    // Answers whose names are a label plus a pointer to the previous answer's name: each
    // name is one label longer, so the chain is followed to the 255-byte name limit and no
    // further, and the message is refused.
    let mut m = vec![0, 1, 0x81, 0x80, 0, 1, 0, 200, 0, 0, 0, 0];
    m.extend([1, b'a', 0, 0, 1, 0, 1]);
    let mut prev = 12u16;
    for _ in 0..200 {
        let here = m.len() as u16;
        m.extend([1, b'b', 0xc0 | (prev >> 8) as u8, prev as u8]);
        m.extend([0, 1, 0, 1, 0, 0, 0, 1, 0, 0]);
        prev = here;
    }
    let r = decode_dns(&m);
    assert!(r.is_err(), "{r:?}");
}

fn frame(number: u64, data: Vec<u8>) -> Frame {
    Frame {
        number,
        input: 0,
        ts: number as i64,
        link_type: LINKTYPE_RAW,
        orig_len: data.len() as u32,
        data,
    }
}

#[test]
fn fragments_per_datagram_are_bounded() {
    let mut d = PacketDecoder::new();
    let (s, t) = ([10, 0, 0, 1], [10, 0, 0, 2]);
    for i in 0..MAX_FRAGMENTS_PER_DATAGRAM {
        let f = frame(
            i as u64,
            ipv4_fragment(s, t, 7, 8 * i as u16, true, &[0; 8]),
        );
        assert_eq!(d.decode(&f), Decoded::FragmentHeld);
    }
    let f = frame(999, ipv4_fragment(s, t, 7, 8 * 1000, true, &[0; 8]));
    match d.decode(&f) {
        Decoded::Malformed(why) => {
            assert!(why.to_string().contains("more than 128 fragments"), "{why}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(d.pending_fragments(), 0);
}

#[test]
fn pending_datagrams_in_total_are_bounded_and_the_oldest_evicted() {
    let mut d = PacketDecoder::new();
    let n = 20 * MAX_PENDING_DATAGRAMS as u64;
    for i in 0..n {
        let src = [10, 1, (i >> 8) as u8, i as u8];
        let f = frame(
            i,
            ipv4_fragment(src, [10, 0, 0, 2], i as u16, 0, true, &[0; 1480]),
        );
        assert_eq!(d.decode(&f), Decoded::FragmentHeld);
        assert!(d.pending_fragments() <= MAX_PENDING_DATAGRAMS);
    }
    assert_eq!(d.pending_fragments(), MAX_PENDING_DATAGRAMS);
    assert_eq!(d.defrag_stats().evicted, n - MAX_PENDING_DATAGRAMS as u64);
}

#[derive(Default)]
struct Gaps(u64);

impl TcpSink for Gaps {
    fn event(&mut self, ev: TcpEvent<'_>) {
        if let TcpEvent::Gap { .. } = ev {
            self.0 += 1;
        }
    }
}

#[test]
fn out_of_order_bytes_across_all_flows_are_bounded() {
    let limits = TcpLimits {
        max_buffered_bytes: 10_000,
        max_buffered_bytes_total: 25_000,
        ..TcpLimits::default()
    };
    let mut t = TcpTracker::new(limits);
    let mut sink = Gaps::default();
    let server = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
    let mut frame = 0;
    for flow in 0..10u16 {
        let client = IpAddr::V4(Ipv4Addr::new(10, 0, 1, flow as u8));
        let mut seg = |seq: u32, flags: u8, payload: &[u8], t: &mut TcpTracker, s: &mut Gaps| {
            frame += 1;
            let segment = TcpSegment {
                src_port: 40000,
                dst_port: 389,
                seq,
                ack: 0,
                flags: TcpFlags(flags),
                payload: Cow::Borrowed(payload),
            };
            t.segment(frame, frame as i64, client, server, &segment, s);
        };
        seg(999, TcpFlags::SYN, b"", &mut t, &mut sink);
        // byte 1000 never comes; 9 × 1000 bytes wait behind it (under the per-flow limit)
        for k in 0..9u32 {
            seg(
                1001 + 1000 * k,
                TcpFlags::ACK,
                &[7; 1000],
                &mut t,
                &mut sink,
            );
            assert!(t.stats().buffered_bytes <= 25_000, "{:?}", t.stats());
        }
    }
    assert!(t.stats().buffer_overflows > 0);
    assert!(
        sink.0 >= 7,
        "the oldest flows gave up on their missing byte: {}",
        sink.0
    );
    t.finish(&mut sink);
    assert_eq!(
        t.stats().buffered_bytes,
        0,
        "nothing left behind after the end"
    );
    let _ = Endpoint {
        ip: server,
        port: 389,
    };
}

/// `n` DNS queries for a name that can matter, each a new exchange (its own port and id), from
/// the client address `client_of(i)` to 10.0.0.1:53.
fn dns_queries(c: &mut Collector, n: u64, client_of: impl Fn(u64) -> Ipv4Addr) {
    let server = Endpoint {
        ip: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)),
        port: 53,
    };
    dns_queries_to(c, server, n, client_of);
}

fn dns_queries_to(
    c: &mut Collector,
    server: Endpoint,
    n: u64,
    client_of: impl Fn(u64) -> Ipv4Addr,
) {
    let mut q = vec![0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 12];
    q.extend(b"autodiscover");
    q.extend([0, 0, 1, 0, 1]);
    for i in 0..n {
        q[0] = (i >> 8) as u8;
        q[1] = i as u8;
        let client = Endpoint {
            ip: IpAddr::V4(client_of(i)),
            port: 1024 + (i % 60_000) as u16,
        };
        c.udp(i + 1, i as i64, client, server, &q);
    }
}

#[test]
fn one_client_flooding_is_bounded_and_named_in_the_warning() {
    let mut c = Collector::default();
    let flooder = Ipv4Addr::new(10, 0, 2, 7);
    dns_queries(&mut c, u64::from(MAX_EXCHANGES_PER_CLIENT) + 10, |_| {
        flooder
    });
    // A second client after the flood is still analysed.
    dns_queries(&mut c, 3, |_| Ipv4Addr::new(10, 0, 3, 1));
    assert_eq!(c.exchanges.dns.len(), MAX_EXCHANGES_PER_CLIENT as usize + 3);
    let w = c.warnings.warnings();
    let over: Vec<_> = w
        .iter()
        .filter(|w| w.kind.contains("not analysed"))
        .collect();
    assert_eq!(over.len(), 1, "{w:?}");
    assert_eq!(over[0].count, 10);
    assert!(over[0].kind.contains("client 10.0.2.7"), "{}", over[0].kind);
}

#[test]
fn many_clients_past_any_per_run_count_are_all_recorded() {
    // 150,000 queries from 3,000 clients: more than one client's bound, and more than the
    // 100,000 per run that used to stop the analysis, yet every one is kept (the server
    // answers, so the bound on silent servers does not apply).
    let mut c = Collector::default();
    let n = 150_000;
    answer_one_query(&mut c);
    dns_queries(&mut c, n, |i| {
        let k = (i % 3_000) as u16;
        Ipv4Addr::new(10, 1, (k >> 8) as u8, k as u8)
    });
    assert_eq!(c.exchanges.dns.len(), n as usize + 1);
    assert!(
        !c.warnings
            .warnings()
            .iter()
            .any(|w| w.kind.contains("not analysed"))
    );
}

#[test]
fn a_record_over_max_record_bytes_is_corruption_not_an_allocation() {
    let mut b = pcap_header(LINKTYPE_RAW);
    pcap_record(
        &mut b,
        1,
        &ipv4_tcp([1, 1, 1, 1], 1, [2, 2, 2, 2], 443, 1, 2, b""),
    );
    // a record header claiming 64 MiB
    b.extend([0u8; 8]);
    b.extend((64u32 << 20).to_le_bytes());
    b.extend((64u32 << 20).to_le_bytes());
    b.extend([0u8; 100]);
    let mut r = CaptureReader::from_read("big.pcap", Box::new(Cursor::new(b))).unwrap();
    assert!(r.next_frame().is_some());
    assert!(r.next_frame().is_none());
    assert!(
        r.info().warnings[0]
            .to_string()
            .contains(&format!("limit {}", MAX_RECORD_BYTES - 16))
    );
    assert!(r.buffer_capacity() < 1 << 20, "{}", r.buffer_capacity());
    let _ = MergedCapture::new(vec![r]);
}

#[test]
fn tls_record_and_handshake_sizes_are_bounded() {
    use capdiag::proto::tls::{MAX_TLS_HANDSHAKE, MAX_TLS_RECORD, TlsDirection, record_length};
    let len = (MAX_TLS_RECORD + 1) as u16;
    let header = [22, 3, 3, (len >> 8) as u8, len as u8];
    assert!(matches!(record_length(&header), Framing::Invalid(_)));
    // A handshake message announcing more than MAX_TLS_HANDSHAKE is refused from its header,
    // not collected record after record.
    let big = (MAX_TLS_HANDSHAKE + 1) as u32;
    let body = [1, (big >> 16) as u8, (big >> 8) as u8, big as u8];
    let mut record = vec![22, 3, 3, 0, body.len() as u8];
    record.extend(body);
    let mut events = Vec::new();
    let r = TlsDirection::default().record(&record, &mut events);
    assert_eq!(
        r,
        Err(capdiag::proto::tls::TlsError::HandshakeTooLong(
            MAX_TLS_HANDSHAKE + 5
        ))
    );
}

#[test]
fn http_head_is_bounded() {
    use capdiag::proto::http::{MAX_HTTP_HEAD, message_length};
    let mut head = b"GET / HTTP/1.1\r\nX: ".to_vec();
    head.resize(MAX_HTTP_HEAD, b'a');
    assert_eq!(message_length(&head), Framing::Incomplete);
    head.push(b'a');
    assert!(matches!(message_length(&head), Framing::Invalid(_)));
}

/// A query from 10.0.9.9 to 10.0.0.1:53 and its answer: the server has answered someone.
fn answer_one_query(c: &mut Collector) {
    let client = Endpoint {
        ip: IpAddr::V4(Ipv4Addr::new(10, 0, 9, 9)),
        port: 5353,
    };
    let server = Endpoint {
        ip: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)),
        port: 53,
    };
    let mut q = vec![0xbe, 0xef, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 12];
    q.extend(b"autodiscover");
    q.extend([0, 0, 1, 0, 1]);
    c.udp(1, 0, client, server, &q);
    let mut r = q.clone();
    r[2] = 0x81;
    r[3] = 0x80;
    c.udp(2, 1, server, client, &r);
    let answered = c.exchanges.dns.iter().find(|d| d.client == client);
    assert!(
        answered.is_some_and(|d| d.response.is_some()),
        "{answered:?}"
    );
}

#[test]
fn exchanges_with_a_server_that_never_answers_are_bounded_across_clients() {
    // A flood of unanswered queries from distinct addresses, each under its own bound.
    let mut c = Collector::default();
    let silent = Endpoint {
        ip: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)),
        port: 53,
    };
    let n = MAX_EXCHANGES_WITH_SILENT_SERVER as u64 + 25;
    dns_queries_to(&mut c, silent, n, |i| {
        Ipv4Addr::new(10, 2 + (i >> 16) as u8, (i >> 8) as u8, i as u8)
    });
    assert_eq!(c.exchanges.dns.len(), MAX_EXCHANGES_WITH_SILENT_SERVER);
    let w = c.all_warnings();
    let over = w
        .iter()
        .find(|w| w.kind.contains("answered nothing"))
        .expect("warning");
    assert_eq!(over.count, 25);
    assert!(over.kind.contains("10.0.0.2:53"), "{}", over.kind);
    // Another server is not held back by the flood to the silent one.
    answer_one_query(&mut c);
    dns_queries(&mut c, 10, |i| Ipv4Addr::new(10, 3, 0, i as u8));
    assert_eq!(c.exchanges.dns.len(), MAX_EXCHANGES_WITH_SILENT_SERVER + 11);
}
