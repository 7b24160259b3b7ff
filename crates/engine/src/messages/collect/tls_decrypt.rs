//! TLS decryption with a key log: per connection, the hello randoms, version and cipher suite
//! the handshake shows; per direction, the decryptor built from the key log's secrets for that
//! client random (TLS 1.2 from ChangeCipherSpec on, TLS 1.3 from the ServerHello on) and the
//! decrypted application data, framed by the protocol inside (HTTP on 443 or with ALPN
//! http/1.1, LDAP on 636/3269 or after StartTLS) and handed to the same collection as clear
//! traffic. In TLS 1.3 the decrypted handshake records give the server's certificate to the
//! session, where TLS 1.2 shows it in clear. Without a key log nothing here runs.

use std::sync::Arc;

use super::*;
use crate::capture::{DecryptionSecrets, Nanos};
use crate::crypto::keylog::{ConnectionSecrets, KeyLog};
use crate::crypto::tls::{CipherSuite, Tls12Decryptor, Tls13Decryptor, TlsDecryptError, Writer};
use crate::flow::{ConnId, Side};
use crate::proto::framing::Framing;
use crate::proto::http::message_length;
use crate::proto::tls::TlsEvent;
use crate::proto::tls13::Tls13Handshake;

const CT_CHANGE_CIPHER_SPEC: u8 = 20;
const CT_HANDSHAKE: u8 = 22;
const CT_APPLICATION_DATA: u8 = 23;
const TLS13: u16 = 0x0304;

/// What the application data of a decrypted connection carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Inner {
    Http,
    Ldap,
}

/// One direction's decryptor.
enum DirectionKeys {
    /// TLS 1.2: active once this direction sent ChangeCipherSpec.
    Tls12 {
        decryptor: Box<Tls12Decryptor>,
        active: bool,
    },
    Tls13(Box<Tls13Decryptor>),
}

/// One direction's decryption state.
#[derive(Default)]
pub(super) struct DecryptDirection {
    keys: Option<DirectionKeys>,
    /// Decrypted application data not yet framed into a whole message.
    plain: StreamBuf,
    /// TLS 1.3: decrypted handshake bytes not yet a whole message.
    handshake: Tls13Handshake,
    dead: bool,
}

/// A TLS connection's decryption state (kept only while a key log is loaded).
#[derive(Default)]
pub(super) struct TlsDecrypt {
    client_random: Option<[u8; 32]>,
    /// The frame the ClientHello ended in, to name the session a key log does not know.
    client_hello_frame: Option<u64>,
    server_random: Option<[u8; 32]>,
    version: Option<u16>,
    suite: Option<u16>,
    encrypt_then_mac: bool,
    offers_http: bool,
    /// The inner protocol when the port or StartTLS decided it.
    inner: Option<Inner>,
    /// The key log has this connection's client random.
    matched: bool,
    /// A record of this connection decrypted (counted in [`TlsKeys::decrypted`]).
    counted: bool,
    client: DecryptDirection,
    server: DecryptDirection,
}

impl TlsDecrypt {
    pub(super) fn with_inner(inner: Option<Inner>) -> Self {
        TlsDecrypt {
            inner,
            ..Default::default()
        }
    }

    fn dir(&mut self, from: Side) -> &mut DecryptDirection {
        match from {
            Side::Client => &mut self.client,
            Side::Server => &mut self.server,
        }
    }

    fn inner(&self) -> Option<Inner> {
        self.inner.or(self.offers_http.then_some(Inner::Http))
    }
}

/// The key log of the run and what it achieved.
#[derive(Debug, Default, Clone)]
pub struct TlsKeys {
    log: Option<Arc<KeyLog>>,
    /// Connections whose client random the key log has.
    pub matched: usize,
    /// Connections with at least one record decrypted.
    pub decrypted: usize,
}

impl TlsKeys {
    pub fn is_loaded(&self) -> bool {
        self.log.as_ref().is_some_and(|l| !l.is_empty())
    }

    /// How many connections (client randoms) the key log holds.
    pub fn entries(&self) -> usize {
        self.log.as_ref().map_or(0, |l| l.len())
    }

    fn secrets(&self, random: &[u8; 32]) -> Option<&ConnectionSecrets> {
        self.log.as_ref()?.get(random)
    }
}

/// The protocol inside TLS on this server port, when the port says it.
pub(super) fn inner_for_port(port: u16) -> Option<Inner> {
    match port {
        443 => Some(Inner::Http),
        636 | 3269 => Some(Inner::Ldap),
        _ => None,
    }
}

impl Collector {
    /// Adds a key log (`--tls-keylog`, or one from the capture) to the run's.
    pub fn add_tls_key_log(&mut self, log: Arc<KeyLog>) {
        self.tls_keys.log = Some(match self.tls_keys.log.take() {
            None => log,
            Some(mut have) => {
                Arc::make_mut(&mut have).merge((*log).clone());
                have
            }
        });
    }

    /// The pcapng Decryption Secrets Blocks just read: their TLS key logs join the run's; an
    /// unreadable one is a warning naming its line (never its content).
    pub fn add_decryption_secrets(&mut self, blocks: &[DecryptionSecrets]) {
        for block in blocks.iter().filter(|b| b.is_tls_key_log()) {
            match KeyLog::parse_bytes(block.reveal()) {
                Ok(log) => self.add_tls_key_log(Arc::new(log)),
                Err(e) => self.warnings.add(
                    self.input,
                    format!("tls: the capture's key log (decryption secrets block): {e}"),
                    0,
                ),
            }
        }
    }

    /// End of input: a key log that decrypted nothing is worth a warning.
    pub fn finish_decryption(&mut self) {
        if self.tls_keys.is_loaded() && self.tls_keys.decrypted == 0 {
            let n = self.tls_keys.entries();
            self.warnings.add(
                0,
                format!(
                    "tls: the key log's {n} entr{} tried, no connection decrypted (no TLS \
                     connection in the capture has a client random the key log knows, or its \
                     records did not authenticate)",
                    if n == 1 { "y was" } else { "ies were" }
                ),
                0,
            );
        }
    }

    /// Notes what the handshake shows and, once both hellos are seen and the key log knows the
    /// client random, builds the decryptors; then decrypts `record` if its direction is
    /// encrypted. Called for every TLS record before its events are recorded.
    pub(super) fn tls_decrypt_record(
        &mut self,
        id: ConnId,
        from: Side,
        record: &[u8],
        events: &[TlsEvent],
        frames: &[u64],
        ts: Nanos,
    ) {
        if !self.tls_keys.is_loaded() {
            return;
        }
        let keys = self.tls_keys.clone();
        let Some(conn) = self.conns.get_mut(&id) else {
            return;
        };
        let port = self
            .exchanges
            .tcp
            .get(conn.index)
            .map_or(0, |t| t.server.port);
        let state = conn
            .decrypt
            .get_or_insert_with(|| Box::new(TlsDecrypt::with_inner(inner_for_port(port))));
        for ev in events {
            match ev {
                TlsEvent::ClientHello { random, alpn, .. } => {
                    state.client_random = Some(*random);
                    state.client_hello_frame = frames.last().copied();
                    state.offers_http = alpn.iter().any(|p| p == "http/1.1");
                }
                TlsEvent::ServerHello {
                    version,
                    cipher,
                    random,
                    encrypt_then_mac,
                } => {
                    state.server_random = Some(*random);
                    state.encrypt_then_mac = *encrypt_then_mac;
                    state.version = Some(*version);
                    state.suite = Some(*cipher);
                    let before = state.matched;
                    if let Err(e) = build_keys(state, &keys) {
                        self.warnings.add(
                            self.input,
                            e.to_string(),
                            frames.last().copied().unwrap_or_default(),
                        );
                    }
                    if state.matched && !before {
                        self.tls_keys.matched += 1;
                    }
                    if !state.matched && state.client_random.is_some() {
                        let n = keys.entries();
                        let frame = state
                            .client_hello_frame
                            .or(frames.last().copied())
                            .unwrap_or_default();
                        self.warnings.add_kind(
                            self.input,
                            "tls: the key log has no line for a session's client random".into(),
                            format!(
                                "tls: the key log has lines for {n} client random{}, none that \
                                 of the TLS session whose ClientHello is in frame {frame}",
                                if n == 1 { "" } else { "s" }
                            ),
                            frame,
                        );
                    }
                }
                _ => {}
            }
        }
        let Some(ct) = record.first().copied() else {
            return;
        };
        let Some(conn) = self.conns.get_mut(&id) else {
            return;
        };
        let Some(state) = conn.decrypt.as_mut() else {
            return;
        };
        let inner = state.inner();
        let dir = state.dir(from);
        if dir.dead {
            return;
        }
        let tls13 = matches!(dir.keys, Some(DirectionKeys::Tls13(_)));
        let plain = match dir.keys.as_mut() {
            None => return,
            Some(DirectionKeys::Tls12 { active, .. }) if ct == CT_CHANGE_CIPHER_SPEC => {
                *active = true;
                return;
            }
            Some(DirectionKeys::Tls12 { active: false, .. }) => return,
            Some(DirectionKeys::Tls12 { decryptor, .. }) => {
                let (Some([v1, v2]), Some(fragment)) = (record.get(1..3), record.get(5..)) else {
                    return;
                };
                decryptor
                    .decrypt(ct, u16::from_be_bytes([*v1, *v2]), fragment)
                    .map(|data| (ct, data))
            }
            Some(DirectionKeys::Tls13(_)) if ct != CT_APPLICATION_DATA => return,
            Some(DirectionKeys::Tls13(d)) => d.decrypt(record).map(|p| (p.content_type, p.data)),
        };
        let last = frames.last().copied().unwrap_or_default();
        let (content_type, data) = match plain {
            Ok(p) => p,
            Err(e) => {
                // TLS 1.3 handshake records when only the traffic secrets were logged are
                // expected not to open; any other failure ends this direction's decryption.
                if !matches!(
                    (&dir.keys, &e),
                    (Some(DirectionKeys::Tls13(d)), TlsDecryptError::Authentication)
                        if !d.in_application_phase()
                ) {
                    dir.dead = true;
                    self.warnings
                        .add(self.input, format!("{e} (TLS key log)"), last);
                }
                return;
            }
        };
        if !std::mem::replace(&mut state.counted, true) {
            self.tls_keys.decrypted += 1;
        }
        if let Some(session) = conn.tls.and_then(|i| self.exchanges.tls.get_mut(i)) {
            session.decrypted_records += 1;
        }
        if content_type == CT_HANDSHAKE && tls13 {
            self.decrypted_handshake(id, from, &data, frames, ts);
            return;
        }
        if content_type != CT_APPLICATION_DATA {
            return;
        }
        let Some(inner) = inner else {
            return;
        };
        let dir = state.dir(from);
        dir.plain.push(&data, last);
        self.decrypted_messages(id, from, inner, ts);
    }

    /// A decrypted TLS 1.3 handshake record: the server's Certificate message is the session's
    /// certificate, as a clear one is before TLS 1.3 (the client's own, when asked for, is not).
    fn decrypted_handshake(
        &mut self,
        id: ConnId,
        from: Side,
        data: &[u8],
        frames: &[u64],
        ts: Nanos,
    ) {
        let Some(conn) = self.conns.get_mut(&id) else {
            return;
        };
        let Some(state) = conn.decrypt.as_mut() else {
            return;
        };
        let mut events = Vec::new();
        let last = frames.last().copied().unwrap_or_default();
        if let Err(e) = state.dir(from).handshake.record(data, &mut events) {
            self.warnings.add(
                self.input,
                format!("{e} (decrypted with the TLS key log)"),
                last,
            );
        }
        let Some(session) = conn.tls.and_then(|i| self.exchanges.tls.get_mut(i)) else {
            return;
        };
        for ev in events {
            if let (Side::Server, TlsEvent::Certificate { chain }) = (from, ev)
                && session.certificate.is_none()
            {
                let first = frames.first().copied().unwrap_or_default();
                session.certificate = Some((first, chain));
                session.certificate_ts = Some(ts);
                session.certificate_decrypted = true;
                self.exchanges.times.note(first, ts);
            }
        }
    }

    /// Frames and hands on the whole messages of a direction's decrypted application data.
    fn decrypted_messages(&mut self, id: ConnId, from: Side, inner: Inner, ts: Nanos) {
        let framing: fn(&[u8]) -> Framing = match inner {
            Inner::Http => message_length,
            Inner::Ldap => super::ldap_messages::ldap_framing,
        };
        loop {
            let Some(conn) = self.conns.get_mut(&id) else {
                return;
            };
            let index = conn.index;
            let Some(state) = conn.decrypt.as_mut() else {
                return;
            };
            let dir = state.dir(from);
            let (msg, frames) = match dir.plain.next_message(framing) {
                Ok(Some(m)) => m,
                Ok(None) => return,
                Err(reason) => {
                    dir.plain.clear();
                    dir.dead = true;
                    self.warnings.add(
                        self.input,
                        format!("{reason} (decrypted with the TLS key log)"),
                        0,
                    );
                    return;
                }
            };
            let last = frames.last().copied().unwrap_or_default();
            match inner {
                Inner::Http => self.http(id, &msg, last, ts, true),
                Inner::Ldap => {
                    let Some(tcp) = self.exchanges.tcp.get_mut(index) else {
                        return;
                    };
                    let (client, server) = (tcp.client, tcp.server);
                    if let Some(layer) = tcp.sasl.as_mut().filter(|l| l.sealed) {
                        // Read after all: the layer is not opaque to this analysis.
                        layer.sealed = false;
                    }
                    tcp.decrypted_with
                        .get_or_insert_with(|| "the TLS key log".to_string());
                    self.bare_ldap(id, client, server, from == Side::Client, &msg, frames, ts);
                }
            }
        }
    }
}

/// Builds both directions' decryptors when the key log has the secrets of this connection.
fn build_keys(state: &mut TlsDecrypt, keys: &TlsKeys) -> Result<(), TlsDecryptError> {
    let (Some(client_random), Some(version), Some(suite_id)) =
        (state.client_random, state.version, state.suite)
    else {
        return Ok(());
    };
    let Some(secrets) = keys.secrets(&client_random) else {
        return Ok(());
    };
    state.matched = true;
    let suite = CipherSuite::from_id(suite_id)?;
    if version == TLS13 {
        let (Some(c), Some(s)) = (&secrets.client_traffic_0, &secrets.server_traffic_0) else {
            return Ok(());
        };
        let hs =
            |s: &Option<crate::crypto::keylog::Secret>| s.as_ref().map(|s| s.reveal().to_vec());
        let (ch, sh) = (
            hs(&secrets.client_handshake_traffic),
            hs(&secrets.server_handshake_traffic),
        );
        state.client.keys = Some(DirectionKeys::Tls13(Box::new(Tls13Decryptor::new(
            suite,
            ch.as_deref(),
            c.reveal(),
        )?)));
        state.server.keys = Some(DirectionKeys::Tls13(Box::new(Tls13Decryptor::new(
            suite,
            sh.as_deref(),
            s.reveal(),
        )?)));
    } else {
        let (Some(master), Some(server_random)) = (&secrets.master_secret, state.server_random)
        else {
            return Ok(());
        };
        for (writer, dir) in [
            (Writer::Client, &mut state.client),
            (Writer::Server, &mut state.server),
        ] {
            dir.keys = Some(DirectionKeys::Tls12 {
                decryptor: Box::new(
                    Tls12Decryptor::new(
                        suite,
                        master.reveal(),
                        &client_random,
                        &server_random,
                        writer,
                    )?
                    .with_encrypt_then_mac(state.encrypt_then_mac),
                ),
                active: false,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use aes_gcm::aead::{Aead, KeyInit, Payload};
    use aes_gcm::{Aes128Gcm, Nonce};

    use super::super::test_support::{rootdse_search, tcp_session};
    use super::*;
    use crate::crypto::tls::prf::{DirectionKeys, key_block};

    const CR: [u8; 32] = [0x11; 32];
    const SR: [u8; 32] = [0x22; 32];
    const MASTER: [u8; 48] = [0x42; 48];
    const SUITE: u16 = 0xc02f; // ECDHE_RSA_WITH_AES_128_GCM_SHA256

    fn record(ct: u8, body: &[u8]) -> Vec<u8> {
        let mut r = vec![ct, 3, 3];
        r.extend((body.len() as u16).to_be_bytes());
        r.extend_from_slice(body);
        r
    }

    fn handshake(kind: u8, body: &[u8]) -> Vec<u8> {
        let mut h = vec![kind];
        h.extend(&(body.len() as u32).to_be_bytes()[1..]);
        h.extend_from_slice(body);
        record(22, &h)
    }

    fn client_hello() -> Vec<u8> {
        let mut b = vec![3, 3];
        b.extend(CR);
        b.extend([0, 0, 2, (SUITE >> 8) as u8, SUITE as u8, 1, 0]);
        handshake(1, &b)
    }

    fn server_hello() -> Vec<u8> {
        let mut b = vec![3, 3];
        b.extend(SR);
        b.extend([0, (SUITE >> 8) as u8, SUITE as u8, 0]);
        handshake(2, &b)
    }

    /// A TLS 1.2 AES-GCM record as the peer would write it.
    fn sealed(keys: &DirectionKeys, seq: u64, ct: u8, plain: &[u8]) -> Vec<u8> {
        let explicit = seq.to_be_bytes();
        let mut nonce = keys.iv.clone();
        nonce.extend(explicit);
        let mut aad = seq.to_be_bytes().to_vec();
        aad.extend([ct, 3, 3]);
        aad.extend((plain.len() as u16).to_be_bytes());
        let cipher = Aes128Gcm::new_from_slice(&keys.key).unwrap();
        let mut body = explicit.to_vec();
        body.extend(
            cipher
                .encrypt(
                    &Nonce::try_from(nonce.as_slice()).unwrap(),
                    Payload {
                        msg: plain,
                        aad: &aad,
                    },
                )
                .unwrap(),
        );
        record(ct, &body)
    }

    fn keyed_collector(key_log: &str) -> Collector {
        let mut c = Collector::default();
        c.add_tls_key_log(Arc::new(KeyLog::parse(key_log).unwrap()));
        c
    }

    fn key_log_line() -> String {
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        format!("CLIENT_RANDOM {} {}\n", hex(&CR), hex(&MASTER))
    }

    /// The TLS 1.2 records of a session whose application data is a RootDSE search and its
    /// result: hellos, each side's ChangeCipherSpec and encrypted Finished, then the LDAP.
    fn ldap_over_tls() -> Vec<(Side, Vec<u8>)> {
        let suite = CipherSuite::from_id(SUITE).unwrap();
        let kb = key_block(&suite, &MASTER, &CR, &SR).unwrap();
        let (search, done) = rootdse_search(7);
        let finished = [&[20u8, 0, 0, 12][..], &[0xaa; 12]].concat();
        vec![
            (Side::Client, client_hello()),
            (Side::Server, server_hello()),
            (Side::Server, record(20, &[1])),
            (Side::Server, sealed(&kb.server, 0, 22, &finished)),
            (Side::Client, record(20, &[1])),
            (Side::Client, sealed(&kb.client, 0, 22, &finished)),
            (Side::Client, sealed(&kb.client, 1, 23, &search)),
            (Side::Server, sealed(&kb.server, 1, 23, &done)),
        ]
    }

    fn feed(c: &mut Collector, port: u16, prelude: &[(Side, Vec<u8>)]) {
        let all: Vec<(Side, Vec<u8>)> = prelude.iter().cloned().chain(ldap_over_tls()).collect();
        let borrowed: Vec<(Side, &[u8])> = all.iter().map(|(s, b)| (*s, b.as_slice())).collect();
        tcp_session(c, port, &borrowed);
    }

    #[test]
    fn ldaps_is_read_like_clear_ldap_with_the_key_log() {
        let mut c = keyed_collector(&key_log_line());
        feed(&mut c, 636, &[]);
        let l = &c.exchanges.ldap;
        assert_eq!(l.len(), 1, "{l:?} {:?}", c.warnings.warnings());
        assert!(l[0].result.is_some());
        assert_eq!(l[0].frames, vec![9]);
        assert_eq!(c.exchanges.tls[0].decrypted_records, 4);
        assert_eq!((c.tls_keys.matched, c.tls_keys.decrypted), (1, 1));
        // Read after all: the LDAPS layer is not opaque to this analysis.
        assert_eq!(
            c.exchanges.tcp[0].sasl.as_ref().map(|s| s.sealed),
            Some(false)
        );
        c.finish_decryption();
        assert!(
            c.warnings.warnings().is_empty(),
            "{:?}",
            c.warnings.warnings()
        );
    }

    #[test]
    fn without_a_key_log_ldaps_stays_sealed_and_unread() {
        let mut c = Collector::default();
        feed(&mut c, 636, &[]);
        assert!(c.exchanges.ldap.is_empty());
        assert_eq!(c.exchanges.tls[0].decrypted_records, 0);
        assert_eq!(
            c.exchanges.tcp[0].sasl.as_ref().map(|s| s.sealed),
            Some(true)
        );
    }

    #[test]
    fn starttls_continues_as_decrypted_ldap() {
        let oid = STARTTLS_OID.as_bytes();
        let mut req = vec![0x77, (oid.len() + 2) as u8, 0x80, oid.len() as u8];
        req.extend(oid);
        let mut req_pdu = vec![0x30, (req.len() + 3) as u8, 2, 1, 1];
        req_pdu.extend(req);
        let resp_pdu = vec![0x30, 0x0c, 2, 1, 1, 0x78, 0x07, 0x0a, 1, 0, 4, 0, 4, 0];
        let prelude = [(Side::Client, req_pdu), (Side::Server, resp_pdu)];
        let mut c = keyed_collector(&key_log_line());
        feed(&mut c, 389, &prelude);
        let l = &c.exchanges.ldap;
        assert_eq!(l.len(), 2, "{l:?} {:?}", c.warnings.warnings());
        assert!(l[1].result.is_some(), "{l:?}");
        assert_eq!(c.tls_keys.decrypted, 1);
        // No TLS session is recorded for the chain on an LDAP port.
        assert!(c.exchanges.tls.is_empty());
        // Without the key log the StartTLS connection is not read further.
        let mut plain = Collector::default();
        feed(&mut plain, 389, &prelude);
        assert_eq!(plain.exchanges.ldap.len(), 1);
    }

    #[test]
    fn a_key_log_for_another_connection_names_the_session_and_warns_at_the_end() {
        let other = key_log_line().replace(&"11".repeat(32), &"33".repeat(32));
        let mut c = keyed_collector(&other);
        feed(&mut c, 636, &[]);
        assert!(c.exchanges.ldap.is_empty());
        assert_eq!(c.tls_keys.matched, 0);
        c.finish_decryption();
        let w: Vec<String> = c
            .warnings
            .warnings()
            .iter()
            .map(|w| w.to_string())
            .collect();
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(
            w[0].contains(
                "the key log has lines for 1 client random, none that of the TLS session \
                 whose ClientHello is in frame 3"
            ),
            "{w:?}"
        );
        assert!(
            w[1].contains("1 entry was tried, no connection decrypted"),
            "{w:?}"
        );
    }

    #[test]
    fn a_wrong_master_secret_is_a_warning_and_stops_that_direction() {
        let wrong = key_log_line().replace(&"42".repeat(48), &"43".repeat(48));
        let mut c = keyed_collector(&wrong);
        feed(&mut c, 636, &[]);
        assert!(c.exchanges.ldap.is_empty());
        let w: Vec<String> = c
            .warnings
            .warnings()
            .iter()
            .map(|w| w.to_string())
            .collect();
        assert!(
            w.iter().any(|w| w.contains("did not authenticate")),
            "{w:?}"
        );
    }
}
