//! Problems met while reading: counted by kind with the first frames that showed them, so a
//! report can say "12 malformed packets (ipv4: ...; first at frame 17)" instead of dropping them.

use std::collections::BTreeMap;

/// How many example frames are kept per kind of problem.
const EXAMPLE_FRAMES: usize = 5;

/// Most distinct kinds of problem kept. Reasons can carry numbers from the capture (offsets,
/// lengths), so a hostile capture could otherwise make one entry per packet; past this limit
/// new kinds are counted under [`OVERFLOW_KIND`].
pub const MAX_WARNING_KINDS: usize = 256;

/// The kind that counts the problems of every kind past [`MAX_WARNING_KINDS`].
pub const OVERFLOW_KIND: &str = "other problems (too many kinds of warning to list)";

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WarningLog {
    /// (input index, kind) → (count, first frames)
    entries: BTreeMap<(usize, String), (u64, Vec<u64>)>,
}

/// One aggregated warning.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Warning {
    pub input: usize,
    pub kind: String,
    pub count: u64,
    pub frames: Vec<u64>,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} × {}", self.count, self.kind)?;
        if let Some(first) = self.frames.first() {
            write!(f, " (first at frame {first})")?;
        }
        Ok(())
    }
}

impl WarningLog {
    pub fn add(&mut self, input: usize, kind: impl Into<String>, frame: u64) {
        let mut key = (input, kind.into());
        if self.entries.len() >= MAX_WARNING_KINDS && !self.entries.contains_key(&key) {
            key.1 = OVERFLOW_KIND.to_string();
        }
        let e = self.entries.entry(key).or_default();
        e.0 = e.0.saturating_add(1);
        if e.1.len() < EXAMPLE_FRAMES {
            e.1.push(frame);
        }
    }

    pub fn warnings(&self) -> Vec<Warning> {
        self.entries
            .iter()
            .map(|((input, kind), (count, frames))| Warning {
                input: *input,
                kind: kind.clone(),
                count: *count,
                frames: frames.clone(),
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
        assert_eq!(w.iter().map(|w| w.count).sum::<u64>(), 10_000);
    }
}
