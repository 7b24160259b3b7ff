//! The copy menu (`y`): what can be copied for the selected row, one key each, in a small box.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::chain_bar::fit_end;
use super::theme;
use crate::copy::CopyItem;

pub fn draw(frame: &mut Frame, area: Rect, items: &[CopyItem]) {
    let width = area.width.saturating_sub(4).min(64);
    let text = width.saturating_sub(8) as usize;
    let mut lines: Vec<Line> = items
        .iter()
        .map(|i| {
            Line::from(vec![
                Span::styled(format!(" {}  ", i.key), theme::key()),
                Span::raw(fit_end(&i.label, text)),
            ])
        })
        .collect();
    lines.push(Line::styled(" Esc closes", theme::dim()));
    let height = (lines.len() as u16 + 2).min(area.height);
    let rect = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    };
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::new()
                .borders(Borders::ALL)
                .border_style(theme::border(true))
                .title(Span::styled(" Copy to the clipboard ", theme::heading())),
        ),
        rect,
    );
}
