//! The message stage's driver: takes UDP datagrams and TCP stream events, cuts them into DNS,
//! LDAP/CLDAP, Kerberos, TLS and HTTP messages by port, and matches requests to responses.

use super::model::*;
use super::relevance::Relevance;
use super::stream::StreamBuf;
use super::warnings::WarningLog;
use crate::capture::Nanos;
use crate::flow::{CloseReason, ConnId, Endpoint, Side, TcpEvent, TcpSink};
use crate::proto::ldap::{self};
use crate::proto::tls::TlsDirection;

mod dns_messages;
mod http_messages;
mod kerberos_messages;
mod ldap_messages;
mod retire;
mod stream;
#[cfg(test)]
pub(crate) mod test_support;
mod tls_decrypt;
mod tls_records;

pub use retire::Leaving;
pub use tls_decrypt::TlsKeys;

/// Most exchanges of one kind (TCP connections, DNS queries, LDAP requests, Kerberos messages,
/// HTTP messages) recorded for one client address; the rest of that client's exchanges of that
/// kind are only counted, in a warning that names the client. A bound per client, not per run:
/// a capture of many clients (a DC, a busy CRM server's neighbours) has every client analysed,
/// while one client flooding (a scanner, a runaway loop) cannot take the memory of all.
pub const MAX_EXCHANGES_PER_CLIENT: u32 = 50_000;

/// Most exchanges recorded with one server (address and port) while it has answered nothing
/// (connection attempts never SYN-ACKed, DNS queries without any response): the bound across
/// clients, for floods that no per-client bound stops (a million unanswered SYNs from a million
/// addresses). Past it, further attempts to that server are counted in a warning naming it;
/// once it answers anyone, nothing to it is held back.
pub const MAX_EXCHANGES_WITH_SILENT_SERVER: usize = 100_000;

/// Attempts to one silent server past the bound: how many, and the first frames.
#[derive(Debug, Default)]
struct HeldBack {
    count: u64,
    frames: Vec<u64>,
}

/// Example frames kept per held-back count (as many as a warning shows).
const HELD_BACK_FRAMES: usize = 5;

/// The kinds of exchange [`MAX_EXCHANGES_PER_CLIENT`] bounds.
#[derive(Debug, Clone, Copy)]
enum Recorded {
    Dns,
    Ldap,
    Tcp,
    Http,
    Kerberos,
}

impl Recorded {
    fn from_index(i: u8) -> Option<Recorded> {
        [
            Recorded::Dns,
            Recorded::Ldap,
            Recorded::Tcp,
            Recorded::Http,
            Recorded::Kerberos,
        ]
        .into_iter()
        .find(|k| *k as u8 == i)
    }

    fn what(self) -> &'static str {
        match self {
            Recorded::Dns => "dns: queries",
            Recorded::Ldap => "ldap: requests",
            Recorded::Tcp => "tcp: connections",
            Recorded::Http => "http: messages",
            Recorded::Kerberos => "kerberos: messages",
        }
    }
}

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
    /// The client's address (whose activity this connection's traffic is).
    client_ip: std::net::IpAddr,
    service: Service,
    client: Direction,
    server: Direction,
    tls: Option<usize>,
    sasl_bound: bool,
    /// LDAP: the keys its bind gave, when [`Collector::decryption`] has secrets (boxed: most
    /// connections never have any, and a flood holds tens of thousands open).
    bind_keys: Option<Box<super::decrypt::BindKeys>>,
    /// Decryption state, only while a TLS key log is loaded.
    decrypt: Option<Box<tls_decrypt::TlsDecrypt>>,
}

// The maps looked up for every packet: foldhash instead of SipHash, whose cost showed in the
// dense profile.
use crate::fast_hash::FastMap;

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
    /// Keytab and passwords to open sealed LDAP with (issue 17); empty: nothing is decrypted.
    pub decryption: std::sync::Arc<super::decrypt::DecryptionSecrets>,
    /// Ticket session keys the password file opened in KDC replies.
    ticket_keys: super::decrypt::TicketKeys,
    conns: FastMap<ConnId, Conn>,
    dns_pending: FastMap<(Endpoint, Endpoint, u16), usize>,
    /// Each client address's latest DNS queries (indexes into the exchanges), where a retry from
    /// a new port looks for its first try: per client, so other clients' lookups in between (a
    /// busy DNS server or DC) do not push it out of reach.
    dns_recent: FastMap<std::net::IpAddr, std::collections::VecDeque<usize>>,
    /// Decides which DNS lookups are kept (see [`Relevance`]).
    pub relevance: Relevance,
    ldap_pending: FastMap<LdapKey, usize>,
    /// Servers found speaking LDAP on another port (see [`super::sniff`]).
    ldap_servers: std::collections::HashSet<Endpoint>,
    /// The TLS key log and how many connections it decrypted.
    pub tls_keys: TlsKeys,
    /// How many exchanges of each [`Recorded`] kind each client address has recorded.
    recorded: FastMap<std::net::IpAddr, [u32; 5]>,
    /// Servers that have answered something (a SYN-ACK, a DNS response).
    answering: std::collections::HashSet<Endpoint>,
    /// Exchanges recorded with each server not in `answering` (removed when it answers).
    with_silent_servers: FastMap<Endpoint, usize>,
    /// Attempts held back by [`MAX_EXCHANGES_WITH_SILENT_SERVER`], by input, server and kind:
    /// counted here (a flood has one per packet) and added to the warnings when they are read.
    held_back: FastMap<(usize, Endpoint, u8), HeldBack>,
    /// Each client address's latest activity, only while clients are retired (see [`retire`]).
    activity: Option<FastMap<std::net::IpAddr, Nanos>>,
    /// Open connections of retired clients: their later traffic is counted, not analysed.
    retired_conns: std::collections::HashSet<ConnId>,
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
        self.udp_message(frame, ts, client, server, from_client, payload);
        self.touch(client.ip, ts);
    }

    /// A datagram between `client` and `server`, by the server's port.
    fn udp_message(
        &mut self,
        frame: u64,
        ts: Nanos,
        client: Endpoint,
        server: Endpoint,
        from_client: bool,
        payload: &[u8],
    ) {
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

    fn open(
        &mut self,
        id: ConnId,
        client: Endpoint,
        server: Endpoint,
        frame: u64,
        ts: Nanos,
        saw_syn: bool,
    ) {
        if self.silent_server_over_limit(Recorded::Tcp, server, frame)
            || self.over_limit(Recorded::Tcp, client.ip, frame)
        {
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
            decrypted_with: None,
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
            client_ip: client.ip,
            service,
            client: Direction::default(),
            server: Direction::default(),
            tls,
            sasl_bound: false,
            bind_keys: None,
            decrypt: (tls.is_some() && self.tls_keys.is_loaded()).then(|| {
                Box::new(tls_decrypt::TlsDecrypt::with_inner(
                    tls_decrypt::inner_for_port(server.port),
                ))
            }),
        };
        self.conns.insert(id, conn);
    }

    /// True (and counted in a warning naming the client) when `client` has already recorded
    /// [`MAX_EXCHANGES_PER_CLIENT`] exchanges of `kind`; otherwise counts one more.
    fn over_limit(&mut self, kind: Recorded, client: std::net::IpAddr, frame: u64) -> bool {
        let count = &mut self.recorded.entry(client).or_default()[kind as usize];
        if *count < MAX_EXCHANGES_PER_CLIENT {
            *count += 1;
            return false;
        }
        self.warnings.add(
            self.input,
            format!(
                "{} of client {client} beyond its first {MAX_EXCHANGES_PER_CLIENT} not analysed",
                kind.what()
            ),
            frame,
        );
        true
    }

    /// True (and counted in a warning naming the server) when `server` has answered nothing
    /// yet and [`MAX_EXCHANGES_WITH_SILENT_SERVER`] exchanges with it are already recorded;
    /// otherwise counts this one while the server is silent.
    fn silent_server_over_limit(&mut self, kind: Recorded, server: Endpoint, frame: u64) -> bool {
        if self.answering.contains(&server) {
            return false;
        }
        let count = self.with_silent_servers.entry(server).or_default();
        if *count < MAX_EXCHANGES_WITH_SILENT_SERVER {
            *count += 1;
            return false;
        }
        let held = self
            .held_back
            .entry((self.input, server, kind as u8))
            .or_default();
        held.count += 1;
        if held.frames.len() < HELD_BACK_FRAMES {
            held.frames.push(frame);
        }
        true
    }

    /// Every warning so far, the attempts held back from silent servers included.
    pub fn all_warnings(&self) -> Vec<super::Warning> {
        if self.held_back.is_empty() {
            return self.warnings.warnings();
        }
        let mut log = self.warnings.clone();
        let mut held: Vec<_> = self.held_back.iter().collect();
        held.sort_by_key(|(_, h)| h.frames.first().copied());
        for ((input, server, kind), h) in held {
            let what = Recorded::from_index(*kind).map_or("exchanges", Recorded::what);
            let text = format!(
                "{what} to {server}, which had answered nothing, beyond the first \
                 {MAX_EXCHANGES_WITH_SILENT_SERVER} not analysed (a flood or a scan)"
            );
            log.add_repeated(*input, text, &h.frames, h.count);
        }
        log.warnings()
    }

    /// `server` answered someone: exchanges with it are no longer held back.
    fn server_answered(&mut self, server: Endpoint) {
        if self.answering.insert(server) {
            self.with_silent_servers.remove(&server);
        }
    }

    /// The client address of connection `id`, when it is recorded.
    fn conn_client(&self, id: ConnId) -> Option<std::net::IpAddr> {
        let index = self.conns.get(&id)?.index;
        self.exchanges.tcp.get(index).map(|t| t.client.ip)
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
            } => {
                self.open(conn, client, server, frame, ts, saw_syn);
                self.touch(client.ip, ts);
            }
            TcpEvent::SynRetransmit { conn, frame, ts } => {
                self.touch_conn(conn, ts);
                if let Some(t) = self.tcp_record(conn) {
                    t.syn_retransmits.push(frame);
                    self.exchanges.times.note(frame, ts);
                }
            }
            TcpEvent::SynAck { conn, frame, ts } => {
                self.touch_conn(conn, ts);
                if let Some(t) = self.tcp_record(conn)
                    && t.syn_ack.is_none()
                {
                    t.syn_ack = Some(frame);
                    let server = t.server;
                    self.exchanges.times.note(frame, ts);
                    self.server_answered(server);
                }
            }
            TcpEvent::Data {
                conn,
                from,
                data,
                frame,
                ts,
            } => {
                self.touch_conn(conn, ts);
                self.stream_data(conn, from, data, frame, ts);
            }
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
                self.touch_conn(conn, ts);
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
                self.touch_conn(conn, ts);
                if let Some(t) = self.tcp_record(conn)
                    && t.reset.is_none()
                {
                    t.reset = Some((from, frame));
                    self.exchanges.times.note(frame, ts);
                }
            }
            TcpEvent::Closed { conn, reason } => {
                self.retired_conns.remove(&conn);
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
