//! A row of the timeline and what it refers to: its protocol, its status, and which part of
//! which exchange it shows (the engine timeline's protocol, status and source).

use crate::capture::Nanos;
use crate::chain::{StageKind, StageStatus};
use std::net::IpAddr;

pub use crate::timeline::{EventStatus as RowStatus, Protocol as Proto, Source};

/// One line of the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The frame Wireshark shows this message in (with several inputs: the merge's number).
    pub frame: u64,
    /// With several inputs: the input the frame came from and its number in that file.
    pub file_frame: Option<(usize, u64)>,
    /// Every frame that carried it.
    pub frames: Vec<u64>,
    /// Its own capture time, when the model holds one for it.
    pub ts: Option<Nanos>,
    /// `ts`, or else the latest time known before it (frames are in time order, so this is a
    /// lower bound): what the time column and the gutter use.
    pub time: Nanos,
    /// The client the message belongs to (who asked).
    pub client: Option<IpAddr>,
    pub proto: Proto,
    /// Short kind: "query", "answer", "bind", "search", "entry", "done", "connect", ...
    pub kind: &'static str,
    pub summary: String,
    pub status: RowStatus,
    /// For an answer: time since its request, when both times are known.
    pub latency: Option<Nanos>,
    /// The stage of the client's chain this message is evidence for.
    pub stage: Option<StageKind>,
    /// The status of that stage.
    pub stage_status: Option<StageStatus>,
    /// Part of a finding's evidence (the cause or another failure the chain reports).
    pub finding: bool,
    pub source: Source,
}

impl Row {
    /// What `n` / `N` stop at: evidence of a finding, or a message that failed by itself.
    pub fn is_finding(&self) -> bool {
        self.finding || self.status == RowStatus::Failed
    }

    /// The text `/` searches in.
    pub fn haystack(&self) -> String {
        format!(
            "{} {} {} {} {}",
            self.frame,
            self.proto.label(),
            self.kind,
            self.summary,
            self.stage.map(StageKind::id).unwrap_or("")
        )
    }
}
