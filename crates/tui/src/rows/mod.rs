//! The timeline's rows: one per message the analysis found (DNS query/answer, CLDAP ping/reply,
//! Kerberos, TCP connect/refused/timeout, LDAP bind/search/entry/done/reference, TLS hello/
//! certificate/alert, HTTP request/response), in frame order, each tied to the chain stage whose
//! evidence it is. Built from [`Analysis`] only; pure data, no terminal.

use std::collections::HashMap;
use std::net::IpAddr;

use crate::analysis::Analysis;
use crate::capture::Nanos;
use crate::chain::dns_stage::answer_text;
use crate::flow::{ConnId, Side};
use crate::messages::{Exchanges, LdapRequest, Transport};
use crate::proto::dns::Rcode;
use crate::proto::ldap::ResultCode;
use crate::proto::tls::{AlertDescription, version_name};

mod model;
mod names;
mod stages;
pub use model::*;
use names::ldap_request_text;
pub use names::{extended_name, kerberos_name};
use stages::completed_first;
pub use stages::{assign_stages, fill_times};

struct Builder<'a> {
    ex: &'a Exchanges,
    rows: Vec<Row>,
    conn_client: HashMap<ConnId, (IpAddr, usize)>,
}

impl Builder<'_> {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        source: Source,
        frames: Vec<u64>,
        ts: Option<Nanos>,
        client: Option<IpAddr>,
        proto: Proto,
        kind: &'static str,
        summary: String,
        status: RowStatus,
        latency: Option<Nanos>,
    ) {
        let frame = frames.first().copied().unwrap_or_default();
        self.rows.push(Row {
            frame,
            file_frame: None,
            frames,
            ts,
            time: ts.unwrap_or_default(),
            client,
            proto,
            kind,
            summary,
            status,
            latency,
            stage: None,
            stage_status: None,
            finding: false,
            source,
        });
    }

    fn dns(&mut self) {
        for (i, d) in self.ex.dns.iter().enumerate() {
            let client = Some(d.client.ip);
            let status = if d.response.is_some() {
                RowStatus::Ok
            } else {
                RowStatus::Unanswered
            };
            let retries = if d.retries.is_empty() {
                String::new()
            } else {
                format!(" ({} retries)", d.retries.len())
            };
            let mut frames = vec![d.frame];
            frames.extend(&d.retries);
            self.push(
                Source::DnsQuery(i),
                frames,
                Some(d.ts),
                client,
                Proto::Dns,
                "query",
                format!("{} {}{retries} → {}", d.qtype, d.name, d.server.ip),
                status,
                None,
            );
            if let Some(r) = &d.response {
                let answers: Vec<String> = r.answers.iter().map(|a| answer_text(&a.data)).collect();
                let mut summary = r.rcode.to_string();
                if !answers.is_empty() {
                    summary = format!("{summary} {}", answers.join(", "));
                } else if r.rcode == Rcode::NoError {
                    summary.push_str(" (no records)");
                }
                if r.truncated {
                    summary.push_str(" [truncated]");
                }
                self.push(
                    Source::DnsAnswer(i),
                    vec![r.frame],
                    Some(r.ts),
                    client,
                    Proto::Dns,
                    "answer",
                    summary,
                    if r.rcode == Rcode::NoError {
                        RowStatus::Ok
                    } else {
                        RowStatus::Failed
                    },
                    Some(r.ts.saturating_sub(d.ts)),
                );
            }
        }
    }

    fn ldap(&mut self) {
        for (i, l) in self.ex.ldap.iter().enumerate() {
            let proto = if l.transport == Transport::Udp {
                Proto::Cldap
            } else {
                Proto::Ldap
            };
            let client = Some(l.client.ip);
            let (kind, summary) = ldap_request_text(l);
            let status = if l.result.is_some() || matches!(l.request, LdapRequest::Unbind) {
                RowStatus::Ok
            } else {
                RowStatus::Unanswered
            };
            self.push(
                Source::LdapRequest(i),
                completed_first(&l.frames),
                Some(l.ts),
                client,
                proto,
                kind,
                summary,
                status,
                None,
            );
            for (e, entry) in l.entries.iter().enumerate() {
                let attrs = entry.entry.attributes.len();
                self.push(
                    Source::LdapEntry(i, e),
                    completed_first(&entry.frames),
                    None,
                    client,
                    proto,
                    "entry",
                    format!(
                        "{} ({attrs} attribute{})",
                        if entry.entry.dn.is_empty() {
                            "(rootDSE)"
                        } else {
                            &entry.entry.dn
                        },
                        if attrs == 1 { "" } else { "s" }
                    ),
                    RowStatus::Info,
                    None,
                );
            }
            for (r, (urls, frame)) in l.references.iter().enumerate() {
                self.push(
                    Source::LdapReference(i, r),
                    vec![*frame],
                    None,
                    client,
                    proto,
                    "reference",
                    urls.join(" "),
                    RowStatus::Info,
                    None,
                );
            }
            if let Some(r) = &l.result {
                let kind = match l.request {
                    LdapRequest::Bind(_) => "bind result",
                    LdapRequest::Search(_) if proto == Proto::Cldap => "reply",
                    LdapRequest::Search(_) => "done",
                    _ => "response",
                };
                let mut summary = format!("{} ({})", r.result.code, r.result.code.value());
                if matches!(l.request, LdapRequest::Search(_)) {
                    let n = l.entries.len();
                    summary.push_str(&format!(", {n} entr{}", if n == 1 { "y" } else { "ies" }));
                }
                if !r.result.diagnostic.is_empty() {
                    summary.push_str(&format!(": {}", r.result.diagnostic.trim_end_matches('\0')));
                }
                // A SASL bind in progress is a step, not a failure.
                let status = match r.result.code {
                    ResultCode::Success | ResultCode::SaslBindInProgress => RowStatus::Ok,
                    _ => RowStatus::Failed,
                };
                self.push(
                    Source::LdapDone(i),
                    completed_first(&r.frames),
                    Some(r.ts),
                    client,
                    proto,
                    kind,
                    summary,
                    status,
                    Some(r.ts.saturating_sub(l.ts)),
                );
            }
        }
    }

    fn tcp(&mut self) {
        for (i, c) in self.ex.tcp.iter().enumerate() {
            let client = Some(c.client.ip);
            let retries = if c.syn_retransmits.is_empty() {
                String::new()
            } else {
                format!(" (SYN sent {} times)", c.syn_retransmits.len() + 1)
            };
            let opened = if c.saw_syn {
                "SYN"
            } else {
                "(seen mid-stream)"
            };
            self.push(
                Source::TcpConnect(i),
                vec![c.first_frame],
                Some(c.ts),
                client,
                Proto::Tcp,
                "connect",
                format!("{opened} {} → {}{retries}", c.client, c.server),
                if c.syn_ack.is_some() || !c.saw_syn {
                    RowStatus::Ok
                } else {
                    RowStatus::Unanswered
                },
                None,
            );
            if let Some(f) = c.syn_ack {
                self.push(
                    Source::TcpAccepted(i),
                    vec![f],
                    None,
                    client,
                    Proto::Tcp,
                    "accepted",
                    format!("SYN-ACK from {}", c.server),
                    RowStatus::Ok,
                    None,
                );
            }
            match c.reset {
                Some((Side::Server, f)) if c.syn_ack.is_none() && c.saw_syn => self.push(
                    Source::TcpRefused(i),
                    vec![f],
                    None,
                    client,
                    Proto::Tcp,
                    "refused",
                    format!("RST from {}: connection refused", c.server),
                    RowStatus::Failed,
                    None,
                ),
                Some((side, f)) => self.push(
                    Source::TcpReset(i),
                    vec![f],
                    None,
                    client,
                    Proto::Tcp,
                    "reset",
                    format!(
                        "RST from the {} ({})",
                        if side == Side::Client {
                            "client"
                        } else {
                            "server"
                        },
                        if side == Side::Client {
                            c.client
                        } else {
                            c.server
                        }
                    ),
                    RowStatus::Info,
                    None,
                ),
                None if c.saw_syn && c.syn_ack.is_none() => {
                    let last = c.syn_retransmits.last().copied().unwrap_or(c.first_frame);
                    // How long the client kept trying: its first SYN to its last one.
                    let waited = self.ex.times.get(last).map(|t| t.saturating_sub(c.ts));
                    let tries = c.syn_retransmits.len() + 1;
                    self.push(
                        Source::TcpTimeout(i),
                        vec![last],
                        None,
                        client,
                        Proto::Tcp,
                        "timeout",
                        format!(
                            "no answer from {} to {tries} SYN{}{}",
                            c.server,
                            if tries == 1 { "" } else { "s" },
                            match waited {
                                Some(w) if tries > 1 => format!(
                                    " over {} ({} retransmission{})",
                                    super::state::duration_text(w),
                                    tries - 1,
                                    if tries == 2 { "" } else { "s" }
                                ),
                                _ => String::new(),
                            }
                        ),
                        RowStatus::Failed,
                        waited.filter(|_| tries > 1),
                    );
                }
                None => {}
            }
        }
    }

    fn tls(&mut self) {
        for (i, t) in self.ex.tls.iter().enumerate() {
            let client = self.conn_client.get(&t.conn).map(|c| c.0);
            let server = self
                .conn_client
                .get(&t.conn)
                .and_then(|(_, ci)| self.ex.tcp.get(*ci))
                .map(|c| c.server.to_string())
                .unwrap_or_default();
            if let Some((f, sni, versions)) = &t.client_hello {
                let max = versions.iter().max().map(|v| version_name(*v));
                self.push(
                    Source::TlsClientHello(i),
                    vec![*f],
                    None,
                    client,
                    Proto::Tls,
                    "client hello",
                    format!(
                        "SNI {}{} → {server}",
                        sni.as_deref().unwrap_or("(none)"),
                        max.map(|m| format!(", up to {m}")).unwrap_or_default()
                    ),
                    RowStatus::Ok,
                    None,
                );
            }
            if let Some((f, v)) = t.server_hello {
                self.push(
                    Source::TlsServerHello(i),
                    vec![f],
                    None,
                    client,
                    Proto::Tls,
                    "server hello",
                    version_name(v),
                    RowStatus::Ok,
                    None,
                );
            }
            if let Some((f, chain)) = &t.certificate {
                let bytes: usize = chain.iter().map(Vec::len).sum();
                self.push(
                    Source::TlsCertificate(i),
                    vec![*f],
                    None,
                    client,
                    Proto::Tls,
                    "certificate",
                    format!(
                        "{} certificate{} ({bytes} bytes)",
                        chain.len(),
                        if chain.len() == 1 { "" } else { "s" }
                    ),
                    RowStatus::Ok,
                    None,
                );
            }
            for (a, (side, f, desc)) in t.alerts.iter().enumerate() {
                let who = if *side == Side::Client {
                    "client"
                } else {
                    "server"
                };
                let (text, status) = match desc {
                    Some(d @ AlertDescription::CloseNotify) => {
                        (format!("{d} ({})", d.value()), RowStatus::Info)
                    }
                    Some(d) => (format!("{d} ({})", d.value()), RowStatus::Failed),
                    None => ("encrypted".to_string(), RowStatus::Info),
                };
                self.push(
                    Source::TlsAlert(i, a),
                    vec![*f],
                    None,
                    client,
                    Proto::Tls,
                    "alert",
                    format!("from the {who}: {text}"),
                    status,
                    None,
                );
            }
            if !t.client_app_frames.is_empty() {
                let mut frames = t.client_app_frames.clone();
                frames.extend(t.server_app_last);
                self.push(
                    Source::TlsAppData(i),
                    frames,
                    None,
                    client,
                    Proto::Tls,
                    "app data",
                    format!(
                        "{} record{} from the client, {} from the server",
                        t.client_app_records,
                        if t.client_app_records == 1 { "" } else { "s" },
                        t.server_app_records
                    ),
                    if t.server_app_records > 0 {
                        RowStatus::Ok
                    } else {
                        RowStatus::Unanswered
                    },
                    None,
                );
            }
        }
    }

    fn http(&mut self) {
        for (i, h) in self.ex.http.iter().enumerate() {
            let client = self.conn_client.get(&h.conn).map(|c| c.0);
            self.push(
                Source::HttpRequest(i),
                vec![h.frame],
                None,
                client,
                Proto::Http,
                "request",
                format!(
                    "{} {}{}",
                    h.method,
                    h.target,
                    h.host
                        .as_deref()
                        .map(|v| format!(" (Host: {v})"))
                        .unwrap_or_default()
                ),
                if h.response.is_some() {
                    RowStatus::Ok
                } else {
                    RowStatus::Unanswered
                },
                None,
            );
            if let Some((f, status, location)) = &h.response {
                self.push(
                    Source::HttpResponse(i),
                    vec![*f],
                    None,
                    client,
                    Proto::Http,
                    "response",
                    format!(
                        "{status}{}",
                        location
                            .as_deref()
                            .map(|l| format!(" → {l}"))
                            .unwrap_or_default()
                    ),
                    match status {
                        200..=299 => RowStatus::Ok,
                        300..=399 => RowStatus::Info,
                        _ => RowStatus::Failed,
                    },
                    None,
                );
            }
        }
    }

    fn kerberos(&mut self) {
        for (i, k) in self.ex.kerberos.iter().enumerate() {
            let (name, mut status) = kerberos_name(k.msg_type);
            let code = k.decoded.as_ref().and_then(|d| d.error_code);
            if code.is_some_and(|c| c.is_normal_step()) {
                // PREAUTH_REQUIRED, RESPONSE_TOO_BIG: steps of a normal exchange.
                status = RowStatus::Info;
            }
            let what = match (code, k.decoded.as_ref().and_then(|d| d.service.as_deref())) {
                (Some(code), _) => format!("{name} {code}"),
                (None, Some(service)) => format!("{name} {service}"),
                (None, None) => name.to_string(),
            };
            let (from, to) = if k.from_client {
                (k.client, k.server)
            } else {
                (k.server, k.client)
            };
            self.push(
                Source::Kerberos(i),
                vec![k.frame],
                Some(k.ts),
                Some(k.client.ip),
                Proto::Kerberos,
                if k.from_client { "request" } else { "reply" },
                format!("{what} {from} → {to}"),
                status,
                None,
            );
        }
    }
}

/// The timeline of a whole analysis, in frame order, each row tied to its client's chain.
pub fn build_rows(a: &Analysis) -> Vec<Row> {
    let conn_client = a
        .exchanges
        .tcp
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id, (c.client.ip, i)))
        .collect();
    let mut b = Builder {
        ex: &a.exchanges,
        rows: Vec::new(),
        conn_client,
    };
    b.dns();
    b.kerberos();
    b.tcp();
    b.ldap();
    b.tls();
    b.http();
    let mut rows = b.rows;
    // Stable: within one frame, the order above (a TCP connect before the LDAP it carries).
    rows.sort_by_key(|r| r.frame);
    for row in rows.iter_mut() {
        // Every message at its own packet's time, where the model noted it.
        row.ts = row.ts.or_else(|| a.exchanges.times.get(row.frame));
        row.file_frame = a.origins.locate(row.frame);
    }
    fill_times(&mut rows, None);
    assign_stages(&mut rows, &a.chains);
    rows
}
