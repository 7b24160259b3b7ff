//! The detail pane's content for one row, as plain tagged lines: every decoded field of the
//! message, its frames and a Wireshark filter, the ldp / ldapsearch recipe of a search with its
//! entries, and, for evidence of a finding, the cause and the fix. Pure: the view styles it.

use crate::analysis::Analysis;
use crate::chain::dns_stage::answer_text;
use crate::chain::{Cause, Chain};
use crate::flow::Side;
use crate::messages::{LdapExchange, LdapRequest, Transport};
use crate::proto::ldap::{BindAuth, Scope};
use crate::report::format::wireshark_filter;
use crate::report::frames;
use crate::report::searches::{SearchContext, value_text};

use super::rows::{Row, Source};
use crate::timeline::{extended_name, kerberos_type_name};

mod tls;

/// How a line of the detail pane is meant, so the view can style it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// A section title ("Message", "ldp.exe", "Cause", ...).
    Heading(String),
    /// A decoded field: name and value.
    Field(String, String),
    /// Text to copy as it is (a filter, a command line).
    Code(String),
    /// A failure sentence.
    Problem(String),
    /// Plain text.
    Text(String),
    Blank,
}

fn field(out: &mut Vec<Line>, k: &str, v: impl Into<String>) {
    out.push(Line::Field(k.to_string(), v.into()));
}

pub(crate) use crate::report::format::frames_text;

/// The ldp filter of the search a row belongs to, if it belongs to one.
pub fn ldp_filter(a: &Analysis, row: &Row) -> Option<String> {
    let l = ldap_of(a, row)?;
    match &l.request {
        LdapRequest::Search(s) => Some(s.filter.to_string()),
        _ => None,
    }
}

fn ldap_of<'a>(a: &'a Analysis, row: &Row) -> Option<&'a LdapExchange> {
    match row.source {
        Source::LdapRequest(i)
        | Source::LdapEntry(i, _)
        | Source::LdapReference(i, _)
        | Source::LdapDone(i) => a.exchanges.ldap.get(i),
        _ => None,
    }
}

/// Every line of the detail pane for `row` (with `chain`, the chain of the row's client).
pub fn lines(a: &Analysis, row: &Row, chain: Option<&Chain>) -> Vec<Line> {
    let mut out = vec![Line::Heading(format!(
        "Frame {} · {} {}",
        frames::frame_label(a, row.frame),
        row.proto.label(),
        row.kind
    ))];
    out.push(Line::Text(row.summary.clone()));
    if let Some(stage) = row.stage {
        let status = row.stage_status.map(|s| s.id()).unwrap_or("?");
        field(
            &mut out,
            "stage",
            format!("{} — {} ({status})", stage.id(), stage.title()),
        );
    }
    if let Some(chain) = chain {
        let causes: Vec<&Cause> = chain
            .findings
            .iter()
            .filter(|c| row.frames.iter().any(|f| c.frames.contains(f)))
            .collect();
        if !causes.is_empty() {
            out.push(Line::Blank);
        }
        for c in causes {
            let label = if Some(c) == chain.cause.as_ref() {
                "Cause"
            } else {
                "Also found"
            };
            out.push(Line::Heading(format!("{label}: {}", c.code)));
            out.push(Line::Problem(c.summary.clone()));
            field(&mut out, "evidence", frames_text(&c.frames));
            out.push(Line::Code(wireshark_filter(&c.frames)));
            in_files(a, &c.frames, &mut out);
            if !c.remediation.is_empty() {
                out.push(Line::Heading("Fix".into()));
                out.push(Line::Text(c.remediation.clone()));
            }
            out.push(Line::Blank);
        }
    }
    out.push(Line::Heading("Message".into()));
    if let Some(l) = row.latency {
        field(&mut out, "answered after", super::state::duration_text(l));
    }
    message_fields(a, row, &mut out);
    out.push(Line::Blank);
    out.push(Line::Heading("Frames".into()));
    field(&mut out, "frames", frames_text(&row.frames));
    out.push(Line::Code(wireshark_filter(&row.frames)));
    in_files(a, &row.frames, &mut out);
    if let Some(l) = ldap_of(a, row) {
        search_block(a, l, &mut out);
    }
    out
}

/// With several inputs: where `frames` are in each file, and the filter for that file alone.
fn in_files(a: &Analysis, frames: &[u64], out: &mut Vec<Line>) {
    if !frames::several(a) {
        return;
    }
    field(out, "in the files", frames::in_files_text(a, frames));
    for (file, filter) in frames::file_filters(a, frames) {
        out.push(Line::Text(format!("in {file} alone:")));
        out.push(Line::Code(filter));
    }
    out.push(Line::Text(
        "(the filter above it is for the merge: mergecap -w all.pcapng FILES)".into(),
    ));
}

fn message_fields(a: &Analysis, row: &Row, out: &mut Vec<Line>) {
    let ex = &a.exchanges;
    match row.source {
        Source::DnsQuery(i) | Source::DnsAnswer(i) => {
            let Some(d) = ex.dns.get(i) else { return };
            field(out, "query", format!("{} {}", d.qtype, d.name));
            field(out, "id", format!("0x{:04x}", d.id));
            field(out, "client", d.client.to_string());
            field(out, "server", d.server.to_string());
            field(
                out,
                "transport",
                if d.transport == Transport::Udp {
                    "UDP"
                } else {
                    "TCP"
                },
            );
            field(out, "query frame", d.frame.to_string());
            if !d.retries.is_empty() {
                field(out, "retries", frames_text(&d.retries));
            }
            match &d.response {
                None => out.push(Line::Problem("no response in the capture".into())),
                Some(r) => {
                    field(out, "response frame", r.frame.to_string());
                    field(out, "rcode", format!("{} ({})", r.rcode, r.rcode.value()));
                    if r.truncated {
                        field(
                            out,
                            "truncated",
                            "yes (TC bit: the client should retry over TCP)",
                        );
                    }
                    for rec in &r.answers {
                        field(
                            out,
                            "answer",
                            format!("{} {} (ttl {})", rec.name, answer_text(&rec.data), rec.ttl),
                        );
                    }
                    for rec in &r.additionals {
                        field(
                            out,
                            "additional",
                            format!("{} {} (ttl {})", rec.name, answer_text(&rec.data), rec.ttl),
                        );
                    }
                }
            }
        }
        Source::LdapRequest(i)
        | Source::LdapEntry(i, _)
        | Source::LdapReference(i, _)
        | Source::LdapDone(i) => {
            let Some(l) = ex.ldap.get(i) else { return };
            field(out, "client", l.client.to_string());
            field(out, "server", l.server.to_string());
            field(
                out,
                "transport",
                if l.transport == Transport::Udp {
                    "UDP (CLDAP)"
                } else {
                    "TCP"
                },
            );
            field(out, "message id", l.message_id.to_string());
            field(out, "request frames", frames_text(&l.frames));
            match &l.request {
                LdapRequest::Bind(b) => {
                    field(out, "bind name", b.name.clone());
                    field(out, "version", b.version.to_string());
                    field(out, "method", crate::chain::directory::bind_method(&b.auth));
                    match &b.auth {
                        BindAuth::Simple { password_len } => {
                            field(out, "password", format!("{password_len} bytes (not shown)"))
                        }
                        BindAuth::Sasl {
                            credentials_len, ..
                        } => field(out, "SASL credentials", format!("{credentials_len} bytes")),
                        _ => {}
                    }
                }
                LdapRequest::Search(_) => {}
                LdapRequest::Extended { name } => field(out, "extended", extended_name(name)),
                LdapRequest::Unbind => field(out, "request", "unbind"),
                LdapRequest::Other(n) => field(out, "request", *n),
                LdapRequest::NotInCapture => field(out, "request", "not in the capture"),
            }
            match &l.result {
                None if !matches!(l.request, LdapRequest::Unbind) => {
                    out.push(Line::Problem("no final response in the capture".into()))
                }
                None => {}
                Some(r) => {
                    field(
                        out,
                        "result",
                        format!("{} ({})", r.result.code, r.result.code.value()),
                    );
                    field(out, "result frames", frames_text(&r.frames));
                    if !r.result.matched_dn.is_empty() {
                        field(out, "matched DN", r.result.matched_dn.clone());
                    }
                    if !r.result.diagnostic.is_empty() {
                        field(
                            out,
                            "diagnostic",
                            r.result.diagnostic.trim_end_matches('\0').to_string(),
                        );
                    }
                    for url in &r.result.referral {
                        field(out, "referral", url.clone());
                    }
                }
            }
        }
        Source::TcpConnect(i)
        | Source::TcpAccepted(i)
        | Source::TcpRefused(i)
        | Source::TcpTimeout(i)
        | Source::TcpReset(i)
        | Source::SaslLayer(i) => {
            let Some(c) = ex.tcp.get(i) else { return };
            field(out, "client", c.client.to_string());
            field(out, "server", c.server.to_string());
            field(out, "first frame", c.first_frame.to_string());
            field(
                out,
                "SYN seen",
                if c.saw_syn { "yes" } else { "no (mid-stream)" },
            );
            if !c.syn_retransmits.is_empty() {
                field(out, "SYN retransmits", frames_text(&c.syn_retransmits));
            }
            field(
                out,
                "SYN-ACK",
                c.syn_ack
                    .map(|f| format!("frame {f}"))
                    .unwrap_or_else(|| "none".into()),
            );
            if let Some((side, f)) = c.reset {
                field(
                    out,
                    "reset",
                    format!("by the {} in frame {f}", side_word(side)),
                );
            }
            for (side, f) in &c.fins {
                field(
                    out,
                    "FIN",
                    format!("from the {} in frame {f}", side_word(*side)),
                );
            }
            field(out, "bytes from client", c.bytes_from_client.to_string());
            field(out, "bytes from server", c.bytes_from_server.to_string());
            if let Some(layer) = c.sasl {
                let how = if layer.sealed {
                    "sealed"
                } else {
                    "signed, read inside"
                };
                let mech = if layer.mechanism.is_empty() {
                    String::new()
                } else {
                    format!(", {}", layer.mechanism)
                };
                field(
                    out,
                    "SASL layer from",
                    format!("frame {} ({how}{mech})", layer.from_frame),
                );
            }
            if c.gaps > 0 {
                field(
                    out,
                    "gaps",
                    format!("{} (bytes missing from the capture)", c.gaps),
                );
            }
        }
        Source::TlsClientHello(i)
        | Source::TlsServerHello(i)
        | Source::TlsCertificate(i)
        | Source::TlsAlert(i, _)
        | Source::TlsAppData(i) => tls::fields(a, i, out),
        Source::HttpRequest(i) | Source::HttpResponse(i) => {
            let Some(h) = ex.http.get(i) else { return };
            field(out, "request", format!("{} {}", h.method, h.target));
            field(
                out,
                "Host",
                h.host.clone().unwrap_or_else(|| "(none)".into()),
            );
            field(out, "request frame", h.frame.to_string());
            if h.decrypted {
                field(out, "read", "decrypted with the TLS key log".to_string());
            }
            match &h.response {
                None => out.push(Line::Problem("no response in the capture".into())),
                Some((f, status, location)) => {
                    field(out, "status", status.to_string());
                    field(out, "response frame", f.to_string());
                    if let Some(l) = location {
                        field(out, "Location", l.clone());
                    }
                }
            }
        }
        Source::Kerberos(i) => {
            let Some(k) = ex.kerberos.get(i) else { return };
            let name = kerberos_type_name(k.msg_type);
            field(out, "message", format!("{name} (type {})", k.msg_type));
            field(out, "client", k.client.to_string());
            field(out, "KDC", k.server.to_string());
            field(
                out,
                "transport",
                if k.transport == Transport::Udp {
                    "UDP"
                } else {
                    "TCP"
                },
            );
            if let Some(d) = &k.decoded {
                for (name, value) in [
                    ("realm", &d.realm),
                    ("client name", &d.client),
                    ("service", &d.service),
                    ("e-text", &d.error_text),
                ] {
                    if let Some(v) = value {
                        field(out, name, v.clone());
                    }
                }
                if let Some(code) = d.error_code {
                    field(
                        out,
                        "error",
                        format!(
                            "{code} ({}): {}",
                            code.value(),
                            crate::chain::kerberos_causes::error_meaning(code)
                        ),
                    );
                }
            }
        }
    }
}

fn side_word(s: Side) -> &'static str {
    match s {
        Side::Client => "client",
        Side::Server => "server",
    }
}

fn search_block(a: &Analysis, l: &LdapExchange, out: &mut Vec<Line>) {
    let ctx = SearchContext::new(&a.exchanges);
    let Some(recipes) = ctx.recipes(l) else {
        return;
    };
    let (s, r) = (recipes.search, &recipes.ldp);
    out.push(Line::Blank);
    out.push(Line::Heading(
        "Search, as ldp.exe runs it (y: copy filter, command or recipe)".into(),
    ));
    field(
        out,
        "Connect",
        format!(
            "{} port {}{}",
            r.server,
            r.port,
            if r.connectionless {
                ", Connectionless"
            } else {
                ""
            }
        ),
    );
    field(out, "Bind", r.bind.clone());
    field(out, "Base DN", r.base_dn.clone());
    field(out, "Filter", r.filter.clone());
    field(out, "Scope", r.scope);
    field(
        out,
        "Attributes",
        if r.attributes.is_empty() {
            "(all)".to_string()
        } else {
            r.attributes.clone()
        },
    );
    field(
        out,
        "limits",
        format!(
            "size {}, time {}{}",
            s.size_limit,
            s.time_limit,
            match s.scope {
                Scope::Other(n) => format!(" (scope value {n} is not valid)"),
                _ => String::new(),
            }
        ),
    );
    if !s.controls.is_empty() {
        field(out, "controls", s.controls.join(", "));
    }
    if let Some(cmd) = &recipes.ldapsearch {
        out.push(Line::Heading("ldapsearch".into()));
        for line in cmd.lines() {
            out.push(Line::Code(line.to_string()));
        }
    }
    out.push(Line::Heading(format!(
        "Result: {}, {} entr{}",
        l.result
            .as_ref()
            .map(|r| r.result.code.to_string())
            .unwrap_or_else(|| "no response".into()),
        l.entries.len(),
        if l.entries.len() == 1 { "y" } else { "ies" }
    )));
    for e in &l.entries {
        out.push(Line::Text(format!(
            ">> Dn: {} (frame {})",
            e.entry.dn,
            frames_text(&e.frames)
        )));
        for (attr, values) in &e.entry.attributes {
            let vals: Vec<String> = values.iter().map(|v| value_text(v)).collect();
            out.push(Line::Field(format!("  {attr}"), vals.join("; ")));
        }
    }
    for (urls, frame) in &l.references {
        field(
            out,
            "reference",
            format!("{} (frame {frame})", urls.join(" ")),
        );
    }
}
