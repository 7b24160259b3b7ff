//! A row of the timeline and what it refers to: its protocol, its status, and which part of which exchange it shows.

use crate::capture::Nanos;
use crate::chain::{StageKind, StageStatus};
use std::net::IpAddr;

/// The protocol a row belongs to (what `f` filters on).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Proto {
    Dns,
    Cldap,
    Kerberos,
    Tcp,
    Ldap,
    Tls,
    Http,
}

impl Proto {
    pub const ALL: [Proto; 7] = [
        Proto::Dns,
        Proto::Cldap,
        Proto::Kerberos,
        Proto::Tcp,
        Proto::Ldap,
        Proto::Tls,
        Proto::Http,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Proto::Dns => "DNS",
            Proto::Cldap => "CLDAP",
            Proto::Kerberos => "KRB",
            Proto::Tcp => "TCP",
            Proto::Ldap => "LDAP",
            Proto::Tls => "TLS",
            Proto::Http => "HTTP",
        }
    }
}

/// What a message says about the lookup, as far as the message itself shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowStatus {
    Ok,
    /// An error answer, a refusal, a timeout, a fatal alert.
    Failed,
    /// A request that never got an answer in the capture.
    Unanswered,
    /// Neither good nor bad (an entry, a FIN-less reset after the work was done, ...).
    Info,
}

/// Which part of which exchange in [`Exchanges`] a row shows (indices into its vectors).
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

/// One line of the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The frame Wireshark shows this message in (with several inputs: the merge's number).
    pub frame: u64,
    /// With several inputs: the input the frame came from and its number in that file.
    pub file_frame: Option<(usize, u64)>,
    /// Every frame that carried it.
    pub frames: Vec<u64>,
    /// Its own capture time, when the model holds one for it.
    pub ts: Option<Nanos>,
    /// `ts`, or else the latest time known before it (frames are in time order, so this is a
    /// lower bound): what the time column and the gutter use.
    pub time: Nanos,
    /// The client the message belongs to (who asked).
    pub client: Option<IpAddr>,
    pub proto: Proto,
    /// Short kind: "query", "answer", "bind", "search", "entry", "done", "connect", ...
    pub kind: &'static str,
    pub summary: String,
    pub status: RowStatus,
    /// For an answer: time since its request, when both times are known.
    pub latency: Option<Nanos>,
    /// The stage of the client's chain this message is evidence for.
    pub stage: Option<StageKind>,
    /// The status of that stage.
    pub stage_status: Option<StageStatus>,
    /// Part of a finding's evidence (the cause or another failure the chain reports).
    pub finding: bool,
    pub source: Source,
}

impl Row {
    /// What `n` / `N` stop at: evidence of a finding, or a message that failed by itself.
    pub fn is_finding(&self) -> bool {
        self.finding || self.status == RowStatus::Failed
    }

    /// The text `/` searches in.
    pub fn haystack(&self) -> String {
        format!(
            "{} {} {} {} {}",
            self.frame,
            self.proto.label(),
            self.kind,
            self.summary,
            self.stage.map(StageKind::id).unwrap_or("")
        )
    }
}
