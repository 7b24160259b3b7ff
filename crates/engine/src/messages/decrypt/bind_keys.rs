//! What one LDAP connection's bind teaches about its keys, fed the bind's PDUs as they pass:
//! SASL credentials (GSSAPI, GSS-SPNEGO) and Sicily NTLM tokens from the client, server SASL
//! credentials (and the Sicily challenge in matchedDN) from the server. Once the client's
//! AP-REQ or NTLM AUTHENTICATE is seen the connection has a [`SecurityContext`], or the
//! reason it has none.

use std::sync::Arc;

use super::gss_tokens::{AP_REQ_TAG, find_kerberos_message};
use super::{
    DecryptError, NtlmChallenge, SecurityContext, TicketKeys, kerberos_context, ntlm_context,
    parse_authenticate, parse_challenge,
};
use crate::crypto::keytab::KeytabEntry;
use crate::crypto::passwords::PasswordEntry;
use crate::proto::ber::{self, OCTET_STRING, SEQUENCE};

/// APPLICATION 0 and 1, constructed: bindRequest, bindResponse.
const BIND_REQUEST: u8 = 0x60;
const BIND_RESPONSE: u8 = 0x61;
/// AuthenticationChoice sasl [3] SaslCredentials, and Sicily's negotiate [10] / response [11].
const SASL_CREDENTIALS: u8 = 0xa3;
const SICILY_RESPONSE: u8 = 0x8b;
/// BindResponse serverSaslCreds [7].
const SERVER_SASL_CREDS: u8 = 0x87;

/// The secrets an admin handed over to open sealed connections (`--keytab`,
/// `--password-file`). Empty by default: nothing is decrypted.
#[derive(Debug, Clone, Default)]
pub struct DecryptionSecrets {
    /// Service keys, for Kerberos binds (the DC's `ldap/` keys).
    pub keytab: Vec<KeytabEntry>,
    /// User passwords, for NTLM binds (`DOMAIN\user:password` lines).
    pub passwords: Vec<PasswordEntry>,
}

impl DecryptionSecrets {
    /// Whether there is nothing to decrypt with.
    pub fn is_empty(&self) -> bool {
        self.keytab.is_empty() && self.passwords.is_empty()
    }
}

/// The key state of one connection's bind.
#[derive(Debug, Default)]
pub struct BindKeys {
    challenge: Option<NtlmChallenge>,
    context: Option<SecurityContext>,
    failure: Option<DecryptError>,
}

impl BindKeys {
    /// Reads one bare LDAP PDU of the connection (before the security layer starts), the
    /// last of whose bytes came in `frame`.
    pub fn observe_pdu(
        &mut self,
        secrets: &Arc<DecryptionSecrets>,
        ticket_keys: &TicketKeys,
        from_client: bool,
        pdu: &[u8],
        frame: u64,
    ) {
        let Some((op, fields)) = bind_op(pdu) else {
            return;
        };
        match (from_client, op) {
            (true, BIND_REQUEST) => {
                if let Some(token) = client_token(fields) {
                    self.client_token(secrets, ticket_keys, token, frame);
                }
            }
            (false, BIND_RESPONSE) => {
                for token in server_tokens(fields) {
                    self.server_token(token);
                }
            }
            _ => {}
        }
    }

    fn client_token(
        &mut self,
        secrets: &DecryptionSecrets,
        ticket_keys: &TicketKeys,
        token: &[u8],
        frame: u64,
    ) {
        let outcome = if let Ok(authenticate) = parse_authenticate(token) {
            match &self.challenge {
                Some(challenge) => ntlm_context(challenge, &authenticate, &secrets.passwords),
                None => Err(DecryptError::MalformedNtlm(
                    "AUTHENTICATE without a CHALLENGE before it",
                )),
            }
        } else if find_kerberos_message(token, AP_REQ_TAG).is_some() {
            kerberos_context(token, &secrets.keytab, ticket_keys).map(SecurityContext::Kerberos)
        } else {
            return;
        };
        match outcome {
            Ok(context) => {
                self.context = Some(context);
                self.failure = None;
            }
            Err(error) => {
                self.failure = Some(error.in_bind(frame, !secrets.passwords.is_empty()));
            }
        }
    }

    fn server_token(&mut self, token: &[u8]) {
        if let Some(SecurityContext::Kerberos(context)) = &mut self.context {
            match context.learn_ap_rep(token) {
                Ok(()) | Err(DecryptError::NoKerberosMessage(_)) => {}
                Err(error) => self.failure = Some(error),
            }
        } else if let Ok(challenge) = parse_challenge(token) {
            self.challenge = Some(challenge);
        }
    }

    /// The connection's keys, once its bind gave them.
    pub fn context_mut(&mut self) -> Option<&mut SecurityContext> {
        self.context.as_mut()
    }

    /// Why the bind gave no keys, when it tried and failed.
    pub fn failure(&self) -> Option<&DecryptError> {
        self.failure.as_ref()
    }
}

/// The protocolOp identifier and its contents when `pdu` is a bind request or response.
fn bind_op(pdu: &[u8]) -> Option<(u8, &[u8])> {
    let (message, _) = ber::expect(pdu, SEQUENCE, "LDAPMessage").ok()?;
    let mut elements = ber::children(message.body).flatten();
    let _message_id = elements.next()?;
    let op = elements.next()?;
    matches!(op.tag, BIND_REQUEST | BIND_RESPONSE).then_some((op.tag, op.body))
}

/// The client's token: SaslCredentials.credentials, or a Sicily response.
fn client_token(fields: &[u8]) -> Option<&[u8]> {
    let auth = ber::children(fields).flatten().nth(2)?;
    match auth.tag {
        SASL_CREDENTIALS => {
            let mut parts = ber::children(auth.body).flatten();
            let _mechanism = parts.next()?;
            parts
                .next()
                .filter(|c| c.tag == OCTET_STRING)
                .map(|c| c.body)
        }
        SICILY_RESPONSE => Some(auth.body),
        _ => None,
    }
}

/// The server's tokens: serverSaslCreds, and for Sicily the challenge in matchedDN.
fn server_tokens(fields: &[u8]) -> impl Iterator<Item = &[u8]> {
    ber::children(fields)
        .flatten()
        .filter(|c| {
            c.tag == SERVER_SASL_CREDS
                || (c.tag == OCTET_STRING && c.body.starts_with(b"NTLMSSP\0"))
        })
        .map(|c| c.body)
}
