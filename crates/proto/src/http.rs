//! HTTP/1.x message heads in clear text (the port-80 redirect method): request line, status line
//! and the headers the chain reads. Bodies are skipped by Content-Length.

use super::framing::Framing;

/// Longest head accepted before the blank line.
pub const MAX_HTTP_HEAD: usize = 64 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpMessage {
    Request {
        method: String,
        target: String,
        host: Option<String>,
    },
    Response {
        status: u16,
        reason: String,
        location: Option<String>,
    },
}

/// Frames the next HTTP message: the head up to the blank line plus a Content-Length body.
pub fn message_length(buf: &[u8]) -> Framing {
    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        return if buf.len() > MAX_HTTP_HEAD {
            Framing::Invalid("http: no end of head within 64 KiB".into())
        } else if looks_like_http(buf) {
            Framing::Incomplete
        } else {
            Framing::Invalid("http: not an HTTP message".into())
        };
    };
    let head = buf.get(..end).unwrap_or(buf);
    let body = header(head, "content-length").and_then(|v| v.trim().parse::<usize>().ok());
    let Some(total) = end
        .checked_add(4)
        .and_then(|n| n.checked_add(body.unwrap_or(0)))
    else {
        return Framing::Invalid("http: Content-Length does not fit in memory".into());
    };
    if buf.len() >= total {
        Framing::Complete(total)
    } else {
        Framing::Incomplete
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
    ]
    .iter()
    .any(|p| p.starts_with(probe) || probe.starts_with(p))
}

fn header(head: &[u8], name: &str) -> Option<String> {
    let text = String::from_utf8_lossy(head);
    text.lines().skip(1).find_map(|line| {
        let (k, v) = line.split_once(':')?;
        k.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().to_string())
    })
}

/// Why an HTTP head could not be decoded; the line is kept as sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    #[error("http: bad status line {0:?}")]
    BadStatusLine(String),
    #[error("http: bad start line {0:?}")]
    BadStartLine(String),
}

/// Decodes the head of one framed message.
pub fn decode_http(msg: &[u8]) -> Result<HttpMessage, HttpError> {
    let end = msg
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(msg.len());
    let head = msg.get(..end).unwrap_or(msg);
    let text = String::from_utf8_lossy(head);
    let first = text.lines().next().unwrap_or_default();
    let mut parts = first.splitn(3, ' ');
    let (a, b, c) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next(),
    );
    if a.starts_with("HTTP/") {
        let status = b
            .parse()
            .map_err(|_| HttpError::BadStatusLine(first.to_string()))?;
        Ok(HttpMessage::Response {
            status,
            reason: c.unwrap_or("").to_string(),
            location: header(head, "location"),
        })
    } else if c.is_some_and(|v| v.starts_with("HTTP/")) {
        Ok(HttpMessage::Request {
            method: a.to_string(),
            target: b.to_string(),
            host: header(head, "host"),
        })
    } else {
        Err(HttpError::BadStartLine(first.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_response_with_body() {
        let m = b"HTTP/1.1 302 Found\r\nLocation: https://mail.contoso.test/autodiscover/autodiscover.xml\r\nContent-Length: 5\r\n\r\nhelloGET";
        assert_eq!(message_length(m), Framing::Complete(m.len() - 3));
        assert_eq!(
            decode_http(m).unwrap(),
            HttpMessage::Response {
                status: 302,
                reason: "Found".into(),
                location: Some("https://mail.contoso.test/autodiscover/autodiscover.xml".into())
            }
        );
    }

    #[test]
    fn request_head_and_framing() {
        let m = b"GET /autodiscover/autodiscover.xml HTTP/1.1\r\nHost: autodiscover.contoso.test\r\n\r\n";
        assert_eq!(message_length(&m[..10]), Framing::Incomplete);
        assert_eq!(message_length(m), Framing::Complete(m.len()));
        assert!(
            matches!(decode_http(m).unwrap(), HttpMessage::Request { host: Some(h), .. } if h == "autodiscover.contoso.test")
        );
        assert!(matches!(
            message_length(b"\x16\x03\x01\x02\x00\x01"),
            Framing::Invalid(_)
        ));
    }

    #[test]
    fn bad_start_lines_and_huge_lengths_are_errors() {
        let e = decode_http(b"HTTP/1.1 abc Nope\r\n\r\n").unwrap_err();
        assert_eq!(e, HttpError::BadStatusLine("HTTP/1.1 abc Nope".into()));
        assert_eq!(
            e.to_string(),
            r#"http: bad status line "HTTP/1.1 abc Nope""#
        );
        let e = decode_http(b"hello there\r\n\r\n").unwrap_err();
        assert_eq!(e.to_string(), r#"http: bad start line "hello there""#);
        let m = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", usize::MAX);
        assert!(matches!(message_length(m.as_bytes()), Framing::Invalid(_)));
    }
}
