//! Host names for addresses, as the capture's own DNS answers gave them, so recipes can name a
//! server the way an admin would type it.

use std::collections::HashMap;
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
