//! The interactive timeline (`capdiag tui`): the selected client's chain at the top, every
//! message of the lookup as a timeline, and the selected message's decoded fields, recipe and
//! fix. Reads only the [`crate::analysis::Analysis`], like the other renderers.
//!
//! State is kept apart from drawing: [`rows`] and [`detail`] derive plain data from the
//! analysis, [`state`] applies actions to it without a terminal, [`view`] only draws, and
//! [`app`] runs the event loop on the terminal that [`terminal`] takes over and restores.
#![forbid(unsafe_code)]

pub use capdiag_report as report;
pub use capdiag_report::{analysis, capture, chain, flow, loading, messages, net, proto, timeline};

pub mod app;
pub mod clipboard;
pub mod copy;
pub mod detail;
pub mod keys;
pub mod lanes;
pub use crate::loading as load;
pub mod rows;
pub mod state;
pub mod terminal;
pub mod view;

pub use app::{Outcome, run, run_live};
pub use state::State;
