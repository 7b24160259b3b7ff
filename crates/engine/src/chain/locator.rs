//! The DC locator stages (DNS SRV for a DC, CLDAP netlogon ping) and the Kerberos stage.

use super::causes::{cause, dns_failure};
use super::client::ClientView;
use super::dns_stage::{self, lookup_frames};
use super::domain::domain_of_locator_name;
use super::kerberos_causes::{cause_code, error_meaning};
use super::model::{Stage, StageKind};
use std::net::IpAddr;

use crate::messages::{DnsExchange, KerberosMessage, LdapExchange, LdapRequest, Transport};
use crate::proto::dns::DnsData;
use crate::proto::kerberos::{ErrorCode, KrbMessageKind, ntstatus_name};
use crate::proto::ldap::Filter;
use crate::proto::netlogon::{decode_netlogon, guid_text, ntver_names, sid_text};

/// SRV queries for `_ldap._tcp…<domain>`, and the A/AAAA lookups of their targets. Windows asks
/// for several (site-specific, generic, pdc, gc, DomainDnsZones…), some NXDOMAIN by design: the
/// step worked if one of them named a DC. `given` is the domain the user named (`--domain`):
/// when every locator query of the capture is for another domain, the capture is judged and the
/// contradiction said.
pub fn dc_locator_dns(view: &ClientView, given: Option<&str>) -> Stage {
    let all: Vec<&DnsExchange> = view
        .dns
        .iter()
        .copied()
        .filter(|d| d.qtype == "SRV" && domain_of_locator_name(&d.name).is_some())
        .collect();
    let for_given: Vec<&DnsExchange> = all
        .iter()
        .copied()
        .filter(|d| given.is_some_and(|g| domain_of_locator_name(&d.name).as_deref() == Some(g)))
        .collect();
    let contradicted = given.is_some() && for_given.is_empty() && !all.is_empty();
    let srv = if for_given.is_empty() { all } else { for_given };
    let mut stage = dns_stage::judge(StageKind::DcLocatorDns, &srv, |a| {
        matches!(a, DnsData::Srv { .. })
    });
    if let (true, Some(g), Some(first)) = (contradicted, given, srv.first()) {
        let summary = format!(
            "--domain {g} was given, but the client's DC locator asked for another domain ({}); \
             the capture is judged as it is.",
            first.name
        );
        let mut c = cause("dc.domain_not_in_capture", summary, lookup_frames(first));
        c.severity = super::model::Severity::Warning;
        stage.notes.push(c);
    }
    // Queries that failed while another named a DC: routine on Windows, said as information.
    if stage.status == super::model::StageStatus::Ok {
        // A truncated UDP answer is a step (the client asks again over TCP), not a failure.
        let truncated = |d: &&&DnsExchange| d.response.as_ref().is_some_and(|r| r.truncated);
        for d in srv
            .iter()
            .filter(|d| !dns_stage::answered(d, |a| matches!(a, DnsData::Srv { .. })))
            .filter(|d| !truncated(d))
        {
            let mut c = dns_failure(
                &d.name,
                &d.qtype,
                d.response.as_ref().map(|r| r.rcode),
                lookup_frames(d),
            );
            c.severity = super::model::Severity::Info;
            c.summary = format!("{} Another locator query named a DC.", c.summary);
            stage.notes.push(c);
        }
    }
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
    dc_choice(view, &srv, &targets, &mut stage);
    stage
}

/// Which DC the client went on to use, whether its SRV query named its site, and SRV targets
/// that never resolved to an address (a DC registered in DNS whose host record is missing).
fn dc_choice(view: &ClientView, srv: &[&DnsExchange], targets: &[String], stage: &mut Stage) {
    for d in srv {
        let lower = d.name.to_ascii_lowercase();
        let site = lower
            .split_once("._sites.")
            .and_then(|(head, _)| head.rsplit('.').next());
        let what = match site {
            Some(site) => format!("site-specific ({site})"),
            None => "generic (no site)".to_string(),
        };
        let line = format!("{what}: {}", d.name);
        if !stage.detail.iter().any(|(_, v)| *v == line) {
            stage.detail.push(("srv query", line));
        }
    }
    // Addresses of each target, from address lookups and the SRV answers' additional records.
    let mut addresses: Vec<(String, IpAddr)> = Vec::new();
    let mut looked_up: Vec<&str> = Vec::new();
    for d in &view.dns {
        let name = d.name.to_ascii_lowercase();
        let records = d
            .response
            .iter()
            .flat_map(|r| r.answers.iter().chain(&r.additionals));
        for r in records {
            if let DnsData::Address(ip) = r.data {
                addresses.push((r.name.to_ascii_lowercase(), ip));
            }
        }
        if targets.contains(&name) && matches!(d.qtype.as_str(), "A" | "AAAA") {
            looked_up.push(&d.name);
        }
    }
    let directory: Vec<(IpAddr, u64)> = view
        .ldap
        .iter()
        .map(|l| (l.server.ip, l.frames.first().copied().unwrap_or_default()))
        .chain(
            view.tcp
                .iter()
                .filter(|c| matches!(c.server.port, 389 | 636 | 3268 | 3269))
                .map(|c| (c.server.ip, c.first_frame)),
        )
        .collect();
    let used = directory
        .iter()
        .filter_map(|(ip, frame)| {
            addresses
                .iter()
                .find(|(n, a)| a == ip && targets.contains(n))
                .map(|(n, _)| (*frame, n, ip))
        })
        .min();
    if let Some((frame, name, ip)) = used {
        stage.detail.push((
            "dc used",
            format!("{name} ({ip}), first contacted in frame {frame}"),
        ));
    }
    for t in targets {
        let resolved = addresses.iter().any(|(n, _)| n == t);
        if !resolved && looked_up.iter().any(|n| n.eq_ignore_ascii_case(t)) {
            let frames = view
                .dns
                .iter()
                .filter(|d| d.name.eq_ignore_ascii_case(t))
                .flat_map(|d| lookup_frames(d))
                .collect();
            let summary =
                format!("The SRV record names {t}, but no address record for it was found.");
            if !stage.notes.iter().any(|n| n.summary == summary) {
                stage
                    .notes
                    .push(cause("dc.srv_target_no_address", summary, frames));
            }
        }
    }
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
        return netlogon_stage(p, frames);
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

/// The ping stage from the decoded netlogon reply: its fields as detail, opcodes 24/25 as
/// failures, an empty client site as a warning and a DC in another site as information.
/// The ping's filter items as an admin reads them: DomainGuid as a GUID, DomainSid as S-1-…,
/// NtVer and AAC by their bits (the ldp filter keeps the raw `\xx` bytes).
pub fn ping_request_text(ping: &LdapExchange) -> Option<String> {
    let LdapRequest::Search(s) = &ping.request else {
        return None;
    };
    let items: Vec<&Filter> = match &s.filter {
        Filter::And(items) => items.iter().collect(),
        one => vec![one],
    };
    let le32 = |v: &[u8]| <[u8; 4]>::try_from(v).ok().map(u32::from_le_bytes);
    let parts: Vec<String> = items
        .iter()
        .filter_map(|f| match f {
            Filter::Equality { attr, value } => Some((attr.as_str(), value.as_slice())),
            _ => None,
        })
        .map(|(attr, value)| {
            let shown = match attr.to_ascii_lowercase().as_str() {
                "domainguid" => guid_text(value),
                "domainsid" => sid_text(value),
                "ntver" => le32(value).map(|v| format!("0x{v:08x} ({})", ntver_names(v).join("|"))),
                "aac" => le32(value).map(|v| format!("0x{v:08x}")),
                _ => None,
            };
            format!(
                "{attr}={}",
                shown.unwrap_or_else(|| String::from_utf8_lossy(value).into_owned())
            )
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

fn netlogon_stage(ping: &LdapExchange, frames: Vec<u64>) -> Stage {
    let kind = StageKind::DcLocatorPing;
    let mut detail = vec![("dc", ping.server.to_string())];
    if let Some(asks) = ping_request_text(ping) {
        detail.push(("ping asks", asks));
    }
    let value = ping
        .entries
        .iter()
        .flat_map(|e| &e.entry.attributes)
        .find(|(a, _)| a.eq_ignore_ascii_case("netlogon"))
        .and_then(|(_, v)| v.first());
    let reply = match value.map(|v| decode_netlogon(v)) {
        Some(Ok(r)) => r,
        Some(Err(e)) => {
            detail.push(("netlogon", format!("not decoded: {e}")));
            return Stage::ok(kind, frames, detail);
        }
        None => return Stage::ok(kind, frames, detail),
    };
    let shown = |s: &str| {
        if s.is_empty() {
            "(none)".to_string()
        } else {
            s.to_string()
        }
    };
    detail.push(("reply", format!("{} ({})", reply.opcode_name, reply.opcode)));
    detail.push(("dc host", shown(&reply.dc_host)));
    detail.push(("domain", shown(&reply.domain)));
    detail.push(("forest", shown(&reply.forest)));
    detail.push(("dc site", shown(&reply.dc_site)));
    detail.push(("client site", shown(&reply.client_site)));
    detail.push(("flags", reply.flag_names.join(" ")));
    let server = ping.server.ip;
    match reply.opcode {
        25 => {
            let who = if reply.user.is_empty() {
                "the account in the ping".to_string()
            } else {
                reply.user.clone()
            };
            let summary =
                format!("The DC {server} answered the netlogon ping with USER_UNKNOWN for {who}.");
            return Stage::failed(kind, cause("cldap.user_unknown", summary, frames), detail);
        }
        24 => {
            let summary = format!(
                "The DC {server} answered the netlogon ping with PAUSE: its Netlogon service is paused."
            );
            return Stage::failed(kind, cause("cldap.paused", summary, frames), detail);
        }
        _ => {}
    }
    let mut stage = Stage::ok(kind, frames.clone(), detail);
    if reply.client_site.is_empty() {
        let summary = format!(
            "The DC {server} does not know the client's site (empty client site): EWS will skip every SCP URL."
        );
        stage
            .notes
            .push(cause("cldap.client_site_unknown", summary, frames));
    } else if !reply.dc_site.is_empty() && !reply.dc_site.eq_ignore_ascii_case(&reply.client_site) {
        let summary = format!(
            "The DC {} is in site {}, the client in site {}.",
            shown(&reply.dc_host),
            reply.dc_site,
            reply.client_site
        );
        stage
            .notes
            .push(cause("cldap.dc_other_site", summary, frames));
    }
    stage
}

/// Kerberos on port 88: failed when the KDC refused a request with an error that is not a
/// normal protocol step (PREAUTH_REQUIRED, RESPONSE_TOO_BIG) and no ticket for that service
/// followed; ok when it issued tickets; not seen otherwise.
pub fn kerberos(view: &ClientView) -> Stage {
    let kind = StageKind::Kerberos;
    let Some(first) = view.kerberos.first() else {
        return Stage::not_seen(kind);
    };
    let kdc = first.server.to_string();
    let all_frames: Vec<u64> = view.kerberos.iter().map(|k| k.frame).collect();
    let replies: Vec<&KerberosMessage> = view
        .kerberos
        .iter()
        .copied()
        .filter(|k| {
            matches!(
                k.decoded.as_ref().map(|d| &d.kind),
                Some(KrbMessageKind::AsRep | KrbMessageKind::TgsRep)
            )
        })
        .collect();
    let same_service = |a: Option<&String>, b: Option<&String>| match (a, b) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        _ => false,
    };
    // The same principal, where both messages name it (an error may leave it out).
    let same_client = |a: Option<&String>, b: Option<&String>| match (a, b) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        _ => true,
    };
    let refusals: Vec<&KerberosMessage> = view
        .kerberos
        .iter()
        .copied()
        .filter(|k| {
            k.decoded.as_ref().is_some_and(|d| {
                d.error_code.is_some_and(|c| !c.is_normal_step())
                    && on_ldap_path(d.service.as_deref())
            })
        })
        .collect();
    // A refusal followed by a ticket for the same service and principal was got past.
    let got_past = |k: &KerberosMessage| {
        let d = k.decoded.as_ref();
        replies.iter().any(|r| {
            let rd = r.decoded.as_ref();
            r.frame > k.frame
                && same_service(
                    rd.and_then(|d| d.service.as_ref()),
                    d.and_then(|d| d.service.as_ref()),
                )
                && same_client(
                    rd.and_then(|d| d.client.as_ref()),
                    d.and_then(|d| d.client.as_ref()),
                )
        })
    };
    let refused = refusals.iter().copied().find(|k| !got_past(k));
    let others = other_service_refusals(view);
    let mut stage = kerberos_ldap_path(view, refused, &replies, &kdc, &all_frames);
    // Refusals the client got past (another principal, a retry) stay visible as warnings.
    for k in refusals.iter().filter(|k| got_past(k)) {
        let Some(d) = &k.decoded else { continue };
        let code = d.error_code.unwrap_or(ErrorCode::KdcErrNone);
        let summary = format!(
            "The KDC {} refused {} for {}: {code} ({}); a ticket for it came later.",
            k.server.ip,
            d.client.as_deref().unwrap_or("the client"),
            d.service.as_deref().unwrap_or("a ticket"),
            code.value()
        );
        let mut c = cause(&cause_code(code), summary, vec![k.frame]);
        c.severity = super::model::Severity::Warning;
        stage.notes.push(c);
    }
    stage.notes.extend(others);
    stage
}

/// Whether a ticket for `service` is on the way to the LDAP bind: the TGT (`krbtgt/`) and the
/// directory's own services (`ldap/`, `GC/`), or a message that names none.
fn on_ldap_path(service: Option<&str>) -> bool {
    let Some(s) = service else { return true };
    let class = s.split('/').next().unwrap_or("").to_ascii_lowercase();
    matches!(class.as_str(), "krbtgt" | "ldap" | "gc") || !s.contains('/')
}

/// Refusals for tickets to other services (cifs/, host/, HTTP/...): a workstation asks for many;
/// none of them stops the LDAP path, so each is a warning with its frames.
fn other_service_refusals(view: &ClientView) -> Vec<super::model::Cause> {
    let mut out: Vec<super::model::Cause> = Vec::new();
    for k in &view.kerberos {
        let Some(d) = &k.decoded else { continue };
        let (Some(code), Some(service)) = (d.error_code, d.service.as_deref()) else {
            continue;
        };
        if on_ldap_path(Some(service)) || code.is_normal_step() {
            continue;
        }
        let summary = format!(
            "The KDC {} refused a ticket for {service}: {code} ({}). Not a step of the LDAP path.",
            k.server.ip,
            code.value()
        );
        let mut c = cause(&cause_code(code), summary, vec![k.frame]);
        c.severity = super::model::Severity::Warning;
        if !out.iter().any(|o| o.summary == c.summary) {
            out.push(c);
        }
    }
    out
}

fn kerberos_ldap_path(
    view: &ClientView,
    refused: Option<&KerberosMessage>,
    replies: &[&KerberosMessage],
    kdc: &str,
    all_frames: &[u64],
) -> Stage {
    let kind = StageKind::Kerberos;
    let kdc = kdc.to_string();
    if let Some(err) = refused.and_then(|k| k.decoded.as_ref().map(|d| (k, d))) {
        let (k, d) = err;
        let code = d.error_code.unwrap_or(ErrorCode::KdcErrNone);
        let who = d
            .client
            .as_deref()
            .map(|c| format!("{c}'s request"))
            .unwrap_or_else(|| "the request".into());
        let mut summary = format!(
            "The KDC {} refused {who} for {}: {code} ({}), {}",
            k.server.ip,
            d.service.as_deref().unwrap_or("a ticket"),
            code.value(),
            error_meaning(code)
        );
        if let Some(name) = d.ext_status.and_then(ntstatus_name) {
            summary.push_str(&format!(" [Windows status {name}]"));
        }
        // The request it answered is the client's last message to the KDC before it.
        let request = view
            .kerberos
            .iter()
            .filter(|m| m.from_client && m.frame < k.frame)
            .map(|m| m.frame)
            .next_back();
        let frames = request.into_iter().chain([k.frame]).collect();
        let mut detail = vec![("kdc", kdc)];
        if let (Some(c), Some(r)) = (&d.client, &d.realm) {
            detail.push(("client", format!("{c}@{r}")));
        }
        if let Some(t) = &d.error_text {
            detail.push(("e-text", t.clone()));
        }
        return Stage::failed(kind, cause(&cause_code(code), summary, frames), detail);
    }
    if replies.is_empty() {
        return Stage::not_seen(kind);
    }
    let mut detail = vec![("kdc", kdc)];
    for r in replies {
        let service = r.decoded.as_ref().and_then(|d| d.service.clone());
        if let Some(s) = service.filter(|s| !detail.iter().any(|(_, v)| v == s)) {
            detail.push(("ticket", s));
        }
    }
    Stage::ok(kind, all_frames.to_vec(), detail)
}

/// The client's site as the first decoded netlogon reply gives it (empty when the DC does not
/// know it), with that reply's frames; no name when no reply was seen or decoded.
pub fn client_site(view: &ClientView) -> super::scp::Site {
    let none = super::scp::Site {
        name: None,
        frames: vec![],
    };
    view.ldap
        .iter()
        .filter(|l| l.transport == Transport::Udp)
        .flat_map(|l| l.entries.iter())
        .find_map(|e| {
            let value = e
                .entry
                .attributes
                .iter()
                .find(|(a, _)| a.eq_ignore_ascii_case("netlogon"))
                .and_then(|(_, v)| v.first())?;
            let reply = decode_netlogon(value).ok()?;
            Some((reply.client_site, e.frames.clone()))
        })
        .map_or(none, |(site, frames)| super::scp::Site {
            name: Some(site),
            frames,
        })
}
