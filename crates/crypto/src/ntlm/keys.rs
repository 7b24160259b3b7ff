//! MS-NLMP section 3.3.2 NTLMv2 key computation: NTOWFv2 from the password, NTProofStr and
//! the session base key from the server challenge and the client's response, KXKEY (for
//! NTLMv2 the session base key itself), and the exported session key (RC4-decrypted from
//! EncryptedRandomSessionKey when KEY_EXCH was negotiated).

use super::{NtlmError, Secret16};
use crate::hashes::{constant_time_eq, hmac_md5, md4, rc4, utf16le};

/// The NEGOTIATE flags that decide the session keys (from the CHALLENGE or AUTHENTICATE
/// message's NegotiateFlags).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NegotiateFlags(pub u32);

impl NegotiateFlags {
    /// NTLMSSP_NEGOTIATE_KEY_EXCH.
    pub const KEY_EXCH: u32 = 0x4000_0000;
    /// NTLMSSP_NEGOTIATE_128.
    pub const NEGOTIATE_128: u32 = 0x2000_0000;
    /// NTLMSSP_NEGOTIATE_56.
    pub const NEGOTIATE_56: u32 = 0x8000_0000;
    /// NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY.
    pub const EXTENDED_SESSION_SECURITY: u32 = 0x0008_0000;
    /// NTLMSSP_NEGOTIATE_SEAL.
    pub const SEAL: u32 = 0x0000_0020;
    /// NTLMSSP_NEGOTIATE_SIGN.
    pub const SIGN: u32 = 0x0000_0010;

    /// Whether all bits of `flag` are set.
    pub fn has(self, flag: u32) -> bool {
        self.0 & flag == flag
    }
}

/// The NT hash, MD4(UTF-16LE(password)).
pub fn nt_hash(password: &str) -> Secret16 {
    Secret16::new(md4(&[&utf16le(password)]))
}

/// NTOWFv2(password, user, domain) = HMAC-MD5(NT hash, UTF-16LE(UPPER(user) + domain)).
/// `domain` is as the AUTHENTICATE message's DomainName spells it (case matters).
pub fn ntowf_v2(password: &str, user: &str, domain: &str) -> Secret16 {
    let identity = utf16le(&format!("{}{domain}", user.to_uppercase()));
    Secret16::new(hmac_md5(nt_hash(password).bytes(), &[&identity]))
}

/// NTProofStr = HMAC-MD5(NTOWFv2, server challenge | temp), where `temp` is the
/// NtChallengeResponse after its first 16 bytes.
fn nt_proof_str(ntowf: &Secret16, server_challenge: &[u8; 8], temp: &[u8]) -> [u8; 16] {
    hmac_md5(ntowf.bytes(), &[server_challenge, temp])
}

/// SessionBaseKey = HMAC-MD5(NTOWFv2, NTProofStr). For NTLMv2 this is also KXKEY.
pub fn session_base_key_v2(ntowf: &Secret16, nt_proof_str: &[u8; 16]) -> Secret16 {
    Secret16::new(hmac_md5(ntowf.bytes(), &[nt_proof_str]))
}

/// Checks the client's NtChallengeResponse (NTProofStr | temp, from the AUTHENTICATE
/// message) against the server challenge (from the CHALLENGE message) for `ntowf`, and
/// returns the session base key (= KXKEY for NTLMv2); [`NtlmError::WrongPassword`] when the
/// proof differs.
pub fn verify_ntlmv2_response(
    ntowf: &Secret16,
    server_challenge: &[u8; 8],
    nt_challenge_response: &[u8],
) -> Result<Secret16, NtlmError> {
    // NTProofStr plus the fixed part of NTLMv2_CLIENT_CHALLENGE.
    if nt_challenge_response.len() < 44 {
        return Err(NtlmError::ResponseTooShort(nt_challenge_response.len()));
    }
    let (proof, temp) = nt_challenge_response
        .split_first_chunk::<16>()
        .ok_or(NtlmError::ResponseTooShort(nt_challenge_response.len()))?;
    let expected = nt_proof_str(ntowf, server_challenge, temp);
    if !constant_time_eq(&expected, proof) {
        return Err(NtlmError::WrongPassword);
    }
    Ok(session_base_key_v2(ntowf, proof))
}

/// The exported session key: RC4(KXKEY, EncryptedRandomSessionKey) when KEY_EXCH was
/// negotiated, else KXKEY itself. `encrypted_random_session_key` is the AUTHENTICATE
/// message's EncryptedRandomSessionKey field (empty when absent).
pub fn exported_session_key(
    key_exchange_key: &Secret16,
    flags: NegotiateFlags,
    encrypted_random_session_key: &[u8],
) -> Result<Secret16, NtlmError> {
    if !flags.has(NegotiateFlags::KEY_EXCH) {
        return Ok(key_exchange_key.clone());
    }
    let encrypted: [u8; 16] = encrypted_random_session_key
        .try_into()
        .map_err(|_| NtlmError::EncryptedKeyLength(encrypted_random_session_key.len()))?;
    let decrypted: [u8; 16] = rc4(key_exchange_key.bytes(), &encrypted)
        .try_into()
        .unwrap_or([0; 16]);
    Ok(Secret16::new(decrypted))
}
