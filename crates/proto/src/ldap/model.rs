//! The typed LDAP message model that the decoder produces and the chain and renderers read.
//! Values stay bytes where LDAP says OCTET STRING; DNs and attribute names are text.

use super::result_code::ResultCode;

/// What stands for a simple-bind password in every output (`--show-secrets` aside).
pub const REDACTED_PASSWORD: &str = "<redacted>";

/// One LDAPMessage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LdapMessage {
    pub message_id: u32,
    pub op: LdapOp,
}

/// The protocolOp of an LDAPMessage (the parts capdiag reads; the rest by name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LdapOp {
    BindRequest(BindRequest),
    BindResponse(BindResponse),
    UnbindRequest,
    SearchRequest(SearchRequest),
    SearchResultEntry(SearchEntry),
    /// Continuation references (LDAP URLs).
    SearchResultReference(Vec<String>),
    SearchResultDone(LdapResult),
    ExtendedRequest {
        name: String,
        value_len: usize,
    },
    ExtendedResponse {
        result: LdapResult,
        name: Option<String>,
    },
    AbandonRequest(u32),
    /// Any other operation (modify, add, delete, compare, ...), by its ASN.1 name.
    Other(&'static str),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindRequest {
    pub version: u8,
    pub name: String,
    pub auth: BindAuth,
}

/// How a bind authenticates. Secrets are never kept: only their length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BindAuth {
    /// Simple bind; the password itself is dropped, only its length kept (0 = anonymous).
    Simple {
        password_len: usize,
    },
    /// SASL, with the mechanism name (GSS-SPNEGO, GSSAPI, EXTERNAL, DIGEST-MD5...) and, for SPNEGO
    /// / GSSAPI, the inner mechanism recognised from the token (see [`InnerMech`]).
    Sasl {
        mechanism: String,
        credentials_len: usize,
        inner: Option<InnerMech>,
    },
    /// Microsoft "Sicily" NTLM binds: [9] package discovery, [10] negotiate, [11] response.
    SicilyPackageDiscovery,
    SicilyNegotiate,
    SicilyResponse,
    /// An authentication choice with another tag.
    Other {
        tag: u32,
    },
}

/// The security mechanism found inside a SASL GSS-SPNEGO / GSSAPI token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InnerMech {
    Kerberos,
    Ntlm,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindResponse {
    pub result: LdapResult,
    pub server_sasl_creds_len: Option<usize>,
}

/// LDAPResult: code, matched DN and the diagnostic message (AD puts its error text there).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LdapResult {
    pub code: ResultCode,
    pub matched_dn: String,
    pub diagnostic: String,
    pub referral: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Base,
    OneLevel,
    Subtree,
    /// A value outside 0..=2 (kept so the request can still be shown).
    Other(u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DerefAliases {
    Never,
    InSearching,
    FindingBaseObj,
    Always,
    Other(u32),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchRequest {
    pub base: String,
    pub scope: Scope,
    pub deref: DerefAliases,
    pub size_limit: u32,
    pub time_limit: u32,
    pub types_only: bool,
    pub filter: Filter,
    pub attributes: Vec<String>,
    /// Control OIDs attached to the message (e.g. paged results 1.2.840.113556.1.4.319).
    pub controls: Vec<String>,
}

/// An RFC 4511 filter. `Display` renders it as an RFC 4515 string (see `filter.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    And(Vec<Filter>),
    Or(Vec<Filter>),
    Not(Box<Filter>),
    Equality {
        attr: String,
        value: Vec<u8>,
    },
    Substrings {
        attr: String,
        initial: Option<Vec<u8>>,
        any: Vec<Vec<u8>>,
        final_: Option<Vec<u8>>,
    },
    GreaterOrEqual {
        attr: String,
        value: Vec<u8>,
    },
    LessOrEqual {
        attr: String,
        value: Vec<u8>,
    },
    Present {
        attr: String,
    },
    Approx {
        attr: String,
        value: Vec<u8>,
    },
    Extensible {
        rule: Option<String>,
        attr: Option<String>,
        value: Vec<u8>,
        dn_attributes: bool,
    },
    /// Nesting deeper than the decoder's limit: the subtree was not decoded.
    TooDeep,
}

impl Filter {
    /// Whether a subtree was cut off at the decoder's depth limit ([`Filter::TooDeep`]).
    /// Recursion is bounded by that same limit.
    pub fn is_cut_off(&self) -> bool {
        match self {
            Filter::TooDeep => true,
            Filter::And(v) | Filter::Or(v) => v.iter().any(Filter::is_cut_off),
            Filter::Not(f) => f.is_cut_off(),
            _ => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchEntry {
    pub dn: String,
    /// Attributes in the order the server sent them, each with its values.
    pub attributes: Vec<(String, Vec<Vec<u8>>)>,
}
