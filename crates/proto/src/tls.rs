//! TLS records (RFC 5246 / 8446) as far as the chain needs them without keys: ClientHello (SNI,
//! offered versions), ServerHello (chosen version), certificates in clear (TLS 1.2 and earlier),
//! alerts, ChangeCipherSpec and application data. Handshake messages may span records.

use tls_parser::{
    TlsExtension, TlsMessage, TlsMessageHandshake, parse_tls_client_hello_extensions,
    parse_tls_message_handshake, parse_tls_server_hello_extensions,
};

use super::framing::Framing;
use crate::code_point::code_point;

/// Largest record body allowed (2^14 plus the 2048 bytes of expansion RFC 5246 permits).
pub const MAX_TLS_RECORD: usize = 16384 + 2048;
/// Largest handshake message reassembled across records (certificate chains are the big ones).
pub const MAX_TLS_HANDSHAKE: usize = 256 * 1024;

const CT_CHANGE_CIPHER_SPEC: u8 = 20;
const CT_ALERT: u8 = 21;
const CT_HANDSHAKE: u8 = 22;
const CT_APPLICATION_DATA: u8 = 23;
/// The encrypt_then_mac extension (RFC 7366).
const EXT_ENCRYPT_THEN_MAC: u16 = 22;

/// What one TLS record (or handshake message inside it) says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsEvent {
    ClientHello {
        sni: Option<String>,
        versions: Vec<u16>,
        /// ClientHello.random: what a TLS key log is keyed by.
        random: [u8; 32],
        /// The protocols offered by ALPN (`http/1.1`, `h2`...), in order.
        alpn: Vec<String>,
    },
    ServerHello {
        version: u16,
        cipher: u16,
        /// ServerHello.random (the TLS 1.2 key block needs it).
        random: [u8; 32],
        /// The server accepted encrypt-then-MAC (RFC 7366) for CBC suites.
        encrypt_then_mac: bool,
    },
    /// The server's certificate chain as DER blobs (in clear before TLS 1.3; in TLS 1.3 from
    /// the decrypted handshake, see [`crate::tls13`]).
    Certificate {
        chain: Vec<Vec<u8>>,
    },
    /// Another clear handshake message, by name ("ServerHelloDone", "ClientKeyExchange", ...).
    Handshake(&'static str),
    ChangeCipherSpec,
    /// An alert; after ChangeCipherSpec its content is encrypted and only its presence is known.
    Alert {
        level: Option<u8>,
        description: Option<AlertDescription>,
    },
    ApplicationData {
        len: usize,
    },
}

/// Frames the next TLS record: 5-byte header (type, version, length) and body.
pub fn record_length(buf: &[u8]) -> Framing {
    let [ct, major, _minor, hi, lo, ..] = *buf else {
        return Framing::Incomplete;
    };
    if !(CT_CHANGE_CIPHER_SPEC..=24).contains(&ct) || major != 3 {
        return Framing::Invalid(format!("tls: not a record header ({ct:02x} {major:02x})"));
    }
    let len = usize::from(u16::from_be_bytes([hi, lo]));
    if len > MAX_TLS_RECORD {
        return Framing::Invalid(format!(
            "tls: record of {len} bytes exceeds {MAX_TLS_RECORD}"
        ));
    }
    if buf.len() >= 5 + len {
        Framing::Complete(5 + len)
    } else {
        Framing::Incomplete
    }
}

/// Why a TLS record could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlsError {
    /// Fewer than the 5 header bytes.
    #[error("tls: short record")]
    ShortRecord,
    /// A handshake message longer than [`MAX_TLS_HANDSHAKE`]; the buffered bytes are dropped.
    #[error("tls: handshake message of {0} bytes")]
    HandshakeTooLong(usize),
}

/// Per-direction state: handshake bytes waiting for the rest of their message, and whether this
/// side has switched to encryption (after which handshake and alert contents are opaque).
#[derive(Debug, Default, Clone)]
pub struct TlsDirection {
    handshake: Vec<u8>,
    encrypted: bool,
}

impl TlsDirection {
    /// Decodes one whole record (as framed by [`record_length`]) into events.
    pub fn record(&mut self, record: &[u8], out: &mut Vec<TlsEvent>) -> Result<(), TlsError> {
        let (Some(&ct), Some(body)) = (record.first(), record.get(5..)) else {
            return Err(TlsError::ShortRecord);
        };
        match ct {
            CT_CHANGE_CIPHER_SPEC => {
                self.encrypted = true;
                out.push(TlsEvent::ChangeCipherSpec);
            }
            CT_ALERT => out.push(match (self.encrypted, body) {
                (false, [level, description]) => TlsEvent::Alert {
                    level: Some(*level),
                    description: Some(AlertDescription::from(*description)),
                },
                _ => TlsEvent::Alert {
                    level: None,
                    description: None,
                },
            }),
            CT_HANDSHAKE if !self.encrypted => return self.handshake_bytes(body, out),
            CT_HANDSHAKE => out.push(TlsEvent::Handshake("encrypted handshake")),
            CT_APPLICATION_DATA => out.push(TlsEvent::ApplicationData { len: body.len() }),
            _ => {}
        }
        Ok(())
    }

    fn handshake_bytes(&mut self, body: &[u8], out: &mut Vec<TlsEvent>) -> Result<(), TlsError> {
        whole_handshakes(&mut self.handshake, body, |msg| {
            out.push(handshake_event(msg))
        })
    }
}

/// Appends `body` to the handshake bytes `buf` holds and hands each whole message (4-byte
/// header included) to `each`; what is left waits in `buf` for the next record.
pub(crate) fn whole_handshakes(
    buf: &mut Vec<u8>,
    body: &[u8],
    mut each: impl FnMut(&[u8]),
) -> Result<(), TlsError> {
    buf.extend_from_slice(body);
    loop {
        let [_, a, b, c, ..] = *buf.as_slice() else {
            return Ok(());
        };
        // A 24-bit length plus the 4-byte header: at most 2^24 + 3, no overflow.
        let body_len = u32::from_be_bytes([0, a, b, c]);
        let len = usize::try_from(body_len.saturating_add(4)).unwrap_or(usize::MAX);
        if len > MAX_TLS_HANDSHAKE {
            buf.clear();
            return Err(TlsError::HandshakeTooLong(len));
        }
        if buf.len() < len {
            return Ok(());
        }
        let msg: Vec<u8> = buf.drain(..len).collect();
        each(&msg);
    }
}

fn handshake_event(msg: &[u8]) -> TlsEvent {
    let Ok((_, TlsMessage::Handshake(hs))) = parse_tls_message_handshake(msg) else {
        return TlsEvent::Handshake(handshake_name(msg.first().copied().unwrap_or(255)));
    };
    match hs {
        TlsMessageHandshake::ClientHello(ch) => {
            let mut sni = None;
            let mut alpn = Vec::new();
            let mut versions = vec![ch.version.0];
            let exts = ch
                .ext
                .and_then(|e| parse_tls_client_hello_extensions(e).ok());
            for ext in exts.map(|(_, v)| v).unwrap_or_default() {
                match ext {
                    TlsExtension::SNI(names) => {
                        sni = names
                            .first()
                            .map(|(_, n)| String::from_utf8_lossy(n).into_owned())
                    }
                    TlsExtension::SupportedVersions(v) => {
                        versions = v.iter().map(|v| v.0).filter(|v| !is_grease(*v)).collect()
                    }
                    TlsExtension::ALPN(protocols) => {
                        alpn = protocols
                            .iter()
                            .map(|p| String::from_utf8_lossy(p).into_owned())
                            .collect()
                    }
                    _ => {}
                }
            }
            TlsEvent::ClientHello {
                sni,
                versions,
                random: random_of(ch.random),
                alpn,
            }
        }
        TlsMessageHandshake::ServerHello(sh) => {
            let mut version = sh.version.0;
            let mut encrypt_then_mac = false;
            let exts = sh
                .ext
                .and_then(|e| parse_tls_server_hello_extensions(e).ok());
            for ext in exts.map(|(_, v)| v).unwrap_or_default() {
                match ext {
                    TlsExtension::SupportedVersions(v) => {
                        if let Some(v) = v.first() {
                            version = v.0;
                        }
                    }
                    // tls-parser 0.12 reads a ServerHello's type 21 as encrypt_then_mac and
                    // leaves the real one (RFC 7366: type 22) unknown: go by the number.
                    TlsExtension::Unknown(kind, _) if kind.0 == EXT_ENCRYPT_THEN_MAC => {
                        encrypt_then_mac = true
                    }
                    _ => {}
                }
            }
            TlsEvent::ServerHello {
                version,
                cipher: sh.cipher.0,
                random: random_of(sh.random),
                encrypt_then_mac,
            }
        }
        TlsMessageHandshake::Certificate(c) => TlsEvent::Certificate {
            chain: c.cert_chain.iter().map(|c| c.data.to_vec()).collect(),
        },
        _ => TlsEvent::Handshake(handshake_name(msg.first().copied().unwrap_or(255))),
    }
}

/// A hello's 32-byte random (tls-parser hands it as a slice; a short one is zero-filled).
fn random_of(bytes: &[u8]) -> [u8; 32] {
    let mut random = [0u8; 32];
    for (r, b) in random.iter_mut().zip(bytes) {
        *r = *b;
    }
    random
}

fn is_grease(v: u16) -> bool {
    v & 0x0f0f == 0x0a0a
}

/// The name of a handshake message type.
pub fn handshake_name(kind: u8) -> &'static str {
    match kind {
        0 => "HelloRequest",
        1 => "ClientHello",
        2 => "ServerHello",
        4 => "NewSessionTicket",
        5 => "EndOfEarlyData",
        8 => "EncryptedExtensions",
        11 => "Certificate",
        12 => "ServerKeyExchange",
        13 => "CertificateRequest",
        14 => "ServerHelloDone",
        15 => "CertificateVerify",
        16 => "ClientKeyExchange",
        20 => "Finished",
        24 => "KeyUpdate",
        _ => "handshake",
    }
}

/// A protocol version as people write it.
pub fn version_name(v: u16) -> String {
    match v {
        0x0300 => "SSL 3.0".into(),
        0x0301 => "TLS 1.0".into(),
        0x0302 => "TLS 1.1".into(),
        0x0303 => "TLS 1.2".into(),
        0x0304 => "TLS 1.3".into(),
        other => format!("0x{other:04x}"),
    }
}

code_point! {
    /// A TLS alert description (RFC 8446 §6 / RFC 5246 §7.2); `Display` is the RFC's
    /// lower_snake name, `alert_N` outside the registry.
    pub enum AlertDescription(u8) {
        CloseNotify = 0 => "close_notify",
        UnexpectedMessage = 10 => "unexpected_message",
        BadRecordMac = 20 => "bad_record_mac",
        DecryptionFailed = 21 => "decryption_failed",
        RecordOverflow = 22 => "record_overflow",
        DecompressionFailure = 30 => "decompression_failure",
        HandshakeFailure = 40 => "handshake_failure",
        NoCertificate = 41 => "no_certificate",
        BadCertificate = 42 => "bad_certificate",
        UnsupportedCertificate = 43 => "unsupported_certificate",
        CertificateRevoked = 44 => "certificate_revoked",
        CertificateExpired = 45 => "certificate_expired",
        CertificateUnknown = 46 => "certificate_unknown",
        IllegalParameter = 47 => "illegal_parameter",
        UnknownCa = 48 => "unknown_ca",
        AccessDenied = 49 => "access_denied",
        DecodeError = 50 => "decode_error",
        DecryptError = 51 => "decrypt_error",
        ExportRestriction = 60 => "export_restriction",
        ProtocolVersion = 70 => "protocol_version",
        InsufficientSecurity = 71 => "insufficient_security",
        InternalError = 80 => "internal_error",
        InappropriateFallback = 86 => "inappropriate_fallback",
        UserCanceled = 90 => "user_canceled",
        NoRenegotiation = 100 => "no_renegotiation",
        MissingExtension = 109 => "missing_extension",
        UnsupportedExtension = 110 => "unsupported_extension",
        UnrecognizedName = 112 => "unrecognized_name",
        BadCertificateStatusResponse = 113 => "bad_certificate_status_response",
        UnknownPskIdentity = 115 => "unknown_psk_identity",
        CertificateRequired = 116 => "certificate_required",
        NoApplicationProtocol = 120 => "no_application_protocol",
    }
    unknown(n) => format_args!("alert_{n}");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record_of(ct: u8, body: &[u8]) -> Vec<u8> {
        let mut r = vec![ct, 3, 3];
        r.extend((body.len() as u16).to_be_bytes());
        r.extend_from_slice(body);
        r
    }

    /// A ClientHello with an SNI extension for `host`, hand-built.
    fn client_hello(host: &str) -> Vec<u8> {
        let mut sni = vec![];
        let name = host.as_bytes();
        let list_len = 3 + name.len();
        sni.extend([0, 0]);
        sni.extend(((list_len + 2) as u16).to_be_bytes());
        sni.extend((list_len as u16).to_be_bytes());
        sni.push(0);
        sni.extend((name.len() as u16).to_be_bytes());
        sni.extend(name);
        let mut body = vec![3, 3];
        body.extend([7u8; 32]);
        body.push(0); // session id
        body.extend([0, 2, 0xc0, 0x2f]); // one cipher
        body.extend([1, 0]); // null compression
        body.extend((sni.len() as u16).to_be_bytes());
        body.extend(sni);
        let mut hs = vec![1];
        hs.extend(&(body.len() as u32).to_be_bytes()[1..]);
        hs.extend(body);
        hs
    }

    #[test]
    fn client_hello_sni_is_read_even_when_split_across_records() {
        let hs = client_hello("mail.contoso.test");
        let (a, b) = hs.split_at(20);
        let mut dir = TlsDirection::default();
        let mut out = vec![];
        dir.record(&record_of(22, a), &mut out).unwrap();
        assert!(out.is_empty());
        dir.record(&record_of(22, b), &mut out).unwrap();
        assert_eq!(
            out,
            vec![TlsEvent::ClientHello {
                sni: Some("mail.contoso.test".into()),
                versions: vec![0x0303],
                random: [7; 32],
                alpn: vec![],
            }]
        );
    }

    #[test]
    fn server_hello_gives_its_random_suite_and_encrypt_then_mac() {
        let mut body = vec![3, 3];
        body.extend([9u8; 32]);
        body.push(0); // session id
        body.extend([0xc0, 0x27, 0]); // cipher, null compression
        let exts = [0x00, 0x16, 0x00, 0x00, 0x00, 0x17, 0x00, 0x00]; // EtM, extended master secret
        body.extend((exts.len() as u16).to_be_bytes());
        body.extend(exts);
        let mut hs = vec![2];
        hs.extend(&(body.len() as u32).to_be_bytes()[1..]);
        hs.extend(body);
        let mut dir = TlsDirection::default();
        let mut out = vec![];
        dir.record(&record_of(22, &hs), &mut out).unwrap();
        assert_eq!(
            out,
            vec![TlsEvent::ServerHello {
                version: 0x0303,
                cipher: 0xc027,
                random: [9; 32],
                encrypt_then_mac: true,
            }]
        );
    }

    #[test]
    fn clear_alert_has_its_description_and_encrypted_one_does_not() {
        let mut dir = TlsDirection::default();
        let mut out = vec![];
        dir.record(&record_of(21, &[2, 48]), &mut out).unwrap();
        assert_eq!(
            out[0],
            TlsEvent::Alert {
                level: Some(2),
                description: Some(AlertDescription::UnknownCa)
            }
        );
        assert_eq!(AlertDescription::from(48).to_string(), "unknown_ca");
        assert_eq!(AlertDescription::from(200).to_string(), "alert_200");
        assert_eq!(u8::from(AlertDescription::UnknownCa), 48);
        dir.record(&record_of(20, &[1]), &mut out).unwrap();
        dir.record(&record_of(21, &[9; 26]), &mut out).unwrap();
        assert_eq!(
            out[2],
            TlsEvent::Alert {
                level: None,
                description: None
            }
        );
    }

    #[test]
    fn short_records_and_oversized_handshakes_are_typed_errors() {
        let mut dir = TlsDirection::default();
        let mut out = vec![];
        assert_eq!(
            dir.record(&[22, 3, 3], &mut out),
            Err(TlsError::ShortRecord)
        );
        assert_eq!(TlsError::ShortRecord.to_string(), "tls: short record");
        let err = dir.record(&record_of(22, &[1, 0x10, 0, 0]), &mut out);
        assert_eq!(err, Err(TlsError::HandshakeTooLong(0x10_0004)));
        assert_eq!(
            TlsError::HandshakeTooLong(0x10_0004).to_string(),
            "tls: handshake message of 1048580 bytes"
        );
    }

    #[test]
    fn record_framing() {
        assert_eq!(record_length(&[22, 3, 1, 0]), Framing::Incomplete);
        assert_eq!(
            record_length(&[23, 3, 3, 0, 2, 1, 2, 9]),
            Framing::Complete(7)
        );
        assert!(matches!(
            record_length(b"GET / HTTP/1.1"),
            Framing::Invalid(_)
        ));
        assert!(matches!(
            record_length(&[23, 3, 3, 0xff, 0xff]),
            Framing::Invalid(_)
        ));
    }
}
