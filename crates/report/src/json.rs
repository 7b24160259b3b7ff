//! The JSON document (`--format json`), schema `capdiag/1`, documented in docs/json.md. Field
//! names and meanings are a contract: add fields, never rename or remove them within a schema.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::json_writer::Part;

use super::searches::{SearchContext, value_text};
use crate::analysis::Analysis;
use crate::chain::{Attempt, Chain, DirectorySession, Stage};
use crate::flow::ConnId;
use crate::messages::{HttpExchange, LdapExchange, LdapRequest, TcpConnection};
use crate::proto::http::Content;
use crate::proto::ldap::{BindAuth, REDACTED_PASSWORD, Scope};

pub const SCHEMA: &str = "capdiag/1";

/// The whole document, built in memory (tests and small captures; `analyze --format json`
/// streams the same document with [`write`]).
pub fn document(a: &Analysis) -> Value {
    super::json_writer::collect(parts(a))
}

/// Writes the document to `out` part by part, pretty-printed exactly as
/// `serde_json::to_string_pretty(&document(a))` prints it, without holding more than one chain
/// or exchange as a [`Value`] at a time. `secrets` (with `--show-secrets`) becomes the
/// `secrets` member.
pub fn write(
    a: &Analysis,
    secrets: Option<Value>,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut parts = parts(a);
    if let Some(s) = secrets {
        parts.push(("secrets", Part::One(s)));
    }
    super::json_writer::write(parts, out)
}

/// The document's members, each one value or a sequence of values made on demand.
fn parts(a: &Analysis) -> Vec<(&'static str, Part<'_>)> {
    let ctx = SearchContext::new(&a.exchanges);
    let conns: HashMap<ConnId, &TcpConnection> =
        a.exchanges.tcp.iter().map(|c| (c.id, c)).collect();
    vec![
        ("schema", Part::One(json!(SCHEMA))),
        ("inputs", Part::One(json!(a.inputs.iter().enumerate().map(|(i, input)| json!({
            "path": input.path,
            "format": input.format,
            "packets": input.packets,
            "comments": input.comments.iter().map(|(frame, text)| json!({"frame": frame, "text": text})).collect::<Vec<_>>(),
            "warnings": input.warnings.iter().map(ToString::to_string).chain(
                a.warnings.iter().filter(|w| w.input == i).map(|w| w.to_string())
            ).collect::<Vec<_>>(),
        })).collect::<Vec<_>>()))),
        ("chains", Part::Many(Box::new(a.chains.iter().map(move |c| {
            let mut v = chain(c);
            place_in_files(&mut v, a);
            v
        })))),
        ("directory_sessions", Part::Many(Box::new(a.directory_sessions.iter().map(session)))),
        ("failure_groups", Part::One(json!(crate::chain::groups::shared_failures(&a.chains).iter()
            .map(super::ndjson::group_value).collect::<Vec<_>>()))),
        ("unrelated_dns_lookups", Part::One(json!(a.exchanges.unrelated_dns))),
        ("dns", Part::Many(Box::new(a.exchanges.dns.iter().map(|d| json!({
            "frame": d.frame,
            "client": d.client.to_string(),
            "server": d.server.to_string(),
            "transport": d.transport,
            "name": d.name,
            "type": d.qtype,
            "rcode": d.response.as_ref().map(|r| r.rcode.to_string()),
            "truncated": d.response.as_ref().map(|r| r.truncated),
            "answers": d.response.iter().flat_map(|r| &r.answers)
                .map(|r| crate::chain::dns_stage::answer_text(&r.data)).collect::<Vec<_>>(),
            "retries": d.retries,
            "response_frame": d.response.as_ref().map(|r| r.frame),
        }))))),
        ("http", Part::Many(Box::new(a.exchanges.http.iter().map(move |h| http(conns.get(&h.conn).copied(), h))))),
        ("ldap", Part::Object(vec![
            ("binds", Part::Many(Box::new(a.exchanges.ldap.iter().filter_map(bind)))),
            ("searches", Part::Many(Box::new(a.exchanges.ldap.iter().filter_map(move |l| search(l, &ctx))))),
        ])),
    ]
}

/// With several inputs, a chain's cause and findings also get `file_frames` and
/// `wireshark_filters`: where their frames are in the input files (docs/json.md).
fn place_in_files(chain: &mut Value, a: &Analysis) {
    if !super::frames::several(a) {
        return;
    }
    for key in ["cause", "findings"] {
        let items: Vec<&mut Value> = match chain.get_mut(key) {
            Some(Value::Array(items)) => items.iter_mut().collect(),
            Some(v @ Value::Object(_)) => vec![v],
            _ => vec![],
        };
        for item in items {
            let frames: Vec<u64> = item
                .get("frames")
                .and_then(Value::as_array)
                .map(|f| f.iter().filter_map(Value::as_u64).collect())
                .unwrap_or_default();
            if let (Some((placed, filters)), Some(obj)) =
                (super::frames::json_fields(a, &frames), item.as_object_mut())
            {
                obj.insert("file_frames".into(), placed);
                obj.insert("wireshark_filters".into(), filters);
            }
        }
    }
}

/// One readable HTTP exchange as the model holds it (docs/json.md, `http`).
fn http(conn: Option<&TcpConnection>, h: &HttpExchange) -> Value {
    let request_body = match &h.request.content {
        Content::PoxRequest(p) => json!({ "kind": "autodiscover_pox", "email": p.email,
            "acceptable_response_schema": p.acceptable_schema }),
        Content::Ews(e) => json!({ "kind": "ews", "operation": e.operation }),
        _ => Value::Null,
    };
    let response = h.reply.as_ref().map(|r| {
        let body = match &r.content {
            Content::PoxResponse(p) => json!({
                "kind": "autodiscover_pox",
                "action": p.action,
                "ews_url": p.ews_url(),
                "redirect_addr": p.redirect_addr,
                "redirect_url": p.redirect_url,
                "protocols": p.protocols.iter().map(|x| json!({
                    "type": x.kind, "ews_url": x.ews_url, "as_url": x.as_url, "server": x.server,
                })).collect::<Vec<_>>(),
                "error": p.error.as_ref().map(|e| json!({ "code": e.code, "message": e.message })),
            }),
            Content::V2Response(v) => {
                json!({ "kind": "autodiscover_v2", "protocol": v.protocol, "url": v.url })
            }
            Content::Ews(e) => json!({
                "kind": "ews",
                "operation": e.operation,
                "response_classes": e.response_classes,
                "items": e.items,
                "empty_binary_properties": e.empty_binary.iter().map(|p| json!({
                    "item_id": p.item_id, "subject": p.subject,
                    "property": p.property, "property_type": p.property_type,
                })).collect::<Vec<_>>(),
            }),
            _ => Value::Null,
        };
        json!({
            "frame": h.response.as_ref().map(|x| x.0),
            "status": r.status,
            "reason": r.reason,
            "location": r.location,
            "auth_offered": r.auth_offered,
            "body": body,
        })
    });
    json!({
        "frame": h.frame,
        "client": conn.map(|c| c.client.to_string()),
        "server": conn.map(|c| c.server.to_string()),
        "method": h.method,
        "target": h.target,
        "host": h.host,
        "auth_scheme": h.request.auth_scheme,
        "autodiscover_v2_email": h.request.v2.as_ref().map(|v| v.email.clone()),
        "body": request_body,
        "response": response,
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

fn session(s: &DirectorySession) -> Value {
    json!({
        "client": s.client.to_string(),
        "domain": s.domain,
        "binds_ok": s.binds_ok,
        "binds_failed": s.binds_failed,
        "searches": s.searches,
        "cldap_pings": s.pings,
        "dns_queries": s.dns_queries,
        "kerberos_messages": s.kerberos_messages,
        "sealed": s.sealed,
        "findings": s.findings,
        "first_frame": s.frames.0,
        "last_frame": s.frames.1,
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
        // A simple bind's password is never output (see --show-secrets for lab use).
        "password": matches!(b.auth, BindAuth::Simple { password_len } if password_len > 0).then_some(REDACTED_PASSWORD),
        "result": result(l),
    }))
}

fn result(l: &LdapExchange) -> Value {
    match &l.result {
        Some(r) => json!({
            "code": r.result.code.value(),
            "name": r.result.code.to_string(),
            "matched_dn": r.result.matched_dn,
            "diagnostic": r.result.diagnostic,
            "frame": r.frames.last(),
        }),
        None => Value::Null,
    }
}

fn search<'a>(l: &'a LdapExchange, ctx: &SearchContext<'a>) -> Option<Value> {
    let r = ctx.recipes(l)?;
    let (s, ldp) = (r.search, &r.ldp);
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
        "ldapsearch": r.ldapsearch,
        "powershell": r.powershell,
    }))
}
