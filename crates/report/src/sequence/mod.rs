//! The sequence model shared by the SVG and Mermaid renderers: for one chain, the parties
//! (client, DNS server, DC, KDC, each web host) and every message between them in frame order,
//! each marked ok, failed, sealed or as the break the verdict names, with the chain's findings as
//! notes and the stage each message belongs to. Built from [`Analysis`] only.

use std::collections::BTreeSet;
use std::net::IpAddr;

use super::names::host_names;
use crate::analysis::Analysis;
use crate::chain::client::ClientView;
use crate::chain::directory::is_scp_filter;
use crate::chain::{Cause, Chain, ChainStatus, Stage, StageKind, StageStatus};
use crate::flow::Side;
use crate::messages::{LdapRequest, TcpConnection, Transport};
use crate::proto::dns::{DnsData, Rcode};
use crate::proto::ldap::Scope;
use crate::proto::tls::version_name;

mod labels;
mod model;
pub use model::*;

use labels::*;

/// A message before the parties are numbered.
struct Raw {
    from: (Role, IpAddr),
    to: (Role, IpAddr),
    label: String,
    frames: Vec<u64>,
    reply: bool,
    /// The stage this kind of message belongs to, for messages that are not the chain's evidence
    /// (a second LDAP connection, a retried bind): the heading stays truthful.
    kind: Option<StageKind>,
}

/// The name the client last looked up that resolved to `ip` before `frame`.
fn looked_up_name(view: &ClientView, ip: IpAddr, frame: u64) -> Option<String> {
    view.dns
        .iter()
        .filter(|d| d.frame <= frame)
        .filter(|d| {
            d.response.as_ref().is_some_and(|r| {
                r.answers
                    .iter()
                    .any(|a| matches!(a.data, DnsData::Address(x) if x == ip))
            })
        })
        .map(|d| d.name.to_ascii_lowercase())
        .next_back()
}

fn tcp_messages(view: &ClientView, c: &TcpConnection, out: &mut Vec<Raw>) {
    let client = (Role::Client, c.client.ip);
    let server = (role_for_port(c.server.port), c.server.ip);
    let mut frames = vec![c.first_frame];
    frames.extend(&c.syn_retransmits);
    let mut label = if c.saw_syn {
        format!("TCP SYN to port {}", c.server.port)
    } else {
        format!("TCP to port {} (seen mid-stream)", c.server.port)
    };
    if !c.syn_retransmits.is_empty() {
        label.push_str(&format!(
            ", {} retransmission{}",
            c.syn_retransmits.len(),
            if c.syn_retransmits.len() == 1 {
                ""
            } else {
                "s"
            }
        ));
    }
    let connect = match role_for_port(c.server.port) {
        Role::Dc => Some(StageKind::LdapConnect),
        Role::Kdc => Some(StageKind::Kerberos),
        Role::Web if c.server.port != 80 => Some(StageKind::HttpsConnect),
        _ => None,
    };
    let refused = c.syn_ack.is_none() && matches!(c.reset, Some((Side::Server, _)));
    if c.saw_syn && c.syn_ack.is_none() && c.reset.is_none() {
        label.push_str(": no answer");
    }
    out.push(Raw {
        from: client,
        to: server,
        label,
        frames,
        reply: false,
        kind: connect,
    });
    if let Some(f) = c.syn_ack {
        out.push(Raw {
            from: server,
            to: client,
            label: "SYN-ACK".into(),
            frames: vec![f],
            reply: true,
            kind: connect,
        });
    }
    if let Some(layer) = c.sasl {
        let label = if layer.sealed {
            "SASL security layer from here on: LDAP sealed, not readable".to_string()
        } else {
            format!(
                "SASL security layer from here on: signed ({}), LDAP read inside",
                layer.mechanism
            )
        };
        out.push(Raw {
            from: client,
            to: server,
            label,
            frames: vec![layer.from_frame],
            reply: false,
            kind: None,
        });
    }
    if let Some((side, f)) = c.reset {
        let (from, to) = match side {
            Side::Server => (server, client),
            Side::Client => (client, server),
        };
        out.push(Raw {
            from,
            to,
            label: if refused {
                "RST: connection refused".into()
            } else {
                "TCP RST".into()
            },
            frames: vec![f],
            reply: side == Side::Server,
            kind: if refused { connect } else { None },
        });
    }
    let web = server.0 == Role::Web;
    let tls_kind = web.then_some(StageKind::TlsHandshake);
    let https_kind = web.then_some(StageKind::Https);
    if let Some(t) = view.tls.get(&c.id) {
        if let Some((f, sni, _)) = &t.client_hello {
            out.push(Raw {
                from: client,
                to: server,
                label: match sni {
                    Some(s) => format!("TLS ClientHello, SNI {s}"),
                    None => "TLS ClientHello, no SNI".into(),
                },
                frames: vec![*f],
                reply: false,
                kind: tls_kind,
            });
        }
        if let Some((f, v)) = t.server_hello {
            out.push(Raw {
                from: server,
                to: client,
                label: format!("TLS ServerHello, {}", version_name(v)),
                frames: vec![f],
                reply: true,
                kind: tls_kind,
            });
        }
        if let Some((f, certs)) = &t.certificate {
            out.push(Raw {
                from: server,
                to: client,
                label: format!(
                    "TLS Certificate ({} cert{})",
                    certs.len(),
                    if certs.len() == 1 { "" } else { "s" }
                ),
                frames: vec![*f],
                reply: true,
                kind: tls_kind,
            });
        }
        for (side, f, desc) in &t.alerts {
            let (from, to) = match side {
                Side::Server => (server, client),
                Side::Client => (client, server),
            };
            out.push(Raw {
                from,
                to,
                label: match desc {
                    Some(d) => format!("TLS alert {d} ({})", d.value()),
                    None => "TLS alert (encrypted)".into(),
                },
                frames: vec![*f],
                reply: *side == Side::Server,
                kind: tls_kind,
            });
        }
        if t.client_app_records > 0 && !t.client_app_frames.is_empty() {
            out.push(Raw {
                from: client,
                to: server,
                label: format!(
                    "HTTPS request (encrypted, {} record{})",
                    t.client_app_records,
                    if t.client_app_records == 1 { "" } else { "s" }
                ),
                frames: t.client_app_frames.clone(),
                reply: false,
                kind: https_kind,
            });
        }
        if let Some(f) = t.server_app_last {
            out.push(Raw {
                from: server,
                to: client,
                label: format!(
                    "HTTPS response (encrypted, {} record{})",
                    t.server_app_records,
                    if t.server_app_records == 1 { "" } else { "s" }
                ),
                frames: vec![f],
                reply: true,
                kind: https_kind,
            });
        }
    }
    for h in view.http.iter().filter(|h| h.conn == c.id) {
        let mut label = format!("HTTP {} {}", h.method, h.target);
        if let Some(host) = &h.host {
            label.push_str(&format!(" (Host {host})"));
        }
        if h.decrypted {
            label.push_str(", decrypted with the TLS key log");
        }
        out.push(Raw {
            from: client,
            to: server,
            label,
            frames: vec![h.frame],
            reply: false,
            kind: None,
        });
        if let Some((f, code, location)) = &h.response {
            out.push(Raw {
                from: server,
                to: client,
                label: match location {
                    Some(l) => format!("HTTP {code}, Location {l}"),
                    None => format!("HTTP {code}"),
                },
                frames: vec![*f],
                reply: true,
                kind: None,
            });
        }
    }
}

fn raw_messages(view: &ClientView) -> Vec<Raw> {
    let mut out = Vec::new();
    let client_ip = view.ip;
    for d in &view.dns {
        let server = (Role::Dns, d.server.ip);
        let dns_kind = d
            .name
            .to_ascii_lowercase()
            .starts_with("_ldap._tcp.")
            .then_some(StageKind::DcLocatorDns);
        let mut frames = vec![d.frame];
        frames.extend(&d.retries);
        let mut label = format!("DNS {} query {}", d.qtype, d.name);
        if !d.retries.is_empty() {
            label.push_str(&format!(", {} retries", d.retries.len()));
        }
        if d.response.is_none() {
            label.push_str(": no response");
        }
        out.push(Raw {
            from: (Role::Client, client_ip),
            to: server,
            label,
            frames,
            reply: false,
            kind: dns_kind,
        });
        if let Some(r) = &d.response {
            let answers: Vec<String> = r.answers.iter().map(|a| dns_answer(&a.data)).collect();
            let mut label = r.rcode.to_string();
            if answers.is_empty() {
                if r.rcode == Rcode::NoError {
                    label.push_str(", no records");
                }
            } else {
                label.push_str(": ");
                label.push_str(&answers.join(", "));
            }
            if r.truncated {
                label.push_str(" (truncated)");
            }
            out.push(Raw {
                from: server,
                to: (Role::Client, client_ip),
                label,
                frames: vec![r.frame],
                reply: true,
                kind: dns_kind,
            });
        }
    }
    for k in &view.kerberos {
        let kdc = (Role::Kdc, k.server.ip);
        let client = (Role::Client, client_ip);
        let (from, to) = if k.from_client {
            (client, kdc)
        } else {
            (kdc, client)
        };
        out.push(Raw {
            from,
            to,
            label: kerberos_label(k),
            frames: vec![k.frame],
            reply: !k.from_client,
            kind: Some(StageKind::Kerberos),
        });
    }
    for l in &view.ldap {
        let dc = (Role::Dc, l.server.ip);
        let client = (Role::Client, client_ip);
        let mut label = ldap_request_label(l);
        let ldap_kind = match &l.request {
            LdapRequest::Bind(_) => Some(StageKind::LdapBind),
            LdapRequest::Search(s) if is_scp_filter(&s.filter) => Some(StageKind::ScpSearch),
            LdapRequest::Search(_) if l.transport == Transport::Udp => {
                Some(StageKind::DcLocatorPing)
            }
            LdapRequest::Search(s) if s.base.is_empty() && s.scope == Scope::Base => {
                Some(StageKind::Rootdse)
            }
            _ => None,
        };
        let reply = ldap_reply_label(l);
        if reply.is_none() && !matches!(l.request, LdapRequest::Unbind) {
            label.push_str(": no response");
        }
        out.push(Raw {
            from: client,
            to: dc,
            label,
            frames: l.frames.clone(),
            reply: false,
            kind: ldap_kind,
        });
        if let Some((label, frames)) = reply {
            out.push(Raw {
                from: dc,
                to: client,
                label,
                frames,
                reply: true,
                kind: ldap_kind,
            });
        }
    }
    for c in &view.tcp {
        tcp_messages(view, c, &mut out);
    }
    out
}

fn all_stages(chain: &Chain) -> impl Iterator<Item = &Stage> {
    chain
        .stages
        .iter()
        .chain(chain.attempts.iter().flat_map(|a| a.stages.iter()))
}

fn intersects(a: &[u64], b: &BTreeSet<u64>) -> bool {
    a.iter().any(|f| b.contains(f))
}

/// The diagram of one chain.
pub fn sequence(a: &Analysis, chain: &Chain) -> Sequence {
    let view = ClientView::new(&a.exchanges, chain.client);
    let names = host_names(&a.exchanges);
    let mut raw = raw_messages(&view);
    // Frame order is capture order; the sort is stable, so request-before-reply in one frame holds.
    raw.sort_by_key(|r| r.frames.iter().min().copied().unwrap_or(u64::MAX));

    // Parties: keyed by role and address, web hosts also by the name the client looked up.
    let mut parties: Vec<Party> = vec![Party {
        role: Role::Client,
        ip: chain.client,
        name: None,
    }];
    let mut keyed: Vec<(usize, usize, Raw)> = Vec::new();
    for r in raw {
        let first = r.frames.first().copied().unwrap_or_default();
        let mut index = |(role, ip): (Role, IpAddr)| -> usize {
            if role == Role::Client && ip == chain.client {
                return 0;
            }
            let name = match role {
                Role::Web => looked_up_name(&view, ip, first),
                Role::Client => None,
                _ => names.get(&ip).cloned(),
            };
            let found = parties.iter().position(|p| {
                p.role == role && p.ip == ip && (role != Role::Web || p.name == name)
            });
            match found {
                Some(i) => i,
                None => {
                    parties.push(Party { role, ip, name });
                    parties.len() - 1
                }
            }
        };
        let from = index(r.from);
        let to = index(r.to);
        keyed.push((from, to, r));
    }
    // Lifelines ordered by role, then first appearance; renumber the messages to match.
    let mut order: Vec<usize> = (0..parties.len()).collect();
    order.sort_by_key(|&i| (parties[i].role, i));
    let mut new_index = vec![0; parties.len()];
    for (new, &old) in order.iter().enumerate() {
        new_index[old] = new;
    }
    let parties: Vec<Party> = order.iter().map(|&i| parties[i].clone()).collect();

    let broken: BTreeSet<u64> = match (&chain.status, &chain.cause) {
        (ChainStatus::Broken, Some(c)) => c.frames.iter().copied().collect(),
        _ => BTreeSet::new(),
    };
    let failed: BTreeSet<u64> = all_stages(chain)
        .filter(|s| s.status == StageStatus::Failed)
        .flat_map(|s| s.frames.iter().copied())
        .collect();
    let sealed: BTreeSet<u64> = all_stages(chain)
        .filter(|s| s.status == StageStatus::Sealed)
        .flat_map(|s| s.frames.iter().copied())
        .collect();
    let stage_of = |frames: &[u64], kind: Option<StageKind>, web: Option<&Party>| {
        let set: BTreeSet<u64> = frames.iter().copied().collect();
        // The attempts name the host; then the chain's stages, a failed or sealed one first (a
        // stage that broke owns its frames); else the stage this kind of message belongs to.
        // Within an attempt, the stage of the message's own kind wins (a TLS Finished and
        // the first application data can share a frame).
        let in_attempt = chain.attempts.iter().find_map(|a| {
            let hit = |s: &&Stage| intersects(&s.frames, &set);
            a.stages
                .iter()
                .filter(|s| Some(s.kind) == kind)
                .find(hit)
                .or_else(|| a.stages.iter().find(hit))
                .map(|s| StageHead {
                    kind: s.kind,
                    host: Some(a.host.clone()),
                })
        });
        in_attempt
            .or_else(|| {
                // The stage the chain broke at owns a frame it shares with another stage (a
                // sealed buffer is evidence for both RootDSE and the SCP search).
                let broken = all_stages(chain).filter(|s| Some(s.kind) == chain.broken_at);
                broken
                    .chain(all_stages(chain).filter(|s| s.status != StageStatus::Ok))
                    .chain(all_stages(chain))
                    .find(|s| intersects(&s.frames, &set))
                    .map(|s| StageHead {
                        kind: s.kind,
                        host: None,
                    })
            })
            .or_else(|| {
                kind.map(|kind| StageHead {
                    kind,
                    host: if kind >= StageKind::ScpUrlDns {
                        web.and_then(|p| p.name.clone())
                    } else {
                        None
                    },
                })
            })
    };

    let messages: Vec<Message> = keyed
        .into_iter()
        .map(|(from, to, r)| {
            let mark = if intersects(&r.frames, &broken) {
                Mark::Break
            } else if intersects(&r.frames, &failed) {
                Mark::Failed
            } else if intersects(&r.frames, &sealed) {
                Mark::Sealed
            } else {
                Mark::Ok
            };
            Message {
                from: new_index[from],
                to: new_index[to],
                stage: stage_of(
                    &r.frames,
                    r.kind,
                    [from, to]
                        .into_iter()
                        .filter_map(|i| parties.get(new_index[i]))
                        .find(|p| p.role == Role::Web),
                ),
                label: r.label,
                frames: r.frames,
                reply: r.reply,
                mark,
            }
        })
        .collect();

    // Each finding goes right after the last message that carries its evidence.
    let failed_causes: Vec<&Cause> = all_stages(chain)
        .filter(|s| s.status == StageStatus::Failed)
        .filter_map(|s| s.cause.as_ref())
        .collect();
    let mut notes_after: Vec<Vec<Note>> = vec![Vec::new(); messages.len()];
    let mut trailing = Vec::new();
    for f in &chain.findings {
        let mark = if chain.status == ChainStatus::Broken && chain.cause.as_ref() == Some(f) {
            Mark::Break
        } else if failed_causes.contains(&f) {
            Mark::Failed
        } else {
            Mark::Sealed
        };
        let set: BTreeSet<u64> = f.frames.iter().copied().collect();
        let at = messages.iter().rposition(|m| intersects(&m.frames, &set));
        let (from, to) = at
            .and_then(|i| messages.get(i))
            .map(|m| (m.from.min(m.to), m.from.max(m.to)))
            .unwrap_or((0, 0));
        let note = Note {
            mark,
            from,
            to,
            code: f.code.clone(),
            summary: f.summary.clone(),
            frames: f.frames.clone(),
        };
        match at.and_then(|i| notes_after.get_mut(i)) {
            Some(slot) => slot.push(note),
            None => trailing.push(note),
        }
    }

    let mut items = Vec::new();
    let mut current: Option<StageHead> = None;
    for (m, notes) in messages.into_iter().zip(notes_after) {
        if m.stage.is_some() && m.stage != current {
            current = m.stage.clone();
            if let Some(s) = &m.stage {
                items.push(Item::Stage(s.clone()));
            }
        }
        items.push(Item::Message(m));
        items.extend(notes.into_iter().map(Item::Note));
    }
    items.extend(trailing.into_iter().map(Item::Note));
    Sequence {
        client: chain.client,
        parties,
        items,
    }
}

/// A label cut to `max` characters with an ellipsis, for renderers with little room.
pub fn short_label(s: &str, max: usize) -> String {
    shorten(s, max)
}

pub use crate::format::frames_text;
