//! Judging a chain while its capture is still running. In a finished capture a query without
//! an answer failed; in a live one it may only be young. A stage that failed for want of an
//! answer (no DNS response, a SYN without reply...) is *pending* while its last frame is younger
//! than the wait a client would give it; the chain's verdict waits with it. File analysis never
//! asks this, so its verdicts do not change.

use super::model::{Chain, ChainStatus, Stage, StageKind, StageStatus};
use crate::capture::Nanos;

/// Default wait (`--wait`), in seconds: the SYN retransmission schedule of the lab client
/// (1 s, 2 s) ends within it, and its clients gave up after 3 s.
pub const DEFAULT_WAIT_SECS: f64 = 3.0;

/// The failures that mean "no answer came", which more time could still change.
pub const WAITING_CODES: [&str; 6] = [
    "dns.no_response",
    "cldap.no_response",
    "tcp.no_answer",
    "ldap.no_response",
    "tls.no_server_hello",
    "https.no_response",
];

/// What the clock says: the time now (capture time of the latest packet, or the wall clock for a
/// live capture) and how long a client waits for an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    pub now: Nanos,
    pub wait: Nanos,
}

/// The chain as judged at one moment of a running capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judged {
    /// The stages still waiting for an answer.
    pub pending: Vec<StageKind>,
    /// The verdict: None while the chain is running (incomplete, or broken at a pending stage).
    pub verdict: Option<ChainStatus>,
}

/// Whether `stage` still waits for an answer at `clock`; `frame_ts` gives a frame's capture time.
pub fn stage_pending(stage: &Stage, clock: Clock, frame_ts: &dyn Fn(u64) -> Option<Nanos>) -> bool {
    let waiting = stage.status == StageStatus::Failed
        && stage
            .cause
            .as_ref()
            .is_some_and(|c| WAITING_CODES.contains(&c.code.as_str()));
    if !waiting {
        return false;
    }
    // The last frame of the stage (a retransmission restarts the wait).
    let last = stage.frames.iter().filter_map(|f| frame_ts(*f)).max();
    last.is_some_and(|t| clock.now.saturating_sub(t) < clock.wait)
}

/// Judges `chain` at `clock` (None: the capture ended, nothing is pending any more).
pub fn judge(
    chain: &Chain,
    clock: Option<Clock>,
    frame_ts: &dyn Fn(u64) -> Option<Nanos>,
) -> Judged {
    let pending: Vec<StageKind> = match clock {
        Some(clock) => chain
            .stages
            .iter()
            .filter(|s| stage_pending(s, clock, frame_ts))
            .map(|s| s.kind)
            .collect(),
        None => Vec::new(),
    };
    let verdict = match chain.status {
        ChainStatus::Complete => Some(ChainStatus::Complete),
        ChainStatus::Broken if chain.broken_at.is_some_and(|k| pending.contains(&k)) => None,
        ChainStatus::Broken => Some(ChainStatus::Broken),
        ChainStatus::Incomplete if clock.is_none() => Some(ChainStatus::Incomplete),
        ChainStatus::Incomplete => None,
    };
    Judged { pending, verdict }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::causes::dns_failure;

    const S: Nanos = 1_000_000_000;

    fn chain(stage: Stage) -> Chain {
        let broken = stage.status == StageStatus::Failed;
        Chain {
            client: "10.0.0.1".parse().unwrap(),
            domain: None,
            status: if broken {
                ChainStatus::Broken
            } else {
                ChainStatus::Incomplete
            },
            broken_at: broken.then_some(stage.kind),
            cause: stage.cause.clone(),
            findings: vec![],
            stages: vec![stage],
            attempts: vec![],
            scp_urls: vec![],
        }
    }

    fn ts(frame: u64) -> Option<Nanos> {
        Some(frame as Nanos * S)
    }

    #[test]
    fn an_unanswered_query_waits_then_fails() {
        let no_response = dns_failure("x.test", "SRV", None, vec![1]);
        let c = chain(Stage::failed(StageKind::DcLocatorDns, no_response, vec![]));
        let wait = 3 * S;
        let young = judge(&c, Some(Clock { now: 2 * S, wait }), &ts);
        assert_eq!(young.pending, vec![StageKind::DcLocatorDns]);
        assert_eq!(young.verdict, None);
        let old = judge(&c, Some(Clock { now: 4 * S, wait }), &ts);
        assert!(old.pending.is_empty());
        assert_eq!(old.verdict, Some(ChainStatus::Broken));
        // at the end of the capture nothing waits
        assert_eq!(judge(&c, None, &ts).verdict, Some(ChainStatus::Broken));
    }

    #[test]
    fn an_answered_failure_is_final_at_once() {
        let nxdomain = dns_failure(
            "x.test",
            "SRV",
            Some(crate::proto::dns::Rcode::NxDomain),
            vec![1, 2],
        );
        let c = chain(Stage::failed(StageKind::DcLocatorDns, nxdomain, vec![]));
        let j = judge(
            &c,
            Some(Clock {
                now: 2 * S,
                wait: 3 * S,
            }),
            &ts,
        );
        assert!(j.pending.is_empty());
        assert_eq!(j.verdict, Some(ChainStatus::Broken));
    }

    #[test]
    fn an_incomplete_chain_has_a_verdict_only_at_the_end() {
        let c = chain(Stage::ok(StageKind::DcLocatorDns, vec![1, 2], vec![]));
        let running = judge(
            &c,
            Some(Clock {
                now: 9 * S,
                wait: S,
            }),
            &ts,
        );
        assert_eq!(running.verdict, None);
        assert_eq!(judge(&c, None, &ts).verdict, Some(ChainStatus::Incomplete));
    }
}
