//! The lane view (`t`): a time axis on top, one lane per party below it, each exchange a bar
//! from its request to its answer in its stage's colour, the failed ones red, the unanswered
//! ones dashed, the selected one bright; `▼` on the axis marks the selected message's time.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::theme;
use super::timeline::short_duration;
use crate::capture::Nanos;
use crate::lanes::{Bar, Lane, bars};
use crate::state::{Pane, State};

/// Width of the lane names.
const LABEL: usize = 9;
/// Lines the view needs: title, tick labels, axis, five lanes, a line about the selection.
pub const HEIGHT: u16 = 9;
/// Columns between two ticks of the axis.
const TICK: usize = 14;

/// Maps a time to a column of the plot, `0..cells`.
struct Scale {
    t0: Nanos,
    span: Nanos,
    cells: usize,
}

impl Scale {
    fn col(&self, t: Nanos) -> usize {
        let off = (t - self.t0).max(0) as i128;
        let c = off * (self.cells.saturating_sub(1) as i128) / (self.span.max(1) as i128);
        (c as usize).min(self.cells.saturating_sub(1))
    }
}

fn axis(scale: &Scale, marker: Option<usize>) -> Line<'static> {
    let mut cells: Vec<char> = vec!['─'; scale.cells];
    for c in (0..scale.cells).step_by(TICK) {
        if let Some(cell) = cells.get_mut(c) {
            *cell = '┬';
        }
    }
    if let Some(m) = marker.and_then(|m| cells.get_mut(m)) {
        *m = '▼';
    }
    Line::from(vec![
        Span::styled(format!("{:<LABEL$}", "time"), theme::dim()),
        Span::styled(cells.into_iter().collect::<String>(), theme::dim()),
    ])
}

fn labels(scale: &Scale) -> Line<'static> {
    let mut text: Vec<char> = vec![' '; scale.cells];
    for c in (0..scale.cells).step_by(TICK) {
        let t = scale.span as i128 * c as i128 / scale.cells.saturating_sub(1).max(1) as i128;
        let label = format!("+{}", short_duration(t as Nanos));
        if c + label.chars().count() <= scale.cells {
            for (i, ch) in label.chars().enumerate() {
                if let Some(cell) = text.get_mut(c + i) {
                    *cell = ch;
                }
            }
        }
    }
    Line::from(vec![
        Span::raw(" ".repeat(LABEL)),
        Span::styled(text.into_iter().collect::<String>(), theme::dim()),
    ])
}

fn bar_style(bar: &Bar) -> Style {
    let colour = if bar.failed {
        Color::Red
    } else if bar.lane == Lane::Client {
        Color::Gray
    } else {
        theme::stage_color(bar.stage)
    };
    let style = Style::new().fg(colour);
    if bar.selected {
        style.add_modifier(Modifier::BOLD | Modifier::REVERSED)
    } else {
        style
    }
}

fn lane_line(lane: Lane, bars: &[Bar], scale: &Scale) -> Line<'static> {
    let mut cells: Vec<(char, Style)> = vec![(' ', Style::new()); scale.cells];
    // Selected and failed bars last, so they stay visible where bars overlap.
    let mut mine: Vec<&Bar> = bars.iter().filter(|b| b.lane == lane).collect();
    mine.sort_by_key(|b| (b.selected, b.failed));
    for bar in mine {
        let (from, to) = (scale.col(bar.start), scale.col(bar.end));
        let style = bar_style(bar);
        for c in from..=to {
            let ch = if from == to {
                if bar.failed { '✗' } else { '■' }
            } else if bar.unanswered {
                '╌'
            } else if c == from {
                '├'
            } else if c == to {
                if bar.failed { '✗' } else { '┤' }
            } else {
                '━'
            };
            if let Some(cell) = cells.get_mut(c) {
                *cell = (ch, style);
            }
        }
    }
    let mut spans = vec![Span::styled(
        format!("{:<LABEL$}", lane.label()),
        theme::key(),
    )];
    spans.extend(
        cells
            .into_iter()
            .map(|(c, s)| Span::styled(c.to_string(), s)),
    );
    Line::from(spans)
}

pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let focused = state.focus == Pane::Timeline;
    let block = Block::new()
        .borders(Borders::TOP)
        .border_style(theme::border(focused))
        .title(Line::from(vec![
            Span::styled(" Lanes ", theme::heading()),
            Span::styled(
                "request → answer · red: failed · ↑↓ select · t: rows ",
                theme::border(focused),
            ),
        ]));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let selected = state.selected_row();
    let all = bars(&state.analysis, state.visible_rows(), selected);
    let t0 = all.iter().map(|b| b.start).min().unwrap_or_default();
    let t1 = all.iter().map(|b| b.end).max().unwrap_or_default();
    let scale = Scale {
        t0,
        span: (t1 - t0).max(1_000_000),
        cells: (inner.width as usize).saturating_sub(LABEL + 1).max(1),
    };
    let marker = selected.map(|r| scale.col(r.time));
    let mut lines = vec![labels(&scale), axis(&scale, marker)];
    lines.extend(Lane::ALL.iter().map(|l| lane_line(*l, &all, &scale)));
    if let Some(r) = selected {
        lines.push(Line::styled(
            format!(
                "▼ frame {} at +{} · {} {} · {}",
                r.frame,
                short_duration(r.time - t0),
                r.proto.label(),
                r.kind,
                r.summary
            ),
            theme::dim(),
        ));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
