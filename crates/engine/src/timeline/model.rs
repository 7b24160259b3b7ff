//! The timeline's entries: one [`Event`] per message part the analysis found, with its frames,
//! time, endpoints and their roles, protocol, direction, typed [`EventKind`], the one canonical
//! label, its own status and the stage of its client's chain it is evidence for.

use std::net::IpAddr;

use crate::capture::Nanos;
use crate::chain::{StageKind, StageStatus};
use crate::flow::{Endpoint, Side};
use crate::proto::dns::Rcode;
use crate::proto::kerberos::ErrorCode;
use crate::proto::ldap::ResultCode;
use crate::proto::tls::AlertDescription;

/// The protocol an event belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Protocol {
    Dns,
    Cldap,
    Kerberos,
    Tcp,
    Ldap,
    Tls,
    Http,
}

impl Protocol {
    pub const ALL: [Protocol; 7] = [
        Protocol::Dns,
        Protocol::Cldap,
        Protocol::Kerberos,
        Protocol::Tcp,
        Protocol::Ldap,
        Protocol::Tls,
        Protocol::Http,
    ];

    /// The protocol's short name ("KRB" for Kerberos).
    pub fn label(self) -> &'static str {
        match self {
            Protocol::Dns => "DNS",
            Protocol::Cldap => "CLDAP",
            Protocol::Kerberos => "KRB",
            Protocol::Tcp => "TCP",
            Protocol::Ldap => "LDAP",
            Protocol::Tls => "TLS",
            Protocol::Http => "HTTP",
        }
    }
}

/// What the server end does in the lookup; the order is the order of a diagram's lifelines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Client,
    Dns,
    Dc,
    Kdc,
    Web,
}

impl Role {
    pub fn title(self) -> &'static str {
        match self {
            Role::Client => "Client",
            Role::Dns => "DNS server",
            Role::Dc => "Domain controller",
            Role::Kdc => "KDC",
            Role::Web => "Web host",
        }
    }
}

/// Which way a message went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Client to server, expecting an answer.
    Request,
    /// Server to client, answering a request.
    Response,
    /// Sent by one side on its own (a reset, an alert, the start of a security layer).
    OneWay(Side),
}

impl Direction {
    /// Whether the message went from the server to the client.
    pub fn from_server(self) -> bool {
        matches!(self, Direction::Response | Direction::OneWay(Side::Server))
    }
}

/// What a message says about the lookup, as far as the message itself shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventStatus {
    Ok,
    /// An error answer, a refusal, a timeout, a fatal alert.
    Failed,
    /// A request that never got an answer in the capture.
    Unanswered,
    /// Neither good nor bad (an entry, a reset after the work was done, a KRB-ERROR that is a
    /// normal step, ...).
    Info,
}

/// Which part of which exchange in [`crate::messages::Exchanges`] an event shows (indices into
/// its vectors), so a detail view can find the whole exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    DnsQuery(usize),
    DnsAnswer(usize),
    LdapRequest(usize),
    LdapEntry(usize, usize),
    LdapReference(usize, usize),
    LdapDone(usize),
    TcpConnect(usize),
    TcpAccepted(usize),
    TcpRefused(usize),
    TcpTimeout(usize),
    TcpReset(usize),
    SaslLayer(usize),
    TlsClientHello(usize),
    TlsServerHello(usize),
    TlsCertificate(usize),
    TlsAlert(usize, usize),
    TlsAppData(usize),
    HttpRequest(usize),
    HttpResponse(usize),
    Kerberos(usize),
}

impl Source {
    /// The exchange this part belongs to, so that parts of one exchange can share a stage.
    pub fn exchange(self) -> (u8, usize) {
        match self {
            Source::DnsQuery(i) | Source::DnsAnswer(i) => (0, i),
            Source::LdapRequest(i)
            | Source::LdapEntry(i, _)
            | Source::LdapReference(i, _)
            | Source::LdapDone(i) => (1, i),
            Source::TcpConnect(i)
            | Source::TcpAccepted(i)
            | Source::TcpRefused(i)
            | Source::TcpTimeout(i)
            | Source::TcpReset(i) => (2, i),
            // The layer wraps the connection's LDAP: it lends the connection no stage.
            Source::SaslLayer(i) => (6, i),
            Source::TlsClientHello(i)
            | Source::TlsServerHello(i)
            | Source::TlsCertificate(i)
            | Source::TlsAlert(i, _)
            | Source::TlsAppData(i) => (3, i),
            Source::HttpRequest(i) | Source::HttpResponse(i) => (4, i),
            Source::Kerberos(i) => (5, i),
        }
    }
}

/// What an LDAP search was for, as the chain reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchPurpose {
    /// A search for the Exchange service connection point.
    Scp,
    /// A CLDAP netlogon ping (DC locator), with the domain it asked about.
    Ping {
        domain: Option<String>,
    },
    /// A base-scope read of the RootDSE.
    Rootdse,
    Other,
}

/// An LDAP request, classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LdapOp {
    Bind {
        /// The bind DN or name; empty for an anonymous bind.
        name: String,
        /// How it authenticated ("simple", "SASL GSS-SPNEGO", ...).
        method: String,
        /// A simple bind with an empty password.
        empty_password: bool,
    },
    Search {
        purpose: SearchPurpose,
        base: String,
        filter: String,
        attributes: Vec<String>,
    },
    Extended {
        oid: String,
    },
    Unbind,
    Other(String),
    /// Its answers are in the capture, the request is not.
    NotInCapture,
}

impl LdapOp {
    /// The stage this kind of request belongs to.
    pub fn stage(&self) -> Option<StageKind> {
        match self {
            LdapOp::Bind { .. } => Some(StageKind::LdapBind),
            LdapOp::Search { purpose, .. } => match purpose {
                SearchPurpose::Scp => Some(StageKind::ScpSearch),
                SearchPurpose::Ping { .. } => Some(StageKind::DcLocatorPing),
                SearchPurpose::Rootdse => Some(StageKind::Rootdse),
                _ => None,
            },
            _ => None,
        }
    }
}

/// What a message is, with the fields the capture gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    DnsQuery {
        qtype: String,
        name: String,
        retries: usize,
        answered: bool,
    },
    DnsAnswer {
        rcode: Rcode,
        /// Each answer record's data as text ("10.0.0.1", "0 100 389 dc1.contoso.test").
        answers: Vec<String>,
        truncated: bool,
    },
    Kerberos {
        msg_type: u8,
        /// The message type's name ("AS-REQ", "KRB-ERROR").
        name: String,
        error: Option<ErrorCode>,
        service: Option<String>,
    },
    LdapRequest {
        op: LdapOp,
        /// Nothing came back: no entry, no referral, no result.
        no_answer: bool,
    },
    LdapEntry {
        dn: String,
        attributes: usize,
    },
    LdapReference {
        urls: Vec<String>,
    },
    LdapDone {
        /// The request it ends (bind, search, other).
        op: LdapOp,
        code: ResultCode,
        entries: usize,
        references: usize,
        diagnostic: String,
    },
    TcpConnect {
        port: u16,
        saw_syn: bool,
        retransmits: usize,
        /// A SYN that got neither a SYN-ACK nor a reset.
        no_answer: bool,
    },
    TcpAccepted,
    TcpRefused,
    TcpReset {
        side: Side,
    },
    TcpTimeout {
        tries: usize,
        /// The client's first SYN to its last one.
        waited: Option<Nanos>,
    },
    SaslLayer {
        sealed: bool,
        mechanism: &'static str,
    },
    TlsClientHello {
        sni: Option<String>,
        max_version: Option<u16>,
    },
    TlsServerHello {
        version: u16,
    },
    TlsCertificate {
        count: usize,
        bytes: usize,
    },
    TlsAlert {
        side: Side,
        description: Option<AlertDescription>,
    },
    /// Encrypted application data both ways: its frames are the client's records and the
    /// server's last one.
    TlsAppData {
        client_records: u64,
        server_records: u64,
        /// The frame of the server's last record.
        server_last: Option<u64>,
    },
    HttpRequest {
        method: String,
        target: String,
        host: Option<String>,
        /// Read from TLS decrypted with the key log, not from clear HTTP.
        decrypted: bool,
    },
    HttpResponse {
        status: u16,
        location: Option<String>,
        /// What a readable answer said beyond its status, in order: the schemes a 401
        /// offers, the Autodiscover Action with its EwsUrl or redirect, an Error code and
        /// message, the v2 Url, the EWS operation.
        said: Vec<String>,
    },
}

/// One message of the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// The frame Wireshark shows it in (a message split over segments: the frame that
    /// completed it). With several inputs: the merge's number.
    pub frame: u64,
    /// Every frame that carried it, in capture order.
    pub frames: Vec<u64>,
    /// With several inputs: the input `frame` came from and its number in that file.
    pub file_frame: Option<(usize, u64)>,
    /// Its capture time: the message's own, else its frame's, when the model holds one.
    pub ts: Option<Nanos>,
    /// For an answer: time since its request, when both are known.
    pub latency: Option<Nanos>,
    /// The client end (who asked); `None` for TLS or HTTP on a connection not in the capture.
    pub client: Option<Endpoint>,
    pub server: Option<Endpoint>,
    pub server_role: Role,
    /// The server's name as the capture's DNS gave it (for a web host: the name the client
    /// looked up before this message).
    pub server_name: Option<String>,
    /// A DNS server's own query forwarding a client's question: not part of its lookup.
    pub forwarded: bool,
    pub protocol: Protocol,
    pub direction: Direction,
    pub kind: EventKind,
    /// The one short label ("DNS SRV query _ldap._tcp.dc._msdcs.lab.test", "Kerberos AS-REQ").
    pub label: String,
    pub status: EventStatus,
    /// The stage this kind of message belongs to, whatever the chain made of it.
    pub kind_stage: Option<StageKind>,
    /// The stage of its client's chain whose evidence it is, and that stage's status.
    pub stage: Option<(StageKind, StageStatus)>,
    /// Part of a finding's evidence (the cause or another failure the chain reports).
    pub finding: bool,
    pub source: Source,
}

impl Event {
    pub fn client_ip(&self) -> Option<IpAddr> {
        self.client.map(|c| c.ip)
    }
}
