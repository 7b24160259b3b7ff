//! Which DNS lookups can matter to an Autodiscover lookup, decided as they arrive so that a
//! capture full of unrelated lookups does not fill memory: SRV names, names in a domain the
//! capture (or the user) named, hosts named by SCP URLs, redirects and SRV answers, and address
//! lookups by a client that is talking LDAP (its SCP search may be sealed). Others are counted.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;

use crate::capture::Nanos;
use crate::proto::names::{domain_of_dn, domain_of_locator_name, url_host};

/// How long after its last LDAP message a client's address lookups are kept regardless of name.
pub const LDAP_CLIENT_WINDOW: Nanos = 120 * 1_000_000_000;

#[derive(Debug, Default, Clone)]
pub struct Relevance {
    domains: HashSet<String>,
    hosts: HashSet<String>,
    ldap_clients: HashMap<IpAddr, Nanos>,
}

impl Relevance {
    /// Starts with the domains the user gave (`--domain`, the mailbox's domain).
    pub fn with_domains(domains: impl IntoIterator<Item = String>) -> Self {
        let mut r = Relevance::default();
        for d in domains {
            r.add_domain(&d);
        }
        r
    }

    fn add_domain(&mut self, d: &str) {
        let d = d.trim_end_matches('.').to_ascii_lowercase();
        if !d.is_empty() && !self.domains.contains(&d) {
            self.domains.insert(d);
        }
    }

    pub fn add_host(&mut self, host: &str) {
        let h = host.trim_end_matches('.').to_ascii_lowercase();
        if !self.hosts.contains(&h) {
            self.hosts.insert(h);
        }
    }

    /// An LDAP request: its client is active, and a base DN names a domain.
    pub fn ldap_request(
        &mut self,
        client: IpAddr,
        ts: Nanos,
        base: Option<&str>,
        cldap_domain: Option<String>,
    ) {
        self.ldap_clients.insert(client, ts);
        if let Some(d) = base.and_then(domain_of_dn) {
            self.add_domain(&d);
        }
        if let Some(d) = cldap_domain {
            self.add_domain(&d);
        }
    }

    /// Forgets the LDAP clients last active more than [`LDAP_CLIENT_WINDOW`] before `now`: their
    /// entries decide nothing any more (a streamed run calls this as clients leave, so the map
    /// follows the clients active, not all clients ever seen).
    pub fn forget_expired(&mut self, now: Nanos) {
        self.ldap_clients
            .retain(|_, t| now.saturating_sub(*t) <= LDAP_CLIENT_WINDOW);
    }

    /// A URL seen in an SCP entry or a redirect: its host matters.
    pub fn url(&mut self, url: &str) {
        if let Some((host, _)) = url_host(url) {
            self.add_host(&host);
        }
    }

    fn in_domain(&self, name: &str) -> bool {
        let mut rest = name;
        loop {
            if self.domains.contains(rest) {
                return true;
            }
            match rest.split_once('.') {
                Some((_, parent)) => rest = parent,
                None => return false,
            }
        }
    }

    /// Whether a lookup of `name` by `client` at `ts` is kept (and learnt from).
    pub fn dns(&mut self, client: IpAddr, ts: Nanos, name: &str, qtype: &str) -> bool {
        let lower = name.trim_end_matches('.').to_ascii_lowercase();
        if let Some(d) = domain_of_locator_name(&lower) {
            self.add_domain(&d);
            return true;
        }
        if lower.starts_with('_')
            || lower.contains("autodiscover")
            || self.hosts.contains(&lower)
            || self.in_domain(&lower)
        {
            return true;
        }
        let addressing = matches!(qtype, "A" | "AAAA");
        addressing
            && self
                .ldap_clients
                .get(&client)
                .is_some_and(|t| ts.saturating_sub(*t) <= LDAP_CLIENT_WINDOW)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ldap_client_is_forgotten_only_once_its_window_has_passed() {
        const S: Nanos = 1_000_000_000;
        let mut r = Relevance::default();
        let client = ip("10.0.0.2");
        r.ldap_request(client, 0, None, None);
        r.forget_expired(100 * S);
        assert!(
            r.dns(client, 100 * S, "mail.example.org", "A"),
            "still in its window"
        );
        r.forget_expired(LDAP_CLIENT_WINDOW + S);
        assert!(r.ldap_clients.is_empty());
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn learns_domains_hosts_and_ldap_clients() {
        let mut r = Relevance::default();
        let c = ip("10.0.0.5");
        assert!(!r.dns(c, 0, "host-1.example.net", "A"));
        assert!(r.dns(c, 0, "_ldap._tcp.dc._msdcs.contoso.com", "SRV"));
        assert!(r.dns(c, 0, "autodiscover.contoso.com", "A"));
        assert!(r.dns(c, 0, "contoso.com", "A"));
        assert!(!r.dns(c, 0, "mail.fabrikam.net", "A"));
        r.url("https://mail.fabrikam.net/Autodiscover/Autodiscover.xml");
        assert!(r.dns(c, 0, "MAIL.fabrikam.net.", "A"));
        assert!(!r.dns(c, 0, "cdn.other.org", "A"));
        r.ldap_request(c, 1_000, Some("CN=Configuration,DC=corp,DC=example"), None);
        assert!(
            r.dns(c, 2_000, "cdn.other.org", "A"),
            "address lookups of an LDAP client are kept"
        );
        assert!(!r.dns(c, 2_000, "cdn.other.org", "TXT"));
        assert!(!r.dns(c, 1_000 + LDAP_CLIENT_WINDOW + 1, "cdn.other.org", "A"));
        assert!(!r.dns(ip("10.0.0.6"), 2_000, "cdn.other.org", "A"));
        assert!(r.dns(ip("10.0.0.6"), 2_000, "dc7.corp.example", "A"));
    }

    #[test]
    fn given_domains_count_from_the_start() {
        let mut r = Relevance::with_domains(["Contoso.COM.".to_string()]);
        assert!(r.dns(ip("10.0.0.1"), 0, "contoso.com", "A"));
        assert!(!r.dns(ip("10.0.0.1"), 0, "notcontoso.com", "A"));
    }
}
