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
