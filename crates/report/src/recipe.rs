//! Reproduction recipes for a captured LDAP search: the ldp.exe dialog values, an OpenLDAP
//! `ldapsearch` command line and an ADSI `[adsisearcher]` PowerShell snippet. Built from the
//! model only; a simple-bind password never appears (the model does not hold it).

use crate::proto::ldap::{BindAuth, BindRequest, Filter, InnerMech, Scope, SearchRequest};

/// The values to type into ldp.exe (Connection > Connect, Bind, Browse > Search).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LdpRecipe {
    pub server: String,
    pub port: u16,
    /// Tick "Connectionless" (CLDAP over UDP).
    pub connectionless: bool,
    /// How to bind, in words ("anonymous", "Simple bind as CN=...; password not shown", ...).
    pub bind: String,
    pub base_dn: String,
    /// RFC 4515 filter text.
    pub filter: String,
    /// "Base" | "One Level" | "Subtree" (ldp's names).
    pub scope: &'static str,
    /// Attribute names separated by `;` (empty: all attributes).
    pub attributes: String,
    pub size_limit: u32,
    pub time_limit: u32,
}

/// The ldp.exe values reproducing `search` (after `bind`, if any) against `server:port`.
pub fn ldp_recipe(
    server: &str,
    port: u16,
    connectionless: bool,
    bind: Option<&BindRequest>,
    search: &SearchRequest,
) -> LdpRecipe {
    LdpRecipe {
        server: server.to_string(),
        port,
        connectionless,
        bind: bind_words(bind),
        base_dn: search.base.clone(),
        filter: search.filter.to_string(),
        scope: match search.scope {
            Scope::Base => "Base",
            Scope::OneLevel => "One Level",
            // Not a valid LDAP scope; Subtree is the widest that ldp offers.
            Scope::Subtree | Scope::Other(_) => "Subtree",
        },
        attributes: search.attributes.join(";"),
        size_limit: search.size_limit,
        time_limit: search.time_limit,
    }
}

fn bind_words(bind: Option<&BindRequest>) -> String {
    let Some(bind) = bind else {
        return "anonymous".into();
    };
    match &bind.auth {
        BindAuth::Simple { password_len: 0 } if bind.name.is_empty() => "anonymous".into(),
        BindAuth::Simple { password_len: 0 } => format!(
            "Simple bind as {} with an empty password (unauthenticated: treated as anonymous)",
            bind.name
        ),
        BindAuth::Simple { .. } => format!("Simple bind as {}; password not shown", bind.name),
        BindAuth::Sasl {
            mechanism, inner, ..
        } => {
            let inner = match inner {
                Some(InnerMech::Kerberos) => ", Kerberos",
                Some(InnerMech::Ntlm) => ", NTLM",
                None => "",
            };
            if mechanism.eq_ignore_ascii_case("GSS-SPNEGO") {
                format!("Negotiate (GSS-SPNEGO{inner}) as current user")
            } else if mechanism.eq_ignore_ascii_case("GSSAPI") {
                format!("Kerberos (GSSAPI{inner}) as current user")
            } else {
                format!("SASL {mechanism}")
            }
        }
        BindAuth::SicilyPackageDiscovery | BindAuth::SicilyNegotiate | BindAuth::SicilyResponse => {
            "NTLM (Sicily) as current user".into()
        }
        BindAuth::Other { tag } => format!("authentication choice [{tag}] (no ldp equivalent)"),
    }
}

/// True for an LDAP ping (DC locator): a base-scope rootDSE search for `Netlogon`.
fn is_ldap_ping(search: &SearchRequest) -> bool {
    search.base.is_empty()
        && search.scope == Scope::Base
        && search
            .attributes
            .iter()
            .any(|a| a.eq_ignore_ascii_case("netlogon"))
}

/// Quotes one argument for a POSIX shell: bare when it only holds safe characters, otherwise
/// in single quotes with each `'` written as `'\''`.
fn sh_quote(arg: &str) -> String {
    let safe = !arg.is_empty()
        && arg
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-./:@%+".contains(&b));
    if safe {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', "'\\''"))
    }
}

fn url_host(server: &str) -> String {
    if server.contains(':') && !server.starts_with('[') {
        format!("[{server}]")
    } else {
        server.to_string()
    }
}

/// An OpenLDAP `ldapsearch` command reproducing `search` (after `bind`, if any).
///
/// Simple binds become `-x -D <dn> -W` (prompting for the password), anonymous `-x`, SASL
/// GSS-SPNEGO/GSSAPI `-Y GSSAPI`; ports 636/3269 use `ldaps://`. Non-zero limits add
/// `-z`/`-l`. An LDAP ping gets a leading `#` line: CLDAP (UDP) has no ldapsearch equivalent,
/// and the command asks the same question over TCP instead.
pub fn ldapsearch_command(
    server: &str,
    port: u16,
    bind: Option<&BindRequest>,
    search: &SearchRequest,
) -> String {
    let mut comments = Vec::new();
    if is_ldap_ping(search) {
        comments.push(
            "# CLDAP (UDP) has no ldapsearch equivalent; this sends the same LDAP ping over TCP"
                .to_string(),
        );
    }
    let scheme = if matches!(port, 636 | 3269) {
        "ldaps"
    } else {
        "ldap"
    };
    let mut args: Vec<String> = vec![
        "ldapsearch".into(),
        "-H".into(),
        sh_quote(&format!("{scheme}://{}:{port}", url_host(server))),
    ];
    match bind.map(|b| (&b.auth, b.name.as_str())) {
        None | Some((BindAuth::Simple { password_len: 0 }, _)) => args.push("-x".into()),
        Some((BindAuth::Simple { .. }, name)) => {
            args.extend(["-x".into(), "-D".into(), sh_quote(name), "-W".into()]);
        }
        Some((BindAuth::Sasl { mechanism, .. }, _))
            if mechanism.eq_ignore_ascii_case("GSS-SPNEGO")
                || mechanism.eq_ignore_ascii_case("GSSAPI") =>
        {
            args.extend(["-Y".into(), "GSSAPI".into()]);
        }
        Some((BindAuth::Sasl { mechanism, .. }, _)) => {
            args.extend(["-Y".into(), sh_quote(mechanism)]);
        }
        Some((BindAuth::Other { tag }, _)) => {
            comments.push(format!(
                "# the capture used bind choice [{tag}], which OpenLDAP lacks; GSSAPI shown instead"
            ));
            args.extend(["-Y".into(), "GSSAPI".into()]);
        }
        Some((
            BindAuth::SicilyPackageDiscovery | BindAuth::SicilyNegotiate | BindAuth::SicilyResponse,
            _,
        )) => {
            comments.push(
                "# the capture used a Sicily NTLM bind, which OpenLDAP lacks; GSSAPI shown instead"
                    .to_string(),
            );
            args.extend(["-Y".into(), "GSSAPI".into()]);
        }
    }
    args.extend(["-b".into(), sh_quote(&search.base), "-s".into()]);
    args.push(
        match search.scope {
            Scope::Base => "base",
            Scope::OneLevel => "one",
            Scope::Subtree | Scope::Other(_) => "sub",
        }
        .into(),
    );
    if let Scope::Other(raw) = search.scope {
        comments.push(format!(
            "# the capture asked for scope {raw}, which is not valid LDAP; sub shown instead"
        ));
    }
    if search.size_limit != 0 {
        args.extend(["-z".into(), search.size_limit.to_string()]);
    }
    if search.time_limit != 0 {
        args.extend(["-l".into(), search.time_limit.to_string()]);
    }
    if search.types_only {
        args.push("-A".into());
    }
    args.push(sh_quote(&search.filter.to_string()));
    args.extend(search.attributes.iter().map(|a| sh_quote(a)));

    comments.push(args.join(" "));
    comments.join("\n")
}

/// Quotes a string for PowerShell: single quotes, each `'` doubled.
fn ps_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// A PowerShell `[adsisearcher]` snippet (ADSI: the same LDAP/389 path as EWS) reproducing
/// `search` against `server:port` as the current user.
pub fn powershell_snippet(server: &str, port: u16, search: &SearchRequest) -> String {
    let mut lines = Vec::new();
    if is_ldap_ping(search) {
        let domain = ping_domain(&search.filter).unwrap_or_else(|| "<domain>".into());
        lines.push(format!(
            "# an LDAP ping (CLDAP) is not possible with ADSI; closest: nltest /dsgetdc:{domain} /force"
        ));
    }
    let host = if port == 389 {
        server.to_string()
    } else {
        format!("{server}:{port}")
    };
    // In an ADsPath a '/' inside the DN must be escaped as '\/'.
    let path = if search.base.is_empty() {
        format!("LDAP://{host}/RootDSE")
    } else {
        format!("LDAP://{host}/{}", search.base.replace('/', "\\/"))
    };
    lines.push(format!(
        "$s = [adsisearcher]{}",
        ps_quote(&search.filter.to_string())
    ));
    lines.push(format!("$s.SearchRoot = [adsi]{}", ps_quote(&path)));
    let scope = match search.scope {
        Scope::Base => "Base",
        Scope::OneLevel => "OneLevel",
        Scope::Subtree | Scope::Other(_) => "Subtree",
    };
    lines.push(format!("$s.SearchScope = '{scope}'"));
    if search.size_limit != 0 {
        lines.push(format!("$s.SizeLimit = {}", search.size_limit));
    }
    if search.time_limit != 0 {
        lines.push(format!(
            "$s.ServerTimeLimit = [TimeSpan]::FromSeconds({})",
            search.time_limit
        ));
    }
    if !search.attributes.is_empty() {
        let adds: Vec<String> = search
            .attributes
            .iter()
            .map(|a| format!("[void]$s.PropertiesToLoad.Add({})", ps_quote(a)))
            .collect();
        lines.push(adds.join("; "));
    }
    lines.push("$s.FindAll()".into());
    lines.join("\n")
}

/// The `DnsDomain` asserted in an LDAP ping filter, if it is plain text.
fn ping_domain(filter: &Filter) -> Option<String> {
    let Filter::And(items) = filter else {
        return None;
    };
    items.iter().find_map(|item| match item {
        Filter::Equality { attr, value } if attr.eq_ignore_ascii_case("DnsDomain") => {
            std::str::from_utf8(value).ok().map(str::to_string)
        }
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::ldap::DerefAliases;

    const SCP: &str = "(&(objectClass=serviceConnectionPoint)(|(keywords=67661d7F-8FC4-4fa7-BFAC-E1D7794C1F68)(keywords=77378F46-2C66-4aa9-A6A6-3E7A48B19596)))";

    fn eq(attr: &str, value: &[u8]) -> Filter {
        Filter::Equality {
            attr: attr.into(),
            value: value.to_vec(),
        }
    }

    fn scp_search() -> SearchRequest {
        SearchRequest {
            base: "CN=Configuration,DC=contoso,DC=test".into(),
            scope: Scope::Subtree,
            deref: DerefAliases::Never,
            size_limit: 0,
            time_limit: 0,
            types_only: false,
            filter: Filter::And(vec![
                eq("objectClass", b"serviceConnectionPoint"),
                Filter::Or(vec![
                    eq("keywords", b"67661d7F-8FC4-4fa7-BFAC-E1D7794C1F68"),
                    eq("keywords", b"77378F46-2C66-4aa9-A6A6-3E7A48B19596"),
                ]),
            ]),
            attributes: vec!["keywords".into(), "serviceBindingInformation".into()],
            controls: vec![],
        }
    }

    fn ping_search() -> SearchRequest {
        SearchRequest {
            base: String::new(),
            scope: Scope::Base,
            deref: DerefAliases::Never,
            size_limit: 0,
            time_limit: 0,
            types_only: false,
            filter: Filter::And(vec![
                eq("DnsDomain", b"contoso.test"),
                eq("NtVer", &[6, 0, 0, 0]),
            ]),
            attributes: vec!["Netlogon".into()],
            controls: vec![],
        }
    }

    fn simple(name: &str, password_len: usize) -> BindRequest {
        BindRequest {
            version: 3,
            name: name.into(),
            auth: BindAuth::Simple { password_len },
        }
    }

    fn spnego(inner: Option<InnerMech>) -> BindRequest {
        BindRequest {
            version: 3,
            name: String::new(),
            auth: BindAuth::Sasl {
                mechanism: "GSS-SPNEGO".into(),
                credentials_len: 1500,
                inner,
            },
        }
    }

    #[test]
    fn ldp_for_the_scp_lookup() {
        let bind = spnego(Some(InnerMech::Kerberos));
        let r = ldp_recipe("dc1.contoso.test", 389, false, Some(&bind), &scp_search());
        assert_eq!(
            r,
            LdpRecipe {
                server: "dc1.contoso.test".into(),
                port: 389,
                connectionless: false,
                bind: "Negotiate (GSS-SPNEGO, Kerberos) as current user".into(),
                base_dn: "CN=Configuration,DC=contoso,DC=test".into(),
                filter: SCP.into(),
                scope: "Subtree",
                attributes: "keywords;serviceBindingInformation".into(),
                size_limit: 0,
                time_limit: 0,
            }
        );
    }

    #[test]
    fn ldp_bind_words() {
        let s = scp_search();
        let words = |b: Option<&BindRequest>| ldp_recipe("dc", 389, false, b, &s).bind;
        assert_eq!(words(None), "anonymous");
        assert_eq!(words(Some(&simple("", 0))), "anonymous");
        assert_eq!(
            words(Some(&simple("CN=svc,CN=Users,DC=contoso,DC=test", 9))),
            "Simple bind as CN=svc,CN=Users,DC=contoso,DC=test; password not shown"
        );
        assert_eq!(
            words(Some(&spnego(None))),
            "Negotiate (GSS-SPNEGO) as current user"
        );
        let sicily = BindRequest {
            version: 3,
            name: String::new(),
            auth: BindAuth::SicilyNegotiate,
        };
        assert_eq!(words(Some(&sicily)), "NTLM (Sicily) as current user");
    }

    #[test]
    fn ldp_scope_names_and_empty_attributes() {
        let mut s = scp_search();
        s.attributes.clear();
        for (scope, name) in [
            (Scope::Base, "Base"),
            (Scope::OneLevel, "One Level"),
            (Scope::Subtree, "Subtree"),
        ] {
            s.scope = scope;
            let r = ldp_recipe("dc", 389, false, None, &s);
            assert_eq!(r.scope, name);
            assert_eq!(r.attributes, "");
        }
    }

    #[test]
    fn ldp_connectionless_ping() {
        let r = ldp_recipe("10.0.0.5", 389, true, None, &ping_search());
        assert!(r.connectionless);
        assert_eq!(r.base_dn, "");
        assert_eq!(r.scope, "Base");
        assert_eq!(r.attributes, "Netlogon");
        assert_eq!(
            r.filter,
            "(&(DnsDomain=contoso.test)(NtVer=\\06\\00\\00\\00))"
        );
    }

    #[test]
    fn ldapsearch_simple_bind() {
        let bind = simple("CN=svc,CN=Users,DC=contoso,DC=test", 9);
        assert_eq!(
            ldapsearch_command("dc1.contoso.test", 389, Some(&bind), &scp_search()),
            format!(
                "ldapsearch -H ldap://dc1.contoso.test:389 -x -D 'CN=svc,CN=Users,DC=contoso,DC=test' -W -b 'CN=Configuration,DC=contoso,DC=test' -s sub '{SCP}' keywords serviceBindingInformation"
            )
        );
    }

    #[test]
    fn ldapsearch_gssapi_gc_port_and_limits() {
        let mut s = scp_search();
        s.size_limit = 1000;
        s.time_limit = 30;
        s.scope = Scope::OneLevel;
        let bind = spnego(Some(InnerMech::Kerberos));
        assert_eq!(
            ldapsearch_command("dc1.contoso.test", 3268, Some(&bind), &s),
            format!(
                "ldapsearch -H ldap://dc1.contoso.test:3268 -Y GSSAPI -b 'CN=Configuration,DC=contoso,DC=test' -s one -z 1000 -l 30 '{SCP}' keywords serviceBindingInformation"
            )
        );
    }

    #[test]
    fn ldapsearch_anonymous_without_attributes() {
        let mut s = scp_search();
        s.attributes.clear();
        s.scope = Scope::Base;
        s.base = String::new();
        s.filter = Filter::Present {
            attr: "objectClass".into(),
        };
        assert_eq!(
            ldapsearch_command("dc1", 389, None, &s),
            "ldapsearch -H ldap://dc1:389 -x -b '' -s base '(objectClass=*)'"
        );
    }

    #[test]
    fn ldapsearch_quotes_a_single_quote_in_the_filter() {
        let mut s = scp_search();
        s.base = "OU=O'Brien,DC=x".into();
        s.filter = eq("sn", b"O'Brien");
        s.attributes = vec!["cn".into()];
        assert_eq!(
            ldapsearch_command("dc1", 389, None, &s),
            "ldapsearch -H ldap://dc1:389 -x -b 'OU=O'\\''Brien,DC=x' -s sub '(sn=O'\\''Brien)' cn"
        );
    }

    #[test]
    fn ldapsearch_says_cldap_has_no_equivalent() {
        let out = ldapsearch_command("10.0.0.5", 389, None, &ping_search());
        let mut lines = out.lines();
        assert!(
            lines
                .next()
                .unwrap()
                .starts_with("# CLDAP (UDP) has no ldapsearch equivalent")
        );
        assert_eq!(
            lines.next().unwrap(),
            "ldapsearch -H ldap://10.0.0.5:389 -x -b '' -s base '(&(DnsDomain=contoso.test)(NtVer=\\06\\00\\00\\00))' Netlogon"
        );
        assert_eq!(lines.next(), None);
    }

    #[test]
    fn ldapsearch_ipv6_and_ldaps() {
        let mut s = scp_search();
        s.attributes.clear();
        let out = ldapsearch_command("fe80::1", 636, None, &s);
        assert!(out.starts_with("ldapsearch -H 'ldaps://[fe80::1]:636' -x "));
    }

    #[test]
    fn powershell_for_the_scp_lookup() {
        assert_eq!(
            powershell_snippet("dc1.contoso.test", 389, &scp_search()),
            format!(
                "$s = [adsisearcher]'{SCP}'\n\
                 $s.SearchRoot = [adsi]'LDAP://dc1.contoso.test/CN=Configuration,DC=contoso,DC=test'\n\
                 $s.SearchScope = 'Subtree'\n\
                 [void]$s.PropertiesToLoad.Add('keywords'); [void]$s.PropertiesToLoad.Add('serviceBindingInformation')\n\
                 $s.FindAll()"
            )
        );
    }

    #[test]
    fn powershell_quotes_and_port_and_limits() {
        let mut s = scp_search();
        s.base = "OU=O'Brien/Sales,DC=x".into();
        s.filter = eq("sn", b"O'Brien");
        s.attributes.clear();
        s.scope = Scope::OneLevel;
        s.size_limit = 5;
        s.time_limit = 10;
        assert_eq!(
            powershell_snippet("dc1", 3268, &s),
            "$s = [adsisearcher]'(sn=O''Brien)'\n\
             $s.SearchRoot = [adsi]'LDAP://dc1:3268/OU=O''Brien\\/Sales,DC=x'\n\
             $s.SearchScope = 'OneLevel'\n\
             $s.SizeLimit = 5\n\
             $s.ServerTimeLimit = [TimeSpan]::FromSeconds(10)\n\
             $s.FindAll()"
        );
    }

    #[test]
    fn powershell_points_the_ping_at_nltest() {
        let out = powershell_snippet("10.0.0.5", 389, &ping_search());
        assert_eq!(
            out.lines().next().unwrap(),
            "# an LDAP ping (CLDAP) is not possible with ADSI; closest: nltest /dsgetdc:contoso.test /force"
        );
        assert!(out.contains("[adsi]'LDAP://10.0.0.5/RootDSE'"));
    }
}
