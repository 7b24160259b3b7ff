//! The time column: rows without a time of their own take the latest time known before them.

use crate::capture::Nanos;

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
