//! A TCP stream's bytes cut into messages by the connection's service: DNS and Kerberos records, LDAP PDUs (inside SASL buffers once a security layer is on, unwrapped when only signed), TLS records and HTTP messages.

use super::ldap_messages::ldap_framing;
use super::*;
use crate::capture::Nanos;
use crate::flow::{ConnId, Endpoint, Side};
use crate::proto::framing::{Framing, u16_length_prefixed};
use crate::proto::http::message_length;
use crate::proto::kerberos::tcp_record_length;
use crate::proto::ldap::{self};
use crate::proto::sasl::{self, Unwrapped, sasl_buffer_length, unwrap_buffer};
use crate::proto::tls::record_length;

impl Collector {
    pub(super) fn stream_data(
        &mut self,
        id: ConnId,
        from: Side,
        data: &[u8],
        frame: u64,
        ts: Nanos,
    ) {
        let Some(conn) = self.conns.get_mut(&id) else {
            return self.retired_conn_traffic(id, frame);
        };
        let tcp = &mut self.exchanges.tcp[conn.index];
        match from {
            Side::Client => tcp.bytes_from_client += data.len() as u64,
            Side::Server => tcp.bytes_from_server += data.len() as u64,
        }
        let (client, server, service) = (tcp.client, tcp.server, conn.service);
        let dir = match from {
            Side::Client => &mut conn.client,
            Side::Server => &mut conn.server,
        };
        if service == Service::Other || dir.dead {
            return;
        }
        if dir.resync && dir.buf.is_empty() {
            dir.resync = false;
        }
        dir.buf.push(data, frame);
        loop {
            let Some(conn) = self.conns.get_mut(&id) else {
                return;
            };
            let sasl_bound = conn.sasl_bound;
            let dir = match from {
                Side::Client => &mut conn.client,
                Side::Server => &mut conn.server,
            };
            let sasl = dir.sasl;
            let framing: fn(&[u8]) -> Framing = match service {
                Service::Dns => u16_length_prefixed,
                Service::Kerberos => tcp_record_length,
                Service::Ldap if sasl => sasl_buffer_length,
                Service::Ldap => ldap_framing,
                Service::Tls => record_length,
                Service::Http => message_length,
                Service::Other => return,
            };
            let (msg, frames) = match dir.buf.next_message(framing) {
                Ok(Some(m)) => m,
                Ok(None) => return,
                Err(reason) => {
                    if service == Service::Ldap
                        && sasl_bound
                        && !sasl
                        && looks_sasl_wrapped(dir.buf.bytes())
                    {
                        // From here on both directions carry SASL buffers.
                        conn.client.sasl = true;
                        conn.server.sasl = true;
                        let tcp = &mut self.exchanges.tcp[conn.index];
                        tcp.sasl.get_or_insert(SaslLayer {
                            from_frame: frame,
                            sealed: false,
                            mechanism: "",
                        });
                        continue;
                    }
                    dir.buf.clear();
                    if !dir.resync {
                        dir.dead = true;
                        self.warnings.add(self.input, reason, frame);
                    }
                    return;
                }
            };
            let from_client = from == Side::Client;
            let last = frames.last().copied().unwrap_or(frame);
            match service {
                Service::Dns => self.dns(
                    last,
                    ts,
                    client,
                    server,
                    Transport::Tcp,
                    msg.get(2..).unwrap_or_default(),
                ),
                Service::Kerberos => self.kerberos(
                    last,
                    ts,
                    client,
                    server,
                    Transport::Tcp,
                    from_client,
                    msg.get(4..).unwrap_or_default(),
                ),
                Service::Ldap if sasl => {
                    self.sasl_buffer(id, client, server, from_client, &msg, frames, ts)
                }
                Service::Ldap if !self.decryption.is_empty() => {
                    if let Some(conn) = self.conns.get_mut(&id) {
                        conn.bind_keys.get_or_insert_default().observe_pdu(
                            &self.decryption,
                            &self.ticket_keys,
                            from_client,
                            &msg,
                            last,
                        );
                    }
                    self.bare_ldap(id, client, server, from_client, &msg, frames, ts);
                }
                Service::Ldap => self.bare_ldap(id, client, server, from_client, &msg, frames, ts),
                Service::Tls => self.tls_record(id, from, &msg, &frames, ts),
                Service::Http => self.http(id, &msg, last, ts, false),
                Service::Other => {}
            }
        }
    }

    /// One LDAP PDU outside a SASL layer (clear, or decrypted from TLS), decoded and matched.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn bare_ldap(
        &mut self,
        id: ConnId,
        client: Endpoint,
        server: Endpoint,
        from_client: bool,
        msg: &[u8],
        frames: Vec<u64>,
        ts: Nanos,
    ) {
        let last = frames.last().copied().unwrap_or_default();
        match ldap::decode_message_with(msg, self.decode_options) {
            Ok((m, password)) => {
                crate::secrets::keep(&mut self.secrets, &m, password, last);
                self.ldap(
                    Some(id),
                    Transport::Tcp,
                    client,
                    server,
                    from_client,
                    m,
                    frames,
                    ts,
                )
            }
            Err(e) => self.warnings.add(self.input, format!("ldap: {e}"), last),
        }
    }

    /// The LDAP messages of an unwrapped (or decrypted) SASL buffer, decoded and matched.
    #[allow(clippy::too_many_arguments)]
    fn unwrapped_ldap(
        &mut self,
        id: ConnId,
        client: Endpoint,
        server: Endpoint,
        from_client: bool,
        mut ldap_bytes: Vec<u8>,
        frames: Vec<u64>,
        ts: Nanos,
    ) {
        let last = frames.last().copied().unwrap_or_default();
        while !ldap_bytes.is_empty() {
            let n = match ldap::pdu_length(&ldap_bytes) {
                ldap::PduLen::Complete(n) => n,
                _ => {
                    self.warnings.add(
                        self.input,
                        "ldap: unwrapped SASL buffer is not whole LDAP messages",
                        last,
                    );
                    return;
                }
            };
            let pdu: Vec<u8> = ldap_bytes.drain(..n.min(ldap_bytes.len())).collect();
            match ldap::decode_message(&pdu) {
                Ok(m) => self.ldap(
                    Some(id),
                    Transport::Tcp,
                    client,
                    server,
                    from_client,
                    m,
                    frames.clone(),
                    ts,
                ),
                Err(e) => self.warnings.add(self.input, format!("ldap: {e}"), last),
            }
        }
    }

    /// One SASL buffer: integrity-only tokens are unwrapped and their LDAP messages decoded like
    /// clear traffic; a sealed token is decrypted when the bind gave keys (see
    /// [`crate::messages::decrypt`]), and otherwise ends the reading of this connection.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn sasl_buffer(
        &mut self,
        id: ConnId,
        client: Endpoint,
        server: Endpoint,
        from_client: bool,
        buffer: &[u8],
        frames: Vec<u64>,
        ts: Nanos,
    ) {
        let last = frames.last().copied().unwrap_or_default();
        let Some(conn) = self.conns.get_mut(&id) else {
            return;
        };
        let Some(layer) = self
            .exchanges
            .tcp
            .get_mut(conn.index)
            .and_then(|t| t.sasl.as_mut())
        else {
            return;
        };
        match unwrap_buffer(buffer) {
            Unwrapped::Clear(ldap_bytes) => {
                if layer.mechanism.is_empty() {
                    layer.mechanism = sasl_mechanism(buffer);
                }
                self.unwrapped_ldap(id, client, server, from_client, ldap_bytes, frames, ts);
            }
            Unwrapped::Sealed { mech } => {
                layer.sealed = true;
                layer.mechanism = mech;
                let keys = conn.bind_keys.as_deref_mut();
                if let Some(context) = keys.and_then(|k| k.context_mut()) {
                    match context.unwrap_sasl_buffer(from_client, buffer) {
                        Ok(ldap_bytes) => {
                            let opened_with = context.opened_with().to_string();
                            if let Some(t) = self.exchanges.tcp.get_mut(conn.index) {
                                t.decrypted_with.get_or_insert(opened_with);
                            }
                            return self.unwrapped_ldap(
                                id,
                                client,
                                server,
                                from_client,
                                ldap_bytes,
                                frames,
                                ts,
                            );
                        }
                        Err(e) => self.warnings.add(
                            self.input,
                            format!("ldap: sealed SASL buffer not decrypted: {e}"),
                            last,
                        ),
                    }
                } else if let Some(e) = conn.bind_keys.as_deref().and_then(|k| k.failure()) {
                    let message = format!("ldap: no keys for the sealed SASL layer: {e}");
                    let kind = e.warning_kind().map_or_else(
                        || message.clone(),
                        |kind| format!("ldap: no keys for the sealed SASL layer: {kind}"),
                    );
                    self.warnings.add_kind(self.input, kind, message, last);
                }
                conn.client.dead = true;
                conn.server.dead = true;
                conn.client.buf.clear();
                conn.server.buf.clear();
            }
            Unwrapped::NotWrapped => {
                let dir = if from_client {
                    &mut conn.client
                } else {
                    &mut conn.server
                };
                dir.dead = true;
                self.warnings.add(
                    self.input,
                    "ldap: SASL buffer without a GSS wrap token",
                    last,
                );
            }
        }
    }
}

/// The token form of an integrity-only buffer, named as [`Unwrapped::Sealed`] names it.
pub(super) fn sasl_mechanism(buffer: &[u8]) -> &'static str {
    match buffer.get(4..6) {
        Some([0x05, 0x04]) => sasl::MECH_CFX,
        Some([0x60, _]) => sasl::MECH_RFC1964,
        _ => sasl::MECH_NTLM,
    }
}

/// A SASL security-layer buffer: 4-byte length, then a GSS wrap token (RFC 4121 `05 04`, an
/// RFC 1964 / 4757 token `60`, or an NTLM signature version `01 00 00 00`).
pub(super) fn looks_sasl_wrapped(buf: &[u8]) -> bool {
    matches!(
        buf,
        [0, _, _, _, 0x05, 0x04, ..] | [0, _, _, _, 0x60, ..] | [0, _, _, _, 1, 0, 0, 0, ..]
    )
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{rootdse_search, tcp_session};
    use super::*;
    use crate::flow::Side;

    #[test]
    fn an_ldap_pdu_split_across_segments_is_read_once_whole() {
        let mut c = Collector::default();
        let (req, done) = rootdse_search(3);
        let (a, b) = req.split_at(7);
        tcp_session(
            &mut c,
            389,
            &[(Side::Client, a), (Side::Client, b), (Side::Server, &done)],
        );
        let l = &c.exchanges.ldap;
        assert_eq!(l.len(), 1, "{l:?}");
        assert_eq!(l[0].frames, vec![3, 4]);
        assert!(l[0].result.is_some());
    }

    #[test]
    fn sasl_wrapped_buffers_are_told_from_bare_ldap() {
        assert!(looks_sasl_wrapped(&[0, 0, 0, 40, 0x05, 0x04, 0, 0]));
        assert!(looks_sasl_wrapped(&[0, 0, 0, 40, 1, 0, 0, 0]));
        assert!(!looks_sasl_wrapped(&[0x30, 0x0c, 0x02, 0x01]));
        assert_eq!(sasl_mechanism(&[0, 0, 0, 40, 0x05, 0x04]), sasl::MECH_CFX);
    }
}
