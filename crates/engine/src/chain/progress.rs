//! The rule for "had a way forward", written once. A step that failed is where the chain broke
//! only if the client never got past it: when a step that depends on it succeeded (a second DC
//! after a refused one, the generic SRV after the site-specific one, NTLM after a refused
//! Kerberos ticket, a fallback host that answered), the failure was an alternative that did not
//! work: the stage is [`StageStatus::Recovered`] and its cause a warning. docs/causes.md
//! states the same rule for people.

use super::model::{Cause, ChainStatus, Severity, Stage, StageKind, StageStatus};

/// The stages whose success shows the client got past `kind`.
fn proves_past(kind: StageKind) -> &'static [StageKind] {
    use StageKind::*;
    match kind {
        DcLocatorDns => &[
            DcLocatorPing,
            Kerberos,
            LdapConnect,
            LdapBind,
            Rootdse,
            ScpSearch,
        ],
        DcLocatorPing => &[LdapConnect, LdapBind, Rootdse, ScpSearch],
        Kerberos => &[LdapBind, ScpSearch],
        LdapConnect => &[LdapBind, Rootdse, ScpSearch],
        LdapBind | Rootdse => &[ScpSearch],
        ScpSearch | ScpUrlDns | HttpsConnect | TlsHandshake | Https => &[],
    }
}

/// The stages that must work before any lookup can show its intent: a client that failed at one
/// of them, and got no further, belongs to the Autodiscover verdict whatever it meant to do.
const BLOCKING: [StageKind; 5] = [
    StageKind::DcLocatorDns,
    StageKind::DcLocatorPing,
    StageKind::Kerberos,
    StageKind::LdapConnect,
    StageKind::LdapBind,
];

fn progressed(stages: &[Stage], kind: StageKind) -> bool {
    stages.iter().any(|s| {
        proves_past(kind).contains(&s.kind)
            && matches!(s.status, StageStatus::Ok | StageStatus::Sealed)
    })
}

fn recover(stage: &mut Stage) {
    stage.status = StageStatus::Recovered;
    if let Some(c) = stage.cause.as_mut() {
        c.severity = Severity::Warning;
    }
}

/// Applies the rule: every failed stage the client got past becomes Recovered; when the client
/// reached HTTPS, every failure on the way was got past.
pub fn settle(stages: &mut [Stage], reached_https: bool) {
    let passed: Vec<bool> = stages
        .iter()
        .map(|s| reached_https || progressed(stages, s.kind))
        .collect();
    for (s, passed) in stages.iter_mut().zip(passed) {
        if s.status == StageStatus::Failed && passed {
            recover(s);
        }
    }
}

/// Stages before the first one the capture shows for this client are not in the capture.
pub fn mark_not_in_capture(stages: &mut [Stage]) {
    let first_seen = stages
        .iter()
        .position(|s| s.status.seen())
        .unwrap_or(stages.len());
    for s in stages.iter_mut().take(first_seen) {
        s.status = StageStatus::NotInCapture;
    }
}

/// The first stage that must work before any lookup and failed (or was cut off by the end of
/// the capture) with no way forward: it makes a client part of the verdict even when its
/// traffic shows no Autodiscover intent.
pub fn blocking_failure(stages: &[Stage]) -> Option<&Stage> {
    stages.iter().find(|s| {
        BLOCKING.contains(&s.kind)
            && matches!(s.status, StageStatus::Failed | StageStatus::Unfinished)
    })
}

/// The verdict of settled stages: complete when HTTPS was reached, broken at the first stage
/// that failed with no way forward, else incomplete (the capture ends mid-step or before an
/// outcome).
pub fn verdict(
    stages: &[Stage],
    reached_https: bool,
) -> (ChainStatus, Option<StageKind>, Option<Cause>) {
    if reached_https {
        return (ChainStatus::Complete, None, None);
    }
    match stages.iter().find(|s| s.status == StageStatus::Failed) {
        Some(s) => (ChainStatus::Broken, Some(s.kind), s.cause.clone()),
        None => (ChainStatus::Incomplete, None, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::causes::cause;

    fn failed(kind: StageKind) -> Stage {
        Stage::failed(kind, cause("tcp.refused", "x".into(), vec![1]), vec![])
    }

    fn ok(kind: StageKind) -> Stage {
        Stage::ok(kind, vec![2], vec![])
    }

    #[test]
    fn a_failure_the_client_got_past_is_a_warning() {
        let mut stages = vec![
            failed(StageKind::DcLocatorDns),
            ok(StageKind::DcLocatorPing),
            Stage::not_seen(StageKind::Kerberos),
        ];
        settle(&mut stages, false);
        assert_eq!(stages[0].status, StageStatus::Recovered);
        assert_eq!(
            stages[0].cause.as_ref().map(|c| c.severity),
            Some(Severity::Warning)
        );
        assert_eq!(verdict(&stages, false).0, ChainStatus::Incomplete);
    }

    #[test]
    fn a_rootdse_read_does_not_get_past_a_failed_bind() {
        let mut stages = vec![
            ok(StageKind::LdapConnect),
            failed(StageKind::LdapBind),
            ok(StageKind::Rootdse),
        ];
        settle(&mut stages, false);
        assert_eq!(stages[1].status, StageStatus::Failed);
        let (status, at, _) = verdict(&stages, false);
        assert_eq!(
            (status, at),
            (ChainStatus::Broken, Some(StageKind::LdapBind))
        );
        assert_eq!(
            blocking_failure(&stages).map(|s| s.kind),
            Some(StageKind::LdapBind)
        );
    }

    #[test]
    fn reaching_https_recovers_every_failure() {
        let mut stages = vec![failed(StageKind::ScpSearch), ok(StageKind::Https)];
        settle(&mut stages, true);
        assert_eq!(stages[0].status, StageStatus::Recovered);
        assert_eq!(verdict(&stages, true).0, ChainStatus::Complete);
    }

    #[test]
    fn stages_before_the_first_seen_are_not_in_the_capture() {
        let mut stages = vec![
            Stage::not_seen(StageKind::DcLocatorDns),
            Stage::not_seen(StageKind::DcLocatorPing),
            failed(StageKind::Kerberos),
            Stage::not_seen(StageKind::LdapConnect),
        ];
        mark_not_in_capture(&mut stages);
        let statuses: Vec<_> = stages.iter().map(|s| s.status).collect();
        assert_eq!(
            statuses,
            [
                StageStatus::NotInCapture,
                StageStatus::NotInCapture,
                StageStatus::Failed,
                StageStatus::NotSeen
            ]
        );
    }

    #[test]
    fn a_failure_after_the_blocking_stages_does_not_block() {
        let stages = vec![ok(StageKind::LdapBind), failed(StageKind::Rootdse)];
        assert!(blocking_failure(&stages).is_none());
    }
}
