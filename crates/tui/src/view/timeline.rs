//! The timeline pane: one line per message, only the rows that fit drawn. Columns: a mark for
//! failures and findings, frame, time since the first message, a gutter showing the gap since
//! the row above, the protocol coloured by stage, the kind, the summary and the latency of an
//! answer.

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

/// A short duration for narrow columns: `850µs`, `12ms`, `1.20s`, `42s`, `3m05s`.
pub fn short_duration(ns: Nanos) -> String {
    let ns = ns.max(0);
    if ns < 1_000_000 {
        format!("{}µs", ns / 1_000)
    } else if ns < 10_000_000 {
        format!("{:.1}ms", ns as f64 / 1e6)
    } else if ns < 1_000_000_000 {
        format!("{}ms", ns / 1_000_000)
    } else if ns < 10_000_000_000 {
        format!("{:.2}s", ns as f64 / 1e9)
    } else if ns < 60_000_000_000 {
        format!("{}s", ns / 1_000_000_000)
    } else {
        let s = ns / 1_000_000_000;
        format!("{}m{:02}s", s / 60, s % 60)
    }
}

/// The gutter: how long nothing happened before this row. Short gaps are a dot; from 50 ms the
/// gap is written out, yellow from one second, red from five.
fn gutter(gap: Option<Nanos>) -> Span<'static> {
    match gap {
        None => Span::raw("      "),
        Some(g) if g < 1_000_000 => Span::styled("     ·", theme::dim()),
        Some(g) if g < 50_000_000 => Span::styled("     ┆", theme::dim()),
        Some(g) => {
            let style = if g >= 5_000_000_000 {
                Style::new().fg(ratatui::style::Color::LightRed)
            } else if g >= 1_000_000_000 {
                Style::new().fg(ratatui::style::Color::Yellow)
            } else {
                theme::dim()
            };
            Span::styled(format!("{:>6}", format!("+{}", short_duration(g))), style)
        }
    }
}

fn time_text(row: &Row, t0: Nanos) -> Span<'static> {
    let rel = (row.time - t0).max(0) as f64 / 1e9;
    let text = if rel < 1000.0 {
        format!("{rel:>8.3}")
    } else {
        format!("{rel:>8.1}")
    };
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

fn row_line(row: &Row, prev: Option<&Row>, t0: Nanos, width: u16, selected: bool) -> Line<'static> {
    let (mark, mark_style) = theme::row_mark(row.status, row.finding);
    let colour = theme::stage_color(row.stage);
    let mut spans = vec![
        Span::styled(mark, mark_style),
        Span::styled(format!("{:>5} ", row.frame), theme::dim()),
        time_text(row, t0),
        gutter(prev.map(|p| row.time - p.time)),
        Span::raw(" "),
        Span::styled(
            format!("{:<5} ", row.proto.label()),
            Style::new().fg(colour),
        ),
    ];
    let mut used = 1 + 6 + 8 + 6 + 1 + 6;
    if width >= STAGE_COLUMN_WIDTH {
        let stage = row.stage.map(theme::stage_short).unwrap_or("");
        spans.push(Span::styled(format!("{stage:<8}"), Style::new().fg(colour)));
        used += 8;
    }
    spans.push(Span::styled(
        format!("{:<12} ", truncate(row.kind, 12)),
        Style::new().fg(colour),
    ));
    used += 13;
    let latency = row.latency.map(|l| format!(" {:>7}", short_duration(l)));
    let latency_width = 8;
    let summary_width = (width as usize).saturating_sub(used + latency_width);
    spans.push(Span::styled(
        truncate(&row.summary, summary_width),
        theme::row_text(row.status, row.finding),
    ));
    spans.push(Span::styled(
        latency.unwrap_or_else(|| " ".repeat(latency_width)),
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
    let t0 = state.t0();
    let lines: Vec<Line> = state
        .window()
        .take(inner.height as usize)
        .map(|(i, row)| {
            let prev = i.checked_sub(1).and_then(|p| state.visible_row(p));
            row_line(row, prev, t0, inner.width, i == state.selected_index())
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}
