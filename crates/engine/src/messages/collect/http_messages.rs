//! HTTP on a connection, clear or decrypted from TLS with the key log: requests with their Host
//! and the status and Location of their responses.

use super::*;
use crate::flow::ConnId;
use crate::proto::http::{HttpMessage, decode_http};

impl Collector {
    /// One HTTP message; `decrypted` when it was read from TLS decrypted with the key log.
    pub(super) fn http(&mut self, id: ConnId, msg: &[u8], frame: u64, ts: Nanos, decrypted: bool) {
        if self.over_limit(self.exchanges.http.len(), "http: messages", frame) {
            return;
        }
        match decode_http(msg) {
            Ok(HttpMessage::Request {
                method,
                target,
                host,
            }) => {
                self.exchanges.http.push(HttpExchange {
                    conn: id,
                    frame,
                    method,
                    target,
                    host,
                    response: None,
                    decrypted,
                });
                self.exchanges.times.note(frame, ts);
            }
            Ok(HttpMessage::Response {
                status, location, ..
            }) => {
                if let Some(l) = &location {
                    self.relevance.url(l);
                }
                match self
                    .exchanges
                    .http
                    .iter_mut()
                    .find(|h| h.conn == id && h.response.is_none())
                {
                    Some(h) => {
                        h.response = Some((frame, status, location));
                        self.exchanges.times.note(frame, ts);
                    }
                    None => {
                        self.warnings
                            .add(self.input, "http: response without a request", frame)
                    }
                }
            }
            Err(e) => self.warnings.add(self.input, e.to_string(), frame),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::tcp_session;
    use super::*;
    use crate::flow::Side;

    #[test]
    fn a_request_gets_its_status_and_location() {
        let mut c = Collector::default();
        tcp_session(
            &mut c,
            80,
            &[
                (
                    Side::Client,
                    b"GET /autodiscover/autodiscover.xml HTTP/1.1\r\nHost: autodiscover.contoso.test\r\n\r\n",
                ),
                (
                    Side::Server,
                    b"HTTP/1.1 302 Found\r\nLocation: https://mail.contoso.test/autodiscover/autodiscover.xml\r\nContent-Length: 0\r\n\r\n",
                ),
            ],
        );
        let h = &c.exchanges.http;
        assert_eq!(h.len(), 1, "{h:?}");
        assert_eq!(h[0].target, "/autodiscover/autodiscover.xml");
        assert_eq!(h[0].host.as_deref(), Some("autodiscover.contoso.test"));
        let (frame, status, location) = h[0].response.clone().expect("the response");
        assert_eq!((frame, status), (4, 302));
        assert_eq!(
            location.as_deref(),
            Some("https://mail.contoso.test/autodiscover/autodiscover.xml")
        );
    }
}
