//! The chain: per client, the Autodiscover lookup's stages in order with their evidence, the
//! candidate hosts it tried, and the verdict (complete, broken at the first stage the client
//! could not get past, with its cause, or incomplete), and how a running capture judges it
//! ([`pending`]). Clients whose traffic shows no Autodiscover lookup are directory sessions
//! ([`session`]), outside the verdict. Reads only the message stage's [`Exchanges`].

pub mod attempts;
pub mod bind;
pub mod catalogue;
pub mod causes;
pub mod certificate;
pub mod client;
pub mod directory;
pub mod dns_stage;
pub mod domain;
pub mod ews;
pub mod fallbacks;
pub mod groups;
pub mod http_stage;
pub mod intent;
pub mod kerberos_causes;
pub mod locator;
pub mod model;
pub mod pending;
pub mod progress;
pub mod scp;
pub mod session;

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
    /// A TLS key log (`--tls-keylog`): HTTPS and LDAPS connections whose client random it has
    /// are decrypted and read like clear traffic. The key logs of pcapng Decryption Secrets
    /// Blocks are added to it during the analysis. Shared, never printed.
    pub tls_key_log: Option<std::sync::Arc<crate::crypto::keylog::KeyLog>>,
    /// Keytabs and passwords (`--keytab`, `--password-file`): Kerberos- and NTLM-sealed LDAP
    /// binds they have keys for are opened and read like clear ones. Shared, never printed.
    pub ldap_secrets: Option<std::sync::Arc<crate::messages::decrypt::DecryptionSecrets>>,
}

/// Every client judged: the Autodiscover chains, and the directory sessions that are not one.
#[derive(Debug, Clone, Default)]
pub struct Verdicts {
    pub chains: Vec<Chain>,
    pub directory_sessions: Vec<DirectorySession>,
}

/// The chains of the clients whose traffic is an Autodiscover lookup (or failed before it could
/// show one).
pub fn build_chains(ex: &Exchanges, opts: &ChainOptions) -> Vec<Chain> {
    judge_clients(ex, opts).chains
}

/// Every client's chain as it stands, intent or not: a running capture cannot know yet whether
/// a client's directory traffic will turn into an Autodiscover lookup, so follow mode and the
/// live TUI show each client's stages as they come ([`judge_clients`] decides at the end).
pub fn build_running_chains(ex: &Exchanges, opts: &ChainOptions) -> Vec<Chain> {
    client::views(ex)
        .iter()
        .map(|view| build_chain(view, opts))
        .collect()
}

/// Each client that started DC locator, LDAP, Kerberos or Autodiscover traffic, judged: a chain
/// when the capture ties it to an Autodiscover lookup ([`intent`]) or it failed at a step that
/// blocks any lookup ([`progress::blocking_failure`]), else a directory session.
pub fn judge_clients(ex: &Exchanges, opts: &ChainOptions) -> Verdicts {
    judge_views(&client::views(ex), opts)
}

/// The clients of `views` judged ([`judge_client`] each), sorted into chains and sessions: the
/// one judgement of a whole file, of the clients a streamed capture retires, and of its end.
pub fn judge_views(views: &[ClientView], opts: &ChainOptions) -> Verdicts {
    let mut out = Verdicts::default();
    for view in views {
        match judge_client(view, opts) {
            Some(Judgement::Chain(c)) => out.chains.push(c),
            Some(Judgement::Session(s)) => out.directory_sessions.push(s),
            None => {}
        }
    }
    out
}

/// One client judged: an Autodiscover chain, or a directory session that is not one.
#[derive(Debug, Clone)]
pub enum Judgement {
    Chain(Chain),
    Session(DirectorySession),
}

/// One client's judgement ([`judge_clients`] for each client): None when its traffic is
/// neither a chain nor a directory session.
pub fn judge_client(view: &ClientView, opts: &ChainOptions) -> Option<Judgement> {
    let chain = build_chain(view, opts);
    let intent = intent::autodiscover_evidence(view, opts.smtp_domain.is_some());
    if intent.is_some() || progress::blocking_failure(&chain.stages).is_some() {
        Some(Judgement::Chain(chain))
    } else {
        session::directory_session(view, &chain).map(Judgement::Session)
    }
}

/// The stages taken from the decisive Autodiscover host attempt.
const HOST_STAGES: [StageKind; 4] = [
    StageKind::ScpUrlDns,
    StageKind::HttpsConnect,
    StageKind::TlsHandshake,
    StageKind::Https,
];

fn from_scp(a: &Attempt) -> bool {
    matches!(a.origin, Origin::Scp | Origin::ScpInferred)
}

/// The host attempts the client made, in EWS order, the fallback steps among them.
fn host_attempts(
    view: &ClientView,
    domain: Option<&str>,
    smtp_domain: Option<&str>,
    scp_urls: &[String],
    sealed: Option<u64>,
) -> Vec<Attempt> {
    let mut attempts: Vec<Attempt> =
        attempts::candidates(view, domain, smtp_domain, scp_urls, sealed)
            .into_iter()
            .filter_map(|(host, port, origin)| attempts::attempt(view, &host, port, origin))
            .collect();
    // The fallback steps without a host of their own, in EWS order among the hosts.
    if let Some(d) = smtp_domain.or(domain) {
        let steps = [
            fallbacks::port80_attempt(view, d),
            fallbacks::srv_query_attempt(view, d),
        ];
        for step in steps.into_iter().flatten() {
            let at = attempts
                .iter()
                .position(|a| a.origin > step.origin)
                .unwrap_or(attempts.len());
            attempts.insert(at, step);
        }
    }
    attempts::label_expected_noise(view, &mut attempts);
    attempts
}

/// The host stages of the main chain: those of the host that answered HTTPS; else of the SCP
/// URL host the client tried; else, when nothing failed before the hosts, of the first
/// fallback the client went on to. A fallback tried after the chain broke earlier is listed
/// among the attempts, not shown as a second failure in the chain.
fn main_host_stages(attempts: &[Attempt], directory_failed: bool) -> Vec<Stage> {
    // A fallback whose failure is expected noise (https://<domain> on the DCs) says nothing.
    let telling = |a: &&Attempt| {
        a.first_failure()
            .and_then(|s| s.cause.as_ref())
            .is_none_or(|c| c.severity != Severity::Info)
    };
    // A host whose answer sent the client on (an Autodiscover redirect) is not where it ended.
    let telling = |a: &&Attempt| telling(a) && !a.redirected();
    let chosen = attempts
        .iter()
        .find(|a| a.reached_https())
        .or_else(|| attempts.iter().find(|a| from_scp(a) && !a.redirected()))
        .or_else(|| {
            attempts
                .iter()
                .find(telling)
                .or(attempts.first())
                .filter(|_| !directory_failed)
        });
    match chosen {
        Some(a) => a.stages.clone(),
        None => HOST_STAGES.map(Stage::not_seen).to_vec(),
    }
}

fn build_chain(view: &ClientView, opts: &ChainOptions) -> Chain {
    let domain = domain::infer(view, opts.domain.as_deref());
    let (scp, scp_urls) =
        directory::scp_search(view, opts.smtp_domain.as_deref().or(domain.as_deref()));
    let sealed = directory::sealed_from(view);
    let scp_sealed = scp.status == StageStatus::Sealed;
    let two_passes = scp.notes.iter().any(|n| n.code == "scp.second_pass");
    let mut stages = vec![
        locator::dc_locator_dns(view, opts.domain.as_deref()),
        locator::dc_locator_ping(view),
        locator::kerberos(view),
        directory::ldap_connect(view),
        directory::ldap_bind(view),
        directory::rootdse(view),
        scp,
    ];
    let smtp_domain = opts.smtp_domain.as_deref();
    // With more than one discovery pass (SOAP, then POX) the hosts are judged on the last one.
    let last_pass = directory::scp_passes(view)
        .last()
        .filter(|_| two_passes)
        .and_then(|p| p.first())
        .and_then(|s| s.frames.first().copied());
    let pass_view = last_pass.map(|f| view.since(f));
    let hosts_view = pass_view.as_ref().unwrap_or(view);
    let attempts = host_attempts(
        hosts_view,
        domain.as_deref(),
        smtp_domain,
        &scp_urls,
        sealed.filter(|_| scp_sealed),
    );
    let reached = attempts.iter().any(Attempt::reached_https);
    // Judged on the last pass; an earlier pass that reached HTTPS is said, never hidden.
    let earlier_success = pass_view.as_ref().filter(|_| !reached).and_then(|_| {
        host_attempts(view, domain.as_deref(), smtp_domain, &scp_urls, None)
            .into_iter()
            .find(Attempt::reached_https)
    });
    progress::settle(&mut stages, reached);
    let directory_failed = stages.iter().any(|s| s.status == StageStatus::Failed);
    stages.extend(main_host_stages(&attempts, directory_failed));
    progress::settle(&mut stages, reached);
    progress::mark_not_in_capture(&mut stages);
    let mut findings: Vec<Cause> = stages
        .iter()
        .flat_map(|s| s.cause.iter().chain(&s.notes))
        .cloned()
        .collect();
    for a in &attempts {
        let first = a.first_failure().and_then(|s| s.cause.clone());
        if let Some(mut c) = first.filter(|c| !findings.contains(c)) {
            // In a chain that reached HTTPS, a host that failed was an alternative.
            if reached && c.severity == Severity::Failure {
                c.severity = Severity::Warning;
            }
            findings.push(c);
        }
    }
    if let Some(layer) = directory::sealed_layer(view) {
        let summary = format!(
            "{}; the searches cannot be read.",
            directory::sealed_how(&layer)
        );
        let mut sealed = causes::cause(
            "ldap.sealed",
            summary,
            directory::sealed_layers(view)
                .iter()
                .map(|l| l.from_frame)
                .collect(),
        );
        if let Some(fix) = directory::sealed_fix(&layer) {
            sealed.remediation = fix.to_string();
        }
        findings.push(sealed);
    }
    // A sealed SCP search after which the client tried no host tied to it gave it no usable
    // URL: when nothing reached HTTPS and a later step failed, the SCP stage is where it broke.
    let sealed_without_url = scp_sealed && !attempts.iter().any(from_scp);
    let later_failure = stages
        .iter()
        .find(|s| s.status == StageStatus::Failed)
        .map(|s| s.kind);
    if let (false, true, Some(failed)) = (reached, sealed_without_url, later_failure) {
        let summary = format!(
            "The LDAP traffic was sealed, so the SCP search cannot be read, and the client \
             tried no host tied to it: it went on to the fallbacks, and none reached HTTPS \
             (the first failed at {}).",
            failed.id()
        );
        let frames = directory::sealed_layers(view)
            .iter()
            .map(|l| l.from_frame)
            .collect();
        // The evidence is the sealed traffic; the failure that followed is its own finding.
        let c = causes::cause("scp.sealed_no_url", summary, frames);
        findings.insert(0, c.clone());
        if let Some(scp) = stages.iter_mut().find(|s| s.kind == StageKind::ScpSearch) {
            let detail = std::mem::take(&mut scp.detail);
            *scp = Stage::failed(StageKind::ScpSearch, c, detail);
        }
        // The chain broke at the SCP search: the fallbacks tried after it are attempts only.
        for s in stages.iter_mut().filter(|s| HOST_STAGES.contains(&s.kind)) {
            *s = Stage::not_seen(s.kind);
        }
    }
    // Where the SCP search cannot be read (sealed, or before the capture), the HTTPS hosts the
    // client went to that nothing ties to Autodiscover are said, as information, never judged.
    let scp_unreadable = stages.iter().any(|s| {
        s.kind == StageKind::ScpSearch
            && matches!(s.status, StageStatus::Sealed | StageStatus::NotInCapture)
    }) || sealed_without_url;
    if scp_unreadable {
        findings.extend(attempts::untied_hosts(view, &attempts, sealed));
    }
    if let Some(a) = earlier_success {
        let frames = a
            .stages
            .iter()
            .filter(|s| s.kind == StageKind::Https)
            .flat_map(|s| s.frames.iter().copied())
            .collect();
        let summary = format!(
            "An earlier discovery pass reached HTTPS on {}; the last pass did not.",
            a.host
        );
        findings.push(causes::cause("scp.earlier_pass_complete", summary, frames));
    }
    // EWS traffic read after the lookup: findings of their own, never the break.
    findings.extend(ews::empty_binary_properties(view));
    say_decrypted(view, &mut stages);
    let (status, broken_at, cause) = progress::verdict(&stages, reached);
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

/// The RootDSE and SCP stages read from traffic that was sealed say with which secret (the
/// bind stage says it already): a reader must know the evidence came through decryption.
fn say_decrypted(view: &ClientView, stages: &mut [Stage]) {
    for stage in stages
        .iter_mut()
        .filter(|s| matches!(s.kind, StageKind::Rootdse | StageKind::ScpSearch))
    {
        let with = view
            .ldap
            .iter()
            .filter(|l| l.frames.iter().any(|f| stage.frames.contains(f)))
            .filter_map(|l| l.conn.and_then(|c| view.conn(c)))
            .find_map(|c| c.decrypted_with.clone());
        if let Some(with) = with {
            stage
                .detail
                .push(("decrypted", format!("decrypted with {with}")));
        }
    }
}
