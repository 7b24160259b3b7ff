//! The capture time of every frame the model names where the model itself holds no time
//! (SYN-ACK, RST, FIN, SYN retransmissions, TLS records, HTTP messages, LDAP entries and
//! references), so each message can be shown at its own packet's time. Only frames the model
//! records are kept, so this grows with the model, not with the capture.

use crate::capture::Nanos;

/// Frame number → capture time, for the frames the model names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FrameTimes {
    /// Sorted by frame, one entry per frame.
    times: Vec<(u64, Nanos)>,
}

impl FrameTimes {
    /// Notes the capture time of `frame` (frames mostly come in order; a repeat keeps the first).
    pub fn note(&mut self, frame: u64, ts: Nanos) {
        match self.times.last() {
            Some((last, _)) if *last >= frame => {
                if let Err(i) = self.times.binary_search_by_key(&frame, |(f, _)| *f) {
                    self.times.insert(i, (frame, ts));
                }
            }
            _ => self.times.push((frame, ts)),
        }
    }

    /// The capture time of `frame`, when it was noted.
    pub fn get(&self, frame: u64) -> Option<Nanos> {
        self.times
            .binary_search_by_key(&frame, |(f, _)| *f)
            .ok()
            .and_then(|i| self.times.get(i))
            .map(|(_, ts)| *ts)
    }

    pub fn len(&self) -> usize {
        self.times.len()
    }

    pub fn is_empty(&self) -> bool {
        self.times.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::FrameTimes;

    #[test]
    fn keeps_frames_sorted_whatever_the_order_noted() {
        let mut t = FrameTimes::default();
        t.note(5, 50);
        t.note(9, 90);
        t.note(7, 70);
        t.note(7, 71);
        assert_eq!(
            (t.get(5), t.get(7), t.get(9), t.get(6)),
            (Some(50), Some(70), Some(90), None)
        );
        assert_eq!(t.len(), 3);
    }
}
