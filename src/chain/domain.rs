//! Which domain a client was looking up: from the options, or from the capture (DC locator SRV
//! names, the CLDAP ping's DnsDomain, the base DN of its searches).

use super::client::ClientView;
use crate::messages::LdapRequest;
pub use crate::proto::names::{cldap_dns_domain, domain_of_dn, domain_of_locator_name};

/// The domain of the lookup: the option if given, else the first the capture names.
pub fn infer(view: &ClientView, given: Option<&str>) -> Option<String> {
    if let Some(d) = given {
        return Some(d.trim_end_matches('.').to_ascii_lowercase());
    }
    let from_srv = view
        .dns
        .iter()
        .find_map(|d| domain_of_locator_name(&d.name));
    from_srv
        .or_else(|| {
            view.ldap.iter().find_map(|l| match &l.request {
                LdapRequest::Search(s) => {
                    cldap_dns_domain(&s.filter).or_else(|| domain_of_dn(&s.base))
                }
                _ => None,
            })
        })
        .filter(|d| !d.is_empty())
}
