//! Every cause code capdiag can give, each one rule in one place: its stable code, what it means
//! and the fix. Constructors build a [`Cause`] with the specifics of what was seen.

use super::model::{Cause, Severity};
use crate::proto::dns::Rcode;
use crate::proto::ldap::{
    LdapResult, logon_data_meaning, parse_ad_diagnostic, win32_status_meaning,
};
use crate::proto::tls::AlertDescription;

pub use super::catalogue::{CATALOGUE, CauseInfo};

/// The cause page (docs/causes.md): every code with its stage, meaning, evidence and fix.
/// The rule `chain::progress` applies, for people.
const WAY_FORWARD_RULE: &str = "
<a id=\"the-way-forward-rule\"></a>
## The way-forward rule

A chain breaks only where the client had no way forward. Every attempt of the client counts
(every DNS query and retry, every DC, connection, bind step, search and fallback host), and a
step that failed is where the chain broke only if the client never got past it:

| a failure at | is got past when this worked afterwards |
| --- | --- |
| dc_locator_dns | any directory step: a ping, a Kerberos ticket, an LDAP connection, bind, RootDSE read or SCP search (one SRV query that names a DC is enough: site-specific, pdc, gc, DomainDnsZones queries may be NXDOMAIN by design) |
| dc_locator_ping | an LDAP connection, bind, RootDSE read or SCP search |
| kerberos (AS exchange, tickets for `ldap/` or `GC/`) | the LDAP bind that gates the SCP search, or the SCP search (NTLM after a refused ticket); refusals of tickets for other services (`cifs/`, `host/`, `HTTP/`) are warnings, never the break |
| ldap_connect | a bind, RootDSE read or SCP search (a second DC after a refused one) |
| ldap_bind (the bind on the SCP search's connection, else the last one as someone) | the SCP search; a RootDSE read on another, anonymous connection is not |
| rootdse, scp_search and every host stage | HTTPS reached (through any candidate host or fallback) |

A failure got past is shown as a warning with its frames (stage status `recovered`); the first
stage in chain order that failed with no way forward is `broken_at`. When HTTPS was reached the
chain is complete, whatever failed on the way. `saslBindInProgress (14)` is a step of a bind,
not an answer: a client that unbinds or closes after it abandoned the bind
([`ldap.bind_abandoned`](#ldap-bind_abandoned)); a capture that ends there is incomplete.
";

pub fn catalogue_markdown() -> String {
    let mut out = String::from(
        "# Cause codes\n\nEvery cause capdiag gives, in chain order. Text and JSON output name the code; the anchor\n\
         of each section is the code with dots as dashes (e.g. `docs/causes.md#ldap-bind_failed`).\n\
         This page is generated from the catalogue in `crates/engine/src/chain/causes.rs` (a test keeps them equal).\n",
    );
    out.push_str(WAY_FORWARD_RULE);
    for c in CATALOGUE {
        let anchor = anchor_of(c.code);
        out.push_str(&format!(
            "\n## {}\n\n<a id=\"{anchor}\"></a>\n- **Stage:** {}\n- **Severity:** {}\n- **Meaning:** {}\n- **Evidence (frames):** {}\n- **Fix:** {}\n",
            c.code,
            c.stage,
            match c.severity {
                Severity::Failure => "failure (the stage fails)",
                Severity::Warning => "warning (the stage passes, a later step will suffer)",
                Severity::Info => "information",
            },
            c.meaning,
            c.evidence,
            c.remediation
        ));
    }
    out
}

fn anchor_of(catalogue_code: &str) -> String {
    catalogue_code.trim_end_matches(".*").replace('.', "-")
}

/// The anchor of a code's section in docs/causes.md (`tls.alert.unknown_ca` → `tls-alert`).
pub fn doc_anchor(code: &str) -> String {
    anchor_of(info(code).map_or(code, |c| c.code))
}

/// Looks a code up in the catalogue (`tls.alert.unknown_ca` finds `tls.alert.*`).
pub fn info(code: &str) -> Option<&'static CauseInfo> {
    CATALOGUE.iter().find(|c| match c.code.strip_suffix('*') {
        Some(prefix) => code.starts_with(prefix),
        None => c.code == code,
    })
}

/// A cause with the catalogue's remediation for its code.
pub fn cause(code: &str, summary: String, frames: Vec<u64>) -> Cause {
    let frames = super::model::frame_set(frames);
    let found = info(code);
    let remediation = found.map(|c| c.remediation).unwrap_or_default().to_string();
    let severity = found.map_or(Severity::Failure, |c| c.severity);
    Cause {
        severity,
        code: code.to_string(),
        summary,
        frames,
        remediation,
    }
}

/// A DNS lookup that did not give what was asked: by rcode, or no response.
pub fn dns_failure(name: &str, qtype: &str, rcode: Option<Rcode>, frames: Vec<u64>) -> Cause {
    match rcode {
        None => cause(
            "dns.no_response",
            format!("No response to the DNS {qtype} query for {name}."),
            frames,
        ),
        Some(Rcode::NxDomain) => cause(
            "dns.nxdomain",
            format!("DNS says {name} does not exist (NXDOMAIN, {qtype} query)."),
            frames,
        ),
        Some(Rcode::NoError) => cause(
            "dns.no_answer",
            format!("DNS has no {qtype} record for {name} (NOERROR, empty answer)."),
            frames,
        ),
        Some(r) => cause(
            "dns.servfail",
            format!("DNS failed to answer the {qtype} query for {name} ({r})."),
            frames,
        ),
    }
}

/// An LDAP result that is not success: its name and, for AD texts, the decoded diagnostic.
pub fn ldap_result_text(r: &LdapResult) -> String {
    let mut text = format!("{} ({})", r.code, r.code.value());
    if let Some(ad) = parse_ad_diagnostic(&r.diagnostic) {
        if let Some((name, meaning)) = ad.data.and_then(logon_data_meaning) {
            text.push_str(&format!(
                ": data {:x} = {name}, {meaning}",
                ad.data.unwrap_or_default()
            ));
        } else if let Some((name, meaning)) = win32_status_meaning(ad.status) {
            text.push_str(&format!(": {:08X} = {name}, {meaning}", ad.status));
        }
        if let Some(best) = ad.best_match.filter(|b| !b.is_empty()) {
            text.push_str(&format!("; best match {best}"));
        }
    }
    if !r.diagnostic.is_empty() {
        text.push_str(&format!(
            " — server text: \"{}\"",
            r.diagnostic.trim_end_matches('\0').trim()
        ));
    }
    text
}

pub fn tls_alert(
    alert: Option<AlertDescription>,
    sender: &str,
    host: &str,
    frames: Vec<u64>,
) -> Cause {
    match alert {
        Some(d) => {
            let (name, d) = (d, d.value());
            cause(
                &format!("tls.alert.{name}"),
                format!(
                    "The {sender} ended the TLS handshake with {host} with the alert {name} ({d})."
                ),
                frames,
            )
        }
        None => cause(
            "tls.alert.encrypted",
            format!("The {sender} sent an encrypted alert during the TLS handshake with {host}."),
            frames,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_codes_are_unique_and_have_fixes() {
        let mut codes: Vec<_> = CATALOGUE.iter().map(|c| c.code).collect();
        let n = codes.len();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), n);
        assert!(
            CATALOGUE
                .iter()
                .all(|c| !c.remediation.is_empty() && !c.meaning.is_empty())
        );
    }

    /// docs/causes.md is generated from the catalogue: rerun with CAPDIAG_UPDATE_DOCS=1 after a
    /// change to the catalogue, and review the diff.
    #[test]
    fn the_cause_page_is_the_catalogue() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/causes.md");
        let want = catalogue_markdown();
        if std::env::var_os("CAPDIAG_UPDATE_DOCS").is_some() {
            std::fs::write(path, &want).unwrap();
        }
        let page = std::fs::read_to_string(path).unwrap();
        assert!(
            page == want,
            "docs/causes.md is stale: rerun with CAPDIAG_UPDATE_DOCS=1"
        );
    }

    #[test]
    fn wildcard_codes_resolve() {
        assert_eq!(
            info("tls.alert.unknown_ca").map(|c| c.code),
            Some("tls.alert.*")
        );
        assert!(info("no.such").is_none());
        assert_eq!(
            dns_failure("x.test", "A", Some(Rcode::NxDomain), vec![1, 2]).code,
            "dns.nxdomain"
        );
        assert_eq!(
            dns_failure("x.test", "A", Some(Rcode::NoError), vec![]).code,
            "dns.no_answer"
        );
        assert_eq!(
            dns_failure("x.test", "A", Some(Rcode::ServFail), vec![]).code,
            "dns.servfail"
        );
        assert_eq!(
            dns_failure("x.test", "A", None, vec![]).code,
            "dns.no_response"
        );
    }

    #[test]
    fn bind_failure_text_decodes_the_ad_data_code() {
        let r = LdapResult {
            code: crate::proto::ldap::ResultCode::InvalidCredentials,
            matched_dn: String::new(),
            diagnostic: "80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data 52e, v1db1".into(),
            referral: vec![],
        };
        let t = ldap_result_text(&r);
        assert!(
            t.starts_with("invalidCredentials (49): data 52e = ERROR_LOGON_FAILURE"),
            "{t}"
        );
    }
}
