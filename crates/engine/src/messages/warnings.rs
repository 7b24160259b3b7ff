//! Problems met while reading: counted by kind with the first frames that showed them, so a
//! report can say "12 × malformed packet: ipv4: header truncated (first at frame 17: ...)"
//! instead of dropping them.
//!
//! A typed error (the net layer's [`crate::net::NetError`]) is counted by its kind, which leaves
//! out the numbers the capture put in its text; a warning given as text alone (the decoders
//! above TCP/UDP, for now) is its own kind.

use std::collections::BTreeMap;

/// How many example frames are kept per kind of problem.
const EXAMPLE_FRAMES: usize = 5;

/// Most distinct kinds of problem kept. Text-only warnings can carry numbers from the capture
/// (offsets, lengths), so a hostile capture could otherwise make one entry per packet; past
/// this limit new kinds are counted under [`OVERFLOW_KIND`].
pub const MAX_WARNING_KINDS: usize = 256;

/// The kind that counts the problems of every kind past [`MAX_WARNING_KINDS`].
pub const OVERFLOW_KIND: &str = "other problems (too many kinds of warning to list)";

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WarningLog {
    /// (input index, kind) → what was seen of that kind
    entries: BTreeMap<(usize, String), Entry>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Entry {
    count: u64,
    frames: Vec<u64>,
    /// The text of the first warning of the kind.
    message: String,
    /// A later warning of the kind said something else.
    varied: bool,
}

/// One aggregated warning.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Warning {
    pub input: usize,
    /// What the warnings are counted by: the kind of a typed error (e.g. `malformed packet:
    /// ipv4: header truncated`), or the text of a warning given as text.
    pub kind: String,
    /// The first warning's text (e.g. `malformed packet: ipv4: header truncated (12 of 20
    /// bytes)`); the kind itself for a warning given as text.
    pub message: String,
    /// Whether later warnings of the kind said something else (other numbers, other fields).
    pub varied: bool,
    pub count: u64,
    pub frames: Vec<u64>,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.varied {
            write!(f, "{} × {}", self.count, self.message)?;
            if let Some(first) = self.frames.first() {
                write!(f, " (first at frame {first})")?;
            }
            return Ok(());
        }
        write!(f, "{} × {} (first", self.count, self.kind)?;
        if let Some(first) = self.frames.first() {
            write!(f, " at frame {first}")?;
        }
        write!(f, ": {})", self.message)
    }
}

impl WarningLog {
    /// Counts a warning given as text: the text is its kind.
    pub fn add(&mut self, input: usize, text: impl Into<String>, frame: u64) {
        let text = text.into();
        self.add_kind(input, text.clone(), text, frame);
    }

    /// Counts a warning of `kind` (no numbers from the capture in it) whose text is `message`.
    pub fn add_kind(&mut self, input: usize, kind: String, message: String, frame: u64) {
        let mut key = (input, kind);
        let mut message = message;
        if self.entries.len() >= MAX_WARNING_KINDS && !self.entries.contains_key(&key) {
            key.1 = OVERFLOW_KIND.to_string();
            message = OVERFLOW_KIND.to_string();
        }
        let e = self.entries.entry(key).or_default();
        if e.count == 0 {
            e.message = message;
        } else if e.message != message {
            e.varied = true;
        }
        e.count = e.count.saturating_add(1);
        if e.frames.len() < EXAMPLE_FRAMES {
            e.frames.push(frame);
        }
    }

    /// Counts `count` warnings given as `text`, which `frames` (the first few) showed: a warning
    /// that a caller tallied itself instead of adding one by one (a flood's per-packet warning).
    pub fn add_repeated(&mut self, input: usize, text: String, frames: &[u64], count: u64) {
        let Some((first, rest)) = frames.split_first() else {
            return;
        };
        self.add(input, text.clone(), *first);
        let key = (input, text);
        let key = if self.entries.contains_key(&key) {
            key
        } else {
            (input, OVERFLOW_KIND.to_string())
        };
        if let Some(e) = self.entries.get_mut(&key) {
            e.count = e.count.saturating_add(count.saturating_sub(1));
            for f in rest {
                if e.frames.len() < EXAMPLE_FRAMES {
                    e.frames.push(*f);
                }
            }
        }
    }

    pub fn warnings(&self) -> Vec<Warning> {
        self.entries
            .iter()
            .map(|((input, kind), e)| Warning {
                input: *input,
                kind: kind.clone(),
                message: e.message.clone(),
                varied: e.varied,
                count: e.count,
                frames: e.frames.clone(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_kind_and_keeps_first_frames() {
        let mut log = WarningLog::default();
        for f in 1..=7 {
            log.add(0, "ipv4: bad header", f);
        }
        log.add(1, "dns: short", 3);
        let w = log.warnings();
        assert_eq!(w.len(), 2);
        assert_eq!((w[0].count, w[0].frames.clone()), (7, vec![1, 2, 3, 4, 5]));
        assert_eq!(w[0].to_string(), "7 × ipv4: bad header (first at frame 1)");
        assert_eq!(w[1].input, 1);
    }

    #[test]
    fn distinct_kinds_are_bounded() {
        let mut log = WarningLog::default();
        for f in 0..10_000u64 {
            log.add(0, format!("ipv4: odd length {f}"), f);
        }
        let w = log.warnings();
        assert_eq!(w.len(), MAX_WARNING_KINDS + 1);
        let over = w.iter().find(|w| w.kind == OVERFLOW_KIND).unwrap();
        assert_eq!(over.count, 10_000 - MAX_WARNING_KINDS as u64);
        assert_eq!(
            over.to_string(),
            format!("{} × {OVERFLOW_KIND} (first at frame 256)", over.count)
        );
        assert_eq!(w.iter().map(|w| w.count).sum::<u64>(), 10_000);
    }

    #[test]
    fn typed_warnings_group_by_kind_whatever_their_numbers() {
        let mut log = WarningLog::default();
        for f in 0..10_000u64 {
            let kind = "malformed packet: ipv4: header truncated".to_string();
            log.add_kind(
                0,
                kind,
                format!(
                    "malformed packet: ipv4: header truncated ({} of 20 bytes)",
                    f % 20
                ),
                f + 1,
            );
        }
        let w = log.warnings();
        assert_eq!(
            w.len(),
            1,
            "one kind, however many lengths the capture showed"
        );
        assert_eq!(w[0].count, 10_000);
        assert!(w[0].varied);
        assert_eq!(
            w[0].to_string(),
            "10000 × malformed packet: ipv4: header truncated (first at frame 1: \
             malformed packet: ipv4: header truncated (0 of 20 bytes))"
        );
        let mut same = WarningLog::default();
        for f in 1..=2 {
            same.add_kind(
                0,
                "k".into(),
                "malformed packet: tcp: data offset 2 < 5".into(),
                f,
            );
        }
        assert_eq!(
            same.warnings()[0].to_string(),
            "2 × malformed packet: tcp: data offset 2 < 5 (first at frame 1)"
        );
    }
}
