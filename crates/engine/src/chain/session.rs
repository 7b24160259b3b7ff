//! A directory session: a client whose DC locator, LDAP or Kerberos traffic shows no
//! Autodiscover lookup (see [`super::intent`]). It is summed up for what it is — its binds,
//! searches and failures as findings — and kept out of the Autodiscover verdict.

use super::causes::{cause, ldap_result_text};
use super::client::ClientView;
use super::directory::{exchange_frames, sealed_layer};
use super::model::{Chain, DirectorySession, Severity};
use crate::messages::{LdapRequest, Transport};
use crate::proto::ldap::ResultCode;

/// The session of a client that is not an Autodiscover chain; None when it has no directory
/// traffic at all.
pub fn directory_session(view: &ClientView, chain: &Chain) -> Option<DirectorySession> {
    let binds: Vec<_> = view
        .ldap
        .iter()
        .filter(|l| matches!(l.request, LdapRequest::Bind(_)))
        .collect();
    let answered = |code: fn(ResultCode) -> bool| {
        binds
            .iter()
            .filter(|l| l.result.as_ref().is_some_and(|r| code(r.result.code)))
            .count()
    };
    let searches: Vec<_> = view
        .ldap
        .iter()
        .filter(|l| matches!(l.request, LdapRequest::Search(_)))
        .collect();
    let pings = searches
        .iter()
        .filter(|l| l.transport == Transport::Udp)
        .count();
    let mut findings = chain.findings.clone();
    for l in searches.iter().filter(|l| l.transport == Transport::Tcp) {
        let (Some(r), LdapRequest::Search(s)) = (&l.result, &l.request) else {
            continue;
        };
        if r.result.code == ResultCode::Success {
            continue;
        }
        let summary = format!(
            "The search of {} for {} failed: {}.",
            if s.base.is_empty() {
                "the RootDSE"
            } else {
                &s.base
            },
            s.filter,
            ldap_result_text(&r.result)
        );
        let mut c = cause("ldap.search_failed", summary, exchange_frames(l));
        c.severity = Severity::Warning;
        findings.push(c);
    }
    let frames: Vec<u64> = view
        .dns
        .iter()
        .map(|d| d.frame)
        .chain(view.ldap.iter().flat_map(|l| l.frames.first().copied()))
        .chain(view.kerberos.iter().map(|k| k.frame))
        .chain(view.tcp.iter().map(|c| c.first_frame))
        .collect();
    let (first, last) = (frames.iter().min()?, frames.iter().max()?);
    let locator_dns = view
        .dns
        .iter()
        .filter(|d| d.name.to_ascii_lowercase().starts_with("_ldap._tcp."))
        .count();
    if view.ldap.is_empty() && view.kerberos.is_empty() && locator_dns == 0 {
        return None;
    }
    Some(DirectorySession {
        client: view.ip,
        domain: chain.domain.clone(),
        binds_ok: answered(|c| c == ResultCode::Success),
        binds_failed: answered(|c| {
            !matches!(c, ResultCode::Success | ResultCode::SaslBindInProgress)
        }),
        searches: searches.len() - pings,
        pings,
        dns_queries: view.dns.len(),
        kerberos_messages: view.kerberos.len(),
        sealed: sealed_layer(view).is_some(),
        findings,
        frames: (*first, *last),
    })
}
