//! The timeline pane: a header line naming the columns, then one line per message, only the
//! rows that fit drawn. Columns, sized to their content: a mark for failures and findings,
//! frame, (with several inputs) the file and its own frame number, time since the first
//! message, the gap since the row above, the protocol coloured by stage, the kind, the summary
//! and the latency of an answer (gap and latency with units).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::theme;
use crate::capture::Nanos;
use crate::rows::Row;
use crate::state::{Pane, State};

/// From this width the timeline adds a stage column.
const STAGE_COLUMN_WIDTH: u16 = 90;

/// A short duration for narrow columns, never more than 6 characters: `850µs`, `12ms`,
/// `1.20s`, `42s`, `3m05s`, `2h05m`, `150h`.
pub fn short_duration(ns: Nanos) -> String {
    let ns = ns.max(0);
    let s = ns / 1_000_000_000;
    if ns < 1_000_000 {
        format!("{}µs", ns / 1_000)
    } else if ns < 10_000_000 {
        format!("{:.1}ms", ns as f64 / 1e6)
    } else if ns < 1_000_000_000 {
        format!("{}ms", ns / 1_000_000)
    } else if ns < 10_000_000_000 {
        format!("{:.2}s", ns as f64 / 1e9)
    } else if s < 60 {
        format!("{s}s")
    } else if s < 3600 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else if s < 100 * 3600 {
        format!("{}h{:02}m", s / 3600, (s % 3600) / 60)
    } else {
        format!("{}h", s / 3600)
    }
}

/// The gutter: how long nothing happened before this row. Short gaps are a dot; from 50 ms the
/// gap is written out, yellow from one second, red from five.
fn gutter(gap: Option<Nanos>) -> Span<'static> {
    match gap {
        None => Span::raw("       "),
        Some(g) if g < 1_000_000 => Span::styled("      ·", theme::dim()),
        Some(g) if g < 50_000_000 => Span::styled("      ┆", theme::dim()),
        Some(g) => {
            let style = if g >= 5_000_000_000 {
                Style::new().fg(ratatui::style::Color::LightRed)
            } else if g >= 1_000_000_000 {
                Style::new().fg(ratatui::style::Color::Yellow)
            } else {
                theme::dim()
            };
            Span::styled(format!("{:>7}", format!("+{}", short_duration(g))), style)
        }
    }
}

/// Column widths sized to the content: the largest frame number and time of the rows, the
/// longest file label with several inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Columns {
    pub frame: usize,
    pub file: usize,
    pub time: usize,
    pub stage: bool,
}

const GAP: usize = 7;
const PROTO: usize = 6;
const STAGE: usize = 8;
const KIND: usize = 13;
const LATENCY: usize = 7;

fn time_string(row: &Row, t0: Nanos) -> String {
    format!("{:.3}", (row.time - t0).max(0) as f64 / 1e9)
}

fn file_label(state: &State, row: &Row) -> String {
    match row.file_frame {
        Some((input, own)) => {
            let name = crate::report::frames::file_name(&state.analysis, input);
            let own = format!(" #{own}");
            let room = 22usize.saturating_sub(own.chars().count());
            format!("{}{own}", super::chain_bar::fit_end(&name, room))
        }
        None => String::new(),
    }
}

impl Columns {
    pub fn of(state: &State, width: u16) -> Columns {
        let rows = state.all_rows();
        let t0 = state.t0();
        let frame = rows.iter().map(|r| r.frame).max().unwrap_or(0);
        let time = rows
            .iter()
            .map(|r| r.time)
            .max()
            .map(|t| format!("{:.3}", (t - t0).max(0) as f64 / 1e9).len())
            .unwrap_or(5);
        let file = if crate::report::frames::several(&state.analysis) {
            rows.iter()
                .map(|r| file_label(state, r).chars().count())
                .max()
                .unwrap_or(0)
                .max(6)
        } else {
            0
        };
        Columns {
            frame: frame.to_string().len().max(5),
            file,
            time: time.max(5),
            stage: width >= STAGE_COLUMN_WIDTH,
        }
    }

    /// Columns before the summary.
    fn lead(&self) -> usize {
        1 + self.frame
            + 1
            + if self.file > 0 { self.file + 1 } else { 0 }
            + self.time
            + GAP
            + 1
            + PROTO
            + if self.stage { STAGE } else { 0 }
            + KIND
    }
}

/// The header line naming the columns.
pub fn header(cols: &Columns, width: u16) -> Line<'static> {
    let mut text = format!(" {:>w$} ", "frame", w = cols.frame);
    if cols.file > 0 {
        text.push_str(&format!("{:<w$} ", "file #", w = cols.file));
    }
    text.push_str(&format!("{:>w$}", "time", w = cols.time));
    text.push_str(&format!("{:>GAP$} ", "gap"));
    text.push_str(&format!("{:<PROTO$}", "proto"));
    if cols.stage {
        text.push_str(&format!("{:<STAGE$}", "stage"));
    }
    text.push_str(&format!("{:<KIND$}", "kind"));
    let summary = (width as usize).saturating_sub(cols.lead() + LATENCY + 1);
    text.push_str(&format!("{:<summary$} ", "summary"));
    text.push_str(&format!("{:>LATENCY$}", "latency"));
    Line::styled(truncate(&text, width as usize), theme::dim())
}

fn time_text(row: &Row, t0: Nanos, width: usize) -> Span<'static> {
    let text = format!("{:>width$}", time_string(row, t0));
    if row.ts.is_some() {
        Span::raw(text)
    } else {
        // No time of its own in the model: the time shown is a lower bound.
        Span::styled(text, theme::dim())
    }
}

fn truncate(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        format!("{s:<width$}")
    } else if width == 0 {
        String::new()
    } else {
        let mut t: String = s.chars().take(width - 1).collect();
        t.push('…');
        t
    }
}

fn row_line(
    state: &State,
    row: &Row,
    prev: Option<&Row>,
    cols: &Columns,
    width: u16,
    selected: bool,
) -> Line<'static> {
    let (mark, mark_style) = theme::row_mark(row.status, row.finding);
    let colour = theme::stage_color(row.stage);
    let mut spans = vec![
        Span::styled(mark, mark_style),
        Span::styled(format!("{:>w$} ", row.frame, w = cols.frame), theme::dim()),
    ];
    if cols.file > 0 {
        spans.push(Span::styled(
            format!("{:<w$} ", file_label(state, row), w = cols.file),
            Style::new().fg(ratatui::style::Color::Cyan),
        ));
    }
    spans.push(time_text(row, state.t0(), cols.time));
    spans.push(gutter(prev.map(|p| row.time - p.time)));
    spans.push(Span::raw(" "));
    spans.push(Span::styled(
        format!("{:<5} ", row.proto.label()),
        Style::new().fg(colour),
    ));
    if cols.stage {
        let stage = row.stage.map(theme::stage_short).unwrap_or("");
        spans.push(Span::styled(format!("{stage:<8}"), Style::new().fg(colour)));
    }
    spans.push(Span::styled(
        format!("{:<12} ", truncate(row.kind, 12)),
        Style::new().fg(colour),
    ));
    let latency = row
        .latency
        .map(|l| format!(" {:>w$}", short_duration(l), w = LATENCY));
    let summary_width = (width as usize).saturating_sub(cols.lead() + LATENCY + 1);
    spans.push(Span::styled(
        truncate(&row.summary, summary_width),
        theme::row_text(row.status, row.finding),
    ));
    spans.push(Span::styled(
        latency.unwrap_or_else(|| " ".repeat(LATENCY + 1)),
        Style::new().fg(ratatui::style::Color::LightYellow),
    ));
    let line = Line::from(spans);
    if selected {
        line.patch_style(theme::selected())
    } else {
        line
    }
}

fn title(state: &State, focused: bool) -> Line<'static> {
    let mut parts = vec![format!(
        "{} of {} rows",
        state.visible_len(),
        state.all_rows().len()
    )];
    let findings = state.finding_count();
    if findings > 0 {
        parts.push(format!("{findings} to check (n/N)"));
    }
    parts.push(format!(
        "filter {}",
        state.filter().map(|p| p.label()).unwrap_or("all")
    ));
    if !state.search().is_empty() {
        parts.push(format!("search \"{}\"", state.search()));
    }
    Line::from(vec![
        Span::styled(" Timeline ", theme::heading()),
        Span::styled(format!("{} ", parts.join(" · ")), theme::border(focused)),
    ])
}

pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let focused = state.focus == Pane::Timeline;
    let block = Block::new()
        .borders(Borders::TOP)
        .border_style(theme::border(focused))
        .title(title(state, focused));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if state.visible_len() == 0 {
        frame.render_widget(
            Paragraph::new(Line::styled(
                " No rows: change the filter (f) or clear the search (Esc).",
                theme::dim(),
            )),
            inner,
        );
        return;
    }
    let cols = Columns::of(state, inner.width);
    let mut lines = vec![header(&cols, inner.width)];
    lines.extend(
        state
            .window()
            .take((inner.height as usize).saturating_sub(1))
            .map(|(i, row)| {
                let prev = i.checked_sub(1).and_then(|p| state.visible_row(p));
                row_line(
                    state,
                    row,
                    prev,
                    &cols,
                    inner.width,
                    i == state.selected_index(),
                )
            }),
    );
    frame.render_widget(Paragraph::new(lines), inner);
}
