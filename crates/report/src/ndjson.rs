//! The event stream (`--format ndjson`), schema `capdiag-events/1`, documented in docs/json.md:
//! one JSON object per line, one per chain verdict, per finding, per group of clients that
//! failed the same way, and one summary of the run, written as they are made. Field names
//! follow the Elastic Common Schema where it has one (`@timestamp`, `event.*`, `source.ip`,
//! `destination.*`, `dns.question.name`, `tls.server_name`, `url.full`, `log.level`,
//! `message`); the rest is under `capdiag.*`. Like `capdiag/1`, a contract: add fields, never
//! rename or remove them.

use std::io::{self, Write};
use std::net::SocketAddr;

use serde_json::{Map, Value, json};

use crate::analysis::Analysis;
use crate::capture::Nanos;
use crate::chain::groups::{FailureGroup, GroupTally, shared_failures};
use crate::chain::{Cause, Chain, ChainStatus, Severity, Stage, StageKind};
use crate::messages::FrameTimes;
use crate::retirement::Retired;

pub const SCHEMA: &str = "capdiag-events/1";
/// The ECS version the field names follow.
pub const ECS_VERSION: &str = "8.17.0";

/// What every event of one run shares: the captures, and how to put a time on a frame.
pub struct Context<'a> {
    pub captures: Vec<&'a str>,
    pub frame_ts: &'a dyn Fn(u64) -> Option<Nanos>,
}

/// Writes every event of the analysis, one line each, as each is made: the stream of
/// [`EventStream`] with every client left at the end.
pub fn write(a: &Analysis, out: &mut dyn Write) -> io::Result<()> {
    let captures = a.inputs.iter().map(|i| i.path.clone()).collect();
    EventStream::new(captures).finish(a, out).map(|_| ())
}

/// Runs `f` with the context of `a`'s events: `captures`, and a time for every frame of the
/// model (indexed once).
fn with_context<R>(a: &Analysis, captures: Vec<&str>, f: impl FnOnce(&Context<'_>) -> R) -> R {
    let clock: FrameTimes = a.exchanges.frame_clock();
    let frame_ts = |frame: u64| clock.get(frame);
    f(&Context {
        captures,
        frame_ts: &frame_ts,
    })
}

/// One event as one line.
pub fn line(out: &mut dyn Write, event: &Value) -> io::Result<()> {
    serde_json::to_writer(&mut *out, event)?;
    out.write_all(b"\n")
}

/// RFC 3339 in UTC with microseconds, as Elasticsearch and ClickHouse read `@timestamp`.
pub fn timestamp(ts: Nanos) -> Option<String> {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ts)).ok()?;
    Some(format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.microsecond()
    ))
}

fn all_stages(c: &Chain) -> impl Iterator<Item = &Stage> {
    c.stages
        .iter()
        .chain(c.attempts.iter().flat_map(|a| &a.stages))
}

/// The chain's first and last frame.
fn span(c: &Chain) -> Option<(u64, u64)> {
    let frames = all_stages(c).flat_map(|s| s.frames.iter().copied());
    frames.fold(None, |acc, f| match acc {
        None => Some((f, f)),
        Some((lo, hi)) => Some((lo.min(f), hi.max(f))),
    })
}

fn outcome(status: ChainStatus) -> &'static str {
    match status {
        ChainStatus::Complete => "success",
        ChainStatus::Broken => "failure",
        ChainStatus::Incomplete => "unknown",
    }
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Failure => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

/// `destination.*` from the server a stage names: an address with a port, or a host name.
fn destination(stage: Option<&Stage>) -> Option<Value> {
    server_destination(stage?.server()?)
}

fn server_destination(server: &str) -> Option<Value> {
    if let Ok(addr) = server.parse::<SocketAddr>() {
        return Some(json!({"ip": addr.ip().to_string(), "port": addr.port()}));
    }
    if let Ok(ip) = server.parse::<std::net::IpAddr>() {
        return Some(json!({"ip": ip.to_string()}));
    }
    let host = server.split_whitespace().next()?;
    Some(json!({"domain": host}))
}

/// The name a DNS stage asked for ("SRV _ldap._tcp.dc._msdcs.contoso.test" → the name).
fn dns_question(stage: Option<&Stage>) -> Option<Value> {
    let stage = stage?;
    let query = stage.detail.iter().find(|(k, _)| *k == "query")?;
    let (qtype, name) = query.1.split_once(' ')?;
    Some(json!({"question": {"name": name, "type": qtype}}))
}

fn server_name(stage: Option<&Stage>) -> Option<Value> {
    let sni = stage?.detail.iter().find(|(k, _)| *k == "sni")?;
    Some(json!({"server_name": sni.1}))
}

/// The fields every event has; `extra` adds the ECS groups that apply.
fn base(
    dataset: &str,
    ts: Option<Nanos>,
    message: String,
    ctx: &Context<'_>,
) -> Map<String, Value> {
    let mut m = Map::new();
    if let Some(t) = ts.and_then(timestamp) {
        m.insert("@timestamp".into(), Value::String(t));
    }
    m.insert("ecs".into(), json!({"version": ECS_VERSION}));
    m.insert(
        "event".into(),
        json!({"kind": "event", "category": ["network"], "type": ["info"],
               "module": "capdiag", "dataset": dataset}),
    );
    m.insert("message".into(), Value::String(message));
    m.insert(
        "capdiag".into(),
        json!({"schema": SCHEMA, "captures": ctx.captures}),
    );
    m
}

fn set(m: &mut Map<String, Value>, path: &[&str], v: Value) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut at = m;
    for p in parents {
        let entry = at.entry(p.to_string()).or_insert_with(|| json!({}));
        let Value::Object(next) = entry else {
            return;
        };
        at = next;
    }
    at.insert(last.to_string(), v);
}

fn cause_value(c: &Cause) -> Value {
    json!({"code": c.code, "summary": c.summary, "remediation": c.remediation,
           "severity": c.severity, "frames": c.frames})
}

fn network_fields(m: &mut Map<String, Value>, stage: Option<&Stage>) {
    if let Some(d) = destination(stage) {
        m.insert("destination".into(), d);
    }
    if let Some(q) = dns_question(stage) {
        m.insert("dns".into(), q);
    }
    if let Some(t) = server_name(stage) {
        m.insert("tls".into(), t);
    }
}

/// The verdict of one chain, then one event per finding.
pub fn chain_events(c: &Chain, ctx: &Context<'_>) -> Vec<Value> {
    let span = span(c);
    let start = span.and_then(|(lo, _)| (ctx.frame_ts)(lo));
    let end = span.and_then(|(_, hi)| (ctx.frame_ts)(hi));
    let verdict = match (c.status, c.broken_at, &c.cause) {
        (ChainStatus::Broken, Some(at), Some(cause)) => {
            format!("broken at {}: {}: {}", at.id(), cause.code, cause.summary)
        }
        (ChainStatus::Broken, _, _) => "broken".to_string(),
        (ChainStatus::Complete, _, _) => "complete".to_string(),
        (ChainStatus::Incomplete, _, _) => "incomplete (the lookup stopped before HTTPS)".into(),
    };
    let mut m = base(
        "capdiag.chain",
        start,
        format!("{}: {verdict}", c.client),
        ctx,
    );
    set(&mut m, &["event", "outcome"], json!(outcome(c.status)));
    if let (Some(s), Some(e)) = (start.and_then(timestamp), end.and_then(timestamp)) {
        set(&mut m, &["event", "start"], json!(s));
        set(&mut m, &["event", "end"], json!(e));
    }
    if let (Some(s), Some(e)) = (start, end) {
        set(&mut m, &["event", "duration"], json!(e.saturating_sub(s)));
    }
    m.insert("source".into(), json!({"ip": c.client.to_string()}));
    let broken = c.broken_stage();
    network_fields(&mut m, broken);
    if let Some(url) = c.scp_urls.first() {
        m.insert("url".into(), json!({"full": url}));
    }
    let stages: Vec<Value> = c
        .stages
        .iter()
        .map(|s| json!({"stage": s.kind.id(), "status": s.status.id(), "frames": s.frames}))
        .collect();
    set(&mut m, &["capdiag", "record"], json!("chain"));
    set(&mut m, &["capdiag", "domain"], json!(c.domain));
    set(&mut m, &["capdiag", "status"], json!(c.status.id()));
    set(
        &mut m,
        &["capdiag", "broken_at"],
        json!(c.broken_at.map(StageKind::id)),
    );
    set(
        &mut m,
        &["capdiag", "cause"],
        json!(c.cause.as_ref().map(cause_value)),
    );
    set(&mut m, &["capdiag", "stages"], Value::Array(stages));
    set(&mut m, &["capdiag", "scp_urls"], json!(c.scp_urls));
    set(
        &mut m,
        &["capdiag", "hosts_tried"],
        json!(c.attempts.iter().map(|a| &a.host).collect::<Vec<_>>()),
    );
    let ping = c.stages.iter().find(|s| s.kind == StageKind::DcLocatorPing);
    let site = |key: &str| ping.and_then(|p| p.detail.iter().find(|(k, _)| *k == key));
    set(
        &mut m,
        &["capdiag", "client_site"],
        json!(site("client site").map(|(_, v)| v)),
    );
    set(
        &mut m,
        &["capdiag", "dc_site"],
        json!(site("dc site").map(|(_, v)| v)),
    );
    set(
        &mut m,
        &["capdiag", "first_frame"],
        json!(span.map(|s| s.0)),
    );
    set(&mut m, &["capdiag", "last_frame"], json!(span.map(|s| s.1)));
    let mut events = vec![Value::Object(m)];
    for f in &c.findings {
        events.push(finding_event(c, f, ctx));
    }
    events
}

/// One finding of a chain (its cause is one of them).
fn finding_event(c: &Chain, f: &Cause, ctx: &Context<'_>) -> Value {
    let ts = f.frames.first().and_then(|fr| (ctx.frame_ts)(*fr));
    let is_cause = c.cause.as_ref().is_some_and(|cause| cause == f);
    let mut m = base(
        "capdiag.finding",
        ts,
        format!("{}: {}: {}", c.client, f.code, f.summary),
        ctx,
    );
    set(&mut m, &["log", "level"], json!(level(f.severity)));
    m.insert("source".into(), json!({"ip": c.client.to_string()}));
    let stage =
        all_stages(c).find(|s| s.cause.as_ref() == Some(f) || s.notes.iter().any(|n| n == f));
    network_fields(&mut m, stage);
    set(&mut m, &["capdiag", "record"], json!("finding"));
    set(&mut m, &["capdiag", "domain"], json!(c.domain));
    set(
        &mut m,
        &["capdiag", "stage"],
        json!(stage.map(|s| s.kind.id())),
    );
    set(&mut m, &["capdiag", "is_cause"], json!(is_cause));
    set(&mut m, &["capdiag", "finding"], cause_value(f));
    Value::Object(m)
}

/// A stage whose status changed while following (`analyze --follow`, `live`).
pub fn stage_event(
    client: std::net::IpAddr,
    stage: &Stage,
    status: &str,
    cause: Option<&str>,
    ts: Option<Nanos>,
    ctx: &Context<'_>,
) -> Value {
    let what = cause.map_or(status.to_string(), |c| format!("{status}: {c}"));
    let mut m = base(
        "capdiag.stage",
        ts,
        format!("{client} {}: {what}", stage.kind.id()),
        ctx,
    );
    m.insert("source".into(), json!({"ip": client.to_string()}));
    network_fields(&mut m, Some(stage));
    set(&mut m, &["capdiag", "record"], json!("stage"));
    set(
        &mut m,
        &["capdiag", "stage"],
        json!({"stage": stage.kind.id(), "status": status, "cause": cause, "frames": stage.frames}),
    );
    Value::Object(m)
}

/// The groups of clients that broke the same way, then the run's totals: the last events of
/// a followed capture, after its verdicts.
pub fn closing_events(a: &Analysis, captures: Vec<&str>) -> Vec<Value> {
    with_context(a, captures, |ctx| closing(a, ctx))
}

/// The groups of two or more clients, then the run's totals.
fn closing(a: &Analysis, ctx: &Context<'_>) -> Vec<Value> {
    let mut events: Vec<Value> = shared_failures(&a.chains)
        .iter()
        .map(|g| group_event(g, ctx))
        .collect();
    events.push(run_event(a, ctx));
    events
}

/// Clients that broke the same way, once, with the count.
pub fn group_event(g: &FailureGroup, ctx: &Context<'_>) -> Value {
    let ts = g.first.frames.first().and_then(|f| (ctx.frame_ts)(*f));
    group_event_at(g, ts, ctx)
}

/// [`group_event`] stamped with `ts`, the time its first client failed.
fn group_event_at(g: &FailureGroup, ts: Option<Nanos>, ctx: &Context<'_>) -> Value {
    let mut m = base(
        "capdiag.failure_group",
        ts,
        format!(
            "{} clients broken at {}: {} ({} … {})",
            g.count,
            g.stage.id(),
            g.cause,
            g.first.client,
            g.last.client
        ),
        ctx,
    );
    set(&mut m, &["event", "outcome"], json!("failure"));
    if let Some(d) = g.server.as_deref().and_then(server_destination) {
        m.insert("destination".into(), d);
    }
    set(&mut m, &["capdiag", "record"], json!("failure_group"));
    set(&mut m, &["capdiag", "group"], group_value(g));
    Value::Object(m)
}

/// A group as both formats show it (`failure_groups` in capdiag/1 too).
pub fn group_value(g: &FailureGroup) -> Value {
    json!({
        "stage": g.stage.id(),
        "cause": g.cause,
        "summary": g.summary,
        "remediation": g.remediation,
        "server": g.server,
        "count": g.count,
        "first": {"client": g.first.client.to_string(), "frames": g.first.frames},
        "last": {"client": g.last.client.to_string(), "frames": g.last.frames},
    })
}

/// How many clients a run judged, each way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub complete: usize,
    pub broken: usize,
    pub incomplete: usize,
    pub directory_sessions: usize,
}

impl Totals {
    /// Counts `verdicts` in.
    pub fn add(&mut self, chains: &[Chain], directory_sessions: usize) {
        for c in chains {
            match c.status {
                ChainStatus::Complete => self.complete += 1,
                ChainStatus::Broken => self.broken += 1,
                ChainStatus::Incomplete => self.incomplete += 1,
            }
        }
        self.directory_sessions += directory_sessions;
    }

    pub fn chains(&self) -> usize {
        self.complete + self.broken + self.incomplete
    }
}

/// The run's totals, last.
pub fn run_event(a: &Analysis, ctx: &Context<'_>) -> Value {
    let mut totals = Totals::default();
    totals.add(&a.chains, a.directory_sessions.len());
    run_event_of(a, totals, ctx)
}

/// The run event with `totals` counted (a streamed run's, most of whose chains are gone);
/// packets and warnings from `a`.
fn run_event_of(a: &Analysis, totals: Totals, ctx: &Context<'_>) -> Value {
    let Totals {
        complete,
        broken,
        incomplete,
        directory_sessions,
    } = totals;
    let outcome = if broken > 0 {
        "failure"
    } else if complete > 0 {
        "success"
    } else {
        "unknown"
    };
    let mut m = base(
        "capdiag.run",
        None,
        format!(
            "{} chains: {complete} complete, {broken} broken, {incomplete} incomplete",
            totals.chains()
        ),
        ctx,
    );
    set(&mut m, &["event", "outcome"], json!(outcome));
    set(&mut m, &["capdiag", "record"], json!("run"));
    set(
        &mut m,
        &["capdiag", "run"],
        json!({
            "packets": a.inputs.iter().map(|i| i.packets).sum::<u64>(),
            "chains": totals.chains(),
            "complete": complete,
            "broken": broken,
            "incomplete": incomplete,
            "directory_sessions": directory_sessions,
            "warnings": a.warnings.iter().map(ToString::to_string).collect::<Vec<_>>(),
        }),
    );
    Value::Object(m)
}

/// The events of a streamed analysis ([`crate::analysis::analyze_streaming`]): each batch of
/// retired clients' verdicts is written as it comes and forgotten; only the totals and the
/// failure groups stay, for the closing events. The same events as [`write`] gives for the
/// whole file, the chains in the order their clients left.
pub struct EventStream {
    captures: Vec<String>,
    tally: Tally,
}

/// What a stream keeps of the verdicts it wrote.
#[derive(Default)]
struct Tally {
    totals: Totals,
    groups: GroupTally,
}

impl Tally {
    /// Writes `chains`' events and counts them, with `directory_sessions`.
    fn chains(
        &mut self,
        chains: &[Chain],
        directory_sessions: usize,
        ctx: &Context<'_>,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        for chain in chains {
            for event in chain_events(chain, ctx) {
                line(out, &event)?;
            }
            let failed_at = chain
                .cause
                .as_ref()
                .and_then(|c| c.frames.first())
                .and_then(|f| (ctx.frame_ts)(*f));
            self.groups.add_at(chain, failed_at);
        }
        self.totals.add(chains, directory_sessions);
        Ok(())
    }
}

impl EventStream {
    pub fn new(captures: Vec<String>) -> EventStream {
        EventStream {
            captures,
            tally: Tally::default(),
        }
    }

    /// Writes the verdicts of clients that left.
    pub fn retired(&mut self, r: &Retired, out: &mut dyn Write) -> io::Result<()> {
        let frame_ts = |frame: u64| r.clock.get(frame);
        let ctx = Context {
            captures: self.captures.iter().map(String::as_str).collect(),
            frame_ts: &frame_ts,
        };
        let v = &r.verdicts;
        self.tally
            .chains(&v.chains, v.directory_sessions.len(), &ctx, out)
    }

    /// The clients still there at the end (`a`: none when [`crate::analysis::analyze_streaming`]
    /// handed them out already), then the groups and the run's totals, which are returned.
    pub fn finish(mut self, a: &Analysis, out: &mut dyn Write) -> io::Result<Totals> {
        let tally = &mut self.tally;
        let captures: Vec<&str> = self.captures.iter().map(String::as_str).collect();
        if !a.chains.is_empty() || !a.directory_sessions.is_empty() {
            with_context(a, captures.clone(), |ctx| {
                tally.chains(&a.chains, a.directory_sessions.len(), ctx, out)
            })?;
        }
        // Every group carries its own time: the closing events need no frame index.
        let no_frame_times = |_: u64| None;
        let ctx = Context {
            captures,
            frame_ts: &no_frame_times,
        };
        for (g, ts) in tally.groups.groups_at() {
            if g.count > 1 {
                line(out, &group_event_at(&g, ts, &ctx))?;
            }
        }
        line(out, &run_event_of(a, tally.totals, &ctx))?;
        Ok(self.tally.totals)
    }
}
