//! Which domain a client was looking up: from the options, or from the capture (DC locator SRV
//! names, the CLDAP ping's DnsDomain, the base DN of its searches, an Autodiscover name, the address of an Autodiscover request,
//! the Kerberos realm).

use super::client::ClientView;
use crate::messages::LdapRequest;
use crate::proto::http::Content;
pub use crate::proto::names::{cldap_dns_domain, domain_of_dn, domain_of_locator_name};

/// The domain of the lookup: the option if given, else the first the capture names.
pub fn infer(view: &ClientView, given: Option<&str>) -> Option<String> {
    let locator: Vec<(String, bool)> = view
        .dns
        .iter()
        .filter_map(|d| {
            let answered = d.response.as_ref().is_some_and(|r| !r.answers.is_empty());
            domain_of_locator_name(&d.name).map(|n| (n, answered))
        })
        .collect();
    if let Some(d) = given {
        let d = d.trim_end_matches('.').to_ascii_lowercase();
        // The option stands unless every locator query of the capture names another domain.
        if locator.is_empty() || locator.iter().any(|(n, _)| *n == d) {
            return Some(d);
        }
    }
    // A domain whose locator query named a DC beats a stale suffix tried first.
    let from_srv = locator
        .iter()
        .find(|(_, answered)| *answered)
        .or(locator.first())
        .map(|(n, _)| n.clone());
    from_srv
        .or_else(|| {
            view.ldap.iter().find_map(|l| match &l.request {
                LdapRequest::Search(s) => {
                    cldap_dns_domain(&s.filter).or_else(|| domain_of_dn(&s.base))
                }
                _ => None,
            })
        })
        .or_else(|| {
            view.dns.iter().find_map(|d| {
                let n = d.name.to_ascii_lowercase();
                n.strip_prefix("autodiscover.")
                    .or_else(|| n.strip_prefix("_autodiscover._tcp."))
                    .map(str::to_string)
            })
        })
        .or_else(|| {
            // The mailbox's domain as an Autodiscover request names it (POX EMailAddress, the
            // v2 path), then the autodiscover.<domain> it was sent to.
            view.http.iter().find_map(|h| {
                let email = match &h.request.content {
                    Content::PoxRequest(p) => p.email.clone(),
                    _ => h.request.v2.as_ref().map(|v| v.email.clone()),
                }?;
                email.rsplit_once('@').map(|(_, d)| d.to_ascii_lowercase())
            })
        })
        .or_else(|| {
            view.http.iter().find_map(|h| {
                let host = h.host.as_deref()?.split(':').next()?.to_ascii_lowercase();
                host.strip_prefix("autodiscover.").map(str::to_string)
            })
        })
        .or_else(|| {
            // An AD realm is its DNS domain in capitals.
            view.kerberos.iter().find_map(|k| {
                let realm = k.decoded.as_ref()?.realm.as_deref()?;
                realm
                    .contains('.')
                    .then(|| realm.trim_end_matches('.').to_ascii_lowercase())
            })
        })
        .filter(|d| !d.is_empty())
}
