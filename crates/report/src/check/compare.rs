//! Compares what a capture's analysis concluded with what its expectation file pins, field by
//! field, and says each difference with the frames that show the actual value.

use super::expect::{ChainExpectation, Expectation};
use crate::analysis::Analysis;
use crate::chain::Chain;
use crate::chain::directory::is_scp_filter;
use crate::messages::LdapRequest;

/// One pinned field that came out different.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Mismatch {
    /// Which chain: "chain 10.99.0.2" (or "chains" for the count).
    pub chain: String,
    pub field: String,
    pub expected: String,
    pub actual: String,
    /// Frames behind the actual value (the cause's, the broken stage's).
    pub frames: Vec<u64>,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {}: expected {}, got {}",
            self.chain, self.field, self.expected, self.actual
        )?;
        if !self.frames.is_empty() {
            let list: Vec<String> = self.frames.iter().map(u64::to_string).collect();
            write!(f, " (frames {})", list.join(", "))?;
        }
        Ok(())
    }
}

/// Everything the analysis says about one chain, in expectation form (every field set).
pub fn actual(a: &Analysis, c: &Chain) -> ChainExpectation {
    let searches: Vec<_> = a
        .exchanges
        .ldap
        .iter()
        .filter(|l| l.client.ip == c.client)
        .filter_map(|l| match &l.request {
            LdapRequest::Search(s) => Some(s),
            _ => None,
        })
        .collect();
    ChainExpectation {
        client: Some(c.client.to_string()),
        domain: c.domain.clone(),
        status: Some(c.status.id().to_string()),
        broken_at: Some(c.broken_at.map(|s| s.id().to_string()).unwrap_or_default()),
        cause: Some(c.cause.as_ref().map(|c| c.code.clone()).unwrap_or_default()),
        findings: Some(c.findings.iter().map(|f| f.code.clone()).collect()),
        scp_urls: Some(c.scp_urls.clone()),
        scp_filter: searches
            .iter()
            .find(|s| is_scp_filter(&s.filter))
            .map(|s| s.filter.to_string()),
        ldap_searches: Some(searches.len()),
        dns_queries: Some(
            a.exchanges
                .dns
                .iter()
                .filter(|d| d.client.ip == c.client)
                .count(),
        ),
        stages: Some(
            c.stages
                .iter()
                .map(|s| (s.kind.id().to_string(), s.status.id().to_string()))
                .collect(),
        ),
    }
}

fn show<T: std::fmt::Debug>(v: &Option<T>) -> String {
    match v {
        Some(v) => format!("{v:?}"),
        None => "nothing".to_string(),
    }
}

fn field<T: PartialEq + std::fmt::Debug>(
    out: &mut Vec<Mismatch>,
    chain: &str,
    name: &str,
    want: &Option<T>,
    got: &Option<T>,
    frames: &[u64],
) {
    if want.is_some() && want != got {
        out.push(Mismatch {
            chain: chain.to_string(),
            field: name.to_string(),
            expected: show(want),
            actual: show(got),
            frames: frames.to_vec(),
        });
    }
}

/// Every difference between the pins and the analysis (empty: the capture passes).
pub fn compare(exp: &Expectation, a: &Analysis) -> Vec<Mismatch> {
    let mut out = Vec::new();
    if let Some(n) = exp.chains.filter(|n| *n != a.chains.len()) {
        out.push(Mismatch {
            chain: "chains".into(),
            field: "count".into(),
            expected: n.to_string(),
            actual: a.chains.len().to_string(),
            frames: vec![],
        });
    }
    if let Some(n) = exp
        .directory_sessions
        .filter(|n| *n != a.directory_sessions.len())
    {
        out.push(Mismatch {
            chain: "directory sessions".into(),
            field: "count".into(),
            expected: n.to_string(),
            actual: a.directory_sessions.len().to_string(),
            frames: vec![],
        });
    }
    for (i, want) in exp.chain.iter().enumerate() {
        let found = match &want.client {
            Some(client) => a.chains.iter().find(|c| c.client.to_string() == *client),
            None => a.chains.get(i),
        };
        let label = format!(
            "chain {}",
            want.client.clone().unwrap_or_else(|| format!("#{}", i + 1))
        );
        let Some(chain) = found else {
            out.push(Mismatch {
                chain: label,
                field: "chain".into(),
                expected: "present".into(),
                actual: "no such chain".into(),
                frames: vec![],
            });
            continue;
        };
        let got = actual(a, chain);
        let cause_frames = chain
            .cause
            .as_ref()
            .map(|c| c.frames.clone())
            .unwrap_or_default();
        field(&mut out, &label, "domain", &want.domain, &got.domain, &[]);
        field(
            &mut out,
            &label,
            "status",
            &want.status,
            &got.status,
            &cause_frames,
        );
        field(
            &mut out,
            &label,
            "broken_at",
            &want.broken_at,
            &got.broken_at,
            &cause_frames,
        );
        field(
            &mut out,
            &label,
            "cause",
            &want.cause,
            &got.cause,
            &cause_frames,
        );
        field(
            &mut out,
            &label,
            "findings",
            &want.findings,
            &got.findings,
            &[],
        );
        field(
            &mut out,
            &label,
            "scp_urls",
            &want.scp_urls,
            &got.scp_urls,
            &[],
        );
        field(
            &mut out,
            &label,
            "scp_filter",
            &want.scp_filter,
            &got.scp_filter,
            &[],
        );
        field(
            &mut out,
            &label,
            "ldap_searches",
            &want.ldap_searches,
            &got.ldap_searches,
            &[],
        );
        field(
            &mut out,
            &label,
            "dns_queries",
            &want.dns_queries,
            &got.dns_queries,
            &[],
        );
        stage_statuses(&mut out, &label, chain, want);
    }
    out
}

/// The pinned stage statuses, each compared on its own.
fn stage_statuses(out: &mut Vec<Mismatch>, label: &str, chain: &Chain, want: &ChainExpectation) {
    for (id, status) in want.stages.iter().flatten() {
        let stage = chain.stages.iter().find(|s| s.kind.id() == id);
        let got = stage.map(|s| s.status.id().to_string());
        field(
            out,
            label,
            &format!("stages.{id}"),
            &Some(status.clone()),
            &got,
            stage.map(|s| s.frames.as_slice()).unwrap_or_default(),
        );
    }
}

/// The expectation that pins today's result (what `--bless` writes).
pub fn bless(a: &Analysis) -> Expectation {
    Expectation {
        chains: Some(a.chains.len()),
        directory_sessions: Some(a.directory_sessions.len()),
        chain: a
            .chains
            .iter()
            .map(|c| {
                let mut e = actual(a, c);
                // Pin the verdict and the evidence users care about; counts stay unpinned.
                e.ldap_searches = None;
                e.dns_queries = None;
                e.stages = None;
                if e.scp_urls.as_ref().is_some_and(Vec::is_empty) {
                    e.scp_urls = None;
                }
                e
            })
            .collect(),
    }
}
