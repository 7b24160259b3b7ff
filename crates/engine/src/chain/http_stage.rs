//! The HTTPS stage judged from readable HTTP (clear text, or HTTPS once decrypted): of a host's
//! Autodiscover exchanges, one that gave settings with an EwsUrl (POX Action settings, or the v2
//! JSON Url) passes the stage whatever failed before it (a 401 then 200 after Negotiate is the
//! normal handshake); else the last answer decides: a redirect (redirectAddr, redirectUrl, 30x
//! with Location) is followed, unless it goes round or passes Outlook's limit of hops; a 401
//! is judged by the schemes offered and the credentials sent; 403, 404, 5xx and Autodiscover
//! Error codes are causes of their own.

use super::causes::cause;
use super::model::{Cause, Stage, StageKind};
use crate::messages::HttpExchange;
use crate::proto::http::{Content, HttpResponse};

/// The most redirects a client follows ("Action (POX)": stop redirecting after 10).
pub const MAX_REDIRECTS: usize = 10;

/// The schemes a Windows domain client authenticates with by itself (its logon).
const INTEGRATED: [&str; 2] = ["Negotiate", "NTLM"];

/// Whether an exchange is an Autodiscover request: its path, a POX body or the v2 endpoint.
pub fn is_autodiscover(h: &HttpExchange) -> bool {
    h.target.to_ascii_lowercase().contains("/autodiscover")
        || matches!(h.request.content, Content::PoxRequest(_))
        || h.request.v2.is_some()
}

/// The EwsUrl an answer gives, if it gives settings.
pub fn ews_url(h: &HttpExchange) -> Option<String> {
    match &h.reply.as_ref()?.content {
        Content::PoxResponse(p) if p.action_is("settings") || p.action.is_none() => {
            p.ews_url().map(str::to_string)
        }
        Content::V2Response(v) => v.url.clone(),
        Content::Ews(e) => e.autodiscover_ews_url().map(str::to_string),
        _ => None,
    }
}

/// Where an answer sends the client on: a POX redirect, or a 30x Location.
pub fn redirect_of(h: &HttpExchange) -> Option<(&'static str, String)> {
    let reply = h.reply.as_ref()?;
    if let Some(p) = reply.pox() {
        if p.action_is("redirectAddr") {
            return p.redirect_addr.clone().map(|a| ("redirectAddr", a));
        }
        if p.action_is("redirectUrl") {
            return p.redirect_url.clone().map(|u| ("redirectUrl", u));
        }
    }
    if (300..400).contains(&reply.status) {
        return reply.location.clone().map(|l| ("Location", l));
    }
    None
}

fn pox_email(h: &HttpExchange) -> Option<String> {
    match &h.request.content {
        Content::PoxRequest(p) => p.email.clone(),
        _ => h.request.v2.as_ref().map(|v| v.email.clone()),
    }
}

/// The URL a request asked for, as the client would have written it.
fn asked_url(h: &HttpExchange, host: &str) -> String {
    if h.target.starts_with('/') {
        let name = h.host.as_deref().unwrap_or(host);
        format!("{name}{}", h.target)
    } else {
        h.target
            .split_once("://")
            .map_or(h.target.as_str(), |(_, r)| r)
            .to_string()
    }
}

fn same_url(a: &str, b: &str) -> bool {
    let strip = |u: &str| {
        u.split_once("://")
            .map_or(u, |(_, r)| r)
            .trim_end_matches('/')
            .to_ascii_lowercase()
    };
    strip(a) == strip(b)
}

/// Judges a host's HTTPS stage from its readable exchanges (`mine`), or None when none is an
/// Autodiscover request. `all` is every exchange of the client, for redirect loops; `scheme`
/// (http, or https for decrypted TLS) is how summaries write the URL asked for.
pub fn judge(
    host: &str,
    scheme: &str,
    mine: &[&HttpExchange],
    all: &[&HttpExchange],
) -> Option<Stage> {
    let kind = StageKind::Https;
    let ad: Vec<&HttpExchange> = mine
        .iter()
        .copied()
        .filter(|h| is_autodiscover(h))
        .collect();
    let first = ad.first()?;
    if let Some((h, url)) = ad.iter().find_map(|h| ews_url(h).map(|u| (*h, u))) {
        let mut detail = exchange_detail(h);
        let action = h
            .reply
            .as_ref()
            .and_then(|r| r.pox())
            .and_then(|p| p.action.clone());
        detail.extend(action.map(|a| ("action", a)));
        detail.push(("ews_url", url));
        return Some(Stage::ok(kind, frames(h), detail));
    }
    let Some(last) = ad.iter().rev().find(|h| h.reply.is_some()) else {
        let summary = format!(
            "No answer came back from {host} to {} {}.",
            first.method, first.target
        );
        return Some(Stage::failed(
            kind,
            cause("https.no_response", summary, vec![first.frame]),
            exchange_detail(first),
        ));
    };
    Some(judge_answer(host, scheme, last, &ad, all))
}

fn frames(h: &HttpExchange) -> Vec<u64> {
    let mut f = vec![h.frame];
    f.extend(h.response.as_ref().map(|r| r.0));
    f
}

/// The evidence every renderer shows: the request line and the status line.
fn exchange_detail(h: &HttpExchange) -> Vec<(&'static str, String)> {
    let mut d = vec![("request", format!("{} {}", h.method, h.target))];
    if let Some(e) = pox_email(h) {
        d.push(("email", e));
    }
    if let Some(s) = &h.request.auth_scheme {
        d.push(("auth sent", s.clone()));
    }
    if let Some(r) = &h.reply {
        d.push((
            "response",
            format!("{} {}", r.status, r.reason).trim_end().to_string(),
        ));
        if !r.auth_offered.is_empty() {
            d.push(("auth offered", r.auth_offered.join(", ")));
        }
    }
    d
}

fn judge_answer(
    host: &str,
    scheme: &str,
    last: &HttpExchange,
    mine: &[&HttpExchange],
    all: &[&HttpExchange],
) -> Stage {
    let kind = StageKind::Https;
    let Some(reply) = last.reply.as_ref() else {
        return Stage::not_seen(kind);
    };
    let mut detail = exchange_detail(last);
    let asked = format!("{} {scheme}://{}", last.method, asked_url(last, host));
    let f = frames(last);
    if let Some((how, target)) = redirect_of(last) {
        detail.push(("action", how.to_string()));
        detail.push(("redirect", target.clone()));
        if let Some(c) = redirect_loop(last, how, &target, host, all) {
            return Stage::failed(kind, c, detail);
        }
        let mut s = Stage::ok(kind, f, detail);
        s.redirect = Some(target);
        return s;
    }
    let failed = |c: Cause, detail| Stage::failed(kind, c, detail);
    if let Some(p) = reply.pox()
        && let Some(e) = &p.error
    {
        let code = e.code.clone().unwrap_or_else(|| "(none)".into());
        let message = e.message.clone().unwrap_or_default();
        detail.push((
            "autodiscover error",
            format!("{code} {message}").trim_end().to_string(),
        ));
        let email = pox_email(last)
            .map(|a| format!(" for {a}"))
            .unwrap_or_default();
        let (c, what) = match e.code_number() {
            Some(500) => (
                "autodiscover.email_not_found",
                "the email address cannot be found",
            ),
            Some(600) => (
                "autodiscover.invalid_request",
                "the request was not a valid POX request",
            ),
            _ => ("autodiscover.error", "an Autodiscover error"),
        };
        let summary = format!(
            "{asked}{email} was answered with Autodiscover ErrorCode {code} ({what}); the server said \"{message}\"."
        );
        return failed(cause(c, summary, f), detail);
    }
    if let Content::Ews(e) = &reply.content
        && let Some((code, message)) = e.autodiscover_errors.first()
    {
        detail.push((
            "autodiscover error",
            format!("{code} {message}").trim_end().to_string(),
        ));
        let summary = format!(
            "{asked} was answered with the SOAP Autodiscover ErrorCode {code}; the server said \"{message}\"."
        );
        return failed(cause("autodiscover.error", summary, f), detail);
    }
    let status = reply.status;
    let line = format!("HTTP {status} {}", reply.reason)
        .trim_end()
        .to_string();
    let simple = |code: &str, why: &str| {
        let summary = format!("{asked} was answered {line}{why}.");
        cause(code, summary, f.clone())
    };
    match status {
        401 => failed(auth_cause(&asked, last, reply, mine, f.clone()), detail),
        403 => failed(
            simple("https.forbidden", ": the server refused the request"),
            detail,
        ),
        404 => failed(
            simple(
                "https.not_found",
                ": no Autodiscover at that path (wrong path or virtual directory)",
            ),
            detail,
        ),
        500..=599 => failed(simple("https.server_error", ": a server error"), detail),
        200..=299 => {
            let why = match reply.pox() {
                Some(_) => ", with no EwsUrl in its settings",
                None => ", but not with an Autodiscover document",
            };
            failed(simple("https.no_settings", why), detail)
        }
        _ => failed(simple("https.http_error", ""), detail),
    }
}

/// A 401 judged: credentials refused after the client sent them, no scheme the client can use,
/// or a usable scheme the client never answered.
fn auth_cause(
    asked: &str,
    last: &HttpExchange,
    reply: &HttpResponse,
    mine: &[&HttpExchange],
    frames: Vec<u64>,
) -> Cause {
    let offered = &reply.auth_offered;
    let offered_text = if offered.is_empty() {
        "no scheme (no WWW-Authenticate)".to_string()
    } else {
        offered.join(", ")
    };
    if let Some(sent) = &last.request.auth_scheme {
        let summary = format!(
            "{asked} carried {sent} credentials and was still answered HTTP 401 (offered: {offered_text}): they were refused, or the handshake was not finished."
        );
        return cause("https.auth_rejected", summary, frames);
    }
    // The schemes this client uses: those it sent on this host, else a domain client's own.
    let mut used: Vec<String> = mine
        .iter()
        .filter_map(|h| h.request.auth_scheme.clone())
        .collect();
    used.dedup();
    let needs: Vec<String> = if used.is_empty() {
        INTEGRATED.iter().map(|s| s.to_string()).collect()
    } else {
        used
    };
    let usable = offered
        .iter()
        .any(|o| needs.iter().any(|n| n.eq_ignore_ascii_case(o)));
    if usable {
        let summary = format!(
            "{asked} was answered HTTP 401 offering {offered_text}, and the client sent no credentials after it."
        );
        return cause("https.auth_unanswered", summary, frames);
    }
    let summary = format!(
        "{asked} was answered HTTP 401 offering {offered_text}: the client authenticates with {}, which is not offered.",
        needs.join(" or ")
    );
    cause("https.auth_no_usable_scheme", summary, frames)
}

/// The redirect at `last` goes round (its target was already asked for) or passes the limit.
fn redirect_loop(
    last: &HttpExchange,
    how: &str,
    target: &str,
    host: &str,
    all: &[&HttpExchange],
) -> Option<Cause> {
    let answered_at = last.response.as_ref().map_or(last.frame, |r| r.0);
    let before: Vec<&HttpExchange> = all
        .iter()
        .copied()
        .filter(|h| h.frame <= last.frame)
        .collect();
    let hops: Vec<&HttpExchange> = all
        .iter()
        .copied()
        .filter(|h| h.response.as_ref().is_some_and(|r| r.0 <= answered_at))
        .filter(|h| redirect_of(h).is_some())
        .collect();
    let trail: Vec<String> = hops
        .iter()
        .filter_map(|h| {
            let (_, t) = redirect_of(h)?;
            Some(match pox_email(h) {
                Some(e) => format!("{e} → {t}"),
                None => format!("{} → {t}", asked_url(h, host)),
            })
        })
        .collect();
    let mut evidence: Vec<u64> = hops.iter().flat_map(|h| frames(h)).collect();
    evidence.extend(frames(last));
    let revisited = if how == "redirectAddr" {
        before
            .iter()
            .any(|h| pox_email(h).is_some_and(|e| e.eq_ignore_ascii_case(target)))
    } else {
        before.iter().any(|h| same_url(&asked_url(h, host), target))
    };
    let why = if revisited {
        format!("{target} was already asked for")
    } else if hops.len() > MAX_REDIRECTS {
        format!(
            "{} redirects, more than the {MAX_REDIRECTS} a client follows",
            hops.len()
        )
    } else {
        return None;
    };
    let summary = format!(
        "The Autodiscover redirects go round: {why} ({}).",
        trail.join("; ")
    );
    Some(cause("autodiscover.redirect_loop", summary, evidence))
}

#[cfg(test)]
#[path = "http_stage_tests.rs"]
mod tests;
