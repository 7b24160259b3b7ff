//! One chain's sequence drawn as a standalone SVG: a lifeline per party, an arrow per message in
//! frame order with its frames in the left margin, stage bands, failures in red (the break
//! thicker, on a red band) and the findings as notes. Every text from the capture is escaped.
//! Each message is a `<g class="msg MARK" data-frames="...">` so tests and scripts can find it.

use std::fmt::Write;

use super::html::escape;
use super::sequence::{Item, Mark, Message, Note, Role, Sequence, frames_text, short_label};

const GUTTER: f64 = 92.0;
const COL: f64 = 176.0;
const TOP: f64 = 10.0;
const HEAD_H: f64 = 58.0;
const STAGE_H: f64 = 24.0;
const MSG_H: f64 = 30.0;
const CHAR_W: f64 = 6.7;
const NOTE_LINE_H: f64 = 15.0;
const NOTE_MAX_LINES: usize = 4;

const FONT: &str = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif";
const MONO: &str = "ui-monospace, 'SFMono-Regular', Menlo, Consolas, 'DejaVu Sans Mono', monospace";

fn x_of(i: usize) -> f64 {
    GUTTER + COL / 2.0 + i as f64 * COL
}

fn width(seq: &Sequence) -> f64 {
    (GUTTER + seq.parties.len().max(2) as f64 * COL + 12.0).max(720.0)
}

fn role_fill(r: Role) -> (&'static str, &'static str) {
    match r {
        Role::Client => ("#e3f2fd", "#1565c0"),
        Role::Dns => ("#ede7f6", "#5e35b1"),
        Role::Dc => ("#e8f5e9", "#2e7d32"),
        Role::Kdc => ("#fff8e1", "#ef6c00"),
        Role::Web => ("#fce4ec", "#ad1457"),
    }
}

fn mark_style(m: Mark) -> (&'static str, f64) {
    match m {
        Mark::Ok => ("#455a64", 1.4),
        Mark::Failed => ("#e53935", 2.0),
        Mark::Break => ("#c62828", 3.0),
        Mark::Sealed => ("#b26a00", 1.6),
    }
}

/// Greedy word wrap to `cols` characters a line, at most `max` lines (the last one cut with "…").
fn wrap(text: &str, cols: usize, max: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        let w = short_label(word, cols);
        if !cur.is_empty() && cur.chars().count() + 1 + w.chars().count() > cols {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(&w);
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    if lines.len() > max {
        lines.truncate(max);
        if let Some(last) = lines.last_mut() {
            *last = short_label(&format!("{last} …"), cols);
        }
    }
    lines
}

fn note_lines(seq: &Sequence, n: &Note) -> (f64, f64, Vec<String>) {
    let left = x_of(n.from) - COL / 2.0 + 8.0;
    let right = width(seq) - 10.0;
    // Bold text on the first line of the break note is wider: leave room for it.
    let cols = ((right - left - 20.0) / (CHAR_W * 1.12)).max(20.0) as usize;
    let head = match n.mark {
        Mark::Break => "✗ BROKEN HERE",
        Mark::Failed => "✗",
        _ => "ℹ",
    };
    let text = format!(
        "{head} {}: {} (frames {})",
        n.code,
        n.summary,
        frames_text(&n.frames)
    );
    (left, right, wrap(&text, cols, NOTE_MAX_LINES))
}

fn row_height(seq: &Sequence, item: &Item) -> f64 {
    match item {
        Item::Stage(_) => STAGE_H,
        Item::Message(_) => MSG_H,
        Item::Note(n) => note_lines(seq, n).2.len() as f64 * NOTE_LINE_H + 14.0,
    }
}

fn header(out: &mut String, seq: &Sequence) {
    for (i, p) in seq.parties.iter().enumerate() {
        let (fill, stroke) = role_fill(p.role);
        let x = x_of(i);
        let w = COL - 14.0;
        let cols = (w / (CHAR_W - 0.4)) as usize;
        let (name, ip) = match p.name.as_deref() {
            Some(n) => (short_label(n, cols), p.ip.to_string()),
            // No name: the address takes the name's line.
            None => (p.ip.to_string(), String::new()),
        };
        let _ = write!(
            out,
            r##"<g class="party"><title>{title}</title><rect x="{rx:.1}" y="{TOP:.1}" width="{w:.1}" height="{HEAD_H:.1}" rx="6" fill="{fill}" stroke="{stroke}" stroke-width="1.2"/><text x="{x:.1}" y="{y1:.1}" text-anchor="middle" font-weight="700" font-size="12" fill="{stroke}">{role}</text><text x="{x:.1}" y="{y2:.1}" text-anchor="middle" font-size="11.5" fill="#263238">{name}</text><text x="{x:.1}" y="{y3:.1}" text-anchor="middle" font-size="11" font-family="{MONO}" fill="#546e7a">{ip}</text></g>"##,
            title = escape(&p.label()),
            rx = x - w / 2.0,
            y1 = TOP + 17.0,
            y2 = TOP + 33.0,
            y3 = TOP + 49.0,
            role = escape(p.role.title()),
            name = escape(&name),
            ip = escape(&ip),
        );
        out.push('\n');
    }
}

fn message(out: &mut String, seq: &Sequence, m: &Message, y: f64) {
    let (color, stroke_w) = mark_style(m.mark);
    let w = width(seq);
    let (x1, x2) = (x_of(m.from), x_of(m.to));
    let frames = frames_text(&m.frames);
    let _ = write!(
        out,
        r#"<g class="msg {mark}" data-frames="{data}" data-stage="{stage}"><title>{title}</title>"#,
        mark = m.mark.id(),
        data = escape(
            &m.frames
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(" ")
        ),
        stage = m.stage.as_ref().map(|s| s.kind.id()).unwrap_or(""),
        title = escape(&format!("frames {frames}: {}", m.label)),
    );
    if m.mark == Mark::Break {
        let _ = write!(
            out,
            r##"<rect x="2" y="{:.1}" width="{:.1}" height="{MSG_H:.1}" fill="#ffebee"/>"##,
            y,
            w - 4.0
        );
    }
    let _ = write!(
        out,
        r##"<text x="{:.1}" y="{:.1}" font-size="11" font-family="{MONO}" fill="{}">{}</text>"##,
        8.0,
        y + 20.0,
        if m.mark == Mark::Ok { "#78909c" } else { color },
        escape(&short_label(&frames, 12)),
    );
    let line_y = y + 22.0;
    let dash = if m.reply || m.mark == Mark::Sealed {
        r#" stroke-dasharray="6,4""#
    } else {
        ""
    };
    if x1 == x2 {
        // A party talking to itself (same address in two roles): a small loop.
        let _ = write!(
            out,
            r#"<path d="M{x1:.1},{a:.1} h28 v10 h-26" fill="none" stroke="{color}" stroke-width="{stroke_w}"{dash}/>"#,
            a = line_y - 8.0,
        );
    } else {
        let dir = if x2 > x1 { 1.0 } else { -1.0 };
        let tip = x2 - dir * 1.0;
        let base = tip - dir * 9.0;
        let _ = write!(
            out,
            r#"<line x1="{x1:.1}" y1="{line_y:.1}" x2="{base:.1}" y2="{line_y:.1}" stroke="{color}" stroke-width="{stroke_w}"{dash}/><polygon points="{tip:.1},{line_y:.1} {base:.1},{a:.1} {base:.1},{b:.1}" fill="{color}"/>"#,
            a = line_y - 4.5,
            b = line_y + 4.5,
        );
        if matches!(m.mark, Mark::Break | Mark::Failed) {
            let _ = write!(
                out,
                r#"<text x="{:.1}" y="{:.1}" font-size="13" font-weight="700" text-anchor="middle" fill="{color}">✗</text>"#,
                x2 + dir * 11.0,
                line_y + 4.5,
            );
        }
    }
    let left = x1.min(x2) + 8.0;
    let cols = ((w - left - 8.0) / CHAR_W).max(12.0) as usize;
    let weight = if m.mark == Mark::Break {
        r#" font-weight="700""#
    } else {
        ""
    };
    let _ = write!(
        out,
        r##"<text x="{left:.1}" y="{:.1}" font-size="12"{weight} fill="{}">{}</text></g>"##,
        y + 15.0,
        if m.mark == Mark::Ok { "#263238" } else { color },
        escape(&short_label(&m.label, cols)),
    );
}

fn note(out: &mut String, seq: &Sequence, n: &Note, y: f64) {
    let (left, right, lines) = note_lines(seq, n);
    let (fill, stroke, ink) = match n.mark {
        Mark::Break => ("#ffcdd2", "#c62828", "#7f0000"),
        Mark::Failed => ("#ffebee", "#e57373", "#b71c1c"),
        _ => ("#fff3e0", "#ffb74d", "#6d4c00"),
    };
    let h = lines.len() as f64 * NOTE_LINE_H + 8.0;
    let _ = write!(
        out,
        r#"<g class="note {mark}" data-code="{code}"><rect x="{left:.1}" y="{y0:.1}" width="{w:.1}" height="{h:.1}" rx="4" fill="{fill}" stroke="{stroke}"/>"#,
        mark = n.mark.id(),
        code = escape(&n.code),
        y0 = y + 3.0,
        w = right - left,
    );
    for (i, l) in lines.iter().enumerate() {
        let weight = if i == 0 && n.mark == Mark::Break {
            r#" font-weight="700""#
        } else {
            ""
        };
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{:.1}" font-size="12"{weight} fill="{ink}">{}</text>"#,
            left + 10.0,
            y + 3.0 + 15.0 + i as f64 * NOTE_LINE_H,
            escape(l)
        );
    }
    out.push_str("</g>");
}

/// The SVG document (usable alone, or inline in HTML).
pub fn render(seq: &Sequence) -> String {
    let w = width(seq);
    let body_top = TOP + HEAD_H + 10.0;
    let h = body_top + seq.items.iter().map(|i| row_height(seq, i)).sum::<f64>() + 16.0;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0}" height="{h:.0}" viewBox="0 0 {w:.0} {h:.0}" font-family="{FONT}" role="img" aria-label="{label}">"#,
        label = escape(&format!(
            "Sequence of the Autodiscover lookup by {}",
            seq.client
        )),
    );
    out.push_str("\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
    for i in 0..seq.parties.len() {
        let _ = write!(
            out,
            r##"<line class="lifeline" x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}" stroke="#b0bec5" stroke-width="1.2" stroke-dasharray="4,4"/>"##,
            TOP + HEAD_H,
            h - 8.0,
            x = x_of(i),
        );
        out.push('\n');
    }
    header(&mut out, seq);
    let mut y = body_top;
    for item in &seq.items {
        match item {
            Item::Stage(s) => {
                let _ = write!(
                    out,
                    r##"<g class="stage" data-stage="{id}"><rect x="2" y="{y0:.1}" width="{rw:.1}" height="{sh:.1}" fill="#eceff1"/><text x="8" y="{ty:.1}" font-size="11.5" font-weight="700" fill="#37474f">{title}</text></g>"##,
                    id = s.kind.id(),
                    y0 = y + 2.0,
                    rw = w - 4.0,
                    sh = STAGE_H - 4.0,
                    ty = y + 17.0,
                    title = escape(&s.title()),
                );
            }
            Item::Message(m) => message(&mut out, seq, m, y),
            Item::Note(n) => note(&mut out, seq, n, y),
        }
        out.push('\n');
        y += row_height(seq, item);
    }
    out.push_str("</svg>\n");
    out
}
