//! The CLDAP netlogon findings from hand-built replies in the Windows form (4-byte BER lengths,
//! entry and done in one datagram): USER_UNKNOWN, PAUSE, an empty client site, another site.

mod support;

use capdiag::analysis::analyze_paths;
use capdiag::chain::{Severity, StageKind, StageStatus};
use support::ber::{cat, int, tlv84};
use support::*;

const CLIENT: [u8; 4] = [10, 1, 0, 5];
const DC: [u8; 4] = [10, 1, 0, 1];

fn labels(name: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for l in name.split('.').filter(|l| !l.is_empty()) {
        out.push(l.len() as u8);
        out.extend_from_slice(l.as_bytes());
    }
    out.push(0);
    out
}

/// NETLOGON_SAM_LOGON_RESPONSE_EX (MS-ADTS 6.3.1.9) without the V5EP block.
fn netlogon(opcode: u16, dc_site: &str, client_site: &str) -> Vec<u8> {
    let mut v = opcode.to_le_bytes().to_vec();
    v.extend([0, 0]);
    v.extend(0x0000_03fdu32.to_le_bytes());
    v.extend([0x11; 16]);
    for name in [
        "corp.example",
        "corp.example",
        "dc1.corp.example",
        "CORP",
        "DC1",
        "",
        dc_site,
        client_site,
    ] {
        v.extend(labels(name));
    }
    v.extend(5u32.to_le_bytes());
    v.extend([0xff, 0xff, 0xff, 0xff]);
    v
}

fn octets(s: &[u8]) -> Vec<u8> {
    tlv84(0x04, s)
}

fn capture(reply: Vec<u8>) -> std::path::PathBuf {
    let filter = tlv84(
        0xa0,
        &cat(&[
            tlv84(0xa3, &cat(&[octets(b"DnsDomain"), octets(b"corp.example")])),
            tlv84(0xa3, &cat(&[octets(b"NtVer"), octets(&[6, 0, 0, 0])])),
            tlv84(
                0xa3,
                &cat(&[
                    octets(b"DomainGuid"),
                    octets(&[
                        0x3b, 0xb0, 0x21, 0xca, 0xd3, 0x6d, 0xd1, 0x11, 0x8a, 0x7d, 0xb8, 0xdf,
                        0xb1, 0x56, 0x87, 0x1f,
                    ]),
                ]),
            ),
        ]),
    );
    let search = tlv84(
        0x63,
        &cat(&[
            octets(b""),
            int(0x0a, 0),
            int(0x0a, 0),
            int(0x02, 0),
            int(0x02, 0),
            vec![1, 1, 0],
            filter,
            tlv84(0x30, &octets(b"Netlogon")),
        ]),
    );
    let request = tlv84(0x30, &cat(&[int(0x02, 7), search]));
    let attr = tlv84(
        0x30,
        &cat(&[octets(b"netlogon"), tlv84(0x31, &octets(&reply))]),
    );
    let entry = tlv84(
        0x30,
        &cat(&[
            int(0x02, 7),
            tlv84(0x64, &cat(&[octets(b""), tlv84(0x30, &attr)])),
        ]),
    );
    let done = tlv84(
        0x30,
        &cat(&[
            int(0x02, 7),
            tlv84(0x65, &cat(&[int(0x0a, 0), octets(b""), octets(b"")])),
        ]),
    );
    let mut pcap = Pcap::new(1);
    pcap.frame(&udp((CLIENT, 50123), (DC, 389), &request));
    pcap.frame(&udp((DC, 389), (CLIENT, 50123), &cat(&[entry, done])));
    pcap.write(&format!(
        "cldap-{}.pcap",
        std::process::id() as u64 * 1000 + reply.len() as u64 + u64::from(reply[0])
    ))
}

fn ping_stage(reply: Vec<u8>) -> (capdiag::chain::Stage, Vec<capdiag::chain::Cause>) {
    let (a, errors) = analyze_paths(&[capture(reply)], &autodiscover_options());
    assert!(errors.is_empty());
    let chain = a.unwrap().chains.remove(0);
    let stage = chain
        .stages
        .iter()
        .find(|s| s.kind == StageKind::DcLocatorPing)
        .unwrap()
        .clone();
    (stage, chain.findings)
}

#[test]
fn user_unknown_and_paused_fail_the_ping() {
    let (stage, _) = ping_stage(netlogon(25, "HQ", "HQ"));
    assert_eq!(stage.status, StageStatus::Failed);
    assert_eq!(stage.cause.unwrap().code, "cldap.user_unknown");
    let (stage, _) = ping_stage(netlogon(24, "HQ", "HQ"));
    assert_eq!(stage.cause.unwrap().code, "cldap.paused");
}

#[test]
fn empty_client_site_is_a_warning_not_a_failure() {
    let (stage, findings) = ping_stage(netlogon(23, "HQ", ""));
    assert_eq!(stage.status, StageStatus::Ok);
    assert!(
        stage
            .detail
            .contains(&("client site", "(none)".to_string())),
        "{:?}",
        stage.detail
    );
    let w = findings
        .iter()
        .find(|f| f.code == "cldap.client_site_unknown")
        .expect("warning");
    assert_eq!(w.severity, Severity::Warning);
    assert_eq!(w.frames, vec![1, 2]);
}

#[test]
fn dc_in_another_site_is_information() {
    let (stage, findings) = ping_stage(netlogon(23, "HQ", "Branch"));
    assert_eq!(stage.status, StageStatus::Ok);
    assert!(
        stage
            .detail
            .contains(&("dc host", "dc1.corp.example".to_string()))
    );
    // The ping request as an admin reads it (MS-ADTS example GUID bytes, little-endian fields).
    let asks = "DnsDomain=corp.example NtVer=0x00000006 (V5|V5EX) DomainGuid=ca21b03b-6dd3-11d1-8a7d-b8dfb156871f";
    assert!(
        stage.detail.contains(&("ping asks", asks.to_string())),
        "{:?}",
        stage.detail
    );
    let i = findings
        .iter()
        .find(|f| f.code == "cldap.dc_other_site")
        .expect("info");
    assert_eq!(i.severity, Severity::Info);
    let (_, findings) = ping_stage(netlogon(23, "HQ", "HQ"));
    assert!(findings.is_empty(), "{findings:?}");
}
