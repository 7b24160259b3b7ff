//! The TUI's state and what every action does to it: the rows, which client's chain is shown,
//! the protocol filter and text search that pick the visible rows, the selection and scroll,
//! the focused pane, the help overlay. Pure: no terminal, so every behaviour is unit-tested.
//! Rows can be appended (live capture) without losing the selection.

use crate::analysis::Analysis;
use crate::capture::Nanos;
use crate::chain::Chain;
use crate::chain::groups::{FailureGroup, failure_groups, group_of};

use super::copy::{CopyItem, items};
use super::detail;
use super::rows::{Proto, Row, build_rows, fill_times};

mod jump;

/// Which pane the movement keys act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Timeline,
    Detail,
}

/// Something the user asked for, already decoded from keys or the mouse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    NextFinding,
    PrevFinding,
    NextClient,
    NextFilter,
    SwitchPane,
    Expand,
    StartSearch,
    SearchChar(char),
    SearchBackspace,
    SearchConfirm,
    Help,
    /// `y`: opens the copy menu.
    Copy,
    /// A key pressed in the copy menu.
    CopyPick(char),
    /// Jump to the row where the chain broke.
    JumpFailure,
    /// `t`: the lane view (time axis, one lane per party) instead of the rows.
    ToggleLanes,
    /// Esc: closes what is open (help, copy menu, search input, expanded pane, protocol
    /// filter, search, lane view), else quits.
    Back,
    Quit,
    /// Ctrl-C: quits from everywhere, the search prompt included.
    Interrupt,
    /// Mouse wheel over a pane.
    Scroll(Pane, i32),
    /// Mouse click on the n-th visible timeline line (0 = the first drawn row).
    ClickRow(usize),
    ClickDetail,
    /// Mouse click on a stage of the chain bar.
    ClickStage(crate::chain::StageKind),
}

/// What the event loop must do after an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    None,
    Quit,
    /// Put this text on the clipboard (OSC 52).
    Copy(String),
}

/// Everything the screen shows, and nothing about how.
#[derive(Debug, Clone)]
pub struct State {
    pub analysis: Analysis,
    rows: Vec<Row>,
    /// Indices into `rows` of the rows shown, in order.
    visible: Vec<usize>,
    /// Index into `visible` of the selected row.
    selected: usize,
    /// Index into `visible` of the first row drawn.
    offset: usize,
    /// Index into `analysis.chains` of the client shown.
    client: usize,
    filter: Option<Proto>,
    search: String,
    /// Some while the user types a search after `/`.
    search_input: Option<String>,
    pub focus: Pane,
    pub expanded: bool,
    pub help: bool,
    /// First line of the help overlay shown (it scrolls on small screens).
    pub help_scroll: usize,
    /// The copy menu's items while it is open.
    pub copy_menu: Option<Vec<CopyItem>>,
    /// The lane view replaces the rows.
    pub lanes: bool,
    /// A problem with the inputs (an unreadable file), kept on the status line.
    pub notice: Option<String>,
    pub detail_scroll: usize,
    /// Rows the timeline can show at once (the view tells after each layout).
    pub timeline_height: usize,
    /// Lines the detail pane can show at once.
    pub detail_height: usize,
    /// A one-line note for the status bar (e.g. after `y`).
    pub message: Option<String>,
    /// Clients broken the same way, grouped once per analysis (not per drawn frame).
    groups: Vec<FailureGroup>,
}

/// A duration for people: `850 µs`, `12.4 ms`, `3.20 s`, `2 min 5 s`.
pub fn duration_text(ns: Nanos) -> String {
    let ns = ns.max(0);
    if ns < 1_000_000 {
        format!("{} µs", ns / 1_000)
    } else if ns < 1_000_000_000 {
        format!("{:.1} ms", ns as f64 / 1e6)
    } else if ns < 60_000_000_000 {
        format!("{:.2} s", ns as f64 / 1e9)
    } else {
        let s = ns / 1_000_000_000;
        format!("{} min {} s", s / 60, s % 60)
    }
}

impl State {
    pub fn new(analysis: Analysis) -> State {
        let rows = build_rows(&analysis);
        let groups = failure_groups(&analysis.chains);
        let mut s = State {
            groups,
            analysis,
            rows,
            visible: vec![],
            selected: 0,
            offset: 0,
            client: 0,
            filter: None,
            search: String::new(),
            search_input: None,
            focus: Pane::Timeline,
            expanded: false,
            help: false,
            help_scroll: 0,
            copy_menu: None,
            lanes: false,
            notice: None,
            detail_scroll: 0,
            timeline_height: 10,
            detail_height: 8,
            message: None,
        };
        s.refilter(None);
        s
    }

    // ---- what the view reads -------------------------------------------------------------

    pub fn chains(&self) -> &[Chain] {
        &self.analysis.chains
    }

    /// How many clients broke as `c` did (same stage, cause and server), when others did too.
    pub fn broken_the_same_way(&self, c: &Chain) -> Option<usize> {
        same_way(&self.groups, c)
    }

    /// The chain of the client shown, if the capture has any.
    pub fn chain(&self) -> Option<&Chain> {
        self.analysis.chains.get(self.client)
    }

    pub fn client_index(&self) -> usize {
        self.client
    }

    pub fn filter(&self) -> Option<Proto> {
        self.filter
    }

    pub fn search(&self) -> &str {
        &self.search
    }

    pub fn search_input(&self) -> Option<&str> {
        self.search_input.as_deref()
    }

    pub fn all_rows(&self) -> &[Row] {
        &self.rows
    }

    pub fn visible_len(&self) -> usize {
        self.visible.len()
    }

    /// The rows drawn now: from the scroll offset, at most `timeline_height` of them.
    pub fn window(&self) -> impl Iterator<Item = (usize, &Row)> {
        self.visible
            .iter()
            .enumerate()
            .skip(self.offset)
            .take(self.timeline_height.max(1))
            .filter_map(|(i, r)| self.rows.get(*r).map(|row| (i, row)))
    }

    /// Every visible row, in order (the lane view draws them all).
    pub fn visible_rows(&self) -> impl Iterator<Item = &Row> {
        self.visible.iter().filter_map(|r| self.rows.get(*r))
    }

    /// The visible row before the n-th visible one (for the gutter of the first drawn row).
    pub fn visible_row(&self, i: usize) -> Option<&Row> {
        self.visible.get(i).and_then(|r| self.rows.get(*r))
    }

    pub fn selected_index(&self) -> usize {
        self.selected
    }

    pub fn offset(&self) -> usize {
        self.offset
    }

    pub fn selected_row(&self) -> Option<&Row> {
        self.visible_row(self.selected)
    }

    /// Time of the first row: the timeline's zero.
    pub fn t0(&self) -> Nanos {
        self.rows.first().map(|r| r.time).unwrap_or_default()
    }

    /// The detail lines of the selected row.
    pub fn detail(&self) -> Vec<detail::Line> {
        match self.selected_row() {
            None => vec![detail::Line::Text(
                "No message to show: no DNS, Kerberos, LDAP, TLS or HTTP traffic of this client matches.".into(),
            )],
            Some(row) => {
                let chain = self
                    .analysis
                    .chains
                    .iter()
                    .find(|c| Some(c.client) == row.client);
                detail::lines(&self.analysis, row, chain)
            }
        }
    }

    /// How many visible rows are findings (for the title bar).
    pub fn finding_count(&self) -> usize {
        self.visible
            .iter()
            .filter_map(|i| self.rows.get(*i))
            .filter(|r| r.is_finding())
            .count()
    }

    // ---- changes ---------------------------------------------------------------------------

    /// Adds rows that arrived later (live capture): they keep frame order, the selection stays
    /// on its row, and a selection on the last row follows the new ones.
    pub fn append_rows(&mut self, mut new: Vec<Row>) {
        let following = self.visible.is_empty() || self.selected + 1 >= self.visible.len();
        let keep = self.visible.get(self.selected).copied();
        fill_times(&mut new, self.rows.last().map(|r| r.time));
        self.rows.extend(new);
        self.rows.sort_by_key(|r| r.frame);
        // Sorting is stable and appended rows come later, so a kept index is still valid
        // unless a new row sorted before it; find the same row again by identity.
        let keep = keep.and_then(|k| {
            let old = self.rows.get(k).map(|r| (r.frame, r.source));
            old.and_then(|o| self.rows.iter().position(|r| (r.frame, r.source) == o))
        });
        self.refilter(keep);
        if following && !self.visible.is_empty() {
            self.selected = self.visible.len() - 1;
            self.scroll_to_selection();
        }
    }

    /// Takes a newer analysis of the same growing capture (live): rows are rebuilt, the selection
    /// stays on the same message, or follows the newest row when the last one was selected.
    pub fn refresh(&mut self, analysis: Analysis) {
        let following = self.visible.is_empty() || self.selected + 1 >= self.visible.len();
        let keep = self
            .visible
            .get(self.selected)
            .and_then(|&k| self.rows.get(k))
            .map(|r| (r.frame, r.source));
        self.rows = build_rows(&analysis);
        self.groups = failure_groups(&analysis.chains);
        self.analysis = analysis;
        if self.client >= self.analysis.chains.len() {
            self.client = 0;
        }
        let keep = keep.and_then(|o| self.rows.iter().position(|r| (r.frame, r.source) == o));
        self.refilter(keep);
        if following && !self.visible.is_empty() {
            self.selected = self.visible.len() - 1;
            self.scroll_to_selection();
        }
    }

    /// Recomputes the visible rows; the selection stays on row `keep` (an index into `rows`)
    /// when it is still shown, else moves to the nearest shown row after it.
    fn refilter(&mut self, keep: Option<usize>) {
        let client = self.chain().map(|c| c.client);
        let needle = self.search.to_lowercase();
        self.visible = self
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| client.is_none() || r.client.is_none() || r.client == client)
            .filter(|(_, r)| self.filter.is_none_or(|p| r.proto == p))
            .filter(|(_, r)| needle.is_empty() || r.haystack().to_lowercase().contains(&needle))
            .map(|(i, _)| i)
            .collect();
        self.selected = match keep {
            Some(k) => self
                .visible
                .iter()
                .position(|v| *v >= k)
                .unwrap_or(self.visible.len().saturating_sub(1)),
            None => 0,
        };
        if keep.is_none() || self.visible.get(self.selected) != keep.as_ref() {
            // Another message is shown: its detail starts at the top.
            self.detail_scroll = 0;
        }
        self.scroll_to_selection();
    }

    fn scroll_to_selection(&mut self) {
        let h = self.timeline_height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + h {
            self.offset = self.selected + 1 - h;
        }
        let max_offset = self.visible.len().saturating_sub(h);
        self.offset = self.offset.min(max_offset);
    }

    /// The view reports the pane heights after laying out the screen.
    pub fn set_heights(&mut self, timeline: usize, detail: usize) {
        self.timeline_height = timeline.max(1);
        self.detail_height = detail.max(1);
        self.scroll_to_selection();
    }

    fn select(&mut self, i: usize) {
        if self.visible.is_empty() {
            return;
        }
        let i = i.min(self.visible.len() - 1);
        if i != self.selected {
            self.detail_scroll = 0;
        }
        self.selected = i;
        self.scroll_to_selection();
    }

    fn move_by(&mut self, delta: i64) {
        match self.focus {
            Pane::Timeline => {
                let target = (self.selected as i64 + delta).max(0) as usize;
                self.select(target);
            }
            Pane::Detail => {
                self.detail_scroll = (self.detail_scroll as i64 + delta).max(0) as usize;
            }
        }
    }

    /// Applies one action; returns what the event loop must do.
    pub fn apply(&mut self, action: Action) -> Effect {
        if action == Action::Interrupt {
            return Effect::Quit;
        }
        if !matches!(
            action,
            Action::NextFinding
                | Action::PrevFinding
                | Action::Copy
                | Action::CopyPick(_)
                | Action::JumpFailure
                | Action::ClickStage(_)
        ) {
            self.message = None;
        }
        if self.search_input.is_some() {
            return self.apply_typing(action);
        }
        if self.copy_menu.is_some() {
            return self.apply_menu(action);
        }
        if self.help {
            return self.apply_help(action);
        }
        let page = match self.focus {
            Pane::Timeline => self.timeline_height,
            Pane::Detail => self.detail_height,
        }
        .max(2) as i64
            - 1;
        match action {
            Action::Up => self.move_by(-1),
            Action::Down => self.move_by(1),
            Action::PageUp => self.move_by(-page),
            Action::PageDown => self.move_by(page),
            Action::Home => match self.focus {
                Pane::Timeline => self.select(0),
                Pane::Detail => self.detail_scroll = 0,
            },
            Action::End => match self.focus {
                Pane::Timeline => self.select(usize::MAX),
                Pane::Detail => self.detail_scroll = usize::MAX / 2,
            },
            Action::NextFinding => self.jump_finding(true),
            Action::PrevFinding => self.jump_finding(false),
            Action::JumpFailure => self.jump_failure(),
            Action::ClickStage(kind) => self.jump_stage(kind),
            Action::NextClient => {
                let n = self.analysis.chains.len();
                if n > 1 {
                    self.client = (self.client + 1) % n;
                    self.detail_scroll = 0;
                    self.refilter(None);
                } else {
                    self.message = Some("Only one client in this capture.".into());
                }
            }
            Action::NextFilter => self.next_filter(),
            Action::SwitchPane => {
                self.focus = match self.focus {
                    Pane::Timeline => Pane::Detail,
                    Pane::Detail => Pane::Timeline,
                }
            }
            Action::Expand => {
                self.expanded = !self.expanded;
                if self.expanded {
                    self.focus = Pane::Detail;
                }
            }
            Action::ToggleLanes => self.lanes = !self.lanes,
            Action::StartSearch => self.search_input = Some(self.search.clone()),
            Action::SearchChar(_)
            | Action::SearchBackspace
            | Action::SearchConfirm
            | Action::CopyPick(_) => {}
            Action::Help => {
                self.help = true;
                self.help_scroll = 0;
            }
            Action::Copy => match self.selected_row().map(|r| items(&self.analysis, r)) {
                Some(menu) if !menu.is_empty() => self.copy_menu = Some(menu),
                _ => self.message = Some("Nothing to copy: no row selected.".into()),
            },
            Action::Back => return self.back(),
            Action::Quit | Action::Interrupt => return Effect::Quit,
            Action::Scroll(pane, delta) => {
                let focus = self.focus;
                self.focus = pane;
                self.move_by(i64::from(delta));
                self.focus = focus;
            }
            Action::ClickRow(line) => {
                self.focus = Pane::Timeline;
                self.select(self.offset + line);
            }
            Action::ClickDetail => self.focus = Pane::Detail,
        }
        Effect::None
    }

    /// Esc outside the overlays: closes the innermost thing open, else quits.
    fn back(&mut self) -> Effect {
        if self.expanded {
            self.expanded = false;
            self.focus = Pane::Timeline;
        } else if self.filter.is_some() {
            self.filter = None;
            self.refilter(self.visible.get(self.selected).copied());
            self.message = Some("Filter cleared: all protocols.".into());
        } else if !self.search.is_empty() {
            self.search.clear();
            self.refilter(self.visible.get(self.selected).copied());
        } else if self.lanes {
            self.lanes = false;
        } else {
            return Effect::Quit;
        }
        Effect::None
    }

    /// While the search prompt is open: keys are text; Enter applies, Esc cancels.
    fn apply_typing(&mut self, action: Action) -> Effect {
        let Some(input) = self.search_input.as_mut() else {
            return Effect::None;
        };
        match action {
            Action::SearchChar(c) => input.push(c),
            Action::SearchBackspace => {
                input.pop();
            }
            Action::SearchConfirm => {
                self.search = std::mem::take(input);
                self.search_input = None;
                self.refilter(self.visible.get(self.selected).copied());
                if !self.search.is_empty() {
                    self.message = Some(format!(
                        "{} row{} match \"{}\" (Esc clears)",
                        self.visible.len(),
                        if self.visible.len() == 1 { "" } else { "s" },
                        self.search
                    ));
                }
            }
            Action::Back => self.search_input = None,
            _ => {}
        }
        Effect::None
    }

    /// While the copy menu is open: its keys pick, Esc closes, q quits.
    fn apply_menu(&mut self, action: Action) -> Effect {
        match action {
            Action::CopyPick(c) => {
                let picked = self
                    .copy_menu
                    .as_ref()
                    .and_then(|m| m.iter().find(|i| i.key == c))
                    .cloned();
                if let Some(item) = picked {
                    self.copy_menu = None;
                    self.message = Some(format!(
                        "{} sent to the clipboard (OSC 52; needs terminal support).",
                        item.label
                    ));
                    return Effect::Copy(item.text);
                }
            }
            Action::Back | Action::Copy => self.copy_menu = None,
            Action::Quit => return Effect::Quit,
            _ => {}
        }
        Effect::None
    }

    /// While the help overlay is open: it scrolls; ? or Esc close it, q still quits.
    fn apply_help(&mut self, action: Action) -> Effect {
        match action {
            Action::Help | Action::Back => self.help = false,
            Action::Quit => return Effect::Quit,
            Action::Up => self.help_scroll = self.help_scroll.saturating_sub(1),
            Action::Down => self.help_scroll += 1,
            Action::PageUp => self.help_scroll = self.help_scroll.saturating_sub(5),
            Action::PageDown => self.help_scroll += 5,
            Action::Home => self.help_scroll = 0,
            Action::End => self.help_scroll = usize::MAX / 2,
            Action::Scroll(_, d) => {
                self.help_scroll = (self.help_scroll as i64 + i64::from(d)).max(0) as usize
            }
            _ => {}
        }
        Effect::None
    }
}

/// The size of `c`'s group among `groups`, when it has company.
pub(crate) fn same_way(groups: &[FailureGroup], c: &Chain) -> Option<usize> {
    group_of(groups, c).map(|g| g.count).filter(|n| *n > 1)
}
