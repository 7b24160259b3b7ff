//! The timeline's rows: one per message of the engine's [`crate::timeline`] (DNS query/answer,
//! CLDAP ping/reply, Kerberos, TCP connect/refused/timeout, LDAP bind/search/entry/done/
//! reference, TLS hello/certificate/alert/application data, HTTP request/response), in frame
//! order, each with the chain stage the timeline tied it to. Only the row layout is chosen
//! here: the kind and summary columns, and the time column. Pure data, no terminal.

use crate::analysis::Analysis;
use crate::timeline::{Event, EventKind, timeline};

mod model;
mod summary;
mod times;
pub use model::*;
pub use times::fill_times;

/// The frame Wireshark shows a message in first, then the others in capture order.
fn shown_first(e: &Event) -> Vec<u64> {
    if e.frames.is_empty() {
        return Vec::new();
    }
    let mut frames = vec![e.frame];
    frames.extend(e.frames.iter().copied().filter(|f| *f != e.frame));
    frames
}

/// An event's row; none for what the rows do not show (the start of a SASL layer, server
/// application data with nothing from the client).
fn row(e: &Event) -> Option<Row> {
    match &e.kind {
        EventKind::SaslLayer { .. } => return None,
        EventKind::TlsAppData { server_last, .. }
            if e.frames.iter().all(|f| Some(*f) == *server_last) =>
        {
            return None;
        }
        _ => {}
    }
    let (kind, summary) = summary::row_text(e);
    Some(Row {
        frame: e.frame,
        file_frame: e.file_frame,
        frames: shown_first(e),
        ts: e.ts,
        time: e.ts.unwrap_or_default(),
        client: e.client_ip(),
        proto: e.protocol,
        kind,
        summary,
        status: e.status,
        latency: e.latency,
        stage: e.stage.map(|s| s.0),
        stage_status: e.stage.map(|s| s.1),
        finding: e.finding,
        source: e.source,
    })
}

/// The timeline of a whole analysis, in frame order, each row tied to its client's chain.
pub fn build_rows(a: &Analysis) -> Vec<Row> {
    let mut rows: Vec<Row> = timeline(a).iter().filter_map(row).collect();
    fill_times(&mut rows, None);
    rows
}
