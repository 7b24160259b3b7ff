//! Retiring clients: the exchanges of clients the caller has judged for good are moved out of
//! the collector, and every index the collector holds into the exchanges (open connections,
//! their TLS sessions, pending DNS and LDAP requests, recent DNS queries) is remapped to the
//! exchanges that stay. What decides *which* clients leave (idle time, a finished chain) is
//! the caller's: this stage only knows when each client was last active.

use std::collections::HashSet;
use std::net::IpAddr;

use super::{Collector, FastMap};
use crate::capture::Nanos;
use crate::flow::ConnId;
use crate::messages::Exchanges;

/// Who leaves in one retirement: clients by address, and DNS queries dropped for good (a DNS
/// server's queries forwarding other clients' questions, already known to be none of its own
/// lookups, whether the server leaves or stays).
#[derive(Debug, Default)]
pub struct Leaving {
    pub clients: HashSet<IpAddr>,
    /// Indexes into [`Exchanges::dns`]: dropped, never among the exchanges returned.
    pub dns: HashSet<usize>,
}

/// Where each exchange of one kind went: its new index among those that stay, or None.
struct Moves(Vec<Option<usize>>);

impl Moves {
    fn to(&self, old: usize) -> Option<usize> {
        self.0.get(old).copied().flatten()
    }
}

/// Splits `items` by `leaves`: those that stay (returned with their moves) and those that leave
/// (pushed to `gone`), both in their old order.
fn split<T>(
    items: Vec<T>,
    gone: &mut Vec<T>,
    leaves: impl Fn(usize, &T) -> bool,
) -> (Vec<T>, Moves) {
    let mut kept = Vec::with_capacity(items.len());
    let mut moves = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        if leaves(i, &item) {
            moves.push(None);
            gone.push(item);
        } else {
            moves.push(Some(kept.len()));
            kept.push(item);
        }
    }
    (kept, Moves(moves))
}

impl Collector {
    /// Starts noting each client address's latest activity (for [`Self::idle_clients`]).
    pub fn track_activity(&mut self) {
        self.activity = Some(FastMap::default());
    }

    /// Notes that `client` sent or received something at `ts`, when it has exchanges recorded
    /// (the sources of a flood that no bound let in are not tracked).
    pub(super) fn touch(&mut self, client: IpAddr, ts: Nanos) {
        if let Some(activity) = &mut self.activity
            && self.recorded.contains_key(&client)
        {
            let last = activity.entry(client).or_insert(ts);
            *last = (*last).max(ts);
        }
    }

    /// Notes activity on connection `id` (its client's).
    pub(super) fn touch_conn(&mut self, id: ConnId, ts: Nanos) {
        if self.activity.is_some()
            && let Some(client) = self.conns.get(&id).map(|c| c.client_ip)
        {
            self.touch(client, ts);
        }
    }

    /// The clients with exchanges recorded whose latest activity is at least `idle` before
    /// `now`, with that time (empty unless [`Self::track_activity`] was called).
    pub fn idle_clients(&self, now: Nanos, idle: Nanos) -> Vec<(IpAddr, Nanos)> {
        let Some(activity) = &self.activity else {
            return Vec::new();
        };
        activity
            .iter()
            .filter(|(_, last)| now.saturating_sub(**last) >= idle)
            .map(|(ip, last)| (*ip, *last))
            .collect()
    }

    /// Moves the exchanges of `leaving` out of the collector and returns them, without the
    /// forwarded queries of `leaving.dns`: what is returned is exactly the leaving clients'
    /// own traffic, to be judged on its own ([`crate::chain::judge_clients`]). Their open
    /// connections are forgotten here (the flow stage still tracks them): traffic on one later
    /// is counted in a warning instead of being analysed, since the client was judged.
    pub fn retire(&mut self, leaving: &Leaving) -> Exchanges {
        let ex = std::mem::take(&mut self.exchanges);
        let mut gone = Exchanges::default();
        let out = |ip: &IpAddr| leaving.clients.contains(ip);

        let (tcp, tcp_moves) = split(ex.tcp, &mut gone.tcp, |_, t| out(&t.client.ip));
        let conn_leaves: FastMap<ConnId, bool> = gone
            .tcp
            .iter()
            .map(|t| (t.id, true))
            .chain(tcp.iter().map(|t| (t.id, false)))
            .collect();
        let conn_out = |id: &ConnId| conn_leaves.get(id).copied().unwrap_or(false);
        let (tls, tls_moves) = split(ex.tls, &mut gone.tls, |_, s| conn_out(&s.conn));
        let (http, _) = split(ex.http, &mut gone.http, |_, h| conn_out(&h.conn));
        let (kerberos, _) = split(ex.kerberos, &mut gone.kerberos, |_, k| out(&k.client.ip));
        let (dns, dns_moves) = split(ex.dns, &mut gone.dns, |i, d| {
            out(&d.client.ip) || leaving.dns.contains(&i)
        });
        // Forwarded queries are not part of any verdict: dropped, in the order split left them.
        let mut moved = (0..dns_moves.0.len()).filter(|i| dns_moves.to(*i).is_none());
        gone.dns
            .retain(|_| moved.next().is_none_or(|i| !leaving.dns.contains(&i)));
        let (ldap, ldap_moves) = split(ex.ldap, &mut gone.ldap, |_, l| out(&l.client.ip));

        let mut kept = Exchanges {
            dns,
            ldap,
            tcp,
            tls,
            http,
            kerberos,
            unrelated_dns: ex.unrelated_dns,
            times: ex.times,
        };
        let mut times = std::mem::take(&mut kept.times);
        gone.times = times.split_for(&gone, &kept);
        kept.times = times;
        std::mem::swap(&mut self.exchanges, &mut kept);

        let retired = &mut self.retired_conns;
        self.conns.retain(|id, c| match tcp_moves.to(c.index) {
            Some(new) => {
                c.index = new;
                c.tls = c.tls.and_then(|i| tls_moves.to(i));
                true
            }
            None => {
                retired.insert(*id);
                false
            }
        });
        self.dns_pending.retain(|_, i| match dns_moves.to(*i) {
            Some(new) => {
                *i = new;
                true
            }
            None => false,
        });
        self.dns_recent.retain(|ip, recent| {
            if out(ip) {
                return false;
            }
            recent.retain_mut(|i| match dns_moves.to(*i) {
                Some(new) => {
                    *i = new;
                    true
                }
                None => false,
            });
            true
        });
        self.ldap_pending.retain(|_, i| match ldap_moves.to(*i) {
            Some(new) => {
                *i = new;
                true
            }
            None => false,
        });
        for ip in &leaving.clients {
            self.recorded.remove(ip);
            if let Some(activity) = &mut self.activity {
                activity.remove(ip);
            }
        }
        gone
    }

    /// Whether connection `id` belonged to a retired client (its later traffic is counted,
    /// not analysed). Forgets it once it closes.
    pub(super) fn retired_conn_traffic(&mut self, id: ConnId, frame: u64) {
        if self.retired_conns.contains(&id) {
            self.warnings.add(
                self.input,
                "tcp: traffic on a connection of a client already judged (idle past the \
                 retirement time) not analysed",
                frame,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{dns, ep};
    use super::*;
    use crate::flow::{Endpoint, Side, TcpEvent, TcpSink};

    const SRV: &str = "_ldap._tcp.dc._msdcs.contoso.test";
    const S: Nanos = 1_000_000_000;

    fn query(c: &mut Collector, frame: u64, ts: Nanos, client: Endpoint, id: u16) {
        c.udp(frame, ts, client, ep(1, 53), &dns(id, 0x0100, SRV, 33, &[]));
    }

    fn answer(c: &mut Collector, frame: u64, ts: Nanos, client: Endpoint, id: u16) {
        c.udp(frame, ts, ep(1, 53), client, &dns(id, 0x8183, SRV, 33, &[]));
    }

    fn open(c: &mut Collector, conn: ConnId, client: Endpoint, frame: u64, ts: Nanos) {
        c.event(TcpEvent::Open {
            conn,
            client,
            server: ep(1, 389),
            frame,
            ts,
            saw_syn: true,
        });
    }

    #[test]
    fn idle_clients_are_those_quiet_for_the_time_given() {
        let mut c = Collector::default();
        c.track_activity();
        query(&mut c, 1, 0, ep(2, 5000), 1);
        query(&mut c, 2, 10 * S, ep(3, 5000), 2);
        // A response counts as the client's activity too.
        answer(&mut c, 3, 20 * S, ep(2, 5000), 1);
        let quiet = |c: &Collector, now| {
            let mut ips: Vec<IpAddr> = c.idle_clients(now, 15 * S).iter().map(|x| x.0).collect();
            ips.sort();
            ips
        };
        assert_eq!(quiet(&c, 30 * S), vec![ep(3, 0).ip]);
        assert_eq!(quiet(&c, 35 * S), vec![ep(2, 0).ip, ep(3, 0).ip]);
    }

    #[test]
    fn the_clients_that_stay_keep_their_pending_queries_and_open_connections() {
        let mut c = Collector::default();
        c.track_activity();
        let (gone, stays) = (ep(2, 5000), ep(3, 5000));
        query(&mut c, 1, 0, gone, 1);
        open(&mut c, 10, gone, 2, 0);
        query(&mut c, 3, 0, stays, 2);
        open(&mut c, 11, stays, 4, 0);
        let leaving = Leaving {
            clients: HashSet::from([gone.ip]),
            dns: HashSet::new(),
        };
        let out = c.retire(&leaving);
        assert_eq!((out.dns.len(), out.tcp.len()), (1, 1));
        assert_eq!(out.dns[0].client, gone);
        assert_eq!((c.exchanges.dns.len(), c.exchanges.tcp.len()), (1, 1));
        // The staying client's query was moved from index 1 to 0: its answer still finds it.
        answer(&mut c, 5, S, stays, 2);
        let kept = &c.exchanges.dns[0];
        assert_eq!(kept.response.as_ref().map(|r| r.frame), Some(5));
        // Its connection was moved too: its FIN lands on its own record.
        c.event(TcpEvent::Fin {
            conn: 11,
            from: Side::Client,
            frame: 6,
            ts: S,
        });
        assert_eq!(c.exchanges.tcp[0].fins, vec![(Side::Client, 6)]);
        assert!(
            c.warnings.warnings().is_empty(),
            "{:?}",
            c.warnings.warnings()
        );
    }

    #[test]
    fn traffic_on_a_retired_clients_connection_is_a_warning_not_a_record() {
        let mut c = Collector::default();
        c.track_activity();
        let gone = ep(2, 5000);
        open(&mut c, 10, gone, 1, 0);
        c.retire(&Leaving {
            clients: HashSet::from([gone.ip]),
            dns: HashSet::new(),
        });
        c.event(TcpEvent::Data {
            conn: 10,
            from: Side::Client,
            data: b"\x30\x05\x02\x01\x01\x42\x00",
            frame: 9,
            ts: 300 * S,
        });
        assert!(c.exchanges.tcp.is_empty() && c.exchanges.ldap.is_empty());
        let warnings = c.warnings.warnings();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].to_string().contains("already judged"),
            "{warnings:?}"
        );
    }

    /// A client's query (frame 1) and the DNS server's query forwarding it to 10.0.0.9
    /// (frame 2): the collector, the client and the server as a client.
    fn forwarded_query() -> (Collector, Endpoint, Endpoint) {
        let mut c = Collector::default();
        c.track_activity();
        let (client, server_as_client) = (ep(2, 5000), ep(1, 6000));
        query(&mut c, 1, 0, client, 1);
        c.udp(
            2,
            1,
            server_as_client,
            ep(9, 53),
            &dns(7, 0x0100, SRV, 33, &[]),
        );
        assert_eq!(c.exchanges.dns.len(), 2);
        (c, client, server_as_client)
    }

    #[test]
    fn a_staying_servers_forwarded_query_is_dropped_not_kept() {
        let (mut c, client, _) = forwarded_query();
        let out = c.retire(&Leaving {
            clients: HashSet::from([client.ip]),
            dns: HashSet::from([1]),
        });
        assert_eq!(
            out.dns.len(),
            1,
            "only the leaving client's own query is handed out"
        );
        assert!(c.exchanges.dns.is_empty(), "{:?}", c.exchanges.dns);
    }

    #[test]
    fn a_leaving_servers_forwarded_query_is_dropped_with_it() {
        let (mut c, client, server_as_client) = forwarded_query();
        // The server leaves with the client: its forwarded query is not its own lookup.
        let out = c.retire(&Leaving {
            clients: HashSet::from([client.ip, server_as_client.ip]),
            dns: HashSet::from([1]),
        });
        let frames: Vec<u64> = out.dns.iter().map(|d| d.frame).collect();
        assert_eq!(frames, [1]);
        assert!(c.exchanges.dns.is_empty(), "{:?}", c.exchanges.dns);
    }
}
