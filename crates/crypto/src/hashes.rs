//! The one-shot hash, MAC and stream-cipher calls every protocol module shares: thin wrappers
//! over RustCrypto's md4, md-5, sha1, hmac and rc4 so the protocol code reads like its RFC.

use hmac::{Hmac, KeyInit, Mac};
use md4::Md4;
use md5::{Digest, Md5};
use rc4::{Rc4, StreamCipher};
use sha1::Sha1;

/// MD4 over the concatenation of `parts`.
pub(crate) fn md4(parts: &[&[u8]]) -> [u8; 16] {
    let mut hasher = Md4::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().into()
}

/// MD5 over the concatenation of `parts`.
pub(crate) fn md5(parts: &[&[u8]]) -> [u8; 16] {
    let mut hasher = Md5::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().into()
}

/// HMAC-MD5 keyed with `key` over the concatenation of `parts`.
pub(crate) fn hmac_md5(key: &[u8], parts: &[&[u8]]) -> [u8; 16] {
    // HMAC takes keys of any length: longer ones are hashed, shorter ones padded.
    let Ok(mut mac) = <Hmac<Md5> as KeyInit>::new_from_slice(key) else {
        return [0; 16];
    };
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// HMAC-SHA1 keyed with `key` over the concatenation of `parts`.
pub(crate) fn hmac_sha1(key: &[u8], parts: &[&[u8]]) -> [u8; 20] {
    let Ok(mut mac) = <Hmac<Sha1> as KeyInit>::new_from_slice(key) else {
        return [0; 20];
    };
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// An RC4 keystream: each call to [`Rc4Stream::apply`] continues where the last stopped,
/// which NTLM sealing relies on (one stream per direction for the whole connection).
pub(crate) struct Rc4Stream(Rc4);

impl Rc4Stream {
    /// A stream keyed with `key` (1 to 256 bytes); `None` for an empty or oversized key.
    pub(crate) fn new(key: &[u8]) -> Option<Self> {
        <Rc4 as KeyInit>::new_from_slice(key).ok().map(Self)
    }

    /// XORs the next `data.len()` keystream bytes into `data` (encrypts or decrypts).
    pub(crate) fn apply(&mut self, data: &mut [u8]) {
        self.0.apply_keystream(data);
    }
}

/// RC4 of `data` under a fresh stream keyed with `key` (a one-message use).
pub(crate) fn rc4(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut out = data.to_vec();
    if let Some(mut stream) = Rc4Stream::new(key) {
        stream.apply(&mut out);
    }
    out
}

/// Compares two byte strings in time that depends only on their lengths, so a checksum
/// comparison does not tell by its timing how many leading bytes were right.
pub(crate) fn constant_time_eq(left: &[u8], right: &[u8]) -> bool {
    left.len() == right.len()
        && left
            .iter()
            .zip(right)
            .fold(0u8, |difference, (l, r)| difference | (l ^ r))
            == 0
}

/// `text` as UTF-16 little-endian bytes, the string form of NT hashes and NTLM names.
pub(crate) fn utf16le(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md4_of_utf16_password_is_the_well_known_nt_hash() {
        // The NT hash of "password", as every cracking table lists it.
        assert_eq!(
            md4(&[&utf16le("password")]),
            [
                0x88, 0x46, 0xf7, 0xea, 0xee, 0x8f, 0xb1, 0x17, 0xad, 0x06, 0xbd, 0xd8, 0x30, 0xb7,
                0x58, 0x6c
            ]
        );
    }

    #[test]
    fn rc4_stream_continues_across_calls() {
        let mut whole = vec![0u8; 32];
        Rc4Stream::new(b"Key").unwrap().apply(&mut whole);
        let mut stream = Rc4Stream::new(b"Key").unwrap();
        let (mut first, mut second) = (vec![0u8; 10], vec![0u8; 22]);
        stream.apply(&mut first);
        stream.apply(&mut second);
        first.extend(second);
        assert_eq!(first, whole);
        // The classic published RC4 vector: key "Key", plaintext "Plaintext".
        assert_eq!(
            rc4(b"Key", b"Plaintext"),
            [0xbb, 0xf3, 0x16, 0xe8, 0xd9, 0x40, 0xaf, 0x0a, 0xd3]
        );
    }

    #[test]
    fn constant_time_eq_compares_length_and_content() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
