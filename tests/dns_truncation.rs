//! DNS SRV over TCP after a truncated UDP answer (RFC 7766): the truncated answer is a step of
//! the lookup, not a failure, and the TCP answer decides the DC locator stage. The lab cannot
//! make this (Samba's DNS never sets TC), so the frames are built here in Windows DNS's shape.

mod support;

use capdiag::analysis::analyze_paths;
use capdiag::chain::{StageKind, StageStatus};
use support::*;

const CLIENT: [u8; 4] = [10, 4, 0, 5];
const DNS: [u8; 4] = [10, 4, 0, 1];
const NAME: &str = "_ldap._tcp.dc._msdcs.corp.example";

/// A DNS message with one SRV question; `flags` as given, `answers` SRV records.
fn message(id: u16, flags: u16, answers: usize) -> Vec<u8> {
    let mut m = id.to_be_bytes().to_vec();
    m.extend(flags.to_be_bytes());
    m.extend([0, 1, 0, answers as u8, 0, 0, 0, 0]);
    m.extend(labels(NAME));
    m.extend([0, 33, 0, 1]);
    for _ in 0..answers {
        m.extend(srv_answer(&labels("dc1.corp.example")));
    }
    m
}

fn with_length(m: &[u8]) -> Vec<u8> {
    let mut v = (m.len() as u16).to_be_bytes().to_vec();
    v.extend(m);
    v
}

#[test]
fn a_truncated_udp_answer_then_the_tcp_answer_is_one_working_lookup() {
    let query = message(7, 0x0100, 0);
    // Windows DNS sets TC and sends the question back with no answer that fits.
    let truncated = message(7, 0x8380, 0);
    let answer = message(8, 0x8580, 1);
    let c = (CLIENT, 50100);
    let s = (DNS, 53);
    let mut p = Pcap::new(1);
    p.frame(&udp((CLIENT, 50099), s, &query));
    p.frame(&udp(s, (CLIENT, 50099), &truncated));
    p.frame(&tcp(c, s, 100, 0, SYN, &[]));
    p.frame(&tcp(s, c, 500, 101, SYN | ACK, &[]));
    p.frame(&tcp(c, s, 101, 501, ACK, &[]));
    let q2 = with_length(&message(8, 0x0100, 0));
    p.frame(&tcp(c, s, 101, 501, PSH_ACK, &q2));
    let a2 = with_length(&answer);
    p.frame(&tcp(s, c, 501, 101 + q2.len() as u32, PSH_ACK, &a2));
    let (a, errors) = analyze_paths(&[p.write("dns-truncation.pcap")], &autodiscover_options());
    assert!(errors.is_empty());
    let a = a.expect("analysis");
    let dns = &a.exchanges.dns;
    assert_eq!(dns.len(), 2, "{dns:?}");
    assert!(dns[0].response.as_ref().is_some_and(|r| r.truncated));
    let chain = &a.chains[0];
    let stage = chain
        .stages
        .iter()
        .find(|s| s.kind == StageKind::DcLocatorDns)
        .expect("stage");
    assert_eq!(stage.status, StageStatus::Ok, "{stage:?}");
    assert!(
        stage.frames.contains(&7),
        "the TCP answer is the evidence: {stage:?}"
    );
    // The truncated answer is a step: no finding says the name had no answer.
    assert!(
        chain.findings.iter().all(|f| !f.code.starts_with("dns.")),
        "{:?}",
        chain.findings
    );
}
