//! The HTTPS stage judged from readable HTTP on hand-built exchanges: exchanges on a port-443
//! connection whose TLS handshake completed, as decrypted HTTPS will give them, and a POX
//! request sent in clear to port 80. Bytes are decoded by the HTTP decoder, so what is judged is
//! what a capture would hold.

mod model_support;

use std::net::{IpAddr, Ipv4Addr};

use capdiag::chain::{Chain, ChainOptions, ChainStatus, StageKind, StageStatus, build_chains};
use capdiag::messages::{
    DnsExchange, DnsResponse, Exchanges, HttpExchange, TcpConnection, TlsSession, Transport,
};
use capdiag::proto::dns::{DnsData, DnsRecord, Rcode};
use capdiag::proto::http::{HttpMessage, decode_http};

const CLIENT: Ipv4Addr = Ipv4Addr::new(10, 1, 0, 5);
const DNS: Ipv4Addr = Ipv4Addr::new(10, 1, 0, 1);
const WEB: Ipv4Addr = Ipv4Addr::new(10, 1, 0, 8);
const HOST: &str = "autodiscover.contoso.test";
const SCHEMA: &str =
    "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";

use model_support::ep;

fn lookup(frame: u64) -> DnsExchange {
    lookup_of(frame, HOST, WEB)
}

fn lookup_of(frame: u64, host: &str, ip: Ipv4Addr) -> DnsExchange {
    DnsExchange {
        frame,
        ts: frame as i64,
        client: ep(CLIENT, 53000),
        server: ep(DNS, 53),
        transport: Transport::Udp,
        id: 1,
        name: host.into(),
        qtype: "A".into(),
        retries: vec![],
        response: Some(DnsResponse {
            frame: frame + 1,
            ts: frame as i64 + 1,
            rcode: Rcode::NoError,
            truncated: false,
            answers: vec![DnsRecord {
                name: host.into(),
                ttl: 60,
                data: DnsData::Address(IpAddr::V4(ip)),
            }],
            additionals: vec![],
        }),
    }
}

fn tcp(frame: u64, port: u16) -> TcpConnection {
    tcp_to(frame, WEB, port)
}

fn tcp_to(frame: u64, server: Ipv4Addr, port: u16) -> TcpConnection {
    model_support::accepted_tcp(frame, CLIENT, server, port)
}

/// A TLS 1.2 handshake on connection `conn`: hellos in 4 and 5, the client's Finished in 6.
fn tls(conn: u64) -> TlsSession {
    tls_for(conn, HOST)
}

fn tls_for(conn: u64, sni: &str) -> TlsSession {
    TlsSession {
        conn,
        client_hello: Some((4, Some(sni.into()), vec![])),
        server_hello: Some((5, 0x0303)),
        client_app_records: 3,
        client_app_frames: vec![6, 10],
        server_app_records: 3,
        server_app_last: Some(30),
        ..TlsSession::default()
    }
}

fn pox(email: &str, auth: &str) -> Vec<u8> {
    let body = format!(
        "<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006\"><Request><EMailAddress>{email}</EMailAddress><AcceptableResponseSchema>{SCHEMA}</AcceptableResponseSchema></Request></Autodiscover>"
    );
    format!(
        "POST /autodiscover/autodiscover.xml HTTP/1.1\r\nHost: {HOST}\r\n{auth}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn answer(status: &str, headers: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn exchange(conn: u64, frame: u64, request: &[u8], reply: &[u8]) -> HttpExchange {
    let HttpMessage::Request(q) = decode_http(request).unwrap() else {
        panic!("a request")
    };
    let HttpMessage::Response(r) = decode_http(reply).unwrap() else {
        panic!("a response")
    };
    HttpExchange {
        conn,
        frame,
        method: q.method.clone(),
        target: q.target.clone(),
        host: q.host.clone(),
        response: Some((frame + 1, r.status, r.location.clone())),
        request: q,
        reply: Some(r),
        decrypted: false,
    }
}

fn https_capture(http: Vec<HttpExchange>) -> Exchanges {
    Exchanges {
        dns: vec![lookup(1)],
        tcp: vec![tcp(3, 443)],
        tls: vec![tls(3)],
        http,
        ..Exchanges::default()
    }
}

fn chain(ex: &Exchanges, domain: Option<&str>) -> Chain {
    let opts = ChainOptions {
        domain: domain.map(str::to_string),
        ..ChainOptions::default()
    };
    build_chains(ex, &opts)
        .into_iter()
        .next()
        .expect("the exchanges make a chain")
}

fn https(c: &Chain) -> &capdiag::chain::Stage {
    c.stages
        .iter()
        .find(|s| s.kind == StageKind::Https)
        .expect("the https stage")
}

const SETTINGS: &str = "<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\"><Response xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a\"><Account><AccountType>email</AccountType><Action>settings</Action><Protocol><Type>EXPR</Type><EwsUrl>https://mail.contoso.test/EWS/Exchange.asmx</EwsUrl></Protocol></Account></Response></Autodiscover>";

#[test]
fn settings_after_a_negotiate_401_complete_the_chain_with_the_ews_url() {
    let ex = https_capture(vec![
        exchange(
            3,
            10,
            &pox("user@contoso.test", ""),
            &answer("401 Unauthorized", "WWW-Authenticate: Negotiate\r\n", ""),
        ),
        exchange(
            3,
            12,
            &pox(
                "user@contoso.test",
                "Authorization: Negotiate YIIGhgYGKwYBBQUC\r\n",
            ),
            &answer("200 OK", "Content-Type: text/xml\r\n", SETTINGS),
        ),
    ]);
    let c = chain(&ex, Some("contoso.test"));
    assert_eq!(c.status, ChainStatus::Complete, "{:?}", c.findings);
    let s = https(&c);
    assert_eq!(s.status, StageStatus::Ok);
    assert!(s.detail.contains(&(
        "ews_url",
        "https://mail.contoso.test/EWS/Exchange.asmx".into()
    )));
    assert!(
        c.findings.iter().all(|f| !f.code.starts_with("https.auth")),
        "the 401 the client got past is no finding: {:?}",
        c.findings
    );
}

#[test]
fn a_403_over_https_is_the_break_not_https_reached() {
    let ex = https_capture(vec![exchange(
        3,
        10,
        &pox(
            "user@contoso.test",
            "Authorization: Negotiate YIIGhgYGKwYBBQUC\r\n",
        ),
        &answer("403 Forbidden", "", ""),
    )]);
    let c = chain(&ex, Some("contoso.test"));
    assert_eq!(c.status, ChainStatus::Broken);
    assert_eq!(c.broken_at, Some(StageKind::Https));
    assert_eq!(
        c.cause.as_ref().map(|x| x.code.as_str()),
        Some("https.forbidden")
    );
    assert_eq!(
        c.cause.as_ref().map(|x| x.frames.clone()),
        Some(vec![10, 11])
    );
}

#[test]
fn an_empty_binary_property_in_ews_is_a_finding_not_the_break() {
    let soap = r#"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><GetItemResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" xmlns="http://schemas.microsoft.com/exchange/services/2006/messages"><m:ResponseMessages><m:GetItemResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:Items><t:Message><t:ItemId Id="AAAlAFVz" ChangeKey="CQAAAB" /><t:Subject>Budget</t:Subject><t:ExtendedProperty><t:ExtendedFieldURI PropertyTag="0x0FFF" PropertyType="Binary" /><t:Value /></t:ExtendedProperty></t:Message></m:Items></m:GetItemResponseMessage></m:ResponseMessages></GetItemResponse></soap:Body></soap:Envelope>"#;
    let get_item = b"POST /EWS/Exchange.asmx HTTP/1.1\r\nHost: autodiscover.contoso.test\r\nContent-Length: 0\r\n\r\n";
    let ex = https_capture(vec![
        exchange(
            3,
            10,
            &pox("user@contoso.test", ""),
            &answer("200 OK", "", SETTINGS),
        ),
        exchange(
            3,
            20,
            get_item,
            &answer("200 OK", "Content-Type: text/xml\r\n", soap),
        ),
    ]);
    let c = chain(&ex, Some("contoso.test"));
    assert_eq!(c.status, ChainStatus::Complete);
    let f = c
        .findings
        .iter()
        .find(|f| f.code == "ews.empty_binary_property")
        .expect("the EWS finding");
    assert_eq!(f.frames, vec![20, 21]);
    for part in [
        "AAAlAFVz",
        "\"Budget\"",
        "PropertyTag 0x0FFF",
        "frame 21",
        "GetItemResponse",
    ] {
        assert!(f.summary.contains(part), "{part} in {}", f.summary);
    }
}

#[test]
fn a_pox_post_in_clear_on_port_80_is_judged_from_its_answer() {
    // No DNS, no directory: the domain comes from the request's EMailAddress.
    let ex = Exchanges {
        tcp: vec![tcp(3, 80)],
        http: vec![exchange(
            3,
            5,
            &pox("user@contoso.test", ""),
            &answer(
                "401 Unauthorized",
                "WWW-Authenticate: Basic realm=\"contoso\"\r\n",
                "",
            ),
        )],
        ..Exchanges::default()
    };
    let c = chain(&ex, None);
    assert_eq!(c.domain.as_deref(), Some("contoso.test"));
    assert_eq!(c.status, ChainStatus::Broken);
    assert_eq!(c.broken_at, Some(StageKind::Https));
    assert_eq!(
        c.cause.as_ref().map(|x| x.code.as_str()),
        Some("https.auth_no_usable_scheme")
    );
}

#[test]
fn a_redirect_url_in_the_xml_is_followed_to_the_host_that_gives_settings() {
    const MAIL: Ipv4Addr = Ipv4Addr::new(10, 1, 0, 9);
    let redirect = "<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\"><Response xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a\"><Account><Action>redirectUrl</Action><RedirectUrl>https://mail.contoso.test/autodiscover/autodiscover.xml</RedirectUrl></Account></Response></Autodiscover>";
    let mut settings = exchange(
        33,
        40,
        &pox("user@contoso.test", ""),
        &answer("200 OK", "", SETTINGS),
    );
    settings.host = Some("mail.contoso.test".into());
    let ex = Exchanges {
        dns: vec![lookup(1), lookup_of(30, "mail.contoso.test", MAIL)],
        tcp: vec![tcp(3, 443), tcp_to(33, MAIL, 443)],
        tls: vec![tls(3), tls_for(33, "mail.contoso.test")],
        http: vec![
            exchange(
                3,
                10,
                &pox("user@contoso.test", ""),
                &answer("200 OK", "", redirect),
            ),
            HttpExchange {
                conn: 33,
                ..settings
            },
        ],
        ..Exchanges::default()
    };
    let c = chain(&ex, Some("contoso.test"));
    assert_eq!(c.status, ChainStatus::Complete, "{:?}", c.findings);
    let first = c
        .attempts
        .iter()
        .find(|a| a.host == HOST)
        .expect("the autodiscover host");
    assert!(first.redirected() && !first.reached_https());
    let next = c
        .attempts
        .iter()
        .find(|a| a.host == "mail.contoso.test")
        .expect("the redirect target is a candidate");
    assert_eq!(next.origin, capdiag::chain::Origin::Redirect);
    assert!(next.reached_https());
    assert!(
        https(&c)
            .detail
            .iter()
            .any(|(k, v)| *k == "ews_url" && v.ends_with("/EWS/Exchange.asmx"))
    );
}
