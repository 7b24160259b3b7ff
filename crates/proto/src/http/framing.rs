//! Where the next HTTP/1.x message ends in a byte stream: the head up to the blank line, then a
//! body by Content-Length or by chunked transfer coding (RFC 9112 §6–7). A message split over many
//! TCP segments is Incomplete until all its bytes are there; pipelined messages are framed one
//! after the other.

use super::head::{Head, MAX_HTTP_HEAD, head_end};
use crate::framing::Framing;

/// Frames the next HTTP message at the start of `buf`.
pub fn message_length(buf: &[u8]) -> Framing {
    let Some(end) = head_end(buf) else {
        return if buf.len() > MAX_HTTP_HEAD {
            Framing::Invalid("http: no end of head within 64 KiB".into())
        } else if looks_like_http(buf) {
            Framing::Incomplete
        } else {
            Framing::Invalid("http: not an HTTP message".into())
        };
    };
    let head = Head::parse(buf.get(..end).unwrap_or(buf));
    let Some(body_start) = end.checked_add(4) else {
        return Framing::Invalid("http: head does not fit in memory".into());
    };
    if head.chunked() {
        return match chunked_length(buf.get(body_start..).unwrap_or_default()) {
            Framing::Complete(n) => body_start
                .checked_add(n)
                .map_or_else(too_long, Framing::Complete),
            other => other,
        };
    }
    let Some(total) = body_start.checked_add(head.content_length().unwrap_or(0)) else {
        return too_long();
    };
    if buf.len() >= total {
        Framing::Complete(total)
    } else {
        Framing::Incomplete
    }
}

fn too_long() -> Framing {
    Framing::Invalid("http: Content-Length does not fit in memory".into())
}

/// Longest chunk-size line accepted (hex digits and extensions).
const MAX_CHUNK_LINE: usize = 4096;

/// The length of a chunked body (chunks, the last `0` chunk and the trailer section).
pub fn chunked_length(body: &[u8]) -> Framing {
    let mut at = 0usize;
    loop {
        let rest = body.get(at..).unwrap_or_default();
        let Some(line_end) = rest.windows(2).position(|w| w == b"\r\n") else {
            return if rest.len() > MAX_CHUNK_LINE {
                Framing::Invalid("http: chunk-size line too long".into())
            } else {
                Framing::Incomplete
            };
        };
        let line = String::from_utf8_lossy(rest.get(..line_end).unwrap_or_default());
        let digits = line.split(';').next().unwrap_or_default().trim();
        let Ok(size) = usize::from_str_radix(digits, 16) else {
            return Framing::Invalid(format!("http: bad chunk size {digits:?}"));
        };
        let Some(data_start) = at.checked_add(line_end).and_then(|n| n.checked_add(2)) else {
            return too_long();
        };
        if size == 0 {
            // Trailer fields, then the blank line.
            let trailers = body.get(data_start..).unwrap_or_default();
            if trailers.starts_with(b"\r\n") {
                return data_start
                    .checked_add(2)
                    .map_or_else(too_long, Framing::Complete);
            }
            return match head_end(trailers) {
                Some(e) => data_start
                    .checked_add(e)
                    .and_then(|n| n.checked_add(4))
                    .map_or_else(too_long, Framing::Complete),
                None if trailers.len() > MAX_HTTP_HEAD => {
                    Framing::Invalid("http: trailer section too long".into())
                }
                None => Framing::Incomplete,
            };
        }
        let Some(next) = data_start.checked_add(size).and_then(|n| n.checked_add(2)) else {
            return too_long();
        };
        if body.len() < next {
            return Framing::Incomplete;
        }
        at = next;
    }
}

fn looks_like_http(buf: &[u8]) -> bool {
    let probe = buf.get(..8).unwrap_or(buf);
    [
        &b"HTTP/"[..],
        b"GET ",
        b"POST ",
        b"HEAD ",
        b"PUT ",
        b"OPTIONS ",
        b"DELETE ",
        b"PATCH ",
    ]
    .iter()
    .any(|p| p.starts_with(probe) || probe.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_length_frames_and_leaves_the_next_message() {
        let m = b"HTTP/1.1 302 Found\r\nLocation: https://m.test/autodiscover/autodiscover.xml\r\nContent-Length: 5\r\n\r\nhelloGET";
        assert_eq!(message_length(m), Framing::Complete(m.len() - 3));
        let req = b"GET /autodiscover/autodiscover.xml HTTP/1.1\r\nHost: a.test\r\n\r\n";
        assert_eq!(message_length(&req[..10]), Framing::Incomplete);
        assert_eq!(message_length(req), Framing::Complete(req.len()));
        assert!(matches!(
            message_length(b"\x16\x03\x01\x02\x00\x01"),
            Framing::Invalid(_)
        ));
        let huge = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", usize::MAX);
        assert!(matches!(
            message_length(huge.as_bytes()),
            Framing::Invalid(_)
        ));
    }

    #[test]
    fn chunked_bodies_frame_to_the_last_chunk_and_trailers() {
        let m = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\n\r\nHTTP/1.1";
        assert_eq!(message_length(m), Framing::Complete(m.len() - 8));
        // Cut anywhere before the end, it waits for more.
        for cut in [40, 50, 60, m.len() - 10] {
            assert_eq!(message_length(&m[..cut]), Framing::Incomplete, "cut {cut}");
        }
        let trailer = b"0\r\nX-Checksum: 1\r\n\r\n";
        assert_eq!(chunked_length(trailer), Framing::Complete(trailer.len()));
        assert!(matches!(chunked_length(b"zz\r\n"), Framing::Invalid(_)));
        let overflow = format!("{:x}\r\n", usize::MAX);
        assert!(matches!(
            chunked_length(overflow.as_bytes()),
            Framing::Invalid(_)
        ));
    }
}
