//! TLS 1.3 record decryption for one direction (RFC 8446 §5.2, §5.3, §7): HKDF-Expand-Label,
//! the write key and IV of a traffic secret, the per-record nonce (IV XOR sequence number),
//! the inner content type behind the zero padding, and the switch from the handshake traffic
//! secret to the application one (`*_TRAFFIC_SECRET_0`), then to the next generation after a
//! KeyUpdate.
//!
//! The outer record does not say which keys protect it (every protected record is
//! application_data), so the decryptor tries in order: the current keys at the current
//! sequence number, then, while still on handshake keys, the application keys at sequence 0.

use hkdf::Hkdf;
use sha2::{Sha256, Sha384};

use super::aead::{AeadKey, xor_nonce};
use super::prf::PrfHash;
use super::suite::CipherSuite;
use super::{TlsDecryptError, record_header};

const CT_APPLICATION_DATA: u8 = 23;
const CT_HANDSHAKE: u8 = 22;
const HS_KEY_UPDATE: u8 = 24;

/// HKDF-Expand-Label(secret, label, context, length) with the "tls13 " prefix.
pub fn hkdf_expand_label(
    hash: PrfHash,
    secret: &[u8],
    label: &[u8],
    context: &[u8],
    len: usize,
) -> Result<Vec<u8>, TlsDecryptError> {
    let bad_len = || TlsDecryptError::SecretLength(secret.len());
    let full_label_len = label.len().checked_add(6).ok_or_else(bad_len)?;
    let mut info = Vec::new();
    info.extend_from_slice(&u16::try_from(len).map_err(|_| bad_len())?.to_be_bytes());
    info.push(u8::try_from(full_label_len).map_err(|_| bad_len())?);
    info.extend_from_slice(b"tls13 ");
    info.extend_from_slice(label);
    info.push(u8::try_from(context.len()).map_err(|_| bad_len())?);
    info.extend_from_slice(context);
    let mut out = vec![0u8; len];
    match hash {
        PrfHash::Sha256 => Hkdf::<Sha256>::from_prk(secret)
            .map_err(|_| bad_len())?
            .expand(&info, &mut out),
        PrfHash::Sha384 => Hkdf::<Sha384>::from_prk(secret)
            .map_err(|_| bad_len())?
            .expand(&info, &mut out),
    }
    .map_err(|_| bad_len())?;
    Ok(out)
}

/// The next application traffic secret after a KeyUpdate (RFC 8446 §7.2).
pub fn next_traffic_secret(hash: PrfHash, secret: &[u8]) -> Result<Vec<u8>, TlsDecryptError> {
    hkdf_expand_label(hash, secret, b"traffic upd", b"", hash.output_len())
}

/// The write key and IV of one traffic secret. `Debug` names the cipher only.
#[derive(Debug, Clone)]
pub struct TrafficKeys {
    key: AeadKey,
    iv: [u8; 12],
}

impl TrafficKeys {
    /// key = HKDF-Expand-Label(secret, "key", "", key_length), iv = ...("iv", "", 12).
    pub fn from_secret(suite: &CipherSuite, secret: &[u8]) -> Result<TrafficKeys, TlsDecryptError> {
        if !suite.tls13 {
            return Err(TlsDecryptError::UnsupportedSuite(suite.id));
        }
        if secret.len() != suite.hash.output_len() {
            return Err(TlsDecryptError::SecretLength(secret.len()));
        }
        let key = hkdf_expand_label(suite.hash, secret, b"key", b"", suite.cipher.key_len())?;
        let iv = hkdf_expand_label(suite.hash, secret, b"iv", b"", 12)?;
        Ok(TrafficKeys {
            key: AeadKey::new(suite.cipher, &key)?,
            iv: iv
                .as_slice()
                .try_into()
                .map_err(|_| TlsDecryptError::SecretLength(iv.len()))?,
        })
    }

    /// Opens one whole record (header included) at sequence number `seq`.
    pub fn open(&self, record: &[u8], seq: u64) -> Result<Tls13Plaintext, TlsDecryptError> {
        let (header, fragment) = record
            .split_at_checked(5)
            .ok_or(TlsDecryptError::ShortRecord(record.len()))?;
        // The additional data is the header as it crossed the wire, with its length.
        let [ct, v1, v2, ..] = *header else {
            return Err(TlsDecryptError::ShortRecord(record.len()));
        };
        let aad = record_header(ct, u16::from_be_bytes([v1, v2]), fragment.len())?;
        let mut inner = self.key.open(&xor_nonce(&self.iv, seq), &aad, fragment)?;
        let end = inner
            .iter()
            .rposition(|&b| b != 0)
            .ok_or(TlsDecryptError::NoContentType)?;
        let content_type = inner
            .get(end)
            .copied()
            .ok_or(TlsDecryptError::NoContentType)?;
        inner.truncate(end);
        Ok(Tls13Plaintext {
            content_type,
            data: inner,
        })
    }
}

/// A decrypted TLS 1.3 record: its inner content type and content.
#[derive(Clone, PartialEq, Eq)]
pub struct Tls13Plaintext {
    pub content_type: u8,
    pub data: Vec<u8>,
}

impl std::fmt::Debug for Tls13Plaintext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Tls13Plaintext(type {}, {} bytes)",
            self.content_type,
            self.data.len()
        )
    }
}

/// Which keys the next record is expected under.
#[derive(Debug, Clone)]
enum Phase {
    /// Handshake traffic keys; the application keys wait.
    Handshake(TrafficKeys),
    /// No handshake secret was logged: handshake records are skipped until one opens under
    /// the application keys at sequence 0.
    AwaitingApplication,
    Application,
}

/// Decrypts one direction of a TLS 1.3 connection, record after record. `Debug` shows the
/// suite, phase and sequence number, no key.
#[derive(Clone)]
pub struct Tls13Decryptor {
    suite: CipherSuite,
    phase: Phase,
    application: TrafficKeys,
    application_secret: Vec<u8>,
    seq: u64,
    key_updates: u32,
}

impl std::fmt::Debug for Tls13Decryptor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let phase = match self.phase {
            Phase::Handshake(_) => "handshake",
            Phase::AwaitingApplication => "awaiting application",
            Phase::Application => "application",
        };
        write!(
            f,
            "Tls13Decryptor(suite 0x{:04x}, {phase}, seq {}, {} key update(s))",
            self.suite.id, self.seq, self.key_updates
        )
    }
}

impl Tls13Decryptor {
    /// The decryptor for one direction from its `*_HANDSHAKE_TRAFFIC_SECRET` (if logged) and
    /// `*_TRAFFIC_SECRET_0`.
    pub fn new(
        suite: CipherSuite,
        handshake_secret: Option<&[u8]>,
        application_secret: &[u8],
    ) -> Result<Tls13Decryptor, TlsDecryptError> {
        let phase = match handshake_secret {
            Some(secret) => Phase::Handshake(TrafficKeys::from_secret(&suite, secret)?),
            None => Phase::AwaitingApplication,
        };
        Ok(Tls13Decryptor {
            suite,
            phase,
            application: TrafficKeys::from_secret(&suite, application_secret)?,
            application_secret: application_secret.to_vec(),
            seq: 0,
            key_updates: 0,
        })
    }

    /// Whether application keys are in use (the handshake of this direction is over).
    pub fn in_application_phase(&self) -> bool {
        matches!(self.phase, Phase::Application)
    }

    /// How many KeyUpdates this direction has followed.
    pub fn key_updates(&self) -> u32 {
        self.key_updates
    }

    /// Decrypts the next protected record (a whole record, header included, outer type
    /// application_data). Every record uses up a sequence number of the keys it is tried with.
    pub fn decrypt(&mut self, record: &[u8]) -> Result<Tls13Plaintext, TlsDecryptError> {
        if record.first() != Some(&CT_APPLICATION_DATA) {
            return Err(TlsDecryptError::NoContentType);
        }
        let seq = self.seq;
        let opened = match &self.phase {
            Phase::Handshake(keys) => match keys.open(record, seq) {
                Ok(plain) => Ok(plain),
                Err(_) => self.switch_to_application(record),
            },
            Phase::AwaitingApplication => self.switch_to_application(record),
            Phase::Application => self.application.open(record, seq),
        };
        match opened {
            Ok(plain) => {
                // A switch to the application keys has reset the sequence number to 0.
                self.seq = self
                    .seq
                    .checked_add(1)
                    .ok_or(TlsDecryptError::SequenceExhausted)?;
                if self.in_application_phase() && has_key_update(&plain) {
                    self.key_update()?;
                }
                Ok(plain)
            }
            Err(e) => {
                // Skipped handshake records do not move the application sequence number.
                if !matches!(self.phase, Phase::AwaitingApplication) {
                    self.seq = self
                        .seq
                        .checked_add(1)
                        .ok_or(TlsDecryptError::SequenceExhausted)?;
                }
                Err(e)
            }
        }
    }

    /// Tries `record` as the first under the application keys; on success the phase and
    /// sequence number move to it (the caller then counts this record).
    fn switch_to_application(&mut self, record: &[u8]) -> Result<Tls13Plaintext, TlsDecryptError> {
        let plain = self.application.open(record, 0)?;
        self.phase = Phase::Application;
        self.seq = 0;
        Ok(plain)
    }

    fn key_update(&mut self) -> Result<(), TlsDecryptError> {
        let next = next_traffic_secret(self.suite.hash, &self.application_secret)?;
        self.application = TrafficKeys::from_secret(&self.suite, &next)?;
        self.application_secret = next;
        self.seq = 0;
        self.key_updates = self.key_updates.saturating_add(1);
        Ok(())
    }
}

/// Whether a decrypted handshake record carries a KeyUpdate message.
fn has_key_update(plain: &Tls13Plaintext) -> bool {
    if plain.content_type != CT_HANDSHAKE {
        return false;
    }
    let mut rest = plain.data.as_slice();
    while let [kind, a, b, c, tail @ ..] = rest {
        if *kind == HS_KEY_UPDATE {
            return true;
        }
        let len = usize::try_from(u32::from_be_bytes([0, *a, *b, *c])).unwrap_or(usize::MAX);
        let Some((_, next)) = tail.split_at_checked(len) else {
            return false;
        };
        rest = next;
    }
    false
}

#[cfg(test)]
#[path = "rfc8448_tests.rs"]
mod rfc8448_tests;
