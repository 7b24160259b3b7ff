//! LDAP that turns into TLS: StartTLS on 389 and LDAPS on 636 are stated as sealed (the
//! searches cannot be read), never as garbage or missing stages.

mod support;

use capdiag::analysis::analyze_paths;
use capdiag::chain::{StageKind, StageStatus};
use support::ber::{cat, int, tlv};
use support::*;

const CLIENT: [u8; 4] = [10, 2, 0, 5];
const DC: [u8; 4] = [10, 2, 0, 1];
/// The start of a TLS ClientHello record.
const HELLO: &[u8] = &[0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x03];

fn stage(path: std::path::PathBuf, kind: StageKind) -> (StageStatus, Vec<String>, usize) {
    let (a, errors) = analyze_paths(&[path], &autodiscover_options());
    assert!(errors.is_empty());
    let a = a.unwrap();
    let chain = &a.chains[0];
    let s = chain.stages.iter().find(|s| s.kind == kind).unwrap();
    let sealed: Vec<String> = chain
        .findings
        .iter()
        .filter(|f| f.code == "ldap.sealed")
        .map(|f| f.summary.clone())
        .collect();
    (s.status, sealed, a.warnings.len())
}

#[test]
fn starttls_makes_the_rest_of_the_connection_sealed() {
    let c = |p| (CLIENT, p);
    let d = |p| (DC, p);
    let req = tlv(
        0x30,
        &cat(&[
            int(0x02, 1),
            tlv(0x77, &tlv(0x80, b"1.3.6.1.4.1.1466.20037")),
        ]),
    );
    let resp = tlv(
        0x30,
        &cat(&[
            int(0x02, 1),
            tlv(
                0x78,
                &cat(&[
                    int(0x0a, 0),
                    tlv(0x04, b""),
                    tlv(0x04, b""),
                    tlv(0x8a, b"1.3.6.1.4.1.1466.20037"),
                ]),
            ),
        ]),
    );
    let mut p = Pcap::new(1);
    p.frame(&tcp(c(50000), d(389), 100, 0, SYN, b""));
    p.frame(&tcp(d(389), c(50000), 500, 101, SYN | ACK, b""));
    p.frame(&tcp(c(50000), d(389), 101, 501, PSH_ACK, &req));
    p.frame(&tcp(
        d(389),
        c(50000),
        501,
        101 + req.len() as u32,
        PSH_ACK,
        &resp,
    ));
    p.frame(&tcp(
        c(50000),
        d(389),
        101 + req.len() as u32,
        501 + resp.len() as u32,
        PSH_ACK,
        HELLO,
    ));
    let (status, sealed, warnings) = stage(p.write("starttls.pcap"), StageKind::ScpSearch);
    assert_eq!(status, StageStatus::Sealed);
    assert_eq!(warnings, 0, "the TLS bytes are not taken for broken LDAP");
    assert!(sealed[0].contains("StartTLS"), "{sealed:?}");
}

#[test]
fn ldaps_is_sealed_from_the_first_byte() {
    let c = |p| (CLIENT, p);
    let d = |p| (DC, p);
    let mut p = Pcap::new(1);
    p.frame(&tcp(c(50001), d(636), 100, 0, SYN, b""));
    p.frame(&tcp(d(636), c(50001), 500, 101, SYN | ACK, b""));
    p.frame(&tcp(c(50001), d(636), 101, 501, PSH_ACK, HELLO));
    let path = p.write("ldaps.pcap");
    let (bind, sealed, _) = stage(path.clone(), StageKind::LdapBind);
    assert_eq!(bind, StageStatus::Sealed);
    assert!(sealed[0].contains("LDAPS"), "{sealed:?}");
    let (connect, _, _) = stage(path, StageKind::LdapConnect);
    assert_eq!(connect, StageStatus::Ok);
}
