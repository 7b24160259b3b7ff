//! The one name table per protocol (Kerberos message types, LDAP extended operations, bind
//! methods, which party a port belongs to) and the canonical short label of each event kind.

use super::{EventKind, LdapOp, Role, SearchPurpose};
use crate::flow::Side;
use crate::proto::dns::Rcode;
use crate::proto::ldap::ResultCode;
use crate::proto::tls::version_name;

/// Which party a TCP or UDP server port belongs to.
pub fn role_for_port(port: u16) -> Role {
    match port {
        53 => Role::Dns,
        88 => Role::Kdc,
        389 | 636 | 3268 | 3269 => Role::Dc,
        _ => Role::Web,
    }
}

/// A Kerberos message type by name ("AS-REQ", "KRB-ERROR"), else "Kerberos message N".
pub fn kerberos_type_name(msg_type: u8) -> String {
    crate::proto::kerberos::message_type_name(msg_type)
        .map_or_else(|| format!("Kerberos message {msg_type}"), str::to_string)
}

/// An extended operation by its name: `StartTLS (1.3.6.1.4.1.1466.20037)`, else the OID.
pub fn extended_name(oid: &str) -> String {
    let name = match oid {
        STARTTLS_OID => "StartTLS",
        "1.3.6.1.4.1.4203.1.11.3" => "Who am I?",
        "1.3.6.1.4.1.4203.1.11.1" => "Password Modify",
        "1.3.6.1.4.1.1466.101.119.1" => "Dynamic Refresh",
        "1.3.6.1.4.1.4203.1.11.2" => "Cancel",
        _ => return oid.to_string(),
    };
    format!("{name} ({oid})")
}

pub const STARTTLS_OID: &str = "1.3.6.1.4.1.1466.20037";

/// "1 entry", "3 entries": a count with the word that fits it.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The words after a count: "" for one, "s" for more.
fn s(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// What an LDAP answer said: "success (0), 2 entries, 1 referral(s)" for a search, the result
/// code for anything else, "no final result" when only entries came back.
pub fn ldap_answer(code: Option<ResultCode>, search: bool, entries: usize, refs: usize) -> String {
    let code = code.map_or_else(
        || "no final result".to_string(),
        |c| format!("{c} ({})", c.value()),
    );
    if !search {
        return code;
    }
    let mut out = format!("{code}, {}", plural(entries, "entry", "entries"));
    if refs > 0 {
        out.push_str(&format!(", {refs} referral(s)"));
    }
    out
}

fn ldap_request(op: &LdapOp) -> String {
    match op {
        LdapOp::Bind { name, method, .. } => {
            let who = if name.is_empty() { "(empty DN)" } else { name };
            format!("LDAP bind, {method} as {who}")
        }
        LdapOp::Search {
            purpose,
            base,
            filter,
            attributes,
        } => match purpose {
            SearchPurpose::Scp => format!("SCP search in {base}"),
            SearchPurpose::Ping { domain } => format!(
                "CLDAP netlogon ping{}",
                domain
                    .as_deref()
                    .map(|d| format!(" for {d}"))
                    .unwrap_or_default()
            ),
            SearchPurpose::Rootdse if attributes.is_empty() => "RootDSE read".to_string(),
            SearchPurpose::Rootdse => format!("RootDSE read ({})", attributes.join(", ")),
            SearchPurpose::Other => format!("LDAP search in {base} for {filter}"),
        },
        LdapOp::Extended { oid } if oid == STARTTLS_OID => "LDAP StartTLS".to_string(),
        LdapOp::Extended { oid } => format!("LDAP extended operation {oid}"),
        LdapOp::Unbind => "LDAP unbind".to_string(),
        LdapOp::Other(op) => format!("LDAP {op}"),
        LdapOp::NotInCapture => "LDAP search (its request is not in the capture)".to_string(),
    }
}

fn dns_answer(rcode: Rcode, answers: &[String], truncated: bool) -> String {
    let mut label = rcode.to_string();
    if answers.is_empty() {
        if rcode == Rcode::NoError {
            label.push_str(", no records");
        }
    } else {
        label.push_str(": ");
        label.push_str(&answers.join(", "));
    }
    if truncated {
        label.push_str(" (truncated)");
    }
    label
}

fn tcp_connect(port: u16, saw_syn: bool, retransmits: usize, no_answer: bool) -> String {
    let mut label = if saw_syn {
        format!("TCP SYN to port {port}")
    } else {
        format!("TCP to port {port} (seen mid-stream)")
    };
    if retransmits > 0 {
        label.push_str(&format!(
            ", {}",
            plural(retransmits, "retransmission", "retransmissions")
        ));
    }
    if no_answer {
        label.push_str(": no answer");
    }
    label
}

/// The canonical short label of an event: what it says, without its endpoints (they are fields
/// of the event).
pub fn label(kind: &EventKind) -> String {
    match kind {
        EventKind::DnsQuery {
            qtype,
            name,
            retries,
            answered,
        } => {
            let mut label = format!("DNS {qtype} query {name}");
            if *retries > 0 {
                label.push_str(&format!(", {retries} retries"));
            }
            if !answered {
                label.push_str(": no response");
            }
            label
        }
        EventKind::DnsAnswer {
            rcode,
            answers,
            truncated,
        } => dns_answer(*rcode, answers, *truncated),
        EventKind::Kerberos {
            name,
            error,
            service,
            ..
        } => match (error, service) {
            (Some(code), _) => format!("Kerberos {name} {code} ({})", code.value()),
            (None, Some(service)) => format!("Kerberos {name} {service}"),
            (None, None) => format!("Kerberos {name}"),
        },
        EventKind::LdapRequest { op, no_answer } => {
            let mut label = ldap_request(op);
            if *no_answer && *op != LdapOp::Unbind {
                label.push_str(": no response");
            }
            label
        }
        EventKind::LdapEntry { dn, .. } if dn.is_empty() => "LDAP entry (rootDSE)".to_string(),
        EventKind::LdapEntry { dn, .. } => format!("LDAP entry {dn}"),
        EventKind::LdapReference { urls } => format!("LDAP referral {}", urls.join(" ")),
        EventKind::LdapDone {
            op,
            code,
            entries,
            references,
            ..
        } => ldap_answer(
            Some(*code),
            matches!(op, LdapOp::Search { .. }),
            *entries,
            *references,
        ),
        EventKind::TcpConnect {
            port,
            saw_syn,
            retransmits,
            no_answer,
        } => tcp_connect(*port, *saw_syn, *retransmits, *no_answer),
        EventKind::TcpAccepted => "SYN-ACK".to_string(),
        EventKind::TcpRefused => "RST: connection refused".to_string(),
        EventKind::TcpReset { .. } => "TCP RST".to_string(),
        EventKind::TcpTimeout { tries, .. } => {
            format!("no answer to {}", plural(*tries, "SYN", "SYNs"))
        }
        EventKind::SaslLayer { sealed: true, .. } => {
            "SASL security layer from here on: LDAP sealed, not readable".to_string()
        }
        EventKind::SaslLayer { mechanism, .. } => {
            format!("SASL security layer from here on: signed ({mechanism}), LDAP read inside")
        }
        EventKind::TlsClientHello { sni: Some(s), .. } => format!("TLS ClientHello, SNI {s}"),
        EventKind::TlsClientHello { sni: None, .. } => "TLS ClientHello, no SNI".to_string(),
        EventKind::TlsServerHello { version } => {
            format!("TLS ServerHello, {}", version_name(*version))
        }
        EventKind::TlsCertificate { count, .. } => {
            format!("TLS Certificate ({})", plural(*count, "cert", "certs"))
        }
        EventKind::TlsAlert {
            description: Some(d),
            ..
        } => format!("TLS alert {d} ({})", d.value()),
        EventKind::TlsAlert {
            description: None, ..
        } => "TLS alert (encrypted)".to_string(),
        EventKind::TlsAppData { client_records, .. } => format!(
            "HTTPS request (encrypted, {client_records} record{})",
            s(*client_records)
        ),
        EventKind::HttpRequest {
            method,
            target,
            host,
            decrypted,
        } => {
            let mut label = format!("HTTP {method} {target}");
            if let Some(host) = host {
                label.push_str(&format!(" (Host {host})"));
            }
            if *decrypted {
                label.push_str(", decrypted with the TLS key log");
            }
            label
        }
        EventKind::HttpResponse {
            status,
            location,
            said,
        } => {
            let mut label = match location {
                Some(l) => format!("HTTP {status}, Location {l}"),
                None => format!("HTTP {status}"),
            };
            if !said.is_empty() {
                label.push_str(&format!(" ({})", said.join("; ")));
            }
            label
        }
    }
}

/// What a readable HTTP answer said beyond its status (see `EventKind::HttpResponse::said`).
pub fn http_answer_said(h: &crate::messages::HttpExchange) -> Vec<String> {
    use crate::proto::http::Content;
    let Some(r) = &h.reply else {
        return Vec::new();
    };
    let mut parts: Vec<String> = Vec::new();
    if !r.auth_offered.is_empty() {
        parts.push(format!("offers {}", r.auth_offered.join(", ")));
    }
    match &r.content {
        Content::PoxResponse(p) => {
            if let Some(e) = &p.error {
                let code = e.code.clone().unwrap_or_default();
                let message = e.message.clone().unwrap_or_default();
                parts.push(format!("Error {code} {message}").trim_end().to_string());
            }
            let target = p
                .ews_url()
                .map(|u| format!("EwsUrl {u}"))
                .or_else(|| p.redirect_addr.clone())
                .or_else(|| p.redirect_url.clone());
            if let Some(a) = &p.action {
                parts.push(match target {
                    Some(t) => format!("{a} {t}"),
                    None => a.clone(),
                });
            }
        }
        Content::V2Response(v) => parts.extend(v.url.as_ref().map(|u| format!("Url {u}"))),
        Content::Ews(e) => parts.push(e.operation.clone()),
        _ => {}
    }
    parts
}

/// The server's side of encrypted application data: "HTTPS response (encrypted, 3 records)".
pub fn https_response(server_records: u64) -> String {
    format!(
        "HTTPS response (encrypted, {server_records} record{})",
        s(server_records)
    )
}

/// Who sent a one-way message, in words.
pub fn side_word(side: Side) -> &'static str {
    match side {
        Side::Client => "client",
        Side::Server => "server",
    }
}
