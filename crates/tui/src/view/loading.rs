//! The loading screen shown while a capture is read: which inputs, how many bytes of how many.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Color, Style};
use ratatui::text::Line;
use ratatui::widgets::{Gauge, Paragraph};

use super::theme;
use crate::load::Progress;

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

pub fn draw(frame: &mut Frame, progress: &Progress) {
    let area = frame.area();
    let [_, title, gauge, note, _] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Fill(1),
    ])
    .areas(area);
    let margin = area.width / 8;
    let inset = |r: ratatui::layout::Rect| ratatui::layout::Rect {
        x: r.x + margin,
        width: r.width.saturating_sub(margin * 2),
        ..r
    };
    frame.render_widget(
        Paragraph::new(Line::styled(
            format!("Reading {}", progress.names.join(", ")),
            theme::heading(),
        )),
        inset(title),
    );
    let label = match progress.total {
        Some(total) if total > 0 => format!("{} of {}", mb(progress.read), mb(total)),
        _ => format!("{} read", mb(progress.read)),
    };
    let ratio = match progress.total {
        Some(total) if total > 0 => (progress.read as f64 / total as f64).clamp(0.0, 1.0),
        _ => 0.0,
    };
    frame.render_widget(
        Gauge::default()
            .gauge_style(Style::new().fg(Color::Cyan).bg(Color::Indexed(236)))
            .ratio(ratio)
            .label(label),
        inset(gauge),
    );
    frame.render_widget(
        Paragraph::new(Line::styled(
            "decoding DNS, CLDAP, Kerberos, LDAP, TLS and HTTP… (q cancels)",
            theme::dim(),
        )),
        inset(note),
    );
}
