//! `--html FILE`: one self-contained HTML page (inline CSS and SVG, no script, nothing fetched)
//! with, per chain, the verdict, cause and fix at the top, the stages, the sequence diagram,
//! the other findings, the hosts tried, each search as an ldp.exe recipe and the DNS lookups,
//! frame numbers everywhere. The markup is also well-formed XML (XHTML syntax), and every text
//! from the capture goes through [`escape`].

use std::fmt::Write;

use super::searches::{SearchContext, value_text};
use super::sequence::{frames_text, sequence};
use super::svg;
use super::text::{CAUSES_DOC, wireshark_filter};
use crate::analysis::Analysis;
use crate::chain::directory::is_scp_filter;
use crate::chain::{Cause, Chain, ChainStatus, Severity, StageKind, StageStatus};
use crate::messages::{DnsExchange, LdapExchange, LdapRequest};
use crate::proto::dns::Rcode;

pub use crate::format::escape;

const CSS: &str = r#"
:root { --ok: #2e7d32; --bad: #c62828; --warn: #b26a00; --dim: #78909c; --ink: #263238; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif; color: var(--ink); background: #f4f6f8; }
main { max-width: 1280px; margin: 0 auto; padding: 20px 24px 40px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 0 0 12px; }
h3 { font-size: 15px; margin: 24px 0 8px; color: #37474f; text-transform: uppercase; letter-spacing: .04em; }
code, pre, .mono { font-family: ui-monospace, 'SFMono-Regular', Menlo, Consolas, 'DejaVu Sans Mono', monospace; font-size: 12.5px; }
pre { background: #263238; color: #eceff1; padding: 10px 12px; border-radius: 6px; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
.inputs { color: var(--dim); margin: 0 0 16px; }
nav ul { margin: 4px 0 16px; padding-left: 20px; }
section.chain { background: #fff; border-radius: 10px; padding: 20px 22px; margin: 18px 0; box-shadow: 0 1px 3px rgba(0,0,0,.12); }
.verdict { border-radius: 8px; padding: 14px 18px; margin-bottom: 8px; border-left: 8px solid; }
.verdict.broken { background: #ffebee; border-color: var(--bad); }
.verdict.complete { background: #e8f5e9; border-color: var(--ok); }
.verdict.incomplete { background: #fff8e1; border-color: var(--warn); }
.verdict .headline { font-size: 20px; font-weight: 700; margin: 0 0 6px; }
.verdict.broken .headline { color: var(--bad); }
.verdict.complete .headline { color: var(--ok); }
.verdict.incomplete .headline { color: var(--warn); }
.verdict p { margin: 6px 0; }
.fix { background: #fff; border-radius: 6px; padding: 8px 12px; border: 1px solid #e0e0e0; }
.code { display: inline-block; background: #37474f; color: #fff; border-radius: 4px; padding: 0 6px; font-family: ui-monospace, Menlo, Consolas, 'DejaVu Sans Mono', monospace; font-size: 12.5px; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px; border-bottom: 1px solid #e6e9ec; }
th { background: #eceff1; font-weight: 600; font-size: 13px; }
td.frames { font-family: ui-monospace, Menlo, Consolas, 'DejaVu Sans Mono', monospace; font-size: 12px; color: #546e7a; white-space: nowrap; }
tr.failed td { background: #ffebee; }
tr.failed td.status { color: var(--bad); font-weight: 700; }
tr.ok td.status { color: var(--ok); font-weight: 600; }
tr.sealed td.status { color: var(--warn); font-weight: 600; }
tr.not_seen td { color: #90a4ae; }
.detail { margin: 0; padding: 0; list-style: none; font-size: 13px; }
.detail b { color: #546e7a; font-weight: 600; }
.diagram { overflow-x: auto; border: 1px solid #e0e0e0; border-radius: 8px; background: #fff; }
.diagram svg { display: block; }
.finding { border-left: 4px solid #e57373; padding: 4px 12px; margin: 8px 0; background: #fffafa; }
.recipe { border: 1px solid #e0e0e0; border-radius: 8px; padding: 10px 14px; margin: 10px 0; }
.recipe h4 { margin: 0 0 8px; font-size: 14px; }
.recipe table th { width: 210px; }
.mark-ok { color: var(--ok); } .mark-failed { color: var(--bad); font-weight: 700; } .mark-sealed { color: var(--warn); } .mark-not_seen { color: #b0bec5; }
.entries { font-size: 13px; }
footer { color: var(--dim); font-size: 12px; margin-top: 24px; }
"#;

fn status_mark(s: StageStatus) -> &'static str {
    s.glyph()
}

fn status_word(s: StageStatus) -> &'static str {
    s.label()
}

fn headline(c: &Chain) -> String {
    match c.status {
        ChainStatus::Complete => "COMPLETE: HTTPS reached".to_string(),
        ChainStatus::Incomplete => {
            "INCOMPLETE: the capture ends before HTTPS or a failure".to_string()
        }
        ChainStatus::Broken => match c.broken_at {
            Some(s) => format!("BROKEN at {}: {}", s.id(), s.title()),
            None => "BROKEN".to_string(),
        },
    }
}

fn cause_anchor(c: &Cause) -> String {
    c.code.split('.').take(2).collect::<Vec<_>>().join("-")
}

fn cause_body(out: &mut String, c: &Cause, a: &Analysis) {
    let _ = write!(
        out,
        r#"<p><span class="code">{}</span> {}</p>"#,
        escape(&c.code),
        escape(&c.summary)
    );
    if !c.remediation.is_empty() {
        let _ = write!(
            out,
            r#"<p class="fix"><b>Fix:</b> {}</p>"#,
            escape(&c.remediation)
        );
    }
    if !c.frames.is_empty() {
        let _ = write!(
            out,
            r#"<p><b>Evidence:</b> frames <span class="mono">{}</span> — Wireshark filter <code>{}</code></p>"#,
            escape(&frames_text(&c.frames)),
            escape(&wireshark_filter(&c.frames))
        );
        // Several inputs: the numbers above are the merge's; where they are in each file.
        if super::frames::several(a) {
            let _ = write!(
                out,
                r#"<p class="files"><b>In the files:</b> <span class="mono">{}</span> (the numbers above are the merge's: <span class="mono">mergecap -w all.pcapng FILES</span>)</p><ul class="files">"#,
                escape(&super::frames::in_files_text(a, &c.frames))
            );
            for (file, filter) in super::frames::file_filters(a, &c.frames) {
                let _ = write!(
                    out,
                    r#"<li>{}: <code>{}</code></li>"#,
                    escape(&file),
                    escape(&filter)
                );
            }
            out.push_str("</ul>");
        }
    }
    let _ = write!(
        out,
        r#"<p class="more">More: <span class="mono">{}#{}</span></p>"#,
        CAUSES_DOC,
        escape(&cause_anchor(c))
    );
}

fn detail_list(out: &mut String, detail: &[(&'static str, String)]) {
    if detail.is_empty() {
        return;
    }
    out.push_str(r#"<ul class="detail">"#);
    for (k, v) in detail {
        let _ = write!(out, "<li><b>{}:</b> {}</li>", escape(k), escape(v));
    }
    out.push_str("</ul>");
}

fn stages_table(out: &mut String, c: &Chain) {
    out.push_str("<h3>Stages</h3><table class=\"stages\"><thead><tr><th>#</th><th>Stage</th><th>Status</th><th>Frames</th><th>What the capture shows</th></tr></thead><tbody>");
    for (i, s) in c.stages.iter().enumerate() {
        let _ = write!(
            out,
            r#"<tr class="{cls}" data-stage="{id}"><td>{n}</td><td><b>{title}</b><br/><span class="mono">{id}</span></td><td class="status">{mark} {word}</td><td class="frames">{frames}</td><td>"#,
            cls = s.status.id(),
            id = s.kind.id(),
            n = i + 1,
            title = escape(s.kind.title()),
            mark = status_mark(s.status),
            word = status_word(s.status),
            frames = escape(&frames_text(&s.frames)),
        );
        detail_list(out, &s.detail);
        if let Some(cause) = &s.cause {
            let _ = write!(
                out,
                r#"<p><span class="code">{}</span> {}</p>"#,
                escape(&cause.code),
                escape(&cause.summary)
            );
        }
        out.push_str("</td></tr>");
    }
    out.push_str("</tbody></table>");
}

fn attempts_table(out: &mut String, c: &Chain) {
    if c.attempts.is_empty() {
        return;
    }
    out.push_str("<h3>Autodiscover hosts tried, in EWS order</h3><table><thead><tr><th>Host</th><th>From</th>");
    for k in [
        StageKind::ScpUrlDns,
        StageKind::HttpsConnect,
        StageKind::TlsHandshake,
        StageKind::Https,
    ] {
        let _ = write!(out, "<th>{}</th>", escape(k.title()));
    }
    out.push_str("</tr></thead><tbody>");
    for a in &c.attempts {
        let _ = write!(
            out,
            "<tr><td><b>{}</b></td><td>{}</td>",
            escape(&a.host),
            escape(a.origin.title())
        );
        for s in &a.stages {
            let _ = write!(
                out,
                r#"<td><span class="mark-{}">{} {}</span>{}</td>"#,
                s.status.id(),
                status_mark(s.status),
                status_word(s.status),
                if s.frames.is_empty() {
                    String::new()
                } else {
                    format!(
                        r#"<br/><span class="frames mono">frames {}</span>"#,
                        escape(&frames_text(&s.frames))
                    )
                }
            );
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
}

fn search_recipe<'a>(out: &mut String, l: &'a LdapExchange, ctx: &SearchContext<'a>) {
    let Some(recipes) = ctx.recipes(l) else {
        return;
    };
    let (s, r) = (recipes.search, &recipes.ldp);
    let udp = recipes.connectionless;
    let what = if is_scp_filter(&s.filter) {
        "SCP search"
    } else if udp {
        "CLDAP search"
    } else {
        "LDAP search"
    };
    let _ = write!(
        out,
        r#"<div class="recipe"><h4>{what}, frames <span class="mono">{}</span> — as ldp.exe would run it</h4><table>"#,
        escape(&frames_text(&l.frames))
    );
    let rows = [
        (
            "Connection &gt; Connect",
            format!(
                "server {}, port {}{}",
                r.server,
                r.port,
                if r.connectionless {
                    ", tick Connectionless"
                } else {
                    ""
                }
            ),
        ),
        ("Connection &gt; Bind", r.bind.clone()),
        ("Browse &gt; Search: Base DN", r.base_dn.clone()),
        ("Filter", r.filter.clone()),
        ("Scope", r.scope.to_string()),
        ("Attributes", r.attributes.clone()),
    ];
    for (k, v) in rows {
        let _ = write!(
            out,
            r#"<tr><th>{k}</th><td class="mono">{}</td></tr>"#,
            escape(&v)
        );
    }
    let result = l
        .result
        .as_ref()
        .map(|r| {
            format!(
                "{} ({}), frame {}",
                r.result.code,
                r.result.code.value(),
                frames_text(&r.frames)
            )
        })
        .unwrap_or_else(|| "no response".into());
    let _ = write!(
        out,
        "<tr><th>Result</th><td>{}, {} entr{}</td></tr></table>",
        escape(&result),
        l.entries.len(),
        if l.entries.len() == 1 { "y" } else { "ies" }
    );
    if let (Some(cmd), Some(ps)) = (&recipes.ldapsearch, &recipes.powershell) {
        let _ = write!(
            out,
            "<p><b>ldapsearch:</b></p><pre>{}</pre><p><b>PowerShell:</b></p><pre>{}</pre>",
            escape(cmd),
            escape(ps.trim_end())
        );
    }
    if !l.entries.is_empty() || !l.references.is_empty() {
        out.push_str(r#"<div class="entries"><pre>"#);
        for e in &l.entries {
            let _ = writeln!(
                out,
                ">> Dn: {}   (frames {})",
                escape(&e.entry.dn),
                escape(&frames_text(&e.frames))
            );
            for (attr, values) in &e.entry.attributes {
                let vals: Vec<String> = values.iter().map(|v| value_text(v)).collect();
                let _ = writeln!(out, "   {}: {};", escape(attr), escape(&vals.join("; ")));
            }
        }
        for (urls, frame) in &l.references {
            let _ = writeln!(
                out,
                "reference (frame {frame}): {}",
                escape(&urls.join(" "))
            );
        }
        out.push_str("</pre></div>");
    }
    out.push_str("</div>");
}

fn dns_table(out: &mut String, dns: &[&DnsExchange]) {
    if dns.is_empty() {
        return;
    }
    out.push_str("<h3>DNS lookups</h3><table class=\"dns\"><thead><tr><th>Frame</th><th>Type</th><th>Name</th><th>Server</th><th>Result</th><th>Answers</th><th>Response frame</th></tr></thead><tbody>");
    for d in dns {
        let (cls, rcode, answers, resp) = match &d.response {
            None => (
                "failed",
                "no response".to_string(),
                String::new(),
                String::new(),
            ),
            Some(r) => (
                if r.rcode == Rcode::NoError {
                    "ok"
                } else {
                    "failed"
                },
                r.rcode.to_string(),
                r.answers
                    .iter()
                    .map(|a| crate::chain::dns_stage::answer_text(&a.data))
                    .collect::<Vec<_>>()
                    .join(", "),
                r.frame.to_string(),
            ),
        };
        let mut frames = d.frame.to_string();
        if !d.retries.is_empty() {
            frames.push_str(&format!(" (retries {})", frames_text(&d.retries)));
        }
        let _ = write!(
            out,
            r#"<tr class="{cls}"><td class="frames">{}</td><td>{}</td><td class="mono">{}</td><td class="mono">{}</td><td class="status">{}</td><td class="mono">{}</td><td class="frames">{}</td></tr>"#,
            escape(&frames),
            escape(&d.qtype),
            escape(&d.name),
            escape(&d.server.to_string()),
            escape(&rcode),
            escape(&answers),
            escape(&resp),
        );
    }
    out.push_str("</tbody></table>");
}

fn chain_section<'a>(
    out: &mut String,
    a: &'a Analysis,
    ctx: &SearchContext<'a>,
    c: &Chain,
    n: usize,
) {
    let status = c.status.id();
    let _ = write!(
        out,
        r#"<section class="chain" id="chain-{n}" data-status="{status}"><h2>Client {} looking up {}</h2><div class="verdict {status}"><p class="headline">{}</p>"#,
        escape(&c.client.to_string()),
        escape(c.domain.as_deref().unwrap_or("(domain unknown)")),
        escape(&headline(c)),
    );
    if let Some(cause) = &c.cause {
        cause_body(out, cause, a);
    } else if c.status == ChainStatus::Complete {
        out.push_str("<p>The client found an Autodiscover URL and got an HTTPS answer.</p>");
    }
    out.push_str("</div>");

    stages_table(out, c);

    out.push_str("<h3>Sequence</h3><p class=\"legend\">One lifeline per party, one arrow per message in capture order, frame numbers on the left. <span class=\"mark-failed\">Red</span>: the evidence of a failure (thick, on a red band: where the chain broke); dashed: an answer; <span class=\"mark-sealed\">amber</span>: sealed LDAP.</p><div class=\"diagram\">");
    out.push_str(&svg::render(&sequence(a, c)));
    out.push_str("</div>");

    let others: Vec<&Cause> = c
        .findings
        .iter()
        .filter(|f| Some(*f) != c.cause.as_ref())
        .collect();
    if !others.is_empty() {
        out.push_str("<h3>Other findings</h3>");
        for f in others {
            out.push_str(r#"<div class="finding">"#);
            cause_body(out, f, a);
            out.push_str("</div>");
        }
    }

    attempts_table(out, c);

    let all = &a.exchanges.ldap;
    let mut searches: Vec<&LdapExchange> = all
        .iter()
        .filter(|l| l.client.ip == c.client && matches!(l.request, LdapRequest::Search(_)))
        .collect();
    // The SCP search first: it is the one the blog post reproduces with ldp.
    searches
        .sort_by_key(|l| !matches!(&l.request, LdapRequest::Search(s) if is_scp_filter(&s.filter)));
    if !searches.is_empty() {
        out.push_str("<h3>LDAP searches, to repeat with ldp.exe</h3>");
        for l in searches {
            search_recipe(out, l, ctx);
        }
    }
    let dns: Vec<&DnsExchange> = a
        .exchanges
        .dns
        .iter()
        .filter(|d| d.client.ip == c.client)
        .collect();
    dns_table(out, &dns);
    out.push_str("</section>");
}

fn page_title(a: &Analysis) -> String {
    match a.chains.as_slice() {
        [] => "capdiag: no Autodiscover lookup found".to_string(),
        [c] => format!("capdiag: {} — {}", c.client, headline(c)),
        many => format!(
            "capdiag: {} clients, {} broken",
            many.len(),
            many.iter()
                .filter(|c| c.status == ChainStatus::Broken)
                .count()
        ),
    }
}

/// The whole page.
/// Clients broken the same way, once each with a count (every chain's section follows).
fn groups_section(out: &mut String, a: &Analysis) {
    let groups = crate::chain::groups::shared_failures(&a.chains);
    if groups.is_empty() {
        return;
    }
    out.push_str("<section class=\"groups\"><h2>Clients that failed the same way</h2><ul>");
    for g in &groups {
        let server = g
            .server
            .as_deref()
            .map(|s| format!(" against <span class=\"mono\">{}</span>", escape(s)))
            .unwrap_or_default();
        let _ = write!(
            out,
            "<li><b>{} clients</b> broken at {}{server}: <span class=\"mono\">{}</span><br/>first {} (frames {}), last {} (frames {})<br/>Fix: {}</li>",
            g.count,
            escape(g.stage.id()),
            escape(&g.cause),
            escape(&g.first.client.to_string()),
            escape(&frames_text(&g.first.frames)),
            escape(&g.last.client.to_string()),
            escape(&frames_text(&g.last.frames)),
            escape(&g.remediation)
        );
    }
    out.push_str("</ul></section>");
}

pub fn render(a: &Analysis) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/><title>{}</title><style>{CSS}</style></head><body><main>",
        escape(&page_title(a))
    );
    out.push_str("<h1>Exchange Autodiscover lookup: where it broke</h1><p class=\"inputs\">");
    for (i, input) in a.inputs.iter().enumerate() {
        if i > 0 {
            out.push_str("<br/>");
        }
        let _ = write!(
            out,
            "Capture <span class=\"mono\">{}</span> ({}, {} packets)",
            escape(&input.path),
            escape(&input.format),
            input.packets
        );
    }
    out.push_str("</p>");
    groups_section(&mut out, a);
    if a.chains.len() > 1 {
        out.push_str("<nav><b>Clients:</b><ul>");
        for (i, c) in a.chains.iter().enumerate() {
            let _ = write!(
                out,
                "<li><a href=\"#chain-{}\">{}</a>: {}</li>",
                i + 1,
                escape(&c.client.to_string()),
                escape(&headline(c))
            );
        }
        out.push_str("</ul></nav>");
    }
    if a.chains.is_empty() {
        let text = super::no_lookup::no_lookup_text(a).unwrap_or_default();
        let _ = write!(
            out,
            "<section class=\"chain\"><h2>No Autodiscover lookup found</h2><p>{}</p>",
            escape(text.trim_start_matches("No Autodiscover lookup found: "))
        );
        let dns: Vec<&DnsExchange> = a.exchanges.dns.iter().collect();
        dns_table(&mut out, &dns);
        out.push_str("</section>");
    }
    let ctx = SearchContext::new(&a.exchanges);
    for (i, c) in a.chains.iter().enumerate() {
        chain_section(&mut out, a, &ctx, c, i + 1);
    }
    for s in &a.directory_sessions {
        let _ = write!(
            out,
            "<section class=\"chain\"><h2>Directory session {} ({}): no Autodiscover lookup</h2><p>{} <span class=\"legend\">(frames {}–{})</span></p>",
            escape(&s.client.to_string()),
            escape(s.domain.as_deref().unwrap_or("domain unknown")),
            escape(&super::no_lookup::session_summary(s)),
            s.frames.0,
            s.frames.1
        );
        for f in s
            .findings
            .iter()
            .filter(|f| f.severity != Severity::Info || f.code == "ldap.sealed")
        {
            out.push_str(r#"<div class="finding">"#);
            cause_body(&mut out, f, a);
            out.push_str("</div>");
        }
        out.push_str("</section>");
    }
    let warnings: Vec<String> = a
        .inputs
        .iter()
        .flat_map(|i| i.warnings.iter().map(ToString::to_string))
        .chain(a.warnings.iter().map(|w| w.to_string()))
        .collect();
    if !warnings.is_empty() {
        out.push_str("<section class=\"chain\"><h3>Warnings</h3><ul>");
        for w in warnings {
            let _ = write!(out, "<li>{}</li>", escape(&w));
        }
        out.push_str("</ul></section>");
    }
    // Passwords are only in the analysis when --show-secrets asked for them.
    if !a.secrets.is_empty() {
        out.push_str(
            "<section class=\"warnings\"><h2>Secrets (shown because of --show-secrets)</h2><ul>",
        );
        for s in &a.secrets {
            let _ = write!(
                out,
                "<li>frame {}: simple bind as {} with password <span class=\"mono\">{}</span></li>",
                s.frame,
                escape(&s.name),
                escape(&s.password_text())
            );
        }
        out.push_str("</ul></section>");
    }
    let _ = writeln!(
        out,
        "<footer>Written by capdiag {}. Frame numbers are Wireshark's (with several captures: those of <span class=\"mono\">mergecap -w all.pcapng FILES</span>). This page loads nothing from the network.</footer></main></body></html>",
        env!("CARGO_PKG_VERSION")
    );
    out
}
