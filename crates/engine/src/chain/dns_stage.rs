//! Judging a set of DNS lookups made for one purpose: ok when one answered with the records
//! wanted, otherwise the most telling failure among them.

use std::net::IpAddr;

use super::causes::dns_failure;
use super::client::ClientView;
use super::model::{Stage, StageKind};
use crate::messages::DnsExchange;
use crate::proto::dns::{DnsData, Rcode};

/// Renders an answer for people: `10.99.0.3`, `dc1.contoso.test:389 (prio 0, weight 100)`.
pub fn answer_text(d: &DnsData) -> String {
    match d {
        DnsData::Address(ip) => ip.to_string(),
        DnsData::Cname(n) => format!("CNAME {n}"),
        DnsData::Srv {
            priority,
            weight,
            port,
            target,
        } => {
            format!("{target}:{port} (priority {priority}, weight {weight})")
        }
        DnsData::Other(t) => t.clone(),
    }
}

/// The client's address lookups (A/AAAA) of `host`, and every address they answered.
pub fn address_lookups<'a>(
    view: &ClientView<'a>,
    host: &str,
) -> (Vec<&'a DnsExchange>, Vec<IpAddr>) {
    let lookups: Vec<&DnsExchange> = view
        .dns
        .iter()
        .copied()
        .filter(|d| d.name.eq_ignore_ascii_case(host) && matches!(d.qtype.as_str(), "A" | "AAAA"))
        .collect();
    let addresses = lookups
        .iter()
        .flat_map(|d| d.response.iter().flat_map(|r| &r.answers))
        .filter_map(|a| match a.data {
            DnsData::Address(ip) => Some(ip),
            _ => None,
        })
        .collect();
    (lookups, addresses)
}

/// Frames of a lookup: the query, its retries and the response.
pub fn lookup_frames(d: &DnsExchange) -> Vec<u64> {
    let mut f = vec![d.frame];
    f.extend(&d.retries);
    f.extend(d.response.as_ref().map(|r| r.frame));
    f
}

/// Whether the response holds a record `wanted` accepts.
pub fn answered(d: &DnsExchange, wanted: fn(&DnsData) -> bool) -> bool {
    d.response
        .as_ref()
        .is_some_and(|r| r.answers.iter().any(|a| wanted(&a.data)))
}

/// Rank of a failed lookup: the one that says most about the failure wins.
fn failure_rank(d: &DnsExchange) -> u8 {
    match d.response.as_ref().map(|r| r.rcode) {
        Some(Rcode::NxDomain) => 4,
        Some(Rcode::NoError) => 2,
        Some(_) => 3,
        None => 1,
    }
}

/// The stage for these lookups (empty → not seen).
pub fn judge(kind: StageKind, lookups: &[&DnsExchange], wanted: fn(&DnsData) -> bool) -> Stage {
    if let Some(ok) = lookups.iter().find(|d| answered(d, wanted)) {
        let answers = ok
            .response
            .iter()
            .flat_map(|r| &r.answers)
            .filter(|a| wanted(&a.data));
        let mut detail = vec![
            ("query", format!("{} {}", ok.qtype, ok.name)),
            ("dns server", ok.server.ip.to_string()),
        ];
        detail.extend(answers.map(|a| ("answer", answer_text(&a.data))));
        return Stage::ok(kind, lookup_frames(ok), detail);
    }
    let Some(worst) = lookups
        .iter()
        .max_by_key(|d| (failure_rank(d), std::cmp::Reverse(d.frame)))
    else {
        return Stage::not_seen(kind);
    };
    let rcode = worst.response.as_ref().map(|r| r.rcode);
    let frames: Vec<u64> = lookups.iter().flat_map(|d| lookup_frames(d)).collect();
    let detail = vec![
        ("query", format!("{} {}", worst.qtype, worst.name)),
        ("dns server", worst.server.ip.to_string()),
        (
            "rcode",
            rcode
                .map(|r| r.to_string())
                .unwrap_or_else(|| "no response".into()),
        ),
    ];
    let failure = if worst.response.as_ref().is_some_and(|r| r.truncated) {
        let summary = format!(
            "The answer to the {} query for {} was truncated (TC) and no retry over TCP is in \
             the capture.",
            worst.qtype, worst.name
        );
        super::causes::cause("dns.truncated", summary, frames)
    } else {
        dns_failure(&worst.name, &worst.qtype, rcode, frames)
    };
    Stage::failed(kind, failure, detail)
}
