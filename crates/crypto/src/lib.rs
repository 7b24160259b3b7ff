//! capdiag's decryption layer, below the engine and beside the decoders: it turns ciphertext
//! from a capture plus a secret the admin gave (a keytab, a password, a TLS key log) into
//! plaintext, and reads those secret files. It knows nothing of packets, flows or chains; the
//! engine decides which key to try on which message.
//!
//! Secrets never leave this crate in a printable form: key types implement `Debug` without
//! their bytes, and only names (principal, kvno, encryption type) are for display.
//!
//! - [`kerberos`]: string-to-key, decrypt with a key usage, and GSS wrap tokens (RFC 4121 for
//!   AES, RFC 4757 for RC4) for Kerberos-sealed LDAP.
//! - [`keytab`]: MIT keytab files (as `ktpass` and `samba-tool domain exportkeytab` write them).
//! - [`ntlm`]: NTLMv2 keys from a password and the AUTHENTICATE message, and NTLM sealing of
//!   LDAP SASL buffers.
//! - [`passwords`]: the `--password-file` format.
//! - [`keylog`]: NSS key logs (`SSLKEYLOGFILE`, pcapng Decryption Secrets Blocks).
//! - [`tls`]: TLS 1.2 and 1.3 record decryption from key-log secrets.
#![cfg_attr(
    test,
    allow(
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects,
        clippy::cast_possible_truncation
    )
)]

mod hashes;
pub mod kerberos;
pub mod keylog;
pub mod keytab;
pub mod ntlm;
pub mod passwords;
pub mod tls;

#[cfg(test)]
mod test_hex {
    /// Bytes of a hex string; whitespace is ignored.
    pub(crate) fn hex(text: &str) -> Vec<u8> {
        let digits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
        digits
            .chunks(2)
            .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap())
            .collect()
    }
}
