//! Rows finished after they are built: times filled where a message has none of its own, and each row tied to the stage of its client's chain whose evidence it is.

use crate::capture::Nanos;
use crate::chain::{Chain, StageKind, StageStatus};
use std::collections::HashMap;

use super::*;

/// Gives every row without a time of its own the latest time known before it (`before`: the
/// time of the row preceding these, when appending); rows ahead of any known time take the
/// first known one.
pub fn fill_times(rows: &mut [Row], before: Option<Nanos>) {
    let mut last = before;
    for row in rows.iter_mut() {
        last = match (row.ts, last) {
            (Some(t), Some(l)) => Some(t.max(l)),
            (Some(t), None) => Some(t),
            (None, l) => l,
        };
        row.time = last.unwrap_or_default();
    }
    let first = rows
        .iter()
        .find_map(|r| r.ts)
        .or(before)
        .unwrap_or_default();
    for row in rows.iter_mut().take_while(|r| r.ts.is_none()) {
        if before.is_none() {
            row.time = first;
        }
    }
}

/// Moves the last frame first: a message split over segments shows in Wireshark at the frame
/// that completed it.
pub(super) fn completed_first(frames: &[u64]) -> Vec<u64> {
    let mut out: Vec<u64> = frames.last().copied().into_iter().collect();
    out.extend(frames.iter().take(frames.len().saturating_sub(1)));
    out
}

/// Ties each row to the stage of its client's chain whose evidence frames it shares, and marks
/// the rows that are evidence of a finding. Parts of one exchange that no stage names take the
/// stage of a sibling that has one.
pub fn assign_stages(rows: &mut [Row], chains: &[Chain]) {
    for row in rows.iter_mut() {
        let Some(chain) = chains.iter().find(|c| Some(c.client) == row.client) else {
            continue;
        };
        let stages = chain
            .stages
            .iter()
            .chain(chain.attempts.iter().flat_map(|a| a.stages.iter()));
        let mut best = None;
        for s in stages {
            if s.frames.contains(&row.frame) {
                best = Some(s);
                break;
            }
            if best.is_none() && row.frames.iter().any(|f| s.frames.contains(f)) {
                best = Some(s);
            }
        }
        if let Some(s) = best {
            row.stage = Some(s.kind);
            row.stage_status = Some(s.status);
            // A KRB-ERROR in a Kerberos stage that went on to a ticket is a routine step
            // (pre-authentication required), not a failure.
            if row.proto == Proto::Kerberos
                && row.status == RowStatus::Failed
                && s.status == StageStatus::Ok
            {
                row.status = RowStatus::Info;
            }
        }
        row.finding = chain
            .findings
            .iter()
            .any(|c| row.frames.iter().any(|f| c.frames.contains(f)));
    }
    let mut by_exchange: HashMap<(u8, usize), (StageKind, StageStatus)> = HashMap::new();
    for row in rows.iter() {
        if let (Some(k), Some(s)) = (row.stage, row.stage_status) {
            by_exchange.entry(row.source.exchange()).or_insert((k, s));
        }
    }
    for row in rows.iter_mut().filter(|r| r.stage.is_none()) {
        if let Some((k, s)) = by_exchange.get(&row.source.exchange()) {
            row.stage = Some(*k);
            row.stage_status = Some(*s);
        }
    }
}
