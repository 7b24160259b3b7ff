//! Walks the exchanges once and turns each message part into an [`Event`]: DNS, Kerberos and
//! LDAP here, TCP, TLS and HTTP in [`super::build_tcp`]. The events come out in frame order,
//! with their labels, server names, times and file frames filled in.

use std::collections::{HashMap, HashSet};

use super::labels::{kerberos_type_name, label};
use super::names::{host_names, looked_up_name};
use super::*;
use crate::chain::StageKind;
use crate::chain::directory::{bind_method, is_scp_filter};
use crate::chain::dns_stage::answer_text;
use crate::flow::ConnId;
use crate::messages::{Exchanges, LdapExchange, LdapRequest, Transport};
use crate::proto::dns::Rcode;
use crate::proto::ldap::{BindAuth, ResultCode, Scope};

pub(super) struct Builder<'a> {
    pub ex: &'a Exchanges,
    pub events: Vec<Event>,
    /// Each connection's index in `ex.tcp`, by its id.
    pub conns: HashMap<ConnId, usize>,
}

/// An event with its frames and kind, every other field at its default: the walkers set the rest.
pub(super) fn event(
    source: Source,
    protocol: Protocol,
    direction: Direction,
    kind: EventKind,
    frames: Vec<u64>,
) -> Event {
    Event {
        frame: frames.first().copied().unwrap_or_default(),
        frames,
        file_frame: None,
        ts: None,
        latency: None,
        client: None,
        server: None,
        server_role: Role::Web,
        server_name: None,
        forwarded: false,
        protocol,
        direction,
        kind,
        label: String::new(),
        status: EventStatus::Ok,
        kind_stage: None,
        stage: None,
        finding: false,
        source,
    }
}

/// Shows the frame that completed a message split over segments: Wireshark shows it there.
fn completed_at_last(mut e: Event) -> Event {
    e.frame = e.frames.last().copied().unwrap_or(e.frame);
    e
}

/// An LDAP request, classified as the chain reads it.
pub(super) fn ldap_op(l: &LdapExchange) -> LdapOp {
    match &l.request {
        LdapRequest::Bind(b) => LdapOp::Bind {
            name: b.name.clone(),
            method: bind_method(&b.auth),
            empty_password: matches!(b.auth, BindAuth::Simple { password_len: 0 }),
        },
        LdapRequest::Search(s) => {
            let filter = s.filter.to_string();
            let purpose = if is_scp_filter(&s.filter) {
                SearchPurpose::Scp
            } else if l.transport == Transport::Udp {
                let domain = filter
                    .split("(DnsDomain=")
                    .nth(1)
                    .and_then(|r| r.split(')').next())
                    .map(str::to_string);
                SearchPurpose::Ping { domain }
            } else if s.base.is_empty() && s.scope == Scope::Base {
                SearchPurpose::Rootdse
            } else {
                SearchPurpose::Other
            };
            LdapOp::Search {
                purpose,
                base: s.base.clone(),
                filter,
                attributes: s.attributes.clone(),
            }
        }
        LdapRequest::Extended { name } => LdapOp::Extended { oid: name.clone() },
        LdapRequest::Unbind => LdapOp::Unbind,
        LdapRequest::Other(op) => LdapOp::Other((*op).to_string()),
        LdapRequest::NotInCapture => LdapOp::NotInCapture,
    }
}

impl Builder<'_> {
    pub fn dns(&mut self, forwarded: &HashSet<usize>) {
        for (i, d) in self.ex.dns.iter().enumerate() {
            let stage = d
                .name
                .to_ascii_lowercase()
                .starts_with("_ldap._tcp.")
                .then_some(StageKind::DcLocatorDns);
            let ends = |e: Event| Event {
                client: Some(d.client),
                server: Some(d.server),
                server_role: Role::Dns,
                forwarded: forwarded.contains(&i),
                kind_stage: stage,
                ..e
            };
            let mut frames = vec![d.frame];
            frames.extend(&d.retries);
            let kind = EventKind::DnsQuery {
                qtype: d.qtype.clone(),
                name: d.name.clone(),
                retries: d.retries.len(),
                answered: d.response.is_some(),
            };
            let (source, request) = (Source::DnsQuery(i), Direction::Request);
            let query = event(source, Protocol::Dns, request, kind, frames);
            self.events.push(ends(Event {
                ts: Some(d.ts),
                status: if d.response.is_some() {
                    EventStatus::Ok
                } else {
                    EventStatus::Unanswered
                },
                ..query
            }));
            let Some(r) = &d.response else { continue };
            let kind = EventKind::DnsAnswer {
                rcode: r.rcode,
                answers: r.answers.iter().map(|a| answer_text(&a.data)).collect(),
                truncated: r.truncated,
            };
            let answer = event(
                Source::DnsAnswer(i),
                Protocol::Dns,
                Direction::Response,
                kind,
                vec![r.frame],
            );
            self.events.push(ends(Event {
                ts: Some(r.ts),
                latency: Some(r.ts.saturating_sub(d.ts)),
                status: if r.rcode == Rcode::NoError {
                    EventStatus::Ok
                } else {
                    EventStatus::Failed
                },
                ..answer
            }));
        }
    }

    pub fn kerberos(&mut self) {
        for (i, k) in self.ex.kerberos.iter().enumerate() {
            let error = k.decoded.as_ref().and_then(|d| d.error_code);
            let status = match error {
                // PREAUTH_REQUIRED, RESPONSE_TOO_BIG: steps of a normal exchange.
                Some(c) if c.is_normal_step() => EventStatus::Info,
                _ if k.msg_type == 30 => EventStatus::Failed,
                _ if crate::proto::kerberos::message_type_name(k.msg_type).is_none() => {
                    EventStatus::Info
                }
                _ => EventStatus::Ok,
            };
            let kind = EventKind::Kerberos {
                msg_type: k.msg_type,
                name: kerberos_type_name(k.msg_type),
                error,
                service: k.decoded.as_ref().and_then(|d| d.service.clone()),
            };
            let direction = if k.from_client {
                Direction::Request
            } else {
                Direction::Response
            };
            let e = event(
                Source::Kerberos(i),
                Protocol::Kerberos,
                direction,
                kind,
                vec![k.frame],
            );
            self.events.push(Event {
                ts: Some(k.ts),
                client: Some(k.client),
                server: Some(k.server),
                server_role: Role::Kdc,
                status,
                kind_stage: Some(StageKind::Kerberos),
                ..e
            });
        }
    }

    pub fn ldap(&mut self) {
        for (i, l) in self.ex.ldap.iter().enumerate() {
            let protocol = if l.transport == Transport::Udp {
                Protocol::Cldap
            } else {
                Protocol::Ldap
            };
            let op = ldap_op(l);
            let stage = op.stage();
            let ends = |e: Event| Event {
                client: Some(l.client),
                server: Some(l.server),
                server_role: Role::Dc,
                kind_stage: stage,
                ..completed_at_last(e)
            };
            let answered = !l.entries.is_empty() || !l.references.is_empty() || l.result.is_some();
            let kind = EventKind::LdapRequest {
                op: op.clone(),
                no_answer: !answered,
            };
            let request = event(
                Source::LdapRequest(i),
                protocol,
                Direction::Request,
                kind,
                l.frames.clone(),
            );
            let status = if l.result.is_some() || op == LdapOp::Unbind {
                EventStatus::Ok
            } else {
                EventStatus::Unanswered
            };
            self.events.push(ends(Event {
                ts: Some(l.ts),
                status,
                ..request
            }));
            for (e, entry) in l.entries.iter().enumerate() {
                let kind = EventKind::LdapEntry {
                    dn: entry.entry.dn.clone(),
                    attributes: entry.entry.attributes.len(),
                };
                let part = event(
                    Source::LdapEntry(i, e),
                    protocol,
                    Direction::Response,
                    kind,
                    entry.frames.clone(),
                );
                self.events.push(ends(Event {
                    status: EventStatus::Info,
                    ..part
                }));
            }
            for (r, (urls, frame)) in l.references.iter().enumerate() {
                let kind = EventKind::LdapReference { urls: urls.clone() };
                let part = event(
                    Source::LdapReference(i, r),
                    protocol,
                    Direction::Response,
                    kind,
                    vec![*frame],
                );
                self.events.push(ends(Event {
                    status: EventStatus::Info,
                    ..part
                }));
            }
            let Some(r) = &l.result else { continue };
            let kind = EventKind::LdapDone {
                op: op.clone(),
                code: r.result.code,
                entries: l.entries.len(),
                references: l.references.len(),
                diagnostic: r.result.diagnostic.trim_end_matches('\0').to_string(),
            };
            let done = event(
                Source::LdapDone(i),
                protocol,
                Direction::Response,
                kind,
                r.frames.clone(),
            );
            // A SASL bind in progress is a step, not a failure.
            let status = match r.result.code {
                ResultCode::Success | ResultCode::SaslBindInProgress => EventStatus::Ok,
                _ => EventStatus::Failed,
            };
            self.events.push(ends(Event {
                ts: Some(r.ts),
                latency: Some(r.ts.saturating_sub(l.ts)),
                status,
                ..done
            }));
        }
    }

    /// Frame order (stable: within one frame, the order the walkers ran in), then each event's
    /// label, time, file frame and server name.
    pub fn finish(self, a: &crate::analysis::Analysis, forwarded: &HashSet<usize>) -> Vec<Event> {
        let mut events = self.events;
        events.sort_by_key(|e| e.frame);
        let names = host_names(self.ex);
        for e in events.iter_mut() {
            e.label = label(&e.kind);
            e.ts = e.ts.or_else(|| self.ex.times.get(e.frame));
            e.file_frame = a.origins.locate(e.frame);
            e.server_name = match (e.server_role, e.client, e.server) {
                (Role::Web, Some(client), Some(server)) => looked_up_name(
                    self.ex,
                    forwarded,
                    client.ip,
                    server.ip,
                    e.frames.first().copied().unwrap_or_default(),
                ),
                (_, _, Some(server)) => names.get(&server.ip).cloned(),
                _ => None,
            };
        }
        events
    }
}

/// Each connection's index in `ex.tcp` by its id (TLS and HTTP know only the connection).
pub(super) fn connections(ex: &Exchanges) -> HashMap<ConnId, usize> {
    ex.tcp.iter().enumerate().map(|(i, c)| (c.id, i)).collect()
}
