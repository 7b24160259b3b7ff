//! Kerberos messages on port 88 (UDP datagrams and TCP records), decoded and kept in capture order.

use super::*;
use crate::capture::Nanos;
use crate::flow::Endpoint;
use crate::proto::kerberos::decode_kerberos;

impl Collector {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn kerberos(
        &mut self,
        frame: u64,
        ts: Nanos,
        client: Endpoint,
        server: Endpoint,
        t: Transport,
        from_client: bool,
        msg: &[u8],
    ) {
        if self.over_limit(Recorded::Kerberos, client.ip, frame) {
            return;
        }
        if !self.decryption.passwords.is_empty() {
            self.ticket_keys
                .observe_kdc_message(&self.decryption, msg, frame);
        }
        match msg.first() {
            Some(&tag) if tag & 0xe0 == 0x60 => {
                let decoded = match decode_kerberos(msg) {
                    Ok(m) => Some(m),
                    Err(e) => {
                        self.warnings.add(self.input, e.to_string(), frame);
                        None
                    }
                };
                self.exchanges.kerberos.push(KerberosMessage {
                    frame,
                    client,
                    server,
                    transport: t,
                    from_client,
                    msg_type: tag & 0x1f,
                    ts,
                    decoded,
                })
            }
            _ => self
                .warnings
                .add(self.input, "kerberos: not a Kerberos message", frame),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{CLIENT, SERVER, ep};
    use super::*;

    #[test]
    fn every_message_on_port_88_is_kept_in_order_with_its_direction() {
        let mut c = Collector::default();
        // Application tags 10 (AS-REQ) and 30 (KRB-ERROR) around an empty body: kept with
        // their type even when the body does not decode.
        c.udp(
            1,
            0,
            ep(CLIENT, 40000),
            ep(SERVER, 88),
            &[0x6a, 0x02, 0x30, 0x00],
        );
        c.udp(
            2,
            1,
            ep(SERVER, 88),
            ep(CLIENT, 40000),
            &[0x7e, 0x02, 0x30, 0x00],
        );
        let k = &c.exchanges.kerberos;
        assert_eq!(k.len(), 2, "{k:?}");
        assert_eq!((k[0].msg_type, k[0].from_client), (10, true));
        assert_eq!((k[1].msg_type, k[1].from_client), (30, false));
        assert_eq!(k[1].client, ep(CLIENT, 40000));
    }
}
