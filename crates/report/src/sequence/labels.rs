//! The text on the arrows: what each DNS, Kerberos and LDAP message says, short enough for a
//! lifeline diagram, and which party a port belongs to.

use super::Role;
use crate::chain::directory::{bind_method, is_scp_filter};
use crate::messages::{LdapExchange, LdapRequest, Transport};
use crate::proto::dns::DnsData;
use crate::proto::ldap::Scope;

pub(super) fn role_for_port(port: u16) -> Role {
    match port {
        53 => Role::Dns,
        88 => Role::Kdc,
        389 | 636 | 3268 | 3269 => Role::Dc,
        _ => Role::Web,
    }
}

pub(super) fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

pub(super) fn dns_answer(d: &DnsData) -> String {
    crate::chain::dns_stage::answer_text(d)
}

pub(super) fn kerberos_name(t: u8) -> String {
    crate::proto::kerberos::message_type_name(t)
        .map_or_else(|| format!("Kerberos message {t}"), str::to_string)
}

/// "Kerberos TGS-REQ ldap/dc1.contoso.test", "Kerberos KRB-ERROR KDC_ERR_PREAUTH_FAILED (24)".
pub(super) fn kerberos_label(k: &crate::messages::KerberosMessage) -> String {
    let mut label = format!("Kerberos {}", kerberos_name(k.msg_type));
    if let Some(d) = &k.decoded {
        match (d.error_code, &d.service) {
            (Some(code), _) => label.push_str(&format!(" {code} ({})", code.value())),
            (None, Some(service)) => label.push_str(&format!(" {service}")),
            (None, None) => {}
        }
    }
    label
}

pub(super) fn ldap_request_label(l: &LdapExchange) -> String {
    match &l.request {
        LdapRequest::Bind(b) => {
            let who = if b.name.is_empty() {
                "(empty DN)"
            } else {
                b.name.as_str()
            };
            format!("LDAP bind, {} as {}", bind_method(&b.auth), who)
        }
        LdapRequest::Search(s) if is_scp_filter(&s.filter) => {
            format!("SCP search in {}", s.base)
        }
        LdapRequest::Search(s) if l.transport == Transport::Udp => {
            let domain = s.filter.to_string();
            let domain = domain
                .split("(DnsDomain=")
                .nth(1)
                .and_then(|r| r.split(')').next())
                .map(|d| format!(" for {d}"))
                .unwrap_or_default();
            format!("CLDAP netlogon ping{domain}")
        }
        LdapRequest::Search(s) if s.base.is_empty() && s.scope == Scope::Base => {
            if s.attributes.is_empty() {
                "RootDSE read".to_string()
            } else {
                format!("RootDSE read ({})", s.attributes.join(", "))
            }
        }
        LdapRequest::Search(s) => format!("LDAP search in {} for {}", s.base, s.filter),
        LdapRequest::Extended { name } if name == "1.3.6.1.4.1.1466.20037" => {
            "LDAP StartTLS".to_string()
        }
        LdapRequest::Extended { name } => format!("LDAP extended operation {name}"),
        LdapRequest::Unbind => "LDAP unbind".to_string(),
        LdapRequest::Other(op) => format!("LDAP {op}"),
        LdapRequest::NotInCapture => "LDAP search (its request is not in the capture)".to_string(),
    }
}

pub(super) fn ldap_reply_label(l: &LdapExchange) -> Option<(String, Vec<u64>)> {
    let mut frames: Vec<u64> = l.entries.iter().flat_map(|e| e.frames.clone()).collect();
    frames.extend(l.references.iter().map(|r| r.1));
    let result = l.result.as_ref();
    frames.extend(result.iter().flat_map(|r| r.frames.iter().copied()));
    if frames.is_empty() {
        return None;
    }
    let code = result
        .map(|r| format!("{} ({})", r.result.code, r.result.code.value()))
        .unwrap_or_else(|| "no final result".into());
    let label = match &l.request {
        LdapRequest::Search(_) => {
            let n = l.entries.len();
            let mut s = format!("{code}, {n} entr{}", if n == 1 { "y" } else { "ies" });
            if !l.references.is_empty() {
                let _ = std::fmt::Write::write_fmt(
                    &mut s,
                    format_args!(", {} referral(s)", l.references.len()),
                );
            }
            s
        }
        _ => code,
    };
    Some((label, frames))
}
