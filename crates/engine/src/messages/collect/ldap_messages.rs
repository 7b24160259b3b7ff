//! LDAP and CLDAP messages: requests become [`LdapExchange`]s and entries, references and results are matched to them by message ID on the same connection (or datagram pair).

use super::*;
use crate::capture::Nanos;
use crate::flow::{ConnId, Endpoint};
use crate::proto::framing::Framing;
use crate::proto::ldap::ResultCode;
use crate::proto::ldap::{self, BindAuth, LdapMessage, LdapOp};
use crate::proto::names::cldap_dns_domain;

impl Collector {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn ldap(
        &mut self,
        conn: Option<ConnId>,
        transport: Transport,
        client: Endpoint,
        server: Endpoint,
        from_client: bool,
        msg: LdapMessage,
        frames: Vec<u64>,
        ts: Nanos,
    ) {
        let key = (conn, client, server, msg.message_id);
        let frame = frames.last().copied().unwrap_or_default();
        if from_client {
            match &msg.op {
                LdapOp::SearchRequest(s) => {
                    let domain = cldap_dns_domain(&s.filter);
                    self.relevance
                        .ldap_request(client.ip, ts, Some(&s.base), domain);
                }
                _ => self.relevance.ldap_request(client.ip, ts, None, None),
            }
            let request = match msg.op {
                LdapOp::BindRequest(b) => LdapRequest::Bind(b),
                LdapOp::SearchRequest(s) => {
                    if s.filter.is_cut_off() {
                        self.warnings.add(
                            self.input,
                            format!(
                                "ldap: search filter nested deeper than {} levels (cut off)",
                                ldap::MAX_FILTER_DEPTH
                            ),
                            frame,
                        );
                    }
                    LdapRequest::Search(s)
                }
                LdapOp::ExtendedRequest { name, .. } => LdapRequest::Extended { name },
                LdapOp::UnbindRequest => LdapRequest::Unbind,
                LdapOp::AbandonRequest(_) => LdapRequest::Other("abandonRequest"),
                LdapOp::Other(name) => LdapRequest::Other(name),
                _ => {
                    return self.warnings.add(
                        self.input,
                        "ldap: response sent by the client",
                        frame,
                    );
                }
            };
            let expects_answer = !matches!(
                request,
                LdapRequest::Unbind | LdapRequest::Other("abandonRequest")
            );
            if self.over_limit(Recorded::Ldap, client.ip, frame) {
                return;
            }
            if expects_answer {
                self.ldap_pending.insert(key, self.exchanges.ldap.len());
            }
            self.exchanges.ldap.push(LdapExchange {
                transport,
                conn,
                client,
                server,
                message_id: msg.message_id,
                frames,
                ts,
                request,
                entries: vec![],
                references: vec![],
                result: None,
            });
            return;
        }
        let i = match self.ldap_pending.get(&key) {
            Some(&i) => i,
            // A capture that starts in the middle of a search: its answers are kept, under a
            // request marked as not in the capture, so that what they say is not lost.
            None if matches!(
                msg.op,
                LdapOp::SearchResultEntry(_) | LdapOp::SearchResultReference(_)
            ) =>
            {
                if self.over_limit(Recorded::Ldap, client.ip, frame) {
                    return;
                }
                self.warnings.add(
                    self.input,
                    "ldap: search answers whose request is not in the capture (it started later)",
                    frame,
                );
                let i = self.exchanges.ldap.len();
                self.ldap_pending.insert(key, i);
                self.exchanges.ldap.push(LdapExchange {
                    transport,
                    conn,
                    client,
                    server,
                    message_id: msg.message_id,
                    frames: vec![],
                    ts,
                    request: LdapRequest::NotInCapture,
                    entries: vec![],
                    references: vec![],
                    result: None,
                });
                i
            }
            None => {
                return self.warnings.add(
                    self.input,
                    "ldap: response to a request not in the capture",
                    frame,
                );
            }
        };
        let ex = &mut self.exchanges.ldap[i];
        let result = match msg.op {
            LdapOp::SearchResultEntry(entry) => {
                let urls = entry
                    .attributes
                    .iter()
                    .filter(|(a, _)| a.eq_ignore_ascii_case("serviceBindingInformation"));
                for v in urls.flat_map(|(_, v)| v) {
                    self.relevance.url(&String::from_utf8_lossy(v));
                }
                ex.entries.push(LdapEntry { entry, frames });
                return self.exchanges.times.note(frame, ts);
            }
            LdapOp::SearchResultReference(urls) => {
                ex.references.push((urls, frame));
                return self.exchanges.times.note(frame, ts);
            }
            LdapOp::SearchResultDone(r) => r,
            LdapOp::BindResponse(b) => b.result,
            LdapOp::ExtendedResponse { result, .. } => result,
            _ => {
                return self
                    .warnings
                    .add(self.input, "ldap: request sent by the server", frame);
            }
        };
        let sasl_ok = result.code == ResultCode::Success
            && matches!(&ex.request, LdapRequest::Bind(b) if matches!(b.auth, BindAuth::Sasl { .. }));
        let starttls_ok = result.code == ResultCode::Success
            && matches!(&ex.request, LdapRequest::Extended { name } if name == STARTTLS_OID);
        ex.result = Some(LdapFinal { result, frames, ts });
        self.ldap_pending.remove(&key);
        let Some(c) = conn.and_then(|c| self.conns.get_mut(&c)) else {
            return;
        };
        if sasl_ok {
            c.sasl_bound = true;
        }
        if starttls_ok && self.tls_keys.is_loaded() {
            // From here on the connection is TLS: read its records, and the LDAP inside them
            // once the key log opens them (no TLS session is recorded for the chain).
            c.service = Service::Tls;
            c.client.buf.clear();
            c.server.buf.clear();
            c.decrypt = Some(Box::new(super::tls_decrypt::TlsDecrypt::with_inner(Some(
                super::tls_decrypt::Inner::Ldap,
            ))));
            if let Some(t) = self.exchanges.tcp.get_mut(c.index) {
                t.sasl.get_or_insert(SaslLayer {
                    from_frame: frame,
                    sealed: true,
                    mechanism: "StartTLS",
                });
            }
        } else if starttls_ok {
            // From here on the connection is TLS: the LDAP inside cannot be read.
            c.client.dead = true;
            c.server.dead = true;
            c.client.buf.clear();
            c.server.buf.clear();
            if let Some(t) = self.exchanges.tcp.get_mut(c.index) {
                t.sasl.get_or_insert(SaslLayer {
                    from_frame: frame,
                    sealed: true,
                    mechanism: "StartTLS",
                });
            }
        }
    }
}

pub(super) fn ldap_framing(buf: &[u8]) -> Framing {
    match ldap::pdu_length(buf) {
        ldap::PduLen::Incomplete => Framing::Incomplete,
        ldap::PduLen::Complete(n) => Framing::Complete(n),
        ldap::PduLen::Invalid(r) => Framing::Invalid(format!("ldap: {r}")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{CLIENT, SERVER, ep, rootdse_search, tcp_session};
    use super::*;
    use crate::flow::Side;

    #[test]
    fn a_cldap_search_and_its_result_are_one_exchange() {
        let mut c = Collector::default();
        let (req, done) = rootdse_search(5);
        c.udp(1, 0, ep(CLIENT, 50123), ep(SERVER, 389), &req);
        c.udp(2, 1, ep(SERVER, 389), ep(CLIENT, 50123), &done);
        let l = &c.exchanges.ldap;
        assert_eq!(l.len(), 1, "{l:?}");
        assert_eq!(l[0].transport, Transport::Udp);
        assert_eq!(l[0].message_id, 5);
        assert_eq!(
            l[0].result.as_ref().map(|r| r.result.code),
            Some(ResultCode::Success)
        );
    }

    #[test]
    fn results_are_matched_by_message_id_on_their_connection() {
        let mut c = Collector::default();
        let (req1, done1) = rootdse_search(1);
        let (req2, done2) = rootdse_search(2);
        let conn = tcp_session(
            &mut c,
            389,
            &[
                (Side::Client, &req1),
                (Side::Client, &req2),
                (Side::Server, &done2),
                (Side::Server, &done1),
            ],
        );
        let l = &c.exchanges.ldap;
        assert_eq!(l.len(), 2);
        assert!(l.iter().all(|x| x.conn == Some(conn)));
        let done_frame = |id: u32| {
            l.iter()
                .find(|x| x.message_id == id)
                .and_then(|x| x.result.as_ref())
                .and_then(|r| r.frames.first().copied())
        };
        assert_eq!((done_frame(1), done_frame(2)), (Some(6), Some(5)));
    }
}
