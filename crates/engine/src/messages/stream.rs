//! One direction of a TCP stream waiting to be cut into messages, remembering which frame carried
//! which bytes so every message can name its frames.

use crate::proto::framing::Framing;

/// A whole message cut from the stream, with the frames that carried its bytes.
pub type Message = (Vec<u8>, Vec<u64>);

/// Bytes not yet consumed, with the frame that carried each run of them.
#[derive(Debug, Default, Clone)]
pub struct StreamBuf {
    bytes: Vec<u8>,
    /// (offset in `bytes` where the run starts, frame), ascending.
    marks: Vec<(usize, u64)>,
}

/// Largest number of bytes kept waiting for one message; past it the direction is abandoned.
pub const MAX_PENDING_MESSAGE: usize = 16 * 1024 * 1024;

impl StreamBuf {
    pub fn push(&mut self, data: &[u8], frame: u64) {
        if data.is_empty() {
            return;
        }
        if self.marks.last().map(|m| m.1) != Some(frame) {
            self.marks.push((self.bytes.len(), frame));
        }
        self.bytes.extend_from_slice(data);
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn clear(&mut self) {
        self.bytes.clear();
        self.marks.clear();
    }

    /// Cuts the next message with `framing`: Ok(Some((message, frames))) when whole,
    /// Ok(None) when more bytes are needed, Err(reason) when the bytes cannot be framed.
    pub fn next_message(
        &mut self,
        framing: impl Fn(&[u8]) -> Framing,
    ) -> Result<Option<Message>, String> {
        if self.bytes.is_empty() {
            return Ok(None);
        }
        match framing(&self.bytes) {
            Framing::Incomplete if self.bytes.len() > MAX_PENDING_MESSAGE => {
                Err(format!("message larger than {MAX_PENDING_MESSAGE} bytes"))
            }
            Framing::Incomplete => Ok(None),
            Framing::Invalid(reason) => Err(reason),
            Framing::Complete(n) => {
                let n = n.min(self.bytes.len());
                let frames = self
                    .marks
                    .iter()
                    .filter(|(start, _)| *start < n)
                    .map(|(_, f)| *f)
                    .collect();
                let msg: Vec<u8> = self.bytes.drain(..n).collect();
                if self.bytes.is_empty() {
                    self.marks.clear();
                } else {
                    // The run holding the first remaining byte starts at or before the cut.
                    let first = self.marks.iter().rposition(|(s, _)| *s <= n).unwrap_or(0);
                    self.marks.drain(..first);
                    for m in &mut self.marks {
                        m.0 = m.0.saturating_sub(n);
                    }
                }
                Ok(Some((msg, frames)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_byte_len(buf: &[u8]) -> Framing {
        match buf.first() {
            Some(&n) if buf.len() > usize::from(n) => Framing::Complete(usize::from(n) + 1),
            Some(_) => Framing::Incomplete,
            None => Framing::Incomplete,
        }
    }

    #[test]
    fn message_spanning_frames_names_both_and_next_keeps_the_straddling_frame() {
        let mut s = StreamBuf::default();
        s.push(&[3, b'a'], 10);
        assert_eq!(s.next_message(two_byte_len).unwrap(), None);
        s.push(&[b'b', b'c', 1, b'x', 2], 11);
        let (m, f) = s.next_message(two_byte_len).unwrap().unwrap();
        assert_eq!((m, f), (vec![3, b'a', b'b', b'c'], vec![10, 11]));
        let (m, f) = s.next_message(two_byte_len).unwrap().unwrap();
        assert_eq!((m, f), (vec![1, b'x'], vec![11]));
        s.push(b"yz", 12);
        let (m, f) = s.next_message(two_byte_len).unwrap().unwrap();
        assert_eq!((m, f), (vec![2, b'y', b'z'], vec![11, 12]));
        assert!(s.is_empty());
    }

    #[test]
    fn several_messages_in_one_frame() {
        let mut s = StreamBuf::default();
        s.push(&[1, b'a', 1, b'b'], 5);
        assert_eq!(s.next_message(two_byte_len).unwrap().unwrap().1, vec![5]);
        assert_eq!(
            s.next_message(two_byte_len).unwrap().unwrap(),
            (vec![1, b'b'], vec![5])
        );
    }
}
