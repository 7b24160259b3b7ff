//! TLS records of a connection: the handshake messages, alerts and application data counts a
//! [`TlsSession`] keeps (and, with a key log, their decryption: see [`super::tls_decrypt`]).

use super::*;
use crate::capture::Nanos;
use crate::flow::{ConnId, Side};
use crate::proto::tls::TlsEvent;

impl Collector {
    pub(super) fn tls_record(
        &mut self,
        id: ConnId,
        from: Side,
        record: &[u8],
        frames: &[u64],
        ts: Nanos,
    ) {
        let Some(conn) = self.conns.get_mut(&id) else {
            return;
        };
        let first = frames.first().copied().unwrap_or_default();
        let last = frames.last().copied().unwrap_or_default();
        let mut events = Vec::new();
        let dir = match from {
            Side::Client => &mut conn.client,
            Side::Server => &mut conn.server,
        };
        if let Err(e) = dir.tls.record(record, &mut events) {
            self.warnings.add(self.input, e.to_string(), last);
        }
        self.tls_decrypt_record(id, from, record, &events, frames, ts);
        let Some(conn) = self.conns.get(&id) else {
            return;
        };
        let Some(session) = conn.tls.and_then(|i| self.exchanges.tls.get_mut(i)) else {
            return;
        };
        // A frame the session names gets the time of the frame that completed its record: an
        // upper bound for a record's first frame, exact for the usual one-segment record.
        let times = &mut self.exchanges.times;
        for ev in events {
            match ev {
                TlsEvent::ClientHello { sni, versions, .. } => {
                    if session.client_hello.is_none() {
                        session.client_hello = Some((first, sni, versions));
                        times.note(first, ts);
                    }
                }
                TlsEvent::ServerHello { version, .. } => {
                    if session.server_hello.is_none() {
                        session.server_hello = Some((first, version));
                        times.note(first, ts);
                    }
                }
                TlsEvent::Certificate { chain } => {
                    if session.certificate.is_none() {
                        session.certificate = Some((first, chain));
                        session.certificate_ts = Some(ts);
                        times.note(first, ts);
                    }
                }
                TlsEvent::Alert { description, .. } => {
                    session.alerts.push((from, last, description));
                    times.note(last, ts);
                }
                TlsEvent::ApplicationData { .. } => match from {
                    Side::Client => {
                        session.client_app_records += 1;
                        if session.client_app_frames.len() < 4 {
                            session.client_app_frames.push(last);
                            times.note(last, ts);
                        }
                    }
                    Side::Server => {
                        session.server_app_records += 1;
                        session.server_app_last = Some(last);
                    }
                },
                TlsEvent::ChangeCipherSpec | TlsEvent::Handshake(_) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::tcp_session;
    use super::*;
    use crate::flow::Side;
    use crate::proto::tls::AlertDescription;

    #[test]
    fn application_data_and_alerts_are_counted_per_side() {
        let mut c = Collector::default();
        tcp_session(
            &mut c,
            443,
            &[
                // Application data from the client, then from the server, then a server alert.
                (Side::Client, &[0x17, 0x03, 0x03, 0x00, 0x02, 0xaa, 0xbb]),
                (Side::Server, &[0x17, 0x03, 0x03, 0x00, 0x01, 0xcc]),
                (Side::Server, &[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x30]),
            ],
        );
        let s = &c.exchanges.tls[0];
        assert_eq!((s.client_app_records, s.server_app_records), (1, 1));
        assert_eq!(s.client_app_frames, vec![3]);
        assert_eq!(s.server_app_last, Some(4));
        assert_eq!(
            s.alerts,
            vec![(Side::Server, 5, Some(AlertDescription::UnknownCa))]
        );
    }
}
