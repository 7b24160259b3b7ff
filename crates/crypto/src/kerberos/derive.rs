//! RFC 3961 section 5.1 key derivation for the AES types: DR(Key, Constant) encrypts the
//! n-folded constant and keeps encrypting the output until enough bytes exist; DK is DR through
//! random-to-key, which for AES is the identity.

use zeroize::Zeroizing;

use super::KerberosError;
use super::cts::{AesCipher, BLOCK};
use super::nfold::n_fold;

/// DK(base_key, constant) for an AES base key: a key of the same length.
pub(crate) fn derive_key(
    base_key: &[u8],
    constant: &[u8],
) -> Result<Zeroizing<Vec<u8>>, KerberosError> {
    let cipher = AesCipher::new(base_key)?;
    let mut block = [0u8; BLOCK];
    block
        .iter_mut()
        .zip(n_fold(constant, BLOCK))
        .for_each(|(b, f)| *b = f);
    let mut derived = Zeroizing::new(Vec::with_capacity(base_key.len()));
    while derived.len() < base_key.len() {
        block = cipher.encrypt_block(block);
        derived.extend_from_slice(&block);
    }
    derived.truncate(base_key.len());
    Ok(derived)
}

/// Which of the three keys RFC 3961 derives per key usage.
#[derive(Clone, Copy)]
pub(crate) enum UsageKey {
    /// Ke, the encryption key (usage | 0xAA).
    Encryption,
    /// Ki, the integrity key of an encryption (usage | 0x55).
    Integrity,
    /// Kc, the checksum key of a keyed checksum (usage | 0x99).
    Checksum,
}

/// The derived key of `kind` for key usage `usage` from an AES base key.
pub(crate) fn usage_key(
    base_key: &[u8],
    usage: u32,
    kind: UsageKey,
) -> Result<Zeroizing<Vec<u8>>, KerberosError> {
    let suffix = match kind {
        UsageKey::Encryption => 0xaa,
        UsageKey::Integrity => 0x55,
        UsageKey::Checksum => 0x99,
    };
    let [a, b, c, d] = usage.to_be_bytes();
    derive_key(base_key, &[a, b, c, d, suffix])
}
