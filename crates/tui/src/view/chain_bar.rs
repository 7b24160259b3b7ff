//! The chain bar: the selected client, its domain and the verdict; the stages in order, each
//! marked ok / failed / sealed / not seen (a click on one selects its first message); then the
//! cause. When the width is short the client and the domain are shortened first (with `…`):
//! the verdict word, the stage and the cause code always show. With many clients the head
//! line also says how many broke the same way as the selected one.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::theme;
use crate::chain::{Chain, ChainStatus, StageKind};
use crate::state::State;

pub const HEIGHT: u16 = 3;

fn verdict(c: &Chain) -> String {
    match c.status {
        ChainStatus::Complete => "COMPLETE: HTTPS reached".into(),
        ChainStatus::Broken => format!("BROKEN at {}", c.broken_at.map(|s| s.id()).unwrap_or("?")),
        ChainStatus::Incomplete => "INCOMPLETE: capture ends before HTTPS or a failure".into(),
    }
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// `s` in at most `width` characters, ending in `…` when cut.
pub fn fit_end(s: &str, width: usize) -> String {
    if chars(s) <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut t: String = s.chars().take(width - 1).collect();
    t.push('…');
    t
}

/// `s` in at most `width` characters with its middle replaced by `…` when cut (an address keeps
/// its start and its end: `2a00:6020…:9dc4`).
pub fn fit_middle(s: &str, width: usize) -> String {
    let n = chars(s);
    if n <= width {
        return s.to_string();
    }
    if width < 3 {
        return fit_end(s, width);
    }
    let tail = (width - 1) / 2;
    let head = width - 1 - tail;
    let start: String = s.chars().take(head).collect();
    let end: String = s.chars().skip(n - tail).collect();
    format!("{start}…{end}")
}

/// The head line's texts at `width`: (client, clients note, domain), shortened so that the
/// verdict fits whole.
fn head_texts(
    width: usize,
    client: &str,
    note: &str,
    domain: &str,
    verdict: &str,
) -> (String, String, String) {
    // " capdiag " + " client " + … + " · " + … + " · " + verdict
    let fixed = 9 + 8 + 3 + 3 + chars(verdict);
    let room = width.saturating_sub(fixed);
    let note = if chars(client) + chars(note) + chars(domain) <= room {
        note.to_string()
    } else {
        String::new()
    };
    let room = room.saturating_sub(chars(&note));
    if chars(client) + chars(domain) <= room {
        return (client.to_string(), note, domain.to_string());
    }
    // Both give way: the domain keeps at least half the room (more if the client is short),
    // the client the rest, cut in its middle so both ends of an address stay.
    let domain_width = chars(domain).min(room.saturating_sub(chars(client)).max(room / 2));
    let domain = fit_end(domain, domain_width);
    let client = fit_middle(client, room.saturating_sub(chars(&domain)));
    (client, note, domain)
}

/// The stages line's spans, and where each stage sits (for clicks): (stage, first column,
/// column after it).
fn stages(c: &Chain, width: u16) -> (Vec<Span<'static>>, Vec<(StageKind, u16, u16)>) {
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
    let mut places = Vec::new();
    let mut x: u16 = 1;
    for (i, s) in c.stages.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(sep, theme::dim()));
            x = x.saturating_add(chars(sep) as u16);
        }
        let (mark, mark_style) = theme::stage_mark(s.status);
        let label = theme::stage_short(s.kind);
        let w = (chars(mark) + 1 + chars(label)) as u16;
        places.push((s.kind, x, x.saturating_add(w)));
        x = x.saturating_add(w);
        spans.push(Span::styled(format!("{mark} "), mark_style));
        spans.push(Span::styled(label, theme::stage_label_style(s.status)));
    }
    (spans, places)
}

/// The stage drawn at `at` in a chain bar drawn in `area`, if any.
pub fn stage_at(c: &Chain, area: Rect, at: Position) -> Option<StageKind> {
    if at.y != area.y + 1 {
        return None;
    }
    let x = at.x.checked_sub(area.x)?;
    stages(c, area.width)
        .1
        .into_iter()
        .find(|(_, from, to)| (*from..*to).contains(&x))
        .map(|(k, _, _)| k)
}

fn cause_line(c: &Chain, width: usize) -> Line<'static> {
    match (&c.cause, c.status) {
        (Some(cause), _) => {
            let code = format!(" ✗ {}", cause.code);
            let rest = width.saturating_sub(chars(&code));
            Line::from(vec![
                Span::styled(code, theme::problem()),
                Span::styled(fit_end(&format!(": {}", cause.summary), rest), Style::new()),
            ])
        }
        (None, ChainStatus::Complete) => {
            let host = c
                .attempts
                .iter()
                .find(|a| a.reached_https())
                .map(|a| format!(" via {} ({:?})", a.host, a.origin).to_lowercase())
                .unwrap_or_default();
            let also = c.findings.len();
            let head = fit_end(&format!(" ✓ HTTPS answered{host}"), width);
            let rest = width.saturating_sub(chars(&head));
            Line::from(vec![
                Span::styled(head, theme::verdict_style(c.status)),
                Span::styled(
                    if also > 0 {
                        fit_end(
                            &format!(
                                "  ({also} other finding{}; n shows)",
                                if also == 1 { "" } else { "s" }
                            ),
                            rest,
                        )
                    } else {
                        String::new()
                    },
                    theme::dim(),
                ),
            ])
        }
        (None, _) => Line::styled(
            fit_end(
                " No failure seen; the capture stops before the client reached HTTPS.",
                width,
            ),
            theme::dim(),
        ),
    }
}

pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let Some(c) = state.chain() else {
        // The sentence every renderer uses, its reason on a line of its own (it is long).
        let text = crate::report::no_lookup::no_lookup_text(&state.analysis).unwrap_or_default();
        let (head, why) = text.split_once(": ").unwrap_or((text.as_str(), ""));
        let lines = vec![
            Line::from(vec![
                Span::styled(" capdiag ", Style::new().add_modifier(Modifier::BOLD)),
                Span::raw(format!(" {head}.")),
            ]),
            Line::styled(format!(" {why}"), theme::dim()),
        ];
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
        return;
    };
    let clients = state.chains().len();
    let note = if clients > 1 {
        let same = state
            .broken_the_same_way(c)
            .map(|n| format!("; {n} broken the same way"))
            .unwrap_or_default();
        format!(" ({}/{clients}, c: next{same})", state.client_index() + 1)
    } else {
        String::new()
    };
    let verdict = verdict(c);
    let (client, note, domain) = head_texts(
        area.width as usize,
        &c.client.to_string(),
        &note,
        c.domain.as_deref().unwrap_or("(domain unknown)"),
        &verdict,
    );
    let head = vec![
        Span::styled(
            " capdiag ",
            Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED),
        ),
        Span::raw(format!(" client {client}")),
        Span::styled(note, theme::dim()),
        Span::raw(format!(" · {domain} · ")),
        Span::styled(verdict, theme::verdict_style(c.status)),
    ];
    let lines = vec![
        Line::from(head),
        Line::from(stages(c, area.width).0),
        cause_line(c, area.width as usize),
    ];
    frame.render_widget(Paragraph::new(lines), area);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verdict_stays_whole_and_the_client_and_domain_give_way() {
        let client = "2a00:6020:1234:5678:abcd:ef01:2345:9dc4";
        let verdict = "BROKEN at tls_handshake";
        let (c, _, d) = head_texts(80, client, "", "(domain unknown)", verdict);
        let line = format!(" capdiag  client {c} · {d} · {verdict}");
        assert!(chars(&line) <= 80, "{line}");
        assert!(c.starts_with("2a00:60") && c.ends_with("9dc4") && c.contains('…'));
        let (c, _, d) = head_texts(60, client, "", "contoso.test", verdict);
        let line = format!(" capdiag  client {c} · {d} · {verdict}");
        assert!(chars(&line) <= 60, "{line}");
        // Room enough: nothing is cut.
        let (c, _, d) = head_texts(120, client, "", "contoso.test", verdict);
        assert_eq!((c.as_str(), d.as_str()), (client, "contoso.test"));
    }

    fn refused(last: u8, server: &str) -> Chain {
        let cause = crate::chain::causes::cause("tcp.refused", "refused".into(), vec![1]);
        let stage = crate::chain::Stage::failed(
            StageKind::LdapConnect,
            cause.clone(),
            vec![("server", server.to_string())],
        );
        Chain {
            client: std::net::IpAddr::from([10, 0, 0, last]),
            domain: None,
            status: ChainStatus::Broken,
            broken_at: Some(StageKind::LdapConnect),
            cause: Some(cause),
            findings: vec![],
            stages: vec![stage],
            attempts: vec![],
            scp_urls: vec![],
        }
    }

    #[test]
    fn the_head_counts_the_clients_broken_the_same_way() {
        let chains = [
            refused(1, "10.9.0.1:389"),
            refused(2, "10.9.0.1:389"),
            refused(3, "10.9.0.2:389"),
        ];
        let groups = crate::chain::groups::failure_groups(&chains);
        assert_eq!(crate::state::same_way(&groups, &chains[0]), Some(2));
        assert_eq!(
            crate::state::same_way(&groups, &chains[2]),
            None,
            "alone against its server"
        );
    }

    #[test]
    fn fitting_keeps_both_ends_of_an_address() {
        assert_eq!(fit_middle("abcdefghij", 5), "ab…ij");
        assert_eq!(fit_end("abcdefghij", 5), "abcd…");
        assert_eq!(fit_middle("abc", 5), "abc");
    }
}
