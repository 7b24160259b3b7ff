//! One client's share of the exchanges: everything it started, found by its IP address. All
//! clients' views are built in one pass over the exchanges. A DNS server's queries that forward
//! its clients' questions are not its own lookups and stay out of its view.

use std::collections::HashMap;
use std::net::IpAddr;

use crate::flow::ConnId;
use crate::messages::{
    DnsExchange, Exchanges, HttpExchange, KerberosMessage, LdapExchange, TcpConnection, TlsSession,
};

/// The exchanges one client started, in capture order.
pub struct ClientView<'a> {
    pub ip: IpAddr,
    pub dns: Vec<&'a DnsExchange>,
    pub ldap: Vec<&'a LdapExchange>,
    pub tcp: Vec<&'a TcpConnection>,
    pub tls: HashMap<ConnId, &'a TlsSession>,
    pub http: Vec<&'a HttpExchange>,
    pub kerberos: Vec<&'a KerberosMessage>,
}

impl<'a> ClientView<'a> {
    fn empty(ip: IpAddr) -> Self {
        ClientView {
            ip,
            dns: vec![],
            ldap: vec![],
            tcp: vec![],
            tls: HashMap::new(),
            http: vec![],
            kerberos: vec![],
        }
    }

    /// One client's view on its own (a filtering pass; [`views`] builds all at once).
    pub fn new(ex: &'a Exchanges, ip: IpAddr) -> Self {
        views_where(ex, |c| c == ip)
            .pop()
            .unwrap_or_else(|| ClientView::empty(ip))
    }

    /// The part of the view from `frame` on (a later discovery pass): the exchanges and
    /// connections that started there, and the TLS and HTTP on those connections.
    pub fn since(&self, frame: u64) -> ClientView<'a> {
        let tcp: Vec<&'a TcpConnection> = self
            .tcp
            .iter()
            .copied()
            .filter(|c| c.first_frame >= frame)
            .collect();
        let kept = |id: &ConnId| tcp.iter().any(|c| c.id == *id);
        ClientView {
            ip: self.ip,
            dns: self
                .dns
                .iter()
                .copied()
                .filter(|d| d.frame >= frame)
                .collect(),
            ldap: self
                .ldap
                .iter()
                .copied()
                .filter(|l| l.frames.first().is_some_and(|f| *f >= frame))
                .collect(),
            tls: self
                .tls
                .iter()
                .filter(|(id, _)| kept(id))
                .map(|(id, s)| (*id, *s))
                .collect(),
            http: self
                .http
                .iter()
                .copied()
                .filter(|h| kept(&h.conn))
                .collect(),
            kerberos: self
                .kerberos
                .iter()
                .copied()
                .filter(|k| k.frame >= frame)
                .collect(),
            tcp,
        }
    }

    pub fn conn(&self, id: ConnId) -> Option<&'a TcpConnection> {
        self.tcp.iter().copied().find(|c| c.id == id)
    }
}

/// Whether a DNS name is part of an Autodiscover lookup by itself (DC locator, Autodiscover).
fn autodiscover_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.starts_with("_ldap._tcp.")
        || n.starts_with("_autodiscover._tcp.")
        || n.contains("autodiscover")
}

/// The views of the clients worth a chain — every address that started DC-locator, LDAP or
/// Autodiscover traffic — in order of first appearance.
pub fn views(ex: &Exchanges) -> Vec<ClientView<'_>> {
    views_where(ex, |_| true)
}

/// The views of the clients `wanted` picks, in order of first appearance (one pass).
pub fn views_of(ex: &Exchanges, wanted: impl Fn(IpAddr) -> bool) -> Vec<ClientView<'_>> {
    views_where(ex, wanted)
}

/// Queries a DNS server sent on behalf of its clients: the server (an AD DC forwarding to its
/// forwarder, a resolver on a busy host) asks for a name it was asked for moments before. They
/// are the server's work, not a lookup of its own.
pub fn forwarded_queries(ex: &Exchanges) -> std::collections::HashSet<usize> {
    /// How long after a client's query the server's own query for the same name counts as
    /// forwarding it (resolvers forward at once; a second covers a slow first try).
    const FORWARD_WINDOW: crate::capture::Nanos = 2_000_000_000;
    let mut asked: HashMap<(IpAddr, String), Vec<crate::capture::Nanos>> = HashMap::new();
    for d in &ex.dns {
        asked
            .entry((d.server.ip, d.name.to_ascii_lowercase()))
            .or_default()
            .push(d.ts);
    }
    ex.dns
        .iter()
        .enumerate()
        .filter(|(_, d)| {
            asked
                .get(&(d.client.ip, d.name.to_ascii_lowercase()))
                .is_some_and(|times| {
                    times
                        .iter()
                        .any(|t| *t <= d.ts && d.ts.saturating_sub(*t) <= FORWARD_WINDOW)
                })
        })
        .map(|(i, _)| i)
        .collect()
}

fn views_where(ex: &Exchanges, wanted: impl Fn(IpAddr) -> bool) -> Vec<ClientView<'_>> {
    let mut by_ip: HashMap<IpAddr, ClientView<'_>> = HashMap::new();
    let mut first_seen: HashMap<IpAddr, u64> = HashMap::new();
    let mut seen = |ip: IpAddr, frame: u64| {
        let e = first_seen.entry(ip).or_insert(frame);
        *e = (*e).min(frame);
    };
    let forwarded = forwarded_queries(ex);
    for (_, d) in ex
        .dns
        .iter()
        .enumerate()
        .filter(|(i, d)| wanted(d.client.ip) && !forwarded.contains(i))
    {
        if autodiscover_name(&d.name) {
            seen(d.client.ip, d.frame);
        }
        by_ip
            .entry(d.client.ip)
            .or_insert_with(|| ClientView::empty(d.client.ip))
            .dns
            .push(d);
    }
    for l in ex.ldap.iter().filter(|l| wanted(l.client.ip)) {
        seen(l.client.ip, l.frames.first().copied().unwrap_or_default());
        by_ip
            .entry(l.client.ip)
            .or_insert_with(|| ClientView::empty(l.client.ip))
            .ldap
            .push(l);
    }
    let mut owner: HashMap<ConnId, IpAddr> = HashMap::new();
    for c in ex.tcp.iter().filter(|c| wanted(c.client.ip)) {
        if matches!(c.server.port, 389 | 3268 | 636 | 3269) {
            seen(c.client.ip, c.first_frame);
        }
        owner.insert(c.id, c.client.ip);
        by_ip
            .entry(c.client.ip)
            .or_insert_with(|| ClientView::empty(c.client.ip))
            .tcp
            .push(c);
    }
    for t in &ex.tls {
        if let Some(v) = owner.get(&t.conn).and_then(|ip| by_ip.get_mut(ip)) {
            v.tls.insert(t.conn, t);
        }
    }
    for h in &ex.http {
        let Some(ip) = owner.get(&h.conn).copied() else {
            continue;
        };
        // A readable Autodiscover request makes its sender a client, as its DNS query would.
        if super::http_stage::is_autodiscover(h) {
            seen(ip, h.frame);
        }
        if let Some(v) = by_ip.get_mut(&ip) {
            v.http.push(h);
        }
    }
    for k in ex.kerberos.iter().filter(|k| wanted(k.client.ip)) {
        // A client seen only at the KDC (a capture filtered to port 88, or started late).
        if k.from_client {
            seen(k.client.ip, k.frame);
        }
        by_ip
            .entry(k.client.ip)
            .or_insert_with(|| ClientView::empty(k.client.ip))
            .kerberos
            .push(k);
    }
    let mut order: Vec<(u64, IpAddr)> = first_seen.into_iter().map(|(ip, f)| (f, ip)).collect();
    order.sort();
    order
        .into_iter()
        .filter_map(|(_, ip)| by_ip.remove(&ip))
        .collect()
}
