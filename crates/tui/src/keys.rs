//! Which key does what: the key list the help overlay and docs show, and the mapping from
//! terminal key events to [`Action`]s (while typing a search, printable keys are text).

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
    ("y", "copy the LDAP filter of a search row (OSC 52)"),
    ("?", "this help"),
    ("Esc", "close help / search / expanded pane; else quit"),
    ("q  Ctrl-C", "quit"),
    ("mouse", "wheel scrolls a pane, click selects a row"),
];

/// The action of a key press, if it has one. `typing`: a search is being typed.
pub fn action(key: KeyEvent, typing: bool) -> Option<Action> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return match key.code {
            KeyCode::Char('c') => Some(Action::Quit),
            KeyCode::Char('d') => Some(Action::PageDown),
            KeyCode::Char('u') => Some(Action::PageUp),
            _ => None,
        };
    }
    if typing {
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
            action(press(KeyCode::Char('n')), false),
            Some(Action::NextFinding)
        );
        assert_eq!(
            action(press(KeyCode::Char('n')), true),
            Some(Action::SearchChar('n'))
        );
        assert_eq!(action(press(KeyCode::Esc), true), Some(Action::Back));
        assert_eq!(
            action(
                KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL),
                true
            ),
            Some(Action::Quit)
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
            assert_eq!(action(press(a), false), action(press(b), false));
        }
    }
}
