//! The follow renderer (`analyze --follow`, `live`): compares each snapshot's chains with the
//! previous one and gives one line per event, a stage of a client that changed status or a
//! verdict that was reached or changed, each with its frames:
//!
//! ```text
//! [stage]   10.99.0.2 dc_locator_dns: ok (frames 1 2)
//! [stage]   10.99.0.2 https_connect: waiting for an answer (frames 52)
//! [verdict] 10.99.0.2 broken at ldap_bind: ldap.bind_failed (frames 12 14)
//! ```

use std::collections::BTreeMap;
use std::net::IpAddr;

use crate::capture::Nanos;
use crate::chain::pending::{Clock, judge};
use crate::chain::{Chain, ChainStatus, Stage, StageKind, StageStatus};
use crate::ndjson;

/// Frames listed in one line; more are counted.
const MAX_FRAMES_SHOWN: usize = 8;

/// How a stage was last shown.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Shown {
    Ok,
    Sealed,
    Waiting,
    Failed(String),
}

/// A verdict as last shown: status, where it broke and the cause code.
type Verdict = (ChainStatus, Option<StageKind>, Option<String>);

#[derive(Debug, Default)]
struct Seen {
    stages: BTreeMap<StageKind, Shown>,
    verdict: Option<Verdict>,
}

/// What was shown so far, per client, and how events are written.
#[derive(Debug, Default)]
pub struct Follower {
    clients: BTreeMap<IpAddr, Seen>,
    /// Some: events as NDJSON lines (`--format ndjson`), with these captures named in each.
    ndjson: Option<Vec<String>>,
}

fn frames_text(frames: &[u64]) -> String {
    let mut list: Vec<String> = frames
        .iter()
        .take(MAX_FRAMES_SHOWN)
        .map(u64::to_string)
        .collect();
    if frames.len() > MAX_FRAMES_SHOWN {
        list.push(format!("+{} more", frames.len() - MAX_FRAMES_SHOWN));
    }
    if list.is_empty() {
        String::new()
    } else {
        format!(" (frames {})", list.join(" "))
    }
}

fn shown(stage: &Stage, waiting: bool) -> Option<Shown> {
    match stage.status {
        StageStatus::NotSeen | StageStatus::NotInCapture => None,
        StageStatus::Ok | StageStatus::Recovered => Some(Shown::Ok),
        StageStatus::Unfinished => Some(Shown::Waiting),
        StageStatus::Sealed => Some(Shown::Sealed),
        StageStatus::Failed if waiting => Some(Shown::Waiting),
        StageStatus::Failed => Some(Shown::Failed(
            stage
                .cause
                .as_ref()
                .map(|c| c.code.clone())
                .unwrap_or_default(),
        )),
    }
}

fn stage_line(client: IpAddr, stage: &Stage, how: &Shown) -> String {
    let what = match how {
        Shown::Ok => "ok".to_string(),
        Shown::Sealed => "sealed (SASL security layer)".to_string(),
        Shown::Waiting => "waiting for an answer".to_string(),
        Shown::Failed(code) => format!("failed: {code}"),
    };
    format!(
        "[stage]   {client} {}: {what}{}",
        stage.kind.id(),
        frames_text(&stage.frames)
    )
}

fn verdict_line(client: IpAddr, chain: &Chain, v: &Verdict) -> String {
    match v {
        (ChainStatus::Complete, _, _) => {
            let frames: Vec<u64> = chain
                .stages
                .iter()
                .filter(|s| s.kind == StageKind::Https)
                .flat_map(|s| s.frames.iter().copied())
                .collect();
            format!("[verdict] {client} complete{}", frames_text(&frames))
        }
        (ChainStatus::Broken, at, code) => format!(
            "[verdict] {client} broken at {}: {}{}",
            at.map(StageKind::id).unwrap_or("?"),
            code.as_deref().unwrap_or("?"),
            frames_text(chain.cause.as_ref().map_or(&[][..], |c| &c.frames))
        ),
        (ChainStatus::Incomplete, _, _) => {
            format!("[verdict] {client} incomplete (the lookup stopped before HTTPS)")
        }
    }
}

/// A stage that changed, as an NDJSON event (`capdiag.stage`).
fn stage_event(client: IpAddr, stage: &Stage, how: &Shown, ctx: &ndjson::Context<'_>) -> String {
    let (status, code) = match how {
        Shown::Ok => ("ok", None),
        Shown::Sealed => ("sealed", None),
        Shown::Waiting => ("waiting", None),
        Shown::Failed(code) => ("failed", Some(code.as_str())),
    };
    let ts = stage.frames.first().and_then(|f| (ctx.frame_ts)(*f));
    let event = ndjson::stage_event(client, stage, status, code, ts, ctx);
    event.to_string()
}

impl Follower {
    /// A follower whose events are NDJSON lines naming `captures` (the inputs, or the
    /// interface of a live capture).
    pub fn ndjson(captures: Vec<String>) -> Follower {
        Follower {
            clients: BTreeMap::new(),
            ndjson: Some(captures),
        }
    }

    /// The lines for what changed since the last call. `clock` is None once the input ended
    /// (nothing waits any more); `frame_ts` gives a frame's capture time.
    pub fn update(
        &mut self,
        chains: &[Chain],
        clock: Option<Clock>,
        frame_ts: &dyn Fn(u64) -> Option<Nanos>,
    ) -> Vec<String> {
        let mut lines = Vec::new();
        let ctx = self.ndjson.as_ref().map(|captures| ndjson::Context {
            captures: captures.iter().map(String::as_str).collect(),
            frame_ts,
        });
        for chain in chains {
            let judged = judge(chain, clock, frame_ts);
            let seen = self.clients.entry(chain.client).or_default();
            for stage in &chain.stages {
                let Some(now) = shown(stage, judged.pending.contains(&stage.kind)) else {
                    continue;
                };
                if seen.stages.get(&stage.kind) != Some(&now) {
                    lines.push(match &ctx {
                        Some(ctx) => stage_event(chain.client, stage, &now, ctx),
                        None => stage_line(chain.client, stage, &now),
                    });
                    seen.stages.insert(stage.kind, now);
                }
            }
            let Some(status) = judged.verdict else {
                continue;
            };
            let verdict = (
                status,
                chain.broken_at,
                chain.cause.as_ref().map(|c| c.code.clone()),
            );
            if seen.verdict.as_ref() != Some(&verdict) {
                match &ctx {
                    Some(ctx) => lines.extend(
                        ndjson::chain_events(chain, ctx)
                            .iter()
                            .map(ToString::to_string),
                    ),
                    None => lines.push(verdict_line(chain.client, chain, &verdict)),
                }
                seen.verdict = Some(verdict);
            }
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::causes::dns_failure;

    const S: Nanos = 1_000_000_000;

    fn chain(stages: Vec<Stage>) -> Chain {
        let failed = stages.iter().find(|s| s.status == StageStatus::Failed);
        Chain {
            client: "10.99.0.2".parse().unwrap(),
            domain: None,
            status: if failed.is_some() {
                ChainStatus::Broken
            } else {
                ChainStatus::Incomplete
            },
            broken_at: failed.map(|s| s.kind),
            cause: failed.and_then(|s| s.cause.clone()),
            findings: vec![],
            stages,
            attempts: vec![],
            scp_urls: vec![],
        }
    }

    fn ts(frame: u64) -> Option<Nanos> {
        Some(frame as Nanos * S)
    }

    #[test]
    fn prints_each_change_once_and_the_verdict_when_the_wait_is_over() {
        let mut f = Follower::default();
        let no_answer = dns_failure("_ldap._tcp.dc._msdcs.x.test", "SRV", None, vec![1]);
        let c = chain(vec![Stage::failed(
            StageKind::DcLocatorDns,
            no_answer,
            vec![],
        )]);
        let clock = |now| Some(Clock { now, wait: 3 * S });
        assert_eq!(
            f.update(std::slice::from_ref(&c), clock(S), &ts),
            vec!["[stage]   10.99.0.2 dc_locator_dns: waiting for an answer (frames 1)"]
        );
        // nothing changed: nothing printed
        assert!(
            f.update(std::slice::from_ref(&c), clock(2 * S), &ts)
                .is_empty()
        );
        assert_eq!(
            f.update(std::slice::from_ref(&c), clock(5 * S), &ts),
            vec![
                "[stage]   10.99.0.2 dc_locator_dns: failed: dns.no_response (frames 1)",
                "[verdict] 10.99.0.2 broken at dc_locator_dns: dns.no_response (frames 1)",
            ]
        );
        // then the answer comes after all: the stage and the verdict change
        let ok = chain(vec![Stage::ok(StageKind::DcLocatorDns, vec![1, 6], vec![])]);
        assert_eq!(
            f.update(std::slice::from_ref(&ok), clock(6 * S), &ts),
            vec!["[stage]   10.99.0.2 dc_locator_dns: ok (frames 1 6)"]
        );
        assert_eq!(
            f.update(std::slice::from_ref(&ok), None, &ts),
            vec!["[verdict] 10.99.0.2 incomplete (the lookup stopped before HTTPS)"]
        );
    }
}
