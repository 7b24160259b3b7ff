//! Clients that failed the same way. A capture taken on a DC or on a CRM server holds
//! thousands of clients, and one outage breaks them all at one stage, with one cause, against
//! one server: renderers say that once, with a count and the first and last client, instead of
//! thousands of times. Every chain is still in the analysis and counted in the verdict; this
//! only groups the broken ones by (stage, cause, server).

use std::collections::HashMap;
use std::net::IpAddr;

use super::{Chain, ChainStatus, Stage, StageKind, StageStatus};
use crate::capture::Nanos;

/// Detail keys that name the server a stage talked to, most specific first.
const SERVER_KEYS: [&str; 5] = ["server", "dc", "kdc", "dns server", "host"];

impl Stage {
    /// The server this stage talked to, as its detail names it ("10.99.0.1:389", a host name).
    pub fn server(&self) -> Option<&str> {
        SERVER_KEYS.iter().find_map(|key| {
            self.detail
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        })
    }
}

impl Chain {
    /// The stage the chain broke at: the failed stage of that kind, in the chain or in the
    /// attempt (a fallback host) that ended it.
    pub fn broken_stage(&self) -> Option<&Stage> {
        let kind = self.broken_at?;
        let failed = |s: &&Stage| s.kind == kind && s.status == StageStatus::Failed;
        self.stages.iter().find(failed).or_else(|| {
            self.attempts
                .iter()
                .rev()
                .find_map(|a| a.stages.iter().find(failed))
        })
    }
}

/// One client of a group, with the frames that show its failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupMember {
    pub client: IpAddr,
    pub frames: Vec<u64>,
}

/// Broken chains that share their stage, cause and server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureGroup {
    pub stage: StageKind,
    /// The cause's code (`tcp.refused`).
    pub cause: String,
    /// The cause's summary for the first client (the others' differ only in their numbers).
    pub summary: String,
    pub remediation: String,
    /// The server the stage talked to, when the stage names one.
    pub server: Option<String>,
    pub count: usize,
    /// The first and the last client, in chain order (by client address).
    pub first: GroupMember,
    pub last: GroupMember,
}

/// What puts a broken chain in a group: its stage, its cause's code, its failed stage's server.
fn failure_key(chain: &Chain) -> Option<(StageKind, &str, Option<&str>)> {
    if chain.status != ChainStatus::Broken {
        return None;
    }
    let server = chain.broken_stage().and_then(Stage::server);
    Some((
        chain.broken_at?,
        chain.cause.as_ref()?.code.as_str(),
        server,
    ))
}

/// The groups of two or more clients: what the renderers show as "failed the same way".
pub fn shared_failures(chains: &[Chain]) -> Vec<FailureGroup> {
    let mut tally = GroupTally::default();
    for chain in chains {
        tally.add(chain);
    }
    tally.shared()
}

/// The group `chain` is in, among `groups` (as [`failure_groups`] made them).
pub fn group_of<'g>(groups: &'g [FailureGroup], chain: &Chain) -> Option<&'g FailureGroup> {
    let (stage, cause, server) = failure_key(chain)?;
    groups
        .iter()
        .find(|g| g.stage == stage && g.cause == cause && g.server.as_deref() == server)
}

/// Groups the broken chains; largest group first, then by their first client's first frame.
/// A group of one is a chain on its own: it is listed too, so the groups cover every broken
/// chain.
pub fn failure_groups(chains: &[Chain]) -> Vec<FailureGroup> {
    let mut tally = GroupTally::default();
    for chain in chains {
        tally.add(chain);
    }
    tally.groups()
}

/// The groups built one chain at a time, for verdicts that stream out and are not kept: the
/// same groups [`failure_groups`] gives for the same chains in any order. First and last
/// client are those with the earliest and the latest first frame.
#[derive(Debug, Default)]
pub struct GroupTally {
    index: HashMap<(StageKind, String, Option<String>), usize>,
    /// Each group with its first and last member's first frame.
    groups: Vec<(FailureGroup, u64, u64)>,
    /// The capture time of each group's first member's failure, when [`Self::add_at`] gave it
    /// (its frames' times are gone once a streamed chain is written).
    first_ts: Vec<Option<Nanos>>,
}

impl GroupTally {
    /// Counts `chain` in its group, when it is broken.
    pub fn add(&mut self, chain: &Chain) {
        self.add_at(chain, None);
    }

    /// [`Self::add`], with the capture time of the chain's failure (its cause's first frame).
    pub fn add_at(&mut self, chain: &Chain, failed_at: Option<Nanos>) {
        let (Some((stage, code, server)), Some(cause)) = (failure_key(chain), chain.cause.as_ref())
        else {
            return;
        };
        let order = chain.first_frame().unwrap_or(u64::MAX);
        let member = GroupMember {
            client: chain.client,
            frames: cause.frames.clone(),
        };
        let key = (stage, code.to_string(), server.map(str::to_string));
        if let Some(&i) = self.index.get(&key)
            && let Some((group, first, last)) = self.groups.get_mut(i)
        {
            group.count = group.count.saturating_add(1);
            if order < *first {
                *first = order;
                group.first = member;
                if let Some(ts) = self.first_ts.get_mut(i) {
                    *ts = failed_at;
                }
            } else if order >= *last {
                *last = order;
                group.last = member;
            }
            return;
        }
        self.index.insert(key, self.groups.len());
        let group = FailureGroup {
            stage,
            cause: cause.code.clone(),
            summary: cause.summary.clone(),
            remediation: cause.remediation.clone(),
            server: server.map(str::to_string),
            count: 1,
            first: member.clone(),
            last: member,
        };
        self.groups.push((group, order, order));
        self.first_ts.push(failed_at);
    }

    /// Every group with the time its first member failed (see [`Self::add_at`]), in the
    /// order of [`Self::groups`].
    pub fn groups_at(&self) -> Vec<(FailureGroup, Option<Nanos>)> {
        let mut order: Vec<usize> = (0..self.groups.len()).collect();
        order.sort_by_key(|i| {
            self.groups
                .get(*i)
                .map(|(g, first, _)| (std::cmp::Reverse(g.count), *first))
        });
        order
            .into_iter()
            .filter_map(|i| {
                let (g, _, _) = self.groups.get(i)?;
                Some((g.clone(), self.first_ts.get(i).copied().flatten()))
            })
            .collect()
    }

    /// Every group, largest first, then by first frame.
    pub fn groups(&self) -> Vec<FailureGroup> {
        self.groups_at().into_iter().map(|(g, _)| g).collect()
    }

    /// The groups of two or more clients (see [`shared_failures`]).
    pub fn shared(&self) -> Vec<FailureGroup> {
        let mut groups = self.groups();
        groups.retain(|g| g.count > 1);
        groups
    }
}

impl Chain {
    /// The earliest frame of any of the chain's stages (its own and its attempts').
    pub fn first_frame(&self) -> Option<u64> {
        self.stages
            .iter()
            .chain(self.attempts.iter().flat_map(|a| &a.stages))
            .flat_map(|s| s.frames.iter().copied())
            .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::{Cause, Severity};

    fn broken(client: [u8; 4], stage: StageKind, code: &str, server: &str, frame: u64) -> Chain {
        let cause = Cause {
            code: code.into(),
            summary: format!("{code} at frame {frame}"),
            frames: vec![frame],
            remediation: "fix it".into(),
            severity: Severity::Failure,
        };
        let mut failed = Stage::ok(stage, vec![frame], vec![("server", server.into())]);
        failed.status = StageStatus::Failed;
        failed.cause = Some(cause.clone());
        Chain {
            client: IpAddr::from(client),
            domain: Some("contoso.test".into()),
            status: ChainStatus::Broken,
            broken_at: Some(stage),
            cause: Some(cause.clone()),
            findings: vec![cause],
            stages: vec![failed],
            attempts: vec![],
            scp_urls: vec![],
        }
    }

    #[test]
    fn same_stage_cause_and_server_make_one_group_with_first_and_last() {
        let chains = [
            broken(
                [10, 0, 0, 1],
                StageKind::LdapConnect,
                "tcp.refused",
                "10.9.0.1:389",
                5,
            ),
            broken(
                [10, 0, 0, 2],
                StageKind::LdapConnect,
                "tcp.refused",
                "10.9.0.2:389",
                7,
            ),
            broken(
                [10, 0, 0, 3],
                StageKind::LdapConnect,
                "tcp.refused",
                "10.9.0.1:389",
                9,
            ),
            broken(
                [10, 0, 0, 4],
                StageKind::LdapConnect,
                "tcp.refused",
                "10.9.0.1:389",
                11,
            ),
        ];
        let groups = failure_groups(&chains);
        assert_eq!(groups.len(), 2, "{groups:#?}");
        let big = &groups[0];
        assert_eq!(big.count, 3);
        assert_eq!(big.server.as_deref(), Some("10.9.0.1:389"));
        assert_eq!(big.first.client, IpAddr::from([10, 0, 0, 1]));
        assert_eq!(big.first.frames, vec![5]);
        assert_eq!(big.last.client, IpAddr::from([10, 0, 0, 4]));
        assert_eq!(big.last.frames, vec![11]);
        assert_eq!(groups[1].count, 1);
        assert_eq!(groups[1].server.as_deref(), Some("10.9.0.2:389"));
    }

    #[test]
    fn another_cause_or_stage_is_another_group_and_complete_chains_none() {
        let mut complete = broken([10, 0, 0, 9], StageKind::LdapBind, "x", "s", 1);
        complete.status = ChainStatus::Complete;
        let chains = [
            broken(
                [10, 0, 0, 1],
                StageKind::LdapBind,
                "ldap.invalid_credentials",
                "dc:389",
                3,
            ),
            broken(
                [10, 0, 0, 2],
                StageKind::LdapBind,
                "ldap.no_response",
                "dc:389",
                4,
            ),
            broken(
                [10, 0, 0, 3],
                StageKind::LdapConnect,
                "ldap.invalid_credentials",
                "dc:389",
                6,
            ),
            complete,
        ];
        let groups = failure_groups(&chains);
        assert_eq!(groups.len(), 3);
        assert!(groups.iter().all(|g| g.count == 1));
        assert_eq!(groups[0].cause, "ldap.invalid_credentials");
        assert_eq!(groups[0].stage, StageKind::LdapBind);
    }
}
