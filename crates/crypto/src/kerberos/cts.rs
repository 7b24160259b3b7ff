//! AES in CBC mode with ciphertext stealing and a zero IV, as RFC 3962 section 5 uses it: the
//! last two blocks swap places and the final one is cut to the message length, so ciphertext
//! is exactly as long as plaintext (at least one block).

use aes::cipher::{BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};
use aes::{Aes128, Aes256};

use super::KerberosError;

/// The AES block size in bytes.
pub(crate) const BLOCK: usize = 16;

/// An AES-128 or AES-256 key schedule.
pub(crate) enum AesCipher {
    Aes128(Box<Aes128>),
    Aes256(Box<Aes256>),
}

impl AesCipher {
    /// The cipher for a 16- or 32-byte key.
    pub(crate) fn new(key: &[u8]) -> Result<Self, KerberosError> {
        match key.len() {
            16 => Aes128::new_from_slice(key).map(|c| Self::Aes128(Box::new(c))),
            32 => Aes256::new_from_slice(key).map(|c| Self::Aes256(Box::new(c))),
            _ => {
                return Err(KerberosError::KeyLength {
                    etype: 0,
                    expected: 32,
                    actual: key.len(),
                });
            }
        }
        .map_err(|_| KerberosError::KeyLength {
            etype: 0,
            expected: 32,
            actual: key.len(),
        })
    }

    /// One block through the AES encryption (ECB on a single block).
    pub(crate) fn encrypt_block(&self, block: [u8; BLOCK]) -> [u8; BLOCK] {
        let mut block = block.into();
        match self {
            Self::Aes128(cipher) => cipher.encrypt_block(&mut block),
            Self::Aes256(cipher) => cipher.encrypt_block(&mut block),
        }
        block.into()
    }

    fn decrypt_block(&self, block: [u8; BLOCK]) -> [u8; BLOCK] {
        let mut block = block.into();
        match self {
            Self::Aes128(cipher) => cipher.decrypt_block(&mut block),
            Self::Aes256(cipher) => cipher.decrypt_block(&mut block),
        }
        block.into()
    }
}

/// CBC-CTS encryption of `plaintext` (at least one block) with a zero IV.
pub(crate) fn encrypt(cipher: &AesCipher, plaintext: &[u8]) -> Result<Vec<u8>, KerberosError> {
    if plaintext.len() < BLOCK {
        return Err(KerberosError::CiphertextTooShort {
            minimum: BLOCK,
            actual: plaintext.len(),
        });
    }
    let mut previous = [0u8; BLOCK];
    let mut blocks: Vec<[u8; BLOCK]> = plaintext
        .chunks(BLOCK)
        .map(|chunk| {
            // The last, partial block is padded with zeros before chaining.
            let mut block = [0u8; BLOCK];
            block.iter_mut().zip(chunk).for_each(|(b, p)| *b = *p);
            previous = cipher.encrypt_block(xor(block, previous));
            previous
        })
        .collect();
    if let Some(second_last) = blocks.len().checked_sub(2) {
        blocks.swap(second_last, second_last.wrapping_add(1));
    }
    let mut out = blocks.concat();
    out.truncate(plaintext.len());
    Ok(out)
}

/// CBC-CTS decryption of `ciphertext` (at least one block) with a zero IV.
pub(crate) fn decrypt(cipher: &AesCipher, ciphertext: &[u8]) -> Result<Vec<u8>, KerberosError> {
    let too_short = KerberosError::CiphertextTooShort {
        minimum: BLOCK,
        actual: ciphertext.len(),
    };
    if ciphertext.len() == BLOCK {
        return Ok(cipher.decrypt_block(to_block(ciphertext)).to_vec());
    }
    // Bytes in the final, possibly partial, block.
    let tail_len = match ciphertext.len() % BLOCK {
        0 => BLOCK,
        partial => partial,
    };
    let full_len = ciphertext
        .len()
        .checked_sub(tail_len)
        .ok_or(too_short.clone())?;
    let (full, tail) = ciphertext
        .split_at_checked(full_len)
        .ok_or(too_short.clone())?;
    let head_len = full.len().checked_sub(BLOCK).ok_or(too_short)?;
    let (head, stolen) = full.split_at(head_len);

    let mut plaintext = Vec::with_capacity(ciphertext.len());
    let mut previous = [0u8; BLOCK];
    for chunk in head.chunks(BLOCK) {
        let block = to_block(chunk);
        plaintext.extend(xor(cipher.decrypt_block(block), previous));
        previous = block;
    }
    // `stolen` is the encryption of the last (padded) block; its decryption's tail is the
    // stolen end of the second-last ciphertext block.
    let last_xored = cipher.decrypt_block(to_block(stolen));
    let mut second_last = last_xored;
    second_last.iter_mut().zip(tail).for_each(|(b, t)| *b = *t);
    let last = xor(last_xored, second_last);
    plaintext.extend(xor(cipher.decrypt_block(second_last), previous));
    plaintext.extend(last.iter().take(tail.len()));
    Ok(plaintext)
}

fn xor(a: [u8; BLOCK], b: [u8; BLOCK]) -> [u8; BLOCK] {
    let mut out = a;
    out.iter_mut().zip(b).for_each(|(o, x)| *o ^= x);
    out
}

/// The first block of `bytes`, zero-padded when shorter.
fn to_block(bytes: &[u8]) -> [u8; BLOCK] {
    let mut block = [0u8; BLOCK];
    block.iter_mut().zip(bytes).for_each(|(b, s)| *b = *s);
    block
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_hex::hex;

    const KEY: &str = "63 68 69 63 6b 65 6e 20 74 65 72 69 79 61 6b 69";
    const INPUT: &str = "49 20 77 6f 75 6c 64 20 6c 69 6b 65 20 74 68 65
                         20 47 65 6e 65 72 61 6c 20 47 61 75 27 73 20 43
                         68 69 63 6b 65 6e 2c 20 70 6c 65 61 73 65 2c 20
                         61 6e 64 20 77 6f 6e 74 6f 6e 20 73 6f 75 70 2e";

    /// RFC 3962 appendix B, the CBC-with-ciphertext-stealing vectors (key "chicken teriyaki").
    #[test]
    fn rfc3962_appendix_b_cts_vectors() {
        let vectors: &[(usize, &str)] = &[
            (17, "c6 35 35 68 f2 bf 8c b4 d8 a5 80 36 2d a7 ff 7f 97"),
            (
                31,
                "fc 00 78 3e 0e fd b2 c1 d4 45 d4 c8 ef f7 ed 22
                 97 68 72 68 d6 ec cc c0 c0 7b 25 e2 5e cf e5",
            ),
            (
                32,
                "39 31 25 23 a7 86 62 d5 be 7f cb cc 98 eb f5 a8
                 97 68 72 68 d6 ec cc c0 c0 7b 25 e2 5e cf e5 84",
            ),
            (
                47,
                "97 68 72 68 d6 ec cc c0 c0 7b 25 e2 5e cf e5 84
                 b3 ff fd 94 0c 16 a1 8c 1b 55 49 d2 f8 38 02 9e
                 39 31 25 23 a7 86 62 d5 be 7f cb cc 98 eb f5",
            ),
            (
                48,
                "97 68 72 68 d6 ec cc c0 c0 7b 25 e2 5e cf e5 84
                 9d ad 8b bb 96 c4 cd c0 3b c1 03 e1 a1 94 bb d8
                 39 31 25 23 a7 86 62 d5 be 7f cb cc 98 eb f5 a8",
            ),
            (
                64,
                "97 68 72 68 d6 ec cc c0 c0 7b 25 e2 5e cf e5 84
                 39 31 25 23 a7 86 62 d5 be 7f cb cc 98 eb f5 a8
                 48 07 ef e8 36 ee 89 a5 26 73 0d bc 2f 7b c8 40
                 9d ad 8b bb 96 c4 cd c0 3b c1 03 e1 a1 94 bb d8",
            ),
        ];
        let cipher = AesCipher::new(&hex(KEY)).unwrap();
        let input = hex(INPUT);
        for (len, expected) in vectors {
            let plaintext = &input[..*len];
            let ciphertext = encrypt(&cipher, plaintext).unwrap();
            assert_eq!(ciphertext, hex(expected), "encrypt {len} bytes");
            assert_eq!(
                decrypt(&cipher, &ciphertext).unwrap(),
                plaintext,
                "decrypt {len} bytes"
            );
        }
    }

    #[test]
    fn single_block_and_too_short() {
        let cipher = AesCipher::new(&hex(KEY)).unwrap();
        let block = [7u8; 16];
        let encrypted = encrypt(&cipher, &block).unwrap();
        assert_eq!(decrypt(&cipher, &encrypted).unwrap(), block);
        assert!(matches!(
            decrypt(&cipher, &[0; 15]),
            Err(KerberosError::CiphertextTooShort {
                minimum: 16,
                actual: 15
            })
        ));
        assert!(encrypt(&cipher, &[0; 3]).is_err());
    }
}
