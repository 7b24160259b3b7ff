//! The NTLM sealing state of a connection from its bind: the password of the user who bound
//! (from the password file), the CHALLENGE's server challenge and the AUTHENTICATE message
//! give the exported session key (MS-NLMP 3.3.2) and an RC4 stream per direction.

use super::tried::{file_accounts, named};
use super::{DecryptError, NtlmAuthenticate, NtlmChallenge, SecurityContext};
use crate::crypto::ntlm::{self, Direction, UnsealStream};
use crate::crypto::passwords::{Account, PasswordEntry};

/// The sealing context of an NTLM bind, with the password of the AUTHENTICATE's
/// `DOMAIN\user` from `passwords` (user and domain compared case-insensitively);
/// [`DecryptError::WrongNtlmPassword`] when that password does not produce the client's
/// response.
pub fn ntlm_context(
    challenge: &NtlmChallenge,
    authenticate: &NtlmAuthenticate,
    passwords: &[PasswordEntry],
) -> Result<SecurityContext, DecryptError> {
    let password = passwords
        .iter()
        .find(|entry| match &entry.account {
            Account::Windows { domain, user } => {
                domain.eq_ignore_ascii_case(&authenticate.domain)
                    && user.eq_ignore_ascii_case(&authenticate.user)
            }
            Account::Kerberos { .. } => false,
        })
        .ok_or_else(|| DecryptError::NoPassword {
            domain: authenticate.domain.clone(),
            user: authenticate.user.clone(),
            accounts: named(&file_accounts(passwords)),
            frame: None,
        })?;
    let ntowf = ntlm::ntowf_v2(
        password.password.expose(),
        &authenticate.user,
        &authenticate.domain,
    );
    let key_exchange_key = ntlm::verify_ntlmv2_response(
        &ntowf,
        &challenge.server_challenge,
        &authenticate.nt_challenge_response,
    )
    .map_err(|error| match error {
        ntlm::NtlmError::WrongPassword => DecryptError::WrongNtlmPassword {
            domain: authenticate.domain.clone(),
            user: authenticate.user.clone(),
            frame: None,
        },
        other => DecryptError::Ntlm(other),
    })?;
    let exported = ntlm::exported_session_key(
        &key_exchange_key,
        authenticate.flags,
        &authenticate.encrypted_random_session_key,
    )?;
    Ok(SecurityContext::Ntlm {
        client_to_server: Box::new(UnsealStream::new(
            &exported,
            authenticate.flags,
            Direction::ClientToServer,
        )?),
        server_to_client: Box::new(UnsealStream::new(
            &exported,
            authenticate.flags,
            Direction::ServerToClient,
        )?),
        opened_with: format!(
            "the password file's password of {}\\{}",
            authenticate.domain, authenticate.user
        ),
    })
}
