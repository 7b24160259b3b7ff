//! The certificate in the chain, on hand-built exchanges with a certificate made once with
//! openssl (tests/data/x509): a client that closes without an alert is explained by the name
//! mismatch, a client alert stays the cause with the certificate facts as notes, and an LDAPS
//! connection shows the DC's certificate.

use std::net::{IpAddr, Ipv4Addr};

use capdiag::chain::{Chain, ChainOptions, ChainStatus, Severity, Stage, StageKind, build_chains};
use capdiag::flow::{Endpoint, Side};
use capdiag::messages::{
    DnsExchange, DnsResponse, Exchanges, TcpConnection, TlsSession, Transport,
};
use capdiag::proto::dns::{DnsData, DnsRecord, Rcode};
use capdiag::proto::tls::AlertDescription;

/// Subject O=Contoso Lab, CN=mail.contoso.test, self-signed, SAN mail.contoso.test and
/// *.ex.contoso.test, valid 2026-01-01 to 2027-01-01.
const CERT: &[u8] = include_bytes!("data/x509/mail-contoso-self-signed.der");
/// 2026-06-01 00:00:00 UTC in nanoseconds.
const JUNE_2026: i64 = 1_780_272_000 * 1_000_000_000;

const CLIENT: Ipv4Addr = Ipv4Addr::new(10, 1, 0, 5);
const WEB: Ipv4Addr = Ipv4Addr::new(10, 1, 0, 8);

fn ep(ip: Ipv4Addr, port: u16) -> Endpoint {
    Endpoint {
        ip: IpAddr::V4(ip),
        port,
    }
}

fn tcp(id: u64, port: u16, fins: Vec<(Side, u64)>) -> TcpConnection {
    TcpConnection {
        id,
        client: ep(CLIENT, 40000 + id as u16),
        server: ep(WEB, port),
        first_frame: id,
        ts: id as i64,
        saw_syn: true,
        syn_retransmits: vec![],
        syn_ack: Some(id + 1),
        reset: None,
        fins,
        bytes_from_client: 500,
        bytes_from_server: 1500,
        sasl: None,
        decrypted_with: None,
        gaps: 0,
    }
}

/// ClientHello (12) for `sni`, ServerHello and Certificate (13) in TLS 1.2.
fn tls(conn: u64, sni: Option<&str>) -> TlsSession {
    TlsSession {
        conn,
        client_hello: Some((12, sni.map(str::to_string), vec![])),
        server_hello: Some((13, 0x0303)),
        certificate: Some((13, vec![CERT.to_vec()])),
        certificate_ts: Some(JUNE_2026),
        ..TlsSession::default()
    }
}

/// autodiscover.contoso.test resolves to the web server (frames 1, 2); the client connects to 443 (10, 11).
fn exchanges(session: TlsSession, fins: Vec<(Side, u64)>) -> Exchanges {
    Exchanges {
        dns: vec![DnsExchange {
            frame: 1,
            ts: 1,
            client: ep(CLIENT, 53000),
            server: ep(Ipv4Addr::new(10, 1, 0, 1), 53),
            transport: Transport::Udp,
            id: 1,
            name: "autodiscover.contoso.test".into(),
            qtype: "A".into(),
            retries: vec![],
            response: Some(DnsResponse {
                frame: 2,
                ts: 2,
                rcode: Rcode::NoError,
                truncated: false,
                answers: vec![DnsRecord {
                    name: "autodiscover.contoso.test".into(),
                    ttl: 60,
                    data: DnsData::Address(WEB.into()),
                }],
                additionals: vec![],
            }),
        }],
        tcp: vec![tcp(10, 443, fins)],
        tls: vec![session],
        ..Exchanges::default()
    }
}

fn chain(ex: &Exchanges) -> Chain {
    let opts = ChainOptions {
        domain: Some("contoso.test".into()),
        smtp_domain: Some("contoso.test".into()),
        tls_key_log: None,
        ldap_secrets: None,
    };
    build_chains(ex, &opts).into_iter().next().expect("a chain")
}

fn stage(c: &Chain, kind: StageKind) -> &Stage {
    c.stages.iter().find(|s| s.kind == kind).expect("the stage")
}

#[test]
fn a_client_that_closes_without_alert_is_explained_by_the_name_mismatch() {
    let c = chain(&exchanges(
        tls(10, Some("autodiscover.contoso.test")),
        vec![(Side::Client, 14)],
    ));
    assert_eq!(c.status, ChainStatus::Broken);
    assert_eq!(c.broken_at, Some(StageKind::TlsHandshake));
    let cause = c.cause.as_ref().expect("a cause");
    assert_eq!(cause.code, "tls.name_mismatch");
    assert_eq!(cause.severity, Severity::Failure);
    assert!(
        cause
            .summary
            .contains("mail.contoso.test, *.ex.contoso.test"),
        "{}",
        cause.summary
    );
    assert!(
        cause.summary.contains("without an alert"),
        "{}",
        cause.summary
    );
    assert_eq!(cause.frames, [12, 13, 14]);
    let s = stage(&c, StageKind::TlsHandshake);
    let codes: Vec<&str> = s.notes.iter().map(|n| n.code.as_str()).collect();
    assert_eq!(codes, ["tls.self_signed"]);
    assert!(s.detail.contains(&(
        "certificate issuer",
        "O=Contoso Lab, CN=mail.contoso.test".into()
    )));
}

#[test]
fn a_client_alert_stays_the_cause_and_the_mismatch_is_a_note() {
    let mut session = tls(10, Some("autodiscover.contoso.test"));
    session
        .alerts
        .push((Side::Client, 14, Some(AlertDescription::BadCertificate)));
    let c = chain(&exchanges(session, vec![]));
    let cause = c.cause.as_ref().expect("a cause");
    assert_eq!(cause.code, "tls.alert.bad_certificate");
    let s = stage(&c, StageKind::TlsHandshake);
    let notes: Vec<(&str, Severity)> = s
        .notes
        .iter()
        .map(|n| (n.code.as_str(), n.severity))
        .collect();
    assert_eq!(
        notes,
        [
            ("tls.name_mismatch", Severity::Failure),
            ("tls.self_signed", Severity::Info)
        ]
    );
    assert!(c.findings.iter().any(|f| f.code == "tls.name_mismatch"));
}

#[test]
fn ldaps_shows_the_dc_certificate() {
    let ex = Exchanges {
        tcp: vec![tcp(10, 636, vec![])],
        tls: vec![tls(10, None)],
        ..Exchanges::default()
    };
    let c = chain(&ex);
    let s = stage(&c, StageKind::LdapConnect);
    assert!(s.detail.contains(&(
        "certificate subject",
        "O=Contoso Lab, CN=mail.contoso.test".into()
    )));
    assert!(s.frames.contains(&13));
    let codes: Vec<&str> = s.notes.iter().map(|n| n.code.as_str()).collect();
    assert_eq!(
        codes,
        ["tls.self_signed"],
        "no SNI: the name is not checked"
    );
}
