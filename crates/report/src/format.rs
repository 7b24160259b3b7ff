//! Small formats every renderer shares: frame lists as people read them, the Wireshark display
//! filter for a set of frames, and HTML escaping. One place, so that the text report, the
//! pictures, the TUI and the JUnit file say the same thing the same way.

/// Frame numbers as people read them: ascending, each once, "52, 53, 54".
pub fn frames_text(frames: &[u64]) -> String {
    let mut f = frames.to_vec();
    f.sort_unstable();
    f.dedup();
    f.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
}

/// `frame.number in {1 2 3}`: paste into Wireshark's display filter bar.
pub fn wireshark_filter(frames: &[u64]) -> String {
    let mut f: Vec<u64> = frames.iter().copied().filter(|f| *f > 0).collect();
    f.sort_unstable();
    f.dedup();
    let list: Vec<String> = f.iter().map(u64::to_string).collect();
    format!("frame.number in {{{}}}", list.join(" "))
}

/// Text made safe for HTML and XML (element content and quoted attributes).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // XML 1.0 forbids most control characters even as references: show them as U+FFFD.
            c if c.is_control() && !matches!(c, '\n' | '\t' | '\r') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_sorted_once_and_the_filter_without_frame_zero() {
        assert_eq!(frames_text(&[3, 1, 3, 2]), "1, 2, 3");
        assert_eq!(wireshark_filter(&[0, 9, 7, 9]), "frame.number in {7 9}");
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
