//! MS-NLMP section 3.4 session security with extended session security: SIGNKEY and SEALKEY
//! per direction (MD5 of the exported session key and a magic constant), one RC4 stream per
//! direction kept across messages, and the 16-byte signature
//! `01 00 00 00 | RC4(HMAC-MD5(SignKey, SeqNum | Message)[..8]) | SeqNum`.
//!
//! Messages of one direction must be unsealed in order and none may be skipped: the RC4
//! stream of a direction runs across all of them.

use std::fmt;

use super::{NegotiateFlags, NtlmError, Secret16};
use crate::hashes::{Rc4Stream, constant_time_eq, hmac_md5, md5};

const SIGNATURE_LEN: usize = 16;

/// Which way a message went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Client (the binding machine) to server (the DC).
    ClientToServer,
    /// Server to client.
    ServerToClient,
}

impl Direction {
    fn sign_magic(self) -> &'static [u8] {
        match self {
            Self::ClientToServer => b"session key to client-to-server signing key magic constant\0",
            Self::ServerToClient => b"session key to server-to-client signing key magic constant\0",
        }
    }

    fn seal_magic(self) -> &'static [u8] {
        match self {
            Self::ClientToServer => b"session key to client-to-server sealing key magic constant\0",
            Self::ServerToClient => b"session key to server-to-client sealing key magic constant\0",
        }
    }
}

/// SIGNKEY and SEALKEY of one direction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealingKeys {
    /// SIGNKEY for the direction.
    pub signing_key: Secret16,
    /// SEALKEY for the direction (weakened per NEGOTIATE_128/56).
    pub sealing_key: Secret16,
}

impl SealingKeys {
    /// The keys of `direction` from the exported session key and the negotiated flags.
    pub fn derive(
        exported_session_key: &Secret16,
        flags: NegotiateFlags,
        direction: Direction,
    ) -> Result<Self, NtlmError> {
        if !flags.has(NegotiateFlags::EXTENDED_SESSION_SECURITY) {
            return Err(NtlmError::NoExtendedSessionSecurity);
        }
        let session_key = exported_session_key.bytes();
        let seal_base: &[u8] = if flags.has(NegotiateFlags::NEGOTIATE_128) {
            session_key
        } else if flags.has(NegotiateFlags::NEGOTIATE_56) {
            session_key.get(..7).unwrap_or_default()
        } else {
            session_key.get(..5).unwrap_or_default()
        };
        Ok(Self {
            signing_key: Secret16::new(md5(&[session_key, direction.sign_magic()])),
            sealing_key: Secret16::new(md5(&[seal_base, direction.seal_magic()])),
        })
    }
}

/// A message taken out of NTLM sealing.
#[derive(Clone, PartialEq, Eq)]
pub struct Unsealed {
    /// The plaintext (for LDAP, one LDAPMessage).
    pub plaintext: Vec<u8>,
    /// The sequence number from the signature.
    pub sequence_number: u32,
}

impl fmt::Debug for Unsealed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Unsealed")
            .field(
                "plaintext",
                &format_args!("<{} bytes>", self.plaintext.len()),
            )
            .field("sequence_number", &self.sequence_number)
            .finish()
    }
}

/// The sealing state of one direction of a connection: its keys and its running RC4 stream.
pub struct UnsealStream {
    signing_key: Secret16,
    stream: Rc4Stream,
    key_exchange: bool,
}

impl fmt::Debug for UnsealStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnsealStream").finish_non_exhaustive()
    }
}

impl UnsealStream {
    /// The stream for `direction` of a connection whose AUTHENTICATE message negotiated
    /// `flags` and whose exported session key is `exported_session_key`.
    pub fn new(
        exported_session_key: &Secret16,
        flags: NegotiateFlags,
        direction: Direction,
    ) -> Result<Self, NtlmError> {
        let keys = SealingKeys::derive(exported_session_key, flags, direction)?;
        let stream = Rc4Stream::new(keys.sealing_key.bytes()).ok_or(NtlmError::BadSignature)?;
        Ok(Self {
            signing_key: keys.signing_key.clone(),
            stream,
            key_exchange: flags.has(NegotiateFlags::KEY_EXCH),
        })
    }

    /// Unseals the next message of this direction: `signature` (16 bytes) and `sealed`
    /// (the ciphertext), as GSS_UnwrapEx gets them; verifies the MAC.
    pub fn unseal(&mut self, signature: &[u8], sealed: &[u8]) -> Result<Unsealed, NtlmError> {
        let signature: &[u8; SIGNATURE_LEN] = signature
            .try_into()
            .map_err(|_| NtlmError::MessageTooShort(signature.len()))?;
        let [
            v0,
            v1,
            v2,
            v3,
            c0,
            c1,
            c2,
            c3,
            c4,
            c5,
            c6,
            c7,
            s0,
            s1,
            s2,
            s3,
        ] = *signature;
        let version = u32::from_le_bytes([v0, v1, v2, v3]);
        if version != 1 {
            return Err(NtlmError::SignatureVersion(version));
        }
        let sequence_bytes = [s0, s1, s2, s3];
        let mut plaintext = sealed.to_vec();
        self.stream.apply(&mut plaintext);
        let mut expected = [0u8; 8];
        let mac = hmac_md5(self.signing_key.bytes(), &[&sequence_bytes, &plaintext]);
        expected.iter_mut().zip(mac).for_each(|(e, m)| *e = m);
        if self.key_exchange {
            self.stream.apply(&mut expected);
        }
        if !constant_time_eq(&expected, &[c0, c1, c2, c3, c4, c5, c6, c7]) {
            return Err(NtlmError::BadSignature);
        }
        Ok(Unsealed {
            plaintext,
            sequence_number: u32::from_le_bytes(sequence_bytes),
        })
    }

    /// Unseals one LDAP SASL buffer of an NTLM sign-and-seal connection: a 4-byte big-endian
    /// length, then the 16-byte signature, then the ciphertext.
    pub fn unseal_sasl_buffer(&mut self, buffer: &[u8]) -> Result<Unsealed, NtlmError> {
        let (length, body) = buffer
            .split_first_chunk::<4>()
            .ok_or(NtlmError::MessageTooShort(buffer.len()))?;
        let declared = usize::try_from(u32::from_be_bytes(*length)).unwrap_or(usize::MAX);
        if declared != body.len() {
            return Err(NtlmError::SaslLength {
                declared,
                actual: body.len(),
            });
        }
        let (signature, sealed) = body
            .split_at_checked(SIGNATURE_LEN)
            .ok_or(NtlmError::MessageTooShort(body.len()))?;
        self.unseal(signature, sealed)
    }

    /// Seals `plaintext` as sequence number `sequence_number` (the inverse of
    /// [`UnsealStream::unseal`], on a stream of the same direction): returns
    /// (signature, ciphertext). capdiag never sends; this builds test captures.
    pub fn seal(&mut self, sequence_number: u32, plaintext: &[u8]) -> ([u8; 16], Vec<u8>) {
        let sequence_bytes = sequence_number.to_le_bytes();
        let mac = hmac_md5(self.signing_key.bytes(), &[&sequence_bytes, plaintext]);
        let mut sealed = plaintext.to_vec();
        self.stream.apply(&mut sealed);
        let mut checksum = [0u8; 8];
        checksum.iter_mut().zip(mac).for_each(|(c, m)| *c = m);
        if self.key_exchange {
            self.stream.apply(&mut checksum);
        }
        let mut signature = [0u8; 16];
        let parts = [1u32.to_le_bytes().as_slice(), &checksum, &sequence_bytes].concat();
        signature.iter_mut().zip(parts).for_each(|(s, p)| *s = p);
        (signature, sealed)
    }
}
