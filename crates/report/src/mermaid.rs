//! `--format mermaid`: each chain's sequence as a Mermaid `sequenceDiagram`, for wikis and
//! tickets that render Mermaid. One chain gives one bare diagram; several give Markdown, a
//! heading and a fenced `mermaid` block per chain. Text from the capture is escaped with
//! Mermaid's entity codes so that it cannot end a statement, open a comment or inject markup.

use std::fmt::Write;

use super::sequence::{Item, Mark, Sequence, frames_text, sequence};
use crate::analysis::Analysis;
use crate::chain::{Chain, ChainStatus};

/// Capture text made safe inside a Mermaid message, note or participant label: the characters
/// Mermaid reads as syntax (`;` `#` `%` `<` `>` `"` `&` `{` `}` `|` `` ` ``) become `#code;`
/// entities and line breaks become spaces.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '#' => out.push_str("#35;"),
            ';' => out.push_str("#59;"),
            '%' => out.push_str("#37;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '"' => out.push_str("#quot;"),
            '&' => out.push_str("#amp;"),
            '{' => out.push_str("#123;"),
            '}' => out.push_str("#125;"),
            '|' => out.push_str("#124;"),
            '`' => out.push_str("#96;"),
            '\\' => out.push_str("#92;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn id(i: usize) -> String {
    if i == 0 { "C".into() } else { format!("P{i}") }
}

/// One chain's diagram.
pub fn diagram(seq: &Sequence) -> String {
    let mut out = String::from("sequenceDiagram\n");
    for (i, p) in seq.parties.iter().enumerate() {
        let _ = writeln!(out, "    participant {} as {}", id(i), escape(&p.label()));
    }
    let span = match seq.parties.len() {
        0 | 1 => "C".to_string(),
        n => format!("C,{}", id(n - 1)),
    };
    // Failed messages sit on a red band (`rect`); consecutive ones share it.
    let mut open: Option<&str> = None;
    for item in &seq.items {
        if open.is_some()
            && !matches!(item, Item::Message(m) if matches!(m.mark, Mark::Break | Mark::Failed))
        {
            out.push_str("    end\n");
            open = None;
        }
        match item {
            Item::Stage(s) => {
                let _ = writeln!(out, "    Note over {span}: {}", escape(&s.title()));
            }
            Item::Message(m) => {
                let arrow = match (m.mark, m.reply) {
                    (Mark::Break | Mark::Failed, false) => "-x",
                    (Mark::Break | Mark::Failed, true) => "--x",
                    (_, false) => "->>",
                    (_, true) => "-->>",
                };
                let text = format!("[{}] {}", frames_text(&m.frames), m.label);
                let line = format!("{}{arrow}{}: {}", id(m.from), id(m.to), escape(&text));
                let band = match m.mark {
                    Mark::Break => Some("rgb(255, 205, 210)"),
                    Mark::Failed => Some("rgb(255, 235, 238)"),
                    _ => None,
                };
                if band != open {
                    if open.is_some() {
                        out.push_str("    end\n");
                    }
                    if let Some(colour) = band {
                        let _ = writeln!(out, "    rect {colour}");
                    }
                    open = band;
                }
                let indent = if open.is_some() { "        " } else { "    " };
                let _ = writeln!(out, "{indent}{line}");
            }
            Item::Note(n) => {
                let head = match n.mark {
                    Mark::Break => "✗ BROKEN HERE",
                    Mark::Failed => "✗",
                    _ => "ℹ",
                };
                let to =
                    n.to.max(n.from + 1)
                        .min(seq.parties.len().saturating_sub(1));
                let over = if to > n.from {
                    format!("{},{}", id(n.from), id(to))
                } else {
                    id(n.from)
                };
                let _ = writeln!(
                    out,
                    "    Note over {over}: {head} {}",
                    escape(&format!(
                        "{}: {} (frames {})",
                        n.code,
                        n.summary,
                        frames_text(&n.frames)
                    ))
                );
            }
        }
    }
    if open.is_some() {
        out.push_str("    end\n");
    }
    out
}

fn heading(c: &Chain) -> String {
    let verdict = match c.status {
        ChainStatus::Complete => "complete".to_string(),
        ChainStatus::Incomplete => "incomplete".to_string(),
        ChainStatus::Broken => format!("broken at {}", c.broken_at.map(|s| s.id()).unwrap_or("?")),
    };
    format!(
        "Client {} looking up {}: {verdict}",
        c.client,
        c.domain.as_deref().unwrap_or("(domain unknown)")
    )
}

/// The whole output: one diagram, or Markdown with one fenced diagram per chain.
pub fn render(a: &Analysis) -> String {
    let mut out = diagrams(a);
    // Passwords are only in the analysis when --show-secrets asked for them: as comments.
    for s in &a.secrets {
        let _ = writeln!(
            out,
            "%% --show-secrets: frame {} simple bind as {} with password {}",
            s.frame,
            escape(&s.name),
            escape(&s.password_text())
        );
    }
    out
}

fn diagrams(a: &Analysis) -> String {
    match a.chains.as_slice() {
        [] => "sequenceDiagram\n    participant C as capture\n    Note over C: No Autodiscover lookup found\n".to_string(),
        [one] => diagram(&sequence(a, one)),
        many => {
            let mut out = String::new();
            for c in many {
                let _ = writeln!(out, "## {}\n\n```mermaid", heading(c)
                    .replace('&', "&amp;")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;")
                    .replace('`', "'"));
                out.push_str(&diagram(&sequence(a, c)));
                out.push_str("```\n\n");
            }
            out
        }
    }
}
