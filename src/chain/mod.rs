//! The chain: per client, the Autodiscover lookup's stages in order with their evidence, the
//! candidate hosts it tried, and the verdict (complete, broken at the first failed stage with
//! its cause, or incomplete), and how a running capture judges it ([`pending`]). Reads only the
//! message stage's [`Exchanges`].

pub mod attempts;
pub mod causes;
pub mod certificate;
pub mod client;
pub mod directory;
pub mod dns_stage;
pub mod domain;
pub mod fallbacks;
pub mod locator;
pub mod model;
pub mod pending;
pub mod scp;

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
    client::views(ex)
        .iter()
        .map(|view| build_chain(view, opts))
        .collect()
}

fn build_chain(view: &ClientView, opts: &ChainOptions) -> Chain {
    let domain = domain::infer(view, opts.domain.as_deref());
    let (scp, scp_urls) =
        directory::scp_search(view, opts.smtp_domain.as_deref().or(domain.as_deref()));
    let sealed = directory::sealed_from(view);
    let scp_sealed = scp.status == StageStatus::Sealed;
    let two_passes = scp.notes.iter().any(|n| n.code == "scp.second_pass");
    let mut stages = vec![
        locator::dc_locator_dns(view, domain.as_deref()),
        locator::dc_locator_ping(view),
        locator::kerberos(view),
        directory::ldap_connect(view),
        directory::ldap_bind(view),
        directory::rootdse(view),
        scp,
    ];
    let smtp_domain = opts.smtp_domain.as_deref();
    let inferred_after = sealed.filter(|_| scp_sealed);
    // With more than one discovery pass (SOAP, then POX) the hosts are judged on the last one.
    let last_pass = directory::scp_passes(view)
        .last()
        .filter(|_| two_passes)
        .and_then(|p| p.first())
        .and_then(|s| s.frames.first().copied());
    let pass_view = last_pass.map(|f| view.since(f));
    let hosts_view = pass_view.as_ref().unwrap_or(view);
    let mut attempts: Vec<Attempt> = attempts::candidates(
        hosts_view,
        domain.as_deref(),
        smtp_domain,
        &scp_urls,
        inferred_after,
    )
    .into_iter()
    .filter_map(|(host, port, origin)| attempts::attempt(hosts_view, &host, port, origin))
    .collect();
    // The fallback steps without a host of their own, in EWS order among the hosts.
    if let Some(d) = smtp_domain.or(domain.as_deref()) {
        let steps = [
            fallbacks::port80_attempt(hosts_view, d),
            fallbacks::srv_query_attempt(hosts_view, d),
        ];
        for step in steps.into_iter().flatten() {
            let at = attempts
                .iter()
                .position(|a| a.origin > step.origin)
                .unwrap_or(attempts.len());
            attempts.insert(at, step);
        }
    }
    // The host stages shown are those of the attempt that reached HTTPS, else of the first tried.
    match attempts
        .iter()
        .find(|a| a.reached_https())
        .or(attempts.first())
    {
        Some(a) => stages.extend(a.stages.iter().cloned()),
        None => stages.extend(HOST_STAGES.map(Stage::not_seen)),
    }
    let mut findings: Vec<Cause> = stages
        .iter()
        .flat_map(|s| s.cause.iter().chain(&s.notes))
        .cloned()
        .collect();
    for a in &attempts {
        let first = a.first_failure().and_then(|s| s.cause.clone());
        if let Some(c) = first.filter(|c| !findings.contains(c)) {
            findings.push(c);
        }
    }
    if let Some(layer) = directory::sealed_layer(view) {
        let summary = format!(
            "{}; the searches cannot be read.",
            directory::sealed_how(&layer)
        );
        findings.push(causes::cause(
            "ldap.sealed",
            summary,
            vec![layer.from_frame],
        ));
    }
    let reached = attempts.iter().any(Attempt::reached_https);
    // A sealed SCP search after which the client tried no SCP host gave it no usable URL: when
    // nothing reached HTTPS and a later step failed, the SCP stage is where it broke.
    let sealed_without_url =
        scp_sealed && !attempts.iter().any(|a| a.origin == Origin::ScpInferred);
    let later_failure = stages
        .iter()
        .find(|s| s.status == StageStatus::Failed)
        .map(|s| s.kind);
    if let (false, true, Some(failed), Some(frame)) =
        (reached, sealed_without_url, later_failure, sealed)
    {
        let summary = format!(
            "The SCP search was sealed and the client tried no host from it; then {} failed.",
            failed.id()
        );
        // The evidence is the sealed search; the failure that followed is its own finding.
        let c = causes::cause("scp.sealed_no_url", summary, vec![frame]);
        findings.insert(0, c.clone());
        if let Some(scp) = stages.iter_mut().find(|s| s.kind == StageKind::ScpSearch) {
            let detail = std::mem::take(&mut scp.detail);
            *scp = Stage::failed(StageKind::ScpSearch, c, detail);
        }
    }
    let first_failed = stages.iter().find(|s| s.status == StageStatus::Failed);
    let (status, broken_at, cause) = match (reached, first_failed) {
        (true, _) => (ChainStatus::Complete, None, None),
        (false, Some(failed)) => (ChainStatus::Broken, Some(failed.kind), failed.cause.clone()),
        (false, None) => (ChainStatus::Incomplete, None, None),
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

/// The stages taken from the decisive Autodiscover host attempt.
const HOST_STAGES: [StageKind; 4] = [
    StageKind::ScpUrlDns,
    StageKind::HttpsConnect,
    StageKind::TlsHandshake,
    StageKind::Https,
];
