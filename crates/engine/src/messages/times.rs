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

/// The first frame of every record of `ex` (a query, a request, a connection, a message).
fn first_frames(ex: &super::Exchanges) -> impl Iterator<Item = u64> + '_ {
    ex.dns
        .iter()
        .map(|d| d.frame)
        .chain(ex.ldap.iter().filter_map(|l| l.frames.first().copied()))
        .chain(ex.tcp.iter().map(|c| c.first_frame))
        .chain(ex.kerberos.iter().map(|k| k.frame))
        .chain(ex.http.iter().map(|h| h.frame))
}

impl FrameTimes {
    /// For clients leaving the model (see `Collector::retire`): the times of the frames that
    /// `gone`'s records can name (those from its first record's frame to its last noted one),
    /// and this index pruned to what `kept` can still name (from its first record's frame on).
    pub fn split_for(&mut self, gone: &super::Exchanges, kept: &super::Exchanges) -> FrameTimes {
        let gone_from = first_frames(gone).min();
        let kept_from = first_frames(kept).min();
        let taken = match gone_from {
            Some(from) => {
                let at = self.times.partition_point(|(f, _)| *f < from);
                self.times.get(at..).unwrap_or_default().to_vec()
            }
            None => Vec::new(),
        };
        match kept_from {
            Some(from) => {
                let at = self.times.partition_point(|(f, _)| *f < from);
                self.times.drain(..at);
            }
            None => self.times.clear(),
        }
        FrameTimes { times: taken }
    }
}

impl super::Exchanges {
    /// Every frame of the model with its capture time: the messages' own times and
    /// [`Exchanges::times`](super::Exchanges::times), in one sorted index (built once, for
    /// renderers that stamp many events).
    pub fn frame_clock(&self) -> FrameTimes {
        let mut all: Vec<(u64, Nanos)> = self.times.times.clone();
        for d in &self.dns {
            all.push((d.frame, d.ts));
            all.extend(d.response.as_ref().map(|r| (r.frame, r.ts)));
        }
        for l in &self.ldap {
            all.extend(l.frames.first().map(|f| (*f, l.ts)));
            all.extend(
                l.result
                    .as_ref()
                    .and_then(|r| r.frames.last().map(|f| (*f, r.ts))),
            );
        }
        all.extend(self.tcp.iter().map(|c| (c.first_frame, c.ts)));
        all.extend(self.kerberos.iter().map(|k| (k.frame, k.ts)));
        all.sort_unstable();
        all.dedup_by_key(|(frame, _)| *frame);
        FrameTimes { times: all }
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
