//! The message stage's output: every exchange of interest in the capture, requests matched to
//! their responses, each with the frames that carried it. The chain stage reads only this.

use crate::capture::Nanos;
use crate::flow::{ConnId, Endpoint, Side};
use crate::proto::dns::{DnsRecord, Rcode};
use crate::proto::kerberos::KrbMessage;
use crate::proto::ldap::{BindRequest, LdapResult, SearchEntry, SearchRequest};
use crate::proto::tls::AlertDescription;

/// Transport a message travelled on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    Udp,
    Tcp,
}

/// A DNS query and, when seen, its response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsExchange {
    pub frame: u64,
    pub ts: Nanos,
    pub client: Endpoint,
    pub server: Endpoint,
    pub transport: Transport,
    pub id: u16,
    pub name: String,
    pub qtype: String,
    /// Frames of repeated queries (same id, name and endpoints) before the response.
    pub retries: Vec<u64>,
    pub response: Option<DnsResponse>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsResponse {
    pub frame: u64,
    pub ts: Nanos,
    pub rcode: Rcode,
    pub truncated: bool,
    pub answers: Vec<DnsRecord>,
    pub additionals: Vec<DnsRecord>,
}

/// An LDAP request with everything the server answered to its message id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LdapExchange {
    pub transport: Transport,
    /// The TCP connection (None for CLDAP over UDP).
    pub conn: Option<ConnId>,
    pub client: Endpoint,
    pub server: Endpoint,
    pub message_id: u32,
    pub frames: Vec<u64>,
    pub ts: Nanos,
    pub request: LdapRequest,
    pub entries: Vec<LdapEntry>,
    pub references: Vec<(Vec<String>, u64)>,
    /// The final response: BindResponse, SearchResultDone or ExtendedResponse.
    pub result: Option<LdapFinal>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LdapRequest {
    Bind(BindRequest),
    Search(SearchRequest),
    Extended {
        name: String,
    },
    Unbind,
    Other(&'static str),
    /// Answers (search entries, references) whose request was sent before the capture started.
    NotInCapture,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LdapEntry {
    pub entry: SearchEntry,
    pub frames: Vec<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LdapFinal {
    pub result: LdapResult,
    pub frames: Vec<u64>,
    pub ts: Nanos,
}

/// A TCP connection's life as far as the chain cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcpConnection {
    pub id: ConnId,
    pub client: Endpoint,
    pub server: Endpoint,
    /// First frame of the connection (the SYN, or the first segment when seen mid-stream).
    pub first_frame: u64,
    pub ts: Nanos,
    pub saw_syn: bool,
    pub syn_retransmits: Vec<u64>,
    pub syn_ack: Option<u64>,
    /// Who reset the connection and in which frame.
    pub reset: Option<(Side, u64)>,
    pub fins: Vec<(Side, u64)>,
    pub bytes_from_client: u64,
    pub bytes_from_server: u64,
    /// The security layer of an LDAP connection, if any: SASL after a bind, StartTLS, or LDAPS
    /// (TLS from the start, ports 636 and 3269).
    pub sasl: Option<SaslLayer>,
    /// A sealed SASL layer opened with a secret the admin gave: which one ("keytab entry …
    /// kvno N", "the password file's password of DOMAIN\\user"). The LDAP inside was read.
    pub decrypted_with: Option<String>,
    pub gaps: u64,
}

/// A SASL security layer on an LDAP connection (RFC 4422 §3.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SaslLayer {
    /// The first frame carrying a wrapped buffer.
    pub from_frame: u64,
    /// Confidentiality: the LDAP inside cannot be read. Integrity only: it was unwrapped and read.
    pub sealed: bool,
    /// The GSS token form ("Kerberos (RFC 4121)", "NTLM", ...; empty until a buffer is
    /// unwrapped), or "StartTLS" / "LDAPS".
    pub mechanism: &'static str,
}

/// A TLS session on one TCP connection.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TlsSession {
    pub conn: ConnId,
    pub client_hello: Option<(u64, Option<String>, Vec<u16>)>,
    pub server_hello: Option<(u64, u16)>,
    pub certificate: Option<(u64, Vec<Vec<u8>>)>,
    /// Capture time of the frame that completed the Certificate message (validity is judged
    /// against it, not against today).
    pub certificate_ts: Option<Nanos>,
    /// The certificate was read from TLS 1.3 handshake records decrypted with the TLS key log
    /// (in clear before TLS 1.3).
    pub certificate_decrypted: bool,
    /// Alerts: who sent it, frame, description when readable (None once encrypted).
    pub alerts: Vec<(Side, u64, Option<AlertDescription>)>,
    /// Application data records from the client: how many, and the frames of the first few.
    pub client_app_records: u64,
    pub client_app_frames: Vec<u64>,
    /// Application data records from the server: how many, and the last frame that carried one.
    pub server_app_records: u64,
    pub server_app_last: Option<u64>,
    /// Records of this connection decrypted with the TLS key log (0 without one).
    pub decrypted_records: u64,
}

/// A readable HTTP request and its response (clear text, or HTTPS decrypted with the TLS key
/// log: see `decrypted`), paired in order on their connection.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HttpExchange {
    pub conn: ConnId,
    /// The request's last frame.
    pub frame: u64,
    pub method: String,
    pub target: String,
    pub host: Option<String>,
    /// The response's last frame, status and Location.
    pub response: Option<(u64, u16, Option<String>)>,
    /// The request as decoded: Authorization scheme, POX address, v2 path, EWS operation.
    pub request: crate::proto::http::HttpRequest,
    /// The response as decoded: schemes offered, POX, v2 or EWS body (with `response`).
    pub reply: Option<crate::proto::http::HttpResponse>,
    /// Read from TLS application data decrypted with the TLS key log, not from clear HTTP.
    pub decrypted: bool,
}

/// A Kerberos message on port 88 (decoded further by the diagnosis work).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KerberosMessage {
    pub frame: u64,
    pub client: Endpoint,
    pub server: Endpoint,
    pub transport: Transport,
    pub from_client: bool,
    /// ASN.1 application tag: 10 AS-REQ, 11 AS-REP, 12 TGS-REQ, 13 TGS-REP, 30 KRB-ERROR.
    pub msg_type: u8,
    pub ts: Nanos,
    /// The decoded message (realm, names, error code); None when it could not be decoded.
    pub decoded: Option<KrbMessage>,
}

/// Everything the message stage found.
#[derive(Debug, Clone, Default)]
pub struct Exchanges {
    pub dns: Vec<DnsExchange>,
    pub ldap: Vec<LdapExchange>,
    pub tcp: Vec<TcpConnection>,
    pub tls: Vec<TlsSession>,
    pub http: Vec<HttpExchange>,
    pub kerberos: Vec<KerberosMessage>,
    /// DNS lookups that cannot matter to an Autodiscover lookup, counted but not kept.
    pub unrelated_dns: u64,
    /// Capture times of the frames above that carry no time of their own in the model.
    pub times: super::times::FrameTimes,
}
