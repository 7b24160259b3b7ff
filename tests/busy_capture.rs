//! A client's evidence must not depend on the other clients in the capture: on a busy DNS
//! server or DC, many clients' lookups fall between one client's query and its retry, and the
//! retry must still be that query's retry.

mod support;

use capdiag::analysis::{Analysis, analyze_paths};
use support::*;

const CLIENT: [u8; 4] = [10, 5, 0, 2];
const DNS: [u8; 4] = [10, 5, 0, 53];
const SRV_NAME: &str = "_ldap._tcp.dc._msdcs.contoso.test";

/// A DNS SRV query for `SRV_NAME`, or (with `answered`) its NOERROR answer naming dc1.
fn srv(id: u16, answered: bool) -> Vec<u8> {
    let mut m = id.to_be_bytes().to_vec();
    m.extend(if answered {
        [0x85, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]
    } else {
        [0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
    });
    m.extend(labels(SRV_NAME));
    m.extend([0, 33, 0, 1]);
    if answered {
        m.extend(srv_answer(&labels("dc1.contoso.test")));
    }
    m
}

/// `CLIENT` asks from port 50001, gets no answer, asks again with the same ID from port 50002
/// (a resolver that retries from a new port) and is answered there. Between the two tries,
/// `others` other clients each ask and are answered.
fn retry_across(others: u8) -> Analysis {
    let mut p = Pcap::new(1);
    p.frame(&udp((CLIENT, 50001), (DNS, 53), &srv(0x4242, false)));
    for i in 0..others {
        let other = [10, 5, 1, i];
        let id = 0x1000 + u16::from(i);
        p.frame(&udp((other, 40000), (DNS, 53), &srv(id, false)));
        p.frame(&udp((DNS, 53), (other, 40000), &srv(id, true)));
    }
    p.frame(&udp((CLIENT, 50002), (DNS, 53), &srv(0x4242, false)));
    p.frame(&udp((DNS, 53), (CLIENT, 50002), &srv(0x4242, true)));
    let name = format!("busy-retry-{others}.pcap");
    let (an, errors) = analyze_paths(&[p.write(&name)], &autodiscover_options());
    assert!(errors.is_empty(), "{errors:?}");
    an.expect("an analysis")
}

/// The client's lookups and the cause codes of its chain's findings.
fn client_evidence(an: &Analysis) -> (Vec<(usize, bool)>, Vec<String>) {
    let lookups = an
        .exchanges
        .dns
        .iter()
        .filter(|d| d.client.ip == std::net::IpAddr::from(CLIENT))
        .map(|d| (d.retries.len(), d.response.is_some()))
        .collect();
    let chain = an
        .chains
        .iter()
        .find(|c| c.client == std::net::IpAddr::from(CLIENT))
        .expect("the client's chain");
    let codes = chain.findings.iter().map(|f| f.code.clone()).collect();
    (lookups, codes)
}

#[test]
fn a_retry_from_a_new_port_stays_one_lookup_with_many_clients_between() {
    let alone = retry_across(0);
    let (lookups, codes) = client_evidence(&alone);
    assert_eq!(
        lookups,
        vec![(1, true)],
        "alone: one lookup, retried, answered"
    );
    assert!(!codes.iter().any(|c| c == "dns.no_response"), "{codes:?}");

    // Forty other clients asking in between, as on a busy DC: the same evidence.
    let busy = retry_across(40);
    assert_eq!(busy.chains.len(), 41);
    assert_eq!(client_evidence(&busy), (lookups, codes));
}
