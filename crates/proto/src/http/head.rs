//! The head of an HTTP/1.x message: its start line and header fields, as sent.

/// Longest head accepted before the blank line.
pub const MAX_HTTP_HEAD: usize = 64 * 1024;

/// Where the head ends: the index of the blank line's `\r\n\r\n`, if present.
pub fn head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n")
}

/// A message head: the start line and the header fields in order (names as sent).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Head {
    pub start_line: String,
    pub fields: Vec<(String, String)>,
}

impl Head {
    /// Reads the head from the bytes before the blank line.
    pub fn parse(head: &[u8]) -> Head {
        let text = String::from_utf8_lossy(head);
        let mut lines = text.split("\r\n");
        let start_line = lines.next().unwrap_or_default().to_string();
        let fields = lines
            .filter_map(|line| {
                let (k, v) = line.split_once(':')?;
                Some((k.trim().to_string(), v.trim().to_string()))
            })
            .collect();
        Head { start_line, fields }
    }

    /// The first value of a header field (names compare without case).
    pub fn field(&self, name: &str) -> Option<&str> {
        self.values(name).next()
    }

    /// Every value of a header field, in order (a field may repeat, e.g. WWW-Authenticate).
    pub fn values<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a str> + 'a {
        let name = name.to_string();
        self.fields
            .iter()
            .filter(move |(k, _)| k.eq_ignore_ascii_case(&name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether Transfer-Encoding ends with `chunked`.
    pub fn chunked(&self) -> bool {
        self.values("transfer-encoding").any(|v| {
            v.rsplit(',')
                .next()
                .is_some_and(|last| last.trim().eq_ignore_ascii_case("chunked"))
        })
    }

    /// The Content-Length, when it is a number.
    pub fn content_length(&self) -> Option<usize> {
        self.field("content-length")
            .and_then(|v| v.trim().parse::<usize>().ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_repeat_and_compare_without_case() {
        let h = Head::parse(
            b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate\r\nwww-authenticate: NTLM\r\nContent-Length: 12\r\nTransfer-Encoding: gzip, chunked",
        );
        assert_eq!(h.start_line, "HTTP/1.1 401 Unauthorized");
        assert_eq!(
            h.values("WWW-Authenticate").collect::<Vec<_>>(),
            ["Negotiate", "NTLM"]
        );
        assert_eq!(h.content_length(), Some(12));
        assert!(h.chunked());
        assert!(!Head::parse(b"GET / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip").chunked());
    }
}
