//! The connection-borne events: TCP connect, accept, refusal, reset and timeout, the start of a
//! SASL security layer, the TLS handshake, alerts and application data, and plain HTTP.

use super::build::{Builder, event};
use super::labels::role_for_port;
use super::*;
use crate::chain::StageKind;
use crate::flow::{ConnId, Side};
use crate::messages::TcpConnection;
use crate::proto::tls::AlertDescription;

/// The stage a connection to this server is the start of.
fn connect_stage(c: &TcpConnection) -> Option<StageKind> {
    match role_for_port(c.server.port) {
        Role::Dc => Some(StageKind::LdapConnect),
        Role::Kdc => Some(StageKind::Kerberos),
        Role::Web if c.server.port != 80 => Some(StageKind::HttpsConnect),
        _ => None,
    }
}

impl Builder<'_> {
    pub fn tcp(&mut self) {
        for (i, c) in self.ex.tcp.iter().enumerate() {
            let stage = connect_stage(c);
            let ends = |e: Event| Event {
                client: Some(c.client),
                server: Some(c.server),
                server_role: role_for_port(c.server.port),
                ..e
            };
            let answered = c.syn_ack.is_some() || c.reset.is_some();
            let kind = EventKind::TcpConnect {
                port: c.server.port,
                saw_syn: c.saw_syn,
                retransmits: c.syn_retransmits.len(),
                no_answer: c.saw_syn && !answered,
            };
            let mut frames = vec![c.first_frame];
            frames.extend(&c.syn_retransmits);
            let connect = event(
                Source::TcpConnect(i),
                Protocol::Tcp,
                Direction::Request,
                kind,
                frames,
            );
            let status = if c.syn_ack.is_some() || !c.saw_syn {
                EventStatus::Ok
            } else {
                EventStatus::Unanswered
            };
            self.events.push(ends(Event {
                ts: Some(c.ts),
                status,
                kind_stage: stage,
                ..connect
            }));
            if let Some(f) = c.syn_ack {
                let accepted = event(
                    Source::TcpAccepted(i),
                    Protocol::Tcp,
                    Direction::Response,
                    EventKind::TcpAccepted,
                    vec![f],
                );
                self.events.push(ends(Event {
                    kind_stage: stage,
                    ..accepted
                }));
            }
            if let Some(layer) = c.sasl {
                let kind = EventKind::SaslLayer {
                    sealed: layer.sealed,
                    mechanism: layer.mechanism,
                };
                let sasl = event(
                    Source::SaslLayer(i),
                    Protocol::Ldap,
                    Direction::OneWay(Side::Client),
                    kind,
                    vec![layer.from_frame],
                );
                self.events.push(ends(Event {
                    status: EventStatus::Info,
                    ..sasl
                }));
            }
            let end = match c.reset {
                Some((Side::Server, f)) if c.syn_ack.is_none() && c.saw_syn => Event {
                    status: EventStatus::Failed,
                    kind_stage: stage,
                    ..event(
                        Source::TcpRefused(i),
                        Protocol::Tcp,
                        Direction::Response,
                        EventKind::TcpRefused,
                        vec![f],
                    )
                },
                Some((side, f)) => Event {
                    status: EventStatus::Info,
                    ..event(
                        Source::TcpReset(i),
                        Protocol::Tcp,
                        Direction::OneWay(side),
                        EventKind::TcpReset { side },
                        vec![f],
                    )
                },
                None if c.saw_syn && c.syn_ack.is_none() => {
                    let last = c.syn_retransmits.last().copied().unwrap_or(c.first_frame);
                    let waited = self.ex.times.get(last).map(|t| t.saturating_sub(c.ts));
                    let tries = c.syn_retransmits.len() + 1;
                    Event {
                        status: EventStatus::Failed,
                        latency: waited.filter(|_| tries > 1),
                        kind_stage: stage,
                        ..event(
                            Source::TcpTimeout(i),
                            Protocol::Tcp,
                            Direction::OneWay(Side::Client),
                            EventKind::TcpTimeout { tries, waited },
                            vec![last],
                        )
                    }
                }
                None => continue,
            };
            self.events.push(ends(end));
        }
    }

    /// The event with the ends of connection `conn`, when the capture has it.
    fn on_conn(&self, conn: ConnId, e: Event) -> Event {
        match self.conns.get(&conn).and_then(|i| self.ex.tcp.get(*i)) {
            Some(c) => Event {
                client: Some(c.client),
                server: Some(c.server),
                server_role: role_for_port(c.server.port),
                ..e
            },
            None => e,
        }
    }

    pub fn tls(&mut self) {
        for (i, t) in self.ex.tls.iter().enumerate() {
            let mut parts = Vec::new();
            let tls = |source, direction, kind, frame: u64| {
                event(source, Protocol::Tls, direction, kind, vec![frame])
            };
            if let Some((f, sni, versions)) = &t.client_hello {
                let kind = EventKind::TlsClientHello {
                    sni: sni.clone(),
                    max_version: versions.iter().max().copied(),
                };
                parts.push(tls(Source::TlsClientHello(i), Direction::Request, kind, *f));
            }
            if let Some((f, version)) = t.server_hello {
                let kind = EventKind::TlsServerHello { version };
                parts.push(tls(Source::TlsServerHello(i), Direction::Response, kind, f));
            }
            if let Some((f, certs)) = &t.certificate {
                let kind = EventKind::TlsCertificate {
                    count: certs.len(),
                    bytes: certs.iter().map(Vec::len).sum(),
                };
                parts.push(tls(
                    Source::TlsCertificate(i),
                    Direction::Response,
                    kind,
                    *f,
                ));
            }
            for (a, (side, f, description)) in t.alerts.iter().enumerate() {
                let status = match description {
                    Some(AlertDescription::CloseNotify) | None => EventStatus::Info,
                    Some(_) => EventStatus::Failed,
                };
                let kind = EventKind::TlsAlert {
                    side: *side,
                    description: *description,
                };
                let alert = tls(Source::TlsAlert(i, a), Direction::OneWay(*side), kind, *f);
                parts.push(Event { status, ..alert });
            }
            if !t.client_app_frames.is_empty() || t.server_app_last.is_some() {
                let mut frames = t.client_app_frames.clone();
                frames.extend(t.server_app_last);
                let kind = EventKind::TlsAppData {
                    client_records: t.client_app_records,
                    server_records: t.server_app_records,
                    server_last: t.server_app_last,
                };
                let data = event(
                    Source::TlsAppData(i),
                    Protocol::Tls,
                    Direction::Request,
                    kind,
                    frames,
                );
                let status = if t.server_app_records > 0 {
                    EventStatus::Ok
                } else {
                    EventStatus::Unanswered
                };
                parts.push(Event { status, ..data });
            }
            for part in parts {
                let part = self.on_conn(t.conn, part);
                let web = part.server_role == Role::Web;
                let stage = match part.kind {
                    EventKind::TlsAppData { .. } => StageKind::Https,
                    _ => StageKind::TlsHandshake,
                };
                let kind_stage = web.then_some(stage);
                self.events.push(Event { kind_stage, ..part });
            }
        }
    }

    pub fn http(&mut self) {
        for (i, h) in self.ex.http.iter().enumerate() {
            let kind = EventKind::HttpRequest {
                method: h.method.clone(),
                target: h.target.clone(),
                host: h.host.clone(),
                decrypted: h.decrypted,
            };
            let request = event(
                Source::HttpRequest(i),
                Protocol::Http,
                Direction::Request,
                kind,
                vec![h.frame],
            );
            let status = if h.response.is_some() {
                EventStatus::Ok
            } else {
                EventStatus::Unanswered
            };
            let request = self.on_conn(h.conn, Event { status, ..request });
            self.events.push(request);
            let Some((f, code, location)) = &h.response else {
                continue;
            };
            let kind = EventKind::HttpResponse {
                status: *code,
                location: location.clone(),
                said: super::labels::http_answer_said(h),
            };
            let response = event(
                Source::HttpResponse(i),
                Protocol::Http,
                Direction::Response,
                kind,
                vec![*f],
            );
            let status = match code {
                200..=299 => EventStatus::Ok,
                300..=399 => EventStatus::Info,
                _ => EventStatus::Failed,
            };
            let response = self.on_conn(h.conn, Event { status, ..response });
            self.events.push(response);
        }
    }
}
