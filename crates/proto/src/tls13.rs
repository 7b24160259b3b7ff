//! TLS 1.3 handshake messages read from decrypted records (RFC 8446 §4): the content of inner
//! plaintexts of type handshake (EncryptedExtensions, Certificate, CertificateVerify, Finished,
//! later NewSessionTicket and KeyUpdate), reassembled across records. Only the Certificate
//! message is decoded (§4.4.2: a certificate_request_context, then entries of cert_data and
//! per-entry extensions); the others are named. The decryption itself is not here.

use super::tls::{TlsError, TlsEvent, handshake_name, whole_handshakes};

const HS_CERTIFICATE: u8 = 11;

/// One direction's decrypted handshake bytes waiting for the rest of their message.
#[derive(Debug, Default, Clone)]
pub struct Tls13Handshake {
    pending: Vec<u8>,
}

impl Tls13Handshake {
    /// Reads the content of one decrypted handshake record into events: a Certificate message
    /// as [`TlsEvent::Certificate`], any other message (or an unreadable Certificate) by name.
    pub fn record(&mut self, plain: &[u8], out: &mut Vec<TlsEvent>) -> Result<(), TlsError> {
        whole_handshakes(&mut self.pending, plain, |msg| out.push(event(msg)))
    }
}

fn event(msg: &[u8]) -> TlsEvent {
    let kind = msg.first().copied().unwrap_or(255);
    match msg.get(4..) {
        Some(body) if kind == HS_CERTIFICATE => match certificate_chain(body) {
            Some(chain) => TlsEvent::Certificate { chain },
            None => TlsEvent::Handshake("Certificate (not decoded)"),
        },
        _ => TlsEvent::Handshake(handshake_name(kind)),
    }
}

/// The cert_data of each entry of a TLS 1.3 Certificate message body, in order (the server's
/// own first); None when the lengths do not add up.
pub fn certificate_chain(body: &[u8]) -> Option<Vec<Vec<u8>>> {
    let (&context_len, rest) = body.split_first()?;
    let (_context, rest) = rest.split_at_checked(usize::from(context_len))?;
    let (mut list, trailing) = vector24(rest)?;
    if !trailing.is_empty() {
        return None;
    }
    let mut chain = Vec::new();
    while !list.is_empty() {
        let (cert, rest) = vector24(list)?;
        let (ext_len, rest) = rest.split_at_checked(2)?;
        let [hi, lo] = *ext_len else {
            return None;
        };
        let (_extensions, rest) =
            rest.split_at_checked(usize::from(u16::from_be_bytes([hi, lo])))?;
        if cert.is_empty() {
            return None;
        }
        chain.push(cert.to_vec());
        list = rest;
    }
    Some(chain)
}

/// A vector with a 24-bit length, and what follows it.
fn vector24(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let (len, rest) = bytes.split_at_checked(3)?;
    let [a, b, c] = *len else {
        return None;
    };
    let len = usize::try_from(u32::from_be_bytes([0, a, b, c])).ok()?;
    rest.split_at_checked(len)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lab's nginx certificate (CN and SAN mail.contoso.test, self-signed) as the server of
    /// samples/https-keylog-tls13.pcap sent it inside its encrypted handshake.
    const LAB_CERT: &[u8] = include_bytes!("../../../tests/data/x509/lab-tls13-mail-contoso.der");

    fn u24(n: usize) -> [u8; 3] {
        let b = (n as u32).to_be_bytes();
        [b[1], b[2], b[3]]
    }

    /// A Certificate handshake message: context, then each entry with its extensions.
    fn certificate_message(context: &[u8], entries: &[(&[u8], &[u8])]) -> Vec<u8> {
        let mut list = Vec::new();
        for (cert, ext) in entries {
            list.extend(u24(cert.len()));
            list.extend_from_slice(cert);
            list.extend((ext.len() as u16).to_be_bytes());
            list.extend_from_slice(ext);
        }
        let mut body = vec![context.len() as u8];
        body.extend_from_slice(context);
        body.extend(u24(list.len()));
        body.extend(list);
        let mut msg = vec![HS_CERTIFICATE];
        msg.extend(u24(body.len()));
        msg.extend(body);
        msg
    }

    #[test]
    fn a_real_certificate_is_read_across_records_with_its_entry_extensions() {
        // An OCSP status_request extension (type 5) on the entry, as a stapling server sends.
        let ocsp = [0, 5, 0, 4, 1, 0, 0, 0];
        let msg = certificate_message(&[], &[(LAB_CERT, &ocsp)]);
        // EncryptedExtensions (empty list) first, then the Certificate split over two records.
        let mut first = vec![8, 0, 0, 2, 0, 0];
        let (a, b) = msg.split_at(300);
        first.extend_from_slice(a);
        let mut hs = Tls13Handshake::default();
        let mut out = Vec::new();
        hs.record(&first, &mut out).unwrap();
        assert_eq!(out, [TlsEvent::Handshake("EncryptedExtensions")]);
        hs.record(b, &mut out).unwrap();
        assert_eq!(
            out[1],
            TlsEvent::Certificate {
                chain: vec![LAB_CERT.to_vec()]
            }
        );
        let facts = crate::x509::decode_certificate(LAB_CERT).unwrap();
        assert_eq!(facts.names(), ["mail.contoso.test"]);
        assert!(facts.self_signed());
    }

    #[test]
    fn the_request_context_and_several_entries_are_kept_apart() {
        let msg = certificate_message(&[7, 7], &[(LAB_CERT, &[]), (b"second", &[])]);
        assert_eq!(
            certificate_chain(&msg[4..]),
            Some(vec![LAB_CERT.to_vec(), b"second".to_vec()])
        );
        // An empty certificate_list (a client without a certificate) is an empty chain.
        assert_eq!(
            certificate_chain(&certificate_message(&[], &[])[4..]),
            Some(vec![])
        );
    }

    #[test]
    fn a_tls12_style_or_truncated_certificate_is_not_decoded() {
        // TLS 1.2 form: no context byte, no extensions: the lengths do not add up.
        let mut tls12 = u24(LAB_CERT.len() + 3).to_vec();
        tls12.extend(u24(LAB_CERT.len()));
        tls12.extend_from_slice(LAB_CERT);
        assert_eq!(certificate_chain(&tls12), None);
        let msg = certificate_message(&[], &[(LAB_CERT, &[])]);
        for cut in [0, 1, 4, 10, msg.len() - 5] {
            assert_eq!(certificate_chain(&msg[4..cut.max(4)]), None, "cut {cut}");
        }
        let mut hs = Tls13Handshake::default();
        let mut broken = msg.clone();
        broken[7] ^= 0x40; // the certificate_list length no longer matches
        let mut out = Vec::new();
        hs.record(&broken, &mut out).unwrap();
        assert_eq!(out, [TlsEvent::Handshake("Certificate (not decoded)")]);
    }
}
