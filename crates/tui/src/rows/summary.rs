//! What a row's kind and summary columns say about an event: the row layout's wording of the
//! timeline's typed fields (endpoints inline, since a row has no lifelines).

use crate::flow::Endpoint;
use crate::proto::dns::Rcode;
use crate::proto::tls::version_name;
use crate::timeline::{Event, EventKind, LdapOp, Protocol, extended_name, plural, side_word};

fn end(e: Option<Endpoint>) -> String {
    e.map(|e| e.to_string()).unwrap_or_default()
}

fn ldap_request(e: &Event, op: &LdapOp) -> (&'static str, String) {
    match op {
        LdapOp::Bind {
            name,
            method,
            empty_password,
        } => {
            let who = if name.is_empty() { "(no name)" } else { name };
            let method = if *empty_password {
                "simple, empty password"
            } else {
                method
            };
            ("bind", format!("{who} ({method}) → {}", end(e.server)))
        }
        LdapOp::Search { base, filter, .. } => {
            let kind = if e.protocol == Protocol::Cldap {
                "ping"
            } else {
                "search"
            };
            let base = if base.is_empty() { "(rootDSE)" } else { base };
            (kind, format!("{base} {filter}"))
        }
        LdapOp::Extended { oid } => ("extended", extended_name(oid)),
        LdapOp::Unbind => ("unbind", String::new()),
        LdapOp::Other(name) => ("request", name.clone()),
        LdapOp::NotInCapture => ("search", "(request not in the capture)".to_string()),
    }
}

fn ldap_done(e: &Event) -> (&'static str, String) {
    let EventKind::LdapDone {
        op,
        code,
        entries,
        diagnostic,
        ..
    } = &e.kind
    else {
        return ("response", String::new());
    };
    let kind = match op {
        LdapOp::Bind { .. } => "bind result",
        LdapOp::Search { .. } if e.protocol == Protocol::Cldap => "reply",
        LdapOp::Search { .. } => "done",
        _ => "response",
    };
    let mut summary = format!("{code} ({})", code.value());
    if matches!(op, LdapOp::Search { .. }) {
        summary.push_str(&format!(", {}", plural(*entries, "entry", "entries")));
    }
    if !diagnostic.is_empty() {
        summary.push_str(&format!(": {diagnostic}"));
    }
    (kind, summary)
}

fn dns_answer(rcode: Rcode, answers: &[String], truncated: bool) -> String {
    let mut summary = rcode.to_string();
    if !answers.is_empty() {
        summary = format!("{summary} {}", answers.join(", "));
    } else if rcode == Rcode::NoError {
        summary.push_str(" (no records)");
    }
    if truncated {
        summary.push_str(" [truncated]");
    }
    summary
}

fn timeout(e: &Event, tries: usize, waited: Option<crate::capture::Nanos>) -> String {
    let over = match waited {
        Some(w) if tries > 1 => format!(
            " over {} ({})",
            super::super::state::duration_text(w),
            plural(tries - 1, "retransmission", "retransmissions")
        ),
        _ => String::new(),
    };
    format!(
        "no answer from {} to {}{over}",
        end(e.server),
        plural(tries, "SYN", "SYNs")
    )
}

/// The kind column and the summary of an event's row.
pub(super) fn row_text(e: &Event) -> (&'static str, String) {
    let server = end(e.server);
    match &e.kind {
        EventKind::DnsQuery {
            qtype,
            name,
            retries,
            ..
        } => {
            let retries = if *retries == 0 {
                String::new()
            } else {
                format!(" ({retries} retries)")
            };
            let ip = e.server.map(|s| s.ip.to_string()).unwrap_or_default();
            ("query", format!("{qtype} {name}{retries} → {ip}"))
        }
        EventKind::DnsAnswer {
            rcode,
            answers,
            truncated,
        } => ("answer", dns_answer(*rcode, answers, *truncated)),
        EventKind::Kerberos {
            name,
            error,
            service,
            ..
        } => {
            let what = match (error, service) {
                (Some(code), _) => format!("{name} {code}"),
                (None, Some(service)) => format!("{name} {service}"),
                (None, None) => name.clone(),
            };
            let (from, to, kind) = if e.direction.from_server() {
                (server, end(e.client), "reply")
            } else {
                (end(e.client), server, "request")
            };
            (kind, format!("{what} {from} → {to}"))
        }
        EventKind::LdapRequest { op, .. } => ldap_request(e, op),
        EventKind::LdapEntry { dn, attributes } => {
            let dn = if dn.is_empty() { "(rootDSE)" } else { dn };
            let attrs = plural(*attributes, "attribute", "attributes");
            ("entry", format!("{dn} ({attrs})"))
        }
        EventKind::LdapReference { urls } => ("reference", urls.join(" ")),
        EventKind::LdapDone { .. } => ldap_done(e),
        EventKind::TcpConnect {
            saw_syn,
            retransmits,
            ..
        } => {
            let opened = if *saw_syn { "SYN" } else { "(seen mid-stream)" };
            let retries = if *retransmits == 0 {
                String::new()
            } else {
                format!(" (SYN sent {} times)", retransmits + 1)
            };
            let client = end(e.client);
            ("connect", format!("{opened} {client} → {server}{retries}"))
        }
        EventKind::TcpAccepted => ("accepted", format!("SYN-ACK from {server}")),
        EventKind::TcpRefused => ("refused", format!("RST from {server}: connection refused")),
        EventKind::TcpReset { side } => {
            let who = match side {
                crate::flow::Side::Client => end(e.client),
                crate::flow::Side::Server => server,
            };
            (
                "reset",
                format!("RST from the {} ({who})", side_word(*side)),
            )
        }
        EventKind::TcpTimeout { tries, waited } => ("timeout", timeout(e, *tries, *waited)),
        EventKind::SaslLayer { .. } => ("security layer", e.label.clone()),
        EventKind::TlsClientHello { sni, max_version } => {
            let max = max_version
                .map(|m| format!(", up to {}", version_name(m)))
                .unwrap_or_default();
            let sni = sni.as_deref().unwrap_or("(none)");
            ("client hello", format!("SNI {sni}{max} → {server}"))
        }
        EventKind::TlsServerHello { version } => ("server hello", version_name(*version)),
        EventKind::TlsCertificate { count, bytes } => (
            "certificate",
            format!(
                "{} ({bytes} bytes)",
                plural(*count, "certificate", "certificates")
            ),
        ),
        EventKind::TlsAlert { side, description } => {
            let text = match description {
                Some(d) => format!("{d} ({})", d.value()),
                None => "encrypted".to_string(),
            };
            ("alert", format!("from the {}: {text}", side_word(*side)))
        }
        EventKind::TlsAppData {
            client_records,
            server_records,
            ..
        } => (
            "app data",
            format!(
                "{} record{} from the client, {server_records} from the server",
                client_records,
                if *client_records == 1 { "" } else { "s" },
            ),
        ),
        EventKind::HttpRequest {
            method,
            target,
            host,
            ..
        } => {
            let host = host
                .as_deref()
                .map(|v| format!(" (Host: {v})"))
                .unwrap_or_default();
            ("request", format!("{method} {target}{host}"))
        }
        EventKind::HttpResponse {
            status, location, ..
        } => {
            let to = location
                .as_deref()
                .map(|l| format!(" → {l}"))
                .unwrap_or_default();
            ("response", format!("{status}{to}"))
        }
    }
}
