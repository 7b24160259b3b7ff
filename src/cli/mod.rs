//! The subcommands of the binary, one file each, and the arguments they share.

pub(crate) mod analyze;
pub(crate) mod args;
pub(crate) mod check;
pub(crate) mod common;
pub(crate) mod event_writer;
pub(crate) mod follow;
pub(crate) mod man;
pub(crate) mod tui;
