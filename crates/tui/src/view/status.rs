//! The status line: the search being typed, a note after an action, or the key hints (after a
//! problem with the inputs, such as an unreadable file, which stays shown), with the position
//! in the timeline.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme;
use crate::state::State;

pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let position = if state.visible_len() == 0 {
        "0/0 ".to_string()
    } else {
        format!("{}/{} ", state.selected_index() + 1, state.visible_len())
    };
    let [left, right] = Layout::horizontal([
        Constraint::Min(10),
        Constraint::Length(position.chars().count() as u16),
    ])
    .areas(area);
    let line = if let Some(input) = state.search_input() {
        Line::from(vec![
            Span::styled(" /", theme::key()),
            Span::styled(
                format!("{input}█"),
                Style::new().add_modifier(Modifier::BOLD),
            ),
            Span::styled("  Enter: apply · Esc: cancel", theme::dim()),
        ])
    } else if let Some(m) = &state.message {
        Line::styled(
            format!(" {m}"),
            Style::new().fg(ratatui::style::Color::Yellow),
        )
    } else {
        let hints = [
            ("?", "help"),
            ("n/N", "finding"),
            ("x", "break"),
            ("t", "lanes"),
            ("f", "filter"),
            ("/", "search"),
            ("Tab", "pane"),
            ("c", "client"),
            ("y", "copy"),
            ("q", "quit"),
        ];
        let mut spans = vec![Span::raw(" ")];
        let mut room = left.width as usize;
        if let Some(n) = &state.notice {
            let text = super::chain_bar::fit_end(n, room.saturating_sub(2));
            room = room.saturating_sub(text.chars().count() + 2);
            spans.push(Span::styled(
                format!("{text}  "),
                Style::new().fg(ratatui::style::Color::LightRed),
            ));
        }
        for (k, what) in hints {
            let need = k.chars().count() + what.len() + 3;
            if need > room {
                break;
            }
            room -= need;
            spans.push(Span::styled(k, theme::key()));
            spans.push(Span::styled(format!(" {what}  "), theme::dim()));
        }
        Line::from(spans)
    };
    frame.render_widget(Paragraph::new(line), left);
    frame.render_widget(Paragraph::new(Span::styled(position, theme::dim())), right);
}
