//! Colours and marks: one place that says how a stage, a status or a finding looks, so every
//! pane agrees.

use ratatui::style::{Color, Modifier, Style};

use crate::chain::{ChainStatus, StageKind, StageStatus};
use crate::rows::RowStatus;

/// The short name of a stage for the chain bar and the timeline's stage column.
pub fn stage_short(k: StageKind) -> &'static str {
    match k {
        StageKind::DcLocatorDns => "SRV",
        StageKind::DcLocatorPing => "Ping",
        StageKind::Kerberos => "Krb",
        StageKind::LdapConnect => "Conn",
        StageKind::LdapBind => "Bind",
        StageKind::Rootdse => "RootDSE",
        StageKind::ScpSearch => "SCP",
        StageKind::ScpUrlDns => "URL DNS",
        StageKind::HttpsConnect => "443",
        StageKind::TlsHandshake => "TLS",
        StageKind::Https => "HTTPS",
    }
}

/// The colour of a stage's rows: DC locator cyan, Kerberos magenta, directory blue, the
/// Autodiscover host green.
pub fn stage_color(k: Option<StageKind>) -> Color {
    match k {
        Some(StageKind::DcLocatorDns | StageKind::DcLocatorPing) => Color::Cyan,
        Some(StageKind::Kerberos) => Color::Magenta,
        Some(
            StageKind::LdapConnect
            | StageKind::LdapBind
            | StageKind::Rootdse
            | StageKind::ScpSearch,
        ) => Color::LightBlue,
        Some(
            StageKind::ScpUrlDns
            | StageKind::HttpsConnect
            | StageKind::TlsHandshake
            | StageKind::Https,
        ) => Color::Green,
        None => Color::Gray,
    }
}

pub fn stage_mark(s: StageStatus) -> (&'static str, Style) {
    match s {
        StageStatus::Ok => ("✓", Style::new().fg(Color::Green)),
        StageStatus::Failed => (
            "✗",
            Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        ),
        StageStatus::Sealed => ("▒", Style::new().fg(Color::Yellow)),
        StageStatus::Recovered => ("⚠", Style::new().fg(Color::Yellow)),
        StageStatus::Unfinished => ("◌", Style::new().fg(Color::Yellow)),
        StageStatus::NotSeen | StageStatus::NotInCapture => {
            (s.glyph(), Style::new().fg(Color::DarkGray))
        }
    }
}

pub fn stage_label_style(s: StageStatus) -> Style {
    match s {
        StageStatus::Ok => Style::new().fg(Color::Green),
        StageStatus::Failed => Style::new()
            .fg(Color::White)
            .bg(Color::Red)
            .add_modifier(Modifier::BOLD),
        StageStatus::Sealed | StageStatus::Recovered | StageStatus::Unfinished => {
            Style::new().fg(Color::Yellow)
        }
        StageStatus::NotSeen | StageStatus::NotInCapture => Style::new().fg(Color::DarkGray),
    }
}

pub fn verdict_style(s: ChainStatus) -> Style {
    match s {
        ChainStatus::Complete => Style::new().fg(Color::Green).add_modifier(Modifier::BOLD),
        ChainStatus::Broken => Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        ChainStatus::Incomplete => Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
    }
}

/// The mark in a row's first column.
pub fn row_mark(status: RowStatus, finding: bool) -> (&'static str, Style) {
    match (status, finding) {
        (RowStatus::Failed, _) => (
            "✗",
            Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        ),
        (_, true) => (
            "!",
            Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        ),
        (RowStatus::Unanswered, _) => ("?", Style::new().fg(Color::Yellow)),
        _ => (" ", Style::new()),
    }
}

/// The style of a row's summary text.
pub fn row_text(status: RowStatus, finding: bool) -> Style {
    match (status, finding) {
        (RowStatus::Failed, _) | (_, true) => Style::new().fg(Color::LightRed),
        (RowStatus::Unanswered, _) => Style::new().fg(Color::Yellow),
        (RowStatus::Info, _) => Style::new().fg(Color::Gray),
        (RowStatus::Ok, _) => Style::new(),
    }
}

pub fn selected() -> Style {
    Style::new()
        .bg(Color::Indexed(238))
        .add_modifier(Modifier::BOLD)
}

pub fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}

pub fn heading() -> Style {
    Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD)
}

pub fn key() -> Style {
    Style::new().fg(Color::Cyan)
}

pub fn code() -> Style {
    Style::new().fg(Color::LightGreen)
}

pub fn problem() -> Style {
    Style::new()
        .fg(Color::LightRed)
        .add_modifier(Modifier::BOLD)
}

pub fn border(focused: bool) -> Style {
    if focused {
        Style::new().fg(Color::Cyan)
    } else {
        Style::new().fg(Color::DarkGray)
    }
}
