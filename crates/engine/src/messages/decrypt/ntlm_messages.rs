//! The two NTLMSSP messages (MS-NLMP 2.2.1.2, 2.2.1.3) whose fields the session keys need:
//! the CHALLENGE's server challenge and flags, and the AUTHENTICATE's user, domain,
//! NtChallengeResponse, EncryptedRandomSessionKey and flags. They sit in the bind's SPNEGO
//! tokens (or alone, for a Sicily bind); [`parse_challenge`] and [`parse_authenticate`] find
//! the `NTLMSSP\0` signature wherever it starts.

use super::DecryptError;
use crate::crypto::ntlm::NegotiateFlags;

const SIGNATURE: &[u8] = b"NTLMSSP\0";
/// NTLMSSP_NEGOTIATE_UNICODE: names are UTF-16LE, else OEM (read as Latin-1).
const NEGOTIATE_UNICODE: u32 = 0x0000_0001;

/// The fields of a CHALLENGE_MESSAGE the keys need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NtlmChallenge {
    /// The 8-byte server challenge.
    pub server_challenge: [u8; 8],
    /// The server's NegotiateFlags.
    pub flags: NegotiateFlags,
}

/// The fields of an AUTHENTICATE_MESSAGE the keys need. `Debug` leaves out the response and
/// the encrypted key.
#[derive(Clone, PartialEq, Eq)]
pub struct NtlmAuthenticate {
    /// UserName.
    pub user: String,
    /// DomainName, as the client spelt it (NTOWFv2 uses it as is).
    pub domain: String,
    /// NtChallengeResponse (NTProofStr then the client blob).
    pub nt_challenge_response: Vec<u8>,
    /// EncryptedRandomSessionKey (empty without KEY_EXCH).
    pub encrypted_random_session_key: Vec<u8>,
    /// The client's NegotiateFlags, which the session keys follow.
    pub flags: NegotiateFlags,
}

impl std::fmt::Debug for NtlmAuthenticate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NtlmAuthenticate")
            .field("user", &self.user)
            .field("domain", &self.domain)
            .field("flags", &self.flags)
            .finish_non_exhaustive()
    }
}

/// The CHALLENGE_MESSAGE (type 2) in `token`.
pub fn parse_challenge(token: &[u8]) -> Result<NtlmChallenge, DecryptError> {
    let message = message_of_type(token, 2, "CHALLENGE")?;
    let flags =
        NegotiateFlags(u32_at(message, 20).ok_or(DecryptError::MalformedNtlm("CHALLENGE flags"))?);
    let server_challenge = message
        .get(24..32)
        .and_then(|c| <[u8; 8]>::try_from(c).ok())
        .ok_or(DecryptError::MalformedNtlm("CHALLENGE server challenge"))?;
    Ok(NtlmChallenge {
        server_challenge,
        flags,
    })
}

/// The AUTHENTICATE_MESSAGE (type 3) in `token`.
pub fn parse_authenticate(token: &[u8]) -> Result<NtlmAuthenticate, DecryptError> {
    let message = message_of_type(token, 3, "AUTHENTICATE")?;
    let flags = NegotiateFlags(
        u32_at(message, 60).ok_or(DecryptError::MalformedNtlm("AUTHENTICATE flags"))?,
    );
    let unicode = flags.has(NEGOTIATE_UNICODE);
    let name = |offset: usize, what: &'static str| {
        payload(message, offset, what).map(|bytes| decode_name(bytes, unicode))
    };
    Ok(NtlmAuthenticate {
        nt_challenge_response: payload(message, 20, "NtChallengeResponse")?.to_vec(),
        domain: name(28, "DomainName")?,
        user: name(36, "UserName")?,
        encrypted_random_session_key: payload(message, 52, "EncryptedRandomSessionKey")?.to_vec(),
        flags,
    })
}

/// The NTLMSSP message of `message_type` starting at its signature inside `token`.
fn message_of_type<'a>(
    token: &'a [u8],
    message_type: u32,
    what: &'static str,
) -> Result<&'a [u8], DecryptError> {
    let start = token
        .windows(SIGNATURE.len())
        .position(|w| w == SIGNATURE)
        .ok_or(DecryptError::MalformedNtlm(what))?;
    let message = token.get(start..).unwrap_or_default();
    if u32_at(message, 8) != Some(message_type) {
        return Err(DecryptError::MalformedNtlm(what));
    }
    Ok(message)
}

/// The bytes a (Len u16, MaxLen u16, Offset u32) field descriptor at `at` points to.
fn payload<'a>(message: &'a [u8], at: usize, what: &'static str) -> Result<&'a [u8], DecryptError> {
    let len = message
        .get(at..at.saturating_add(2))
        .and_then(|b| <[u8; 2]>::try_from(b).ok());
    let offset = u32_at(message, at.saturating_add(4));
    let (Some(len), Some(offset)) = (len, offset) else {
        return Err(DecryptError::MalformedNtlm(what));
    };
    let start = usize::try_from(offset).map_err(|_| DecryptError::MalformedNtlm(what))?;
    let end = start.saturating_add(usize::from(u16::from_le_bytes(len)));
    message
        .get(start..end)
        .ok_or(DecryptError::MalformedNtlm(what))
}

fn u32_at(message: &[u8], at: usize) -> Option<u32> {
    let bytes = message.get(at..at.saturating_add(4))?;
    Some(u32::from_le_bytes(bytes.try_into().ok()?))
}

fn decode_name(bytes: &[u8], unicode: bool) -> String {
    if unicode {
        let units: Vec<u16> = bytes
            .chunks_exact(2)
            .map(|p| {
                u16::from_le_bytes([
                    p.first().copied().unwrap_or(0),
                    p.get(1).copied().unwrap_or(0),
                ])
            })
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        bytes.iter().map(|&b| char::from(b)).collect()
    }
}
