//! Streaming verdicts: while a capture is read, the clients that have been quiet for
//! [`Retirement::after`] seconds of capture time are judged, handed out ([`Retired`]) and their
//! exchanges dropped, so memory follows the clients active within that time, not the length of
//! the capture. Capture time decides, never the wall clock, so a file gives the same verdicts
//! however fast it is read.
//!
//! Only quiet time retires a client, whatever its chain's state: a chain that looks complete
//! or broken can still change with what the client does next (a fallback that succeeds after
//! a failure, a later failure that is not part of a lookup that completed), and a verdict
//! handed out cannot be taken back. So the time is long, past any client's give-up time: what
//! a client does after it is a new lookup, judged as a new chain of its own (as a capture
//! started then would show it); traffic on a connection it left open is counted in a warning,
//! not analysed.
//!
//! The clients' judgement is the one a whole-file analysis makes ([`judge_clients`] on the
//! leaving clients' own exchanges, which holds the same views), with the context across
//! clients that it needs: a DNS server's queries that forward its clients' questions are found
//! while those clients are still there and dropped before they or the server leave, so they
//! never count as the server's own lookups. The judging runs on a thread of its own while the
//! capture is read on; the verdicts come out in the order the clients left.

use std::collections::HashSet;
use std::net::IpAddr;
use std::sync::mpsc::{Receiver, SyncSender, channel, sync_channel};
use std::thread::JoinHandle;

use crate::capture::Nanos;
use crate::chain::client::forwarded_queries;
use crate::chain::{ChainOptions, Verdicts, judge_clients, judge_views};
use crate::messages::{Collector, Exchanges, FrameTimes, Leaving};

const SECOND: f64 = 1e9;

/// Default for [`Retirement::after`], in seconds: twice the longest wait of the clients and
/// servers of a lookup (the DC's 120 s LDAP query limit, MaxQueryDuration; the EWS Managed
/// API's 100 s request timeout; Windows gives up a SYN after 21 s).
pub const DEFAULT_RETIRE_AFTER_SECS: f64 = 240.0;

/// Shortest [`Retirement::after`]: one second.
const MIN_AFTER: Nanos = 1_000_000_000;

/// When clients leave (see the module doc): after this many nanoseconds of capture time
/// without a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retirement {
    pub after: Nanos,
}

impl Retirement {
    /// From seconds (`--retire-after`), at least one.
    pub fn from_secs(after: f64) -> Retirement {
        Retirement {
            after: ((after * SECOND) as Nanos).max(MIN_AFTER),
        }
    }

    /// How often (capture time) the quiet clients are looked for: an eighth of the quiet time,
    /// so that each pass, whose cost is that of the exchanges kept, retires a fair share of
    /// them; clients leave at most 1.125 × `after` after their last packet.
    fn interval(&self) -> Nanos {
        self.after / 8
    }
}

/// The clients that left in one pass, judged, with the capture times of the frames their
/// verdicts name.
#[derive(Debug, Default)]
pub struct Retired {
    pub verdicts: Verdicts,
    /// Shared by the batches judged at the end of the input, which all read one index.
    pub clock: std::sync::Arc<FrameTimes>,
}

/// How many clients the end of a streamed input judges at once: the chains of one batch are
/// in memory together, not those of every client left (a flood leaves hundreds of thousands).
pub const FINAL_BATCH: usize = 2048;

/// The retirement state of one run.
#[derive(Debug)]
pub(crate) struct Retiring {
    rule: Retirement,
    next_pass: Option<Nanos>,
    ready: Vec<Retired>,
    /// Judges the clients that left while the capture is read on (started at the first pass).
    judge: Option<JudgeThread>,
}

/// Passes whose clients wait to be judged at most (the reading stops for the judge beyond).
const JUDGE_QUEUE: usize = 2;

/// The thread that judges retired clients: their exchanges are moved out of the collector,
/// so the reading and the judging run side by side on two cores. Verdicts come back in the
/// order the clients left, so a file gives the same stream however the two keep pace.
#[derive(Debug)]
struct JudgeThread {
    to_judge: SyncSender<Exchanges>,
    judged: Receiver<Retired>,
    thread: JoinHandle<()>,
}

impl JudgeThread {
    fn start(opts: &ChainOptions) -> Option<JudgeThread> {
        let (to_judge, inbox) = sync_channel::<Exchanges>(JUDGE_QUEUE);
        let (outbox, judged) = channel();
        let opts = opts.clone();
        let thread = std::thread::Builder::new()
            .name("capdiag-judge".into())
            .spawn(move || {
                for gone in inbox {
                    if outbox.send(judged_exchanges(&gone, &opts)).is_err() {
                        return;
                    }
                }
            })
            .ok()?;
        Some(JudgeThread {
            to_judge,
            judged,
            thread,
        })
    }

    /// Hands `gone` to the thread; gives it back when the thread is gone.
    fn send(&self, gone: Exchanges) -> Option<Exchanges> {
        self.to_judge.send(gone).err().map(|e| e.0)
    }

    /// Every verdict judged so far.
    fn ready(&self) -> impl Iterator<Item = Retired> + '_ {
        self.judged.try_iter()
    }

    /// Waits for the verdicts of every pass sent, in order. A panic of the judge is the
    /// caller's again, as it would be without the thread.
    fn finish(self) -> Vec<Retired> {
        let JudgeThread {
            to_judge,
            judged,
            thread,
        } = self;
        drop(to_judge);
        let rest: Vec<Retired> = judged.iter().collect();
        if let Err(panic) = thread.join() {
            std::panic::resume_unwind(panic);
        }
        rest
    }
}

/// The verdicts of the clients whose own exchanges `gone` holds (see [`Collector::retire`]).
fn judged_exchanges(gone: &Exchanges, opts: &ChainOptions) -> Retired {
    Retired {
        verdicts: judge_clients(gone, opts),
        clock: std::sync::Arc::new(gone.frame_clock()),
    }
}

impl Retiring {
    pub(crate) fn new(rule: Retirement) -> Retiring {
        Retiring {
            rule,
            next_pass: None,
            ready: Vec::new(),
            judge: None,
        }
    }

    /// Whether a pass is due at capture time `now` (one every [`Retirement::interval`]).
    pub(crate) fn due(&mut self, now: Nanos) -> bool {
        let next = now.saturating_add(self.rule.interval());
        match self.next_pass {
            Some(t) if now < t => false,
            Some(_) => {
                self.next_pass = Some(next);
                true
            }
            None => {
                self.next_pass = Some(next);
                false
            }
        }
    }

    /// The clients that left and were judged since the last call.
    pub(crate) fn take(&mut self) -> Vec<Retired> {
        if let Some(judge) = &self.judge {
            self.ready.extend(judge.ready());
        }
        std::mem::take(&mut self.ready)
    }

    /// Every client that left, judged: waits for the judge thread.
    pub(crate) fn take_all(&mut self) -> Vec<Retired> {
        if let Some(judge) = self.judge.take() {
            self.ready.extend(judge.finish());
        }
        std::mem::take(&mut self.ready)
    }

    /// The end of the input: every client left, judged [`FINAL_BATCH`] at a time, each batch
    /// handed to `on_retired` as soon as it is judged.
    pub(crate) fn retire_all(
        ex: &crate::messages::Exchanges,
        opts: &ChainOptions,
        on_retired: &mut dyn FnMut(Retired),
    ) {
        let clock = std::sync::Arc::new(ex.frame_clock());
        crate::chain::client::views_in_batches(ex, FINAL_BATCH, |views| {
            on_retired(Retired {
                verdicts: judge_views(&views, opts),
                clock: std::sync::Arc::clone(&clock),
            });
        });
    }

    /// Judges and retires the clients quiet for [`Retirement::after`] at `now`.
    pub(crate) fn pass(&mut self, collector: &mut Collector, opts: &ChainOptions, now: Nanos) {
        let rule = self.rule;
        let quiet: HashSet<IpAddr> = collector
            .idle_clients(now, rule.after)
            .into_iter()
            .map(|(ip, _)| ip)
            .collect();
        if quiet.is_empty() {
            return;
        }
        let ex = &collector.exchanges;
        let mut leaving = Leaving {
            clients: quiet,
            dns: HashSet::new(),
        };
        // Forwarding is only recognised while the forwarded client is there: the servers'
        // forwarded queries are dropped now, with the server when it leaves, else once
        // answered or given up.
        for i in forwarded_queries(ex) {
            if let Some(d) = ex.dns.get(i)
                && (leaving.clients.contains(&d.client.ip)
                    || d.response.is_some()
                    || now.saturating_sub(d.ts) >= rule.after)
            {
                leaving.dns.insert(i);
            }
        }
        let gone = collector.retire(&leaving);
        collector.relevance.forget_expired(now);
        if self.judge.is_none() {
            self.judge = JudgeThread::start(opts);
        }
        let unsent = match &self.judge {
            Some(judge) => judge.send(gone),
            None => Some(gone),
        };
        if let Some(gone) = unsent {
            self.ready.push(judged_exchanges(&gone, opts));
        }
    }
}
