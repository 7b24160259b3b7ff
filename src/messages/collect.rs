//! The message stage's driver: takes UDP datagrams and TCP stream events, cuts them into DNS,
//! LDAP/CLDAP, Kerberos, TLS and HTTP messages by port, and matches requests to responses.

use std::collections::HashMap;

use super::model::*;
use super::relevance::Relevance;
use super::stream::StreamBuf;
use super::warnings::WarningLog;
use crate::capture::Nanos;
use crate::flow::{CloseReason, ConnId, Endpoint, Side, TcpEvent, TcpSink};
use crate::proto::dns::{DnsData, decode_dns, peek_question};
use crate::proto::framing::{Framing, u16_length_prefixed};
use crate::proto::http::{HttpMessage, decode_http, message_length};
use crate::proto::kerberos::{decode_kerberos, tcp_record_length};
use crate::proto::ldap::{self, BindAuth, LdapMessage, LdapOp};
use crate::proto::names::cldap_dns_domain;
use crate::proto::sasl::{self, Unwrapped, sasl_buffer_length, unwrap_buffer};
use crate::proto::tls::{TlsDirection, TlsEvent, record_length};

/// Most exchanges of one kind (TCP connections, DNS queries, LDAP requests, Kerberos messages,
/// HTTP requests) recorded per run; the rest of that kind is only counted, in a warning. Bounds
/// memory on floods (a million SYNs would otherwise keep a million connection records).
pub const MAX_RECORDED_EXCHANGES: usize = 100_000;

/// Well-known ports and the protocol capdiag reads on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Dns,
    Kerberos,
    Ldap,
    Tls,
    Http,
    Other,
}

impl Service {
    pub fn for_port(port: u16) -> Service {
        match port {
            53 => Service::Dns,
            88 => Service::Kerberos,
            389 | 3268 => Service::Ldap,
            443 | 636 | 3269 => Service::Tls,
            80 => Service::Http,
            _ => Service::Other,
        }
    }
}

/// The LDAP extended operation that turns a connection into TLS (RFC 4511 §4.14).
pub const STARTTLS_OID: &str = "1.3.6.1.4.1.1466.20037";

/// Whether a packet between these ports can matter to the chain (checked before any payload work).
pub fn port_of_interest(a: u16, b: u16) -> bool {
    Service::for_port(a) != Service::Other || Service::for_port(b) != Service::Other
}

#[derive(Default)]
struct Direction {
    buf: StreamBuf,
    /// Framing failed for good: the rest of this direction is not read.
    dead: bool,
    /// After a gap the stream may restart mid-message: drop what cannot be framed until a
    /// segment starts a message again.
    resync: bool,
    tls: TlsDirection,
    /// The stream carries SASL buffers (4-byte length + GSS wrap token) instead of bare LDAP.
    sasl: bool,
}

struct Conn {
    index: usize,
    service: Service,
    client: Direction,
    server: Direction,
    tls: Option<usize>,
    sasl_bound: bool,
}

type LdapKey = (Option<ConnId>, Endpoint, Endpoint, u32);

/// Builds [`Exchanges`] from what the flow stage delivers.
#[derive(Default)]
pub struct Collector {
    pub exchanges: Exchanges,
    pub warnings: WarningLog,
    /// The input the current frame came from (for warnings).
    pub input: usize,
    /// What the LDAP decoder may keep: by default no password (see [`crate::secrets`]).
    pub decode_options: ldap::DecodeOptions,
    /// Simple-bind passwords, only when `decode_options` asks for them.
    pub secrets: Vec<crate::secrets::BindSecret>,
    conns: HashMap<ConnId, Conn>,
    dns_pending: HashMap<(Endpoint, Endpoint, u16), usize>,
    /// Decides which DNS lookups are kept (see [`Relevance`]).
    pub relevance: Relevance,
    ldap_pending: HashMap<LdapKey, usize>,
    /// Servers found speaking LDAP on another port (see [`super::sniff`]).
    ldap_servers: std::collections::HashSet<Endpoint>,
}

impl Collector {
    /// Reads `server`'s TCP traffic as LDAP from now on, whatever its port.
    pub fn learn_ldap_server(&mut self, server: Endpoint) {
        self.ldap_servers.insert(server);
    }

    /// Whether a segment between these endpoints is LDAP found by content.
    pub fn is_learned_ldap(&self, a: Endpoint, b: Endpoint) -> bool {
        !self.ldap_servers.is_empty()
            && (self.ldap_servers.contains(&a) || self.ldap_servers.contains(&b))
    }

    /// A UDP datagram.
    pub fn udp(&mut self, frame: u64, ts: Nanos, src: Endpoint, dst: Endpoint, payload: &[u8]) {
        let (client, server, from_client) = match Service::for_port(dst.port) {
            Service::Other => (dst, src, false),
            _ => (src, dst, true),
        };
        match Service::for_port(server.port) {
            Service::Dns => self.dns(frame, ts, client, server, Transport::Udp, payload),
            Service::Ldap => {
                let (msgs, err) = ldap::decode_datagram(payload);
                for m in msgs {
                    self.ldap(
                        None,
                        Transport::Udp,
                        client,
                        server,
                        from_client,
                        m,
                        vec![frame],
                        ts,
                    );
                }
                if let Some(e) = err {
                    self.warnings.add(self.input, format!("cldap: {e}"), frame);
                }
            }
            Service::Kerberos => self.kerberos(
                frame,
                ts,
                client,
                server,
                Transport::Udp,
                from_client,
                payload,
            ),
            _ => {}
        }
    }

    fn dns(
        &mut self,
        frame: u64,
        ts: Nanos,
        client: Endpoint,
        server: Endpoint,
        t: Transport,
        payload: &[u8],
    ) {
        // Decide on the question alone whether the lookup can matter, before a full decode.
        if let Some((id, is_response, name, qtype)) = peek_question(payload) {
            let pending = is_response && self.dns_pending.contains_key(&(client, server, id));
            if !pending && !self.relevance.dns(client.ip, ts, &name, &qtype) {
                if !is_response {
                    self.exchanges.unrelated_dns += 1;
                }
                return;
            }
        }
        let msg = match decode_dns(payload) {
            Ok(m) => m,
            Err(e) => return self.warnings.add(self.input, e.to_string(), frame),
        };
        let key = (client, server, msg.id);
        if !msg.is_response {
            let Some(q) = msg.questions.first() else {
                return;
            };
            if !self.relevance.dns(client.ip, ts, &q.name, &q.qtype) {
                self.exchanges.unrelated_dns += 1;
                return;
            }
            if let Some(&i) = self.dns_pending.get(&key) {
                let ex = &mut self.exchanges.dns[i];
                if ex.name.eq_ignore_ascii_case(&q.name) && ex.qtype == q.qtype {
                    ex.retries.push(frame);
                    return;
                }
            }
            if self.over_limit(self.exchanges.dns.len(), "dns: queries", frame) {
                return;
            }
            self.dns_pending.insert(key, self.exchanges.dns.len());
            self.exchanges.dns.push(DnsExchange {
                frame,
                ts,
                client,
                server,
                transport: t,
                id: msg.id,
                name: q.name.clone(),
                qtype: q.qtype.clone(),
                retries: vec![],
                response: None,
            });
        } else if let Some(i) = self.dns_pending.remove(&key) {
            for a in &msg.answers {
                if let DnsData::Srv { target, .. } = &a.data {
                    self.relevance.add_host(target);
                }
            }
            self.exchanges.dns[i].response = Some(DnsResponse {
                frame,
                ts,
                rcode: msg.rcode,
                truncated: msg.truncated,
                answers: msg.answers,
                additionals: msg.additionals,
            });
        } else if msg
            .questions
            .first()
            .is_some_and(|q| self.relevance.dns(client.ip, ts, &q.name, &q.qtype))
        {
            self.warnings.add(
                self.input,
                "dns: response without a query in the capture",
                frame,
            );
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn kerberos(
        &mut self,
        frame: u64,
        ts: Nanos,
        client: Endpoint,
        server: Endpoint,
        t: Transport,
        from_client: bool,
        msg: &[u8],
    ) {
        if self.over_limit(self.exchanges.kerberos.len(), "kerberos: messages", frame) {
            return;
        }
        match msg.first() {
            Some(&tag) if tag & 0xe0 == 0x60 => {
                let decoded = match decode_kerberos(msg) {
                    Ok(m) => Some(m),
                    Err(e) => {
                        self.warnings.add(self.input, e.to_string(), frame);
                        None
                    }
                };
                self.exchanges.kerberos.push(KerberosMessage {
                    frame,
                    client,
                    server,
                    transport: t,
                    from_client,
                    msg_type: tag & 0x1f,
                    ts,
                    decoded,
                })
            }
            _ => self
                .warnings
                .add(self.input, "kerberos: not a Kerberos message", frame),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn ldap(
        &mut self,
        conn: Option<ConnId>,
        transport: Transport,
        client: Endpoint,
        server: Endpoint,
        from_client: bool,
        msg: LdapMessage,
        frames: Vec<u64>,
        ts: Nanos,
    ) {
        let key = (conn, client, server, msg.message_id);
        let frame = frames.last().copied().unwrap_or_default();
        if from_client {
            match &msg.op {
                LdapOp::SearchRequest(s) => {
                    let domain = cldap_dns_domain(&s.filter);
                    self.relevance
                        .ldap_request(client.ip, ts, Some(&s.base), domain);
                }
                _ => self.relevance.ldap_request(client.ip, ts, None, None),
            }
            let request = match msg.op {
                LdapOp::BindRequest(b) => LdapRequest::Bind(b),
                LdapOp::SearchRequest(s) => {
                    if s.filter.is_cut_off() {
                        self.warnings.add(
                            self.input,
                            format!(
                                "ldap: search filter nested deeper than {} levels (cut off)",
                                ldap::MAX_FILTER_DEPTH
                            ),
                            frame,
                        );
                    }
                    LdapRequest::Search(s)
                }
                LdapOp::ExtendedRequest { name, .. } => LdapRequest::Extended { name },
                LdapOp::UnbindRequest => LdapRequest::Unbind,
                LdapOp::AbandonRequest(_) => LdapRequest::Other("abandonRequest"),
                LdapOp::Other(name) => LdapRequest::Other(name),
                _ => {
                    return self.warnings.add(
                        self.input,
                        "ldap: response sent by the client",
                        frame,
                    );
                }
            };
            let expects_answer = !matches!(
                request,
                LdapRequest::Unbind | LdapRequest::Other("abandonRequest")
            );
            if self.over_limit(self.exchanges.ldap.len(), "ldap: requests", frame) {
                return;
            }
            if expects_answer {
                self.ldap_pending.insert(key, self.exchanges.ldap.len());
            }
            self.exchanges.ldap.push(LdapExchange {
                transport,
                conn,
                client,
                server,
                message_id: msg.message_id,
                frames,
                ts,
                request,
                entries: vec![],
                references: vec![],
                result: None,
            });
            return;
        }
        let Some(&i) = self.ldap_pending.get(&key) else {
            return self.warnings.add(
                self.input,
                "ldap: response to a request not in the capture",
                frame,
            );
        };
        let ex = &mut self.exchanges.ldap[i];
        let result = match msg.op {
            LdapOp::SearchResultEntry(entry) => {
                let urls = entry
                    .attributes
                    .iter()
                    .filter(|(a, _)| a.eq_ignore_ascii_case("serviceBindingInformation"));
                for v in urls.flat_map(|(_, v)| v) {
                    self.relevance.url(&String::from_utf8_lossy(v));
                }
                ex.entries.push(LdapEntry { entry, frames });
                return self.exchanges.times.note(frame, ts);
            }
            LdapOp::SearchResultReference(urls) => {
                ex.references.push((urls, frame));
                return self.exchanges.times.note(frame, ts);
            }
            LdapOp::SearchResultDone(r) => r,
            LdapOp::BindResponse(b) => b.result,
            LdapOp::ExtendedResponse { result, .. } => result,
            _ => {
                return self
                    .warnings
                    .add(self.input, "ldap: request sent by the server", frame);
            }
        };
        let sasl_ok = result.code == 0
            && matches!(&ex.request, LdapRequest::Bind(b) if matches!(b.auth, BindAuth::Sasl { .. }));
        let starttls_ok = result.code == 0
            && matches!(&ex.request, LdapRequest::Extended { name } if name == STARTTLS_OID);
        ex.result = Some(LdapFinal { result, frames, ts });
        self.ldap_pending.remove(&key);
        let Some(c) = conn.and_then(|c| self.conns.get_mut(&c)) else {
            return;
        };
        if sasl_ok {
            c.sasl_bound = true;
        }
        if starttls_ok {
            // From here on the connection is TLS: the LDAP inside cannot be read.
            c.client.dead = true;
            c.server.dead = true;
            c.client.buf.clear();
            c.server.buf.clear();
            if let Some(t) = self.exchanges.tcp.get_mut(c.index) {
                t.sasl.get_or_insert(SaslLayer {
                    from_frame: frame,
                    sealed: true,
                    mechanism: "StartTLS",
                });
            }
        }
    }

    fn stream_data(&mut self, id: ConnId, from: Side, data: &[u8], frame: u64, ts: Nanos) {
        let Some(conn) = self.conns.get_mut(&id) else {
            return;
        };
        let tcp = &mut self.exchanges.tcp[conn.index];
        match from {
            Side::Client => tcp.bytes_from_client += data.len() as u64,
            Side::Server => tcp.bytes_from_server += data.len() as u64,
        }
        let (client, server, service) = (tcp.client, tcp.server, conn.service);
        let dir = match from {
            Side::Client => &mut conn.client,
            Side::Server => &mut conn.server,
        };
        if service == Service::Other || dir.dead {
            return;
        }
        if dir.resync && dir.buf.is_empty() {
            dir.resync = false;
        }
        dir.buf.push(data, frame);
        loop {
            let Some(conn) = self.conns.get_mut(&id) else {
                return;
            };
            let sasl_bound = conn.sasl_bound;
            let dir = match from {
                Side::Client => &mut conn.client,
                Side::Server => &mut conn.server,
            };
            let sasl = dir.sasl;
            let framing: fn(&[u8]) -> Framing = match service {
                Service::Dns => u16_length_prefixed,
                Service::Kerberos => tcp_record_length,
                Service::Ldap if sasl => sasl_buffer_length,
                Service::Ldap => ldap_framing,
                Service::Tls => record_length,
                Service::Http => message_length,
                Service::Other => return,
            };
            let (msg, frames) = match dir.buf.next_message(framing) {
                Ok(Some(m)) => m,
                Ok(None) => return,
                Err(reason) => {
                    if service == Service::Ldap
                        && sasl_bound
                        && !sasl
                        && looks_sasl_wrapped(dir.buf.bytes())
                    {
                        // From here on both directions carry SASL buffers.
                        conn.client.sasl = true;
                        conn.server.sasl = true;
                        let tcp = &mut self.exchanges.tcp[conn.index];
                        tcp.sasl.get_or_insert(SaslLayer {
                            from_frame: frame,
                            sealed: false,
                            mechanism: "",
                        });
                        continue;
                    }
                    dir.buf.clear();
                    if !dir.resync {
                        dir.dead = true;
                        self.warnings.add(self.input, reason, frame);
                    }
                    return;
                }
            };
            let from_client = from == Side::Client;
            let last = frames.last().copied().unwrap_or(frame);
            match service {
                Service::Dns => self.dns(
                    last,
                    ts,
                    client,
                    server,
                    Transport::Tcp,
                    msg.get(2..).unwrap_or_default(),
                ),
                Service::Kerberos => self.kerberos(
                    last,
                    ts,
                    client,
                    server,
                    Transport::Tcp,
                    from_client,
                    msg.get(4..).unwrap_or_default(),
                ),
                Service::Ldap if sasl => {
                    self.sasl_buffer(id, client, server, from_client, &msg, frames, ts)
                }
                Service::Ldap => match ldap::decode_message_with(&msg, self.decode_options) {
                    Ok((m, password)) => {
                        crate::secrets::keep(&mut self.secrets, &m, password, last);
                        self.ldap(
                            Some(id),
                            Transport::Tcp,
                            client,
                            server,
                            from_client,
                            m,
                            frames,
                            ts,
                        )
                    }
                    Err(e) => self.warnings.add(self.input, format!("ldap: {e}"), last),
                },
                Service::Tls => self.tls_record(id, from, &msg, &frames, ts),
                Service::Http => self.http(id, &msg, last, ts),
                Service::Other => {}
            }
        }
    }

    /// One SASL buffer: integrity-only tokens are unwrapped and their LDAP messages decoded like
    /// clear traffic; a sealed token ends the reading of this connection.
    #[allow(clippy::too_many_arguments)]
    fn sasl_buffer(
        &mut self,
        id: ConnId,
        client: Endpoint,
        server: Endpoint,
        from_client: bool,
        buffer: &[u8],
        frames: Vec<u64>,
        ts: Nanos,
    ) {
        let last = frames.last().copied().unwrap_or_default();
        let Some(conn) = self.conns.get_mut(&id) else {
            return;
        };
        let Some(layer) = self
            .exchanges
            .tcp
            .get_mut(conn.index)
            .and_then(|t| t.sasl.as_mut())
        else {
            return;
        };
        match unwrap_buffer(buffer) {
            Unwrapped::Clear(mut ldap_bytes) => {
                if layer.mechanism.is_empty() {
                    layer.mechanism = sasl_mechanism(buffer);
                }
                while !ldap_bytes.is_empty() {
                    let n = match ldap::pdu_length(&ldap_bytes) {
                        ldap::PduLen::Complete(n) => n,
                        _ => {
                            self.warnings.add(
                                self.input,
                                "ldap: unwrapped SASL buffer is not whole LDAP messages",
                                last,
                            );
                            return;
                        }
                    };
                    let pdu: Vec<u8> = ldap_bytes.drain(..n.min(ldap_bytes.len())).collect();
                    match ldap::decode_message(&pdu) {
                        Ok(m) => self.ldap(
                            Some(id),
                            Transport::Tcp,
                            client,
                            server,
                            from_client,
                            m,
                            frames.clone(),
                            ts,
                        ),
                        Err(e) => self.warnings.add(self.input, format!("ldap: {e}"), last),
                    }
                }
            }
            Unwrapped::Sealed { mech } => {
                layer.sealed = true;
                layer.mechanism = mech;
                conn.client.dead = true;
                conn.server.dead = true;
                conn.client.buf.clear();
                conn.server.buf.clear();
            }
            Unwrapped::NotWrapped => {
                let dir = if from_client {
                    &mut conn.client
                } else {
                    &mut conn.server
                };
                dir.dead = true;
                self.warnings.add(
                    self.input,
                    "ldap: SASL buffer without a GSS wrap token",
                    last,
                );
            }
        }
    }

    fn tls_record(&mut self, id: ConnId, from: Side, record: &[u8], frames: &[u64], ts: Nanos) {
        let Some(conn) = self.conns.get_mut(&id) else {
            return;
        };
        let first = frames.first().copied().unwrap_or_default();
        let last = frames.last().copied().unwrap_or_default();
        let mut events = Vec::new();
        let dir = match from {
            Side::Client => &mut conn.client,
            Side::Server => &mut conn.server,
        };
        if let Err(e) = dir.tls.record(record, &mut events) {
            self.warnings.add(self.input, e, last);
        }
        let Some(session) = conn.tls.and_then(|i| self.exchanges.tls.get_mut(i)) else {
            return;
        };
        // A frame the session names gets the time of the frame that completed its record: an
        // upper bound for a record's first frame, exact for the usual one-segment record.
        let times = &mut self.exchanges.times;
        for ev in events {
            match ev {
                TlsEvent::ClientHello { sni, versions } => {
                    if session.client_hello.is_none() {
                        session.client_hello = Some((first, sni, versions));
                        times.note(first, ts);
                    }
                }
                TlsEvent::ServerHello { version, .. } => {
                    if session.server_hello.is_none() {
                        session.server_hello = Some((first, version));
                        times.note(first, ts);
                    }
                }
                TlsEvent::Certificate { chain } => {
                    if session.certificate.is_none() {
                        session.certificate = Some((first, chain));
                        session.certificate_ts = Some(ts);
                        times.note(first, ts);
                    }
                }
                TlsEvent::Alert { description, .. } => {
                    session.alerts.push((from, last, description));
                    times.note(last, ts);
                }
                TlsEvent::ApplicationData { .. } => match from {
                    Side::Client => {
                        session.client_app_records += 1;
                        if session.client_app_frames.len() < 4 {
                            session.client_app_frames.push(last);
                            times.note(last, ts);
                        }
                    }
                    Side::Server => {
                        session.server_app_records += 1;
                        session.server_app_last = Some(last);
                    }
                },
                TlsEvent::ChangeCipherSpec | TlsEvent::Handshake(_) => {}
            }
        }
    }

    fn http(&mut self, id: ConnId, msg: &[u8], frame: u64, ts: Nanos) {
        if self.over_limit(self.exchanges.http.len(), "http: messages", frame) {
            return;
        }
        match decode_http(msg) {
            Ok(HttpMessage::Request {
                method,
                target,
                host,
            }) => {
                self.exchanges.http.push(HttpExchange {
                    conn: id,
                    frame,
                    method,
                    target,
                    host,
                    response: None,
                });
                self.exchanges.times.note(frame, ts);
            }
            Ok(HttpMessage::Response {
                status, location, ..
            }) => {
                if let Some(l) = &location {
                    self.relevance.url(l);
                }
                match self
                    .exchanges
                    .http
                    .iter_mut()
                    .find(|h| h.conn == id && h.response.is_none())
                {
                    Some(h) => {
                        h.response = Some((frame, status, location));
                        self.exchanges.times.note(frame, ts);
                    }
                    None => {
                        self.warnings
                            .add(self.input, "http: response without a request", frame)
                    }
                }
            }
            Err(e) => self.warnings.add(self.input, e, frame),
        }
    }

    fn open(
        &mut self,
        id: ConnId,
        client: Endpoint,
        server: Endpoint,
        frame: u64,
        ts: Nanos,
        saw_syn: bool,
    ) {
        if self.over_limit(self.exchanges.tcp.len(), "tcp: connections", frame) {
            return;
        }
        let service = if self.ldap_servers.contains(&server) {
            Service::Ldap
        } else {
            Service::for_port(server.port)
        };
        let index = self.exchanges.tcp.len();
        self.exchanges.tcp.push(TcpConnection {
            id,
            client,
            server,
            first_frame: frame,
            ts,
            saw_syn,
            syn_retransmits: vec![],
            syn_ack: None,
            reset: None,
            fins: vec![],
            bytes_from_client: 0,
            bytes_from_server: 0,
            // LDAP over TLS from the first byte: as unreadable as a sealed SASL layer.
            sasl: matches!(server.port, 636 | 3269).then_some(SaslLayer {
                from_frame: frame,
                sealed: true,
                mechanism: "LDAPS",
            }),
            gaps: 0,
        });
        let tls = (service == Service::Tls).then(|| {
            self.exchanges.tls.push(TlsSession {
                conn: id,
                ..Default::default()
            });
            self.exchanges.tls.len() - 1
        });
        let conn = Conn {
            index,
            service,
            client: Direction::default(),
            server: Direction::default(),
            tls,
            sasl_bound: false,
        };
        self.conns.insert(id, conn);
    }

    /// True (and counted in a warning) when `recorded` exchanges of a kind already reach
    /// [`MAX_RECORDED_EXCHANGES`].
    fn over_limit(&mut self, recorded: usize, what: &str, frame: u64) -> bool {
        if recorded < MAX_RECORDED_EXCHANGES {
            return false;
        }
        self.warnings.add(
            self.input,
            format!("{what} beyond the first {MAX_RECORDED_EXCHANGES} not analysed"),
            frame,
        );
        true
    }

    fn tcp_record(&mut self, id: ConnId) -> Option<&mut TcpConnection> {
        let index = self.conns.get(&id)?.index;
        self.exchanges.tcp.get_mut(index)
    }
}

impl TcpSink for Collector {
    fn event(&mut self, ev: TcpEvent<'_>) {
        match ev {
            TcpEvent::Open {
                conn,
                client,
                server,
                frame,
                ts,
                saw_syn,
            } => self.open(conn, client, server, frame, ts, saw_syn),
            TcpEvent::SynRetransmit { conn, frame, ts } => {
                if let Some(t) = self.tcp_record(conn) {
                    t.syn_retransmits.push(frame);
                    self.exchanges.times.note(frame, ts);
                }
            }
            TcpEvent::SynAck { conn, frame, ts } => {
                if let Some(t) = self.tcp_record(conn)
                    && t.syn_ack.is_none()
                {
                    t.syn_ack = Some(frame);
                    self.exchanges.times.note(frame, ts);
                }
            }
            TcpEvent::Data {
                conn,
                from,
                data,
                frame,
                ts,
            } => self.stream_data(conn, from, data, frame, ts),
            TcpEvent::Gap {
                conn, from, frame, ..
            } => {
                if let Some(c) = self.conns.get_mut(&conn) {
                    let dir = match from {
                        Side::Client => &mut c.client,
                        Side::Server => &mut c.server,
                    };
                    dir.buf.clear();
                    dir.resync = true;
                }
                if let Some(t) = self.tcp_record(conn) {
                    t.gaps += 1;
                }
                self.warnings.add(
                    self.input,
                    "tcp: bytes missing from a stream (not captured)",
                    frame,
                );
            }
            TcpEvent::Fin {
                conn,
                from,
                frame,
                ts,
            } => {
                if let Some(t) = self.tcp_record(conn) {
                    t.fins.push((from, frame));
                    self.exchanges.times.note(frame, ts);
                }
            }
            TcpEvent::Reset {
                conn,
                from,
                frame,
                ts,
            } => {
                if let Some(t) = self.tcp_record(conn)
                    && t.reset.is_none()
                {
                    t.reset = Some((from, frame));
                    self.exchanges.times.note(frame, ts);
                }
            }
            TcpEvent::Closed { conn, reason } => {
                if let Some(c) = self.conns.remove(&conn) {
                    let pending = !c.client.buf.is_empty() || !c.server.buf.is_empty();
                    if pending && reason == CloseReason::EndOfCapture {
                        let frame = self
                            .exchanges
                            .tcp
                            .get(c.index)
                            .map(|t| t.first_frame)
                            .unwrap_or_default();
                        self.warnings
                            .add(self.input, "tcp: capture ends inside a message", frame);
                    }
                }
            }
        }
    }
}

fn ldap_framing(buf: &[u8]) -> Framing {
    match ldap::pdu_length(buf) {
        ldap::PduLen::Incomplete => Framing::Incomplete,
        ldap::PduLen::Complete(n) => Framing::Complete(n),
        ldap::PduLen::Invalid(r) => Framing::Invalid(format!("ldap: {r}")),
    }
}

/// The token form of an integrity-only buffer, named as [`Unwrapped::Sealed`] names it.
fn sasl_mechanism(buffer: &[u8]) -> &'static str {
    match buffer.get(4..6) {
        Some([0x05, 0x04]) => sasl::MECH_CFX,
        Some([0x60, _]) => sasl::MECH_RFC1964,
        _ => sasl::MECH_NTLM,
    }
}

/// A SASL security-layer buffer: 4-byte length, then a GSS wrap token (RFC 4121 `05 04`, an
/// RFC 1964 / 4757 token `60`, or an NTLM signature version `01 00 00 00`).
fn looks_sasl_wrapped(buf: &[u8]) -> bool {
    matches!(
        buf,
        [0, _, _, _, 0x05, 0x04, ..] | [0, _, _, _, 0x60, ..] | [0, _, _, _, 1, 0, 0, 0, ..]
    )
}
