//! The names of the servers, as the capture's own DNS answers gave them: the first name for
//! each address, and for a web host the name its client looked up before talking to it.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;

use crate::messages::Exchanges;
use crate::proto::dns::DnsData;

/// The first name a DNS answer in the capture gave for each address.
pub fn host_names(ex: &Exchanges) -> HashMap<IpAddr, String> {
    let mut names = HashMap::new();
    for d in &ex.dns {
        for a in d
            .response
            .iter()
            .flat_map(|r| r.answers.iter().chain(&r.additionals))
        {
            if let DnsData::Address(ip) = a.data {
                names
                    .entry(ip)
                    .or_insert_with(|| a.name.to_ascii_lowercase());
            }
        }
    }
    names
}

/// The name `client` last looked up (in a query of its own, sent at or before `frame`) that
/// resolved to `ip`. `forwarded` are the DNS queries a server sent for its clients.
pub fn looked_up_name(
    ex: &Exchanges,
    forwarded: &HashSet<usize>,
    client: IpAddr,
    ip: IpAddr,
    frame: u64,
) -> Option<String> {
    ex.dns
        .iter()
        .enumerate()
        .filter(|(i, d)| d.client.ip == client && !forwarded.contains(i) && d.frame <= frame)
        .filter(|(_, d)| {
            d.response.as_ref().is_some_and(|r| {
                r.answers
                    .iter()
                    .any(|a| matches!(a.data, DnsData::Address(x) if x == ip))
            })
        })
        .map(|(_, d)| d.name.to_ascii_lowercase())
        .next_back()
}
