//! Renderers: the text report, the follow lines (stage and verdict events as they happen), the JSON document, the ldp/ldapsearch/PowerShell recipes, and the
//! pictures: a sequence model per chain drawn as SVG (inside the HTML report) or as Mermaid.
//! They read the analysis model and never decode bytes. [`check`] compares a capture's
//! analysis with its pinned expectation (`capdiag check`).
#![forbid(unsafe_code)]

pub use capdiag_engine::{
    analysis, capture, chain, flow, loading, messages, net, proto, retirement, secrets, timeline,
};

pub mod check;

pub mod follow;
pub mod format;
pub mod frames;
pub mod html;
pub mod json;
pub mod json_writer;
pub mod mermaid;
pub mod names;
pub mod ndjson;
pub mod no_lookup;
pub mod recipe;
pub mod searches;
pub mod sequence;
pub mod svg;
pub mod text;
