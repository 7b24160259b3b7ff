//! The sequence model shared by the SVG and Mermaid renderers: for one chain, the parties
//! (client, DNS server, DC, KDC, each web host) and every message between them in frame order,
//! each marked ok, failed, sealed or as the break the verdict names, with the chain's findings as
//! notes and the stage each message belongs to. A projection of the engine's
//! [`crate::timeline`]: the events' labels, roles, names and stages; only the arrows are
//! chosen here (an LDAP answer is one arrow, encrypted application data two).

use std::collections::BTreeSet;
use std::net::IpAddr;

use crate::analysis::Analysis;
use crate::chain::{Chain, StageKind};
use crate::timeline::{
    Event, EventKind, LdapOp, Verdict, client_events, https_response, ldap_answer, stage_heading,
    timeline,
};

mod model;
pub use model::*;

/// One end of an arrow before the parties are numbered: role, address, name.
type End = (Role, IpAddr, Option<String>);

/// A message before the parties are numbered.
struct Raw {
    from: End,
    to: End,
    label: String,
    frames: Vec<u64>,
    reply: bool,
    /// The stage this kind of message belongs to, for messages that are not the chain's evidence
    /// (a second LDAP connection, a retried bind): the heading stays truthful.
    kind: Option<StageKind>,
    /// Messages of one frame keep this order: DNS, Kerberos, LDAP, then what rides a connection.
    rank: u8,
}

fn rank(e: &Event) -> u8 {
    match e.kind {
        EventKind::DnsQuery { .. } | EventKind::DnsAnswer { .. } => 0,
        EventKind::Kerberos { .. } => 1,
        EventKind::LdapRequest { .. }
        | EventKind::LdapEntry { .. }
        | EventKind::LdapReference { .. }
        | EventKind::LdapDone { .. } => 2,
        _ => 3,
    }
}

fn arrow(e: &Event, label: String, frames: Vec<u64>, reply: bool) -> Option<Raw> {
    let client = (Role::Client, e.client_ip()?, None);
    let server = (e.server_role, e.server?.ip, e.server_name.clone());
    let (from, to) = if reply {
        (server, client)
    } else {
        (client, server)
    };
    Some(Raw {
        from,
        to,
        label,
        frames,
        reply,
        kind: e.kind_stage,
        rank: rank(e),
    })
}

/// One LDAP request's answer as one arrow: its entries, referrals and result.
fn ldap_reply(request: &Event, events: &[&Event]) -> Option<Raw> {
    let EventKind::LdapRequest { op, .. } = &request.kind else {
        return None;
    };
    let parts: Vec<&Event> = events
        .iter()
        .copied()
        .filter(|e| e.source.exchange() == request.source.exchange())
        .collect();
    let of = |want: fn(&EventKind) -> bool| parts.iter().filter(move |e| want(&e.kind));
    let entries = of(|k| matches!(k, EventKind::LdapEntry { .. }));
    let references = of(|k| matches!(k, EventKind::LdapReference { .. }));
    let done = of(|k| matches!(k, EventKind::LdapDone { .. })).next();
    let mut frames: Vec<u64> = entries.clone().flat_map(|e| e.frames.clone()).collect();
    frames.extend(references.clone().flat_map(|e| e.frames.clone()));
    frames.extend(done.iter().flat_map(|e| e.frames.clone()));
    if frames.is_empty() {
        return None;
    }
    let code = done.and_then(|e| match e.kind {
        EventKind::LdapDone { code, .. } => Some(code),
        _ => None,
    });
    let search = matches!(op, LdapOp::Search { .. });
    let label = ldap_answer(code, search, entries.count(), references.count());
    arrow(request, label, frames, true)
}

fn raw_messages(events: &[&Event]) -> Vec<Raw> {
    let mut out = Vec::new();
    for e in events {
        match &e.kind {
            // Shown on the arrows they belong to: the connect, the LDAP answer.
            EventKind::TcpTimeout { .. }
            | EventKind::LdapEntry { .. }
            | EventKind::LdapReference { .. }
            | EventKind::LdapDone { .. } => {}
            EventKind::LdapRequest { .. } => {
                out.extend(arrow(e, e.label.clone(), e.frames.clone(), false));
                out.extend(ldap_reply(e, events));
            }
            EventKind::TlsAppData {
                client_records,
                server_records,
                server_last,
            } => {
                let sent: Vec<u64> = e
                    .frames
                    .iter()
                    .copied()
                    .filter(|f| Some(*f) != *server_last)
                    .collect();
                if *client_records > 0 && !sent.is_empty() {
                    out.extend(arrow(e, e.label.clone(), sent, false));
                }
                if let Some(f) = server_last {
                    out.extend(arrow(e, https_response(*server_records), vec![*f], true));
                }
            }
            _ => out.extend(arrow(
                e,
                e.label.clone(),
                e.frames.clone(),
                e.direction.from_server(),
            )),
        }
    }
    out
}

/// The diagram of one chain.
pub fn sequence(a: &Analysis, chain: &Chain) -> Sequence {
    let all = timeline(a);
    let events: Vec<&Event> = client_events(&all, chain.client).collect();
    let mut raw = raw_messages(&events);
    // Frame order is capture order; the sort is stable, so request-before-reply in one frame holds.
    raw.sort_by_key(|r| (r.frames.iter().min().copied().unwrap_or(u64::MAX), r.rank));

    // Parties: keyed by role and address, web hosts also by the name the client looked up.
    let mut parties: Vec<Party> = vec![Party {
        role: Role::Client,
        ip: chain.client,
        name: None,
    }];
    let mut keyed: Vec<(usize, usize, Raw)> = Vec::new();
    for r in raw {
        let mut index = |(role, ip, name): End| -> usize {
            if role == Role::Client && ip == chain.client {
                return 0;
            }
            let found = parties.iter().position(|p| {
                p.role == role && p.ip == ip && (role != Role::Web || p.name == name)
            });
            match found {
                Some(i) => i,
                None => {
                    parties.push(Party { role, ip, name });
                    parties.len() - 1
                }
            }
        };
        let from = index(r.from.clone());
        let to = index(r.to.clone());
        keyed.push((from, to, r));
    }
    // Lifelines ordered by role, then first appearance; renumber the messages to match.
    let mut order: Vec<usize> = (0..parties.len()).collect();
    order.sort_by_key(|&i| (parties[i].role, i));
    let mut new_index = vec![0; parties.len()];
    for (new, &old) in order.iter().enumerate() {
        new_index[old] = new;
    }
    let parties: Vec<Party> = order.iter().map(|&i| parties[i].clone()).collect();

    let verdict = Verdict::new(chain);
    let messages: Vec<Message> = keyed
        .into_iter()
        .map(|(from, to, r)| {
            let web = [&r.from, &r.to]
                .into_iter()
                .find(|end| end.0 == Role::Web)
                .and_then(|end| end.2.as_deref());
            Message {
                from: new_index[from],
                to: new_index[to],
                stage: stage_heading(chain, &r.frames, r.kind, web),
                mark: verdict.of_frames(&r.frames).into(),
                label: r.label,
                frames: r.frames,
                reply: r.reply,
            }
        })
        .collect();

    // Each finding goes right after the last message that carries its evidence.
    let mut notes_after: Vec<Vec<Note>> = vec![Vec::new(); messages.len()];
    let mut trailing = Vec::new();
    for f in &chain.findings {
        let set: BTreeSet<u64> = f.frames.iter().copied().collect();
        let at = messages
            .iter()
            .rposition(|m| m.frames.iter().any(|x| set.contains(x)));
        let (from, to) = at
            .and_then(|i| messages.get(i))
            .map(|m| (m.from.min(m.to), m.from.max(m.to)))
            .unwrap_or((0, 0));
        let note = Note {
            mark: verdict.of_finding(f).into(),
            from,
            to,
            code: f.code.clone(),
            summary: f.summary.clone(),
            frames: f.frames.clone(),
        };
        match at.and_then(|i| notes_after.get_mut(i)) {
            Some(slot) => slot.push(note),
            None => trailing.push(note),
        }
    }

    let mut items = Vec::new();
    let mut current: Option<StageHead> = None;
    for (m, notes) in messages.into_iter().zip(notes_after) {
        if m.stage.is_some() && m.stage != current {
            current = m.stage.clone();
            if let Some(s) = &m.stage {
                items.push(Item::Stage(s.clone()));
            }
        }
        items.push(Item::Message(m));
        items.extend(notes.into_iter().map(Item::Note));
    }
    items.extend(trailing.into_iter().map(Item::Note));
    Sequence {
        client: chain.client,
        parties,
        items,
    }
}

/// A label cut to `max` characters with an ellipsis, for renderers with little room.
pub fn short_label(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

pub use crate::format::frames_text;
