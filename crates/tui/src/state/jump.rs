//! The state's jumps: to the next or previous finding (`n` / `N`), to the row where the chain
//! broke, to a stage clicked in the chain bar, and the protocol filter's cycle.

use super::{Pane, State};
use crate::chain::StageKind;
use crate::rows::{Proto, Row, RowStatus};

impl State {
    pub(super) fn jump_finding(&mut self, forward: bool) {
        let is_finding = |v: &usize| self.rows.get(*v).is_some_and(Row::is_finding);
        let found = if forward {
            self.visible
                .iter()
                .enumerate()
                .skip(self.selected + 1)
                .find(|(_, v)| is_finding(v))
                .map(|(i, _)| i)
        } else {
            self.visible
                .iter()
                .enumerate()
                .take(self.selected)
                .rev()
                .find(|(_, v)| is_finding(v))
                .map(|(i, _)| i)
        };
        match found {
            Some(i) => {
                self.focus = Pane::Timeline;
                self.select(i);
                self.message = None;
            }
            None => {
                self.message = Some(if self.finding_count() == 0 {
                    "No findings in these rows.".into()
                } else if forward {
                    "No finding after this row (N goes back).".into()
                } else {
                    "No finding before this row (n goes forward).".into()
                });
            }
        }
    }

    pub(super) fn next_filter(&mut self) {
        let present: Vec<Proto> = Proto::ALL
            .into_iter()
            .filter(|p| self.rows.iter().any(|r| r.proto == *p))
            .collect();
        self.filter = match self.filter {
            None => present.first().copied(),
            Some(cur) => present.iter().copied().find(|p| *p > cur),
        };
        self.refilter(self.visible.get(self.selected).copied());
    }

    /// Selects the first visible row matching `want`, preferring one that `best` also holds.
    fn jump_to(&mut self, want: impl Fn(&Row) -> bool, best: impl Fn(&Row) -> bool) -> bool {
        let rows = &self.rows;
        let shown = |i: &usize| rows.get(*i);
        let found = self
            .visible
            .iter()
            .position(|i| shown(i).is_some_and(|r| want(r) && best(r)))
            .or_else(|| {
                self.visible
                    .iter()
                    .position(|i| shown(i).is_some_and(&want))
            });
        match found {
            Some(i) => {
                self.focus = Pane::Timeline;
                self.select(i);
                true
            }
            None => false,
        }
    }

    /// `x`: the row where the chain broke (the cause's failed message, else its first evidence).
    pub(super) fn jump_failure(&mut self) {
        let Some(cause) = self.chain().and_then(|c| c.cause.clone()) else {
            self.message = Some("Nothing broke: this chain has no cause to jump to.".into());
            return;
        };
        let evidence = |r: &Row| r.frames.iter().any(|f| cause.frames.contains(f));
        let failed = |r: &Row| r.status == RowStatus::Failed;
        if self.jump_to(evidence, failed) {
            self.message = Some(format!("Where it broke: {}", cause.code));
            return;
        }
        // Hidden by the filter or the search: show every row and try again.
        self.filter = None;
        self.search.clear();
        self.refilter(None);
        self.message = Some(if self.jump_to(evidence, failed) {
            format!("Where it broke: {} (filter and search cleared)", cause.code)
        } else {
            format!("{}: its frames are not in the timeline.", cause.code)
        });
    }

    /// A click on a stage of the chain bar: its first message, a failed one when there is one.
    pub(super) fn jump_stage(&mut self, kind: StageKind) {
        if !self.jump_to(|r| r.stage == Some(kind), Row::is_finding) {
            self.message = Some(format!(
                "No message of {} in these rows (not in the capture, or filtered out).",
                kind.id()
            ));
        }
    }
}
