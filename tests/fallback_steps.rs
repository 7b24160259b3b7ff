//! The fallback steps on hand-built exchanges: the port-80 GET to autodiscover.<domain> judged
//! by EWS's redirect rule, and the `_autodiscover._tcp` SRV query that gave no port-443 target,
//! each shown as an attempt in EWS order with its outcome, and the verdict rule around them.

mod model_support;

use std::net::Ipv4Addr;

use capdiag::chain::{
    Attempt, Chain, ChainOptions, ChainStatus, Origin, StageKind, StageStatus, build_chains,
};
use capdiag::messages::{
    DnsExchange, DnsResponse, Exchanges, HttpExchange, TcpConnection, Transport,
};
use capdiag::proto::dns::{DnsData, DnsRecord, Rcode};

const CLIENT: Ipv4Addr = Ipv4Addr::new(10, 1, 0, 5);
const DNS: Ipv4Addr = Ipv4Addr::new(10, 1, 0, 1);
const WEB: Ipv4Addr = Ipv4Addr::new(10, 1, 0, 8);

use model_support::ep;

/// A query in `frame` answered in the next frame: rcode 3 (NXDOMAIN) when `answers` is empty.
fn query(frame: u64, name: &str, qtype: &str, answers: Vec<DnsData>) -> DnsExchange {
    DnsExchange {
        frame,
        ts: frame as i64,
        client: ep(CLIENT, 53000),
        server: ep(DNS, 53),
        transport: Transport::Udp,
        id: frame as u16,
        name: name.into(),
        qtype: qtype.into(),
        retries: vec![],
        response: Some(DnsResponse {
            frame: frame + 1,
            ts: frame as i64 + 1,
            rcode: if answers.is_empty() {
                Rcode::NxDomain
            } else {
                Rcode::NoError
            },
            truncated: false,
            answers: answers
                .into_iter()
                .map(|data| DnsRecord {
                    name: name.into(),
                    ttl: 60,
                    data,
                })
                .collect(),
            additionals: vec![],
        }),
    }
}

/// A connection opened in `frame` and accepted in the next.
fn tcp(frame: u64, server: Ipv4Addr, port: u16) -> TcpConnection {
    model_support::accepted_tcp(frame, CLIENT, server, port)
}

/// The port-80 step: lookup of autodiscover.contoso.test (frames 10, 11), TCP 80 (12, 13), the
/// GET (14) and its answer (15); then the SRV query (20, 21) with `srv` answers.
fn fallbacks(status: u16, location: Option<&str>, srv: Vec<DnsData>) -> Exchanges {
    Exchanges {
        dns: vec![
            query(
                10,
                "autodiscover.contoso.test",
                "A",
                vec![DnsData::Address(WEB.into())],
            ),
            query(20, "_autodiscover._tcp.contoso.test", "SRV", srv),
        ],
        tcp: vec![tcp(12, WEB, 80)],
        http: vec![HttpExchange {
            conn: 12,
            frame: 14,
            method: "GET".into(),
            target: "/autodiscover/autodiscover.xml".into(),
            host: Some("autodiscover.contoso.test".into()),
            response: Some((15, status, location.map(str::to_string))),
            ..HttpExchange::default()
        }],
        ..Exchanges::default()
    }
}

fn chain(ex: &Exchanges) -> Chain {
    let opts = ChainOptions {
        domain: Some("contoso.test".into()),
        smtp_domain: None,
        tls_key_log: None,
        ldap_secrets: None,
    };
    build_chains(ex, &opts)
        .into_iter()
        .next()
        .expect("the exchanges make a chain")
}

fn attempt(c: &Chain, origin: Origin) -> &Attempt {
    c.attempts
        .iter()
        .find(|a| a.origin == origin)
        .unwrap_or_else(|| panic!("an attempt from {origin:?} in {:?}", c.attempts))
}

fn failure(a: &Attempt) -> (StageKind, &str, &str, Vec<u64>) {
    let s = a.first_failure().expect("a failed stage");
    let c = s.cause.as_ref().expect("a cause");
    (
        s.kind,
        c.code.as_str(),
        c.summary.as_str(),
        c.frames.clone(),
    )
}

#[test]
fn a_200_on_port_80_is_not_a_redirect() {
    let c = chain(&fallbacks(200, None, vec![]));
    let a = attempt(&c, Origin::Port80);
    assert_eq!(a.host, "autodiscover.contoso.test");
    let (kind, code, summary, frames) = failure(a);
    assert_eq!((kind, code), (StageKind::Https, "http.not_redirect"));
    assert!(summary.contains("answered HTTP 200"), "{summary}");
    assert_eq!(frames, [14, 15]);
    assert!(c.findings.iter().any(|f| f.code == "http.not_redirect"));
    assert_ne!(c.status, ChainStatus::Complete);
}

#[test]
fn a_redirect_to_http_is_insecure() {
    let c = chain(&fallbacks(
        302,
        Some("http://mail.contoso.test/autodiscover/autodiscover.xml"),
        vec![],
    ));
    let (_, code, summary, _) = failure(attempt(&c, Origin::Port80));
    assert_eq!(code, "http.redirect_insecure");
    assert!(summary.contains("which is not https"), "{summary}");
}

#[test]
fn a_redirect_to_another_path_is_insecure() {
    let c = chain(&fallbacks(
        301,
        Some("https://mail.contoso.test/owa/"),
        vec![],
    ));
    let (_, code, summary, _) = failure(attempt(&c, Origin::Port80));
    assert_eq!(code, "http.redirect_insecure");
    assert!(summary.contains("path does not match"), "{summary}");
}

#[test]
fn a_right_redirect_is_ok_but_is_not_https_reached() {
    let c = chain(&fallbacks(
        307,
        Some("https://mail.contoso.test/Autodiscover/Autodiscover.xml"),
        vec![],
    ));
    let a = attempt(&c, Origin::Port80);
    let answer = a
        .stages
        .iter()
        .find(|s| s.kind == StageKind::Https)
        .expect("answer");
    assert_eq!(answer.status, StageStatus::Ok);
    assert_eq!(answer.frames, [14, 15]);
    assert!(!a.reached_https());
    // The redirect target was never looked up: nothing reached HTTPS.
    assert_ne!(c.status, ChainStatus::Complete);
}

#[test]
fn srv_nxdomain_is_an_attempt_after_the_port_80_step() {
    let c = chain(&fallbacks(200, None, vec![]));
    let origins: Vec<Origin> = c.attempts.iter().map(|a| a.origin).collect();
    let p80 = origins
        .iter()
        .position(|o| *o == Origin::Port80)
        .expect("port 80");
    let srv = origins.iter().position(|o| *o == Origin::Srv).expect("srv");
    assert!(p80 < srv, "{origins:?}");
    let a = &c.attempts[srv];
    assert_eq!(a.host, "_autodiscover._tcp.contoso.test");
    let (kind, code, _, frames) = failure(a);
    assert_eq!((kind, code), (StageKind::ScpUrlDns, "dns.nxdomain"));
    assert_eq!(frames, [20, 21]);
    assert!(
        c.findings
            .iter()
            .any(|f| f.code == "dns.nxdomain" && f.frames == [20, 21])
    );
}

#[test]
fn srv_without_a_port_443_target_is_said() {
    let srv = vec![DnsData::Srv {
        priority: 0,
        weight: 0,
        port: 80,
        target: "mail.contoso.test".into(),
    }];
    let c = chain(&fallbacks(200, None, srv));
    let a = c
        .attempts
        .iter()
        .find(|a| a.host == "_autodiscover._tcp.contoso.test")
        .expect("the SRV query attempt");
    let (_, code, summary, _) = failure(a);
    assert_eq!(code, "srv.no_port_443");
    assert!(summary.contains("mail.contoso.test:80"), "{summary}");
}

#[test]
fn an_srv_query_with_a_443_target_is_no_attempt_of_its_own() {
    let srv = vec![DnsData::Srv {
        priority: 0,
        weight: 0,
        port: 443,
        target: "mail.contoso.test".into(),
    }];
    let c = chain(&fallbacks(200, None, srv));
    assert!(
        c.attempts
            .iter()
            .all(|a| a.host != "_autodiscover._tcp.contoso.test"),
        "{:?}",
        c.attempts
    );
}
