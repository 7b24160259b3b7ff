//! Events tied to their client's chain: the stage whose evidence each event is (and whether it
//! is a finding's evidence), the stage heading with the Autodiscover host an attempt tried, and
//! how the verdict judged the frames (the break, a failure, sealed traffic).

use std::collections::{BTreeSet, HashMap};

use super::{Event, EventStatus, Protocol};
use crate::chain::{Cause, Chain, ChainStatus, Stage, StageKind, StageStatus};

fn all_stages(chain: &Chain) -> impl Iterator<Item = &Stage> {
    chain
        .stages
        .iter()
        .chain(chain.attempts.iter().flat_map(|a| a.stages.iter()))
}

fn intersects(a: &[u64], b: &BTreeSet<u64>) -> bool {
    a.iter().any(|f| b.contains(f))
}

/// Ties each event to the stage of its client's chain whose evidence frames it shares (the
/// stage holding its shown frame first), and marks the events that are evidence of a finding.
/// Parts of one exchange that no stage names take the stage of a sibling that has one.
pub fn assign_stages(events: &mut [Event], chains: &[Chain]) {
    for e in events.iter_mut() {
        let Some(chain) = chains.iter().find(|c| Some(c.client) == e.client_ip()) else {
            continue;
        };
        let mut best = None;
        for s in all_stages(chain) {
            if s.frames.contains(&e.frame) {
                best = Some(s);
                break;
            }
            if best.is_none() && e.frames.iter().any(|f| s.frames.contains(f)) {
                best = Some(s);
            }
        }
        if let Some(s) = best {
            e.stage = Some((s.kind, s.status));
            // A KRB-ERROR in a Kerberos stage that went on to a ticket is a routine step
            // (pre-authentication required), not a failure.
            if e.protocol == Protocol::Kerberos
                && e.status == EventStatus::Failed
                && s.status == StageStatus::Ok
            {
                e.status = EventStatus::Info;
            }
        }
        e.finding = chain
            .findings
            .iter()
            .any(|c| e.frames.iter().any(|f| c.frames.contains(f)));
    }
    let mut by_exchange: HashMap<(u8, usize), (StageKind, StageStatus)> = HashMap::new();
    for e in events.iter() {
        if let Some(stage) = e.stage {
            by_exchange.entry(e.source.exchange()).or_insert(stage);
        }
    }
    for e in events.iter_mut().filter(|e| e.stage.is_none()) {
        e.stage = by_exchange.get(&e.source.exchange()).copied();
    }
}

/// A stage heading: the stage, and for the per-host stages the Autodiscover host tried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageHead {
    pub kind: StageKind,
    pub host: Option<String>,
}

impl StageHead {
    pub fn title(&self) -> String {
        match &self.host {
            Some(h) => format!("{}: {h}", self.kind.title()),
            None => self.kind.title().to_string(),
        }
    }
}

/// The stage heading `frames` go under in `chain`: an attempt's stage names its host (the
/// stage of the message's own kind first: a TLS Finished and the first application data can
/// share a frame); then the chain's stages, the one it broke at first, then a failed or sealed
/// one (a stage that broke owns its frames); else the stage `kind_stage` this kind of message
/// belongs to, with `web_host` for the per-host stages.
pub fn stage_heading(
    chain: &Chain,
    frames: &[u64],
    kind_stage: Option<StageKind>,
    web_host: Option<&str>,
) -> Option<StageHead> {
    let set: BTreeSet<u64> = frames.iter().copied().collect();
    let in_attempt = chain.attempts.iter().find_map(|a| {
        let hit = |s: &&Stage| intersects(&s.frames, &set);
        a.stages
            .iter()
            .filter(|s| Some(s.kind) == kind_stage)
            .find(hit)
            .or_else(|| a.stages.iter().find(hit))
            .map(|s| StageHead {
                kind: s.kind,
                host: Some(a.host.clone()),
            })
    });
    in_attempt
        .or_else(|| {
            let broken = all_stages(chain).filter(|s| Some(s.kind) == chain.broken_at);
            broken
                .chain(all_stages(chain).filter(|s| s.status != StageStatus::Ok))
                .chain(all_stages(chain))
                .find(|s| intersects(&s.frames, &set))
                .map(|s| StageHead {
                    kind: s.kind,
                    host: None,
                })
        })
        .or_else(|| {
            kind_stage.map(|kind| StageHead {
                kind,
                host: if kind >= StageKind::ScpUrlDns {
                    web_host.map(str::to_string)
                } else {
                    None
                },
            })
        })
}

/// How the verdict judged a message or a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Judged {
    Ok,
    /// Evidence of a failure a fallback made good, or of a failed fallback.
    Failed,
    /// Evidence of the failure the verdict names: the chain broke here.
    Break,
    /// Traffic wrapped in a SASL security layer.
    Sealed,
}

/// The frames of one chain's break, failed stages and sealed stages.
pub struct Verdict<'a> {
    chain: &'a Chain,
    broken: BTreeSet<u64>,
    failed: BTreeSet<u64>,
    sealed: BTreeSet<u64>,
}

impl<'a> Verdict<'a> {
    pub fn new(chain: &'a Chain) -> Self {
        let of = |status| {
            all_stages(chain)
                .filter(|s| s.status == status)
                .flat_map(|s| s.frames.iter().copied())
                .collect()
        };
        Verdict {
            chain,
            broken: match (&chain.status, &chain.cause) {
                (ChainStatus::Broken, Some(c)) => c.frames.iter().copied().collect(),
                _ => BTreeSet::new(),
            },
            failed: of(StageStatus::Failed),
            sealed: of(StageStatus::Sealed),
        }
    }

    /// The worst judgement any of `frames` got: the break, a failure, sealed, else ok.
    pub fn of_frames(&self, frames: &[u64]) -> Judged {
        if intersects(frames, &self.broken) {
            Judged::Break
        } else if intersects(frames, &self.failed) {
            Judged::Failed
        } else if intersects(frames, &self.sealed) {
            Judged::Sealed
        } else {
            Judged::Ok
        }
    }

    /// A finding: the cause the chain broke on, the cause of a failed stage, or else a note.
    pub fn of_finding(&self, f: &Cause) -> Judged {
        let chain = self.chain;
        if chain.status == ChainStatus::Broken && chain.cause.as_ref() == Some(f) {
            Judged::Break
        } else if all_stages(chain)
            .filter(|s| s.status == StageStatus::Failed)
            .any(|s| s.cause.as_ref() == Some(f))
        {
            Judged::Failed
        } else {
            Judged::Sealed
        }
    }
}
