//! A bounded read buffer over a byte stream: hands out whole records without ever holding more
//! than the largest record plus one read chunk, whatever the size of the file.

use std::io::{ErrorKind, Read};

/// Size the buffer starts at and the minimum it reads ahead.
pub const READ_CHUNK_BYTES: usize = 64 * 1024;

/// The largest single record (pcap packet record or pcapng block) accepted. Anything larger is
/// treated as corruption. 16 MiB is the limit Wireshark uses for a pcapng block.
pub const MAX_RECORD_BYTES: usize = 16 * 1024 * 1024;

/// Result of asking for `n` bytes to be available.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fill {
    /// At least `n` bytes are available in [`RecordBuffer::data`].
    Ready,
    /// The stream ended exactly at a record boundary (no bytes pending).
    Eof,
    /// The stream ended with fewer than `n` bytes pending.
    Short,
}

/// Streaming buffer: `buf[start..end]` holds bytes read but not yet consumed.
pub(crate) struct RecordBuffer {
    inner: Box<dyn Read + Send>,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
}

impl RecordBuffer {
    pub(crate) fn new(inner: Box<dyn Read + Send>) -> Self {
        RecordBuffer {
            inner,
            buf: vec![0; READ_CHUNK_BYTES],
            start: 0,
            end: 0,
            eof: false,
        }
    }

    /// Bytes available and not yet consumed.
    pub(crate) fn data(&self) -> &[u8] {
        self.buf.get(self.start..self.end).unwrap_or_default()
    }

    /// Drops `n` bytes from the front of [`Self::data`] (clamped to what is available).
    pub(crate) fn consume(&mut self, n: usize) {
        self.start = self.start.saturating_add(n).min(self.end);
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
    }

    /// Current allocation, for checking that memory does not grow with the input.
    pub(crate) fn capacity(&self) -> usize {
        self.buf.capacity()
    }

    /// Makes at least `n` bytes available (`n` must not exceed [`MAX_RECORD_BYTES`], which the
    /// callers check before asking), reading from the stream as needed.
    pub(crate) fn fill(&mut self, n: usize) -> std::io::Result<Fill> {
        let n = n.min(MAX_RECORD_BYTES);
        if self.end - self.start >= n {
            return Ok(Fill::Ready);
        }
        if self.start + n > self.buf.len() {
            // Move pending bytes to the front, then grow only if the record itself needs it.
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
            if n > self.buf.len() {
                self.buf.resize(n.max(READ_CHUNK_BYTES), 0);
            }
        }
        while self.end - self.start < n && !self.eof {
            let space = match self.buf.get_mut(self.end..) {
                Some(s) if !s.is_empty() => s,
                _ => break,
            };
            match self.inner.read(space) {
                Ok(0) => self.eof = true,
                Ok(k) => self.end += k,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        let have = self.end - self.start;
        Ok(if have >= n {
            Fill::Ready
        } else if have == 0 {
            Fill::Eof
        } else {
            Fill::Short
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    /// A reader that hands out at most 3 bytes per call, like a slow pipe.
    struct Trickle(Cursor<Vec<u8>>);
    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min(3);
            self.0.read(&mut buf[..n])
        }
    }

    #[test]
    fn fills_across_short_reads_and_reports_eof_kinds() {
        let mut b = RecordBuffer::new(Box::new(Trickle(Cursor::new((0u8..10).collect()))));
        assert_eq!(b.fill(7).unwrap(), Fill::Ready);
        assert_eq!(&b.data()[..7], &[0, 1, 2, 3, 4, 5, 6]);
        b.consume(7);
        assert_eq!(b.fill(5).unwrap(), Fill::Short);
        assert_eq!(b.data(), &[7, 8, 9]);
        b.consume(3);
        assert_eq!(b.fill(1).unwrap(), Fill::Eof);
    }

    #[test]
    fn grows_for_a_large_record_only() {
        let big = vec![7u8; READ_CHUNK_BYTES * 3];
        let mut b = RecordBuffer::new(Box::new(Cursor::new(big)));
        assert_eq!(b.fill(10).unwrap(), Fill::Ready);
        assert_eq!(b.capacity(), READ_CHUNK_BYTES);
        assert_eq!(b.fill(READ_CHUNK_BYTES * 2).unwrap(), Fill::Ready);
        assert!(b.capacity() >= READ_CHUNK_BYTES * 2);
        assert!(b.capacity() < READ_CHUNK_BYTES * 3);
    }
}
