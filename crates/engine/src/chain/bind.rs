//! The LDAP bind stage. Every bind of the client counts, per connection: a SASL bind is a
//! sequence of steps (`saslBindInProgress (14)` is a step, not an answer) that ends in success,
//! a refusal, the client giving up (unbind or close instead of its next message), or the end of
//! the capture. The connection judged is the one that gates the SCP search (or, without a
//! readable SCP search, the last connection on which the client bound as someone); the other
//! connections' failures are warnings.

use super::causes::{cause, ldap_result_text};
use super::client::ClientView;
use super::directory::{exchange_frames, scp_searches, sealed_layer, sealed_stage};
use super::model::{Severity, Stage, StageKind, StageStatus};
use crate::flow::{ConnId, Side};
use crate::messages::{LdapExchange, LdapRequest, Transport};
use crate::proto::ldap::{BindAuth, REDACTED_PASSWORD, ResultCode};

/// How one connection's bind ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BindEnd {
    Success,
    Refused,
    /// The server asked for the next step; the client unbound or closed instead.
    Abandoned,
    /// The server asked for the next step and the capture ends there.
    Unfinished,
    /// No answer to the last bind request is in the capture.
    Unanswered,
}

/// The binds of one connection (or, for a client without TCP bookkeeping, of one server), in order.
struct ConnBinds<'a> {
    conn: Option<ConnId>,
    steps: Vec<&'a LdapExchange>,
}

impl<'a> ConnBinds<'a> {
    fn last(&self) -> Option<&'a LdapExchange> {
        self.steps.last().copied()
    }

    fn anonymous(&self) -> bool {
        self.steps.iter().all(|l| match &l.request {
            LdapRequest::Bind(b) => {
                matches!(b.auth, BindAuth::Simple { password_len: 0 }) && b.name.is_empty()
            }
            _ => true,
        })
    }

    fn frames(&self) -> Vec<u64> {
        self.steps.iter().flat_map(|l| exchange_frames(l)).collect()
    }

    fn end(&self, view: &ClientView) -> BindEnd {
        let Some(last) = self.last() else {
            return BindEnd::Unanswered;
        };
        match last.result.as_ref().map(|r| r.result.code) {
            Some(ResultCode::Success) => BindEnd::Success,
            Some(ResultCode::SaslBindInProgress) => {
                let after = last
                    .result
                    .as_ref()
                    .and_then(|r| r.frames.last().copied())
                    .unwrap_or_default();
                if self.client_gave_up(view, after) {
                    BindEnd::Abandoned
                } else {
                    BindEnd::Unfinished
                }
            }
            Some(_) => BindEnd::Refused,
            None => BindEnd::Unanswered,
        }
    }

    /// Whether the client unbound, or closed or reset the connection, after `frame`.
    fn client_gave_up(&self, view: &ClientView, frame: u64) -> bool {
        let unbound = view.ldap.iter().any(|l| {
            l.conn == self.conn
                && matches!(l.request, LdapRequest::Unbind)
                && l.frames.first().is_some_and(|f| *f > frame)
        });
        let closed = self.conn.and_then(|id| view.conn(id)).is_some_and(|c| {
            c.fins
                .iter()
                .any(|(side, f)| *side == Side::Client && *f > frame)
                || c.reset
                    .is_some_and(|(side, f)| side == Side::Client && f > frame)
        });
        unbound || closed
    }
}

/// The client's binds over TCP, one entry per bind: the steps of one SASL bind go together
/// (a step follows an answer of saslBindInProgress on the same connection); a bind request after
/// a final answer starts a new bind, also on the same connection. In order of their first step.
fn per_connection<'a>(view: &'a ClientView) -> Vec<ConnBinds<'a>> {
    let mut out: Vec<ConnBinds<'a>> = Vec::new();
    for l in view
        .ldap
        .iter()
        .copied()
        .filter(|l| l.transport == Transport::Tcp && matches!(l.request, LdapRequest::Bind(_)))
    {
        let in_progress = |c: &&mut ConnBinds<'a>| {
            c.conn == l.conn
                && c.last()
                    .and_then(|s| s.result.as_ref())
                    .is_some_and(|r| r.result.code == ResultCode::SaslBindInProgress)
        };
        match out.iter_mut().rev().find(in_progress) {
            Some(c) => c.steps.push(l),
            None => out.push(ConnBinds {
                conn: l.conn,
                steps: vec![l],
            }),
        }
    }
    out
}

impl ConnBinds<'_> {
    fn first_frame(&self) -> u64 {
        self.steps
            .first()
            .and_then(|s| s.frames.first().copied())
            .unwrap_or_default()
    }
}

pub fn bind_method(auth: &BindAuth) -> String {
    match auth {
        BindAuth::Simple { password_len: 0 } => "simple (anonymous)".into(),
        BindAuth::Simple { .. } => "simple".into(),
        BindAuth::Sasl {
            mechanism, inner, ..
        } => match inner {
            Some(m) => format!("SASL {mechanism} ({m:?})"),
            None => format!("SASL {mechanism}"),
        },
        BindAuth::SicilyPackageDiscovery | BindAuth::SicilyNegotiate | BindAuth::SicilyResponse => {
            "Sicily (NTLM)".into()
        }
        BindAuth::Other { tag } => format!("authentication choice [{tag}]"),
    }
}

fn detail(view: &ClientView, binds: &ConnBinds) -> Vec<(&'static str, String)> {
    let Some(l) = binds.steps.first() else {
        return vec![];
    };
    let LdapRequest::Bind(b) = &l.request else {
        return vec![];
    };
    let mut d = vec![
        ("server", l.server.to_string()),
        (
            "bind as",
            if b.name.is_empty() {
                "(empty DN)".into()
            } else {
                b.name.clone()
            },
        ),
        ("method", bind_method(&b.auth)),
        (
            "password",
            match b.auth {
                BindAuth::Simple { password_len } if password_len > 0 => REDACTED_PASSWORD.into(),
                _ => "(none)".into(),
            },
        ),
    ];
    if binds.steps.len() > 1 {
        let codes: Vec<String> = binds
            .steps
            .iter()
            .map(|s| match &s.result {
                Some(r) => r.result.code.to_string(),
                None => "no answer".into(),
            })
            .collect();
        d.push((
            "steps",
            format!("{} ({})", binds.steps.len(), codes.join(" → ")),
        ));
    }
    let conn = binds.conn.and_then(|c| view.conn(c));
    let layer = conn.and_then(|c| c.sasl);
    if let (Some(layer), BindEnd::Success) = (layer, binds.end(view)) {
        let decrypted = conn.is_some_and(|c| c.decrypted_with.is_some());
        let how = if layer.sealed || decrypted {
            "sealed (confidentiality)"
        } else {
            "signed (integrity only; LDAP read inside)"
        };
        d.push(("security layer", format!("{how}, {}", layer.mechanism)));
        if let Some(with) = conn.and_then(|c| c.decrypted_with.as_ref()) {
            d.push((
                "decrypted",
                format!("decrypted with {with}; the LDAP inside was read"),
            ));
        }
    }
    d
}

/// The stage one connection's binds give.
fn judge_connection(view: &ClientView, binds: &ConnBinds) -> Stage {
    let kind = StageKind::LdapBind;
    let Some(last) = binds.last() else {
        return Stage::not_seen(kind);
    };
    let d = detail(view, binds);
    let frames = binds.frames();
    match binds.end(view) {
        BindEnd::Success => Stage::ok(kind, frames, d),
        BindEnd::Refused => {
            let Some(r) = &last.result else {
                return Stage::not_seen(kind);
            };
            let text = ldap_result_text(&r.result);
            let summary = format!("The DC {} refused the bind: {text}.", last.server.ip);
            let mut d = d;
            d.push(("result", text));
            Stage::failed(kind, cause("ldap.bind_failed", summary, frames), d)
        }
        BindEnd::Abandoned => {
            let summary = format!(
                "The client gave up its SASL bind to {}: the DC asked for the next step \
                 (saslBindInProgress) and the client unbound or closed the connection instead \
                 of answering.",
                last.server
            );
            Stage::failed(kind, cause("ldap.bind_abandoned", summary, frames), d)
        }
        BindEnd::Unfinished => Stage {
            kind,
            status: StageStatus::Unfinished,
            frames: super::model::frame_set(frames),
            detail: d,
            cause: None,
            notes: vec![],
            redirect: None,
        },
        BindEnd::Unanswered => {
            let closed_by_server = binds.conn.and_then(|id| view.conn(id)).is_some_and(|c| {
                c.fins.iter().any(|(side, _)| *side == Side::Server)
                    || c.reset.is_some_and(|(side, _)| side == Side::Server)
            });
            let summary = if closed_by_server {
                format!(
                    "The DC {} closed the connection without answering the bind.",
                    last.server
                )
            } else {
                format!(
                    "No answer to the bind sent to {} is in the capture.",
                    last.server
                )
            };
            // Only the request left unanswered: earlier steps of the bind were answered.
            let unanswered = exchange_frames(last);
            Stage::failed(kind, cause("ldap.no_response", summary, unanswered), d)
        }
    }
}

/// Which connection's bind is judged: the one the SCP search ran on (its last bind before the
/// search), else the last on which the client bound as someone, else the last one.
fn gating<'a, 'b>(view: &ClientView, all: &'b [ConnBinds<'a>]) -> Option<&'b ConnBinds<'a>> {
    let scp = scp_searches(view);
    let search = scp.last();
    if let Some(s) = search {
        let at = s.frames.first().copied().unwrap_or_default();
        // The last bind on the search's connection before the search: the one in effect.
        let on_conn = all
            .iter()
            .rev()
            .find(|b| s.conn.is_some() && b.conn == s.conn && b.first_frame() < at);
        if let Some(b) = on_conn {
            return Some(b);
        }
    }
    all.iter().rev().find(|b| !b.anonymous()).or(all.last())
}

pub fn ldap_bind(view: &ClientView) -> Stage {
    let kind = StageKind::LdapBind;
    let all = per_connection(view);
    let Some(judged) = gating(view, &all) else {
        // Over LDAPS the bind itself is inside TLS.
        let ldaps = sealed_layer(view).filter(|l| l.mechanism == "LDAPS");
        return ldaps.map_or(Stage::not_seen(kind), |l| sealed_stage(kind, &l));
    };
    let mut stage = judge_connection(view, judged);
    // The other binds' failures: alternatives the client tried, shown as warnings.
    // `judged` is one of `all`: identity, not the first frame, tells it apart (two binds may
    // start in one frame when a client pipelines them).
    for other in all.iter().filter(|b| !std::ptr::eq(*b, judged)) {
        let s = judge_connection(view, other);
        if let Some(mut c) = s.cause.filter(|_| s.status == StageStatus::Failed) {
            c.severity = Severity::Warning;
            let place = if other.conn == judged.conn {
                "Earlier on the same connection"
            } else {
                "On another connection"
            };
            c.summary = format!("{place} (frame {}): {}", other.first_frame(), c.summary);
            stage.notes.push(c);
        }
    }
    stage
}
