//! The chain: per client, the Autodiscover lookup's stages in order with their evidence, the
//! candidate hosts it tried, and the verdict (complete, broken at the first failed stage with
//! its cause, or incomplete). Reads only the message stage's [`Exchanges`].

pub mod attempts;
pub mod causes;
pub mod client;
pub mod directory;
pub mod dns_stage;
pub mod domain;
pub mod locator;
pub mod model;

pub use model::*;

use crate::messages::Exchanges;
use client::ClientView;

/// What the user told capdiag about the lookup.
#[derive(Debug, Clone, Default)]
pub struct ChainOptions {
    /// The AD domain (`--domain`), when the capture does not name it.
    pub domain: Option<String>,
    /// The SMTP domain of the mailbox (`--email user@domain`): the fallback hosts derive from it.
    pub smtp_domain: Option<String>,
}

/// One chain per client that started DC locator, LDAP or Autodiscover traffic.
pub fn build_chains(ex: &Exchanges, opts: &ChainOptions) -> Vec<Chain> {
    client::clients(ex)
        .into_iter()
        .map(|ip| build_chain(&ClientView::new(ex, ip), opts))
        .collect()
}

fn build_chain(view: &ClientView, opts: &ChainOptions) -> Chain {
    let domain = domain::infer(view, opts.domain.as_deref());
    let (scp, scp_urls) = directory::scp_search(view);
    let mut stages = vec![
        locator::dc_locator_dns(view, domain.as_deref()),
        locator::dc_locator_ping(view),
        locator::kerberos(view),
        directory::ldap_connect(view),
        directory::ldap_bind(view),
        directory::rootdse(view),
        scp,
    ];
    let attempts: Vec<Attempt> = attempts::candidates(
        view,
        domain.as_deref(),
        opts.smtp_domain.as_deref(),
        &scp_urls,
    )
    .into_iter()
    .filter_map(|(host, port, origin)| attempts::attempt(view, &host, port, origin))
    .collect();
    // The host stages shown are those of the attempt that reached HTTPS, else of the first tried.
    let decisive = attempts
        .iter()
        .find(|a| a.reached_https())
        .or(attempts.first());
    match decisive {
        Some(a) => stages.extend(a.stages.iter().cloned()),
        None => stages.extend(
            [
                StageKind::ScpUrlDns,
                StageKind::HttpsConnect,
                StageKind::TlsHandshake,
                StageKind::Https,
            ]
            .map(Stage::not_seen),
        ),
    }
    let mut findings: Vec<Cause> = stages.iter().filter_map(|s| s.cause.clone()).collect();
    for a in &attempts {
        if let Some(c) = a
            .first_failure()
            .and_then(|s| s.cause.clone())
            .filter(|c| !findings.contains(c))
        {
            findings.push(c);
        }
    }
    if let Some(frame) = directory::sealed_from(view) {
        let summary = "LDAP traffic after the bind is sealed (SASL security layer); the searches cannot be read.".to_string();
        findings.push(causes::cause("ldap.sealed", summary, vec![frame]));
    }
    let first_failed = stages.iter().find(|s| s.status == StageStatus::Failed);
    let (status, broken_at, cause) = if attempts.iter().any(Attempt::reached_https) {
        (ChainStatus::Complete, None, None)
    } else if let Some(s) = first_failed {
        (ChainStatus::Broken, Some(s.kind), s.cause.clone())
    } else {
        (ChainStatus::Incomplete, None, None)
    };
    Chain {
        client: view.ip,
        domain,
        status,
        broken_at,
        cause,
        findings,
        stages,
        attempts,
        scp_urls,
    }
}
