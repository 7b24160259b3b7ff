//! Which domain a client was looking up: from the options, or from the capture (DC locator SRV
//! names, the CLDAP ping's DnsDomain, the base DN of its searches).

use super::client::ClientView;
use crate::messages::LdapRequest;
use crate::proto::ldap::Filter;

/// The AD domain named by a DC locator SRV query (`_ldap._tcp[.site._sites][.dc._msdcs].<domain>`).
pub fn domain_of_locator_name(name: &str) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    let rest = lower.strip_prefix("_ldap._tcp.")?;
    let rest = match rest.find("._sites.") {
        Some(i) => &rest[i + "._sites.".len()..],
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

fn cldap_dns_domain(f: &Filter) -> Option<String> {
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
}
