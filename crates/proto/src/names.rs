//! Naming conventions the decoders share: the AD domain in a DC locator SRV name, in a DN and
//! in a CLDAP ping filter, and the host of a URL.

use super::ldap::Filter;

/// The AD domain named by a DC locator SRV query (`_ldap._tcp[.site._sites][.dc._msdcs].<domain>`).
pub fn domain_of_locator_name(name: &str) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    let rest = lower.strip_prefix("_ldap._tcp.")?;
    let rest = match rest.split_once("._sites.") {
        Some((_, after)) => after,
        None => rest,
    };
    let rest = ["dc._msdcs.", "pdc._msdcs.", "gc._msdcs."]
        .iter()
        .find_map(|p| rest.strip_prefix(p))
        .unwrap_or(rest);
    (!rest.is_empty() && !rest.contains("._msdcs")).then(|| rest.to_string())
}

/// `DC=contoso,DC=test` parts of a DN as a DNS domain.
pub fn domain_of_dn(dn: &str) -> Option<String> {
    let parts: Vec<&str> = dn
        .split(',')
        .filter_map(|rdn| {
            let (k, v) = rdn.trim().split_once('=')?;
            k.trim().eq_ignore_ascii_case("dc").then_some(v.trim())
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join(".").to_ascii_lowercase())
}

/// The DnsDomain a CLDAP ping filter asks for.
pub fn cldap_dns_domain(f: &Filter) -> Option<String> {
    match f {
        Filter::And(items) => items.iter().find_map(cldap_dns_domain),
        Filter::Equality { attr, value } if attr.eq_ignore_ascii_case("DnsDomain") => Some(
            String::from_utf8_lossy(value)
                .trim_end_matches('.')
                .to_ascii_lowercase(),
        ),
        _ => None,
    }
}

/// The host (lower case) and port of a URL (`https://host[:port]/...`, `[v6]` hosts too).
pub fn url_host(url: &str) -> Option<(String, u16)> {
    let (scheme, rest) = url.split_once("://")?;
    let default = if scheme.eq_ignore_ascii_case("http") {
        80
    } else {
        443
    };
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit('@').next()?;
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (host, after) = v6.split_once(']')?;
        match after.strip_prefix(':') {
            Some(p) => (host, p.parse().ok()?),
            None if after.is_empty() => (host, default),
            None => return None,
        }
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, p.parse().ok()?),
            None => (authority, default),
        }
    };
    let host = host.trim_end_matches('.');
    (!host.is_empty()).then(|| (host.to_ascii_lowercase(), port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locator_names() {
        let d = |n| domain_of_locator_name(n);
        assert_eq!(
            d("_ldap._tcp.dc._msdcs.contoso.test").as_deref(),
            Some("contoso.test")
        );
        assert_eq!(
            d("_ldap._tcp.Default-First-Site-Name._sites.dc._msdcs.Contoso.Test").as_deref(),
            Some("contoso.test")
        );
        assert_eq!(
            d("_ldap._tcp.contoso.test").as_deref(),
            Some("contoso.test")
        );
        assert_eq!(
            d("_ldap._tcp.pdc._msdcs.contoso.test").as_deref(),
            Some("contoso.test")
        );
        assert_eq!(d("_kerberos._tcp.contoso.test"), None);
    }

    #[test]
    fn dn_domain() {
        assert_eq!(
            domain_of_dn("CN=Configuration,DC=contoso,DC=test").as_deref(),
            Some("contoso.test")
        );
        assert_eq!(domain_of_dn(""), None);
    }

    #[test]
    fn url_hosts() {
        assert_eq!(
            url_host("https://mail.contoso.test/Autodiscover/Autodiscover.xml"),
            Some(("mail.contoso.test".into(), 443))
        );
        assert_eq!(
            url_host("https://Mail.Contoso.Test:8443/x"),
            Some(("mail.contoso.test".into(), 8443))
        );
        assert_eq!(
            url_host("http://autodiscover.contoso.test/autodiscover/autodiscover.xml"),
            Some(("autodiscover.contoso.test".into(), 80))
        );
        assert_eq!(
            url_host("LDAP://dc1.contoso.test"),
            Some(("dc1.contoso.test".into(), 443))
        );
        assert_eq!(url_host("not a url"), None);
    }

    #[test]
    fn ipv6_url_hosts() {
        assert_eq!(
            url_host("https://[2001:db8::5]/x"),
            Some(("2001:db8::5".into(), 443))
        );
        assert_eq!(
            url_host("https://[2001:db8::5]:8443/x"),
            Some(("2001:db8::5".into(), 8443))
        );
    }
}
