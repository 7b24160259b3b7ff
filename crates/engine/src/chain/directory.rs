//! The directory stages over TCP: connection to LDAP, bind, RootDSE read and the SCP search,
//! and the SCP URLs found.

use super::causes::{cause, ldap_result_text};
use super::client::ClientView;
use super::model::{Stage, StageKind, StageStatus};
use super::{locator, scp};
use crate::messages::{LdapExchange, LdapRequest, SaslLayer, TcpConnection, Transport};
use crate::proto::ldap::{Filter, ResultCode, Scope};

pub use super::bind::{bind_method, ldap_bind};

pub use super::scp::{SCP_POINTER_GUID, SCP_URL_GUID};

const LDAP_PORTS: [u16; 4] = [389, 3268, 636, 3269];

/// A TCP connection attempt judged on its own: Ok, or the refused / unanswered cause.
pub fn connection_stage(kind: StageKind, conns: &[&TcpConnection], what: &str) -> Stage {
    let Some(last) = conns.last() else {
        return Stage::not_seen(kind);
    };
    let answered =
        |c: &&&TcpConnection| c.syn_ack.is_some() || c.bytes_from_server > 0 || !c.saw_syn;
    if let Some(ok) = conns.iter().find(answered) {
        let frames = [Some(ok.first_frame), ok.syn_ack]
            .into_iter()
            .flatten()
            .collect();
        let mut stage = Stage::ok(kind, frames, vec![("server", ok.server.to_string())]);
        // The servers that refused or never answered while another one did: alternatives the
        // client tried, warnings with their frames.
        for failed in conns.iter().filter(|c| !answered(c)) {
            let mut c = unanswered_cause(&[*failed], what);
            c.severity = super::model::Severity::Warning;
            c.summary = format!("{} The client went on with {}.", c.summary, ok.server);
            if !stage.notes.iter().any(|n| n.summary == c.summary) {
                stage.notes.push(c);
            }
        }
        return stage;
    }
    let detail = vec![("server", last.server.to_string())];
    Stage::failed(kind, unanswered_cause(conns, what), detail)
}

/// Why connection attempts that got no SYN-ACK failed: a reset (refused) or silence.
fn unanswered_cause(conns: &[&TcpConnection], what: &str) -> super::model::Cause {
    if let Some(refused) = conns.iter().find(|c| c.reset.is_some()) {
        let mut frames = vec![refused.first_frame];
        frames.extend(refused.reset.map(|r| r.1));
        let summary = format!(
            "{} refused the connection to {what}: it answered the SYN with a reset.",
            refused.server
        );
        return cause("tcp.refused", summary, frames);
    }
    let frames: Vec<u64> = conns
        .iter()
        .flat_map(|c| std::iter::once(c.first_frame).chain(c.syn_retransmits.iter().copied()))
        .collect();
    let server = conns
        .last()
        .map(|c| c.server.to_string())
        .unwrap_or_default();
    let summary = format!(
        "{server} never answered the connection to {what} ({} SYN sent).",
        frames.len()
    );
    cause("tcp.no_answer", summary, frames)
}

pub fn ldap_connect(view: &ClientView) -> Stage {
    let conns: Vec<_> = view
        .tcp
        .iter()
        .copied()
        .filter(|c| {
            LDAP_PORTS.contains(&c.server.port) || view.ldap.iter().any(|l| l.conn == Some(c.id))
        })
        .collect();
    if !conns.is_empty() && conns.iter().all(|c| !c.saw_syn) {
        // Open before the capture started: its handshake is not in it.
        let mut stage = Stage::not_seen(StageKind::LdapConnect);
        stage.status = StageStatus::NotInCapture;
        stage.detail = vec![(
            "note",
            format!(
                "the connection to {} was open before the capture started",
                conns
                    .first()
                    .map(|c| c.server.to_string())
                    .unwrap_or_default()
            ),
        )];
        return stage;
    }
    // The SCP search's connection first: it is the one the chain went on with.
    let scp_conn = scp_searches(view).last().and_then(|s| s.conn);
    let mut conns = conns;
    if let Some(i) = conns.iter().position(|c| Some(c.id) == scp_conn) {
        let c = conns.remove(i);
        conns.insert(0, c);
    }
    let mut stage = connection_stage(StageKind::LdapConnect, &conns, "LDAP");
    // LDAPS (636, 3269): the certificate the DC showed, as for an Autodiscover host.
    let ldaps = conns
        .iter()
        .filter(|c| matches!(c.server.port, 636 | 3269))
        .find_map(|c| view.tls.get(&c.id).copied());
    if let (StageStatus::Ok, Some(s)) = (stage.status, ldaps) {
        let cert = super::certificate::judge(s, None, s.client_app_records > 0);
        stage.frames.extend(s.certificate.iter().map(|c| c.0));
        stage.frames = super::model::frame_set(std::mem::take(&mut stage.frames));
        stage.detail.extend(cert.detail);
        stage.notes.extend(cert.findings);
    }
    stage
}

fn tcp_ldap<'a>(view: &'a ClientView) -> impl Iterator<Item = &'a LdapExchange> + 'a {
    view.ldap
        .iter()
        .copied()
        .filter(|l| l.transport == Transport::Tcp)
}

pub fn exchange_frames(l: &LdapExchange) -> Vec<u64> {
    let mut f = l.frames.clone();
    f.extend(l.entries.iter().flat_map(|e| e.frames.iter().copied()));
    f.extend(l.references.iter().map(|r| r.1));
    f.extend(l.result.iter().flat_map(|r| r.frames.iter().copied()));
    f
}

/// The first LDAP connection whose traffic is unreadable: a sealed SASL layer, StartTLS or
/// LDAPS.
pub fn sealed_layer(view: &ClientView) -> Option<SaslLayer> {
    sealed_layers(view).first().copied()
}

/// Every LDAP connection whose traffic is unreadable, in order (only LDAP connections carry a
/// layer, whatever their port).
pub fn sealed_layers(view: &ClientView) -> Vec<SaslLayer> {
    view.tcp
        .iter()
        // A layer opened with the admin's keytab or password was read: not unreadable.
        .filter(|c| c.decrypted_with.is_none())
        .filter_map(|c| c.sasl.filter(|l| l.sealed))
        .collect()
}

/// The frame from which the LDAP traffic is unreadable, if it is.
pub fn sealed_from(view: &ClientView) -> Option<u64> {
    sealed_layer(view).map(|l| l.from_frame)
}

/// How the LDAP traffic is protected, for people.
pub fn sealed_how(layer: &SaslLayer) -> String {
    match layer.mechanism {
        "StartTLS" => "LDAP traffic after StartTLS is encrypted (TLS)".into(),
        "LDAPS" => "LDAP runs over TLS (LDAPS)".into(),
        "" => "LDAP traffic after the bind is sealed (SASL security layer)".into(),
        m => format!("LDAP traffic after the bind is sealed (SASL security layer, {m})"),
    }
}

/// The fix for TLS-protected LDAP (StartTLS, LDAPS), where the SASL advice of `ldap.sealed`
/// (sign without sealing) does not apply; None for a SASL layer.
pub fn sealed_fix(layer: &SaslLayer) -> Option<&'static str> {
    match layer.mechanism {
        "StartTLS" | "LDAPS" => Some(
            "Not a failure. TLS hides the LDAP: to see the SCP search, capture with the TLS keys \
             (SSLKEYLOGFILE) or on a client that binds without StartTLS/LDAPS, or run the search \
             with ldp.exe.",
        ),
        _ => None,
    }
}

/// A search judged on its result: None when it succeeded, else the failed stage
/// (search failed / no response).
fn search_failure(kind: StageKind, l: &LdapExchange, what: &str) -> Option<Stage> {
    let detail = vec![("server", l.server.to_string())];
    match &l.result {
        Some(r) if r.result.code == ResultCode::Success => None,
        Some(r) if r.result.code == ResultCode::NoSuchObject && kind == StageKind::ScpSearch => {
            let base = match &l.request {
                LdapRequest::Search(s) => s.base.clone(),
                _ => String::new(),
            };
            let summary = format!(
                "The SCP search used the base {base}, which does not exist on {}: {}.",
                l.server.ip,
                ldap_result_text(&r.result)
            );
            let mut detail = detail;
            detail.push(("base", base));
            Some(Stage::failed(
                kind,
                cause("scp.base_not_found", summary, exchange_frames(l)),
                detail,
            ))
        }
        Some(r) => {
            let summary = format!("The {what} failed: {}.", ldap_result_text(&r.result));
            Some(Stage::failed(
                kind,
                cause("ldap.search_failed", summary, exchange_frames(l)),
                detail,
            ))
        }
        None => {
            let summary = format!(
                "No answer to the {what} sent to {} is in the capture.",
                l.server
            );
            Some(Stage::failed(
                kind,
                cause("ldap.no_response", summary, exchange_frames(l)),
                detail,
            ))
        }
    }
}

/// The SCP stage when the LDAP traffic is sealed: every sealed connection is evidence, since
/// which of them carried the search cannot be read.
fn sealed_scp_stage(view: &ClientView) -> Stage {
    let layers = sealed_layers(view);
    let Some(first) = layers.first() else {
        return Stage::not_seen(StageKind::ScpSearch);
    };
    let mut stage = sealed_stage(StageKind::ScpSearch, first);
    if layers.len() > 1 {
        stage.frames = super::model::frame_set(layers.iter().map(|l| l.from_frame).collect());
        stage.detail.push((
            "sealed connections",
            format!(
                "{} (first sealed frames {}); which one carried the SCP search cannot be read",
                layers.len(),
                stage
                    .frames
                    .iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    stage
}

/// configurationNamingContext as the client's RootDSE read gave it.
pub fn configuration_nc(view: &ClientView) -> Option<String> {
    tcp_ldap(view)
        .flat_map(|l| l.entries.iter())
        .flat_map(|e| &e.entry.attributes)
        .find(|(a, _)| a.eq_ignore_ascii_case("configurationNamingContext"))
        .and_then(|(_, v)| v.first())
        .map(|v| String::from_utf8_lossy(v).into_owned())
}

pub fn sealed_stage(kind: StageKind, layer: &SaslLayer) -> Stage {
    Stage {
        kind,
        status: StageStatus::Sealed,
        frames: vec![layer.from_frame],
        detail: vec![("note", format!("{}; not readable", sealed_how(layer)))],
        cause: None,
        notes: vec![],
        redirect: None,
    }
}

pub fn rootdse(view: &ClientView) -> Stage {
    let kind = StageKind::Rootdse;
    let reads: Vec<_> = tcp_ldap(view)
        .filter(|l| matches!(&l.request, LdapRequest::Search(s) if s.base.is_empty() && s.scope == Scope::Base))
        .collect();
    // The read that gave configurationNamingContext is the one this stage is about (a client
    // may first read supportedSASLMechanisms anonymously); else any that worked, else the last.
    let gave_config_nc = |l: &&&LdapExchange| {
        l.entries.iter().any(|e| {
            e.entry
                .attributes
                .iter()
                .any(|(a, _)| a.eq_ignore_ascii_case("configurationNamingContext"))
        })
    };
    let Some(read) = reads
        .iter()
        .find(gave_config_nc)
        .or_else(|| {
            reads.iter().find(|l| {
                l.result
                    .as_ref()
                    .is_some_and(|r| r.result.code == ResultCode::Success)
            })
        })
        .or(reads.last())
    else {
        return sealed_layer(view).map_or(Stage::not_seen(kind), |l| sealed_stage(kind, &l));
    };
    if let Some(stage) = search_failure(kind, read, "RootDSE read") {
        return stage;
    }
    // The readable read did not give the configuration NC and the rest of the LDAP traffic is
    // sealed: the read that matters may be in it.
    if let (false, Some(layer)) = (gave_config_nc(&read), sealed_layer(view)) {
        let mut stage = sealed_stage(kind, &layer);
        stage.detail.push((
            "readable read",
            format!(
                "frame {}: no configurationNamingContext in its answer",
                read.frames.first().copied().unwrap_or_default()
            ),
        ));
        return stage;
    }
    let mut detail = vec![("server", read.server.to_string())];
    for e in &read.entries {
        for (attr, values) in &e.entry.attributes {
            if attr.eq_ignore_ascii_case("configurationNamingContext") {
                detail.extend(values.iter().map(|v| {
                    (
                        "configurationNamingContext",
                        String::from_utf8_lossy(v).into_owned(),
                    )
                }));
            }
        }
    }
    Stage::ok(kind, exchange_frames(read), detail)
}

/// Whether a filter is Exchange's SCP search (names serviceConnectionPoint or an SCP GUID).
/// Every attribute name and value of the filter is looked at in place, ASCII case ignored.
pub fn is_scp_filter(f: &Filter) -> bool {
    ["serviceConnectionPoint", SCP_URL_GUID, SCP_POINTER_GUID]
        .iter()
        .any(|keyword| filter_mentions(f, keyword.as_bytes()))
}

/// Whether an attribute name or assertion value anywhere in `f` contains `needle` (ASCII case
/// ignored).
fn filter_mentions(f: &Filter, needle: &[u8]) -> bool {
    let has = |bytes: &[u8]| {
        bytes
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
    };
    match f {
        Filter::And(parts) | Filter::Or(parts) => parts.iter().any(|p| filter_mentions(p, needle)),
        Filter::Not(inner) => filter_mentions(inner, needle),
        Filter::Equality { attr, value }
        | Filter::GreaterOrEqual { attr, value }
        | Filter::LessOrEqual { attr, value }
        | Filter::Approx { attr, value } => has(attr.as_bytes()) || has(value),
        Filter::Substrings {
            attr,
            initial,
            any,
            final_,
        } => {
            has(attr.as_bytes())
                || initial.as_deref().is_some_and(has)
                || any.iter().any(|part| has(part))
                || final_.as_deref().is_some_and(has)
        }
        Filter::Present { attr } => has(attr.as_bytes()),
        Filter::Extensible {
            rule, attr, value, ..
        } => {
            rule.as_deref().is_some_and(|r| has(r.as_bytes()))
                || attr.as_deref().is_some_and(|a| has(a.as_bytes()))
                || has(value)
        }
        Filter::TooDeep => false,
    }
}

pub fn scp_searches<'a>(view: &'a ClientView) -> Vec<&'a LdapExchange> {
    tcp_ldap(view)
        .filter(|l| match &l.request {
            LdapRequest::Search(s) => is_scp_filter(&s.filter),
            // The capture starts after the request: its answers say what it was.
            LdapRequest::NotInCapture => answers_are_scp_entries(l),
            _ => false,
        })
        .collect()
}

/// Whether a search's entries are Exchange SCP entries: an SCP keyword GUID, or a
/// serviceBindingInformation value.
fn answers_are_scp_entries(l: &LdapExchange) -> bool {
    l.entries
        .iter()
        .flat_map(|e| &e.entry.attributes)
        .any(|(a, v)| {
            a.eq_ignore_ascii_case("serviceBindingInformation")
                || (a.eq_ignore_ascii_case("keywords")
                    && v.iter().any(|k| {
                        let k = String::from_utf8_lossy(k);
                        k.eq_ignore_ascii_case(SCP_URL_GUID)
                            || k.eq_ignore_ascii_case(SCP_POINTER_GUID)
                    }))
        })
}

/// serviceBindingInformation values of the SCP entries, in result order.
pub fn scp_urls(search: &LdapExchange) -> Vec<String> {
    search
        .entries
        .iter()
        .flat_map(|e| &e.entry.attributes)
        .filter(|(a, _)| a.eq_ignore_ascii_case("serviceBindingInformation"))
        .flat_map(|(_, v)| v.iter().map(|v| String::from_utf8_lossy(v).into_owned()))
        .collect()
}

/// The SCP searches split into discovery passes: a search after fallback activity (DNS of an
/// Autodiscover name, a connection to port 443 or 80) starts a new pass, as when EWS reruns the
/// whole discovery in POX mode after its SOAP pass failed.
pub fn scp_passes<'a>(view: &'a ClientView) -> Vec<Vec<&'a LdapExchange>> {
    let mut passes: Vec<Vec<&LdapExchange>> = Vec::new();
    let mut last_end = 0;
    for s in scp_searches(view) {
        let start = s.frames.first().copied().unwrap_or_default();
        let fallback_between = |f: u64| f > last_end && f < start;
        let fell_back = view
            .tcp
            .iter()
            .any(|c| matches!(c.server.port, 443 | 80) && fallback_between(c.first_frame))
            || view.dns.iter().any(|d| {
                d.name.to_ascii_lowercase().contains("autodiscover") && fallback_between(d.frame)
            });
        match passes.last_mut() {
            Some(pass) if !fell_back => pass.push(s),
            _ => passes.push(vec![s]),
        }
        last_end = exchange_frames(s).into_iter().max().unwrap_or(start);
    }
    passes
}

/// The SCP stage and the URLs the client could use, from the last discovery pass. `domain` is
/// the SMTP (or AD) domain a pointer's `Domain=` keyword is matched against.
pub fn scp_search(view: &ClientView, domain: Option<&str>) -> (Stage, Vec<String>) {
    let passes = scp_passes(view);
    let searches: Vec<&LdapExchange> = passes.last().cloned().unwrap_or_default();
    let has_http = |l: &&&LdapExchange| {
        scp_urls(l)
            .iter()
            .any(|u| u.to_ascii_lowercase().starts_with("http"))
    };
    let chosen = searches
        .iter()
        .rev()
        .find(has_http)
        .or_else(|| searches.iter().find(|l| !scp_urls(l).is_empty()))
        .or_else(|| {
            searches.iter().find(|l| {
                l.result
                    .as_ref()
                    .is_some_and(|r| r.result.code == ResultCode::Success)
            })
        })
        .or(searches.last());
    let Some(search) = chosen else {
        return (sealed_scp_stage(view), vec![]);
    };
    let (mut stage, urls) = judge_search(view, search, domain);
    if passes.len() > 1 {
        let frames: Vec<u64> = passes
            .iter()
            .filter_map(|p| p.first().and_then(|s| s.frames.first().copied()))
            .collect();
        let summary = format!(
            "The client ran {} discovery passes, each with its own SCP search (frames {}) after HTTPS or fallback traffic of the pass before. The chain is judged on the last pass.",
            passes.len(),
            frames
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        );
        stage
            .notes
            .insert(0, cause("scp.second_pass", summary, frames));
        stage
            .detail
            .push(("discovery passes", passes.len().to_string()));
    }
    // A pointer-only search earlier in the pass led to the chosen one: keep what it says.
    let site = locator::client_site(view);
    for earlier in searches.iter().take_while(|l| !std::ptr::eq(**l, *search)) {
        let reading = scp::read(view, earlier, &site, domain);
        stage.notes.extend(
            reading
                .notes
                .into_iter()
                .filter(|n| n.code == "scp.pointer_only"),
        );
    }
    (stage, urls)
}

fn judge_search(
    view: &ClientView,
    search: &LdapExchange,
    domain: Option<&str>,
) -> (Stage, Vec<String>) {
    let kind = StageKind::ScpSearch;
    let site = locator::client_site(view);
    let reading = scp::read(view, search, &site, domain);
    let urls = reading.urls.clone();
    if let Some(mut stage) = urls
        .is_empty()
        .then(|| search_failure(kind, search, "SCP search"))
        .flatten()
    {
        // A base that does not exist: say what the DC itself gives as the configuration NC.
        if let (Some(c), Some(nc)) = (
            stage
                .cause
                .as_mut()
                .filter(|c| c.code == "scp.base_not_found"),
            configuration_nc(view),
        ) {
            c.summary.push_str(&format!(
                " The RootDSE says configurationNamingContext is {nc}."
            ));
            stage.detail.push(("configurationNamingContext", nc));
        }
        return (stage, urls);
    }
    let base = match &search.request {
        LdapRequest::Search(s) => s.base.clone(),
        _ => "(the request is not in the capture)".to_string(),
    };
    let mut detail = vec![
        ("server", search.server.to_string()),
        ("base", base.clone()),
        ("entries", search.entries.len().to_string()),
    ];
    detail.extend(urls.iter().map(|u| ("url", u.clone())));
    let frames = exchange_frames(search);
    if !urls.is_empty() {
        let mut stage = Stage::ok(kind, frames, detail);
        scp::annotate(&mut stage, reading);
        return (stage, urls);
    }
    let (code, summary) = if search.entries.is_empty() {
        (
            "scp.not_found",
            format!("The SCP search under {base} found no Autodiscover SCP object (0 entries)."),
        )
    } else {
        (
            "scp.no_url",
            format!(
                "The SCP search returned {} entries but none has a serviceBindingInformation URL.",
                search.entries.len()
            ),
        )
    };
    (
        Stage::failed(kind, cause(code, summary, frames), detail),
        urls,
    )
}

#[cfg(test)]
mod scp_filter_tests {
    use super::*;

    fn eq(attr: &str, value: &str) -> Filter {
        Filter::Equality {
            attr: attr.into(),
            value: value.as_bytes().to_vec(),
        }
    }

    #[test]
    fn the_scp_filter_is_known_by_its_class_or_keyword_in_any_case_and_nesting() {
        let exchange = Filter::And(vec![
            eq("objectClass", "serviceConnectionPoint"),
            Filter::Or(vec![
                eq("keywords", "67661d7F-8FC4-4fa7-BFAC-E1D7794C1F68"),
                eq("keywords", SCP_URL_GUID),
            ]),
        ]);
        assert!(is_scp_filter(&exchange));
        assert!(is_scp_filter(&eq("objectclass", "SERVICECONNECTIONPOINT")));
        assert!(is_scp_filter(&Filter::Not(Box::new(Filter::Substrings {
            attr: "keywords".into(),
            initial: None,
            any: vec![SCP_POINTER_GUID.to_ascii_lowercase().into_bytes()],
            final_: None,
        }))));
        assert!(!is_scp_filter(&Filter::And(vec![
            eq("objectClass", "user"),
            Filter::Present {
                attr: "serviceBindingInformation".into()
            },
        ])));
        assert!(!is_scp_filter(&Filter::TooDeep));
    }
}
