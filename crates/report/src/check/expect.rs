//! The expectation file beside a capture (`trace.pcapng.expect.toml`): what the user pins about
//! the diagnosis. Only fields present are compared. Format documented in docs/check.md.

use serde::{Deserialize, Serialize};

/// The suffix that makes `trace.pcap` → `trace.pcap.expect.toml`.
pub const EXPECT_SUFFIX: &str = ".expect.toml";

/// A whole expectation file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    /// How many chains the capture must give (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chains: Option<usize>,
    /// How many directory sessions (clients with directory traffic and no Autodiscover
    /// lookup) the capture must give (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory_sessions: Option<usize>,
    /// Per-chain pins, matched by `client` when given, else by position.
    #[serde(default, rename = "chain")]
    pub chain: Vec<ChainExpectation>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainExpectation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// complete | broken | incomplete
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The first failed stage ("" pins that there is none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub broken_at: Option<String>,
    /// The cause code ("" pins that there is none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    /// Every finding's code, in order (the cause and the failures a fallback made good).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub findings: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scp_urls: Option<Vec<String>>,
    /// The RFC 4515 filter of the SCP search, exactly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scp_filter: Option<String>,
    /// Number of LDAP searches (CLDAP pings included) the client made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ldap_searches: Option<usize>,
    /// Number of DNS queries the client made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns_queries: Option<usize>,
    /// Stage statuses by stage id (`{ kerberos = "failed", dc_locator_dns = "not_in_capture" }`);
    /// only the stages named are compared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stages: Option<std::collections::BTreeMap<String, String>>,
}

/// Parses an expectation file's text; the error says what is wrong and where, over several
/// lines (TOML's own: the line, a caret under the place, the reason).
pub fn parse(text: &str) -> Result<Expectation, String> {
    toml::from_str(text).map_err(|e| e.to_string().trim_end().to_string())
}

/// Writes an expectation as TOML, after the given comment lines.
pub fn write(exp: &Expectation, comments: &[String]) -> Result<String, String> {
    let body = toml::to_string(exp).map_err(|e| e.to_string())?;
    let mut out = String::new();
    for c in comments {
        out.push_str(c);
        out.push('\n');
    }
    out.push_str(&body);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_form_and_rejects_typos() {
        let e = parse("[[chain]]\nclient = \"10.99.0.2\"\nstatus = \"broken\"\nbroken_at = \"ldap_bind\"\ncause = \"ldap.bind_failed\"\n").unwrap();
        assert_eq!(e.chain[0].broken_at.as_deref(), Some("ldap_bind"));
        assert!(e.chain[0].scp_urls.is_none());
        let err = parse("[[chain]]\nstatuss = \"broken\"\n").unwrap_err();
        assert!(err.contains("statuss"), "{err}");
    }

    #[test]
    fn written_form_reads_back_the_same() {
        let e = Expectation {
            chains: Some(1),
            directory_sessions: Some(0),
            chain: vec![ChainExpectation {
                client: Some("10.0.0.1".into()),
                status: Some("complete".into()),
                scp_urls: Some(vec!["https://x/y".into()]),
                ..Default::default()
            }],
        };
        let text = write(&e, &["# pinned".into()]).unwrap();
        assert!(text.starts_with("# pinned\n"));
        assert_eq!(parse(&text).unwrap(), e);
    }
}
