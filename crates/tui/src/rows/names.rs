//! How rows name what they show: Kerberos message types, LDAP requests, extended operations.

use crate::messages::{LdapExchange, LdapRequest, Transport};
use crate::proto::ldap::BindAuth;

use super::*;

/// The name of a Kerberos message type and whether it is an error.
pub fn kerberos_name(msg_type: u8) -> (&'static str, RowStatus) {
    match crate::proto::kerberos::message_type_name(msg_type) {
        Some(name) if msg_type == 30 => (name, RowStatus::Failed),
        Some(name) => (name, RowStatus::Ok),
        None => ("Kerberos message", RowStatus::Info),
    }
}

pub(super) fn ldap_request_text(l: &LdapExchange) -> (&'static str, String) {
    match &l.request {
        LdapRequest::Bind(b) => {
            let who = if b.name.is_empty() {
                "(no name)".to_string()
            } else {
                b.name.clone()
            };
            let method = match &b.auth {
                BindAuth::Simple { password_len: 0 } => "simple, empty password".to_string(),
                other => crate::chain::directory::bind_method(other),
            };
            ("bind", format!("{who} ({method}) → {}", l.server))
        }
        LdapRequest::Search(s) => {
            let kind = if l.transport == Transport::Udp {
                "ping"
            } else {
                "search"
            };
            let base = if s.base.is_empty() {
                "(rootDSE)"
            } else {
                &s.base
            };
            (kind, format!("{base} {}", s.filter))
        }
        LdapRequest::Extended { name } => ("extended", extended_name(name)),
        LdapRequest::Unbind => ("unbind", String::new()),
        LdapRequest::Other(name) => ("request", (*name).to_string()),
        LdapRequest::NotInCapture => ("search", "(request not in the capture)".to_string()),
    }
}

/// An extended operation by its name: `StartTLS (1.3.6.1.4.1.1466.20037)`, else the OID.
pub fn extended_name(oid: &str) -> String {
    let name = match oid {
        "1.3.6.1.4.1.1466.20037" => "StartTLS",
        "1.3.6.1.4.1.4203.1.11.3" => "Who am I?",
        "1.3.6.1.4.1.4203.1.11.1" => "Password Modify",
        "1.3.6.1.4.1.1466.101.119.1" => "Dynamic Refresh",
        "1.3.6.1.4.1.4203.1.11.2" => "Cancel",
        _ => return oid.to_string(),
    };
    format!("{name} ({oid})")
}
