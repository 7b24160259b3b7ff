//! Where each frame of a merged capture came from: for every merged frame number, the input
//! (file) it was read from and its frame number in that file, as Wireshark numbers it when the
//! file is opened alone. Kept as runs of consecutive frames from one input, so two captures
//! taken side by side cost a few bytes per switch between them, and nothing with one input.

/// A stretch of merged frames read one after another from one input, numbered one after
/// another there too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    /// The first merged frame number of the run.
    merged: u64,
    /// That frame's number in its own file.
    own: u64,
    /// How many frames the run holds.
    len: u64,
    input: usize,
}

/// The merged frame number → (input, frame number in that input) map of one merge. Empty for a
/// single input: its frames keep their own numbers, so there is nothing to translate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FrameOrigins {
    runs: Vec<Run>,
}

impl FrameOrigins {
    /// Notes that merged frame `merged` is frame `own` of input `input`. Frames must come in
    /// merged order (as the merge emits them).
    pub fn record(&mut self, merged: u64, input: usize, own: u64) {
        if let Some(last) = self.runs.last_mut()
            && last.input == input
            && last.merged.checked_add(last.len) == Some(merged)
            && last.own.checked_add(last.len) == Some(own)
        {
            last.len = last.len.saturating_add(1);
            return;
        }
        self.runs.push(Run {
            merged,
            own,
            len: 1,
            input,
        });
    }

    /// Whether anything was recorded (false for a single input).
    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }

    /// The input of merged frame `merged` and its number there; None when nothing was recorded
    /// for it (a single input, where the numbers are the file's own, or frame 0).
    pub fn locate(&self, merged: u64) -> Option<(usize, u64)> {
        let i = self.runs.partition_point(|r| r.merged <= merged);
        let run = self.runs.get(i.checked_sub(1)?)?;
        let into = merged.checked_sub(run.merged)?;
        (into < run.len).then(|| (run.input, run.own.saturating_add(into)))
    }
}

#[cfg(test)]
mod tests {
    use super::FrameOrigins;

    #[test]
    fn runs_translate_merged_numbers_back_to_each_file() {
        let mut o = FrameOrigins::default();
        // a.pcap 1, 2; b.pcap 1; a.pcap 3; b.pcap 2, 3
        for (m, input, own) in [
            (1, 0, 1),
            (2, 0, 2),
            (3, 1, 1),
            (4, 0, 3),
            (5, 1, 2),
            (6, 1, 3),
        ] {
            o.record(m, input, own);
        }
        assert_eq!(o.runs.len(), 4);
        assert_eq!(o.locate(2), Some((0, 2)));
        assert_eq!(o.locate(3), Some((1, 1)));
        assert_eq!(o.locate(4), Some((0, 3)));
        assert_eq!(o.locate(6), Some((1, 3)));
        assert_eq!(o.locate(7), None);
        assert_eq!(o.locate(0), None);
        assert_eq!(FrameOrigins::default().locate(1), None);
    }
}
