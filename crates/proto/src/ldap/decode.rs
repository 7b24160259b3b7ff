//! Decoding LDAPMessages (TCP PDUs and CLDAP datagrams) into the shared [`model`](super::model)
//! with rasn-ldap, after the [`compat`](super::compat) pre-pass. Secrets are dropped here:
//! only the lengths of simple-bind passwords and SASL credentials reach the model.

use rasn::types::Enumerated;
use rasn_ldap as wire;

use super::compat::{self, MAX_FILTER_DEPTH, Patches};
use super::error::LdapError;
use super::mech::inner_mech;
use super::model::{
    BindAuth, BindRequest, BindResponse, DerefAliases, Filter, LdapMessage, LdapOp, LdapResult,
    Scope, SearchEntry, SearchRequest,
};
use super::result_code::ResultCode;
use crate::ber;

/// Decodes exactly one LDAPMessage; bytes after it are an error.
pub fn decode_message(pdu: &[u8]) -> Result<LdapMessage, LdapError> {
    let (message, consumed) = decode_front(pdu)?;
    match pdu.len().saturating_sub(consumed) {
        0 => Ok(message),
        extra => Err(LdapError::TrailingBytes(extra)),
    }
}

/// What the decoder may keep beyond the model. The default keeps no secret at all; the model
/// itself never holds one (see [`BindAuth::Simple`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DecodeOptions {
    /// Hand back the password of a simple bind (for `capdiag analyze --show-secrets`, lab use).
    pub keep_simple_password: bool,
}

/// A simple-bind password, only ever produced with [`DecodeOptions::keep_simple_password`].
/// Its `Debug` does not show it, so it cannot leak through a stray `{:?}`.
#[derive(Clone, PartialEq, Eq)]
pub struct SimplePassword(Vec<u8>);

impl SimplePassword {
    /// The password bytes, on purpose.
    pub fn reveal(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for SimplePassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SimplePassword(<{} bytes, not shown>)", self.0.len())
    }
}

/// [`decode_message`], and with [`DecodeOptions::keep_simple_password`] also the password of a
/// simple bind request (read again from the BER, so the model never carries it).
pub fn decode_message_with(
    pdu: &[u8],
    opts: DecodeOptions,
) -> Result<(LdapMessage, Option<SimplePassword>), LdapError> {
    let message = decode_message(pdu)?;
    let simple = matches!(
        &message.op,
        LdapOp::BindRequest(BindRequest {
            auth: BindAuth::Simple { .. },
            ..
        })
    );
    let password = if simple && opts.keep_simple_password {
        simple_password(pdu)
    } else {
        None
    };
    Ok((message, password))
}

/// The `[0]` simple credentials of LDAPMessage { messageID, bindRequest { version, name, auth } }.
fn simple_password(pdu: &[u8]) -> Option<SimplePassword> {
    let (msg, _) = ber::read(pdu).ok()?;
    let op = ber::children(msg.body).nth(1)?.ok()?;
    let auth = ber::children(op.body).nth(2)?.ok()?;
    (auth.tag == 0x80).then(|| SimplePassword(auth.body.to_vec()))
}

/// Decodes the LDAPMessages packed back to back in one CLDAP (UDP) payload. Returns the
/// messages decoded before the first failure, and that failure.
pub fn decode_datagram(buf: &[u8]) -> (Vec<LdapMessage>, Option<LdapError>) {
    let mut messages = Vec::new();
    let mut rest = buf;
    while !rest.is_empty() {
        match decode_front(rest) {
            Ok((message, consumed)) => {
                messages.push(message);
                rest = rest.get(consumed..).unwrap_or_default();
            }
            Err(e) => return (messages, Some(e)),
        }
    }
    (messages, None)
}

/// Decodes the LDAPMessage at the front of `buf`, returning it and the bytes it took.
fn decode_front(buf: &[u8]) -> Result<(LdapMessage, usize), LdapError> {
    let prepared = compat::prepare(buf)?;
    let (decoded, rest) = rasn::ber::decode_with_remainder::<wire::LdapMessage>(&prepared.bytes)
        .map_err(|e| LdapError::Rasn(e.to_string()))?;
    if !rest.is_empty() {
        return Err(LdapError::Malformed(
            "rasn-ldap stopped before the end of the LDAPMessage".into(),
        ));
    }
    Ok((map_message(decoded, &prepared.patches)?, prepared.consumed))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn discriminant_u32<E: Enumerated>(value: &E) -> u32 {
    u32::try_from(value.discriminant()).unwrap_or(u32::MAX)
}

fn map_message(msg: wire::LdapMessage, patches: &Patches) -> Result<LdapMessage, LdapError> {
    let controls: Vec<String> = msg
        .controls
        .unwrap_or_default()
        .iter()
        .map(|c| text(&c.control_type))
        .collect();
    let op = match msg.protocol_op {
        wire::ProtocolOp::BindRequest(req) => LdapOp::BindRequest(map_bind_request(req, patches)?),
        wire::ProtocolOp::BindResponse(resp) => LdapOp::BindResponse(BindResponse {
            result: result_of(
                &resp.result_code,
                resp.matched_dn.0,
                resp.diagnostic_message.0,
                resp.referral,
                patches,
            ),
            server_sasl_creds_len: resp.server_sasl_creds.map(|c| c.len()),
        }),
        wire::ProtocolOp::UnbindRequest(_) => LdapOp::UnbindRequest,
        wire::ProtocolOp::SearchRequest(req) => {
            LdapOp::SearchRequest(map_search_request(req, patches, controls))
        }
        wire::ProtocolOp::SearchResEntry(entry) => LdapOp::SearchResultEntry(SearchEntry {
            dn: entry.object_name.0,
            attributes: entry
                .attributes
                .into_iter()
                .map(|a| {
                    let values = a.vals.into_vec().into_iter().map(|v| v.to_vec()).collect();
                    (a.r#type.0, values)
                })
                .collect(),
        }),
        wire::ProtocolOp::SearchResRef(refs) => {
            LdapOp::SearchResultReference(refs.0.into_iter().map(|u| u.0).collect())
        }
        wire::ProtocolOp::SearchResDone(done) => {
            LdapOp::SearchResultDone(map_result(done.0, patches))
        }
        wire::ProtocolOp::AbandonRequest(id) => LdapOp::AbandonRequest(id.0),
        wire::ProtocolOp::ExtendedReq(req) => LdapOp::ExtendedRequest {
            name: text(&req.request_name),
            value_len: req.request_value.map_or(0, |v| v.len()),
        },
        wire::ProtocolOp::ExtendedResp(resp) => LdapOp::ExtendedResponse {
            result: result_of(
                &resp.result_code,
                resp.matched_dn.0,
                resp.diagnostic_message.0,
                resp.referral,
                patches,
            ),
            name: resp.response_name.map(|n| text(&n)),
        },
        wire::ProtocolOp::ModifyRequest(_) => LdapOp::Other("modifyRequest"),
        wire::ProtocolOp::ModifyResponse(_) => LdapOp::Other("modifyResponse"),
        wire::ProtocolOp::AddRequest(_) => LdapOp::Other("addRequest"),
        wire::ProtocolOp::AddResponse(_) => LdapOp::Other("addResponse"),
        wire::ProtocolOp::DelRequest(_) => LdapOp::Other("delRequest"),
        wire::ProtocolOp::DelResponse(_) => LdapOp::Other("delResponse"),
        wire::ProtocolOp::ModDnRequest(_) => LdapOp::Other("modDNRequest"),
        wire::ProtocolOp::ModDnResponse(_) => LdapOp::Other("modDNResponse"),
        wire::ProtocolOp::CompareRequest(_) => LdapOp::Other("compareRequest"),
        wire::ProtocolOp::CompareResponse(_) => LdapOp::Other("compareResponse"),
        wire::ProtocolOp::IntermediateResponse(_) => LdapOp::Other("intermediateResponse"),
        _ => LdapOp::Other("unknown"),
    };
    Ok(LdapMessage {
        message_id: msg.message_id,
        op,
    })
}

fn referral(urls: Option<Vec<wire::LdapString>>) -> Vec<String> {
    urls.unwrap_or_default().into_iter().map(|u| u.0).collect()
}

fn map_result(result: wire::LdapResult, patches: &Patches) -> LdapResult {
    result_of(
        &result.result_code,
        result.matched_dn.0,
        result.diagnostic_message.0,
        result.referral,
        patches,
    )
}

/// An LDAPResult from its parts (BindResponse and ExtendedResponse carry them inline); a result
/// code rasn-ldap does not list comes from the pre-pass's patches.
fn result_of(
    code: &wire::ResultCode,
    matched_dn: String,
    diagnostic: String,
    referral_urls: Option<wire::Referral>,
    patches: &Patches,
) -> LdapResult {
    LdapResult {
        code: ResultCode::from(
            patches
                .result_code
                .unwrap_or_else(|| discriminant_u32(code)),
        ),
        matched_dn,
        diagnostic,
        referral: referral(referral_urls),
    }
}

fn map_bind_request(req: wire::BindRequest, patches: &Patches) -> Result<BindRequest, LdapError> {
    let auth = match (&patches.bind_auth, req.authentication) {
        (Some(auth), _) => auth.clone(),
        // The password is dropped here; only its length survives.
        (None, wire::AuthenticationChoice::Simple(password)) => BindAuth::Simple {
            password_len: password.len(),
        },
        (None, wire::AuthenticationChoice::Sasl(sasl)) => {
            let mechanism = sasl.mechanism.0;
            let credentials = sasl.credentials.unwrap_or_default();
            let inner = if mechanism.eq_ignore_ascii_case("GSS-SPNEGO")
                || mechanism.eq_ignore_ascii_case("GSSAPI")
            {
                inner_mech(&credentials)
            } else {
                None
            };
            BindAuth::Sasl {
                mechanism,
                credentials_len: credentials.len(),
                inner,
            }
        }
        (None, _) => {
            return Err(LdapError::Malformed(
                "bindRequest authentication choice not understood".into(),
            ));
        }
    };
    Ok(BindRequest {
        version: req.version,
        name: req.name.0,
        auth,
    })
}

fn map_search_request(
    req: wire::SearchRequest,
    patches: &Patches,
    controls: Vec<String>,
) -> SearchRequest {
    let scope = match patches.scope {
        Some(raw) => Scope::Other(raw),
        None => match req.scope {
            wire::SearchRequestScope::BaseObject => Scope::Base,
            wire::SearchRequestScope::SingleLevel => Scope::OneLevel,
            wire::SearchRequestScope::WholeSubtree => Scope::Subtree,
            other => Scope::Other(discriminant_u32(&other)),
        },
    };
    let deref = match patches.deref {
        Some(raw) => DerefAliases::Other(raw),
        None => match req.deref_aliases {
            wire::SearchRequestDerefAliases::NeverDerefAliases => DerefAliases::Never,
            wire::SearchRequestDerefAliases::DerefInSearching => DerefAliases::InSearching,
            wire::SearchRequestDerefAliases::DerefFindingBaseObj => DerefAliases::FindingBaseObj,
            wire::SearchRequestDerefAliases::DerefAlways => DerefAliases::Always,
            other => DerefAliases::Other(discriminant_u32(&other)),
        },
    };
    SearchRequest {
        base: req.base_object.0,
        scope,
        deref,
        size_limit: req.size_limit,
        time_limit: req.time_limit,
        types_only: req.types_only,
        filter: map_filter(req.filter, 1),
        attributes: req.attributes.into_iter().map(|a| a.0).collect(),
        controls,
    }
}

/// Maps a rasn filter. Recursion is bounded: the compat pre-pass has replaced every node
/// deeper than [`MAX_FILTER_DEPTH`] by a placeholder, which becomes [`Filter::TooDeep`].
fn map_filter(filter: wire::Filter, depth: usize) -> Filter {
    if depth > MAX_FILTER_DEPTH {
        return Filter::TooDeep;
    }
    let ava = |a: wire::AttributeValueAssertion| (a.attribute_desc.0, a.assertion_value.to_vec());
    match filter {
        wire::Filter::And(set) => Filter::And(
            set.into_vec()
                .into_iter()
                .map(|f| map_filter(f, depth.saturating_add(1)))
                .collect(),
        ),
        wire::Filter::Or(set) => Filter::Or(
            set.into_vec()
                .into_iter()
                .map(|f| map_filter(f, depth.saturating_add(1)))
                .collect(),
        ),
        wire::Filter::Not(inner) => {
            Filter::Not(Box::new(map_filter(*inner, depth.saturating_add(1))))
        }
        wire::Filter::EqualityMatch(a) => {
            let (attr, value) = ava(a);
            Filter::Equality { attr, value }
        }
        wire::Filter::GreaterOrEqual(a) => {
            let (attr, value) = ava(a);
            Filter::GreaterOrEqual { attr, value }
        }
        wire::Filter::LessOrEqual(a) => {
            let (attr, value) = ava(a);
            Filter::LessOrEqual { attr, value }
        }
        wire::Filter::ApproxMatch(a) => {
            let (attr, value) = ava(a);
            Filter::Approx { attr, value }
        }
        wire::Filter::Present(attr) => Filter::Present { attr: attr.0 },
        wire::Filter::Substrings(s) => map_substrings(s),
        wire::Filter::ExtensibleMatch(m) => Filter::Extensible {
            rule: m.matching_rule.map(|r| r.0),
            attr: m.r#type.map(|t| t.0),
            value: m.match_value.to_vec(),
            dn_attributes: m.dn_attributes,
        },
        // rasn-ldap's Filter is #[non_exhaustive] but lists every RFC 4511 choice; a future
        // variant is something this decoder did not read, which is what TooDeep renders.
        _ => Filter::TooDeep,
    }
}

/// `initial` only counts as the first element and `final` only as the last (RFC 4511 §4.5.1);
/// a misplaced one is kept as an `any` so that no asserted bytes are lost.
fn map_substrings(s: wire::SubstringFilter) -> Filter {
    let count = s.substrings.len();
    let mut initial = None;
    let mut any = Vec::new();
    let mut final_ = None;
    for (i, part) in s.substrings.into_iter().enumerate() {
        match part {
            wire::SubstringChoice::Initial(v) if i == 0 => initial = Some(v.to_vec()),
            wire::SubstringChoice::Final(v) if i.checked_add(1) == Some(count) => {
                final_ = Some(v.to_vec())
            }
            wire::SubstringChoice::Initial(v)
            | wire::SubstringChoice::Any(v)
            | wire::SubstringChoice::Final(v) => any.push(v.to_vec()),
            _ => {}
        }
    }
    Filter::Substrings {
        attr: s.r#type.0,
        initial,
        any,
        final_,
    }
}
