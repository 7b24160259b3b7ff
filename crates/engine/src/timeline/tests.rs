//! The timeline builder on the samples and on hand-made exchanges: frame order, labels, status
//! and stage assignment, per-file frames, forwarded DNS queries.

use std::path::PathBuf;

use super::*;
use crate::analysis::{Analysis, analyze_paths};
use crate::chain::{ChainOptions, StageKind, StageStatus};
use crate::flow::Endpoint;
use crate::messages::{DnsExchange, Exchanges, Transport};

fn sample_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../samples")
        .join(name)
}

fn analysis_of(names: &[&str]) -> Analysis {
    let paths: Vec<PathBuf> = names.iter().map(|n| sample_path(n)).collect();
    let (a, errors) = analyze_paths(&paths, &ChainOptions::default());
    assert!(errors.is_empty(), "{errors:?}");
    a.expect("an analysis")
}

fn at(events: &[Event], frame: u64, protocol: Protocol) -> &Event {
    events
        .iter()
        .find(|e| e.frame == frame && e.protocol == protocol)
        .unwrap_or_else(|| panic!("no {protocol:?} event at frame {frame}"))
}

#[test]
fn events_follow_frame_order_and_an_ldap_message_shows_at_its_completing_frame() {
    let events = timeline(&analysis_of(&["complete.pcap"]));
    assert!(events.len() > 30, "{}", events.len());
    assert!(events.windows(2).all(|w| w[0].frame <= w[1].frame));
    for e in events
        .iter()
        .filter(|e| matches!(e.protocol, Protocol::Ldap))
    {
        if let Some(last) = e.frames.last() {
            assert_eq!(e.frame, *last, "{}", e.label);
        }
    }
    // Within one frame, an entry comes before the result that ends its search.
    let scp: Vec<&Event> = events.iter().filter(|e| e.frame == 30).collect();
    assert!(matches!(
        scp.first().map(|e| &e.kind),
        Some(EventKind::LdapEntry { .. })
    ));
    assert!(matches!(
        scp.last().map(|e| &e.kind),
        Some(EventKind::LdapDone { .. })
    ));
}

#[test]
fn each_message_has_one_label_its_ends_and_their_roles() {
    let events = timeline(&analysis_of(&["complete.pcap"]));
    let srv = at(&events, 1, Protocol::Dns);
    assert_eq!(srv.label, "DNS SRV query _ldap._tcp.dc._msdcs.contoso.test");
    assert_eq!(srv.direction, Direction::Request);
    assert_eq!(srv.server_role, Role::Dns);
    assert_eq!(srv.kind_stage, Some(StageKind::DcLocatorDns));
    let ping = at(&events, 7, Protocol::Cldap);
    assert_eq!(ping.label, "CLDAP netlogon ping for contoso.test");
    assert_eq!(ping.server_role, Role::Dc);
    assert_eq!(ping.server_name.as_deref(), Some("dc1.contoso.test"));
    let scp = at(&events, 29, Protocol::Ldap);
    assert!(
        scp.label.starts_with("SCP search in CN=Configuration"),
        "{}",
        scp.label
    );
    let hello = at(&events, 55, Protocol::Tls);
    assert_eq!(hello.label, "TLS ClientHello, SNI mail.contoso.test");
    // A web host is named by what its client looked up, not by the DC's name for the address.
    assert_eq!(hello.server_role, Role::Web);
    assert_eq!(hello.server_name.as_deref(), Some("mail.contoso.test"));
    assert_eq!(hello.server.map(|s| s.port), Some(443));
}

#[test]
fn a_preauth_step_is_info_and_the_failed_preauth_is_the_stage_failure() {
    let events = timeline(&analysis_of(&["kerberos-preauth-failed.pcap"]));
    let step = at(&events, 10, Protocol::Kerberos);
    assert_eq!(
        step.label,
        "Kerberos KRB-ERROR KDC_ERR_PREAUTH_REQUIRED (25)"
    );
    assert_eq!(step.status, EventStatus::Info);
    assert!(step.direction.from_server());
    let failed = at(&events, 12, Protocol::Kerberos);
    assert_eq!(
        failed.label,
        "Kerberos KRB-ERROR KDC_ERR_PREAUTH_FAILED (24)"
    );
    assert_eq!(failed.status, EventStatus::Failed);
    assert_eq!(
        failed.stage,
        Some((StageKind::Kerberos, StageStatus::Failed))
    );
    assert!(failed.finding);
    let request = at(&events, 9, Protocol::Kerberos);
    assert_eq!(request.label, "Kerberos AS-REQ krbtgt/CONTOSO.TEST");
    assert_eq!(request.server_role, Role::Kdc);
}

#[test]
fn a_refused_connection_and_an_unanswered_syn_fail_their_connect_stage() {
    let refused = timeline(&analysis_of(&["ldap-refused.pcap"]));
    let syn = at(&refused, 9, Protocol::Tcp);
    assert_eq!(syn.status, EventStatus::Unanswered);
    let rst = at(&refused, 10, Protocol::Tcp);
    assert_eq!(rst.kind, EventKind::TcpRefused);
    assert_eq!(rst.label, "RST: connection refused");
    assert_eq!(rst.status, EventStatus::Failed);
    assert_eq!(
        rst.stage,
        Some((StageKind::LdapConnect, StageStatus::Failed))
    );

    let timeout = timeline(&analysis_of(&["https-timeout.pcap"]));
    let syn = at(&timeout, 52, Protocol::Tcp);
    assert_eq!(syn.frames, vec![52, 53, 54]);
    assert_eq!(
        syn.label,
        "TCP SYN to port 443, 2 retransmissions: no answer"
    );
    let gave_up = at(&timeout, 54, Protocol::Tcp);
    assert!(matches!(
        gave_up.kind,
        EventKind::TcpTimeout { tries: 3, .. }
    ));
    assert_eq!(gave_up.status, EventStatus::Failed);
    assert_eq!(
        gave_up.stage,
        Some((StageKind::HttpsConnect, StageStatus::Failed))
    );
}

#[test]
fn parts_of_one_exchange_share_its_stage() {
    let events = timeline(&analysis_of(&["complete.pcap"]));
    let scp = at(&events, 29, Protocol::Ldap);
    for e in events
        .iter()
        .filter(|e| e.source.exchange() == scp.source.exchange())
    {
        assert_eq!(
            e.stage,
            Some((StageKind::ScpSearch, StageStatus::Ok)),
            "{}",
            e.label
        );
    }
}

#[test]
fn with_two_inputs_each_event_knows_its_file_and_frame_there() {
    let a = analysis_of(&["complete.pcap", "ldap-refused.pcap"]);
    let events = timeline(&a);
    let mut last: [u64; 2] = [0, 0];
    for e in &events {
        let (input, frame) = e.file_frame.expect("a file frame");
        let slot = last.get_mut(input).expect("input 0 or 1");
        // Per file, frames keep the merged order (several events can share one frame).
        assert!(frame >= *slot && frame > 0, "{} after {}", frame, slot);
        assert_eq!(a.origins.locate(e.frame), Some((input, frame)));
        *slot = frame;
    }
    assert!(last.iter().all(|n| *n > 0), "{last:?}");
}

#[test]
fn a_dns_servers_forwarded_query_is_not_its_own_lookup() {
    let ep = |last: u8, port: u16| Endpoint {
        ip: std::net::IpAddr::from([10, 0, 0, last]),
        port,
    };
    let query = |frame: u64, client: Endpoint, server: Endpoint| DnsExchange {
        frame,
        ts: i64::try_from(frame).unwrap_or_default(),
        client,
        server,
        transport: Transport::Udp,
        id: 7,
        name: "mail.contoso.test".into(),
        qtype: "A".into(),
        retries: vec![],
        response: None,
    };
    let (client, dns, upstream) = (ep(2, 50000), ep(1, 53), ep(9, 53));
    let exchanges = Exchanges {
        dns: vec![query(1, client, dns), query(2, ep(1, 40000), upstream)],
        ..Exchanges::default()
    };
    let a = Analysis {
        inputs: vec![],
        warnings: vec![],
        exchanges,
        chains: vec![],
        directory_sessions: vec![],
        secrets: vec![],
        origins: Default::default(),
    };
    let events = timeline(&a);
    assert_eq!(events.len(), 2);
    assert!(!events.iter().any(|e| e.frame == 1 && e.forwarded));
    assert!(events.iter().any(|e| e.frame == 2 && e.forwarded));
    assert_eq!(client_events(&events, dns.ip).count(), 0);
    assert_eq!(client_events(&events, client.ip).count(), 1);
    let asked = client_events(&events, client.ip)
        .next()
        .map(|e| e.label.as_str());
    assert_eq!(asked, Some("DNS A query mail.contoso.test: no response"));
    assert!(events.iter().all(|e| e.status == EventStatus::Unanswered));
}

#[test]
fn the_heading_names_the_failed_stage_and_falls_back_to_the_kind() {
    let a = analysis_of(&["kerberos-preauth-failed.pcap"]);
    let chain = a.chains.first().expect("a chain");
    let head = stage_heading(chain, &[12], Some(StageKind::Kerberos), None);
    assert_eq!(head.map(|h| h.kind), Some(StageKind::Kerberos));
    let web = stage_heading(
        chain,
        &[],
        Some(StageKind::Https),
        Some("mail.contoso.test"),
    );
    assert_eq!(
        web.map(|h| h.title()),
        Some(format!("{}: mail.contoso.test", StageKind::Https.title()))
    );
    let bind = stage_heading(chain, &[], Some(StageKind::LdapBind), Some("x"));
    assert_eq!(bind.and_then(|h| h.host), None);
    let verdict = Verdict::new(chain);
    assert_eq!(verdict.of_frames(&[1]), Judged::Ok);
    let broke = chain.cause.as_ref().expect("a cause");
    assert_eq!(verdict.of_frames(&broke.frames), Judged::Break);
    assert_eq!(verdict.of_finding(broke), Judged::Break);
}

#[test]
fn the_name_tables() {
    assert_eq!(kerberos_type_name(10), "AS-REQ");
    assert_eq!(kerberos_type_name(99), "Kerberos message 99");
    assert_eq!(
        extended_name("1.3.6.1.4.1.1466.20037"),
        "StartTLS (1.3.6.1.4.1.1466.20037)"
    );
    assert_eq!(extended_name("1.2.3"), "1.2.3");
    assert_eq!(role_for_port(3268), Role::Dc);
    assert_eq!(role_for_port(8443), Role::Web);
    assert_eq!(ldap_answer(None, true, 2, 0), "no final result, 2 entries");
    assert_eq!(plural(1, "entry", "entries"), "1 entry");
}
