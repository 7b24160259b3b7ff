//! Which key does what: the key list the help overlay and docs show, and the mapping from
//! terminal key events to [`Action`]s (while typing a search, printable keys are text; while the
//! copy menu is open, they pick an item).

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::state::Action;

/// Every key, as the help overlay lists it: (keys, what they do).
pub const KEYS: &[(&str, &str)] = &[
    (
        "↑ ↓  k j",
        "previous / next row (or scroll the detail pane)",
    ),
    ("PgUp PgDn", "a page up / down"),
    ("Home End  g G", "first / last row"),
    ("n  N", "next / previous finding (failed or evidence row)"),
    ("x", "jump to the row where the chain broke"),
    ("Tab", "switch pane: timeline ↔ detail"),
    (
        "Enter",
        "expand the detail pane to the full screen, again to restore",
    ),
    ("/", "search text (Enter applies, Esc cancels)"),
    (
        "f",
        "cycle the protocol filter: all, DNS, CLDAP, KRB, TCP, LDAP, TLS, HTTP",
    ),
    ("c", "next client, when the capture has several"),
    (
        "y",
        "copy menu: Wireshark filter, LDAP filter, ldapsearch, PowerShell, ldp recipe (OSC 52)",
    ),
    (
        "t",
        "lane view: a time axis, one lane per party, each exchange a bar",
    ),
    ("?", "this help"),
    (
        "Esc",
        "close help / menu / prompt / expanded pane / filter / search / lanes; else quit",
    ),
    ("q  Ctrl-C", "quit (Ctrl-C also from the search prompt)"),
    (
        "mouse",
        "wheel scrolls a pane, click selects a row or a stage of the chain bar",
    ),
];

/// What the keys are for right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Normal,
    /// A search is being typed: printable keys are text.
    Typing,
    /// The copy menu is open: letters pick an item.
    Menu,
}

/// The action of a key press, if it has one.
pub fn action(key: KeyEvent, mode: Mode) -> Option<Action> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return match key.code {
            KeyCode::Char('c') => Some(Action::Interrupt),
            KeyCode::Char('d') => Some(Action::PageDown),
            KeyCode::Char('u') => Some(Action::PageUp),
            _ => None,
        };
    }
    if mode == Mode::Menu {
        return match key.code {
            KeyCode::Esc => Some(Action::Back),
            KeyCode::Char('q') => Some(Action::Quit),
            KeyCode::Char('y') => Some(Action::Copy),
            KeyCode::Char(c) => Some(Action::CopyPick(c)),
            _ => None,
        };
    }
    if mode == Mode::Typing {
        return match key.code {
            KeyCode::Char(c) => Some(Action::SearchChar(c)),
            KeyCode::Backspace => Some(Action::SearchBackspace),
            KeyCode::Enter => Some(Action::SearchConfirm),
            KeyCode::Esc => Some(Action::Back),
            _ => None,
        };
    }
    Some(match key.code {
        KeyCode::Up | KeyCode::Char('k') => Action::Up,
        KeyCode::Down | KeyCode::Char('j') => Action::Down,
        KeyCode::PageUp => Action::PageUp,
        KeyCode::PageDown | KeyCode::Char(' ') => Action::PageDown,
        KeyCode::Home | KeyCode::Char('g') => Action::Home,
        KeyCode::End | KeyCode::Char('G') => Action::End,
        KeyCode::Char('n') => Action::NextFinding,
        KeyCode::Char('N') => Action::PrevFinding,
        KeyCode::Char('x') => Action::JumpFailure,
        KeyCode::Char('t') => Action::ToggleLanes,
        KeyCode::Tab | KeyCode::BackTab => Action::SwitchPane,
        KeyCode::Enter => Action::Expand,
        KeyCode::Char('/') => Action::StartSearch,
        KeyCode::Char('f') => Action::NextFilter,
        KeyCode::Char('c') => Action::NextClient,
        KeyCode::Char('y') => Action::Copy,
        KeyCode::Char('?') => Action::Help,
        KeyCode::Esc => Action::Back,
        KeyCode::Char('q') => Action::Quit,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn letters_are_commands_unless_typing_a_search() {
        assert_eq!(
            action(press(KeyCode::Char('n')), Mode::Normal),
            Some(Action::NextFinding)
        );
        assert_eq!(
            action(press(KeyCode::Char('n')), Mode::Typing),
            Some(Action::SearchChar('n'))
        );
        assert_eq!(
            action(press(KeyCode::Char('l')), Mode::Menu),
            Some(Action::CopyPick('l'))
        );
        assert_eq!(
            action(press(KeyCode::Esc), Mode::Typing),
            Some(Action::Back)
        );
        assert_eq!(
            action(
                KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL),
                Mode::Typing
            ),
            Some(Action::Interrupt)
        );
    }

    #[test]
    fn vim_and_arrow_keys_agree() {
        for (a, b) in [
            (KeyCode::Up, KeyCode::Char('k')),
            (KeyCode::Down, KeyCode::Char('j')),
            (KeyCode::Home, KeyCode::Char('g')),
            (KeyCode::End, KeyCode::Char('G')),
        ] {
            assert_eq!(
                action(press(a), Mode::Normal),
                action(press(b), Mode::Normal)
            );
        }
    }
}
