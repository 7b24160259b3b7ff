//! The NTLM sealing state of a connection from its bind: the password of the user who bound
//! (from the password file), the CHALLENGE's server challenge and the AUTHENTICATE message
//! give the exported session key (MS-NLMP 3.3.2) and an RC4 stream per direction.

use super::tried::{file_accounts, named};
use super::{DecryptError, NtlmAuthenticate, NtlmChallenge, SecurityContext};
use crate::crypto::ntlm::{self, Direction, UnsealStream};
use crate::crypto::passwords::{Account, PasswordEntry};

/// The sealing context of an NTLM bind, with the password of the AUTHENTICATE's user from
/// `passwords` ([`accounts_for`]); the first whose NTOWFv2 produces the client's response is
/// the user's, and [`DecryptError::WrongNtlmPassword`] says none did.
pub fn ntlm_context(
    challenge: &NtlmChallenge,
    authenticate: &NtlmAuthenticate,
    passwords: &[PasswordEntry],
) -> Result<SecurityContext, DecryptError> {
    let candidates = accounts_for(authenticate, passwords);
    if candidates.is_empty() {
        return Err(DecryptError::NoPassword {
            domain: authenticate.domain.clone(),
            user: authenticate.user.clone(),
            accounts: named(&file_accounts(passwords)),
            frame: None,
        });
    }
    let mut key_exchange_key = None;
    for password in candidates {
        let ntowf = ntlm::ntowf_v2(
            password.password.expose(),
            &authenticate.user,
            &authenticate.domain,
        );
        match ntlm::verify_ntlmv2_response(
            &ntowf,
            &challenge.server_challenge,
            &authenticate.nt_challenge_response,
        ) {
            Ok(key) => {
                key_exchange_key = Some(key);
                break;
            }
            Err(ntlm::NtlmError::WrongPassword) => {}
            Err(other) => return Err(DecryptError::Ntlm(other)),
        }
    }
    let key_exchange_key = key_exchange_key.ok_or_else(|| DecryptError::WrongNtlmPassword {
        domain: authenticate.domain.clone(),
        user: authenticate.user.clone(),
        frame: None,
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

/// The password file's accounts that may be the AUTHENTICATE's user, best first: the user
/// name compared case-insensitively, and the domain the client sent matching a
/// `DOMAIN\user` line's domain, or a `user@REALM` line's realm or the realm's first label
/// (the NetBIOS name Windows derives from it by default). A client that sent a UPN as its
/// user name with an empty domain matches the `user@REALM` line of that UPN. Which of them
/// is the user's password is decided by the client's response, never by the name alone.
fn accounts_for<'p>(
    authenticate: &NtlmAuthenticate,
    passwords: &'p [PasswordEntry],
) -> Vec<&'p PasswordEntry> {
    let domain = authenticate.domain.as_str();
    let user = authenticate.user.as_str();
    let rank = |entry: &PasswordEntry| -> Option<u8> {
        match &entry.account {
            Account::Windows {
                domain: line_domain,
                user: line_user,
            } => (line_user.eq_ignore_ascii_case(user) && line_domain.eq_ignore_ascii_case(domain))
                .then_some(0),
            Account::Kerberos {
                user: line_user,
                realm,
            } => {
                if domain.is_empty() {
                    let upn = format!("{line_user}@{realm}");
                    return upn.eq_ignore_ascii_case(user).then_some(0);
                }
                if !line_user.eq_ignore_ascii_case(user) {
                    return None;
                }
                let first_label = realm.split('.').next().unwrap_or(realm);
                if realm.eq_ignore_ascii_case(domain) {
                    Some(1)
                } else {
                    first_label.eq_ignore_ascii_case(domain).then_some(2)
                }
            }
        }
    };
    let mut ranked: Vec<(u8, &PasswordEntry)> = passwords
        .iter()
        .filter_map(|entry| rank(entry).map(|r| (r, entry)))
        .collect();
    ranked.sort_by_key(|(r, _)| *r);
    ranked.into_iter().map(|(_, entry)| entry).collect()
}
