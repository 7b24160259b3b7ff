//! capdiag: reads a packet capture of an Exchange Autodiscover lookup and says where the chain
//! broke before HTTPS, with the frames that prove it and the fix.
//!
//! The stages are the crates of the workspace, each depending only on those before it, so the
//! compiler keeps the data flowing one way:
//!
//! - `capdiag-wire`: [`capture`] → [`net`] → [`flow`] (frames, packets, TCP streams);
//! - `capdiag-proto`: [`proto`] (bytes in, typed messages out);
//! - `capdiag-engine`: [`messages`] → [`chain`] (verdicts), driven by [`analysis`];
//! - `capdiag-report`: [`report`] (text, JSON, HTML/SVG, Mermaid, follow lines) and [`check`];
//! - `capdiag-tui`: [`tui`].
//!
//! This crate is the `capdiag` binary (`src/main.rs`: arguments and wiring), [`follow`] (the
//! loop that feeds a growing capture to the engine and its lines to the follow renderer) and
//! [`man`]; it re-exports the stages under one name for the tests and the fuzz targets.
#![forbid(unsafe_code)]

pub use capdiag_engine::{
    analysis, chain, crypto, loading, messages, retirement, secrets, timeline,
};
pub use capdiag_proto as proto;
pub use capdiag_report::check;
pub use capdiag_tui as tui;
#[cfg(feature = "live")]
pub use capdiag_wire::live;
pub use capdiag_wire::{capture, flow, net};

/// The renderers (capdiag-report), without its re-exports of the earlier stages.
pub mod report {
    pub use capdiag_report::{
        follow, format, frames, html, json, mermaid, names, ndjson, no_lookup, recipe, searches,
        sequence, svg, text,
    };
}

pub mod follow;
pub mod man;
