//! capdiag: reads a packet capture of an Exchange Autodiscover lookup and says where the chain
//! broke before HTTPS, with the frames that prove it and the fix.
//!
//! Data flows one way: [`capture`] → [`net`] → [`flow`] → [`proto`] → [`chain`] → [`report`].
//! [`analysis`] drives the stages ([`follow`] does it as frames arrive); the binary (`src/main.rs`) only parses arguments and maps
//! errors to exit codes.
#![forbid(unsafe_code)]

pub mod analysis;
pub mod capture;
pub mod chain;
pub mod check;
pub mod flow;
pub mod follow;
#[cfg(feature = "live")]
pub mod live;
pub mod loading;
pub mod man;
pub mod messages;
pub mod net;
pub mod proto;
pub mod report;
pub mod secrets;
pub mod tui;
