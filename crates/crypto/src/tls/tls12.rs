//! TLS 1.2 (and 1.1) record decryption for one direction: keys from the key block, the
//! 64-bit sequence number, and the record ciphers: AES-GCM (4-byte implicit salt + 8-byte
//! explicit nonce, RFC 5288), ChaCha20-Poly1305 (IV XOR sequence, RFC 7905) and AES-CBC with
//! HMAC (explicit IV, MAC-then-encrypt, padding checked, RFC 5246 §6.2.3.2; or encrypt-then-MAC
//! when the hellos negotiated RFC 7366's extension). TLS 1.0's chained CBC IV is not read.

use aes::{Aes128, Aes256};
use cbc::cipher::block_padding::NoPadding;
use cbc::cipher::{BlockModeDecrypt, KeyIvInit};
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::{Sha256, Sha384};

use super::aead::{AeadKey, TAG_LEN, xor_nonce};
use super::prf::{DirectionKeys, key_block};
use super::suite::{CipherSuite, MacHash, RecordCipher};
use super::{TlsDecryptError, Writer};

const EXPLICIT_NONCE_LEN: usize = 8;
const AES_BLOCK: usize = 16;

/// How this direction's records are protected.
#[derive(Clone)]
enum Protection {
    Gcm {
        key: AeadKey,
        salt: [u8; 4],
    },
    ChaCha {
        key: AeadKey,
        iv: [u8; 12],
    },
    Cbc {
        cipher: RecordCipher,
        mac: MacHash,
        mac_key: Vec<u8>,
        key: Vec<u8>,
        /// RFC 7366: the MAC covers the IV and ciphertext and follows them.
        encrypt_then_mac: bool,
    },
}

/// Decrypts one direction of a TLS 1.2 connection, record after record. `Debug` shows the
/// suite and sequence number, no key.
#[derive(Clone)]
pub struct Tls12Decryptor {
    suite: CipherSuite,
    protection: Protection,
    seq: u64,
}

impl std::fmt::Debug for Tls12Decryptor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Tls12Decryptor(suite 0x{:04x}, seq {})",
            self.suite.id, self.seq
        )
    }
}

impl Tls12Decryptor {
    /// The decryptor for `writer`'s records, from the master secret (the key log's
    /// `CLIENT_RANDOM` line) and the two hello randoms.
    pub fn new(
        suite: CipherSuite,
        master_secret: &[u8],
        client_random: &[u8; 32],
        server_random: &[u8; 32],
        writer: Writer,
    ) -> Result<Tls12Decryptor, TlsDecryptError> {
        let block = key_block(&suite, master_secret, client_random, server_random)?;
        let keys = match writer {
            Writer::Client => block.client,
            Writer::Server => block.server,
        };
        Self::from_keys(suite, &keys)
    }

    /// The decryptor for a direction whose key block share is `keys`.
    pub fn from_keys(
        suite: CipherSuite,
        keys: &DirectionKeys,
    ) -> Result<Tls12Decryptor, TlsDecryptError> {
        if suite.tls13 {
            return Err(TlsDecryptError::UnsupportedSuite(suite.id));
        }
        let iv_error = || TlsDecryptError::SecretLength(keys.iv.len());
        let protection = match suite.cipher {
            RecordCipher::Aes128Gcm | RecordCipher::Aes256Gcm => Protection::Gcm {
                key: AeadKey::new(suite.cipher, &keys.key)?,
                salt: keys.iv.as_slice().try_into().map_err(|_| iv_error())?,
            },
            RecordCipher::ChaCha20Poly1305 => Protection::ChaCha {
                key: AeadKey::new(suite.cipher, &keys.key)?,
                iv: keys.iv.as_slice().try_into().map_err(|_| iv_error())?,
            },
            RecordCipher::Aes128Cbc(mac) | RecordCipher::Aes256Cbc(mac) => {
                if keys.key.len() != suite.cipher.key_len()
                    || keys.mac_key.len() != mac.output_len()
                {
                    return Err(TlsDecryptError::SecretLength(keys.key.len()));
                }
                Protection::Cbc {
                    cipher: suite.cipher,
                    mac,
                    mac_key: keys.mac_key.clone(),
                    key: keys.key.clone(),
                    encrypt_then_mac: false,
                }
            }
        };
        Ok(Tls12Decryptor {
            suite,
            protection,
            seq: 0,
        })
    }

    /// Reads CBC records as encrypt-then-MAC (RFC 7366), as negotiated by the
    /// `encrypt_then_mac` extension in both hellos; no effect on AEAD suites.
    pub fn with_encrypt_then_mac(mut self, on: bool) -> Self {
        if let Protection::Cbc {
            encrypt_then_mac, ..
        } = &mut self.protection
        {
            *encrypt_then_mac = on;
        }
        self
    }

    /// The sequence number the next record will be read with.
    pub fn sequence(&self) -> u64 {
        self.seq
    }

    pub fn suite(&self) -> CipherSuite {
        self.suite
    }

    /// Decrypts the next record of this direction: its outer `content_type` and `version` (from
    /// the record header) and its `fragment` (the bytes after the header). Every record uses
    /// up a sequence number, whether or not it authenticates.
    pub fn decrypt(
        &mut self,
        content_type: u8,
        version: u16,
        fragment: &[u8],
    ) -> Result<Vec<u8>, TlsDecryptError> {
        let seq = self.seq;
        self.seq = self
            .seq
            .checked_add(1)
            .ok_or(TlsDecryptError::SequenceExhausted)?;
        match &self.protection {
            Protection::Gcm { key, salt } => {
                let (explicit, ciphertext) = fragment
                    .split_at_checked(EXPLICIT_NONCE_LEN)
                    .ok_or(TlsDecryptError::ShortRecord(fragment.len()))?;
                let plain_len = ciphertext
                    .len()
                    .checked_sub(TAG_LEN)
                    .ok_or(TlsDecryptError::ShortRecord(fragment.len()))?;
                let mut nonce = [0u8; 12];
                for (n, b) in nonce.iter_mut().zip(salt.iter().chain(explicit)) {
                    *n = *b;
                }
                key.open(
                    &nonce,
                    &aad(seq, content_type, version, plain_len)?,
                    ciphertext,
                )
            }
            Protection::ChaCha { key, iv } => {
                let plain_len = fragment
                    .len()
                    .checked_sub(TAG_LEN)
                    .ok_or(TlsDecryptError::ShortRecord(fragment.len()))?;
                key.open(
                    &xor_nonce(iv, seq),
                    &aad(seq, content_type, version, plain_len)?,
                    fragment,
                )
            }
            Protection::Cbc {
                cipher,
                mac,
                mac_key,
                key,
                encrypt_then_mac: true,
            } => {
                let sealed_len = fragment
                    .len()
                    .checked_sub(mac.output_len())
                    .ok_or(TlsDecryptError::ShortRecord(fragment.len()))?;
                let (sealed, tag) = fragment.split_at(sealed_len);
                let header = aad(seq, content_type, version, sealed_len)?;
                verify_mac(*mac, mac_key, &header, sealed, tag)?;
                let plain = cbc_decrypt(*cipher, key, sealed)?;
                Ok(strip_padding(&plain)?.to_vec())
            }
            Protection::Cbc {
                cipher,
                mac,
                mac_key,
                key,
                encrypt_then_mac: false,
            } => {
                let plain = cbc_decrypt(*cipher, key, fragment)?;
                let content = strip_padding(&plain)?;
                let content_len = content
                    .len()
                    .checked_sub(mac.output_len())
                    .ok_or(TlsDecryptError::ShortRecord(fragment.len()))?;
                let (content, tag) = content.split_at(content_len);
                let header = aad(seq, content_type, version, content_len)?;
                verify_mac(*mac, mac_key, &header, content, tag)?;
                Ok(content.to_vec())
            }
        }
    }
}

/// seq_num(8) + type(1) + version(2) + length(2): the AEAD additional data and the MAC's
/// prefix.
fn aad(seq: u64, content_type: u8, version: u16, len: usize) -> Result<[u8; 13], TlsDecryptError> {
    let len = u16::try_from(len).map_err(|_| TlsDecryptError::RecordTooLong(len))?;
    let mut out = [0u8; 13];
    for (o, b) in out.iter_mut().zip(
        seq.to_be_bytes()
            .into_iter()
            .chain([content_type])
            .chain(version.to_be_bytes())
            .chain(len.to_be_bytes()),
    ) {
        *o = b;
    }
    Ok(out)
}

/// Explicit IV (one block) then ciphertext, a whole number of blocks.
fn cbc_decrypt(
    cipher: RecordCipher,
    key: &[u8],
    fragment: &[u8],
) -> Result<Vec<u8>, TlsDecryptError> {
    let short = || TlsDecryptError::ShortRecord(fragment.len());
    let (iv, ciphertext) = fragment.split_at_checked(AES_BLOCK).ok_or_else(short)?;
    if ciphertext.is_empty() || ciphertext.len() % AES_BLOCK != 0 {
        return Err(short());
    }
    let bad_key = |_| TlsDecryptError::SecretLength(key.len());
    let plain = match cipher {
        RecordCipher::Aes128Cbc(_) => cbc::Decryptor::<Aes128>::new_from_slices(key, iv)
            .map_err(bad_key)?
            .decrypt_padded_vec::<NoPadding>(ciphertext),
        RecordCipher::Aes256Cbc(_) => cbc::Decryptor::<Aes256>::new_from_slices(key, iv)
            .map_err(bad_key)?
            .decrypt_padded_vec::<NoPadding>(ciphertext),
        _ => return Err(TlsDecryptError::UnsupportedSuite(0)),
    };
    plain.map_err(|_| short())
}

/// The TLS padding: the last byte says how many bytes before it are padding, each of that
/// same value.
fn strip_padding(plain: &[u8]) -> Result<&[u8], TlsDecryptError> {
    let (&pad, _) = plain.split_last().ok_or(TlsDecryptError::Padding)?;
    let keep = plain
        .len()
        .checked_sub(usize::from(pad))
        .and_then(|n| n.checked_sub(1))
        .ok_or(TlsDecryptError::Padding)?;
    let (content, padding) = plain.split_at(keep);
    if padding.iter().all(|&b| b == pad) {
        Ok(content)
    } else {
        Err(TlsDecryptError::Padding)
    }
}

fn verify_mac(
    mac: MacHash,
    key: &[u8],
    header: &[u8],
    content: &[u8],
    tag: &[u8],
) -> Result<(), TlsDecryptError> {
    fn check<M: Mac + hmac::digest::KeyInit>(
        key: &[u8],
        header: &[u8],
        content: &[u8],
        tag: &[u8],
    ) -> Result<(), TlsDecryptError> {
        let mut m = <M as KeyInit>::new_from_slice(key)
            .map_err(|_| TlsDecryptError::SecretLength(key.len()))?;
        m.update(header);
        m.update(content);
        m.verify_slice(tag)
            .map_err(|_| TlsDecryptError::Authentication)
    }
    match mac {
        MacHash::Sha1 => check::<Hmac<Sha1>>(key, header, content, tag),
        MacHash::Sha256 => check::<Hmac<Sha256>>(key, header, content, tag),
        MacHash::Sha384 => check::<Hmac<Sha384>>(key, header, content, tag),
    }
}

#[cfg(test)]
#[allow(clippy::cast_possible_truncation)]
mod tests {
    use super::*;
    use crate::tls::prf::key_block;
    use cbc::cipher::BlockModeEncrypt;

    const MASTER: [u8; 48] = [0x42; 48];
    const CR: [u8; 32] = [0x11; 32];
    const SR: [u8; 32] = [0x22; 32];
    const CT_APP: u8 = 23;
    const V12: u16 = 0x0303;

    /// A TLS 1.2 writer, built on the same primitives, for round trips.
    fn seal(
        suite: &CipherSuite,
        keys: &DirectionKeys,
        seq: u64,
        ct: u8,
        plain: &[u8],
        iv_or_explicit: [u8; 16],
    ) -> Vec<u8> {
        match suite.cipher {
            RecordCipher::Aes128Gcm | RecordCipher::Aes256Gcm => {
                let key = AeadKey::new(suite.cipher, &keys.key).unwrap();
                let explicit = &iv_or_explicit[..8];
                let mut nonce = [0u8; 12];
                nonce[..4].copy_from_slice(&keys.iv);
                nonce[4..].copy_from_slice(explicit);
                let mut out = explicit.to_vec();
                out.extend(key.seal(&nonce, &aad(seq, ct, V12, plain.len()).unwrap(), plain));
                out
            }
            RecordCipher::ChaCha20Poly1305 => {
                let key = AeadKey::new(suite.cipher, &keys.key).unwrap();
                let iv: [u8; 12] = keys.iv.as_slice().try_into().unwrap();
                key.seal(
                    &xor_nonce(&iv, seq),
                    &aad(seq, ct, V12, plain.len()).unwrap(),
                    plain,
                )
            }
            RecordCipher::Aes128Cbc(mac) | RecordCipher::Aes256Cbc(mac) => {
                let mut body = plain.to_vec();
                let header = aad(seq, ct, V12, plain.len()).unwrap();
                body.extend(match mac {
                    MacHash::Sha1 => {
                        let mut m = <Hmac<Sha1> as KeyInit>::new_from_slice(&keys.mac_key).unwrap();
                        m.update(&header);
                        m.update(plain);
                        m.finalize().into_bytes().to_vec()
                    }
                    MacHash::Sha256 => {
                        let mut m =
                            <Hmac<Sha256> as KeyInit>::new_from_slice(&keys.mac_key).unwrap();
                        m.update(&header);
                        m.update(plain);
                        m.finalize().into_bytes().to_vec()
                    }
                    MacHash::Sha384 => unimplemented!(),
                });
                let pad = 15 - (body.len() % 16);
                body.extend(std::iter::repeat_n(pad as u8, pad + 1));
                let ct = match suite.cipher {
                    RecordCipher::Aes128Cbc(_) => {
                        cbc::Encryptor::<Aes128>::new_from_slices(&keys.key, &iv_or_explicit)
                            .unwrap()
                            .encrypt_padded_vec::<NoPadding>(&body)
                    }
                    _ => cbc::Encryptor::<Aes256>::new_from_slices(&keys.key, &iv_or_explicit)
                        .unwrap()
                        .encrypt_padded_vec::<NoPadding>(&body),
                };
                let mut out = iv_or_explicit.to_vec();
                out.extend(ct);
                out
            }
        }
    }

    fn round_trip(suite_id: u16) {
        let suite = CipherSuite::from_id(suite_id).unwrap();
        let block = key_block(&suite, &MASTER, &CR, &SR).unwrap();
        let mut client = Tls12Decryptor::new(suite, &MASTER, &CR, &SR, Writer::Client).unwrap();
        let mut server = Tls12Decryptor::new(suite, &MASTER, &CR, &SR, Writer::Server).unwrap();
        let request = b"POST /autodiscover/autodiscover.xml HTTP/1.1\r\n\r\n";
        let response = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
        for seq in 0..3u64 {
            let r = seal(&suite, &block.client, seq, CT_APP, request, [seq as u8; 16]);
            assert_eq!(
                client.decrypt(CT_APP, V12, &r).unwrap(),
                request,
                "suite {suite_id:04x} seq {seq}"
            );
            let r = seal(
                &suite,
                &block.server,
                seq,
                CT_APP,
                response,
                [0x80 | seq as u8; 16],
            );
            assert_eq!(server.decrypt(CT_APP, V12, &r).unwrap(), response);
        }
        // A record sealed with the other direction's keys, or the wrong sequence, does not open.
        let r = seal(&suite, &block.server, 3, CT_APP, request, [3; 16]);
        assert!(matches!(
            client.decrypt(CT_APP, V12, &r),
            Err(TlsDecryptError::Authentication | TlsDecryptError::Padding)
        ));
        let r = seal(&suite, &block.client, 9, CT_APP, request, [9; 16]);
        assert_eq!(
            client.decrypt(CT_APP, V12, &r),
            Err(TlsDecryptError::Authentication)
        );
    }

    #[test]
    fn aes_gcm_records_round_trip() {
        round_trip(0xc02f);
        round_trip(0xc030);
    }

    #[test]
    fn chacha20_poly1305_records_round_trip() {
        round_trip(0xcca8);
    }

    #[test]
    fn aes_cbc_hmac_records_round_trip() {
        round_trip(0xc013); // AES-128-CBC-SHA
        round_trip(0xc014); // AES-256-CBC-SHA
        round_trip(0x003c); // AES-128-CBC-SHA256
    }

    fn hmac_of(mac: MacHash, key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
        match mac {
            MacHash::Sha1 => {
                let mut m = <Hmac<Sha1> as KeyInit>::new_from_slice(key).unwrap();
                parts.iter().for_each(|p| m.update(p));
                m.finalize().into_bytes().to_vec()
            }
            _ => {
                let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap();
                parts.iter().for_each(|p| m.update(p));
                m.finalize().into_bytes().to_vec()
            }
        }
    }

    /// RFC 7366: pad, encrypt, then MAC the IV and ciphertext.
    fn seal_etm(
        suite: &CipherSuite,
        keys: &DirectionKeys,
        seq: u64,
        plain: &[u8],
        iv: [u8; 16],
    ) -> Vec<u8> {
        let RecordCipher::Aes128Cbc(mac) = suite.cipher else {
            unreachable!()
        };
        let mut body = plain.to_vec();
        let pad = 15 - (body.len() % 16);
        body.extend(std::iter::repeat_n(pad as u8, pad + 1));
        let ct = cbc::Encryptor::<Aes128>::new_from_slices(&keys.key, &iv)
            .unwrap()
            .encrypt_padded_vec::<NoPadding>(&body);
        let mut out = iv.to_vec();
        out.extend(ct);
        let header = aad(seq, CT_APP, V12, out.len()).unwrap();
        let tag = hmac_of(mac, &keys.mac_key, &[&header, &out]);
        out.extend(tag);
        out
    }

    #[test]
    fn encrypt_then_mac_cbc_records_round_trip() {
        let ok = b"HTTP/1.1 200 OK\r\n\r\n";
        for id in [0xc013u16, 0xc027] {
            let suite = CipherSuite::from_id(id).unwrap();
            let block = key_block(&suite, &MASTER, &CR, &SR).unwrap();
            let mut d = Tls12Decryptor::new(suite, &MASTER, &CR, &SR, Writer::Server)
                .unwrap()
                .with_encrypt_then_mac(true);
            for seq in 0..3u64 {
                let r = seal_etm(&suite, &block.server, seq, ok, [seq as u8; 16]);
                assert_eq!(d.decrypt(CT_APP, V12, &r).unwrap(), ok, "suite {id:04x}");
            }
            // Read as MAC-then-encrypt the same record does not open.
            let r = seal_etm(&suite, &block.server, 0, b"x", [0; 16]);
            let mut mte = Tls12Decryptor::new(suite, &MASTER, &CR, &SR, Writer::Server).unwrap();
            assert!(mte.decrypt(CT_APP, V12, &r).is_err());
            // A flipped ciphertext bit fails the MAC before any decryption.
            let mut r = seal_etm(&suite, &block.server, 3, b"x", [0; 16]);
            r[20] ^= 1;
            assert_eq!(
                d.decrypt(CT_APP, V12, &r),
                Err(TlsDecryptError::Authentication)
            );
        }
    }

    #[test]
    fn cbc_records_with_a_bad_mac_or_padding_are_refused() {
        let suite = CipherSuite::from_id(0xc013).unwrap();
        let block = key_block(&suite, &MASTER, &CR, &SR).unwrap();
        let mut record = seal(&suite, &block.client, 0, CT_APP, b"hello", [5; 16]);
        // The header is part of the MAC: another content type does not verify.
        let mut d = Tls12Decryptor::new(suite, &MASTER, &CR, &SR, Writer::Client).unwrap();
        assert_eq!(
            d.decrypt(22, V12, &record),
            Err(TlsDecryptError::Authentication)
        );
        // Flipping the explicit IV's last byte flips the first plaintext block: MAC fails.
        record[15] ^= 1;
        let mut d = Tls12Decryptor::new(suite, &MASTER, &CR, &SR, Writer::Client).unwrap();
        assert_eq!(
            d.decrypt(CT_APP, V12, &record),
            Err(TlsDecryptError::Authentication)
        );
        assert_eq!(
            d.decrypt(CT_APP, V12, &[0; 20]),
            Err(TlsDecryptError::ShortRecord(20))
        );
        assert_eq!(strip_padding(&[1, 2, 2, 2]), Ok(&[1u8][..]));
        assert_eq!(strip_padding(&[1, 3, 2, 2]), Err(TlsDecryptError::Padding));
        assert_eq!(strip_padding(&[9]), Err(TlsDecryptError::Padding));
        assert_eq!(d.sequence(), 2);
        assert_eq!(format!("{d:?}"), "Tls12Decryptor(suite 0xc013, seq 2)");
    }

    #[test]
    fn tls13_suites_and_bad_secrets_are_refused() {
        let tls13 = CipherSuite::from_id(0x1301).unwrap();
        assert!(Tls12Decryptor::new(tls13, &MASTER, &CR, &SR, Writer::Client).is_err());
        let gcm = CipherSuite::from_id(0xc02f).unwrap();
        assert_eq!(
            Tls12Decryptor::new(gcm, &[0; 32], &CR, &SR, Writer::Client).map(|_| ()),
            Err(TlsDecryptError::SecretLength(32))
        );
    }
}
