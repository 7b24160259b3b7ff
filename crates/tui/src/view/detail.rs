//! The detail pane: the selected row's lines styled and wrapped to the pane's width, scrolled.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::theme;
use crate::detail::Line as D;
use crate::state::{Pane, State};

/// Width of the field-name column.
const KEY_WIDTH: usize = 18;

/// Cuts `text` into pieces of at most `width` characters, at spaces where it can.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(8);
    let mut out = Vec::new();
    let mut rest: Vec<char> = text.chars().collect();
    while rest.len() > width {
        let window = rest.get(..=width).unwrap_or(&rest);
        let cut = window
            .iter()
            .rposition(|c| *c == ' ')
            .filter(|p| *p > width / 3)
            .unwrap_or(width);
        let (head, tail) = rest.split_at(cut.min(rest.len()));
        out.push(head.iter().collect::<String>().trim_end().to_string());
        rest = tail.iter().copied().skip_while(|c| *c == ' ').collect();
    }
    out.push(rest.into_iter().collect());
    out
}

/// The pane's lines at `width` columns.
pub fn render_lines(lines: &[D], width: usize) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for l in lines {
        match l {
            D::Heading(t) => out.extend(
                wrap(t, width)
                    .into_iter()
                    .map(|s| Line::styled(s, theme::heading())),
            ),
            D::Text(t) => out.extend(wrap(t, width).into_iter().map(Line::raw)),
            D::Problem(t) => out.extend(
                wrap(t, width)
                    .into_iter()
                    .map(|s| Line::styled(s, theme::problem())),
            ),
            D::Code(t) => out.extend(
                wrap(t, width.saturating_sub(2))
                    .into_iter()
                    .map(|s| Line::styled(format!("  {s}"), theme::code())),
            ),
            D::Field(k, v) => {
                let key_width = KEY_WIDTH.min(width / 3);
                let pieces = wrap(v, width.saturating_sub(key_width + 1));
                for (i, piece) in pieces.into_iter().enumerate() {
                    let key = if i == 0 {
                        format!("{:<key_width$} ", format!("{k}:"))
                    } else {
                        " ".repeat(key_width + 1)
                    };
                    out.push(Line::from(vec![
                        Span::styled(key, theme::key()),
                        Span::styled(piece, Style::new()),
                    ]));
                }
            }
            D::Blank => out.push(Line::raw("")),
        }
    }
    out
}

pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let focused = state.focus == Pane::Detail;
    let hint = if state.expanded {
        "Enter/Esc: back"
    } else {
        "Tab: scroll here · Enter: expand"
    };
    let block = Block::new()
        .borders(Borders::TOP)
        .border_style(theme::border(focused))
        .title(Line::from(vec![
            Span::styled(" Detail ", theme::heading()),
            Span::styled(format!("{hint} "), theme::border(focused)),
        ]));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let lines = render_lines(&state.detail(), inner.width as usize);
    let max_scroll = lines.len().saturating_sub(inner.height as usize);
    let scroll = state.detail_scroll.min(max_scroll);
    let shown: Vec<Line> = lines
        .into_iter()
        .skip(scroll)
        .take(inner.height as usize)
        .collect();
    frame.render_widget(Paragraph::new(shown), inner);
}

/// How far the detail pane of `state` can scroll in a text area of `area`'s size.
pub fn max_scroll(state: &State, area: Rect) -> usize {
    render_lines(&state.detail(), area.width as usize)
        .len()
        .saturating_sub(area.height as usize)
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wraps_at_spaces_and_cuts_long_words() {
        assert_eq!(wrap("aaaa bbbb cccc", 9), vec!["aaaa bbbb", "cccc"]);
        assert_eq!(wrap("abcdefghijkl", 8), vec!["abcdefgh", "ijkl"]);
        assert_eq!(wrap("", 8), vec![""]);
    }
}
