//! SCP semantics on hand-built exchanges (the lab samples have one URL entry each): EWS's URL
//! ranking by the client's site, pointer entries and whether the client followed them, URLs
//! that are not https, entries scoped to other sites, an unknown client site, and two
//! discovery passes (SOAP then POX) in one capture.

use std::net::{IpAddr, Ipv4Addr};

use capdiag::chain::{Chain, ChainOptions, Severity, Stage, StageKind, build_chains};
use capdiag::flow::Endpoint;
use capdiag::messages::{
    DnsExchange, DnsResponse, Exchanges, LdapEntry, LdapExchange, LdapFinal, LdapRequest,
    TcpConnection, Transport,
};
use capdiag::proto::dns::{DnsData, DnsRecord, Rcode};
use capdiag::proto::ldap::{
    DerefAliases, Filter, LdapResult, ResultCode, Scope, SearchEntry, SearchRequest,
};

const URL_GUID: &str = "77378F46-2C66-4aa9-A6A6-3E7A48B19596";
const PTR_GUID: &str = "67661d7F-8FC4-4fa7-BFAC-E1D7794C1F68";

fn ip(a: u8, b: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(10, a, 0, b))
}

fn ep(a: u8, b: u8, port: u16) -> Endpoint {
    Endpoint { ip: ip(a, b), port }
}

const CLIENT: (u8, u8) = (1, 5);
const DC: (u8, u8) = (1, 1);

fn labels(name: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for l in name.split('.').filter(|l| !l.is_empty()) {
        out.push(l.len() as u8);
        out.extend_from_slice(l.as_bytes());
    }
    out.push(0);
    out
}

/// NETLOGON_SAM_LOGON_RESPONSE_EX (MS-ADTS 6.3.1.9), opcode 23, DC in site "HQ".
fn netlogon(client_site: &str) -> Vec<u8> {
    let mut v = 23u16.to_le_bytes().to_vec();
    v.extend([0, 0]);
    v.extend(0x0000_03fdu32.to_le_bytes());
    v.extend([0x11; 16]);
    for name in [
        "contoso.test",
        "contoso.test",
        "dc1.contoso.test",
        "CONTOSO",
        "DC1",
        "",
        "HQ",
        client_site,
    ] {
        v.extend(labels(name));
    }
    v.extend(5u32.to_le_bytes());
    v.extend([0xff, 0xff, 0xff, 0xff]);
    v
}

fn done(frame: u64) -> Option<LdapFinal> {
    Some(LdapFinal {
        result: LdapResult {
            code: ResultCode::Success,
            matched_dn: String::new(),
            diagnostic: String::new(),
            referral: vec![],
        },
        frames: vec![frame],
        ts: frame as i64,
    })
}

fn search_request(base: &str, filter: Filter) -> LdapRequest {
    LdapRequest::Search(SearchRequest {
        base: base.into(),
        scope: Scope::Subtree,
        deref: DerefAliases::Never,
        size_limit: 0,
        time_limit: 0,
        types_only: false,
        filter,
        attributes: vec!["keywords".into(), "serviceBindingInformation".into()],
        controls: vec![],
    })
}

/// The CLDAP ping (frames 1, 2) with the client's site.
fn ping(client_site: &str) -> LdapExchange {
    LdapExchange {
        transport: Transport::Udp,
        conn: None,
        client: ep(CLIENT.0, CLIENT.1, 50000),
        server: ep(DC.0, DC.1, 389),
        message_id: 1,
        frames: vec![1],
        ts: 1,
        request: search_request(
            "",
            Filter::Equality {
                attr: "DnsDomain".into(),
                value: b"contoso.test".to_vec(),
            },
        ),
        entries: vec![LdapEntry {
            entry: SearchEntry {
                dn: String::new(),
                attributes: vec![("netlogon".into(), vec![netlogon(client_site)])],
            },
            frames: vec![2],
        }],
        references: vec![],
        result: done(2),
    }
}

/// An SCP entry: (keywords, serviceBindingInformation).
type Scp<'a> = (&'a [&'a str], &'a str);

/// An SCP search sent in `frame` to `server`, its entries in the next frames, done after them.
fn scp_search(frame: u64, server: (u8, u8), entries: &[Scp<'_>]) -> LdapExchange {
    let filter = Filter::And(vec![
        Filter::Equality {
            attr: "objectClass".into(),
            value: b"serviceConnectionPoint".to_vec(),
        },
        Filter::Equality {
            attr: "keywords".into(),
            value: URL_GUID.as_bytes().to_vec(),
        },
    ]);
    let n = entries.len() as u64;
    LdapExchange {
        transport: Transport::Tcp,
        conn: Some(frame),
        client: ep(CLIENT.0, CLIENT.1, 50001),
        server: ep(server.0, server.1, 389),
        message_id: 3,
        frames: vec![frame],
        ts: frame as i64,
        request: search_request("CN=Configuration,DC=contoso,DC=test", filter),
        entries: entries
            .iter()
            .enumerate()
            .map(|(i, (keywords, binding))| LdapEntry {
                entry: SearchEntry {
                    dn: format!("CN=SCP{i},CN=Configuration,DC=contoso,DC=test"),
                    attributes: vec![
                        (
                            "keywords".into(),
                            keywords.iter().map(|k| k.as_bytes().to_vec()).collect(),
                        ),
                        (
                            "serviceBindingInformation".into(),
                            vec![binding.as_bytes().to_vec()],
                        ),
                    ],
                },
                frames: vec![frame + 1 + i as u64],
            })
            .collect(),
        references: vec![],
        result: done(frame + 1 + n),
    }
}

fn tcp(frame: u64, server: (u8, u8), port: u16) -> TcpConnection {
    TcpConnection {
        id: frame,
        client: ep(CLIENT.0, CLIENT.1, 40000 + frame as u16),
        server: ep(server.0, server.1, port),
        first_frame: frame,
        ts: frame as i64,
        saw_syn: true,
        syn_retransmits: vec![],
        syn_ack: Some(frame + 1),
        reset: None,
        fins: vec![],
        bytes_from_client: 10,
        bytes_from_server: 10,
        sasl: None,
        decrypted_with: None,
        gaps: 0,
    }
}

/// An A lookup in `frame`, answered in the next frame with `answer` (NXDOMAIN without one).
fn lookup(frame: u64, name: &str, answer: Option<IpAddr>) -> DnsExchange {
    DnsExchange {
        frame,
        ts: frame as i64,
        client: ep(CLIENT.0, CLIENT.1, 53000),
        server: ep(DC.0, DC.1, 53),
        transport: Transport::Udp,
        id: frame as u16,
        name: name.into(),
        qtype: "A".into(),
        retries: vec![],
        response: Some(DnsResponse {
            frame: frame + 1,
            ts: frame as i64 + 1,
            rcode: if answer.is_some() {
                Rcode::NoError
            } else {
                Rcode::NxDomain
            },
            truncated: false,
            answers: answer
                .map(|a| DnsRecord {
                    name: name.into(),
                    ttl: 60,
                    data: DnsData::Address(a),
                })
                .into_iter()
                .collect(),
            additionals: vec![],
        }),
    }
}

/// The LDAP connection (frame 3) and the chain of the exchanges.
fn chain(mut ex: Exchanges) -> Chain {
    ex.tcp.insert(0, tcp(3, DC, 389));
    let opts = ChainOptions {
        domain: Some("contoso.test".into()),
        smtp_domain: None,
        tls_key_log: None,
        ldap_secrets: None,
    };
    build_chains(&ex, &opts)
        .into_iter()
        .next()
        .expect("the exchanges make a chain")
}

fn scp_stage(c: &Chain) -> &Stage {
    c.stages
        .iter()
        .find(|s| s.kind == StageKind::ScpSearch)
        .expect("an scp_search stage")
}

fn detail<'a>(s: &'a Stage, key: &str) -> Option<&'a str> {
    s.detail
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v.as_str())
}

fn notes(s: &Stage) -> Vec<(&str, Severity)> {
    s.notes
        .iter()
        .map(|n| (n.code.as_str(), n.severity))
        .collect()
}

#[test]
fn urls_are_ranked_as_ews_does_and_the_first_try_is_checked() {
    let ex = Exchanges {
        ldap: vec![
            ping("Branch"),
            scp_search(
                10,
                DC,
                &[
                    (
                        &[URL_GUID, "Site=HQ"],
                        "https://hq.contoso.test/Autodiscover/Autodiscover.xml",
                    ),
                    (
                        &[URL_GUID],
                        "https://b.contoso.test/Autodiscover/Autodiscover.xml",
                    ),
                    (
                        &[URL_GUID, "Site=HQ", "site=branch"],
                        "https://br.contoso.test/Autodiscover/Autodiscover.xml",
                    ),
                    (
                        &[URL_GUID],
                        "https://d.contoso.test/Autodiscover/Autodiscover.xml",
                    ),
                    (
                        &[URL_GUID, "Site=Branch"],
                        "HTTPS://BR.contoso.test/Autodiscover/Autodiscover.xml",
                    ),
                ],
            ),
        ],
        // The client goes to b.contoso.test first, not to the branch server.
        dns: vec![lookup(30, "b.contoso.test", Some(ip(1, 9)))],
        ..Exchanges::default()
    };
    let c = chain(ex);
    // 1: Site=Branch (the upper-case duplicate dropped); 2: no Site=, reversed; 3: Site=HQ.
    assert_eq!(
        c.scp_urls,
        [
            "https://br.contoso.test/Autodiscover/Autodiscover.xml",
            "https://d.contoso.test/Autodiscover/Autodiscover.xml",
            "https://b.contoso.test/Autodiscover/Autodiscover.xml",
            "https://hq.contoso.test/Autodiscover/Autodiscover.xml",
        ]
    );
    let s = scp_stage(&c);
    assert_eq!(detail(s, "client site"), Some("Branch"));
    assert_eq!(
        detail(s, "first by EWS ranking"),
        Some("https://br.contoso.test/Autodiscover/Autodiscover.xml")
    );
    assert_eq!(
        detail(s, "client tried it first"),
        Some("no: it tried b.contoso.test first (frame 30)")
    );
    assert_eq!(detail(s, "entries by keyword"), Some("5 URL, 0 pointer"));
    assert!(s.notes.is_empty(), "{:?}", s.notes);
}

#[test]
fn every_url_in_other_sites_is_a_warning() {
    let ex = Exchanges {
        ldap: vec![
            ping("Branch"),
            scp_search(
                10,
                DC,
                &[(
                    &[URL_GUID, "Site=HQ"],
                    "https://hq.contoso.test/Autodiscover/Autodiscover.xml",
                )],
            ),
        ],
        ..Exchanges::default()
    };
    let c = chain(ex);
    let s = scp_stage(&c);
    assert_eq!(notes(s), [("scp.only_other_sites", Severity::Warning)]);
    assert_eq!(s.notes[0].frames, [11]);
    assert!(c.findings.iter().any(|f| f.code == "scp.only_other_sites"));
}

#[test]
fn a_url_that_is_not_https_is_a_warning() {
    let ex = Exchanges {
        ldap: vec![
            ping("HQ"),
            scp_search(
                10,
                DC,
                &[
                    (
                        &[URL_GUID, "Site=HQ"],
                        "https://hq.contoso.test/Autodiscover/Autodiscover.xml",
                    ),
                    (
                        &[URL_GUID],
                        "http://old.contoso.test/Autodiscover/Autodiscover.xml",
                    ),
                ],
            ),
        ],
        ..Exchanges::default()
    };
    let s = scp_stage(&chain(ex)).clone();
    assert_eq!(notes(&s), [("scp.url_not_https", Severity::Warning)]);
    assert!(
        s.notes[0]
            .summary
            .contains("http://old.contoso.test/Autodiscover/Autodiscover.xml")
    );
    assert_eq!(s.notes[0].frames, [12]);
}

#[test]
fn pointer_only_result_is_followed_to_the_next_ldap_server() {
    let fabrikam_dc = (2, 1);
    let ex = Exchanges {
        ldap: vec![
            ping("HQ"),
            scp_search(10, DC, &[(&[PTR_GUID], "LDAP://dc1.fabrikam.test")]),
        ],
        dns: vec![lookup(20, "dc1.fabrikam.test", Some(ip(2, 1)))],
        tcp: vec![tcp(22, fabrikam_dc, 389)],
        ..Exchanges::default()
    };
    let s = scp_stage(&chain(ex)).clone();
    assert_eq!(notes(&s), [("scp.pointer_only", Severity::Warning)]);
    assert_eq!(
        detail(&s, "pointer followed"),
        Some("followed: LDAP to dc1.fabrikam.test at 10.2.0.1:389 (frame 22)")
    );
    assert!(s.notes[0].summary.contains("LDAP://dc1.fabrikam.test"));
}

#[test]
fn pointer_only_result_not_followed_says_so() {
    let ex = Exchanges {
        ldap: vec![
            ping("HQ"),
            scp_search(10, DC, &[(&[PTR_GUID], "LDAP://dc1.fabrikam.test")]),
        ],
        ..Exchanges::default()
    };
    let s = scp_stage(&chain(ex)).clone();
    assert_eq!(
        detail(&s, "pointer followed"),
        Some("not followed in this capture (no lookup of or LDAP to dc1.fabrikam.test)")
    );
}

#[test]
fn a_pointer_followed_to_a_search_with_urls_keeps_the_pointer_note() {
    let fabrikam_dc = (2, 1);
    let ex = Exchanges {
        ldap: vec![
            ping("HQ"),
            scp_search(10, DC, &[(&[PTR_GUID], "LDAP://dc1.fabrikam.test")]),
            scp_search(
                30,
                fabrikam_dc,
                &[(
                    &[URL_GUID, "Site=HQ"],
                    "https://mail.fabrikam.test/Autodiscover/Autodiscover.xml",
                )],
            ),
        ],
        dns: vec![lookup(20, "dc1.fabrikam.test", Some(ip(2, 1)))],
        tcp: vec![tcp(22, fabrikam_dc, 389)],
        ..Exchanges::default()
    };
    let c = chain(ex);
    let s = scp_stage(&c);
    assert_eq!(
        s.frames,
        [30, 31, 32],
        "the search that gave the URL is shown"
    );
    assert_eq!(notes(s), [("scp.pointer_only", Severity::Warning)]);
    assert_eq!(
        c.scp_urls,
        ["https://mail.fabrikam.test/Autodiscover/Autodiscover.xml"]
    );
}

#[test]
fn unknown_client_site_skips_every_url_and_names_the_fallback_taken() {
    let ex = Exchanges {
        ldap: vec![
            ping(""),
            scp_search(
                10,
                DC,
                &[(
                    &[URL_GUID, "Site=HQ"],
                    "https://hq.contoso.test/Autodiscover/Autodiscover.xml",
                )],
            ),
        ],
        dns: vec![lookup(20, "contoso.test", None)],
        ..Exchanges::default()
    };
    let c = chain(ex);
    let s = scp_stage(&c);
    assert_eq!(notes(s), [("scp.urls_skipped_no_site", Severity::Warning)]);
    let n = &s.notes[0];
    assert!(
        n.summary
            .contains("went straight to the fallbacks: contoso.test (frame 20)"),
        "{}",
        n.summary
    );
    // The netlogon reply, the URL entry and the fallback lookup prove it.
    assert_eq!(n.frames, [2, 11, 20]);
    let ping = c
        .stages
        .iter()
        .find(|s| s.kind == StageKind::DcLocatorPing)
        .expect("ping stage");
    assert_eq!(
        notes(ping),
        [("cldap.client_site_unknown", Severity::Warning)]
    );
}

#[test]
fn two_discovery_passes_are_said_and_the_last_is_judged() {
    let ex = Exchanges {
        ldap: vec![
            ping("HQ"),
            scp_search(10, DC, &[]),
            // The POX pass's search, after the SOAP pass's fallbacks.
            scp_search(
                40,
                DC,
                &[(
                    &[URL_GUID, "Site=HQ"],
                    "https://hq.contoso.test/Autodiscover/Autodiscover.xml",
                )],
            ),
        ],
        dns: vec![lookup(20, "autodiscover.contoso.test", None)],
        ..Exchanges::default()
    };
    let c = chain(ex);
    let s = scp_stage(&c);
    assert_eq!(notes(s)[0], ("scp.second_pass", Severity::Info));
    assert_eq!(s.notes[0].frames, [10, 40]);
    assert_eq!(detail(s, "discovery passes"), Some("2"));
    assert_eq!(s.frames, [40, 41, 42]);
    // The hosts are judged on the last pass: the first pass's failed lookup is not counted again.
    assert!(
        c.attempts
            .iter()
            .all(|a| a.host != "autodiscover.contoso.test"),
        "{:?}",
        c.attempts
    );
}

#[test]
fn a_retried_search_without_fallbacks_between_is_one_pass() {
    let ex = Exchanges {
        ldap: vec![
            ping("HQ"),
            scp_search(10, DC, &[]),
            scp_search(
                20,
                DC,
                &[(
                    &[URL_GUID, "Site=HQ"],
                    "https://hq.contoso.test/Autodiscover/Autodiscover.xml",
                )],
            ),
        ],
        ..Exchanges::default()
    };
    let c = chain(ex);
    let s = scp_stage(&c);
    assert!(s.notes.iter().all(|n| n.code != "scp.second_pass"));
    assert_eq!(detail(s, "discovery passes"), None);
}
