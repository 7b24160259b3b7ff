//! The DC choice: a site-specific SRV query is named as such, and an SRV target that never
//! resolves to an address is a warning.

mod support;

use capdiag::analysis::analyze_paths;
use capdiag::chain::{Severity, StageKind, StageStatus};
use support::*;

const CLIENT: [u8; 4] = [10, 3, 0, 5];
const DNS: [u8; 4] = [10, 3, 0, 53];

fn query(id: u16, name: &str, qtype: u16) -> Vec<u8> {
    let mut q = id.to_be_bytes().to_vec();
    q.extend([0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
    q.extend(labels(name));
    q.extend(qtype.to_be_bytes());
    q.extend([0, 1]);
    q
}

#[test]
fn site_query_and_a_target_without_address() {
    let srv_name = "_ldap._tcp.Branch._sites.dc._msdcs.corp.example";
    let q = query(1, srv_name, 33);
    let mut r = q.clone();
    r[2] = 0x85;
    r[3] = 0x80;
    r[7] = 1;
    let target = labels("dc9.corp.example");
    r.extend(srv_answer(&target));
    let a = query(2, "dc9.corp.example", 1);
    let mut nx = a.clone();
    nx[2] = 0x85;
    nx[3] = 0x83;
    let mut p = Pcap::new(1);
    p.frame(&udp((CLIENT, 5000), (DNS, 53), &q));
    p.frame(&udp((DNS, 53), (CLIENT, 5000), &r));
    p.frame(&udp((CLIENT, 5001), (DNS, 53), &a));
    p.frame(&udp((DNS, 53), (CLIENT, 5001), &nx));
    let (an, errors) = analyze_paths(&[p.write("dc-choice.pcap")], &autodiscover_options());
    assert!(errors.is_empty());
    let an = an.unwrap();
    let chain = &an.chains[0];
    let stage = chain
        .stages
        .iter()
        .find(|s| s.kind == StageKind::DcLocatorDns)
        .unwrap();
    assert_eq!(stage.status, StageStatus::Ok);
    assert!(
        stage
            .detail
            .iter()
            .any(|(k, v)| *k == "srv query" && v.starts_with("site-specific (branch)")),
        "{:?}",
        stage.detail
    );
    let warn = chain
        .findings
        .iter()
        .find(|f| f.code == "dc.srv_target_no_address")
        .expect("warning");
    assert_eq!(warn.severity, Severity::Warning);
    assert_eq!(warn.frames, vec![3, 4]);
}
