//! One client's share of the exchanges: everything it started, found by its IP address.

use std::collections::{BTreeSet, HashMap};
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
    pub fn new(ex: &'a Exchanges, ip: IpAddr) -> Self {
        let tcp: Vec<_> = ex.tcp.iter().filter(|c| c.client.ip == ip).collect();
        let conns: BTreeSet<ConnId> = tcp.iter().map(|c| c.id).collect();
        ClientView {
            ip,
            dns: ex.dns.iter().filter(|d| d.client.ip == ip).collect(),
            ldap: ex.ldap.iter().filter(|l| l.client.ip == ip).collect(),
            tls: ex
                .tls
                .iter()
                .filter(|t| conns.contains(&t.conn))
                .map(|t| (t.conn, t))
                .collect(),
            http: ex.http.iter().filter(|h| conns.contains(&h.conn)).collect(),
            kerberos: ex.kerberos.iter().filter(|k| k.client.ip == ip).collect(),
            tcp,
        }
    }

    pub fn conn(&self, id: ConnId) -> Option<&'a TcpConnection> {
        self.tcp.iter().copied().find(|c| c.id == id)
    }
}

/// The clients worth a chain: every address that started DC-locator, LDAP or Autodiscover
/// traffic, in order of first appearance.
pub fn clients(ex: &Exchanges) -> Vec<IpAddr> {
    let mut seen: Vec<(u64, IpAddr)> = Vec::new();
    let mut add = |frame: u64, ip: IpAddr| match seen.iter_mut().find(|(_, i)| *i == ip) {
        Some(e) => e.0 = e.0.min(frame),
        None => seen.push((frame, ip)),
    };
    for d in &ex.dns {
        let n = d.name.to_ascii_lowercase();
        if n.starts_with("_ldap._tcp.")
            || n.starts_with("_autodiscover._tcp.")
            || n.contains("autodiscover")
        {
            add(d.frame, d.client.ip);
        }
    }
    for l in &ex.ldap {
        add(l.frames.first().copied().unwrap_or_default(), l.client.ip);
    }
    for c in &ex.tcp {
        if matches!(c.server.port, 389 | 3268 | 636 | 3269) {
            add(c.first_frame, c.client.ip);
        }
    }
    seen.sort();
    seen.into_iter().map(|(_, ip)| ip).collect()
}
