//! What every renderer says when a capture holds no Autodiscover chain: either no directory
//! traffic at all, or directory sessions only (which are not a lookup, see `chain::intent`).

use crate::analysis::Analysis;

/// One sentence for the case, None when the capture has a chain.
pub fn no_lookup_text(a: &Analysis) -> Option<String> {
    if !a.chains.is_empty() {
        return None;
    }
    Some(match a.directory_sessions.len() {
        0 => "No Autodiscover lookup found: no DC locator, LDAP or Autodiscover traffic in the capture.".to_string(),
        n => format!(
            "No Autodiscover lookup found: the capture holds directory traffic ({n} client{}) but no SCP search, no Autodiscover name and no failure that would block a lookup.",
            if n == 1 { "" } else { "s" }
        ),
    })
}

/// A directory session summed up in one line for people (text and HTML).
pub fn session_summary(s: &crate::chain::DirectorySession) -> String {
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut parts = vec![
        format!(
            "{} ok, {} refused",
            plural(s.binds_ok, "bind", "binds"),
            s.binds_failed
        ),
        plural(s.searches, "LDAP search", "LDAP searches"),
        plural(s.pings, "CLDAP ping", "CLDAP pings"),
        plural(s.dns_queries, "DNS query", "DNS queries"),
        plural(s.kerberos_messages, "Kerberos message", "Kerberos messages"),
    ];
    if s.sealed {
        parts.push("LDAP sealed: its searches cannot be read".into());
    }
    parts.join(", ")
}
