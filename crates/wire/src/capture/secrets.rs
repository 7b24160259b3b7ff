//! The pcapng Decryption Secrets Blocks of a capture (block type 0x0000000A): what
//! `editcap --inject-secrets` or Wireshark's "Inject TLS secrets" store beside the packets.
//! Kept as the bytes of the block, for the decryption layer to parse; never printed.

/// Most secret bytes kept per input (a TLS key log line is about 180 bytes: this is tens of
/// thousands of connections).
pub const MAX_SECRETS_BYTES: usize = 16 * 1024 * 1024;

/// One Decryption Secrets Block's content. `Debug` shows its type and size, not its bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct DecryptionSecrets {
    /// The secrets type: [`DecryptionSecrets::TLS_KEY_LOG`] ("TLSK") or another.
    pub secrets_type: u32,
    data: Vec<u8>,
}

impl DecryptionSecrets {
    /// "TLSK": the NSS key log format.
    pub const TLS_KEY_LOG: u32 = 0x544c_534b;

    pub fn new(secrets_type: u32, data: Vec<u8>) -> Self {
        DecryptionSecrets { secrets_type, data }
    }

    /// The secret bytes, for the decryption layer.
    pub fn reveal(&self) -> &[u8] {
        &self.data
    }

    pub fn is_tls_key_log(&self) -> bool {
        self.secrets_type == Self::TLS_KEY_LOG
    }

    pub fn len(&self) -> usize {
        self.data.len()
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
}

impl std::fmt::Debug for DecryptionSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = if self.is_tls_key_log() {
            "TLS key log".to_string()
        } else {
            format!("type 0x{:08x}", self.secrets_type)
        };
        write!(f, "DecryptionSecrets({kind}, {} bytes)", self.data.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_names_the_kind_and_size_only() {
        let s = DecryptionSecrets::new(
            DecryptionSecrets::TLS_KEY_LOG,
            b"CLIENT_RANDOM ab cd".to_vec(),
        );
        assert_eq!(format!("{s:?}"), "DecryptionSecrets(TLS key log, 19 bytes)");
        let w = DecryptionSecrets::new(0x5747_4b4c, vec![1, 2]);
        assert_eq!(
            format!("{w:?}"),
            "DecryptionSecrets(type 0x57474b4c, 2 bytes)"
        );
        assert!(s.is_tls_key_log() && !w.is_tls_key_log());
    }
}
