//! The detail pane: the selected row's lines styled and wrapped to the pane's width, scrolled,
//! with the scroll position in its title. A filter or a command is wrapped only where the text
//! allows a break (between filter terms, at spaces), never inside a GUID or a DN value.

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
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(8);
    let mut out = Vec::new();
    let mut rest: Vec<char> = text.chars().collect();
    while rest.len() > width {
        let window = rest.get(..=width).unwrap_or(&rest);
        // At a space; else between two filter terms `)(`, so a GUID or a DN value in an LDAP
        // filter is never cut; else at the width.
        let cut = window
            .iter()
            .rposition(|c| *c == ' ')
            .filter(|p| *p > width / 3)
            .or_else(|| {
                (1..window.len())
                    .rev()
                    .find(|&i| window.get(i - 1) == Some(&')') || window.get(i) == Some(&'('))
                    .filter(|p| *p > width / 3)
            })
            .unwrap_or(width);
        let (head, tail) = rest.split_at(cut.min(rest.len()));
        out.push(head.iter().collect::<String>().trim_end().to_string());
        rest = tail.iter().copied().skip_while(|c| *c == ' ').collect();
    }
    out.push(rest.into_iter().collect());
    out
}

/// Cuts code (an LDAP filter, a command line) into pieces of at most `width` characters, only
/// after a `)`, before a `(`, or at a space; a piece longer than `width` with no such place is
/// kept whole (the terminal cuts it; the copy menu has the exact text).
pub fn wrap_code(text: &str, width: usize) -> Vec<String> {
    let width = width.max(8);
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut start = 0;
    while chars.len() - start > width {
        let limit = start + width;
        // A break at i means the piece is chars[start..i].
        let mut breaks = (start + 1..=limit).filter(|&i| {
            let before = chars.get(i - 1).copied();
            let at = chars.get(i).copied();
            before == Some(')') || at == Some('(') || at == Some(' ')
        });
        let cut = match breaks.next_back() {
            Some(c) => c,
            // No place to break within the width: take the next one after it.
            None => match (limit..chars.len()).find(|&i| {
                chars.get(i - 1) == Some(&')') || matches!(chars.get(i), Some('(' | ' '))
            }) {
                Some(c) => c,
                None => chars.len(),
            },
        };
        let piece: String = chars.get(start..cut).unwrap_or_default().iter().collect();
        out.push(piece.trim_end().to_string());
        start = cut;
        while chars.get(start) == Some(&' ') {
            start += 1;
        }
    }
    let rest: String = chars.get(start..).unwrap_or_default().iter().collect();
    if !rest.is_empty() || out.is_empty() {
        out.push(rest);
    }
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
                wrap_code(t, width.saturating_sub(2))
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
    let width = area.width as usize;
    let height = area.height.saturating_sub(1) as usize;
    let lines = render_lines(&state.detail(), width);
    let max_scroll = lines.len().saturating_sub(height);
    let scroll = state.detail_scroll.min(max_scroll);
    let position = if max_scroll == 0 {
        "all shown".to_string()
    } else {
        format!(
            "lines {}–{} of {}",
            scroll + 1,
            (scroll + height).min(lines.len()),
            lines.len()
        )
    };
    let block = Block::new()
        .borders(Borders::TOP)
        .border_style(theme::border(focused))
        .title(Line::from(vec![
            Span::styled(" Detail ", theme::heading()),
            Span::styled(format!("{position} · {hint} "), theme::border(focused)),
        ]));
    let inner = block.inner(area);
    frame.render_widget(block, area);
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
    use super::{wrap, wrap_code};

    #[test]
    fn code_breaks_between_filter_terms_never_inside_a_guid() {
        let f = "(&(objectClass=serviceConnectionPoint)(|(keywords=67661d7F-8FC4-4fa7-BFAC-E1D7794C1F68)(keywords=77378F46-2C66-4aa9-A6A6-3E7A48B19596)))";
        for width in [20, 40, 58, 76] {
            let pieces = wrap_code(f, width);
            assert_eq!(pieces.concat(), f, "at {width}");
            for guid in [
                "67661d7F-8FC4-4fa7-BFAC-E1D7794C1F68",
                "77378F46-2C66-4aa9-A6A6-3E7A48B19596",
            ] {
                assert!(
                    pieces.iter().any(|p| p.contains(guid)),
                    "{guid} split at {width}: {pieces:?}"
                );
            }
        }
        let cmd = "ldapsearch -H ldap://x -b y";
        let pieces = wrap_code(cmd, 12);
        assert!(pieces.iter().all(|p| p.chars().count() <= 12), "{pieces:?}");
        assert_eq!(pieces.join(" "), cmd);
    }

    #[test]
    fn wraps_at_spaces_and_cuts_long_words() {
        assert_eq!(wrap("aaaa bbbb cccc", 9), vec!["aaaa bbbb", "cccc"]);
        assert_eq!(wrap("abcdefghijkl", 8), vec!["abcdefgh", "ijkl"]);
        assert_eq!(wrap("", 8), vec![""]);
        let f = "(&(objectClass=serviceConnectionPoint)(|(keywords=67661d7F-8FC4-4fa7-BFAC-E1D7794C1F68)))";
        assert!(
            wrap(f, 76)
                .iter()
                .any(|p| p.contains("67661d7F-8FC4-4fa7-BFAC-E1D7794C1F68"))
        );
    }
}
