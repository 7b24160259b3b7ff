//! The chain model: per client, the stages of the Autodiscover lookup in order, each with a
//! status and its evidence frames, the HTTPS attempts, and the verdict with its cause.

use std::net::IpAddr;

use serde::Serialize;

/// The stages of the lookup, in the order a client goes through them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StageKind {
    DcLocatorDns,
    DcLocatorPing,
    Kerberos,
    LdapConnect,
    LdapBind,
    Rootdse,
    ScpSearch,
    ScpUrlDns,
    HttpsConnect,
    TlsHandshake,
    Https,
}

impl StageKind {
    pub const ALL: [StageKind; 11] = [
        StageKind::DcLocatorDns,
        StageKind::DcLocatorPing,
        StageKind::Kerberos,
        StageKind::LdapConnect,
        StageKind::LdapBind,
        StageKind::Rootdse,
        StageKind::ScpSearch,
        StageKind::ScpUrlDns,
        StageKind::HttpsConnect,
        StageKind::TlsHandshake,
        StageKind::Https,
    ];

    /// The stable identifier used in JSON and expectation files.
    pub fn id(self) -> &'static str {
        match self {
            StageKind::DcLocatorDns => "dc_locator_dns",
            StageKind::DcLocatorPing => "dc_locator_ping",
            StageKind::Kerberos => "kerberos",
            StageKind::LdapConnect => "ldap_connect",
            StageKind::LdapBind => "ldap_bind",
            StageKind::Rootdse => "rootdse",
            StageKind::ScpSearch => "scp_search",
            StageKind::ScpUrlDns => "scp_url_dns",
            StageKind::HttpsConnect => "https_connect",
            StageKind::TlsHandshake => "tls_handshake",
            StageKind::Https => "https",
        }
    }

    /// What the stage is, for people.
    pub fn title(self) -> &'static str {
        match self {
            StageKind::DcLocatorDns => "DC locator: DNS SRV for a domain controller",
            StageKind::DcLocatorPing => "DC locator: CLDAP netlogon ping",
            StageKind::Kerberos => "Kerberos tickets",
            StageKind::LdapConnect => "TCP connection to LDAP",
            StageKind::LdapBind => "LDAP bind",
            StageKind::Rootdse => "RootDSE read (configurationNamingContext)",
            StageKind::ScpSearch => "SCP search in CN=Configuration",
            StageKind::ScpUrlDns => "DNS of the Autodiscover host",
            StageKind::HttpsConnect => "TCP connection to port 443",
            StageKind::TlsHandshake => "TLS handshake",
            StageKind::Https => "HTTPS request answered",
        }
    }

    pub fn from_id(id: &str) -> Option<StageKind> {
        StageKind::ALL.into_iter().find(|s| s.id() == id)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StageStatus {
    Ok,
    Failed,
    /// The traffic of this stage was there but wrapped in a SASL security layer (sealed).
    Sealed,
    NotSeen,
    /// This step failed, but the client got past it: a step that depends on it succeeded (a
    /// second DC, NTLM after Kerberos, a fallback host). Its cause is a warning, not the break.
    Recovered,
    /// A step before the first one the capture holds for this client: the capture started
    /// later, was filtered, or the client had the answer cached.
    NotInCapture,
    /// The capture ends in the middle of this step (a SASL bind waiting for its next message).
    Unfinished,
}

impl StageStatus {
    pub fn id(self) -> &'static str {
        match self {
            StageStatus::Ok => "ok",
            StageStatus::Failed => "failed",
            StageStatus::Sealed => "sealed",
            StageStatus::NotSeen => "not_seen",
            StageStatus::Recovered => "recovered",
            StageStatus::NotInCapture => "not_in_capture",
            StageStatus::Unfinished => "unfinished",
        }
    }

    /// The mark every renderer shows for it.
    pub fn glyph(self) -> &'static str {
        match self {
            StageStatus::Ok => "✓",
            StageStatus::Failed => "✗",
            StageStatus::Sealed => "▒",
            StageStatus::NotSeen => "·",
            StageStatus::Recovered => "⚠",
            StageStatus::NotInCapture => "…",
            StageStatus::Unfinished => "◌",
        }
    }

    /// What it means, for people.
    pub fn label(self) -> &'static str {
        match self {
            StageStatus::Ok => "ok",
            StageStatus::Failed => "failed",
            StageStatus::Sealed => "sealed",
            StageStatus::NotSeen => "not seen",
            StageStatus::Recovered => "failed, got past",
            StageStatus::NotInCapture => "not in capture",
            StageStatus::Unfinished => "unfinished",
        }
    }

    /// Whether the capture shows the client doing this step (whatever its outcome).
    pub fn seen(self) -> bool {
        !matches!(self, StageStatus::NotSeen | StageStatus::NotInCapture)
    }
}

/// One stage of one client's chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    pub kind: StageKind,
    pub status: StageStatus,
    pub frames: Vec<u64>,
    /// What was seen, as ordered name/value pairs ("server", "10.99.0.1:389"), for every renderer.
    pub detail: Vec<(&'static str, String)>,
    /// Why it failed (only when `status` is Failed).
    pub cause: Option<Cause>,
    /// Warnings and information found at this stage that do not make it fail.
    pub notes: Vec<Cause>,
    /// The HTTPS answer was an Autodiscover redirect (redirectAddr, redirectUrl or a 30x): the
    /// address or URL the client is sent on to. The step worked, but HTTPS is not reached here.
    pub redirect: Option<String>,
}

/// Frames as evidence is shown: ascending, each once.
pub fn frame_set(mut frames: Vec<u64>) -> Vec<u64> {
    frames.sort_unstable();
    frames.dedup();
    frames
}

impl Stage {
    pub fn ok(kind: StageKind, frames: Vec<u64>, detail: Vec<(&'static str, String)>) -> Stage {
        Stage {
            kind,
            status: StageStatus::Ok,
            frames: frame_set(frames),
            detail,
            cause: None,
            notes: vec![],
            redirect: None,
        }
    }

    pub fn failed(kind: StageKind, cause: Cause, detail: Vec<(&'static str, String)>) -> Stage {
        Stage {
            kind,
            status: StageStatus::Failed,
            frames: cause.frames.clone(),
            detail,
            cause: Some(cause),
            notes: vec![],
            redirect: None,
        }
    }

    pub fn not_seen(kind: StageKind) -> Stage {
        Stage {
            kind,
            status: StageStatus::NotSeen,
            frames: vec![],
            detail: vec![],
            cause: None,
            notes: vec![],
            redirect: None,
        }
    }
}

/// A diagnosed problem: a stable code, a sentence with the specifics, the frames that prove it
/// and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cause {
    pub code: String,
    pub summary: String,
    pub frames: Vec<u64>,
    pub remediation: String,
    /// failure (breaks a stage), warning (will break something later), info (explains).
    pub severity: Severity,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Failure,
    Warning,
    Info,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChainStatus {
    Complete,
    Broken,
    Incomplete,
}

impl ChainStatus {
    pub fn id(self) -> &'static str {
        match self {
            ChainStatus::Complete => "complete",
            ChainStatus::Broken => "broken",
            ChainStatus::Incomplete => "incomplete",
        }
    }
}

/// Where an Autodiscover candidate host came from, in the order EWS tries them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// serviceBindingInformation of an SCP entry.
    Scp,
    /// A host the client resolved right after a sealed SCP search: its URL most likely came from it.
    ScpInferred,
    /// https://<domain>/autodiscover/autodiscover.xml
    Domain,
    /// https://autodiscover.<domain>/autodiscover/autodiscover.xml
    AutodiscoverDomain,
    /// The port-80 GET http://autodiscover.<domain>/autodiscover/autodiscover.xml itself (its
    /// answer is judged by EWS's redirect rule; it never counts as HTTPS reached).
    Port80,
    /// Location of the port-80 redirect.
    Redirect,
    /// _autodiscover._tcp.<domain> SRV target.
    Srv,
    /// A host the client sent an Autodiscover request to, read from HTTPS decrypted with the
    /// TLS key log (where the URL came from is not in the capture).
    Request,
}

impl Origin {
    /// The stable identifier used in JSON.
    pub fn id(self) -> &'static str {
        match self {
            Origin::Scp => "scp",
            Origin::ScpInferred => "scp_inferred",
            Origin::Domain => "domain",
            Origin::AutodiscoverDomain => "autodiscover_domain",
            Origin::Port80 => "http_redirect",
            Origin::Redirect => "redirect",
            Origin::Srv => "srv",
            Origin::Request => "decrypted_request",
        }
    }

    /// Where the host came from, for people.
    pub fn title(self) -> &'static str {
        match self {
            Origin::Scp => "SCP URL",
            Origin::ScpInferred => "SCP URL (inferred: the search was sealed)",
            Origin::Domain => "fallback https://<domain>",
            Origin::AutodiscoverDomain => "fallback https://autodiscover.<domain>",
            Origin::Port80 => "port-80 GET http://autodiscover.<domain>",
            Origin::Redirect => "port-80 redirect",
            Origin::Srv => "_autodiscover._tcp SRV",
            Origin::Request => "Autodiscover request (decrypted with the TLS key log)",
        }
    }
}

/// One Autodiscover candidate host the client tried: the DNS, TCP, TLS and HTTPS steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub host: String,
    pub origin: Origin,
    /// The stages scp_url_dns, https_connect, tls_handshake, https for this host (for the port-80
    /// step: DNS, TCP 80, no TLS, the HTTP answer; for an SRV query without a port-443 target:
    /// only the DNS stage was seen).
    pub stages: Vec<Stage>,
}

impl Attempt {
    /// Whether an HTTPS request was answered (the port-80 step's answer is not HTTPS).
    pub fn reached_https(&self) -> bool {
        self.origin != Origin::Port80
            && self.stages.iter().any(|s| {
                s.kind == StageKind::Https && s.status == StageStatus::Ok && s.redirect.is_none()
            })
    }

    /// Whether the host's HTTPS answer sent the client on elsewhere.
    pub fn redirected(&self) -> bool {
        self.stages
            .iter()
            .any(|s| s.kind == StageKind::Https && s.redirect.is_some())
    }

    pub fn first_failure(&self) -> Option<&Stage> {
        self.stages.iter().find(|s| s.status == StageStatus::Failed)
    }
}

/// A client whose directory traffic (DC locator, LDAP, Kerberos) shows no Autodiscover lookup:
/// no SCP search, no Autodiscover name, and no failure that would have blocked one. It is
/// reported for what it is and kept out of the verdict and the exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectorySession {
    pub client: IpAddr,
    pub domain: Option<String>,
    /// Binds by outcome: the binds that succeeded and those that failed.
    pub binds_ok: usize,
    pub binds_failed: usize,
    /// LDAP searches over TCP (CLDAP pings apart), with the search bases, first few.
    pub searches: usize,
    pub pings: usize,
    pub dns_queries: usize,
    pub kerberos_messages: usize,
    /// The LDAP traffic is sealed: the searches cannot be read.
    pub sealed: bool,
    /// Failures and warnings in it (a failed search, a refused TGS, ...), none of which blocks.
    pub findings: Vec<Cause>,
    /// The first and last frame of its traffic.
    pub frames: (u64, u64),
}

/// One client's Autodiscover lookup and its verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    pub client: IpAddr,
    pub domain: Option<String>,
    pub status: ChainStatus,
    pub broken_at: Option<StageKind>,
    pub cause: Option<Cause>,
    /// Every failure seen, in chain order (the cause among them), including those a fallback made good.
    pub findings: Vec<Cause>,
    pub stages: Vec<Stage>,
    pub attempts: Vec<Attempt>,
    pub scp_urls: Vec<String>,
}
