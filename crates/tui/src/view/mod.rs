//! Drawing: lays the screen out (chain bar, timeline or lane view, detail pane, status line,
//! copy menu and help overlays) and hands each area to its widget. Reads the [`State`];
//! changes nothing.

pub mod chain_bar;
pub mod copy_menu;
pub mod detail;
pub mod help;
pub mod lanes;
pub mod loading;
pub mod status;
pub mod theme;
pub mod timeline;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Text};
use ratatui::widgets::{Paragraph, Wrap};

use super::state::State;

/// Smallest terminal the screen is laid out for.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 14;
/// From this width the detail pane sits beside the timeline instead of under it.
pub const SIDE_BY_SIDE_WIDTH: u16 = 140;

/// Where each part of the screen goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub chain: Rect,
    /// The timeline pane including its title line (None when the detail pane is expanded).
    pub timeline: Option<Rect>,
    pub detail: Option<Rect>,
    pub status: Rect,
}

impl Areas {
    /// The rows of the timeline pane below its title line and its column header.
    pub fn timeline_rows(&self) -> Option<Rect> {
        self.timeline.map(|t| Rect {
            y: t.y.saturating_add(2),
            height: t.height.saturating_sub(2),
            ..t
        })
    }

    /// The text area of the detail pane below its title line.
    pub fn detail_text(&self) -> Option<Rect> {
        self.detail.map(|d| Rect {
            y: d.y.saturating_add(1),
            height: d.height.saturating_sub(1),
            ..d
        })
    }
}

pub fn too_small(area: Rect) -> bool {
    area.width < MIN_WIDTH || area.height < MIN_HEIGHT
}

/// The layout of a screen of size `area` for `state` (None: the terminal is too small).
pub fn layout(area: Rect, state: &State) -> Option<Areas> {
    if too_small(area) {
        return None;
    }
    let [chain, body, status] = Layout::vertical([
        Constraint::Length(chain_bar::HEIGHT),
        Constraint::Min(4),
        Constraint::Length(1),
    ])
    .areas(area);
    let (timeline, detail) = if state.expanded {
        (None, Some(body))
    } else if state.lanes {
        // The lanes take the lines they need; the detail pane the rest.
        let lanes = lanes::HEIGHT.min(body.height.saturating_sub(3));
        let [t, d] = Layout::vertical([Constraint::Length(lanes), Constraint::Fill(1)]).areas(body);
        (Some(t), Some(d))
    } else {
        let (t, d) = if area.width >= SIDE_BY_SIDE_WIDTH {
            // A blank column keeps the latency column off the detail text.
            let [t, _, d] = Layout::horizontal([
                Constraint::Percentage(58),
                Constraint::Length(1),
                Constraint::Fill(1),
            ])
            .areas(body);
            (t, d)
        } else {
            let [t, d] = Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)])
                .areas(body);
            (t, d)
        };
        (Some(t), Some(d))
    };
    Some(Areas {
        chain,
        timeline,
        detail,
        status,
    })
}

/// Pane heights for the state's paging and scrolling, from the layout of a screen.
pub fn pane_heights(areas: &Areas) -> (usize, usize) {
    (
        areas
            .timeline_rows()
            .map(|r| r.height as usize)
            .unwrap_or(1),
        areas.detail_text().map(|r| r.height as usize).unwrap_or(1),
    )
}

/// Draws the whole screen.
pub fn draw(frame: &mut Frame, state: &State) {
    let area = frame.area();
    let Some(areas) = layout(area, state) else {
        draw_too_small(frame, area);
        return;
    };
    chain_bar::draw(frame, areas.chain, state);
    if let Some(t) = areas.timeline {
        if state.lanes {
            lanes::draw(frame, t, state);
        } else {
            timeline::draw(frame, t, state);
        }
    }
    if let Some(d) = areas.detail {
        detail::draw(frame, d, state);
    }
    status::draw(frame, areas.status, state);
    if let Some(menu) = &state.copy_menu {
        copy_menu::draw(frame, area, menu);
    }
    if state.help {
        help::draw(frame, area, state.help_scroll);
    }
}

fn draw_too_small(frame: &mut Frame, area: Rect) {
    let text = Text::from(vec![
        Line::styled(
            "Terminal too small",
            Style::new().add_modifier(Modifier::BOLD),
        ),
        Line::raw(format!(
            "{}×{}: capdiag needs at least {MIN_WIDTH}×{MIN_HEIGHT}.",
            area.width, area.height
        )),
        Line::raw("Enlarge the window, or press q to quit."),
    ]);
    let y = area.height.saturating_sub(3) / 2;
    let rect = Rect {
        y: area.y + y,
        height: area.height.saturating_sub(y).min(3),
        ..area
    };
    frame.render_widget(
        Paragraph::new(text)
            .wrap(Wrap { trim: true })
            .alignment(ratatui::layout::Alignment::Center),
        rect,
    );
}
