//! The chain bar: the selected client's stages in order, each marked ok / failed / sealed /
//! not seen, with the verdict and its cause.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme;
use crate::chain::{Chain, ChainStatus};
use crate::state::State;

pub const HEIGHT: u16 = 3;

fn verdict(c: &Chain) -> String {
    match c.status {
        ChainStatus::Complete => "COMPLETE: HTTPS reached".into(),
        ChainStatus::Broken => format!("BROKEN at {}", c.broken_at.map(|s| s.id()).unwrap_or("?")),
        ChainStatus::Incomplete => "INCOMPLETE: capture ends before HTTPS or a failure".into(),
    }
}

fn stages_line(c: &Chain, width: u16) -> Line<'static> {
    let names: usize = c
        .stages
        .iter()
        .map(|s| theme::stage_short(s.kind).chars().count() + 2)
        .sum();
    let gaps = c.stages.len().saturating_sub(1);
    let sep = if names + 1 + gaps * 3 <= width as usize {
        " › "
    } else if names + 1 + gaps * 2 <= width as usize {
        "  "
    } else {
        " "
    };
    let mut spans = vec![Span::raw(" ")];
    for (i, s) in c.stages.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(sep, theme::dim()));
        }
        let (mark, mark_style) = theme::stage_mark(s.status);
        spans.push(Span::styled(format!("{mark} "), mark_style));
        spans.push(Span::styled(
            theme::stage_short(s.kind),
            theme::stage_label_style(s.status),
        ));
    }
    Line::from(spans)
}

fn cause_line(c: &Chain) -> Line<'static> {
    match (&c.cause, c.status) {
        (Some(cause), _) => Line::from(vec![
            Span::styled(format!(" ✗ {}", cause.code), theme::problem()),
            Span::styled(format!(": {}", cause.summary), Style::new()),
        ]),
        (None, ChainStatus::Complete) => {
            let host = c
                .attempts
                .iter()
                .find(|a| a.reached_https())
                .map(|a| format!(" via {} ({:?})", a.host, a.origin).to_lowercase())
                .unwrap_or_default();
            let also = c.findings.len();
            Line::from(vec![
                Span::styled(
                    format!(" ✓ HTTPS answered{host}"),
                    theme::verdict_style(c.status),
                ),
                Span::styled(
                    if also > 0 {
                        format!(
                            "  ({also} other finding{}; n shows)",
                            if also == 1 { "" } else { "s" }
                        )
                    } else {
                        String::new()
                    },
                    theme::dim(),
                ),
            ])
        }
        (None, _) => Line::styled(
            " No failure seen; the capture stops before the client reached HTTPS.",
            theme::dim(),
        ),
    }
}

pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let Some(c) = state.chain() else {
        let lines = vec![
            Line::styled(" capdiag", Style::new().add_modifier(Modifier::BOLD)),
            Line::raw(format!(
                " {}",
                crate::report::no_lookup::no_lookup_text(&state.analysis).unwrap_or_default()
            )),
            Line::styled(" The timeline shows what the capture holds.", theme::dim()),
        ];
        frame.render_widget(Paragraph::new(lines), area);
        return;
    };
    let clients = state.chains().len();
    let mut head = vec![
        Span::styled(
            " capdiag ",
            Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED),
        ),
        Span::raw(format!(" client {}", c.client)),
    ];
    if clients > 1 {
        head.push(Span::styled(
            format!(" ({}/{clients}, c: next)", state.client_index() + 1),
            theme::dim(),
        ));
    }
    head.push(Span::raw(format!(
        " · {} · ",
        c.domain.as_deref().unwrap_or("(domain unknown)")
    )));
    head.push(Span::styled(verdict(c), theme::verdict_style(c.status)));
    let lines = vec![Line::from(head), stages_line(c, area.width), cause_line(c)];
    frame.render_widget(Paragraph::new(lines), area);
}
