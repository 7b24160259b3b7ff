//! capdiag's decryption layer, below the engine and beside the decoders: it turns ciphertext
//! from a capture plus a secret the admin gave (a keytab, a password, a TLS key log) into
//! plaintext, and reads those secret files. It knows nothing of packets, flows or chains; the
//! engine decides which key to try on which message.
//!
//! Secrets never leave this crate in a printable form: key types implement `Debug` without
//! their bytes, and only names (principal, kvno, encryption type) are for display.
#![cfg_attr(test, allow(clippy::indexing_slicing, clippy::arithmetic_side_effects))]

pub mod keylog;
pub mod tls;
