//! Kerberos V5 messages (RFC 4120) on UDP/TCP 88, read far enough for diagnosis: which message
//! it is, the realm, the client and service principals, and for a KRB-ERROR its code, e-text and
//! the Windows extended NTSTATUS (MS-KILE 2.2.1/2.2.2). Also the names and admin meanings of the
//! error codes, and capdiag's cause code for each.
//!
//! The decoder is a hand BER walk rather than `rasn-kerberos`: rasn checks KerberosString
//! (GeneralString) against a Latin-1 alphabet and rejects the whole message when a name holds
//! UTF-8 bytes 0x80–0xA0 (e.g. "Ä" = C3 84), which Windows sends for non-ASCII account names.
//! Here names are read as bytes and converted lossily, and a field that does not parse is left
//! out instead of losing the message. Encrypted parts are never looked into.

use super::framing::Framing;

/// Largest Kerberos-over-TCP record accepted (RFC 4120 §7.2.2 4-byte length). Tickets with a big
/// PAC reach tens of KiB; anything near this limit is garbage, not a message to wait for.
pub const MAX_KRB_TCP_RECORD: usize = 1024 * 1024;

/// Most elements read from one SEQUENCE (fields of a message, components of a name).
const MAX_ELEMENTS: usize = 64;

/// Which Kerberos message, by its APPLICATION tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KrbMessageKind {
    AsReq,
    AsRep,
    TgsReq,
    TgsRep,
    KrbError,
    /// Any other APPLICATION tag number (14 AP-REQ, 15 AP-REP, 20 KRB-SAFE, 21 KRB-PRIV, 22 KRB-CRED, ...).
    Other(u8),
}

/// The fields of one Kerberos message that the chain uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KrbMessage {
    pub kind: KrbMessageKind,
    /// KDC-REQ: req-body realm. KDC-REP: crealm. KRB-ERROR: realm (the KDC's), else crealm.
    /// AP-REQ: the ticket's realm.
    pub realm: Option<String>,
    /// cname components joined with '/' (e.g. "crmsvc", "DESKTOP1$").
    pub client: Option<String>,
    /// sname components joined with '/' ("krbtgt/CONTOSO.TEST", "ldap/dc1.contoso.test").
    /// KDC-REP and AP-REQ: the sname of the ticket they carry.
    pub service: Option<String>,
    /// KRB-ERROR only.
    pub error_code: Option<i32>,
    /// KRB-ERROR e-text when present.
    pub error_text: Option<String>,
    /// KRB-ERROR only: the NTSTATUS a Windows KDC puts in e-data as KERB-ERROR-DATA of type
    /// KERB_ERR_TYPE_EXTENDED (3) (e.g. 0xC0000234 account locked out under code 18).
    pub ext_status: Option<u32>,
}

/// Why a Kerberos message could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("kerberos: {0}")]
pub struct KerberosError(pub String);

fn err(msg: impl Into<String>) -> KerberosError {
    KerberosError(msg.into())
}

/// Frames one Kerberos-over-TCP record: 4-byte big-endian length, then the message. The high bit
/// of the length is reserved (RFC 4120 §7.2.2) and makes the record [`Framing::Invalid`].
pub fn tcp_record_length(buf: &[u8]) -> Framing {
    let [a, b, c, d, ..] = *buf else {
        return Framing::Incomplete;
    };
    let len = u32::from_be_bytes([a, b, c, d]);
    if len & 0x8000_0000 != 0 {
        return Framing::Invalid("kerberos: TCP length with the reserved high bit set".into());
    }
    let Ok(len) = usize::try_from(len) else {
        return Framing::Invalid("kerberos: TCP length does not fit".into());
    };
    if len > MAX_KRB_TCP_RECORD {
        return Framing::Invalid(format!(
            "kerberos: TCP record of {len} bytes exceeds {MAX_KRB_TCP_RECORD}"
        ));
    }
    match len.checked_add(4) {
        Some(total) if buf.len() >= total => Framing::Complete(total),
        Some(_) => Framing::Incomplete,
        None => Framing::Invalid("kerberos: TCP length overflows".into()),
    }
}

/// Decodes one message: a UDP payload, or a TCP record without its 4-byte length.
///
/// The outer APPLICATION element and its SEQUENCE must be well formed; inside, a field that is
/// missing or malformed is `None`. Unknown APPLICATION tags give [`KrbMessageKind::Other`].
pub fn decode_kerberos(msg: &[u8]) -> Result<KrbMessage, KerberosError> {
    let (outer, _) = read(msg)?;
    if outer.class() != CLASS_APPLICATION || !outer.constructed() {
        return Err(err(format!(
            "expected an APPLICATION-tagged message, found identifier 0x{:02x}",
            outer.tag
        )));
    }
    let number = outer.number();
    let mut m = KrbMessage {
        kind: match number {
            10 => KrbMessageKind::AsReq,
            11 => KrbMessageKind::AsRep,
            12 => KrbMessageKind::TgsReq,
            13 => KrbMessageKind::TgsRep,
            30 => KrbMessageKind::KrbError,
            n => KrbMessageKind::Other(n),
        },
        realm: None,
        client: None,
        service: None,
        error_code: None,
        error_text: None,
        ext_status: None,
    };
    let seq = match read(outer.body) {
        Ok((seq, _)) if seq.tag == SEQUENCE => seq,
        Ok((other, _)) => {
            return Err(err(format!(
                "APPLICATION {number}: expected a SEQUENCE, found 0x{:02x}",
                other.tag
            )));
        }
        // Messages capdiag does not read need not be well formed inside.
        Err(_) if matches!(m.kind, KrbMessageKind::Other(_)) => return Ok(m),
        Err(e) => return Err(e),
    };
    match m.kind {
        KrbMessageKind::AsReq | KrbMessageKind::TgsReq => {
            if let Some(body) = field(seq.body, 4).and_then(|b| sequence(b.body)) {
                m.client = field(body, 1).and_then(|f| principal(f.body));
                m.realm = field(body, 2).and_then(|f| kstring(f.body));
                m.service = field(body, 3).and_then(|f| principal(f.body));
            }
        }
        KrbMessageKind::AsRep | KrbMessageKind::TgsRep => {
            m.realm = field(seq.body, 3).and_then(|f| kstring(f.body));
            m.client = field(seq.body, 4).and_then(|f| principal(f.body));
            m.service = field(seq.body, 5).and_then(|f| ticket_sname(f.body).1);
        }
        KrbMessageKind::KrbError => {
            m.error_code = field(seq.body, 6).and_then(|f| integer(f.body));
            m.realm = field(seq.body, 9)
                .or_else(|| field(seq.body, 7))
                .and_then(|f| kstring(f.body));
            m.client = field(seq.body, 8).and_then(|f| principal(f.body));
            m.service = field(seq.body, 10).and_then(|f| principal(f.body));
            m.error_text = field(seq.body, 11).and_then(|f| kstring(f.body));
            m.ext_status = field(seq.body, 12)
                .and_then(|f| octets(f.body))
                .and_then(extended_status);
        }
        KrbMessageKind::Other(14) => {
            // AP-REQ ::= [APPLICATION 14] SEQUENCE { pvno [0], msg-type [1], ap-options [2], ticket [3], ... }
            if let Some(f) = field(seq.body, 3) {
                let (realm, sname) = ticket_sname(f.body);
                m.realm = realm;
                m.service = sname;
            }
        }
        KrbMessageKind::Other(_) => {}
    }
    Ok(m)
}

/// Ticket ::= [APPLICATION 1] SEQUENCE { tkt-vno [0], realm [1], sname [2], enc-part [3] }
fn ticket_sname(wrapped: &[u8]) -> (Option<String>, Option<String>) {
    let Ok((app, _)) = read(wrapped) else {
        return (None, None);
    };
    if app.tag != 0x61 {
        return (None, None);
    }
    let Some(seq) = sequence(app.body) else {
        return (None, None);
    };
    (
        field(seq, 1).and_then(|f| kstring(f.body)),
        field(seq, 2).and_then(|f| principal(f.body)),
    )
}

/// e-data holding KERB-ERROR-DATA ::= SEQUENCE { data-type [1] INTEGER, data-value [2] OCTET STRING }
/// with data-type 3 (KERB_ERR_TYPE_EXTENDED): the value is KERB-EXT-ERROR, whose first four
/// bytes are a little-endian NTSTATUS. METHOD-DATA (a SEQUENCE OF PA-DATA, as sent with
/// PREAUTH_REQUIRED) starts with a SEQUENCE instead of [1] and yields `None`.
fn extended_status(e_data: &[u8]) -> Option<u32> {
    let seq = sequence(e_data)?;
    let (first, _) = read(seq).ok()?;
    if first.tag != context(1) {
        return None;
    }
    if integer(first.body)? != 3 {
        return None;
    }
    let value = octets(field(seq, 2)?.body)?;
    let status = value.get(..4)?;
    Some(u32::from_le_bytes([
        *status.first()?,
        *status.get(1)?,
        *status.get(2)?,
        *status.get(3)?,
    ]))
}

/// The RFC 4120 §7.5.9 name (plus RFC 1510, RFC 4556 PKINIT and RFC 6113 FAST additions) of a
/// KRB-ERROR code; "KRB_ERR_UNKNOWN" for codes outside those tables.
pub fn error_name(code: i32) -> &'static str {
    error_entry(code).map_or("KRB_ERR_UNKNOWN", |(name, _)| name)
}

/// One plain sentence saying what the error means for an administrator.
pub fn error_meaning(code: i32) -> &'static str {
    error_entry(code).map_or(
        "The KDC returned an error code that is not in RFC 4120 or its extensions.",
        |(_, meaning)| meaning,
    )
}

/// Normal protocol steps that are not failures: PREAUTH_REQUIRED (25), the KDC asking for
/// pre-authentication on the first AS-REQ, and RESPONSE_TOO_BIG (52), the KDC asking the client
/// to retry over TCP.
pub fn is_normal_step(code: i32) -> bool {
    matches!(code, 25 | 52)
}

/// capdiag's cause code for a KRB-ERROR: the fixed ones below, else
/// `kerberos.<name in lower snake case without its KDC_ERR_/KRB_AP_ERR_/KRB_ERR_/... prefix>`,
/// and `kerberos.error_<code>` for codes without a name.
pub fn cause_code(code: i32) -> String {
    let fixed = match code {
        24 => Some("kerberos.preauth_failed"),
        6 => Some("kerberos.client_unknown"),
        7 => Some("kerberos.service_unknown"),
        37 => Some("kerberos.clock_skew"),
        18 => Some("kerberos.client_revoked"),
        68 => Some("kerberos.wrong_realm"),
        _ => None,
    };
    if let Some(c) = fixed {
        return c.to_string();
    }
    let Some((name, _)) = error_entry(code) else {
        return format!("kerberos.error_{code}");
    };
    let bare = [
        "KDC_ERR_",
        "KDC_ERROR_",
        "KRB_AP_ERR_",
        "KRB_AP_",
        "KRB_ERR_",
    ]
    .iter()
    .find_map(|p| name.strip_prefix(p))
    .unwrap_or(name);
    format!("kerberos.{}", bare.to_ascii_lowercase())
}

/// The name of an NTSTATUS that Windows KDCs put in KERB-EXT-ERROR for logon failures.
pub fn ntstatus_name(status: u32) -> Option<&'static str> {
    Some(match status {
        0xC000_0064 => "STATUS_NO_SUCH_USER",
        0xC000_006A => "STATUS_WRONG_PASSWORD",
        0xC000_006D => "STATUS_LOGON_FAILURE",
        0xC000_006E => "STATUS_ACCOUNT_RESTRICTION",
        0xC000_006F => "STATUS_INVALID_LOGON_HOURS",
        0xC000_0070 => "STATUS_INVALID_WORKSTATION",
        0xC000_0071 => "STATUS_PASSWORD_EXPIRED",
        0xC000_0072 => "STATUS_ACCOUNT_DISABLED",
        0xC000_0133 => "STATUS_TIME_DIFFERENCE_AT_DC",
        0xC000_015B => "STATUS_LOGON_TYPE_NOT_GRANTED",
        0xC000_0193 => "STATUS_ACCOUNT_EXPIRED",
        0xC000_0224 => "STATUS_PASSWORD_MUST_CHANGE",
        0xC000_0234 => "STATUS_ACCOUNT_LOCKED_OUT",
        _ => return None,
    })
}

fn error_entry(code: i32) -> Option<(&'static str, &'static str)> {
    Some(match code {
        0 => ("KDC_ERR_NONE", "No error."),
        1 => (
            "KDC_ERR_NAME_EXP",
            "The client's account has expired in the KDC database.",
        ),
        2 => (
            "KDC_ERR_SERVICE_EXP",
            "The service's account has expired in the KDC database.",
        ),
        3 => (
            "KDC_ERR_BAD_PVNO",
            "The KDC does not support the Kerberos protocol version the client sent.",
        ),
        4 => (
            "KDC_ERR_C_OLD_MAST_KVNO",
            "The client's key is encrypted in an old KDC master key.",
        ),
        5 => (
            "KDC_ERR_S_OLD_MAST_KVNO",
            "The service's key is encrypted in an old KDC master key.",
        ),
        6 => (
            "KDC_ERR_C_PRINCIPAL_UNKNOWN",
            "The KDC does not know the client account: check the user name and that it exists in this domain.",
        ),
        7 => (
            "KDC_ERR_S_PRINCIPAL_UNKNOWN",
            "No account holds the requested service principal name (SPN): register the SPN on the right account or fix the host name the client used.",
        ),
        8 => (
            "KDC_ERR_PRINCIPAL_NOT_UNIQUE",
            "More than one account holds the requested principal name (duplicate SPN or UPN): remove the duplicate.",
        ),
        9 => (
            "KDC_ERR_NULL_KEY",
            "The client or service account has no usable key (no password set).",
        ),
        10 => (
            "KDC_ERR_CANNOT_POSTDATE",
            "The ticket is not eligible for postdating.",
        ),
        11 => (
            "KDC_ERR_NEVER_VALID",
            "The requested start time is later than the end time.",
        ),
        12 => (
            "KDC_ERR_POLICY",
            "KDC policy rejected the request (for example logon hours, workstation or authentication policy restrictions).",
        ),
        13 => (
            "KDC_ERR_BADOPTION",
            "The KDC cannot honour a requested ticket option (often a delegation setting on the account).",
        ),
        14 => (
            "KDC_ERR_ETYPE_NOSUPP",
            "The KDC and the account share no encryption type: check the allowed encryption types and the account's keys.",
        ),
        15 => (
            "KDC_ERR_SUMTYPE_NOSUPP",
            "The KDC does not support the checksum type requested.",
        ),
        16 => (
            "KDC_ERR_PADATA_TYPE_NOSUPP",
            "The KDC does not support the pre-authentication type sent (often smart-card logon without a KDC certificate).",
        ),
        17 => (
            "KDC_ERR_TRTYPE_NOSUPP",
            "The KDC does not support the transited-realm encoding.",
        ),
        18 => (
            "KDC_ERR_CLIENT_REVOKED",
            "The client's credentials are revoked: the account is disabled, locked out or expired.",
        ),
        19 => (
            "KDC_ERR_SERVICE_REVOKED",
            "The service account's credentials are revoked (disabled or locked).",
        ),
        20 => (
            "KDC_ERR_TGT_REVOKED",
            "The ticket-granting ticket was revoked: log off and on again.",
        ),
        21 => (
            "KDC_ERR_CLIENT_NOTYET",
            "The client account is not yet valid.",
        ),
        22 => (
            "KDC_ERR_SERVICE_NOTYET",
            "The service account is not yet valid.",
        ),
        23 => (
            "KDC_ERR_KEY_EXPIRED",
            "The user's password has expired: change it.",
        ),
        24 => (
            "KDC_ERR_PREAUTH_FAILED",
            "Pre-authentication failed: the password (key) the client used is wrong.",
        ),
        25 => (
            "KDC_ERR_PREAUTH_REQUIRED",
            "The KDC asks for pre-authentication; this is the normal first answer to an AS-REQ.",
        ),
        26 => (
            "KDC_ERR_SERVER_NOMATCH",
            "The requested service and the ticket presented do not match.",
        ),
        27 => (
            "KDC_ERR_MUST_USE_USER2USER",
            "The service principal is valid for user-to-user authentication only.",
        ),
        28 => (
            "KDC_ERR_PATH_NOT_ACCEPTED",
            "KDC policy rejects the transited realm path (cross-realm trust).",
        ),
        29 => (
            "KDC_ERR_SVC_UNAVAILABLE",
            "The KDC service is not available (busy or not ready).",
        ),
        31 => (
            "KRB_AP_ERR_BAD_INTEGRITY",
            "A decrypted field failed its integrity check: the keys on both sides differ.",
        ),
        32 => (
            "KRB_AP_ERR_TKT_EXPIRED",
            "The ticket has expired: the client must get a new one.",
        ),
        33 => (
            "KRB_AP_ERR_TKT_NYV",
            "The ticket is not yet valid (often clock differences).",
        ),
        34 => (
            "KRB_AP_ERR_REPEAT",
            "The request was seen before and is treated as a replay.",
        ),
        35 => (
            "KRB_AP_ERR_NOT_US",
            "The ticket was issued for a different service.",
        ),
        36 => (
            "KRB_AP_ERR_BADMATCH",
            "The ticket and the authenticator do not match.",
        ),
        37 => (
            "KRB_AP_ERR_SKEW",
            "The client's clock differs from the KDC's by more than the allowed skew (5 minutes by default): fix time synchronisation.",
        ),
        38 => (
            "KRB_AP_ERR_BADADDR",
            "The request came from a network address the ticket is not valid for.",
        ),
        39 => ("KRB_AP_ERR_BADVERSION", "Protocol version mismatch."),
        40 => ("KRB_AP_ERR_MSG_TYPE", "The message type is invalid here."),
        41 => (
            "KRB_AP_ERR_MODIFIED",
            "The message could not be decrypted: the service's key differs from the one the KDC used (duplicate SPN or stale password).",
        ),
        42 => ("KRB_AP_ERR_BADORDER", "A message arrived out of order."),
        43 => (
            "KRB_AP_ERR_ILL_CR_TKT",
            "The cross-realm ticket is not valid here (RFC 1510).",
        ),
        44 => (
            "KRB_AP_ERR_BADKEYVER",
            "The service does not hold the key version the ticket was encrypted with.",
        ),
        45 => ("KRB_AP_ERR_NOKEY", "The service key is not available."),
        46 => ("KRB_AP_ERR_MUT_FAIL", "Mutual authentication failed."),
        47 => ("KRB_AP_ERR_BADDIRECTION", "The message direction is wrong."),
        48 => (
            "KRB_AP_ERR_METHOD",
            "An alternative authentication method is required.",
        ),
        49 => (
            "KRB_AP_ERR_BADSEQ",
            "The message carries an unexpected sequence number.",
        ),
        50 => (
            "KRB_AP_ERR_INAPP_CKSUM",
            "The message carries an inappropriate checksum type.",
        ),
        51 => (
            "KRB_AP_PATH_NOT_ACCEPTED",
            "Policy rejects the transited realm path.",
        ),
        52 => (
            "KRB_ERR_RESPONSE_TOO_BIG",
            "The answer does not fit in UDP; the client retries over TCP, which is normal.",
        ),
        60 => (
            "KRB_ERR_GENERIC",
            "A generic KDC error; the e-text says more.",
        ),
        61 => ("KRB_ERR_FIELD_TOOLONG", "A field is too long for the KDC."),
        62 => (
            "KDC_ERROR_CLIENT_NOT_TRUSTED",
            "PKINIT: the KDC does not trust the client's certificate.",
        ),
        63 => (
            "KDC_ERROR_KDC_NOT_TRUSTED",
            "PKINIT: the client does not trust the KDC's certificate.",
        ),
        64 => ("KDC_ERROR_INVALID_SIG", "PKINIT: a signature is invalid."),
        65 => (
            "KDC_ERR_KEY_TOO_WEAK",
            "PKINIT: the key or Diffie-Hellman parameters are too weak.",
        ),
        66 => (
            "KDC_ERR_CERTIFICATE_MISMATCH",
            "PKINIT: the certificate does not match the request.",
        ),
        67 => (
            "KRB_AP_ERR_NO_TGT",
            "No ticket-granting ticket is available for user-to-user authentication.",
        ),
        68 => (
            "KDC_ERR_WRONG_REALM",
            "The request went to the KDC of the wrong realm: check the realm (domain) name and DNS.",
        ),
        69 => (
            "KRB_AP_ERR_USER_TO_USER_REQUIRED",
            "The service requires user-to-user authentication.",
        ),
        70 => (
            "KDC_ERR_CANT_VERIFY_CERTIFICATE",
            "PKINIT: the certificate cannot be verified.",
        ),
        71 => (
            "KDC_ERR_INVALID_CERTIFICATE",
            "PKINIT: the certificate is invalid.",
        ),
        72 => (
            "KDC_ERR_REVOKED_CERTIFICATE",
            "PKINIT: the certificate is revoked.",
        ),
        73 => (
            "KDC_ERR_REVOCATION_STATUS_UNKNOWN",
            "PKINIT: the certificate's revocation status is unknown.",
        ),
        74 => (
            "KDC_ERR_REVOCATION_STATUS_UNAVAILABLE",
            "PKINIT: the certificate's revocation status cannot be checked (CRL unreachable).",
        ),
        75 => (
            "KDC_ERR_CLIENT_NAME_MISMATCH",
            "PKINIT: the client name does not match the certificate.",
        ),
        76 => (
            "KDC_ERR_KDC_NAME_MISMATCH",
            "PKINIT: the KDC name does not match its certificate.",
        ),
        77 => (
            "KDC_ERR_INCONSISTENT_KEY_PURPOSE",
            "PKINIT: the certificate's key usage does not allow this use.",
        ),
        78 => (
            "KDC_ERR_DIGEST_IN_CERT_NOT_ACCEPTED",
            "PKINIT: the certificate's digest algorithm is not accepted.",
        ),
        79 => (
            "KDC_ERR_PA_CHECKSUM_MUST_BE_INCLUDED",
            "PKINIT: the request must include a checksum.",
        ),
        80 => (
            "KDC_ERR_DIGEST_IN_SIGNED_DATA_NOT_ACCEPTED",
            "PKINIT: the signed data's digest algorithm is not accepted.",
        ),
        81 => (
            "KDC_ERR_PUBLIC_KEY_ENCRYPTION_NOT_SUPPORTED",
            "PKINIT: public-key encryption is not supported.",
        ),
        90 => (
            "KDC_ERR_PREAUTH_EXPIRED",
            "FAST: the pre-authentication data has expired.",
        ),
        91 => (
            "KDC_ERR_MORE_PREAUTH_DATA_REQUIRED",
            "FAST: more pre-authentication data is required.",
        ),
        92 => (
            "KDC_ERR_PREAUTH_BAD_AUTHENTICATION_SET",
            "FAST: the pre-authentication set is not acceptable.",
        ),
        93 => (
            "KDC_ERR_UNKNOWN_CRITICAL_FAST_OPTIONS",
            "FAST: the KDC does not know a critical FAST option.",
        ),
        _ => return None,
    })
}

// ---- a small BER reader (definite lengths, low tag numbers) ----

const SEQUENCE: u8 = 0x30;
const OCTET_STRING: u8 = 0x04;
const INTEGER: u8 = 0x02;
const CLASS_APPLICATION: u8 = 0x40;

/// Identifier octet of a constructed context-specific tag `[n]` (n < 31).
const fn context(n: u8) -> u8 {
    0xa0 | n
}

#[derive(Debug, Clone, Copy)]
struct Tlv<'a> {
    tag: u8,
    body: &'a [u8],
}

impl Tlv<'_> {
    fn class(&self) -> u8 {
        self.tag & 0xc0
    }
    fn constructed(&self) -> bool {
        self.tag & 0x20 != 0
    }
    fn number(&self) -> u8 {
        self.tag & 0x1f
    }
}

/// Reads one element from the front of `buf`; returns it and the rest.
fn read(buf: &[u8]) -> Result<(Tlv<'_>, &[u8]), KerberosError> {
    let (&tag, rest) = buf.split_first().ok_or_else(|| err("truncated: no tag"))?;
    if tag & 0x1f == 0x1f {
        return Err(err(format!(
            "high tag number form (0x{tag:02x}) not used by Kerberos"
        )));
    }
    let (&first, rest) = rest
        .split_first()
        .ok_or_else(|| err("truncated: no length"))?;
    let (len, rest) = match first {
        0..=0x7f => (usize::from(first), rest),
        0x80 => return Err(err("indefinite length (not DER)")),
        0x81..=0x84 => {
            let count = usize::from(first & 0x7f);
            let octets = rest
                .get(..count)
                .ok_or_else(|| err("truncated: length octets"))?;
            let len = octets
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
            (len, rest.get(count..).unwrap_or_default())
        }
        _ => return Err(err(format!("{} length octets", first & 0x7f))),
    };
    let body = rest.get(..len).ok_or_else(|| {
        err(format!(
            "truncated: element 0x{tag:02x} announces {len} bytes, {} present",
            rest.len()
        ))
    })?;
    Ok((Tlv { tag, body }, rest.get(len..).unwrap_or_default()))
}

/// The contents of the SEQUENCE at the front of `buf`.
fn sequence(buf: &[u8]) -> Option<&[u8]> {
    match read(buf) {
        Ok((t, _)) if t.tag == SEQUENCE => Some(t.body),
        _ => None,
    }
}

/// The explicit `[n]` field among a SEQUENCE's contents; stops at the first malformed element.
fn field(seq_body: &[u8], n: u8) -> Option<Tlv<'_>> {
    let mut rest = seq_body;
    for _ in 0..MAX_ELEMENTS {
        let (t, next) = read(rest).ok()?;
        if t.tag == context(n) {
            return Some(t);
        }
        if next.is_empty() {
            return None;
        }
        rest = next;
    }
    None
}

/// A KerberosString (GeneralString, or any other primitive string type) as text.
fn kstring(buf: &[u8]) -> Option<String> {
    let (t, _) = read(buf).ok()?;
    if t.constructed() || t.class() != 0 {
        return None;
    }
    Some(String::from_utf8_lossy(t.body).into_owned())
}

/// The contents of an OCTET STRING.
fn octets(buf: &[u8]) -> Option<&[u8]> {
    match read(buf) {
        Ok((t, _)) if t.tag == OCTET_STRING => Some(t.body),
        _ => None,
    }
}

/// An INTEGER that fits in i32 (two's complement, leading sign octets allowed).
fn integer(buf: &[u8]) -> Option<i32> {
    let (t, _) = read(buf).ok()?;
    if t.tag != INTEGER || t.body.is_empty() {
        return None;
    }
    let negative = t.body.first().is_some_and(|b| b & 0x80 != 0);
    let fill = if negative { 0xff } else { 0x00 };
    let skip = t.body.len().saturating_sub(4);
    let (head, tail) = t.body.split_at(skip);
    if head.iter().any(|&b| b != fill) {
        return None;
    }
    // Padding octets must agree with the sign of what remains (00 ff ff ff ff is 2^32 - 1).
    if !head.is_empty() && tail.first().is_some_and(|b| (b & 0x80 != 0) != negative) {
        return None;
    }
    let mut bytes = [fill; 4];
    let start = 4 - tail.len();
    for (slot, &b) in bytes.iter_mut().skip(start).zip(tail) {
        *slot = b;
    }
    Some(i32::from_be_bytes(bytes))
}

/// PrincipalName ::= SEQUENCE { name-type [0] Int32, name-string [1] SEQUENCE OF KerberosString }
fn principal(buf: &[u8]) -> Option<String> {
    let seq = sequence(buf)?;
    let names = sequence(field(seq, 1)?.body)?;
    let mut parts = Vec::new();
    let mut rest = names;
    while !rest.is_empty() && parts.len() < MAX_ELEMENTS {
        let (t, next) = read(rest).ok()?;
        if t.constructed() {
            return None;
        }
        parts.push(String::from_utf8_lossy(t.body).into_owned());
        rest = next;
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// DER TLV with a short or 1/2-byte long length (test helper).
    fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        match body.len() {
            n if n < 0x80 => out.push(n as u8),
            n if n < 0x100 => out.extend([0x81, n as u8]),
            n => out.extend([0x82, (n >> 8) as u8, n as u8]),
        }
        out.extend_from_slice(body);
        out
    }

    #[test]
    fn integer_reads_signed_and_padded_values() {
        assert_eq!(integer(&[0x02, 0x01, 0x18]), Some(24));
        assert_eq!(integer(&[0x02, 0x02, 0x00, 0x80]), Some(128));
        assert_eq!(integer(&[0x02, 0x01, 0xff]), Some(-1));
        assert_eq!(
            integer(&[0x02, 0x04, 0x7c, 0x9e, 0x53, 0xbc]),
            Some(0x7c9e53bc)
        );
        assert_eq!(integer(&[0x02, 0x05, 0x00, 0xff, 0xff, 0xff, 0xff]), None);
        assert_eq!(integer(&[0x02, 0x00]), None);
        assert_eq!(integer(&[0x04, 0x01, 0x01]), None);
    }

    #[test]
    fn principal_joins_components_and_reads_utf8() {
        // { [0] 2, [1] { "ldap", "dc1.contoso.test" } }
        let names = [tlv(0x1b, b"ldap"), tlv(0x1b, b"dc1.contoso.test")].concat();
        let p = tlv(
            0x30,
            &[tlv(0xa0, &[2, 1, 2]), tlv(0xa1, &tlv(0x30, &names))].concat(),
        );
        assert_eq!(principal(&p).as_deref(), Some("ldap/dc1.contoso.test"));
        // "Jörg" in UTF-8 (c3 b6) and "Ä" (c3 84, which rasn's GeneralString refuses).
        let names = tlv(0x1b, &[b'J', 0xc3, 0xb6, b'r', b'g', 0xc3, 0x84]);
        let p = tlv(
            0x30,
            &[tlv(0xa0, &[2, 1, 1]), tlv(0xa1, &tlv(0x30, &names))].concat(),
        );
        assert_eq!(principal(&p).as_deref(), Some("JörgÄ"));
    }

    #[test]
    fn reader_rejects_truncation_and_indefinite_lengths() {
        assert!(read(&[]).is_err());
        assert!(read(&[0x30]).is_err());
        assert!(read(&[0x30, 0x05, 1, 2]).is_err());
        assert!(read(&[0x30, 0x80, 0, 0]).is_err());
        assert!(read(&[0x30, 0x82, 0x01]).is_err());
        assert!(read(&[0x30, 0x85, 0, 0, 0, 0, 1, 0]).is_err());
        assert!(read(&[0x7f, 0x01, 0x00]).is_err());
    }

    #[test]
    fn tcp_framing() {
        assert_eq!(tcp_record_length(&[0, 0, 0]), Framing::Incomplete);
        assert_eq!(tcp_record_length(&[0, 0, 0, 2, 0x7e]), Framing::Incomplete);
        assert_eq!(
            tcp_record_length(&[0, 0, 0, 2, 0x7e, 0x00, 0xff]),
            Framing::Complete(6)
        );
        assert!(matches!(
            tcp_record_length(&[0x80, 0, 0, 2, 0, 0]),
            Framing::Invalid(_)
        ));
        assert!(matches!(
            tcp_record_length(&[0x00, 0x20, 0, 0]),
            Framing::Invalid(_)
        ));
    }
}
