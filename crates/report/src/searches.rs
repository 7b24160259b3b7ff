//! What every renderer shows of an LDAP search: the server named as the capture's DNS named it,
//! the bind that preceded the search on its connection, and the ldp.exe / ldapsearch /
//! PowerShell recipes. Built once per analysis so that rendering stays linear.

use std::collections::HashMap;
use std::net::IpAddr;

use super::names::host_names;
use super::recipe::{LdpRecipe, ldapsearch_command, ldp_recipe, powershell_snippet};
use crate::flow::ConnId;
use crate::messages::{Exchanges, LdapExchange, LdapRequest, Transport};
use crate::proto::ldap::{BindRequest, SearchRequest};

/// The recipes of one search.
pub struct Recipes<'a> {
    pub search: &'a SearchRequest,
    pub server: String,
    /// CLDAP (UDP): ldp's Connectionless box; no ldapsearch or PowerShell equivalent.
    pub connectionless: bool,
    pub ldp: LdpRecipe,
    pub ldapsearch: Option<String>,
    pub powershell: Option<String>,
}

/// Names and binds of one analysis, indexed for the searches.
pub struct SearchContext<'a> {
    names: HashMap<IpAddr, String>,
    /// Per connection, its binds in capture order with their first frame.
    binds: HashMap<ConnId, Vec<(u64, &'a BindRequest)>>,
}

impl<'a> SearchContext<'a> {
    pub fn new(ex: &'a Exchanges) -> Self {
        let mut binds: HashMap<ConnId, Vec<(u64, &'a BindRequest)>> = HashMap::new();
        for l in &ex.ldap {
            if let (Some(conn), LdapRequest::Bind(b)) = (l.conn, &l.request) {
                binds
                    .entry(conn)
                    .or_default()
                    .push((l.frames.first().copied().unwrap_or_default(), b));
            }
        }
        SearchContext {
            names: host_names(ex),
            binds,
        }
    }

    /// The DNS name the capture gave for an address, else the address.
    pub fn server_name(&self, ip: IpAddr) -> String {
        self.names
            .get(&ip)
            .cloned()
            .unwrap_or_else(|| ip.to_string())
    }

    /// The last bind on the same connection before this exchange, if any.
    pub fn bind_before(&self, l: &LdapExchange) -> Option<&'a BindRequest> {
        let first = l.frames.first().copied().unwrap_or_default();
        let binds = self.binds.get(&l.conn?)?;
        binds
            .iter()
            .rev()
            .find(|(f, _)| *f <= first)
            .map(|(_, b)| *b)
    }

    /// The recipes of a search exchange (None for other requests).
    pub fn recipes(&self, l: &'a LdapExchange) -> Option<Recipes<'a>> {
        let LdapRequest::Search(search) = &l.request else {
            return None;
        };
        let server = self.server_name(l.server.ip);
        let connectionless = l.transport == Transport::Udp;
        let bind = self.bind_before(l);
        let port = l.server.port;
        Some(Recipes {
            search,
            ldp: ldp_recipe(&server, port, connectionless, bind, search),
            ldapsearch: (!connectionless).then(|| ldapsearch_command(&server, port, bind, search)),
            powershell: (!connectionless).then(|| powershell_snippet(&server, port, search)),
            server,
            connectionless,
        })
    }
}

/// An attribute value as text when it is UTF-8, else as `\xx` escapes (the way ldp shows binary).
pub fn value_text(v: &[u8]) -> String {
    match std::str::from_utf8(v) {
        Ok(s) if !s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') => s.to_string(),
        _ => v.iter().map(|b| format!("\\{b:02x}")).collect(),
    }
}
