//! Problems met while reading: counted by kind with the first frames that showed them, so a
//! report can say "12 malformed packets (ipv4: ...; first at frame 17)" instead of dropping them.

use std::collections::BTreeMap;

/// How many example frames are kept per kind of problem.
const EXAMPLE_FRAMES: usize = 5;

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
        let e = self.entries.entry((input, kind.into())).or_default();
        e.0 += 1;
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
}
