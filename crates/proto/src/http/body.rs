//! A message body as its content: chunked transfer coding removed, then gzip or deflate
//! Content-Encoding undone (flate2), bounded so that a compression bomb in a capture cannot
//! fill memory.

use std::io::Read;

use super::head::Head;

/// Most body bytes kept after decoding; a longer body is cut and said so.
pub const MAX_HTTP_BODY: usize = 4 * 1024 * 1024;

/// Why a body could not be read as its content.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    #[error("http: bad chunked body")]
    BadChunks,
    #[error("http: {encoding} body does not decompress: {reason}")]
    Decompress { encoding: String, reason: String },
    #[error("http: Content-Encoding {0:?} is not read")]
    UnknownEncoding(String),
    #[error("http: body longer than {MAX_HTTP_BODY} bytes after decoding")]
    TooLong,
}

/// The content of a framed message's body (`body` is what follows the head's blank line).
pub fn content(head: &Head, body: &[u8]) -> Result<Vec<u8>, BodyError> {
    let raw = if head.chunked() {
        dechunk(body)?
    } else {
        let n = head.content_length().unwrap_or(body.len()).min(body.len());
        body.get(..n).unwrap_or_default().to_vec()
    };
    let mut data = raw;
    // Codings are listed in the order applied: undo them last first.
    let codings: Vec<String> = head
        .values("content-encoding")
        .flat_map(|v| v.split(','))
        .map(|c| c.trim().to_ascii_lowercase())
        .filter(|c| !c.is_empty() && c != "identity")
        .collect();
    for coding in codings.iter().rev() {
        data = match coding.as_str() {
            "gzip" | "x-gzip" => {
                inflate(flate2::read::MultiGzDecoder::new(data.as_slice()), coding)?
            }
            "deflate" => deflate(&data)?,
            other => return Err(BodyError::UnknownEncoding(other.to_string())),
        };
    }
    if data.len() > MAX_HTTP_BODY {
        return Err(BodyError::TooLong);
    }
    Ok(data)
}

/// The chunks' data joined (the framing already checked the sizes).
pub fn dechunk(body: &[u8]) -> Result<Vec<u8>, BodyError> {
    let mut out = Vec::new();
    let mut rest = body;
    loop {
        let line_end = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or(BodyError::BadChunks)?;
        let line = String::from_utf8_lossy(rest.get(..line_end).unwrap_or_default());
        let digits = line.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(digits, 16).map_err(|_| BodyError::BadChunks)?;
        let data_start = line_end.checked_add(2).ok_or(BodyError::BadChunks)?;
        if size == 0 {
            return Ok(out);
        }
        let data_end = data_start.checked_add(size).ok_or(BodyError::BadChunks)?;
        let chunk = rest.get(data_start..data_end).ok_or(BodyError::BadChunks)?;
        if out.len().saturating_add(chunk.len()) > MAX_HTTP_BODY {
            return Err(BodyError::TooLong);
        }
        out.extend_from_slice(chunk);
        rest = rest
            .get(data_end.saturating_add(2)..)
            .ok_or(BodyError::BadChunks)?;
    }
}

fn inflate(reader: impl Read, coding: &str) -> Result<Vec<u8>, BodyError> {
    let limit = u64::try_from(MAX_HTTP_BODY)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    let mut out = Vec::new();
    reader
        .take(limit)
        .read_to_end(&mut out)
        .map_err(|e| BodyError::Decompress {
            encoding: coding.to_string(),
            reason: e.to_string(),
        })?;
    if out.len() > MAX_HTTP_BODY {
        return Err(BodyError::TooLong);
    }
    Ok(out)
}

/// `deflate` is a zlib stream (RFC 9110 §8.4.1.2); some servers send raw deflate: both are read.
fn deflate(data: &[u8]) -> Result<Vec<u8>, BodyError> {
    inflate(flate2::read::ZlibDecoder::new(data), "deflate")
        .or_else(|_| inflate(flate2::read::DeflateDecoder::new(data), "deflate"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn chunked_then_gzip_is_undone_in_order() {
        let packed = gzip(b"<Autodiscover/>");
        let (a, b) = packed.split_at(7);
        let mut body = format!("{:x}\r\n", a.len()).into_bytes();
        body.extend_from_slice(a);
        body.extend_from_slice(format!("\r\n{:x}\r\n", b.len()).as_bytes());
        body.extend_from_slice(b);
        body.extend_from_slice(b"\r\n0\r\n\r\n");
        let head =
            Head::parse(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip");
        assert_eq!(content(&head, &body).unwrap(), b"<Autodiscover/>");
    }

    #[test]
    fn deflate_zlib_and_raw_are_both_read() {
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(b"zlib body").unwrap();
        let zlib = z.finish().unwrap();
        let mut r = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        r.write_all(b"raw body").unwrap();
        let raw = r.finish().unwrap();
        let head = |n: usize| {
            Head::parse(
                format!("HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\nContent-Length: {n}")
                    .as_bytes(),
            )
        };
        assert_eq!(content(&head(zlib.len()), &zlib).unwrap(), b"zlib body");
        assert_eq!(content(&head(raw.len()), &raw).unwrap(), b"raw body");
    }

    #[test]
    fn bombs_unknown_codings_and_bad_gzip_are_errors() {
        let bomb = gzip(&vec![b'a'; MAX_HTTP_BODY + 10]);
        let head = Head::parse(b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip");
        assert_eq!(content(&head, &bomb), Err(BodyError::TooLong));
        assert!(matches!(
            content(&head, b"not gzip"),
            Err(BodyError::Decompress { .. })
        ));
        let br = Head::parse(b"HTTP/1.1 200 OK\r\nContent-Encoding: br");
        assert_eq!(
            content(&br, b"x"),
            Err(BodyError::UnknownEncoding("br".into()))
        );
        assert_eq!(dechunk(b"5\r\nab"), Err(BodyError::BadChunks));
    }
}
