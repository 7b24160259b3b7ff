//! The event loop: shows loading progress until the analysis is ready, then draws the state,
//! reads keys, mouse and resizes, applies them to the state and carries out the effects
//! (quit, clipboard). A live view also takes newer analyses as they come. The terminal is
//! restored however the loop ends.

use std::io::Write;
use std::sync::mpsc::Receiver;
use std::time::Duration;

use crossterm::event::{self, Event, KeyCode, KeyEventKind, MouseButton, MouseEventKind};
use ratatui::layout::{Position, Rect};

use super::clipboard::osc52;
use super::keys;
use super::load::{Loading, Poll};
use super::state::{Action, Effect, Pane, State};
use super::terminal::{Guard, Term};
use super::view;
use crate::analysis::Analysis;

/// How long a small capture may take before the loading screen is drawn at all.
const QUIET_LOAD: Duration = Duration::from_millis(150);
/// How often the loading screen is redrawn.
const LOAD_TICK: Duration = Duration::from_millis(50);

/// How the TUI ended.
#[derive(Debug)]
pub enum Outcome {
    /// The user quit after the analysis was shown.
    Shown(Box<Analysis>),
    /// The user quit while the capture was still loading.
    Cancelled,
}

/// Runs the TUI on the terminal until the user quits. `notice`: a problem with the inputs (an
/// unreadable file) that the status line keeps showing.
pub fn run(loading: Loading, notice: Option<String>) -> std::io::Result<Outcome> {
    let quick = loading.wait(QUIET_LOAD);
    let mut guard = Guard::enter()?;
    let analysis = match quick {
        Poll::Done(a) => a,
        Poll::Failed => return Err(worker_died()),
        Poll::Pending => match wait_with_progress(&mut guard.terminal, &loading)? {
            Some(a) => a,
            None => return Ok(Outcome::Cancelled),
        },
    };
    let mut state = State::new(*analysis);
    state.notice = notice;
    event_loop(&mut guard.terminal, &mut state, None)?;
    drop(guard);
    Ok(Outcome::Shown(Box::new(state.analysis)))
}

fn worker_died() -> std::io::Error {
    std::io::Error::other("the analysis stopped unexpectedly")
}

fn wait_with_progress(
    term: &mut Term,
    loading: &Loading,
) -> std::io::Result<Option<Box<Analysis>>> {
    loop {
        let progress = loading.progress();
        term.draw(|f| view::loading::draw(f, &progress))?;
        if event::poll(LOAD_TICK)?
            && let Event::Key(k) = event::read()?
        {
            let cancel = matches!(k.code, KeyCode::Char('q') | KeyCode::Esc)
                || keys::action(k, keys::Mode::Normal) == Some(Action::Interrupt);
            if cancel && k.kind != KeyEventKind::Release {
                return Ok(None);
            }
        }
        match loading.wait(Duration::ZERO) {
            Poll::Done(a) => return Ok(Some(a)),
            Poll::Pending => {}
            Poll::Failed => return Err(worker_died()),
        }
    }
}

fn screen(term: &Term) -> std::io::Result<Rect> {
    let size = term.size()?;
    Ok(Rect::new(0, 0, size.width, size.height))
}

/// Runs the TUI over a growing capture: each analysis that arrives replaces the shown one
/// (live capture); the screen keeps answering keys in between.
pub fn run_live(updates: Receiver<Analysis>) -> std::io::Result<Outcome> {
    let first = updates.recv().map_err(|_| worker_died())?;
    let mut guard = Guard::enter()?;
    let mut state = State::new(first);
    event_loop(&mut guard.terminal, &mut state, Some(&updates))?;
    drop(guard);
    Ok(Outcome::Shown(Box::new(state.analysis)))
}

/// How often a live view looks for a newer analysis while no key is pressed.
const LIVE_TICK: std::time::Duration = std::time::Duration::from_millis(250);

fn event_loop(
    term: &mut Term,
    state: &mut State,
    updates: Option<&Receiver<Analysis>>,
) -> std::io::Result<()> {
    loop {
        let area = screen(term)?;
        let areas = view::layout(area, state);
        if let Some(areas) = &areas {
            let (t, d) = view::pane_heights(areas);
            state.set_heights(t, d);
            if let Some(text) = areas.detail_text() {
                state.detail_scroll = state
                    .detail_scroll
                    .min(view::detail::max_scroll(state, text));
            }
        }
        state.help_scroll = state.help_scroll.min(view::help::max_scroll(area));
        term.draw(|f| view::draw(f, state))?;
        if let Some(rx) = updates
            && !event::poll(LIVE_TICK)?
        {
            if let Some(newest) = rx.try_iter().last() {
                state.refresh(newest);
            }
            continue;
        }
        let action = match event::read()? {
            Event::Key(k) => keys::action(k, key_mode(state)),
            Event::Mouse(m) => areas.and_then(|a| mouse_action(&a, state, m)),
            _ => None,
        };
        let Some(action) = action else { continue };
        match state.apply(action) {
            Effect::None => {}
            Effect::Quit => return Ok(()),
            Effect::Copy(text) => {
                let mut out = std::io::stdout();
                out.write_all(osc52(&text).as_bytes())?;
                out.flush()?;
            }
        }
    }
}

fn key_mode(state: &State) -> keys::Mode {
    if state.search_input().is_some() {
        keys::Mode::Typing
    } else if state.copy_menu.is_some() {
        keys::Mode::Menu
    } else {
        keys::Mode::Normal
    }
}

fn mouse_action(areas: &view::Areas, state: &State, m: event::MouseEvent) -> Option<Action> {
    let at = Position::new(m.column, m.row);
    if m.kind == MouseEventKind::Down(MouseButton::Left) && areas.chain.contains(at) {
        let chain = state.chain()?;
        return view::chain_bar::stage_at(chain, areas.chain, at).map(Action::ClickStage);
    }
    let pane = if areas.timeline.is_some_and(|t| t.contains(at)) {
        if state.lanes && matches!(m.kind, MouseEventKind::Down(_)) {
            // The lane view has no rows to click.
            return None;
        }
        Pane::Timeline
    } else if areas.detail.is_some_and(|d| d.contains(at)) {
        Pane::Detail
    } else {
        return None;
    };
    match m.kind {
        MouseEventKind::ScrollUp => Some(Action::Scroll(pane, -3)),
        MouseEventKind::ScrollDown => Some(Action::Scroll(pane, 3)),
        MouseEventKind::Down(MouseButton::Left) => match pane {
            Pane::Timeline => areas
                .timeline_rows()
                .filter(|r| r.contains(at))
                .map(|r| Action::ClickRow(usize::from(m.row - r.y))),
            Pane::Detail => Some(Action::ClickDetail),
        },
        _ => None,
    }
}
