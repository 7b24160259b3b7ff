//! The fallback steps that are not an HTTPS candidate host of their own (AutodiscoverService.cs):
//! the port-80 `GET http://autodiscover.<domain>/autodiscover/autodiscover.xml`, judged by EWS's
//! redirect rule (301/302/303/307 with an https Location whose path matches
//! `/autodiscover/([^/]+/)*autodiscover.xml`), and the `_autodiscover._tcp.<domain>` SRV query
//! when it gave no port-443 target. Each is shown as an attempt with its outcome and frames.

use super::causes::cause;
use super::client::ClientView;
use super::directory::connection_stage;
use super::dns_stage;
use super::model::{Attempt, Origin, Stage, StageKind, frame_set};
use crate::messages::{HttpExchange, TcpConnection};
use crate::proto::dns::DnsData;

/// The redirect statuses EWS follows.
const REDIRECTS: [u16; 4] = [301, 302, 303, 307];

/// Whether a path matches EWS's unanchored, case-insensitive
/// `/autodiscover/([^/]+/)*autodiscover.xml` (the `.` there is any character).
pub fn redirect_path_matches(path: &str) -> bool {
    let p = path.to_ascii_lowercase();
    let bytes = p.as_bytes();
    let tail = |at: usize| {
        bytes.len() >= at + 16
            && &bytes[at..at + 12] == b"autodiscover"
            && &bytes[at + 13..at + 16] == b"xml"
    };
    p.match_indices("/autodiscover/").any(|(start, m)| {
        let mut at = start + m.len();
        loop {
            if tail(at) {
                return true;
            }
            // One more `[^/]+/` segment, or no match from this start.
            match p[at..].find('/') {
                Some(0) | None => return false,
                Some(i) => at += i + 1,
            }
        }
    })
}

/// The path of an absolute URL (`/` when it has none), without query or fragment.
fn url_path(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.split(['?', '#']).next().unwrap_or("");
    rest.find('/').map_or("/", |i| &rest[i..])
}

/// How EWS judges a port-80 answer: Ok(location) for a redirect it follows, else the cause code
/// and what was wrong.
pub fn judge_redirect(
    status: u16,
    location: Option<&str>,
) -> Result<String, (&'static str, String)> {
    if !REDIRECTS.contains(&status) {
        return Err((
            "http.not_redirect",
            format!(
                "answered HTTP {status}, not a redirect (EWS counts only 301, 302, 303 and 307)"
            ),
        ));
    }
    let Some(loc) = location else {
        return Err((
            "http.redirect_insecure",
            format!("answered HTTP {status} without a Location header"),
        ));
    };
    let https = loc
        .get(..8)
        .is_some_and(|p| p.eq_ignore_ascii_case("https://"));
    if !https {
        return Err((
            "http.redirect_insecure",
            format!("redirects ({status}) to {loc}, which is not https"),
        ));
    }
    if !redirect_path_matches(url_path(loc)) {
        return Err((
            "http.redirect_insecure",
            format!(
                "redirects ({status}) to {loc}, whose path does not match /autodiscover/([^/]+/)*autodiscover.xml"
            ),
        ));
    }
    Ok(format!("{status} → {loc}"))
}

/// The port-80 step to `autodiscover.<domain>`, or None when the client never tried it.
pub fn port80_attempt(view: &ClientView, domain: &str) -> Option<Attempt> {
    let host = format!("autodiscover.{domain}").to_ascii_lowercase();
    let (lookups, addresses) = dns_stage::address_lookups(view, &host);
    let for_host = |h: &HttpExchange| {
        h.host.as_deref().is_some_and(|v| {
            v.split(':')
                .next()
                .is_some_and(|n| n.eq_ignore_ascii_case(&host))
        })
    };
    let conns: Vec<&TcpConnection> = view
        .tcp
        .iter()
        .copied()
        .filter(|c| {
            c.server.port == 80
                && (addresses.contains(&c.server.ip)
                    || view.http.iter().any(|h| h.conn == c.id && for_host(h)))
        })
        .collect();
    if conns.is_empty() {
        return None;
    }
    let dns = dns_stage::judge(StageKind::ScpUrlDns, &lookups, |a| {
        matches!(a, DnsData::Address(_))
    });
    let connect = connection_stage(StageKind::HttpsConnect, &conns, &format!("{host} port 80"));
    let requests: Vec<&HttpExchange> = view
        .http
        .iter()
        .copied()
        .filter(|h| conns.iter().any(|c| c.id == h.conn))
        .collect();
    let get = requests
        .iter()
        .find(|h| {
            h.method.eq_ignore_ascii_case("GET") && redirect_path_matches(url_path(&h.target))
        })
        .or(requests.first());
    // A POX or v2 request sent in clear (not EWS's GET probe) is judged as any readable
    // Autodiscover exchange; the GET probe by EWS's redirect rule.
    let answered_in_clear = requests
        .iter()
        .any(|h| !h.method.eq_ignore_ascii_case("GET") || h.request.v2.is_some());
    let judged = answered_in_clear
        .then(|| super::http_stage::judge(&host, "http", &requests, &view.http))
        .flatten();
    let answer = match (judged, get) {
        (Some(stage), _) => stage,
        (None, Some(h)) => http_stage(&host, h),
        (None, None) => Stage::not_seen(StageKind::Https),
    };
    let mut stages = vec![
        dns,
        connect,
        Stage::not_seen(StageKind::TlsHandshake),
        answer,
    ];
    for s in &mut stages {
        s.detail.insert(0, ("host", host.clone()));
    }
    if let Some(first) = stages.first_mut() {
        first
            .detail
            .insert(1, ("from", Origin::Port80.title().to_string()));
    }
    Some(Attempt {
        host,
        origin: Origin::Port80,
        stages,
    })
}

/// The port-80 answer judged by EWS's redirect rule (shown in the https column).
fn http_stage(host: &str, h: &HttpExchange) -> Stage {
    let kind = StageKind::Https;
    let mut detail = vec![("request", format!("{} {}", h.method, h.target))];
    let Some((frame, status, location)) = &h.response else {
        let summary = format!("The port-80 request to {host} was never answered.");
        return Stage::failed(
            kind,
            cause("http.no_response", summary, vec![h.frame]),
            detail,
        );
    };
    let frames = vec![h.frame, *frame];
    match judge_redirect(*status, location.as_deref()) {
        Ok(what) => {
            detail.push(("response", what));
            Stage::ok(kind, frames, detail)
        }
        Err((code, what)) => {
            detail.push((
                "response",
                format!("{status} {}", location.clone().unwrap_or_default()),
            ));
            // The URL the client asked for, as it asked (the GET's target is a path).
            let asked = if h.target.starts_with('/') {
                format!("http://{host}{}", h.target)
            } else {
                h.target.clone()
            };
            let summary = format!("{asked} {what}.");
            Stage::failed(kind, cause(code, summary, frames), detail)
        }
    }
}

/// The `_autodiscover._tcp.<domain>` SRV query when it gave no port-443 target (NXDOMAIN, no
/// answer, only other ports), as an attempt that failed before any host; None when it gave a
/// target (that host is an attempt of its own) or was never sent.
pub fn srv_query_attempt(view: &ClientView, domain: &str) -> Option<Attempt> {
    let name = format!("_autodiscover._tcp.{domain}");
    let lookups: Vec<_> = view
        .dns
        .iter()
        .copied()
        .filter(|d| d.qtype == "SRV" && d.name.trim_end_matches('.').eq_ignore_ascii_case(&name))
        .collect();
    if lookups.is_empty() {
        return None;
    }
    let is_443 = |a: &DnsData| matches!(a, DnsData::Srv { port: 443, .. });
    if lookups.iter().any(|d| dns_stage::answered(d, is_443)) {
        return None;
    }
    let mut dns = dns_stage::judge(StageKind::ScpUrlDns, &lookups, is_443);
    let other_ports: Vec<String> = lookups
        .iter()
        .flat_map(|d| d.response.iter().flat_map(|r| &r.answers))
        .filter_map(|a| match &a.data {
            DnsData::Srv { target, port, .. } => Some(format!("{target}:{port}")),
            _ => None,
        })
        .collect();
    if !other_ports.is_empty() {
        let frames = frame_set(
            lookups
                .iter()
                .flat_map(|d| dns_stage::lookup_frames(d))
                .collect(),
        );
        let summary = format!(
            "{name} names only targets on other ports ({}): EWS takes only port-443 targets.",
            other_ports.join(", ")
        );
        let detail = std::mem::take(&mut dns.detail);
        dns = Stage::failed(
            StageKind::ScpUrlDns,
            cause("srv.no_port_443", summary, frames),
            detail,
        );
    }
    let mut stages = vec![
        dns,
        Stage::not_seen(StageKind::HttpsConnect),
        Stage::not_seen(StageKind::TlsHandshake),
        Stage::not_seen(StageKind::Https),
    ];
    for s in &mut stages {
        s.detail.insert(0, ("host", name.clone()));
    }
    if let Some(first) = stages.first_mut() {
        first
            .detail
            .insert(1, ("from", Origin::Srv.title().to_string()));
    }
    Some(Attempt {
        host: name,
        origin: Origin::Srv,
        stages,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ews_redirect_path_rule() {
        assert!(redirect_path_matches("/autodiscover/autodiscover.xml"));
        assert!(redirect_path_matches("/Autodiscover/Autodiscover.xml"));
        assert!(redirect_path_matches("/autodiscover/a/b/autodiscover.xml"));
        assert!(
            redirect_path_matches("/x/autodiscover/autodiscover.xml"),
            "unanchored"
        );
        assert!(!redirect_path_matches("/autodiscover/autodiscover.svc"));
        assert!(!redirect_path_matches("/owa/"));
        assert!(
            !redirect_path_matches("/autodiscover//autodiscover.xml"),
            "empty segment"
        );
        assert!(!redirect_path_matches("/"));
    }

    #[test]
    fn ews_redirect_rule() {
        assert_eq!(
            judge_redirect(
                302,
                Some("https://mail.contoso.test/autodiscover/autodiscover.xml")
            ),
            Ok("302 → https://mail.contoso.test/autodiscover/autodiscover.xml".into())
        );
        for s in [301, 303, 307] {
            assert!(
                judge_redirect(s, Some("https://m.test/Autodiscover/Autodiscover.xml")).is_ok()
            );
        }
        assert_eq!(
            judge_redirect(200, None).map_err(|e| e.0),
            Err("http.not_redirect")
        );
        assert_eq!(
            judge_redirect(308, Some("https://m.test/autodiscover/autodiscover.xml"))
                .map_err(|e| e.0),
            Err("http.not_redirect"),
            "308 is not in EWS's list"
        );
        let insecure = judge_redirect(302, Some("http://m.test/autodiscover/autodiscover.xml"));
        assert!(matches!(&insecure, Err(("http.redirect_insecure", w)) if w.contains("not https")));
        let wrong_path = judge_redirect(
            301,
            Some("https://m.test/owa/?x=/autodiscover/autodiscover.xml"),
        );
        assert!(
            matches!(&wrong_path, Err(("http.redirect_insecure", w)) if w.contains("path does not match")),
            "the query is not part of the path: {wrong_path:?}"
        );
    }
}
