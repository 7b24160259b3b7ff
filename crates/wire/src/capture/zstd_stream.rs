//! Streaming zstd decompression over any reader, including files made of several concatenated
//! frames (as `pzstd` writes them) and skippable frames.

use std::io::{BufRead, BufReader, Read};

use ruzstd::decoding::{FrameDecoder, StreamingDecoder};

type Source = BufReader<Box<dyn Read + Send>>;

/// Magic of a zstd skippable frame; the low 4 bits are free.
const SKIPPABLE_MAGIC: u32 = 0x184D_2A50;

/// Decodes a zstd stream frame after frame; memory is bounded by the frame's window size.
pub(crate) struct ZstdReader {
    /// The frame being decoded.
    frame: Option<StreamingDecoder<Source, FrameDecoder>>,
    /// The source between two frames.
    between: Option<Source>,
}

impl ZstdReader {
    pub(crate) fn new(source: Box<dyn Read + Send>) -> Self {
        ZstdReader {
            frame: None,
            between: Some(BufReader::new(source)),
        }
    }
}

fn invalid(msg: String) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, msg)
}

impl Read for ZstdReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        loop {
            if let Some(frame) = self.frame.as_mut() {
                let n = frame.read(out)?;
                if n > 0 {
                    return Ok(n);
                }
                self.between = self.frame.take().map(StreamingDecoder::into_inner);
            }
            let Some(mut src) = self.between.take() else {
                return Ok(0);
            };
            let head = src.fill_buf()?;
            if head.is_empty() {
                return Ok(0);
            }
            let magic = head
                .get(..4)
                .and_then(|m| <[u8; 4]>::try_from(m).ok())
                .map(u32::from_le_bytes);
            if magic.is_some_and(|m| m & 0xFFFF_FFF0 == SKIPPABLE_MAGIC) {
                let mut header = [0u8; 8];
                src.read_exact(&mut header)?;
                let [_, _, _, _, l0, l1, l2, l3] = header;
                let len = u32::from_le_bytes([l0, l1, l2, l3]);
                let skipped =
                    std::io::copy(&mut (&mut src).take(u64::from(len)), &mut std::io::sink())?;
                if skipped < u64::from(len) {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        "zstd: stream ends inside a skippable frame",
                    ));
                }
                self.between = Some(src);
                continue;
            }
            let frame = StreamingDecoder::new(src).map_err(|e| invalid(format!("zstd: {e}")))?;
            self.frame = Some(frame);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ruzstd::encoding::{CompressionLevel, compress_to_vec};

    fn decode(bytes: Vec<u8>) -> std::io::Result<Vec<u8>> {
        let mut out = Vec::new();
        ZstdReader::new(Box::new(std::io::Cursor::new(bytes))).read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn decodes_concatenated_and_skippable_frames() {
        let mut blob = compress_to_vec(&b"hello "[..], CompressionLevel::Fastest);
        blob.extend_from_slice(&[0x50, 0x2A, 0x4D, 0x18, 3, 0, 0, 0, 9, 9, 9]);
        blob.extend(compress_to_vec(&b"world"[..], CompressionLevel::Fastest));
        assert_eq!(decode(blob).unwrap(), b"hello world");
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let mut blob = compress_to_vec(&b"ok"[..], CompressionLevel::Fastest);
        blob.extend_from_slice(b"not zstd at all");
        assert!(decode(blob).is_err());
    }
}
