//! Shared by the report tests: the sample captures analysed as the CLI would, and a hand-built
//! analysis whose every capture string is hostile markup, to prove the renderers escape it.
#![allow(dead_code)]

use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};

use capdiag::analysis::{Analysis, analyze_paths};
use capdiag::capture::{InputInfo, InputWarning, Place};
use capdiag::chain::{ChainOptions, build_chains};
use capdiag::flow::Endpoint;
use capdiag::messages::{
    DnsExchange, DnsResponse, Exchanges, LdapEntry, LdapExchange, LdapFinal, LdapRequest,
    TcpConnection, Transport,
};
use capdiag::proto::ldap::{
    BindAuth, BindRequest, DerefAliases, Filter, LdapResult, Scope, SearchEntry, SearchRequest,
};

pub fn samples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples")
}

/// Every sample capture, by file stem, sorted.
pub fn samples() -> Vec<(String, PathBuf)> {
    let mut v: Vec<(String, PathBuf)> = std::fs::read_dir(samples_dir())
        .expect("samples/ is readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pcap"))
        .map(|p| {
            let stem = p
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            (stem, p)
        })
        .collect();
    v.sort();
    assert!(v.len() >= 7, "expected the sample captures in samples/");
    v
}

/// A sample analysed as `capdiag analyze samples/NAME.pcap` does, with the relative path the CLI
/// would show so that snapshots do not depend on where the checkout lives.
pub fn analyse(path: &Path) -> Analysis {
    let (a, errors) = analyze_paths(&[path.to_path_buf()], &ChainOptions::default());
    assert!(errors.is_empty(), "{errors:?}");
    let mut a = a.expect("sample is readable");
    for i in &mut a.inputs {
        if let Some(name) = Path::new(&i.path).file_name() {
            i.path = format!("samples/{}", name.to_string_lossy());
        }
    }
    a
}

pub const EVIL: &str =
    "<script>alert('x')</script>\"><img src=http://evil.example/x onerror=alert(1)>;#%%{}|`&amp;";

fn ep(last: u8, port: u16) -> Endpoint {
    Endpoint {
        ip: IpAddr::V4(Ipv4Addr::new(10, 0, 0, last)),
        port,
    }
}

/// DNS names, a DN, a filter, attribute values and the domain all carry [`EVIL`]; the chain
/// is built by the real chain stage, so causes quote it too.
pub fn hostile() -> Analysis {
    let client = ep(2, 50000);
    let dns = DnsExchange {
        frame: 1,
        ts: 0,
        client,
        server: ep(1, 53),
        transport: Transport::Udp,
        id: 7,
        name: format!("_ldap._tcp.dc._msdcs.{EVIL}"),
        qtype: "SRV".into(),
        retries: vec![],
        response: Some(DnsResponse {
            frame: 2,
            ts: 1,
            rcode: capdiag::proto::dns::Rcode::NxDomain,
            truncated: false,
            answers: vec![],
            additionals: vec![],
        }),
    };
    let tcp = TcpConnection {
        id: 1,
        client: ep(2, 50001),
        server: ep(1, 389),
        first_frame: 3,
        ts: 2,
        saw_syn: true,
        syn_retransmits: vec![],
        syn_ack: Some(4),
        reset: None,
        fins: vec![],
        bytes_from_client: 100,
        bytes_from_server: 100,
        sasl: None,
        decrypted_with: None,
        gaps: 0,
    };
    let bind = LdapExchange {
        transport: Transport::Tcp,
        conn: Some(1),
        client: ep(2, 50001),
        server: ep(1, 389),
        message_id: 1,
        frames: vec![5],
        ts: 3,
        request: LdapRequest::Bind(BindRequest {
            version: 3,
            name: format!("CN={EVIL},DC=contoso"),
            auth: BindAuth::Simple { password_len: 5 },
        }),
        entries: vec![],
        references: vec![],
        result: Some(LdapFinal {
            result: LdapResult {
                code: capdiag::proto::ldap::ResultCode::Success,
                matched_dn: String::new(),
                diagnostic: EVIL.into(),
                referral: vec![],
            },
            frames: vec![6],
            ts: 4,
        }),
    };
    let search = LdapExchange {
        message_id: 2,
        frames: vec![7],
        ts: 5,
        request: LdapRequest::Search(SearchRequest {
            base: format!("CN=Configuration,{EVIL}"),
            scope: Scope::Subtree,
            deref: DerefAliases::Never,
            size_limit: 0,
            time_limit: 0,
            types_only: false,
            filter: Filter::And(vec![
                Filter::Equality {
                    attr: "objectClass".into(),
                    value: b"serviceConnectionPoint".to_vec(),
                },
                Filter::Equality {
                    attr: EVIL.into(),
                    value: EVIL.as_bytes().to_vec(),
                },
            ]),
            attributes: vec![EVIL.into(), "serviceBindingInformation".into()],
            controls: vec![],
        }),
        entries: vec![LdapEntry {
            entry: SearchEntry {
                dn: format!("CN={EVIL},CN=Configuration"),
                attributes: vec![(
                    "serviceBindingInformation".into(),
                    vec![format!("https://{EVIL}/Autodiscover/Autodiscover.xml").into_bytes()],
                )],
            },
            frames: vec![8],
        }],
        result: Some(LdapFinal {
            result: LdapResult {
                code: capdiag::proto::ldap::ResultCode::Success,
                matched_dn: String::new(),
                diagnostic: String::new(),
                referral: vec![],
            },
            frames: vec![9],
            ts: 6,
        }),
        ..bind.clone()
    };
    let exchanges = Exchanges {
        dns: vec![dns],
        ldap: vec![bind, search],
        tcp: vec![tcp],
        ..Exchanges::default()
    };
    let opts = ChainOptions {
        domain: Some(EVIL.into()),
        smtp_domain: None,
        tls_key_log: None,
        ldap_secrets: None,
    };
    let chains = build_chains(&exchanges, &opts);
    assert!(!chains.is_empty(), "the hostile exchanges make a chain");
    Analysis {
        secrets: vec![],
        directory_sessions: vec![],
        inputs: vec![InputInfo {
            path: format!("{EVIL}.pcap"),
            format: "pcap".into(),
            packets: 9,
            // A reason as a damaged capture could word it (input warnings quote the file).
            warnings: vec![InputWarning::Corrupt {
                at: Place { after_frame: 9 },
                reason: EVIL.into(),
            }],
            comments: vec![],
            decryption_secrets: vec![],
        }],
        warnings: vec![],
        exchanges,
        chains,
        origins: Default::default(),
    }
}
