//! The human report (default output): the chain as marked stages, the verdict with cause,
//! evidence frames, a Wireshark filter and the fix; then the SCP search as ldp.exe would run it,
//! the other searches and the DNS lookups. Colour only when asked for.

use std::fmt::Write;

use super::searches::{SearchContext, value_text};
use crate::analysis::Analysis;
use crate::chain::directory::is_scp_filter;
use crate::chain::groups::shared_failures;
use crate::chain::{
    Cause, Chain, ChainStatus, DirectorySession, Severity, Stage, StageKind, StageStatus,
};
use crate::messages::{LdapExchange, LdapRequest, Transport};
use crate::proto::ldap::Scope;

/// Where the cause list lives, for "more" pointers.
pub const CAUSES_DOC: &str = "docs/causes.md";

/// ANSI styling, or none.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn bold(self, s: &str) -> String {
        self.paint("1", s)
    }
    fn red(self, s: &str) -> String {
        self.paint("1;31", s)
    }
    fn green(self, s: &str) -> String {
        self.paint("32", s)
    }
    fn dim(self, s: &str) -> String {
        self.paint("2", s)
    }
    fn yellow(self, s: &str) -> String {
        self.paint("33", s)
    }
}

pub use crate::format::wireshark_filter;

use crate::format::frames_text;

fn painted(st: Style, s: StageStatus, text: &str) -> String {
    match s {
        StageStatus::Ok => st.green(text),
        StageStatus::Failed => st.red(text),
        StageStatus::Sealed | StageStatus::Recovered | StageStatus::Unfinished => st.yellow(text),
        StageStatus::NotSeen | StageStatus::NotInCapture => st.dim(text),
    }
}

fn mark(st: Style, s: StageStatus) -> String {
    painted(st, s, s.glyph())
}

fn stage_line(out: &mut String, st: Style, s: &Stage) {
    let status = painted(st, s.status, s.status.label());
    let _ = write!(
        out,
        "  {} {:<16} {:<44} {}",
        mark(st, s.status),
        s.kind.id(),
        s.kind.title(),
        status
    );
    if !s.frames.is_empty() {
        let _ = write!(
            out,
            "  {}",
            st.dim(&format!("frames {}", frames_text(&s.frames)))
        );
    }
    out.push('\n');
    for (k, v) in s
        .detail
        .iter()
        .filter(|(k, _)| *k != "host" || s.kind == crate::chain::StageKind::ScpUrlDns)
    {
        let _ = writeln!(out, "      {} {v}", st.dim(&format!("{k}:")));
    }
}

fn cause_block(out: &mut String, st: Style, label: &str, c: &Cause, a: &Analysis) {
    let _ = writeln!(
        out,
        "  {} {}: {}",
        st.bold(&format!("{label:<9}")),
        st.red(&c.code),
        c.summary
    );
    if !c.remediation.is_empty() {
        let _ = writeln!(out, "  {} {}", st.bold("Fix      "), c.remediation);
    }
    if !c.frames.is_empty() {
        let _ = writeln!(
            out,
            "  {} frames {}",
            st.bold("Evidence "),
            frames_text(&c.frames)
        );
        let _ = writeln!(
            out,
            "  {} {}",
            st.bold("Wireshark"),
            wireshark_filter(&c.frames)
        );
        // Several inputs: the numbers above are the merge's; say where they are in each file.
        if super::frames::several(a) {
            let _ = writeln!(
                out,
                "  {} {} (numbers above: the merge, mergecap -w all.pcapng FILES)",
                st.bold("In files "),
                super::frames::in_files_text(a, &c.frames)
            );
            for (file, filter) in super::frames::file_filters(a, &c.frames) {
                let _ = writeln!(out, "  {} {filter}   (in {file})", st.bold("Wireshark"));
            }
        }
    }
    let _ = writeln!(
        out,
        "  {} {CAUSES_DOC}#{}",
        st.dim("More     "),
        crate::chain::causes::doc_anchor(&c.code)
    );
}

fn verdict_text(st: Style, c: &Chain) -> String {
    match c.status {
        ChainStatus::Complete => st.green("COMPLETE: HTTPS reached"),
        ChainStatus::Broken => st.red(&format!(
            "BROKEN at {}",
            c.broken_at.map(|s| s.id()).unwrap_or("?")
        )),
        ChainStatus::Incomplete => match c
            .stages
            .iter()
            .find(|s| s.status == StageStatus::Unfinished)
        {
            Some(s) => st.yellow(&format!(
                "INCOMPLETE: the capture ends during {}",
                s.kind.id()
            )),
            None if c
                .stages
                .iter()
                .any(|s| s.kind == StageKind::ScpSearch && s.status == StageStatus::Sealed) =>
            {
                st.yellow("INCOMPLETE: the SCP search is sealed and no later step is tied to it")
            }
            None => st.yellow("INCOMPLETE: the capture ends before HTTPS or a failure"),
        },
    }
}

/// The stages before the first one the capture holds, said once.
fn not_in_capture_line(out: &mut String, st: Style, c: &Chain) {
    let missing: Vec<&str> = c
        .stages
        .iter()
        .filter(|s| s.status == StageStatus::NotInCapture)
        .map(|s| s.kind.id())
        .collect();
    if let (Some(first), false) = (
        c.stages.iter().find(|s| s.status.seen()),
        missing.is_empty(),
    ) {
        let _ = writeln!(
            out,
            "  {} starts at {}: {} not in it (started late, filtered, or the client had it cached); judged from what it holds.",
            st.bold("Capture  "),
            first.kind.id(),
            missing.join(", "),
        );
    }
}

/// Whether a finding is the failure of a host attempt (listed with the attempts instead).
fn from_attempt(c: &Chain, f: &Cause) -> bool {
    c.attempts
        .iter()
        .any(|a| a.first_failure().and_then(|s| s.cause.as_ref()) == Some(f))
}

fn finding_lines(out: &mut String, st: Style, label: &str, findings: &[&Cause]) {
    for f in findings {
        let frames = if f.frames.is_empty() {
            String::new()
        } else {
            format!(" (frames {})", frames_text(&f.frames))
        };
        let _ = writeln!(
            out,
            "  {} {}: {}{}",
            st.bold(&format!("{label:<9}")),
            st.yellow(&f.code),
            f.summary,
            st.dim(&frames)
        );
    }
}

fn attempts_text(out: &mut String, st: Style, c: &Chain) {
    if c.attempts.is_empty() {
        return;
    }
    let title = match c.status {
        ChainStatus::Complete => "Autodiscover hosts tried, in EWS order:",
        _ => "Autodiscover hosts and fallbacks tried, in EWS order:",
    };
    let _ = writeln!(out, "  {}", st.bold(title));
    for a in &c.attempts {
        let steps: Vec<String> = a
            .stages
            .iter()
            .map(|s| format!("{} {}", mark(st, s.status), s.kind.id()))
            .collect();
        let _ = writeln!(
            out,
            "    {:<32} {:<42} {}",
            a.host,
            format!("({})", a.origin.title()),
            steps.join("  ")
        );
        if let Some(f) = a.first_failure().and_then(|s| s.cause.as_ref()) {
            let frames = if f.frames.is_empty() {
                String::new()
            } else {
                format!(" (frames {})", frames_text(&f.frames))
            };
            let code = if f.severity == Severity::Info {
                st.dim(&f.code)
            } else {
                st.yellow(&f.code)
            };
            let _ = writeln!(out, "      {code}: {}{}", f.summary, st.dim(&frames));
        }
    }
    out.push('\n');
}

fn chain_text(out: &mut String, st: Style, c: &Chain, a: &Analysis) {
    let domain = c.domain.as_deref().unwrap_or("(domain unknown)");
    let _ = writeln!(
        out,
        "{} {} looking up {}: {}",
        st.bold("Client"),
        c.client,
        domain,
        verdict_text(st, c)
    );
    if let Some(cause) = &c.cause {
        cause_block(out, st, "Cause", cause, a);
    }
    not_in_capture_line(out, st, c);
    out.push('\n');
    for s in &c.stages {
        stage_line(out, st, s);
    }
    out.push('\n');
    let others: Vec<&Cause> = c
        .findings
        .iter()
        .filter(|f| Some(*f) != c.cause.as_ref() && !from_attempt(c, f))
        .collect();
    let (info, warnings): (Vec<&Cause>, Vec<&Cause>) =
        others.iter().partition(|f| f.severity == Severity::Info);
    let (got_past, failures): (Vec<&Cause>, Vec<&Cause>) = warnings
        .iter()
        .partition(|f| f.severity == Severity::Warning);
    finding_lines(out, st, "Also", &failures);
    finding_lines(out, st, "Warning", &got_past);
    finding_lines(out, st, "Note", &info);
    if !others.is_empty() {
        out.push('\n');
    }
    attempts_text(out, st, c);
}

/// A client whose directory traffic is not an Autodiscover lookup: one line, then its findings.
fn session_text(out: &mut String, st: Style, s: &DirectorySession) {
    let _ = writeln!(
        out,
        "{} {} ({}): {} {}",
        st.bold("Directory session"),
        s.client,
        s.domain.as_deref().unwrap_or("domain unknown"),
        super::no_lookup::session_summary(s),
        st.dim(&format!("(frames {}–{})", s.frames.0, s.frames.1))
    );
    let shown: Vec<&Cause> = s
        .findings
        .iter()
        .filter(|f| f.severity != Severity::Info || f.code == "ldap.sealed")
        .collect();
    finding_lines(out, st, "Seen", &shown);
    out.push('\n');
}

/// The frames that carried the answer to a request: entries, references and the final result.
fn answer_frames(l: &LdapExchange) -> Vec<u64> {
    let entries = l.entries.iter().flat_map(|e| e.frames.iter().copied());
    let refs = l.references.iter().map(|r| r.1);
    let done = l.result.iter().flat_map(|r| r.frames.iter().copied());
    entries.chain(refs).chain(done).collect()
}

/// "1 entry", "3 entries".
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn scope_word(s: Scope) -> &'static str {
    match s {
        Scope::Base => "base",
        Scope::OneLevel => "one",
        Scope::Subtree => "sub",
        Scope::Other(_) => "?",
    }
}

fn search_recipe<'a>(out: &mut String, st: Style, l: &'a LdapExchange, ctx: &SearchContext<'a>) {
    let Some(recipes) = ctx.recipes(l) else {
        return;
    };
    let r = &recipes.ldp;
    let _ = writeln!(
        out,
        "  {}  server {}, port {}{}",
        st.bold("Connection > Connect"),
        r.server,
        r.port,
        if r.connectionless {
            ", Connectionless"
        } else {
            ""
        }
    );
    let _ = writeln!(out, "  {}     {}", st.bold("Connection > Bind"), r.bind);
    let _ = writeln!(
        out,
        "  {}      Base DN:    {}",
        st.bold("Browse > Search"),
        r.base_dn
    );
    let _ = writeln!(out, "                       Filter:     {}", r.filter);
    let _ = writeln!(out, "                       Scope:      {}", r.scope);
    let _ = writeln!(out, "                       Attributes: {}", r.attributes);
    if let Some(cmd) = &recipes.ldapsearch {
        let _ = writeln!(out, "  {} {cmd}", st.bold("ldapsearch:"));
    }
    if let Some(ps) = &recipes.powershell {
        let _ = writeln!(out, "  {}", st.bold("PowerShell:"));
        for line in ps.lines() {
            let _ = writeln!(out, "    {line}");
        }
    }
    let result = l
        .result
        .as_ref()
        .map(|r| format!("{} ({})", r.result.code, r.result.code.value()))
        .unwrap_or_else(|| "no response".into());
    let _ = writeln!(
        out,
        "  {} {}, {} {}",
        st.bold("Result:"),
        result,
        count(l.entries.len(), "entry", "entries"),
        st.dim(&format!(
            "(request frame {}, answer frames {})",
            frames_text(&l.frames),
            frames_text(&answer_frames(l))
        ))
    );
    for e in &l.entries {
        let _ = writeln!(out, "    >> Dn: {}", e.entry.dn);
        for (attr, values) in &e.entry.attributes {
            let vals: Vec<String> = values.iter().map(|v| value_text(v)).collect();
            let _ = writeln!(out, "       {attr}: {};", vals.join("; "));
        }
    }
    for (urls, frame) in &l.references {
        let _ = writeln!(out, "    reference (frame {frame}): {}", urls.join(" "));
    }
}

/// The whole text report.
/// Clients that broke the same way, said once each with a count (every chain follows too).
fn groups_text(out: &mut String, st: Style, a: &Analysis) {
    let groups = shared_failures(&a.chains);
    if groups.is_empty() {
        return;
    }
    let _ = writeln!(out, "{}", st.bold("Clients that failed the same way:"));
    for g in &groups {
        let server = g
            .server
            .as_deref()
            .map(|s| format!(" against {s}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {} clients broken at {}{server}: {}",
            g.count,
            g.stage.id(),
            st.red(&g.cause)
        );
        let _ = writeln!(
            out,
            "    first {} (frames {}), last {} (frames {})",
            g.first.client,
            frames_text(&g.first.frames),
            g.last.client,
            frames_text(&g.last.frames)
        );
        let _ = writeln!(out, "    fix: {}", g.remediation);
    }
    out.push('\n');
}

pub fn render(a: &Analysis, st: Style) -> String {
    let mut out = String::new();
    for input in &a.inputs {
        let _ = writeln!(
            out,
            "{} {} ({}, {} packets)",
            st.bold("Capture"),
            input.path,
            input.format,
            input.packets
        );
        for (frame, text) in &input.comments {
            let place = if *frame == 0 {
                "capture".to_string()
            } else {
                format!("frame {frame}")
            };
            let _ = writeln!(out, "  {} {text}", st.dim(&format!("comment ({place}):")));
        }
    }
    out.push('\n');
    if let Some(text) = super::no_lookup::no_lookup_text(a) {
        let _ = writeln!(out, "{text}\n");
    }
    groups_text(&mut out, st, a);
    for c in &a.chains {
        chain_text(&mut out, st, c, a);
    }
    for s in &a.directory_sessions {
        session_text(&mut out, st, s);
    }
    let ctx = SearchContext::new(&a.exchanges);
    let all = &a.exchanges.ldap;
    let (scp, other): (Vec<&LdapExchange>, Vec<&LdapExchange>) = all
        .iter()
        .filter(|l| matches!(l.request, LdapRequest::Search(_)))
        .partition(|l| matches!(&l.request, LdapRequest::Search(s) if is_scp_filter(&s.filter)));
    for l in &scp {
        let _ = writeln!(out, "{}", st.bold("SCP search, as ldp.exe would run it:"));
        search_recipe(&mut out, st, l, &ctx);
        out.push('\n');
    }
    if !other.is_empty() {
        let _ = writeln!(out, "{}", st.bold("Other LDAP searches:"));
        for l in other {
            let LdapRequest::Search(s) = &l.request else {
                continue;
            };
            let result = l
                .result
                .as_ref()
                .map(|r| r.result.code.to_string())
                .unwrap_or_else(|| "no response".into());
            let transport = if l.transport == Transport::Udp {
                "cldap"
            } else {
                "ldap"
            };
            let _ = writeln!(
                out,
                "  frame {:<5} {transport} {} base \"{}\" scope {} filter {} attrs {} → {result}, {}",
                l.frames.first().copied().unwrap_or_default(),
                l.server,
                s.base,
                scope_word(s.scope),
                s.filter,
                if s.attributes.is_empty() {
                    "(all)".to_string()
                } else {
                    s.attributes.join(",")
                },
                count(l.entries.len(), "entry", "entries")
            );
        }
        out.push('\n');
    }
    if !a.exchanges.dns.is_empty() {
        let _ = writeln!(out, "{}", st.bold("DNS lookups:"));
        for d in &a.exchanges.dns {
            let answer = match &d.response {
                None => st.red("no response"),
                Some(r) => {
                    let answers: Vec<String> = r
                        .answers
                        .iter()
                        .map(|a| crate::chain::dns_stage::answer_text(&a.data))
                        .collect();
                    format!("{} {} (frame {})", r.rcode, answers.join(", "), r.frame)
                }
            };
            let _ = writeln!(
                out,
                "  frame {:<5} {:<5} {} → {answer}",
                d.frame, d.qtype, d.name
            );
        }
        if a.exchanges.unrelated_dns > 0 {
            let n = a.exchanges.unrelated_dns;
            let _ = writeln!(
                out,
                "  {}",
                st.dim(&format!("(and {n} unrelated DNS lookups, not listed)"))
            );
        }
        out.push('\n');
    }
    let warnings: Vec<String> = a
        .inputs
        .iter()
        .flat_map(|i| i.warnings.iter().map(ToString::to_string))
        .chain(a.warnings.iter().map(|w| w.to_string()))
        .collect();
    if !warnings.is_empty() {
        let _ = writeln!(out, "{}", st.yellow("Warnings:"));
        for w in warnings {
            let _ = writeln!(out, "  {w}");
        }
    }
    out
}
