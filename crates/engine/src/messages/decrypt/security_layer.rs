//! Unwrapping one SASL security-layer buffer (RFC 4422 section 3.7: a 4-byte big-endian
//! length, then one GSS wrap token) of a connection whose keys are known, into the LDAP bytes
//! inside (one or more whole LDAPMessages).

use super::{DecryptError, KerberosContext};
use crate::crypto::kerberos::{self, Sender};
use crate::crypto::ntlm::UnsealStream;

/// RFC 4121 wrap token flag: the acceptor's subkey protects this token.
const FLAG_ACCEPTOR_SUBKEY: u8 = 0x04;

/// The keys of one sealed connection.
#[derive(Debug)]
pub enum SecurityContext {
    /// A Kerberos (GSSAPI or GSS-SPNEGO) bind.
    Kerberos(KerberosContext),
    /// An NTLM bind: one RC4 stream per direction, advanced by every buffer.
    Ntlm {
        /// Client-to-server sealing.
        client_to_server: Box<UnsealStream>,
        /// Server-to-client sealing.
        server_to_client: Box<UnsealStream>,
        /// Whose password opened it, for people (never the password).
        opened_with: String,
    },
}

impl SecurityContext {
    /// Which secret opened this layer, for people: "keytab entry … kvno N" or the password
    /// file's entry; never key bytes or a password.
    pub fn opened_with(&self) -> &str {
        match self {
            SecurityContext::Kerberos(k) => &k.opened_with,
            SecurityContext::Ntlm { opened_with, .. } => opened_with,
        }
    }

    /// The LDAP bytes of one SASL `buffer` (length prefix included) sent by the client
    /// (`from_client`) or the server. NTLM buffers must come in capture order per direction.
    pub fn unwrap_sasl_buffer(
        &mut self,
        from_client: bool,
        buffer: &[u8],
    ) -> Result<Vec<u8>, DecryptError> {
        match self {
            Self::Ntlm {
                client_to_server,
                server_to_client,
                ..
            } => {
                let stream = if from_client {
                    client_to_server
                } else {
                    server_to_client
                };
                Ok(stream.unseal_sasl_buffer(buffer)?.plaintext)
            }
            Self::Kerberos(context) => {
                let (length, token) =
                    buffer
                        .split_first_chunk::<4>()
                        .ok_or(DecryptError::SaslLength {
                            declared: 0,
                            actual: buffer.len(),
                        })?;
                let declared = usize::try_from(u32::from_be_bytes(*length)).unwrap_or(usize::MAX);
                if declared != token.len() {
                    return Err(DecryptError::SaslLength {
                        declared,
                        actual: token.len(),
                    });
                }
                let sender = if from_client {
                    Sender::Initiator
                } else {
                    Sender::Acceptor
                };
                let unwrapped = match token {
                    [0x05, 0x04, flags, ..] => {
                        let key = context.wrap_key(flags & FLAG_ACCEPTOR_SUBKEY != 0);
                        kerberos::unwrap_cfx(key, sender, token)
                    }
                    [0x60, ..] | [0x02, 0x01, ..] => {
                        kerberos::unwrap_rc4(context.wrap_key(true), sender, token)
                    }
                    _ => return Err(DecryptError::NotAWrapToken),
                };
                unwrapped
                    .map(|u| u.plaintext)
                    .map_err(|source| DecryptError::Kerberos {
                        what: "SASL wrap token",
                        source,
                    })
            }
        }
    }
}
