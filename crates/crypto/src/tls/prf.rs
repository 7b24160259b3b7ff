//! The TLS 1.2 PRF (RFC 5246 §5: P_hash over HMAC) and the key block it expands from the
//! master secret and the two hello randoms (RFC 5246 §6.3).

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Sha256, Sha384};

use super::TlsDecryptError;
use super::suite::CipherSuite;

/// The hash of the PRF (TLS 1.2) or of the key schedule (TLS 1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrfHash {
    Sha256,
    Sha384,
}

impl PrfHash {
    pub fn output_len(self) -> usize {
        match self {
            PrfHash::Sha256 => 32,
            PrfHash::Sha384 => 48,
        }
    }
}

/// PRF(secret, label, seed) = P_hash(secret, label + seed), `len` bytes of it.
pub fn prf(
    hash: PrfHash,
    secret: &[u8],
    label: &[u8],
    seed: &[u8],
    len: usize,
) -> Result<Vec<u8>, TlsDecryptError> {
    let mut label_seed = label.to_vec();
    label_seed.extend_from_slice(seed);
    match hash {
        PrfHash::Sha256 => p_hash::<Hmac<Sha256>>(secret, &label_seed, len),
        PrfHash::Sha384 => p_hash::<Hmac<Sha384>>(secret, &label_seed, len),
    }
}

/// P_hash: A(0) = seed, A(i) = HMAC(secret, A(i-1)); output HMAC(secret, A(i) + seed)...
fn p_hash<M: Mac + hmac::digest::KeyInit + Clone>(
    secret: &[u8],
    seed: &[u8],
    len: usize,
) -> Result<Vec<u8>, TlsDecryptError> {
    let keyed = <M as KeyInit>::new_from_slice(secret)
        .map_err(|_| TlsDecryptError::SecretLength(secret.len()))?;
    let mut out = Vec::with_capacity(len);
    let mut a = seed.to_vec();
    while out.len() < len {
        let mut next_a = keyed.clone();
        next_a.update(&a);
        a = next_a.finalize().into_bytes().to_vec();
        let mut block = keyed.clone();
        block.update(&a);
        block.update(seed);
        out.extend_from_slice(&block.finalize().into_bytes());
    }
    out.truncate(len);
    Ok(out)
}

/// One direction's keys from the key block.
#[derive(Clone, PartialEq, Eq)]
pub struct DirectionKeys {
    pub mac_key: Vec<u8>,
    pub key: Vec<u8>,
    pub iv: Vec<u8>,
}

impl std::fmt::Debug for DirectionKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "DirectionKeys(mac {} key {} iv {} bytes)",
            self.mac_key.len(),
            self.key.len(),
            self.iv.len()
        )
    }
}

/// The key block cut into the client's and the server's write keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyBlock {
    pub client: DirectionKeys,
    pub server: DirectionKeys,
}

/// key_block = PRF(master_secret, "key expansion", server_random + client_random), cut into
/// client/server MAC keys, client/server keys, client/server IVs.
pub fn key_block(
    suite: &CipherSuite,
    master_secret: &[u8],
    client_random: &[u8; 32],
    server_random: &[u8; 32],
) -> Result<KeyBlock, TlsDecryptError> {
    if master_secret.len() != 48 {
        return Err(TlsDecryptError::SecretLength(master_secret.len()));
    }
    let mac = suite.cipher.mac_key_len();
    let key = suite.cipher.key_len();
    let iv = suite.cipher.tls12_iv_len();
    let mut seed = server_random.to_vec();
    seed.extend_from_slice(client_random);
    let total = mac.saturating_add(key).saturating_add(iv).saturating_mul(2);
    let block = prf(suite.hash, master_secret, b"key expansion", &seed, total)?;
    let mut rest = block.as_slice();
    let mut take = |n: usize| -> Vec<u8> {
        let (head, tail) = rest.split_at(n.min(rest.len()));
        rest = tail;
        head.to_vec()
    };
    let (client_mac, server_mac) = (take(mac), take(mac));
    let (client_key, server_key) = (take(key), take(key));
    let (client_iv, server_iv) = (take(iv), take(iv));
    Ok(KeyBlock {
        client: DirectionKeys {
            mac_key: client_mac,
            key: client_key,
            iv: client_iv,
        },
        server: DirectionKeys {
            mac_key: server_mac,
            key: server_key,
            iv: server_iv,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::super::hex;
    use super::*;

    /// The P_SHA256 vector circulated on the IETF TLS list for the TLS 1.2 drafts (and
    /// reproduced by OpenSSL's TLS1-PRF KDF): secret, "test label", seed, 100 bytes out.
    #[test]
    fn prf_sha256_matches_the_published_vector() {
        let out = prf(
            PrfHash::Sha256,
            &hex("9bbe436ba940f017b17652849a71db35"),
            b"test label",
            &hex("a0ba9f936cda311827a6f796ffd5198c"),
            100,
        )
        .unwrap();
        assert_eq!(
            out,
            hex(
                "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a
                 6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab
                 4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701
                 87347b66"
            )
        );
    }

    /// The companion P_SHA384 vector (148 bytes), as OpenSSL's TLS1-PRF KDF produces it.
    #[test]
    fn prf_sha384_matches_the_published_vector() {
        let out = prf(
            PrfHash::Sha384,
            &hex("b80b733d6ceefcdc71566ea48e5567df"),
            b"test label",
            &hex("cd665cf6a8447dd6ff8b27555edb7465"),
            148,
        )
        .unwrap();
        assert_eq!(
            out,
            hex(
                "7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cd
                 e9ca0faa60be9fe34f82b1233c9146a0e534cb400fed2700884f9dc236f80edd
                 8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad05d918425
                 9b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee6
                 91c8f3a26854308d5eaa3be85e0990703d73e56f"
            )
        );
    }

    #[test]
    fn key_block_is_cut_in_rfc_order() {
        let suite = CipherSuite::from_id(0xc013).unwrap(); // AES-128-CBC-SHA
        let master = [7u8; 48];
        let (cr, sr) = ([1u8; 32], [2u8; 32]);
        let kb = key_block(&suite, &master, &cr, &sr).unwrap();
        let mut seed = sr.to_vec();
        seed.extend_from_slice(&cr);
        let raw = prf(
            PrfHash::Sha256,
            &master,
            b"key expansion",
            &seed,
            2 * (20 + 16 + 16),
        )
        .unwrap();
        assert_eq!(kb.client.mac_key, raw[..20]);
        assert_eq!(kb.server.mac_key, raw[20..40]);
        assert_eq!(kb.client.key, raw[40..56]);
        assert_eq!(kb.server.key, raw[56..72]);
        assert_eq!(kb.client.iv, raw[72..88]);
        assert_eq!(kb.server.iv, raw[88..104]);
        assert_eq!(
            format!("{:?}", kb.client),
            "DirectionKeys(mac 20 key 16 iv 16 bytes)"
        );
        assert_eq!(
            key_block(&suite, &[0; 47], &cr, &sr),
            Err(TlsDecryptError::SecretLength(47))
        );
    }
}
