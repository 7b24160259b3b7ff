//! The Autodiscover candidate hosts in EWS order (SCP URLs, `<domain>`, `autodiscover.<domain>`,
//! the port-80 redirect target, `_autodiscover._tcp` SRV targets, hosts of Autodiscover requests
//! decrypted with the TLS key log) and, per host the client tried, its DNS, TCP 443, TLS and
//! HTTPS steps.

use std::net::IpAddr;

use super::causes::{cause, tls_alert};
use super::certificate;
use super::client::ClientView;
use super::directory::connection_stage;
use super::dns_stage;
use super::http_stage;
use super::model::{Attempt, Cause, Origin, Severity, Stage, StageKind, StageStatus, frame_set};
use crate::flow::Side;
use crate::messages::{HttpExchange, TcpConnection, TlsSession};
use crate::proto::dns::DnsData;
pub use crate::proto::names::url_host;

/// The candidates in the order EWS tries them, without duplicates.
pub fn candidates(
    view: &ClientView,
    domain: Option<&str>,
    smtp_domain: Option<&str>,
    scp_urls: &[String],
    sealed_from: Option<u64>,
) -> Vec<(String, u16, Origin)> {
    let mut out: Vec<(String, u16, Origin)> = Vec::new();
    let mut add = |host: String, port: u16, origin: Origin| {
        if !out.iter().any(|(h, _, _)| *h == host) {
            out.push((host, port, origin));
        }
    };
    for url in scp_urls
        .iter()
        .filter(|u| u.to_ascii_lowercase().starts_with("http"))
    {
        if let Some((h, p)) = url_host(url) {
            add(h, p, Origin::Scp);
        }
    }
    if let Some(d) = smtp_domain.or(domain) {
        add(d.to_string(), 443, Origin::Domain);
        add(format!("autodiscover.{d}"), 443, Origin::AutodiscoverDomain);
        for h in &view.http {
            let location = h.response.as_ref().and_then(|r| r.2.as_deref());
            if let Some((host, port)) = location.and_then(url_host) {
                add(host, port, Origin::Redirect);
            }
            // An Autodiscover redirect in the XML is followed the same way: redirectUrl names
            // the next URL, redirectAddr the next address, whose domain has its own fallbacks.
            match http_stage::redirect_of(h) {
                Some(("redirectUrl", url)) => {
                    if let Some((host, port)) = url_host(&url) {
                        add(host, port, Origin::Redirect);
                    }
                }
                Some(("redirectAddr", addr)) => {
                    if let Some((_, other)) = addr.rsplit_once('@') {
                        let other = other.to_ascii_lowercase();
                        add(other.clone(), 443, Origin::Domain);
                        add(
                            format!("autodiscover.{other}"),
                            443,
                            Origin::AutodiscoverDomain,
                        );
                    }
                }
                _ => {}
            }
        }
        // Fallback names of another SMTP domain the capture shows the client using.
        for q in &view.dns {
            let name = q.name.to_ascii_lowercase();
            if let Some(other) = name.strip_prefix("autodiscover.") {
                add(other.to_string(), 443, Origin::Domain);
                add(name.clone(), 443, Origin::AutodiscoverDomain);
            }
        }
        let srv_name = format!("_autodiscover._tcp.{d}");
        for d in view
            .dns
            .iter()
            .filter(|d| d.name.eq_ignore_ascii_case(&srv_name))
        {
            for a in d.response.iter().flat_map(|r| &r.answers) {
                if let DnsData::Srv { target, port, .. } = &a.data {
                    add(target.to_ascii_lowercase(), *port, Origin::Srv);
                }
            }
        }
    }
    // The request itself ties a host to the lookup once the key log has opened its HTTPS.
    for h in view.http.iter().filter(|h| h.decrypted) {
        if h.target.to_ascii_lowercase().contains("/autodiscover")
            && let Some(host) = h.host.as_deref().and_then(|v| v.split(':').next())
        {
            add(host.to_ascii_lowercase(), 443, Origin::Request);
        }
    }
    if let Some(sealed) = sealed_from {
        let inferred = inferred_scp_hosts(view, sealed, &out);
        out.splice(
            0..0,
            inferred.into_iter().map(|h| (h, 443, Origin::ScpInferred)),
        );
    }
    out
}

/// Hosts the client went to after its LDAP turned sealed that the evidence ties to Autodiscover:
/// a name with `autodiscover` in it (other than the standard fallbacks), looked up or sent as a
/// TLS SNI. Any other host (wpad, a CDN, windowsupdate) may have nothing to do with the SCP, and
/// a guess is never a candidate.
fn inferred_scp_hosts(
    view: &ClientView,
    sealed: u64,
    known: &[(String, u16, Origin)],
) -> Vec<String> {
    let looked_up = view
        .dns
        .iter()
        .filter(|d| d.frame > sealed && matches!(d.qtype.as_str(), "A" | "AAAA"))
        .map(|d| d.name.to_ascii_lowercase());
    let sni = view
        .tls
        .values()
        .filter_map(|s| s.client_hello.as_ref())
        .filter(|h| h.0 > sealed)
        .filter_map(|h| h.1.as_deref().map(str::to_ascii_lowercase));
    let mut hosts: Vec<String> = Vec::new();
    for host in looked_up.chain(sni) {
        if host.contains("autodiscover")
            && !known.iter().any(|(h, _, _)| *h == host)
            && !hosts.contains(&host)
        {
            hosts.push(host);
        }
    }
    hosts
}

/// Labels the failures that are expected noise: `https://<domain>` where the domain's address
/// records are the domain controllers (AD registers them), which serve no HTTPS. The failure
/// stays in the attempt, as information.
pub fn label_expected_noise(view: &ClientView, attempts: &mut [Attempt]) {
    let dcs: Vec<IpAddr> = view
        .ldap
        .iter()
        .map(|l| l.server.ip)
        .chain(view.kerberos.iter().map(|k| k.server.ip))
        .chain(view.dns.iter().map(|d| d.server.ip))
        .collect();
    for a in attempts.iter_mut().filter(|a| a.origin == Origin::Domain) {
        let (_, addresses) = dns_stage::address_lookups(view, &a.host);
        if addresses.is_empty() || !addresses.iter().all(|ip| dcs.contains(ip)) {
            continue;
        }
        let host = a.host.clone();
        for s in a.stages.iter_mut() {
            if let Some(c) = s.cause.as_mut() {
                c.severity = Severity::Info;
                c.summary = format!(
                    "{} Expected: {host} resolves to the domain controllers, which serve no \
                     HTTPS; EWS tries it as a fallback.",
                    c.summary
                );
            }
        }
    }
}

fn tls_version_13(s: &TlsSession) -> bool {
    s.server_hello.as_ref().is_some_and(|(_, v)| *v == 0x0304)
}

/// The client's records that end its handshake: TLS 1.3 wraps Finished in application data.
fn client_handshake_records(s: &TlsSession) -> usize {
    if tls_version_13(s) { 2 } else { 1 }
}

fn tls_stage(host: &str, conn: &TcpConnection, s: &TlsSession) -> Stage {
    let mut frames: Vec<u64> = s.client_hello.iter().map(|c| c.0).collect();
    frames.extend(s.server_hello.iter().map(|c| c.0));
    frames.extend(s.certificate.iter().map(|c| c.0));
    let mut detail = vec![("server", conn.server.to_string())];
    if let Some((_, sni, _)) = &s.client_hello {
        detail.push(("sni", sni.clone().unwrap_or_else(|| "(none)".into())));
    }
    if let Some((_, v)) = s.server_hello {
        detail.push(("version", crate::proto::tls::version_name(v)));
    }
    let needed = client_handshake_records(s);
    let handshake_ok = s.server_hello.is_some() && s.client_app_frames.len() >= needed;
    let cert = certificate::judge(s, Some(host), handshake_ok);
    detail.extend(cert.detail);
    let mut notes = cert.findings;
    let mut stage = tls_outcome(host, conn, s, frames, detail, &mut notes);
    stage.notes = notes;
    stage
}

/// The handshake's outcome. A readable client alert stays the cause (the certificate findings
/// explain it); an encrypted one gives way to a certificate failure found in clear; a client that closed without an alert is explained by a certificate failure when one
/// was found, which is then taken out of `notes`.
fn tls_outcome(
    host: &str,
    conn: &TcpConnection,
    s: &TlsSession,
    mut frames: Vec<u64>,
    detail: Vec<(&'static str, String)>,
    notes: &mut Vec<Cause>,
) -> Stage {
    let kind = StageKind::TlsHandshake;
    let needed = client_handshake_records(s);
    if s.server_hello.is_some() && s.client_app_frames.len() >= needed {
        frames.extend(s.client_app_frames.get(needed - 1));
        return Stage::ok(kind, frames, detail);
    }
    if let Some((side, frame, alert)) = s.alerts.first() {
        frames.push(*frame);
        // An encrypted alert from the client carries no readable reason: a certificate failure
        // found in clear is the reason (OpenSSL checks the name after the handshake, then alerts).
        let failed_cert = notes.iter().position(|n| n.severity == Severity::Failure);
        if let (Side::Client, None, Some(i)) = (side, alert, failed_cert) {
            let mut c = notes.remove(i);
            c.summary = format!(
                "{} The client then ended the connection with an encrypted alert.",
                c.summary
            );
            c.frames = frame_set(frames);
            return Stage::failed(kind, c, detail);
        }
        let sender = if *side == Side::Client {
            "client"
        } else {
            "server"
        };
        return Stage::failed(kind, tls_alert(*alert, sender, host, frames), detail);
    }
    if s.client_hello.is_none() {
        return Stage::not_seen(kind);
    }
    if s.server_hello.is_none() {
        let summary = format!("{} never answered the ClientHello for {host}.", conn.server);
        frames.extend(conn.reset.map(|r| r.1));
        return Stage::failed(kind, cause("tls.no_server_hello", summary, frames), detail);
    }
    let closer = conn
        .fins
        .iter()
        .find(|f| f.0 == Side::Client)
        .map(|f| f.1)
        .or(conn.reset.filter(|r| r.0 == Side::Client).map(|r| r.1));
    let Some(f) = closer else {
        return Stage::not_seen(kind);
    };
    frames.push(f);
    if let Some(i) = notes.iter().position(|n| n.severity == Severity::Failure) {
        let mut c = notes.remove(i);
        c.summary = format!(
            "{} The client then closed the connection without an alert.",
            c.summary
        );
        c.frames = frame_set(frames);
        return Stage::failed(kind, c, detail);
    }
    let summary = format!(
        "The client closed the connection to {host} during the TLS handshake without an alert (certificate rejected?)."
    );
    Stage::failed(
        kind,
        cause("tls.aborted_by_client", summary, frames),
        detail,
    )
}

fn https_stage(host: &str, s: &TlsSession) -> Stage {
    let kind = StageKind::Https;
    let sent = s
        .client_app_frames
        .get(client_handshake_records(s) - 1)
        .copied();
    let request = if tls_version_13(s) {
        s.client_app_frames.get(2).copied().or(sent)
    } else {
        sent
    };
    match (request, s.server_app_last) {
        (Some(req), Some(resp)) if resp > req => {
            let detail = vec![
                ("client records", s.client_app_records.to_string()),
                ("server records", s.server_app_records.to_string()),
            ];
            Stage::ok(kind, vec![req, resp], detail)
        }
        (Some(req), _) => {
            let summary = format!("No HTTPS response came back from {host} after the handshake.");
            Stage::failed(kind, cause("https.no_response", summary, vec![req]), vec![])
        }
        _ => Stage::not_seen(kind),
    }
}

/// The steps of one candidate host, or None when the client never tried it.
pub fn attempt(view: &ClientView, host: &str, port: u16, origin: Origin) -> Option<Attempt> {
    let (lookups, addresses) = dns_stage::address_lookups(view, host);
    let sni_of = |c: &TcpConnection| {
        view.tls
            .get(&c.id)
            .and_then(|s| s.client_hello.as_ref())
            .and_then(|h| h.1.as_deref())
            .is_some_and(|n| n.eq_ignore_ascii_case(host))
    };
    let conns: Vec<&TcpConnection> = view
        .tcp
        .iter()
        .copied()
        .filter(|c| c.server.port == port && (addresses.contains(&c.server.ip) || sni_of(c)))
        .collect();
    if lookups.is_empty() && conns.is_empty() {
        return None;
    }
    let dns = dns_stage::judge(StageKind::ScpUrlDns, &lookups, |a| {
        matches!(a, DnsData::Address(_))
    });
    let mut stages = vec![dns];
    let connect = connection_stage(
        StageKind::HttpsConnect,
        &conns,
        &format!("{host} port {port}"),
    );
    let connected = connect.status == StageStatus::Ok;
    stages.push(connect);
    // The connection whose TLS got furthest decides the TLS and HTTPS stages.
    let sessions: Vec<(&TcpConnection, &TlsSession)> = conns
        .iter()
        .filter_map(|c| view.tls.get(&c.id).map(|s| (*c, *s)))
        .collect();
    let tls_judged: Vec<(Stage, Stage)> = sessions
        .iter()
        .map(|(c, s)| (tls_stage(host, c, s), https_stage(host, s)))
        .collect();
    let best = tls_judged
        .iter()
        .find(|(_, h)| h.status == StageStatus::Ok)
        .or_else(|| tls_judged.iter().find(|(t, _)| t.status == StageStatus::Ok))
        .or_else(|| {
            tls_judged
                .iter()
                .find(|(t, _)| t.status == StageStatus::Failed)
        })
        .cloned();
    match (connected, best) {
        (true, Some((tls, https))) => {
            let https = if tls.status == StageStatus::Ok {
                https
            } else {
                Stage::not_seen(StageKind::Https)
            };
            stages.push(tls);
            stages.push(https);
        }
        _ => {
            stages.push(Stage::not_seen(StageKind::TlsHandshake));
            stages.push(Stage::not_seen(StageKind::Https));
        }
    }
    // Readable HTTP on the host's connections (clear, or decrypted) judges the HTTPS stage by
    // what was answered, not by how many records came back.
    let readable: Vec<&HttpExchange> = view
        .http
        .iter()
        .copied()
        .filter(|h| conns.iter().any(|c| c.id == h.conn))
        .collect();
    let scheme = if conns.iter().any(|c| view.tls.contains_key(&c.id)) {
        "https"
    } else {
        "http"
    };
    if connected
        && let Some(mut judged) = http_stage::judge(host, scheme, &readable, &view.http)
        && let Some(last) = stages.last_mut()
    {
        if readable.iter().any(|h| h.decrypted) {
            judged
                .detail
                .push(("read", "decrypted with the TLS key log".to_string()));
        }
        *last = judged;
    }
    for s in &mut stages {
        s.detail.insert(0, ("host", host.to_string()));
    }
    if let Some(first) = stages.first_mut() {
        first.detail.insert(1, ("from", origin.title().to_string()));
    }
    Some(Attempt {
        host: host.to_string(),
        origin,
        stages,
    })
}

/// HTTPS servers the client connected to (after `after`, the first sealed frame) that no
/// candidate host accounts for, each as information with what happened: where the SCP search
/// cannot be read, one of them may be its URL, but the capture does not say which, so none of
/// them is judged as the SCP host.
pub fn untied_hosts(view: &ClientView, attempts: &[Attempt], after: Option<u64>) -> Vec<Cause> {
    let tied_ips: Vec<IpAddr> = attempts
        .iter()
        .flat_map(|a| dns_stage::address_lookups(view, &a.host).1)
        .collect();
    let sni_of = |c: &TcpConnection| {
        view.tls
            .get(&c.id)
            .and_then(|s| s.client_hello.as_ref())
            .and_then(|h| h.1.clone())
    };
    let mut servers: Vec<crate::flow::Endpoint> = Vec::new();
    for c in view
        .tcp
        .iter()
        .filter(|c| c.server.port == 443 && after.is_none_or(|f| c.first_frame > f))
    {
        let sni = sni_of(c);
        let tied = tied_ips.contains(&c.server.ip)
            || sni
                .as_deref()
                .is_some_and(|n| attempts.iter().any(|a| a.host.eq_ignore_ascii_case(n)));
        if !tied && !servers.contains(&c.server) {
            servers.push(c.server);
        }
    }
    servers
        .into_iter()
        .map(|server| {
            let conns: Vec<&TcpConnection> = view
                .tcp
                .iter()
                .copied()
                .filter(|c| c.server == server)
                .collect();
            let name = conns
                .iter()
                .find_map(|c| sni_of(c))
                .or_else(|| {
                    view.dns.iter().find_map(|d| {
                        d.response.as_ref()?.answers.iter().find_map(|a| {
                            matches!(a.data, DnsData::Address(ip) if ip == server.ip)
                                .then(|| d.name.to_ascii_lowercase())
                        })
                    })
                })
                .unwrap_or_else(|| server.ip.to_string());
            let connect = connection_stage(StageKind::HttpsConnect, &conns, &name);
            let answered = conns.iter().any(|c| {
                view.tls
                    .get(&c.id)
                    .is_some_and(|s| s.client_app_records > 0 && s.server_app_records > 0)
            });
            let outcome = match (&connect.cause, answered) {
                (_, true) => "HTTPS was answered".to_string(),
                (Some(c), false) => c.summary.clone(),
                (None, false) => "the connection opened, but no HTTPS exchange completed".into(),
            };
            let mut frames: Vec<u64> = conns.iter().map(|c| c.first_frame).collect();
            frames.extend(connect.frames.iter().copied());
            let mut c = cause(
                "https.untied_host",
                format!(
                    "The client connected to {name} ({server}), which nothing in the capture ties \
                     to Autodiscover (the SCP search cannot be read): {outcome}"
                ),
                frame_set(frames),
            );
            c.severity = Severity::Info;
            c
        })
        .collect()
}
