//! The JSON document (`--format json`), schema `capdiag/1`, documented in docs/json.md. Field
//! names and meanings are a contract: add fields, never rename or remove them within a schema.

use std::collections::HashMap;
use std::net::IpAddr;

use serde_json::{Map, Value, json};

use super::names::host_names;
use super::recipe::{ldapsearch_command, ldp_recipe};
use crate::analysis::Analysis;
use crate::chain::{Attempt, Chain, Stage};
use crate::messages::{LdapExchange, LdapRequest, Transport};
use crate::proto::dns::rcode_name;
use crate::proto::ldap::{BindRequest, Scope, result_name};

pub const SCHEMA: &str = "capdiag/1";

/// The whole document.
pub fn document(a: &Analysis) -> Value {
    let names = host_names(&a.exchanges);
    json!({
        "schema": SCHEMA,
        "inputs": a.inputs.iter().enumerate().map(|(i, input)| json!({
            "path": input.path,
            "format": input.format,
            "packets": input.packets,
            "warnings": input.warnings.iter().cloned().chain(
                a.warnings.iter().filter(|w| w.input == i).map(|w| w.to_string())
            ).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "chains": a.chains.iter().map(chain).collect::<Vec<_>>(),
        "unrelated_dns_lookups": a.exchanges.unrelated_dns,
        "dns": a.exchanges.dns.iter().map(|d| json!({
            "frame": d.frame,
            "client": d.client.to_string(),
            "server": d.server.to_string(),
            "transport": d.transport,
            "name": d.name,
            "type": d.qtype,
            "rcode": d.response.as_ref().map(|r| rcode_name(r.rcode)),
            "truncated": d.response.as_ref().map(|r| r.truncated),
            "answers": d.response.iter().flat_map(|r| &r.answers)
                .map(|r| crate::chain::dns_stage::answer_text(&r.data)).collect::<Vec<_>>(),
            "retries": d.retries,
            "response_frame": d.response.as_ref().map(|r| r.frame),
        })).collect::<Vec<_>>(),
        "ldap": {
            "binds": a.exchanges.ldap.iter().filter_map(bind).collect::<Vec<_>>(),
            "searches": a.exchanges.ldap.iter().filter_map(|l| search(l, &a.exchanges.ldap, &names)).collect::<Vec<_>>(),
        },
    })
}

fn detail(d: &[(&'static str, String)]) -> Value {
    let mut map = Map::new();
    for (k, v) in d {
        match map.get_mut(*k) {
            None => {
                map.insert((*k).to_string(), Value::String(v.clone()));
            }
            Some(Value::Array(items)) => items.push(Value::String(v.clone())),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, Value::String(v.clone())]);
            }
        }
    }
    Value::Object(map)
}

fn stage(s: &Stage) -> Value {
    json!({
        "stage": s.kind.id(),
        "status": s.status.id(),
        "frames": s.frames,
        "detail": detail(&s.detail),
        "cause": s.cause,
    })
}

fn attempt(a: &Attempt) -> Value {
    json!({ "host": a.host, "origin": a.origin.id(), "reached_https": a.reached_https(),
            "stages": a.stages.iter().map(stage).collect::<Vec<_>>() })
}

fn chain(c: &Chain) -> Value {
    json!({
        "client": c.client.to_string(),
        "domain": c.domain,
        "status": c.status.id(),
        "broken_at": c.broken_at.map(|s| s.id()),
        "cause": c.cause,
        "findings": c.findings,
        "stages": c.stages.iter().map(stage).collect::<Vec<_>>(),
        "scp_urls": c.scp_urls,
        "attempts": c.attempts.iter().map(attempt).collect::<Vec<_>>(),
    })
}

fn bind(l: &LdapExchange) -> Option<Value> {
    let LdapRequest::Bind(b) = &l.request else {
        return None;
    };
    Some(json!({
        "frame": l.frames.first(),
        "client": l.client.to_string(),
        "server": l.server.to_string(),
        "message_id": l.message_id,
        "name": b.name,
        "method": crate::chain::directory::bind_method(&b.auth),
        "result": result(l),
    }))
}

fn result(l: &LdapExchange) -> Value {
    match &l.result {
        Some(r) => json!({
            "code": r.result.code,
            "name": result_name(r.result.code),
            "matched_dn": r.result.matched_dn,
            "diagnostic": r.result.diagnostic,
            "frame": r.frames.last(),
        }),
        None => Value::Null,
    }
}

/// An attribute value as text when it is UTF-8, else as `\xx` escapes (the way ldp shows binary).
pub fn value_text(v: &[u8]) -> String {
    match std::str::from_utf8(v) {
        Ok(s) if !s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') => s.to_string(),
        _ => v.iter().map(|b| format!("\\{b:02x}")).collect(),
    }
}

/// The successful bind on the same connection before this search, if any.
pub fn bind_before<'a>(l: &LdapExchange, all: &'a [LdapExchange]) -> Option<&'a BindRequest> {
    all.iter()
        .filter(|b| b.conn == l.conn && b.conn.is_some() && b.frames.first() <= l.frames.first())
        .filter_map(|b| match &b.request {
            LdapRequest::Bind(req) => Some(req),
            _ => None,
        })
        .next_back()
}

/// Server name for recipes: the DNS name the capture gave for its address, else the address.
pub fn server_name(ip: IpAddr, names: &HashMap<IpAddr, String>) -> String {
    names.get(&ip).cloned().unwrap_or_else(|| ip.to_string())
}

fn search(
    l: &LdapExchange,
    all: &[LdapExchange],
    names: &HashMap<IpAddr, String>,
) -> Option<Value> {
    let LdapRequest::Search(s) = &l.request else {
        return None;
    };
    let server = server_name(l.server.ip, names);
    let udp = l.transport == Transport::Udp;
    let bind = bind_before(l, all);
    let ldp = ldp_recipe(&server, l.server.port, udp, bind, s);
    Some(json!({
        "frame": l.frames.first(),
        "frames": l.frames,
        "client": l.client.to_string(),
        "server": l.server.to_string(),
        "transport": l.transport,
        "message_id": l.message_id,
        "base": s.base,
        "scope": match s.scope { Scope::Base => "base", Scope::OneLevel => "one", Scope::Subtree => "subtree", Scope::Other(_) => "other" },
        "filter": s.filter.to_string(),
        "attributes": s.attributes,
        "size_limit": s.size_limit,
        "time_limit": s.time_limit,
        "controls": s.controls,
        "result": result(l),
        "entries": l.entries.iter().map(|e| json!({
            "dn": e.entry.dn,
            "frames": e.frames,
            "attributes": e.entry.attributes.iter().map(|(k, vs)|
                (k.clone(), Value::from(vs.iter().map(|v| value_text(v)).collect::<Vec<_>>()))
            ).collect::<Map<_, _>>(),
        })).collect::<Vec<_>>(),
        "references": l.references.iter().flat_map(|r| r.0.iter()).collect::<Vec<_>>(),
        "ldp": {
            "server": ldp.server, "port": ldp.port, "connectionless": ldp.connectionless,
            "bind": ldp.bind, "base_dn": ldp.base_dn, "filter": ldp.filter,
            "scope": ldp.scope, "attributes": ldp.attributes,
        },
        "ldapsearch": (!udp).then(|| ldapsearch_command(&server, l.server.port, bind, s)),
        "powershell": (!udp).then(|| super::recipe::powershell_snippet(&server, l.server.port, s)),
    }))
}
