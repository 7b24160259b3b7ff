//! The lane view's data: one lane per party (the client, DNS, the DC's LDAP/CLDAP, the KDC, the
//! HTTPS host) and each exchange of the visible rows as a bar from its request to its answer,
//! the failed ones marked, in the manner of the HTML report's sequence diagram. Pure data,
//! built from the rows and the analysis; the view places it on a time axis.

use crate::analysis::Analysis;
use crate::capture::Nanos;
use crate::chain::StageKind;

use super::rows::{Proto, Row, RowStatus, Source};

/// A party of the lookup, top to bottom.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Lane {
    Client,
    Dns,
    Directory,
    Kdc,
    Https,
}

impl Lane {
    pub const ALL: [Lane; 5] = [
        Lane::Client,
        Lane::Dns,
        Lane::Directory,
        Lane::Kdc,
        Lane::Https,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Lane::Client => "client",
            Lane::Dns => "DNS",
            Lane::Directory => "DC/LDAP",
            Lane::Kdc => "KDC",
            Lane::Https => "HTTPS",
        }
    }
}

/// One exchange drawn from its first message to its last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    pub lane: Lane,
    pub start: Nanos,
    pub end: Nanos,
    /// One of its messages failed (an error answer, a refusal, a timeout, a fatal alert).
    pub failed: bool,
    /// Its request got no answer in the capture.
    pub unanswered: bool,
    pub stage: Option<StageKind>,
    /// Its first frame (what the bar is called by).
    pub frame: u64,
    /// The selected row is one of its messages.
    pub selected: bool,
}

/// The lane of a row: by protocol, and for TCP, TLS and HTTP by the server's port.
fn lane(a: &Analysis, row: &Row) -> Lane {
    let port = |conn: usize| a.exchanges.tcp.get(conn).map(|c| c.server.port);
    let tcp_port = match row.source {
        Source::TcpConnect(i)
        | Source::TcpAccepted(i)
        | Source::TcpRefused(i)
        | Source::TcpTimeout(i)
        | Source::TcpReset(i) => port(i),
        _ => None,
    };
    match row.proto {
        Proto::Dns => Lane::Dns,
        Proto::Cldap | Proto::Ldap => Lane::Directory,
        Proto::Kerberos => Lane::Kdc,
        Proto::Tcp => match tcp_port {
            Some(88) => Lane::Kdc,
            Some(389 | 636 | 3268 | 3269) => Lane::Directory,
            _ => Lane::Https,
        },
        Proto::Tls | Proto::Http => Lane::Https,
    }
}

/// The bars of `rows` (the visible ones, in order); `selected`: the selected row.
pub fn bars<'a>(
    a: &Analysis,
    rows: impl Iterator<Item = &'a Row>,
    selected: Option<&Row>,
) -> Vec<Bar> {
    let mut out: Vec<Bar> = Vec::new();
    let mut index: std::collections::HashMap<(u8, usize), usize> = Default::default();
    let mut client: Option<Bar> = None;
    for row in rows {
        let is_selected = selected.is_some_and(|s| s.source == row.source);
        let failed = row.status == RowStatus::Failed;
        // The client's lane: its whole lookup, from its first message to its last.
        let c = client.get_or_insert(Bar {
            lane: Lane::Client,
            start: row.time,
            end: row.time,
            failed: false,
            unanswered: false,
            stage: None,
            frame: row.frame,
            selected: false,
        });
        c.end = c.end.max(row.time);
        c.failed |= failed;
        let key = row.source.exchange();
        match index.get(&key).and_then(|&i| out.get_mut(i)) {
            Some(bar) => {
                bar.start = bar.start.min(row.time);
                bar.end = bar.end.max(row.time);
                bar.failed |= failed;
                bar.unanswered &= row.status == RowStatus::Unanswered;
                bar.selected |= is_selected;
                bar.stage = bar.stage.or(row.stage);
            }
            None => {
                index.insert(key, out.len());
                out.push(Bar {
                    lane: lane(a, row),
                    start: row.time,
                    end: row.time,
                    failed,
                    unanswered: row.status == RowStatus::Unanswered,
                    stage: row.stage,
                    frame: row.frame,
                    selected: is_selected,
                });
            }
        }
    }
    out.extend(client);
    out
}
