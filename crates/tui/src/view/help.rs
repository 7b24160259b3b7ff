//! The help overlay: every key and what it does, over the middle of the screen. On a small
//! screen it scrolls (↑ ↓ PgUp PgDn) and says how much is above and below.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::theme;
use crate::keys::KEYS;

const MARKS: &str = " Marks: ✗ failed  ! evidence of a finding  ? no answer; dim time: lower bound";

/// Where the overlay goes on a screen of `area`.
fn rect(area: Rect) -> Rect {
    let width = area.width.saturating_sub(4).min(96);
    let height = (lines(width).len() as u16 + 2).min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

/// The overlay's lines, wrapped to a box `width` wide (borders included).
fn lines(width: u16) -> Vec<Line<'static>> {
    let key_width = KEYS
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0)
        + 2;
    let text_width = (width as usize).saturating_sub(key_width + 3).max(10);
    let mut out = Vec::new();
    for (k, what) in KEYS {
        for (i, piece) in super::detail::wrap(what, text_width)
            .into_iter()
            .enumerate()
        {
            let key = if i == 0 { *k } else { "" };
            out.push(Line::from(vec![
                Span::styled(format!(" {key:<key_width$}"), theme::key()),
                Span::raw(piece),
            ]));
        }
    }
    out.push(Line::raw(""));
    out.push(Line::styled(MARKS, theme::dim()));
    out
}

/// How far the help can scroll on a screen of `area`.
pub fn max_scroll(area: Rect) -> usize {
    let r = rect(area);
    lines(r.width)
        .len()
        .saturating_sub(r.height.saturating_sub(2) as usize)
}

pub fn draw(frame: &mut Frame, area: Rect, scroll: usize) {
    let rect = rect(area);
    let all = lines(rect.width);
    let inner = rect.height.saturating_sub(2) as usize;
    let scroll = scroll.min(all.len().saturating_sub(inner));
    let below = all.len().saturating_sub(scroll + inner);
    let title = if scroll == 0 && below == 0 {
        " Keys — ? or Esc closes ".to_string()
    } else {
        format!(
            " Keys — ? or Esc closes · {}–{} of {}, ↑↓ scrolls ",
            scroll + 1,
            (scroll + inner).min(all.len()),
            all.len()
        )
    };
    let shown: Vec<Line> = all.into_iter().skip(scroll).take(inner).collect();
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(shown).wrap(Wrap { trim: false }).block(
            Block::new()
                .borders(Borders::ALL)
                .border_style(theme::border(true))
                .title(Span::styled(title, theme::heading())),
        ),
        rect,
    );
}
