//! One client's share of the exchanges: everything it started, found by its IP address. All
//! clients' views are built in one pass over the exchanges. A DNS server's queries that forward
//! its clients' questions are not its own lookups and stay out of its view.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;

use crate::fast_hash::{FastMap, FastSet};
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
    let prefix = "_ldap._tcp.";
    let dc_locator = name
        .get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix));
    dc_locator || contains_ignore_case(name, "autodiscover")
}

/// Whether `hay` contains `needle`, ASCII case ignored, without a lowered copy.
pub(crate) fn contains_ignore_case(hay: &str, needle: &str) -> bool {
    needle.is_empty()
        || hay
            .as_bytes()
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// The views of the clients worth a chain — every address that started DC-locator, LDAP or
/// Autodiscover traffic — in order of first appearance.
pub fn views(ex: &Exchanges) -> Vec<ClientView<'_>> {
    views_where(ex, |_| true)
}

/// Queries a DNS server sent on behalf of its clients: the server (an AD DC forwarding to its
/// forwarder, a resolver on a busy host) asks for a name it was asked for moments before. They
/// are the server's work, not a lookup of its own.
///
/// Only the queries of an address that is itself some client's DNS server can be forwarded,
/// so a capture without such a server costs one pass and no allocation per exchange; names
/// are compared case-insensitively in place.
pub fn forwarded_queries(ex: &Exchanges) -> HashSet<usize> {
    /// How long after a client's query the server's own query for the same name counts as
    /// forwarding it (resolvers forward at once; a second covers a slow first try).
    const FORWARD_WINDOW: crate::capture::Nanos = 2_000_000_000;
    let servers: FastSet<IpAddr> = ex.dns.iter().map(|d| d.server.ip).collect();
    // The queries servers sent themselves, by what they asked: (server, name).
    let mut candidates: FastMap<(IpAddr, NoCase<'_>), Vec<usize>> = FastMap::default();
    for (i, d) in ex.dns.iter().enumerate() {
        if servers.contains(&d.client.ip) {
            candidates
                .entry((d.client.ip, NoCase(&d.name)))
                .or_default()
                .push(i);
        }
    }
    let mut forwarded = HashSet::new();
    if candidates.is_empty() {
        return forwarded;
    }
    // Each query to such a server for such a name marks the server's queries for it that
    // followed within the window.
    for asked in &ex.dns {
        let Some(own) = candidates.get(&(asked.server.ip, NoCase(&asked.name))) else {
            continue;
        };
        for i in own {
            if let Some(d) = ex.dns.get(*i)
                && asked.ts <= d.ts
                && d.ts - asked.ts <= FORWARD_WINDOW
            {
                forwarded.insert(*i);
            }
        }
    }
    forwarded
}

/// A DNS name hashed and compared without regard to ASCII case, borrowed.
#[derive(Debug, Clone, Copy)]
struct NoCase<'a>(&'a str);

impl PartialEq for NoCase<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(other.0)
    }
}

impl Eq for NoCase<'_> {}

impl std::hash::Hash for NoCase<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        for b in self.0.bytes() {
            state.write_u8(b.to_ascii_lowercase());
        }
        state.write_usize(self.0.len());
    }
}

fn views_where(ex: &Exchanges, wanted: impl Fn(IpAddr) -> bool) -> Vec<ClientView<'_>> {
    let forwarded = forwarded_queries(ex);
    let order = clients_in_order(ex, &wanted, &forwarded);
    views_of_clients(ex, &order, &forwarded)
}

/// The views of every client, `batch` at a time in order of first appearance, each batch
/// handed to `f` before the next is built: the views of a flood's hundreds of thousands of
/// clients are never all in memory at once. The exchanges are sorted into their client's
/// batch in one pass (an index each), so each batch reads only its own.
pub fn views_in_batches<'a>(
    ex: &'a Exchanges,
    batch: usize,
    mut f: impl FnMut(Vec<ClientView<'a>>),
) {
    let batch = batch.max(1);
    let forwarded = forwarded_queries(ex);
    let order = clients_in_order(ex, &|_| true, &forwarded);
    let batch_of: HashMap<IpAddr, usize> = order
        .iter()
        .enumerate()
        .map(|(i, ip)| (*ip, i / batch))
        .collect();
    let mut parts: Vec<Records<'a>> = (0..order.len().div_ceil(batch))
        .map(|_| Records::default())
        .collect();
    for (i, d) in ex.dns.iter().enumerate() {
        if let Some(p) =
            part(&mut parts, &batch_of, &d.client.ip).filter(|_| !forwarded.contains(&i))
        {
            p.dns.push(d);
        }
    }
    for l in &ex.ldap {
        if let Some(p) = part(&mut parts, &batch_of, &l.client.ip) {
            p.ldap.push(l);
        }
    }
    let mut conn_batch: HashMap<ConnId, usize> = HashMap::new();
    for c in &ex.tcp {
        if let Some(b) = batch_of.get(&c.client.ip) {
            conn_batch.insert(c.id, *b);
        }
        if let Some(p) = part(&mut parts, &batch_of, &c.client.ip) {
            p.tcp.push(c);
        }
    }
    for k in &ex.kerberos {
        if let Some(p) = part(&mut parts, &batch_of, &k.client.ip) {
            p.kerberos.push(k);
        }
    }
    for t in &ex.tls {
        if let Some(p) = conn_batch.get(&t.conn).and_then(|b| parts.get_mut(*b)) {
            p.tls.push(t);
        }
    }
    for h in &ex.http {
        if let Some(p) = conn_batch.get(&h.conn).and_then(|b| parts.get_mut(*b)) {
            p.http.push(h);
        }
    }
    for (clients, records) in order.chunks(batch).zip(parts) {
        f(views_from(clients, records));
    }
}

/// The records of the batch `ip` is in.
fn part<'p, 'a>(
    parts: &'p mut [Records<'a>],
    batch_of: &HashMap<IpAddr, usize>,
    ip: &IpAddr,
) -> Option<&'p mut Records<'a>> {
    batch_of.get(ip).and_then(|b| parts.get_mut(*b))
}

/// Exchanges to sort into views (all of them, or one batch's).
#[derive(Default)]
struct Records<'a> {
    dns: Vec<&'a DnsExchange>,
    ldap: Vec<&'a LdapExchange>,
    tcp: Vec<&'a TcpConnection>,
    tls: Vec<&'a TlsSession>,
    http: Vec<&'a HttpExchange>,
    kerberos: Vec<&'a KerberosMessage>,
}

/// The clients worth a view — every address `wanted` picks that started DC-locator, LDAP,
/// Kerberos or Autodiscover traffic — in order of first appearance.
fn clients_in_order(
    ex: &Exchanges,
    wanted: &impl Fn(IpAddr) -> bool,
    forwarded: &HashSet<usize>,
) -> Vec<IpAddr> {
    let mut first_seen: HashMap<IpAddr, u64> = HashMap::new();
    let mut seen = |ip: IpAddr, frame: u64| {
        if wanted(ip) {
            let e = first_seen.entry(ip).or_insert(frame);
            *e = (*e).min(frame);
        }
    };
    for (i, d) in ex.dns.iter().enumerate() {
        if autodiscover_name(&d.name) && !forwarded.contains(&i) {
            seen(d.client.ip, d.frame);
        }
    }
    for l in &ex.ldap {
        seen(l.client.ip, l.frames.first().copied().unwrap_or_default());
    }
    let mut owner: HashMap<ConnId, IpAddr> = HashMap::new();
    for c in &ex.tcp {
        if matches!(c.server.port, 389 | 3268 | 636 | 3269) {
            seen(c.client.ip, c.first_frame);
        }
        owner.insert(c.id, c.client.ip);
    }
    for h in &ex.http {
        // A readable Autodiscover request makes its sender a client, as its DNS query would.
        if let Some(ip) = owner.get(&h.conn)
            && super::http_stage::is_autodiscover(h)
        {
            seen(*ip, h.frame);
        }
    }
    for k in &ex.kerberos {
        // A client seen only at the KDC (a capture filtered to port 88, or started late).
        if k.from_client {
            seen(k.client.ip, k.frame);
        }
    }
    let mut order: Vec<(u64, IpAddr)> = first_seen.into_iter().map(|(ip, f)| (f, ip)).collect();
    order.sort();
    order.into_iter().map(|(_, ip)| ip).collect()
}

/// The views of `clients`, in their order, in one pass over the exchanges.
fn views_of_clients<'a>(
    ex: &'a Exchanges,
    clients: &[IpAddr],
    forwarded: &HashSet<usize>,
) -> Vec<ClientView<'a>> {
    let records = Records {
        dns: ex
            .dns
            .iter()
            .enumerate()
            .filter(|(i, _)| !forwarded.contains(i))
            .map(|(_, d)| d)
            .collect(),
        ldap: ex.ldap.iter().collect(),
        tcp: ex.tcp.iter().collect(),
        tls: ex.tls.iter().collect(),
        http: ex.http.iter().collect(),
        kerberos: ex.kerberos.iter().collect(),
    };
    views_from(clients, records)
}

/// The views of `clients`, in their order, from `records` (those of other clients skipped).
fn views_from<'a>(clients: &[IpAddr], records: Records<'a>) -> Vec<ClientView<'a>> {
    let mut by_ip: HashMap<IpAddr, ClientView<'a>> = clients
        .iter()
        .map(|ip| (*ip, ClientView::empty(*ip)))
        .collect();
    for d in records.dns {
        if let Some(v) = by_ip.get_mut(&d.client.ip) {
            v.dns.push(d);
        }
    }
    for l in records.ldap {
        if let Some(v) = by_ip.get_mut(&l.client.ip) {
            v.ldap.push(l);
        }
    }
    let mut owner: HashMap<ConnId, IpAddr> = HashMap::new();
    for c in records.tcp {
        if let Some(v) = by_ip.get_mut(&c.client.ip) {
            owner.insert(c.id, c.client.ip);
            v.tcp.push(c);
        }
    }
    for t in records.tls {
        if let Some(v) = owner.get(&t.conn).and_then(|ip| by_ip.get_mut(ip)) {
            v.tls.insert(t.conn, t);
        }
    }
    for h in records.http {
        if let Some(v) = owner.get(&h.conn).and_then(|ip| by_ip.get_mut(ip)) {
            v.http.push(h);
        }
    }
    for k in records.kerberos {
        if let Some(v) = by_ip.get_mut(&k.client.ip) {
            v.kerberos.push(k);
        }
    }
    clients.iter().filter_map(|ip| by_ip.remove(ip)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dc_locator_and_autodiscover_names_in_any_case() {
        assert!(autodiscover_name("_LDAP._tcp.dc._msdcs.contoso.test"));
        assert!(autodiscover_name("_autodiscover._TCP.contoso.test"));
        assert!(autodiscover_name("AutoDiscover.contoso.test"));
        assert!(!autodiscover_name("mail.contoso.test"));
        assert!(!autodiscover_name("_kerberos._tcp.contoso.test"));
        assert!(!autodiscover_name("x_ldap._tcp.contoso.test"));
        assert!(!autodiscover_name(""));
        assert!(contains_ignore_case("abc", ""));
        assert!(!contains_ignore_case("ab", "abc"));
    }
}
