//! The NSS key log format (what `SSLKEYLOGFILE` makes browsers, curl and OpenSSL write, and
//! what a pcapng Decryption Secrets Block of type `TLSK` carries): one secret per line,
//! `LABEL <client random hex> <secret hex>`, keyed here by the 32-byte client random.
//!
//! Comments (`#`) and blank lines are skipped; labels this reader does not use (`RSA`,
//! QUIC's, future ones) are tolerated and counted. A line that cannot be read is a
//! [`KeyLogError`] naming its line number and what was wrong, never its bytes.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

/// A secret from the key log. Its bytes are only reachable through [`Secret::reveal`]; `Debug`
/// prints its length.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// Wraps secret bytes.
    pub fn new(bytes: Vec<u8>) -> Self {
        Secret(bytes)
    }

    /// The secret bytes, for key derivation.
    pub fn reveal(&self) -> &[u8] {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({} bytes)", self.0.len())
    }
}

/// The client random of a TLS connection (ClientHello.random), the key of the key log.
pub type ClientRandom = [u8; 32];

/// What the key log knows about one connection (one client random).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectionSecrets {
    /// `CLIENT_RANDOM`: the TLS 1.2 (and earlier) master secret, 48 bytes.
    pub master_secret: Option<Secret>,
    /// `CLIENT_EARLY_TRAFFIC_SECRET` (TLS 1.3 0-RTT).
    pub client_early_traffic: Option<Secret>,
    /// `CLIENT_HANDSHAKE_TRAFFIC_SECRET`.
    pub client_handshake_traffic: Option<Secret>,
    /// `SERVER_HANDSHAKE_TRAFFIC_SECRET`.
    pub server_handshake_traffic: Option<Secret>,
    /// `CLIENT_TRAFFIC_SECRET_0`.
    pub client_traffic_0: Option<Secret>,
    /// `SERVER_TRAFFIC_SECRET_0`.
    pub server_traffic_0: Option<Secret>,
    /// `EXPORTER_SECRET`.
    pub exporter: Option<Secret>,
}

impl ConnectionSecrets {
    /// The TLS 1.3 secrets needed to read both directions' application data.
    pub fn has_tls13_application(&self) -> bool {
        self.client_traffic_0.is_some() && self.server_traffic_0.is_some()
    }
}

/// Why a key log line could not be read. Carries the 1-based line number, never the line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyLogError {
    #[error(
        "key log line {line}: expected `LABEL <client random> <secret>`, found {fields} field(s)"
    )]
    Fields { line: usize, fields: usize },
    #[error("key log line {line}: the client random is not 64 hex digits")]
    ClientRandom { line: usize },
    #[error("key log line {line}: the secret is not an even number of hex digits")]
    SecretHex { line: usize },
    #[error("key log line {line}: a {label} secret of {len} bytes (expected {expected})")]
    SecretLength {
        line: usize,
        label: &'static str,
        len: usize,
        expected: &'static str,
    },
    #[error("key log {path}: {reason}")]
    Read { path: String, reason: String },
}

/// A parsed key log: secrets by client random.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyLog {
    entries: HashMap<ClientRandom, ConnectionSecrets>,
    /// Lines whose label this reader does not use.
    skipped_labels: usize,
}

impl KeyLog {
    /// Parses the text of a key log.
    pub fn parse(text: &str) -> Result<KeyLog, KeyLogError> {
        let mut log = KeyLog::default();
        log.add_text(text)?;
        Ok(log)
    }

    /// Parses the bytes of a key log (invalid UTF-8 lines are errors of their line).
    pub fn parse_bytes(bytes: &[u8]) -> Result<KeyLog, KeyLogError> {
        Self::parse(&String::from_utf8_lossy(bytes))
    }

    /// Reads and parses a key log file.
    pub fn read(path: &Path) -> Result<KeyLog, KeyLogError> {
        let bytes = std::fs::read(path).map_err(|e| KeyLogError::Read {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        Self::parse_bytes(&bytes)
    }

    /// Adds the lines of `text` to this log.
    pub fn add_text(&mut self, text: &str) -> Result<(), KeyLogError> {
        for (index, raw) in text.lines().enumerate() {
            let line = index.saturating_add(1);
            let trimmed = raw.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            self.add_line(line, trimmed)?;
        }
        Ok(())
    }

    fn add_line(&mut self, line: usize, text: &str) -> Result<(), KeyLogError> {
        let fields: Vec<&str> = text.split_ascii_whitespace().collect();
        let [label, random, secret] = fields.as_slice() else {
            return Err(KeyLogError::Fields {
                line,
                fields: fields.len(),
            });
        };
        let Some(kind) = Label::parse(label) else {
            self.skipped_labels = self.skipped_labels.saturating_add(1);
            return Ok(());
        };
        let random: ClientRandom = decode_hex(random)
            .and_then(|r| r.try_into().ok())
            .ok_or(KeyLogError::ClientRandom { line })?;
        let secret = decode_hex(secret).ok_or(KeyLogError::SecretHex { line })?;
        kind.check_length(line, secret.len())?;
        let entry = self.entries.entry(random).or_default();
        *kind.slot(entry) = Some(Secret(secret));
        Ok(())
    }

    /// Adds every entry of `other` (its secrets win where both have one).
    pub fn merge(&mut self, other: KeyLog) {
        for (random, secrets) in other.entries {
            let entry = self.entries.entry(random).or_default();
            for label in Label::ALL {
                if let Some(s) = label.slot_of(&secrets) {
                    *label.slot(entry) = Some(s.clone());
                }
            }
        }
        self.skipped_labels = self.skipped_labels.saturating_add(other.skipped_labels);
    }

    /// The secrets of the connection whose ClientHello carried `random`.
    pub fn get(&self, random: &ClientRandom) -> Option<&ConnectionSecrets> {
        self.entries.get(random)
    }

    /// How many connections (client randoms) the log has secrets for.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// How many lines had a label this reader does not use.
    pub fn skipped_labels(&self) -> usize {
        self.skipped_labels
    }
}

/// The labels this reader keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    ClientRandom,
    ClientEarly,
    ClientHandshake,
    ServerHandshake,
    ClientTraffic0,
    ServerTraffic0,
    Exporter,
}

impl Label {
    const ALL: [Label; 7] = [
        Label::ClientRandom,
        Label::ClientEarly,
        Label::ClientHandshake,
        Label::ServerHandshake,
        Label::ClientTraffic0,
        Label::ServerTraffic0,
        Label::Exporter,
    ];

    fn parse(label: &str) -> Option<Label> {
        Some(match label {
            "CLIENT_RANDOM" => Label::ClientRandom,
            "CLIENT_EARLY_TRAFFIC_SECRET" => Label::ClientEarly,
            "CLIENT_HANDSHAKE_TRAFFIC_SECRET" => Label::ClientHandshake,
            "SERVER_HANDSHAKE_TRAFFIC_SECRET" => Label::ServerHandshake,
            "CLIENT_TRAFFIC_SECRET_0" => Label::ClientTraffic0,
            "SERVER_TRAFFIC_SECRET_0" => Label::ServerTraffic0,
            "EXPORTER_SECRET" => Label::Exporter,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Label::ClientRandom => "CLIENT_RANDOM",
            Label::ClientEarly => "CLIENT_EARLY_TRAFFIC_SECRET",
            Label::ClientHandshake => "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
            Label::ServerHandshake => "SERVER_HANDSHAKE_TRAFFIC_SECRET",
            Label::ClientTraffic0 => "CLIENT_TRAFFIC_SECRET_0",
            Label::ServerTraffic0 => "SERVER_TRAFFIC_SECRET_0",
            Label::Exporter => "EXPORTER_SECRET",
        }
    }

    /// A TLS 1.2 master secret is 48 bytes; TLS 1.3 secrets are a hash long (SHA-256 or -384).
    fn check_length(self, line: usize, len: usize) -> Result<(), KeyLogError> {
        let (ok, expected) = match self {
            Label::ClientRandom => (len == 48, "48"),
            _ => (len == 32 || len == 48, "32 or 48"),
        };
        if ok {
            Ok(())
        } else {
            Err(KeyLogError::SecretLength {
                line,
                label: self.name(),
                len,
                expected,
            })
        }
    }

    fn slot(self, s: &mut ConnectionSecrets) -> &mut Option<Secret> {
        match self {
            Label::ClientRandom => &mut s.master_secret,
            Label::ClientEarly => &mut s.client_early_traffic,
            Label::ClientHandshake => &mut s.client_handshake_traffic,
            Label::ServerHandshake => &mut s.server_handshake_traffic,
            Label::ClientTraffic0 => &mut s.client_traffic_0,
            Label::ServerTraffic0 => &mut s.server_traffic_0,
            Label::Exporter => &mut s.exporter,
        }
    }

    fn slot_of(self, s: &ConnectionSecrets) -> Option<&Secret> {
        match self {
            Label::ClientRandom => s.master_secret.as_ref(),
            Label::ClientEarly => s.client_early_traffic.as_ref(),
            Label::ClientHandshake => s.client_handshake_traffic.as_ref(),
            Label::ServerHandshake => s.server_handshake_traffic.as_ref(),
            Label::ClientTraffic0 => s.client_traffic_0.as_ref(),
            Label::ServerTraffic0 => s.server_traffic_0.as_ref(),
            Label::Exporter => s.exporter.as_ref(),
        }
    }
}

/// Hex digits to bytes; `None` for an odd count or a non-hex character.
pub(crate) fn decode_hex(text: &str) -> Option<Vec<u8>> {
    let digits = text.as_bytes();
    if !digits.len().is_multiple_of(2) {
        return None;
    }
    digits
        .chunks_exact(2)
        .map(|pair| {
            let [hi, lo] = *pair else { return None };
            let hi = char::from(hi).to_digit(16)?;
            let lo = char::from(lo).to_digit(16)?;
            u8::try_from(hi.checked_mul(16)?.checked_add(lo)?).ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const RANDOM: &str = "cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7";

    fn line(label: &str, random: &str, secret_len: usize) -> String {
        format!("{label} {random} {}\n", "ab".repeat(secret_len))
    }

    #[test]
    fn tls12_and_tls13_lines_land_on_one_client_random() {
        let text = format!(
            "# SSL/TLS secrets log file, generated by NSS\n\n{}{}{}{}{}{}",
            line("CLIENT_RANDOM", RANDOM, 48),
            line("CLIENT_HANDSHAKE_TRAFFIC_SECRET", RANDOM, 32),
            line("SERVER_HANDSHAKE_TRAFFIC_SECRET", RANDOM, 32),
            line("CLIENT_TRAFFIC_SECRET_0", RANDOM, 32),
            line("SERVER_TRAFFIC_SECRET_0", RANDOM, 48),
            line("EXPORTER_SECRET", RANDOM, 32),
        );
        let log = KeyLog::parse(&text).unwrap();
        assert_eq!(log.len(), 1);
        let random: ClientRandom = decode_hex(RANDOM).unwrap().try_into().unwrap();
        let s = log.get(&random).unwrap();
        assert_eq!(s.master_secret.as_ref().map(Secret::len), Some(48));
        assert_eq!(s.server_traffic_0.as_ref().map(Secret::len), Some(48));
        assert_eq!(s.exporter.as_ref().map(Secret::len), Some(32));
        assert!(s.has_tls13_application());
        assert!(s.client_early_traffic.is_none());
        assert!(log.get(&[0; 32]).is_none());
    }

    #[test]
    fn unknown_labels_are_counted_not_refused() {
        let text = format!(
            "RSA 0011223344556677 {}\nQUIC_SERVER_TRAFFIC_SECRET_0 {RANDOM} {}\n{}",
            "cd".repeat(48),
            "ef".repeat(32),
            line("CLIENT_RANDOM", RANDOM, 48)
        );
        let log = KeyLog::parse(&text).unwrap();
        assert_eq!((log.len(), log.skipped_labels()), (1, 2));
    }

    #[test]
    fn bad_lines_name_their_line_and_never_their_secret() {
        let secret = "5ec2e75ec2e7".repeat(8);
        let cases = [
            (
                format!("CLIENT_RANDOM {RANDOM}"),
                KeyLogError::Fields { line: 2, fields: 2 },
            ),
            (
                format!("CLIENT_RANDOM abcd {secret}"),
                KeyLogError::ClientRandom { line: 2 },
            ),
            (
                format!("CLIENT_RANDOM {RANDOM} {secret}z"),
                KeyLogError::SecretHex { line: 2 },
            ),
            (
                format!("CLIENT_TRAFFIC_SECRET_0 {RANDOM} {secret}00"),
                KeyLogError::SecretLength {
                    line: 2,
                    label: "CLIENT_TRAFFIC_SECRET_0",
                    len: 49,
                    expected: "32 or 48",
                },
            ),
        ];
        for (bad, expected) in cases {
            let err = KeyLog::parse(&format!("# header\n{bad}\n")).unwrap_err();
            assert_eq!(err, expected);
            let shown = format!("{err} {err:?}");
            assert!(shown.contains("line 2"), "{shown}");
            assert!(!shown.contains("5ec2e7"), "{shown}");
        }
    }

    #[test]
    fn secrets_do_not_debug_print_their_bytes() {
        let log = KeyLog::parse(&line("CLIENT_RANDOM", RANDOM, 48)).unwrap();
        let shown = format!("{log:?}");
        assert!(shown.contains("Secret(48 bytes)"), "{shown}");
        assert!(!shown.contains("abab"), "{shown}");
        assert!(!shown.contains("171"), "{shown}");
    }

    #[test]
    fn merge_adds_connections_and_fills_missing_secrets() {
        let other_random = "00".repeat(32);
        let mut a = KeyLog::parse(&line("CLIENT_HANDSHAKE_TRAFFIC_SECRET", RANDOM, 32)).unwrap();
        let b = KeyLog::parse(&format!(
            "{}{}",
            line("CLIENT_TRAFFIC_SECRET_0", RANDOM, 32),
            line("CLIENT_RANDOM", &other_random, 48)
        ))
        .unwrap();
        a.merge(b);
        assert_eq!(a.len(), 2);
        let random: ClientRandom = decode_hex(RANDOM).unwrap().try_into().unwrap();
        let s = a.get(&random).unwrap();
        assert!(s.client_handshake_traffic.is_some() && s.client_traffic_0.is_some());
    }

    #[test]
    fn hex_decoding_refuses_odd_and_non_hex() {
        assert_eq!(decode_hex("00ff7A"), Some(vec![0, 255, 0x7a]));
        assert_eq!(decode_hex("abc"), None);
        assert_eq!(decode_hex("zz"), None);
        assert_eq!(decode_hex(""), Some(vec![]));
    }
}
