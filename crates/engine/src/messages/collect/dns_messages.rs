//! DNS over UDP and TCP: a query becomes a [`DnsExchange`] and its response is matched to it (by endpoints and ID); retries are counted and irrelevant names only counted.

use super::*;
use crate::capture::Nanos;
use crate::flow::Endpoint;
use crate::proto::dns::{DnsData, decode_dns, peek_question};

/// How long after a query a query with the same ID and question from another port counts as
/// its retry (resolvers retry within seconds).
const RETRY_WINDOW: Nanos = 10_000_000_000;

/// How many of the client's latest queries are searched for the first try of a retry.
const RETRY_LOOKBACK: usize = 32;

impl Collector {
    /// The unanswered query among the client's last few that this one retries: same client
    /// address, server, ID, name and type, from another source port, within [`RETRY_WINDOW`].
    fn earlier_try(
        &self,
        client: Endpoint,
        server: Endpoint,
        id: u16,
        name: &str,
        qtype: &str,
        ts: Nanos,
    ) -> Option<usize> {
        let recent = self.dns_recent.get(&client.ip)?;
        recent.iter().rev().copied().find(|&i| {
            self.exchanges.dns.get(i).is_some_and(|d| {
                d.response.is_none()
                    && d.client.ip == client.ip
                    && d.client.port != client.port
                    && d.server == server
                    && d.id == id
                    && d.qtype == qtype
                    && d.name.eq_ignore_ascii_case(name)
                    && ts.saturating_sub(d.ts) <= RETRY_WINDOW
                    && self.dns_pending.contains_key(&(d.client, d.server, d.id))
            })
        })
    }

    pub(super) fn dns(
        &mut self,
        frame: u64,
        ts: Nanos,
        client: Endpoint,
        server: Endpoint,
        t: Transport,
        payload: &[u8],
    ) {
        // Decide on the question alone whether the lookup can matter, before a full decode.
        if let Some((id, is_response, name, qtype)) = peek_question(payload) {
            let pending = is_response && self.dns_pending.contains_key(&(client, server, id));
            if !pending && !self.relevance.dns(client.ip, ts, &name, &qtype) {
                if !is_response {
                    self.exchanges.unrelated_dns += 1;
                }
                return;
            }
        }
        let msg = match decode_dns(payload) {
            Ok(m) => m,
            Err(e) => return self.warnings.add(self.input, e.to_string(), frame),
        };
        let key = (client, server, msg.id);
        if !msg.is_response {
            let Some(q) = msg.questions.first() else {
                return;
            };
            if !self.relevance.dns(client.ip, ts, &q.name, &q.qtype) {
                self.exchanges.unrelated_dns += 1;
                return;
            }
            if let Some(&i) = self.dns_pending.get(&key) {
                let ex = &mut self.exchanges.dns[i];
                if ex.name.eq_ignore_ascii_case(&q.name) && ex.qtype == q.qtype {
                    ex.retries.push(frame);
                    return;
                }
            }
            // A resolver that retries from a new source port (dig does) keeps the ID: the same
            // question still unanswered moments ago is this query's first try.
            if let Some(i) = self.earlier_try(client, server, msg.id, &q.name, &q.qtype, ts) {
                let ex = &mut self.exchanges.dns[i];
                let old = (ex.client, ex.server, ex.id);
                ex.retries.push(frame);
                // The answer goes to the latest try's port.
                ex.client = client;
                self.dns_pending.remove(&old);
                self.dns_pending.insert(key, i);
                return;
            }
            if self.silent_server_over_limit(Recorded::Dns, server, frame)
                || self.over_limit(Recorded::Dns, client.ip, frame)
            {
                return;
            }
            let index = self.exchanges.dns.len();
            let recent = self.dns_recent.entry(client.ip).or_default();
            if recent.len() >= RETRY_LOOKBACK {
                recent.pop_front();
            }
            recent.push_back(index);
            self.dns_pending.insert(key, index);
            self.exchanges.dns.push(DnsExchange {
                frame,
                ts,
                client,
                server,
                transport: t,
                id: msg.id,
                name: q.name.clone(),
                qtype: q.qtype.clone(),
                retries: vec![],
                response: None,
            });
        } else if let Some(i) = self.dns_pending.remove(&key) {
            self.server_answered(server);
            for a in &msg.answers {
                if let DnsData::Srv { target, .. } = &a.data {
                    self.relevance.add_host(target);
                }
            }
            self.exchanges.dns[i].response = Some(DnsResponse {
                frame,
                ts,
                rcode: msg.rcode,
                truncated: msg.truncated,
                answers: msg.answers,
                additionals: msg.additionals,
            });
        } else if msg
            .questions
            .first()
            .is_some_and(|q| self.relevance.dns(client.ip, ts, &q.name, &q.qtype))
        {
            self.warnings.add(
                self.input,
                "dns: response without a query in the capture",
                frame,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{CLIENT, SERVER, dns, ep};
    use super::*;

    #[test]
    fn a_query_and_its_response_are_one_exchange_and_a_retry_is_counted() {
        let mut c = Collector::default();
        let name = "_ldap._tcp.dc._msdcs.contoso.test";
        let q = dns(0x1234, 0x0100, name, 33, &[]);
        // An SRV answer: pointer to the question name, type 33, class 1, TTL, rdata.
        let mut rr = vec![0xc0, 0x0c, 0, 33, 0, 1, 0, 0, 0, 60];
        let target: Vec<u8> = [&[3u8][..], b"dc1", &[7], b"contoso", &[4], b"test", &[0]].concat();
        rr.extend(((6 + target.len()) as u16).to_be_bytes());
        rr.extend([0, 0, 0, 100, 1, 0x85]);
        rr.extend(target);
        let r = dns(0x1234, 0x8180, name, 33, &[rr]);
        c.udp(1, 0, ep(CLIENT, 5353), ep(SERVER, 53), &q);
        c.udp(2, 1, ep(CLIENT, 5353), ep(SERVER, 53), &q);
        c.udp(3, 2, ep(SERVER, 53), ep(CLIENT, 5353), &r);
        let ex = &c.exchanges.dns;
        assert_eq!(ex.len(), 1, "{ex:?}");
        assert_eq!((ex[0].name.as_str(), ex[0].qtype.as_str()), (name, "SRV"));
        assert_eq!(ex[0].retries, vec![2]);
        let resp = ex[0].response.as_ref().expect("the response is matched");
        assert_eq!(
            (resp.frame, resp.rcode, resp.answers.len()),
            (3, crate::proto::dns::Rcode::NoError, 1)
        );
    }

    #[test]
    fn a_response_without_its_query_is_a_warning_not_an_exchange() {
        let mut c = Collector::default();
        let r = dns(7, 0x8183, "_ldap._tcp.dc._msdcs.contoso.test", 33, &[]);
        c.udp(1, 0, ep(SERVER, 53), ep(CLIENT, 5353), &r);
        assert!(c.exchanges.dns.is_empty());
        assert!(!c.warnings.warnings().is_empty());
    }
}
