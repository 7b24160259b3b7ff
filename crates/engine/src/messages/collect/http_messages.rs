//! Readable HTTP on a connection: each framed message ([`crate::proto::http::message_length`])
//! decoded, requests recorded in order and each final response paired with the oldest
//! unanswered request of its connection (keep-alive and pipelining answer in order; 1xx interim
//! responses answer nothing). The entry point, [`Collector::http`], takes one message's bytes
//! from either direction, whatever carried them: clear TCP, or TLS decrypted with
//! the key log (`decrypted`).

use super::*;
use crate::flow::ConnId;
use crate::proto::http::{HttpMessage, decode_http};

impl Collector {
    /// One whole HTTP message of connection `id`, ending at `frame`; `decrypted` when it was
    /// read from TLS decrypted with the key log.
    pub(crate) fn http(&mut self, id: ConnId, msg: &[u8], frame: u64, ts: Nanos, decrypted: bool) {
        let Some(client) = self.conn_client(id) else {
            return;
        };
        if self.over_limit(Recorded::Http, client, frame) {
            return;
        }
        match decode_http(msg) {
            Ok(HttpMessage::Request(request)) => {
                if let Some(p) = &request.body_problem {
                    self.warnings.add(self.input, p.clone(), frame);
                }
                self.exchanges.http.push(HttpExchange {
                    conn: id,
                    frame,
                    method: request.method.clone(),
                    target: request.target.clone(),
                    host: request.host.clone(),
                    response: None,
                    request,
                    reply: None,
                    decrypted,
                });
                self.exchanges.times.note(frame, ts);
            }
            Ok(HttpMessage::Response(reply)) => {
                if (100..200).contains(&reply.status) {
                    return;
                }
                if let Some(p) = &reply.body_problem {
                    self.warnings.add(self.input, p.clone(), frame);
                }
                let redirect_url = reply.pox().and_then(|p| p.redirect_url.clone());
                for l in reply.location.iter().chain(&redirect_url) {
                    self.relevance.url(l);
                }
                match self
                    .exchanges
                    .http
                    .iter_mut()
                    .find(|h| h.conn == id && h.response.is_none())
                {
                    Some(h) => {
                        h.response = Some((frame, reply.status, reply.location.clone()));
                        h.reply = Some(reply);
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

    const POX: &str = "<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006\"><Request><EMailAddress>user@contoso.test</EMailAddress><AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema></Request></Autodiscover>";

    fn post(auth: &str) -> Vec<u8> {
        format!(
            "POST /autodiscover/autodiscover.xml HTTP/1.1\r\nHost: autodiscover.contoso.test\r\n{auth}Content-Length: {}\r\n\r\n{POX}",
            POX.len()
        )
        .into_bytes()
    }

    #[test]
    fn pipelined_requests_split_over_segments_pair_in_order() {
        let mut c = Collector::default();
        let first = post("");
        let second = post("Authorization: Negotiate YIIGhgYGKwYBBQUC\r\n");
        let mut both = first.clone();
        both.extend_from_slice(&second);
        // Both requests in three segments cut mid-body, then both answers in one segment.
        let (a, rest) = both.split_at(first.len() - 20);
        let (b, d) = rest.split_at(60);
        let answers = b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate\r\nWWW-Authenticate: NTLM\r\nContent-Length: 0\r\n\r\nHTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n";
        tcp_session(
            &mut c,
            80,
            &[
                (Side::Client, a),
                (Side::Client, b),
                (Side::Client, d),
                (Side::Server, answers),
            ],
        );
        let h = &c.exchanges.http;
        assert_eq!(h.len(), 2, "{h:?}");
        assert_eq!(h[0].request.auth_scheme, None);
        assert_eq!(h[1].request.auth_scheme.as_deref(), Some("Negotiate"));
        let statuses: Vec<_> = h.iter().map(|x| x.response.as_ref().map(|r| r.1)).collect();
        assert_eq!(
            statuses,
            [Some(401), Some(403)],
            "100 Continue answers nothing"
        );
        assert_eq!(
            h[0].reply.as_ref().map(|r| r.auth_offered.clone()),
            Some(vec!["Negotiate".to_string(), "NTLM".to_string()])
        );
        assert!(matches!(
            &h[0].request.content,
            crate::proto::http::Content::PoxRequest(p) if p.email.as_deref() == Some("user@contoso.test")
        ));
    }
}
