//! The DC locator stages (DNS SRV for a DC, CLDAP netlogon ping) and the Kerberos stage.

use super::causes::cause;
use super::client::ClientView;
use super::dns_stage::{self, lookup_frames};
use super::domain::domain_of_locator_name;
use super::model::{Stage, StageKind};
use crate::messages::{LdapRequest, Transport};
use crate::proto::dns::DnsData;

/// SRV queries for `_ldap._tcp…<domain>`, and the A/AAAA lookups of their targets.
pub fn dc_locator_dns(view: &ClientView, domain: Option<&str>) -> Stage {
    let srv: Vec<_> = view
        .dns
        .iter()
        .copied()
        .filter(|d| d.qtype == "SRV")
        .filter(|d| match (domain_of_locator_name(&d.name), domain) {
            (Some(found), Some(want)) => found == want,
            (found, _) => found.is_some(),
        })
        .collect();
    let mut stage = dns_stage::judge(StageKind::DcLocatorDns, &srv, |a| {
        matches!(a, DnsData::Srv { .. })
    });
    // The targets' address lookups belong to the same step.
    let targets: Vec<String> = srv
        .iter()
        .flat_map(|d| d.response.iter().flat_map(|r| &r.answers))
        .filter_map(|a| match &a.data {
            DnsData::Srv { target, .. } => Some(target.to_ascii_lowercase()),
            _ => None,
        })
        .collect();
    for d in view
        .dns
        .iter()
        .filter(|d| targets.contains(&d.name.to_ascii_lowercase()))
    {
        stage.frames.extend(lookup_frames(d));
        if let Some(r) = &d.response {
            for a in &r.answers {
                let line = format!("{} → {}", d.name, dns_stage::answer_text(&a.data));
                if stage.detail.iter().any(|(_, v)| *v == line) {
                    continue;
                }
                stage.detail.push(("target address", line));
            }
        }
    }
    stage.frames = super::model::frame_set(stage.frames);
    stage
}

/// The CLDAP netlogon ping: a rootDSE search over UDP 389 asking for the Netlogon attribute.
pub fn dc_locator_ping(view: &ClientView) -> Stage {
    let pings: Vec<_> = view
        .ldap
        .iter()
        .filter(|l| l.transport == Transport::Udp)
        .filter(|l| matches!(&l.request, LdapRequest::Search(s) if s.base.is_empty()))
        .collect();
    let Some(last) = pings.last() else {
        return Stage::not_seen(StageKind::DcLocatorPing);
    };
    let answered = pings.iter().find(|p| {
        p.entries.iter().any(|e| {
            e.entry
                .attributes
                .iter()
                .any(|(a, v)| a.eq_ignore_ascii_case("netlogon") && !v.is_empty())
        })
    });
    if let Some(p) = answered {
        let mut frames = p.frames.clone();
        frames.extend(p.entries.iter().flat_map(|e| e.frames.iter().copied()));
        let detail = vec![("dc", p.server.to_string())];
        return Stage::ok(StageKind::DcLocatorPing, frames, detail);
    }
    let mut frames: Vec<u64> = pings
        .iter()
        .flat_map(|p| p.frames.iter().copied())
        .collect();
    let detail = vec![("dc", last.server.to_string())];
    if let Some(empty) = pings.iter().find(|p| !p.entries.is_empty()) {
        frames.extend(empty.entries.iter().flat_map(|e| e.frames.iter().copied()));
        let summary = format!(
            "The DC {} answered the netlogon ping with an empty entry: it does not serve the domain asked for.",
            empty.server.ip
        );
        return Stage::failed(
            StageKind::DcLocatorPing,
            cause("cldap.domain_not_served", summary, frames),
            detail,
        );
    }
    let summary = format!(
        "{} netlogon ping(s) to {} got no answer.",
        pings.len(),
        last.server
    );
    Stage::failed(
        StageKind::DcLocatorPing,
        cause("cldap.no_response", summary, frames),
        detail,
    )
}

/// Kerberos on port 88: ok when the KDC issued a ticket; failed when it only sent errors.
pub fn kerberos(view: &ClientView) -> Stage {
    if view.kerberos.is_empty() {
        return Stage::not_seen(StageKind::Kerberos);
    }
    let replies: Vec<u64> = view
        .kerberos
        .iter()
        .filter(|k| matches!(k.msg_type, 11 | 13))
        .map(|k| k.frame)
        .collect();
    let errors: Vec<u64> = view
        .kerberos
        .iter()
        .filter(|k| k.msg_type == 30)
        .map(|k| k.frame)
        .collect();
    let kdc = view
        .kerberos
        .first()
        .map(|k| k.server.to_string())
        .unwrap_or_default();
    if !replies.is_empty() {
        let detail = vec![("kdc", kdc), ("tickets issued", replies.len().to_string())];
        return Stage::ok(
            StageKind::Kerberos,
            view.kerberos.iter().map(|k| k.frame).collect(),
            detail,
        );
    }
    if errors.is_empty() {
        return Stage::not_seen(StageKind::Kerberos);
    }
    let summary = format!(
        "The KDC {kdc} answered {} request(s) with KRB-ERROR only and issued no ticket.",
        errors.len()
    );
    Stage::failed(
        StageKind::Kerberos,
        cause("kerberos.error", summary, errors),
        vec![("kdc", kdc)],
    )
}
