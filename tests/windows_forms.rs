//! Whole-pipeline tests over hand-built captures in the forms Windows writes and a lab cannot
//! make: 4-byte BER lengths, a GSS-SPNEGO bind, a Sicily NTLM bind, two LDAP PDUs in one segment
//! and one PDU spanning segments, Windows DNS with the SRV target's address in the additional
//! section; plus unrelated traffic (skipped quietly) and a malformed packet (counted).

mod support;

use capdiag::analysis::analyze_paths;
use capdiag::chain::{ChainOptions, ChainStatus, StageKind, StageStatus};
use capdiag::messages::LdapRequest;
use capdiag::proto::ldap::{BindAuth, InnerMech};
use support::ber::{cat, int, tlv, tlv84};
use support::*;

const CLIENT: [u8; 4] = [10, 0, 0, 5];
const DC: [u8; 4] = [10, 0, 0, 1];
const SCP_FILTER: &str = "(&(objectClass=serviceConnectionPoint)(|(keywords=67661d7F-8FC4-4fa7-BFAC-E1D7794C1F68)(keywords=77378F46-2C66-4aa9-A6A6-3E7A48B19596)))";

fn octets(s: &str) -> Vec<u8> {
    tlv84(0x04, s.as_bytes())
}

fn message(id: u32, op: Vec<u8>) -> Vec<u8> {
    tlv84(0x30, &cat(&[int(0x02, id), op]))
}

fn equality(attr: &str, value: &str) -> Vec<u8> {
    tlv84(0xa3, &cat(&[octets(attr), octets(value)]))
}

fn search(id: u32, base: &str, scope: u32, filter: Vec<u8>, attrs: &[&str]) -> Vec<u8> {
    let attrs: Vec<Vec<u8>> = attrs.iter().map(|a| octets(a)).collect();
    message(
        id,
        tlv84(
            0x63,
            &cat(&[
                octets(base),
                int(0x0a, scope),
                int(0x0a, 0),
                int(0x02, 0),
                int(0x02, 0),
                vec![0x01, 0x01, 0x00],
                filter,
                tlv84(0x30, &attrs.concat()),
            ]),
        ),
    )
}

fn entry(id: u32, dn: &str, attrs: &[(&str, &[&str])]) -> Vec<u8> {
    let attrs: Vec<Vec<u8>> = attrs
        .iter()
        .map(|(name, vals)| {
            let vals: Vec<Vec<u8>> = vals.iter().map(|v| octets(v)).collect();
            tlv84(0x30, &cat(&[octets(name), tlv84(0x31, &vals.concat())]))
        })
        .collect();
    message(
        id,
        tlv84(0x64, &cat(&[octets(dn), tlv84(0x30, &attrs.concat())])),
    )
}

fn result(id: u32, app_tag: u8, code: u32) -> Vec<u8> {
    message(
        id,
        tlv84(app_tag, &cat(&[int(0x0a, code), octets(""), octets("")])),
    )
}

/// SPNEGO NegTokenInit offering MS-Kerberos then Kerberos, as Windows sends it.
fn spnego_init() -> Vec<u8> {
    let ms_krb5 = tlv(
        0x06,
        &[0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02],
    );
    let krb5 = tlv(
        0x06,
        &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02],
    );
    let mech_types = tlv(0xa0, &tlv(0x30, &cat(&[ms_krb5, krb5])));
    let mech_token = tlv(0xa2, &tlv(0x04, &[0x60, 0x03, 0x06, 0x01, 0x00]));
    let init = tlv(0xa0, &tlv(0x30, &cat(&[mech_types, mech_token])));
    tlv(
        0x60,
        &cat(&[tlv(0x06, &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x02]), init]),
    )
}

fn windows_capture() -> Pcap {
    let c = |p| (CLIENT, p);
    let d = |p| (DC, p);
    let mut pcap = Pcap::new(1);
    // Frames 1-2: DNS SRV for the DC, answered the Windows way (target address as additional).
    let q = cat(&[
        vec![0xab, 0xcd, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0],
        b"\x05_ldap\x04_tcp\x02dc\x06_msdcs\x04corp\x07example\x00".to_vec(),
        vec![0, 33, 0, 1],
    ]);
    let mut r = q.clone();
    r[2] = 0x85;
    r[3] = 0x80;
    r[7] = 1;
    r[11] = 1;
    let target = b"\x03dc1\x04corp\x07example\x00";
    r.extend(srv_answer(target));
    // The additional record's name points back at the SRV target inside the answer.
    let target_offset = (q.len() + 12 + 6) as u8;
    r.extend([
        0xc0,
        target_offset,
        0,
        1,
        0,
        1,
        0,
        0,
        0x0e,
        0x10,
        0,
        4,
        10,
        0,
        0,
        1,
    ]);
    pcap.frame(&udp(c(53001), d(53), &q))
        .frame(&udp(d(53), c(53001), &r));
    // Frames 3-4: handshake; 5-6: GSS-SPNEGO bind and success.
    pcap.frame(&tcp(c(50000), d(389), 100, 0, SYN, b""))
        .frame(&tcp(d(389), c(50000), 500, 101, SYN | ACK, b""));
    let bind = message(
        1,
        tlv84(
            0x60,
            &cat(&[
                int(0x02, 3),
                octets(""),
                tlv84(
                    0xa3,
                    &cat(&[octets("GSS-SPNEGO"), tlv84(0x04, &spnego_init())]),
                ),
            ]),
        ),
    );
    let bind_ok = result(1, 0x61, 0);
    pcap.frame(&tcp(c(50000), d(389), 101, 501, PSH_ACK, &bind));
    pcap.frame(&tcp(
        d(389),
        c(50000),
        501,
        101 + bind.len() as u32,
        PSH_ACK,
        &bind_ok,
    ));
    // Frame 7: the RootDSE read and the SCP search in ONE segment.
    let rootdse = search(
        2,
        "",
        0,
        tlv84(0x87, b"objectClass"),
        &["configurationNamingContext"],
    );
    let scp_filter = tlv84(
        0xa0,
        &cat(&[
            equality("objectClass", "serviceConnectionPoint"),
            tlv84(
                0xa1,
                &cat(&[
                    equality("keywords", "67661d7F-8FC4-4fa7-BFAC-E1D7794C1F68"),
                    equality("keywords", "77378F46-2C66-4aa9-A6A6-3E7A48B19596"),
                ]),
            ),
        ]),
    );
    let scp = search(
        3,
        "CN=Configuration,DC=corp,DC=example",
        2,
        scp_filter,
        &["keywords", "serviceBindingInformation"],
    );
    let client_seq = 101 + bind.len() as u32;
    pcap.frame(&tcp(
        c(50000),
        d(389),
        client_seq,
        501,
        PSH_ACK,
        &cat(&[rootdse, scp]),
    ));
    // Frames 8-9: answers; the SCP entry spans the two segments.
    let answers = cat(&[
        entry(
            2,
            "",
            &[(
                "configurationNamingContext",
                &["CN=Configuration,DC=corp,DC=example"],
            )],
        ),
        result(2, 0x65, 0),
        entry(
            3,
            "CN=EX1,CN=Autodiscover,CN=Protocols,CN=EX1,CN=Servers,CN=Configuration,DC=corp,DC=example",
            &[
                (
                    "keywords",
                    &["77378F46-2C66-4aa9-A6A6-3E7A48B19596", "Site=HQ"],
                ),
                (
                    "serviceBindingInformation",
                    &["https://mail.corp.example/autodiscover/autodiscover.xml"],
                ),
            ],
        ),
        result(3, 0x65, 0),
    ]);
    let split = answers.len() - 40;
    let server_seq = 501 + bind_ok.len() as u32;
    pcap.frame(&tcp(
        d(389),
        c(50000),
        server_seq,
        client_seq,
        PSH_ACK,
        &answers[..split],
    ));
    pcap.frame(&tcp(
        d(389),
        c(50000),
        server_seq + split as u32,
        client_seq,
        PSH_ACK,
        &answers[split..],
    ));
    // Frames 10-12: a Sicily NTLM negotiate bind ([10]) on a second connection.
    pcap.frame(&tcp(c(50001), d(389), 7000, 0, SYN, b""))
        .frame(&tcp(d(389), c(50001), 9000, 7001, SYN | ACK, b""));
    let sicily = message(
        4,
        tlv84(
            0x60,
            &cat(&[
                int(0x02, 3),
                octets(""),
                tlv(0x8a, b"NTLMSSP\0\x01\0\0\0\x07\x82\x08\xa2"),
            ]),
        ),
    );
    pcap.frame(&tcp(c(50001), d(389), 7001, 9001, PSH_ACK, &sicily));
    // Frames 13-14: unrelated traffic (mDNS, SSH): skipped without a word.
    pcap.frame(&udp(
        c(5353),
        ([224, 0, 0, 251], 5353),
        b"\x00\x00\x84\x00garbage",
    ));
    pcap.frame(&tcp(
        c(40000),
        ([10, 0, 0, 9], 22),
        1,
        1,
        PSH_ACK,
        b"SSH-2.0-OpenSSH_9.2\r\n",
    ));
    // Frame 15: a malformed IPv4 header (IHL 3): counted, and the analysis goes on.
    let mut bad = tcp(c(50002), d(389), 1, 1, ACK, b"");
    bad[14] = 0x43;
    pcap.frame(&bad);
    pcap
}

#[test]
fn windows_ldap_forms_decode_through_the_whole_pipeline() {
    let path = windows_capture().write("windows-forms.pcap");
    let (analysis, errors) = analyze_paths(&[path], &ChainOptions::default());
    assert!(errors.is_empty(), "{errors:?}");
    let a = analysis.unwrap();
    let ldap = &a.exchanges.ldap;
    assert_eq!(ldap.len(), 4, "{ldap:#?}");

    let LdapRequest::Bind(spnego) = &ldap[0].request else {
        panic!("first is a bind: {:?}", ldap[0].request)
    };
    assert!(
        matches!(&spnego.auth, BindAuth::Sasl { mechanism, inner: Some(InnerMech::Kerberos), .. } if mechanism == "GSS-SPNEGO"),
        "{:?}",
        spnego.auth
    );
    assert_eq!(
        ldap[0].result.as_ref().map(|r| r.result.code),
        Some(capdiag::proto::ldap::ResultCode::Success)
    );

    // Two PDUs from one segment: both requests carried by frame 7.
    assert_eq!((ldap[1].message_id, ldap[1].frames.clone()), (2, vec![7]));
    assert_eq!((ldap[2].message_id, ldap[2].frames.clone()), (3, vec![7]));
    let LdapRequest::Search(scp) = &ldap[2].request else {
        panic!("third is the SCP search")
    };
    assert_eq!(scp.filter.to_string(), SCP_FILTER);
    assert_eq!(
        scp.attributes,
        vec!["keywords", "serviceBindingInformation"]
    );
    // The SCP entry spans frames 8 and 9; the done arrives in 9.
    assert_eq!(ldap[2].entries.len(), 1);
    assert_eq!(ldap[2].entries[0].frames, vec![8, 9]);
    assert_eq!(
        ldap[2].result.as_ref().map(|r| r.frames.clone()),
        Some(vec![9])
    );

    let LdapRequest::Bind(sicily) = &ldap[3].request else {
        panic!("fourth is the Sicily bind")
    };
    assert_eq!(sicily.auth, BindAuth::SicilyNegotiate);

    let chain = &a.chains[0];
    assert_eq!(chain.client.to_string(), "10.0.0.5");
    assert_eq!(chain.domain.as_deref(), Some("corp.example"));
    assert_eq!(
        chain.scp_urls,
        vec!["https://mail.corp.example/autodiscover/autodiscover.xml"]
    );
    let status = |k: StageKind| chain.stages.iter().find(|s| s.kind == k).map(|s| s.status);
    assert_eq!(status(StageKind::DcLocatorDns), Some(StageStatus::Ok));
    assert_eq!(status(StageKind::LdapBind), Some(StageStatus::Ok));
    assert_eq!(status(StageKind::Rootdse), Some(StageStatus::Ok));
    assert_eq!(status(StageKind::ScpSearch), Some(StageStatus::Ok));
    // The capture ends before the client does anything with the URL.
    assert_eq!(chain.status, ChainStatus::Incomplete);

    // Unrelated traffic says nothing; the malformed frame is counted with its number.
    assert_eq!(a.warnings.len(), 1, "{:?}", a.warnings);
    assert!(
        a.warnings[0].kind.starts_with("malformed packet: ipv4"),
        "{:?}",
        a.warnings
    );
    assert_eq!(
        (a.warnings[0].count, a.warnings[0].frames.clone()),
        (1, vec![15])
    );
}

#[test]
fn srv_answer_with_windows_additional_record_names_the_dc() {
    let path = windows_capture().write("windows-dns.pcap");
    let (analysis, _) = analyze_paths(&[path], &ChainOptions::default());
    let a = analysis.unwrap();
    let dns = &a.exchanges.dns[0];
    let response = dns.response.as_ref().unwrap();
    assert_eq!(response.frame, 2);
    assert_eq!(response.additionals.len(), 1);
    let names = capdiag::report::names::host_names(&a.exchanges);
    assert_eq!(
        names.get(&"10.0.0.1".parse().unwrap()).map(String::as_str),
        Some("dc1.corp.example")
    );
}
